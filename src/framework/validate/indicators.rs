//! `[[indicator]]`: each indicator's group, column, direction, weight, per-capita
//! scaling, imputation, treatment and normalisation (with `[defaults]`).

use super::groups::GroupIds;
use super::validator::Validator;
use crate::error::{suggest, unknown};
use crate::framework::hierarchy::Indicator;
use crate::framework::schema::{RawDefaults, RawFramework, RawIndicator};
use crate::pipeline::impute::{self, Impute};
use crate::pipeline::normalise::{self, Direction, Normalise};
use crate::pipeline::rank::{self, Ties};
use crate::pipeline::treat::{self, Transform, Winsorise};
use std::collections::HashMap;

impl Validator {
    pub(super) fn indicators(&mut self, raw: &RawFramework, groups: &GroupIds<'_>) -> Vec<Indicator> {
        let mut indicators = Vec::new();
        for ind in &raw.indicator {
            if let Some(i) = self.indicator(ind, &raw.defaults, &groups.index, &groups.names) {
                indicators.push(i);
            }
        }
        indicators
    }

    fn indicator(
        &mut self,
        ind: &RawIndicator,
        defaults: &RawDefaults,
        group_index: &HashMap<&str, usize>,
        group_names: &[&str],
    ) -> Option<Indicator> {
        let key = format!("indicator.{}", ind.id);
        let group = self.group(&key, ind, group_index, group_names);
        let weight = self.positive_weight(&format!("{key}.weight"), ind.weight);
        let direction = self.choice(
            &format!("{key}.direction"),
            ind.direction.as_deref().or(defaults.direction.as_deref()),
            Direction::RiskUp,
            &["risk_up", "risk_down"],
            &[("risk_up", Direction::RiskUp), ("risk_down", Direction::RiskDown)],
        );
        let impute = self.choice(
            &format!("{key}.impute"),
            ind.impute.as_deref().or(defaults.impute.as_deref()),
            Impute::None,
            impute::NAMES,
            impute::CHOICES,
        );
        let impute_group = self.impute_group(&key, ind, defaults, impute);
        let transform = self.choice(
            &format!("{key}.transform"),
            ind.transform.as_deref().or(defaults.transform.as_deref()),
            Transform::None,
            treat::TRANSFORM_NAMES,
            &[
                ("none", Transform::None),
                ("log", Transform::Log),
                ("log1p", Transform::Log1p),
                ("sqrt", Transform::Sqrt),
            ],
        );
        let winsorise = self.winsorise(&key, ind, defaults);
        let normalise = self.normalise(&key, ind, defaults, transform, direction);
        self.unused_keys(&key, ind, defaults);
        let multiplier = self.multiplier(&key, ind);
        Some(Indicator {
            id: ind.id.clone(),
            name: ind.name.clone().unwrap_or_else(|| ind.id.clone()),
            group: group?,
            column: ind.column.clone().unwrap_or_else(|| ind.id.clone()),
            units: ind.units.clone(),
            source: ind.source.clone(),
            direction,
            weight,
            denominator: ind.denominator.clone(),
            multiplier,
            impute,
            impute_group,
            winsorise,
            transform,
            normalise,
            reference_unit: ind.reference_unit.clone(),
        })
    }

    /// The indicator's group, resolved.
    fn group(
        &mut self,
        key: &str,
        ind: &RawIndicator,
        group_index: &HashMap<&str, usize>,
        group_names: &[&str],
    ) -> Option<usize> {
        match group_index.get(ind.group.as_str()) {
            Some(&g) => Some(g),
            None => {
                self.problem(
                    format!("{key}.group"),
                    format!(
                        "unknown group `{}`{}",
                        ind.group,
                        suggest(&ind.group, group_names.iter().copied())
                    ),
                );
                None
            }
        }
    }

    /// `impute_group` (with `[defaults]`): required by, and only used by, the group
    /// imputations.
    fn impute_group(
        &mut self,
        key: &str,
        ind: &RawIndicator,
        defaults: &RawDefaults,
        impute: Impute,
    ) -> Option<String> {
        let group = ind.impute_group.as_ref().or(defaults.impute_group.as_ref()).cloned();
        let name = ind.impute.as_deref().or(defaults.impute.as_deref()).unwrap_or("none");
        match (&group, impute.needs_unit_group()) {
            (None, true) => self.problem(
                format!("{key}.impute_group"),
                format!(
                    "impute = \"{name}\" fills a unit's value from the units of its group: name the data column that holds each unit's group, e.g. impute_group = \"region\" (for the mean of the unit's other indicators in its framework group, use impute = \"row_mean\")"
                ),
            ),
            (Some(g), false) if ind.impute_group.is_some() => self.problem(
                format!("{key}.impute_group"),
                format!("impute_group = \"{g}\" is only used with impute = \"group_mean\" or \"group_median\" (this indicator uses `{name}`)"),
            ),
            _ => {}
        }
        group
    }

    /// `winsorise` (with `[defaults]`): none, quantile, skew_kurtosis or coinr.
    fn winsorise(&mut self, key: &str, ind: &RawIndicator, defaults: &RawDefaults) -> Winsorise {
        let winsorise_name = ind
            .winsorise
            .as_deref()
            .or(defaults.winsorise.as_deref())
            .unwrap_or("none");
        match winsorise_name {
            "none" => Winsorise::None,
            "quantile" => {
                let p = ind.winsorise_p.or(defaults.winsorise_p).unwrap_or(0.05);
                if !(p > 0.0 && p < 0.5) {
                    self.problem(
                        format!("{key}.winsorise_p"),
                        format!("expected a share between 0 and 0.5 (exclusive), found {p}"),
                    );
                }
                Winsorise::Quantile { p }
            }
            "skew_kurtosis" => Winsorise::SkewKurtosis {
                max_points: ind.winsorise_max_points.or(defaults.winsorise_max_points).unwrap_or(5),
                skew: ind.skew_threshold.or(defaults.skew_threshold).unwrap_or(2.0),
                kurtosis: ind.kurtosis_threshold.or(defaults.kurtosis_threshold).unwrap_or(3.5),
            },
            "coinr" => Winsorise::TwoStage {
                max_points: ind.winsorise_max_points.or(defaults.winsorise_max_points).unwrap_or(5),
                skew: ind.skew_threshold.or(defaults.skew_threshold).unwrap_or(2.0),
                kurtosis: ind.kurtosis_threshold.or(defaults.kurtosis_threshold).unwrap_or(3.5),
            },
            other => {
                self.problem(
                    format!("{key}.winsorise"),
                    unknown("value", other, treat::WINSORISE_NAMES.iter().copied()),
                );
                Winsorise::None
            }
        }
    }

    /// `normalise` (with `[defaults]`) and its parameters: `range`, `goalposts`, `target`, `cap`.
    fn normalise(
        &mut self,
        key: &str,
        ind: &RawIndicator,
        defaults: &RawDefaults,
        transform: Transform,
        direction: Direction,
    ) -> Normalise {
        let range = match ind.range.as_ref().or(defaults.range.as_ref()) {
            Some(r) => self
                .pair(&format!("{key}.range"), &Some(r.clone()))
                .unwrap_or((0.0, 100.0)),
            None => (0.0, 100.0),
        };
        let normalise_name = ind
            .normalise
            .as_deref()
            .or(defaults.normalise.as_deref())
            .unwrap_or("minmax");
        match normalise_name {
            "minmax" => Normalise::MinMax {
                lo: range.0,
                hi: range.1,
            },
            "goalposts" => self.goalposts(key, ind, transform, range),
            "zscore" => {
                let (mean, sd) = match ind.mean_sd.as_ref().or(defaults.mean_sd.as_ref()) {
                    Some(p) if p.len() == 2 && p[0].is_finite() && p[1].is_finite() && p[1] > 0.0 => (p[0], p[1]),
                    Some(p) => {
                        self.problem(
                            format!("{key}.mean_sd"),
                            format!("expected [mean, sd] with a finite mean and sd > 0, found {p:?}"),
                        );
                        (0.0, 1.0)
                    }
                    None => (0.0, 1.0),
                };
                Normalise::ZScore { mean, sd }
            }
            "rank" => Normalise::Rank {
                ties: self.rank_ties(key, ind, defaults, Ties::Average),
            },
            "percentile" => Normalise::Percentile {
                ties: self.rank_ties(key, ind, defaults, Ties::Average),
                lo: range.0,
                hi: range.1,
            },
            "distance_to_max" => Normalise::DistanceToMax,
            "fracmax" => Normalise::FracMax,
            "borda" => Normalise::Borda {
                ties: self.rank_ties(key, ind, defaults, Ties::Min),
            },
            "mpi_scaled" => Normalise::MpiScaled,
            "dist2targ" => self.dist_to_target(key, ind, transform, direction),
            "dist2ref" => {
                if ind.reference_unit.is_none() {
                    self.problem(
                        format!("{key}.reference_unit"),
                        "normalise = \"dist2ref\" needs reference_unit = \"<unit code>\": the unit whose value is the target",
                    );
                }
                Normalise::DistToRef {
                    cap: ind.cap.unwrap_or(false),
                    down: direction == Direction::RiskDown,
                }
            }
            "scaled" => match self.pair(&format!("{key}.goalposts"), &ind.goalposts) {
                Some((l, u)) => Normalise::Scaled { l, u },
                None => {
                    if ind.goalposts.is_none() {
                        self.problem(
                            format!("{key}.goalposts"),
                            "normalise = \"scaled\" needs goalposts = [l, u]: 100 (x - l)/(u - l)",
                        );
                    }
                    Normalise::None
                }
            },
            "none" => Normalise::None,
            other => {
                self.problem(
                    format!("{key}.normalise"),
                    unknown("value", other, normalise::NAMES.iter().copied()),
                );
                Normalise::None
            }
        }
    }

    /// `rank_ties` (with `[defaults]`) for the rank methods.
    fn rank_ties(&mut self, key: &str, ind: &RawIndicator, defaults: &RawDefaults, default: Ties) -> Ties {
        self.choice(
            &format!("{key}.rank_ties"),
            ind.rank_ties.as_deref().or(defaults.rank_ties.as_deref()),
            default,
            rank::NAMES,
            &[("average", Ties::Average), ("min", Ties::Min)],
        )
    }

    /// `normalise = "goalposts"`: [min, max] in raw units, inside the transform's domain.
    fn goalposts(&mut self, key: &str, ind: &RawIndicator, transform: Transform, range: (f64, f64)) -> Normalise {
        match self.pair(&format!("{key}.goalposts"), &ind.goalposts) {
            Some((min, max)) => {
                let (tmin, tmax) = (transform.apply_or_nan(min), transform.apply_or_nan(max));
                if !(tmin.is_finite() && tmax.is_finite()) {
                    self.problem(
                        format!("{key}.goalposts"),
                        format!(
                            "goalposts [{min}, {max}] are outside the domain of transform `{}` ({})",
                            transform.name(),
                            transform.domain()
                        ),
                    );
                }
                Normalise::Goalposts {
                    min,
                    max,
                    lo: range.0,
                    hi: range.1,
                }
            }
            None => {
                if ind.goalposts.is_none() {
                    self.problem(
                        format!("{key}.goalposts"),
                        "normalise = \"goalposts\" needs goalposts = [low, high] in the indicator's raw units",
                    );
                }
                Normalise::None
            }
        }
    }

    /// `normalise = "dist2targ"`: a finite target in the transform's domain.
    fn dist_to_target(
        &mut self,
        key: &str,
        ind: &RawIndicator,
        transform: Transform,
        direction: Direction,
    ) -> Normalise {
        match ind.target {
            Some(t) if t.is_finite() && transform.apply_or_nan(t).is_finite() => Normalise::DistToTarget {
                target: t,
                cap: ind.cap.unwrap_or(false),
                down: direction == Direction::RiskDown,
            },
            Some(t) => {
                self.problem(
                    format!("{key}.target"),
                    format!(
                        "target {t} is not a finite value in the domain of transform `{}`",
                        transform.name()
                    ),
                );
                Normalise::None
            }
            None => {
                self.problem(
                    format!("{key}.target"),
                    "normalise = \"dist2targ\" needs target = <value in the indicator's raw units>",
                );
                Normalise::None
            }
        }
    }

    /// Keys that only some methods use, given where they are not used.
    fn unused_keys(&mut self, key: &str, ind: &RawIndicator, defaults: &RawDefaults) {
        let normalise_name = ind
            .normalise
            .as_deref()
            .or(defaults.normalise.as_deref())
            .unwrap_or("minmax");
        let uses = |key_given: bool, name: &str, methods: &[&str]| {
            (key_given && !methods.contains(&normalise_name)).then(|| {
                (
                    format!("{key}.{name}"),
                    format!(
                        "`{name}` is only used with normalise = {} (this indicator uses `{normalise_name}`)",
                        methods
                            .iter()
                            .map(|m| format!("\"{m}\""))
                            .collect::<Vec<_>>()
                            .join(" or ")
                    ),
                )
            })
        };
        let problems = [
            uses(ind.mean_sd.is_some(), "mean_sd", &["zscore"]),
            uses(ind.rank_ties.is_some(), "rank_ties", &["rank", "percentile", "borda"]),
            uses(ind.target.is_some(), "target", &["dist2targ"]),
            uses(ind.cap.is_some(), "cap", &["dist2targ", "dist2ref"]),
            uses(ind.reference_unit.is_some(), "reference_unit", &["dist2ref"]),
        ];
        for (k, message) in problems.into_iter().flatten() {
            self.problem(k, message);
        }
        if ind.goalposts.is_some() && !matches!(normalise_name, "goalposts" | "scaled") {
            self.problem(
                format!("{key}.goalposts"),
                format!(
                    "goalposts are only used with normalise = \"goalposts\" (this indicator uses `{normalise_name}`)"
                ),
            );
        }
    }

    /// `multiplier`: finite, non-zero, and only with a denominator.
    fn multiplier(&mut self, key: &str, ind: &RawIndicator) -> f64 {
        let multiplier = ind.multiplier.unwrap_or(1.0);
        if !(multiplier.is_finite() && multiplier != 0.0) {
            self.problem(
                format!("{key}.multiplier"),
                format!("expected a finite non-zero number, found {multiplier}"),
            );
        }
        if ind.multiplier.is_some() && ind.denominator.is_none() {
            self.problem(format!("{key}.multiplier"), "multiplier is only used with a denominator (e.g. denominator = \"population\", multiplier = 1e6 for per million)");
        }
        multiplier
    }
}

//! `[[derived]]`: columns computed from the data before scoring (weighted sums, per
//! capita, lags, decayed sums, changes, rolling windows, trends, neighbours), put in
//! dependency order.

use super::validator::Validator;
use crate::error::{list_ids, unknown};
use crate::framework::derived::DerivedColumn;
use crate::framework::schema::{RawDerived, RawFramework};
use crate::pipeline::derive::{self, Derived, Missing, NeighbourStat, Rolling};
use std::collections::{BTreeMap, HashMap, HashSet};

impl Validator {
    pub(super) fn derived(&mut self, raw: &[RawDerived]) -> Vec<DerivedColumn> {
        let mut defs: Vec<DerivedColumn> = Vec::new();
        let mut seen = HashSet::new();
        for d in raw {
            let key = format!("derived.{}", d.id);
            if !seen.insert(d.id.clone()) {
                self.problem(format!("{key}.id"), format!("duplicate derived column `{}`", d.id));
                continue;
            }
            if let Some(def) = self.derived_one(d, &key) {
                let missing = self.choice(
                    &format!("{key}.missing"),
                    d.missing.as_deref(),
                    Missing::Propagate,
                    derive::MISSING_NAMES,
                    &[
                        ("missing", Missing::Propagate),
                        ("zero", Missing::Zero),
                        ("skip", Missing::Skip),
                        ("error", Missing::Error),
                    ],
                );
                defs.push(DerivedColumn {
                    id: d.id.clone(),
                    def,
                    missing,
                });
            }
        }
        // Dependency order (Kahn); what remains is a cycle.
        let ids: HashMap<&str, usize> = defs.iter().enumerate().map(|(i, d)| (d.id.as_str(), i)).collect();
        let mut order = Vec::new();
        let mut done = vec![false; defs.len()];
        loop {
            let ready: Vec<usize> = (0..defs.len())
                .filter(|&i| !done[i])
                .filter(|&i| defs[i].def.inputs().iter().all(|c| ids.get(c).is_none_or(|&j| done[j])))
                .collect();
            if ready.is_empty() {
                break;
            }
            for i in ready {
                done[i] = true;
                order.push(i);
            }
        }
        let stuck: Vec<&str> = (0..defs.len())
            .filter(|&i| !done[i])
            .map(|i| defs[i].id.as_str())
            .collect();
        if !stuck.is_empty() {
            self.problem(
                format!("derived.{}", stuck[0]),
                format!("derived columns depend on each other in a cycle: {}", list_ids(stuck)),
            );
        }
        order.into_iter().map(|i| defs[i].clone()).collect()
    }

    /// `kind = "neighbours"` needs the contiguity table of `[data] neighbours`.
    pub(super) fn neighbours_given(&mut self, raw: &RawFramework, derived: &[DerivedColumn]) {
        if raw.data.neighbours.is_none() {
            if let Some(d) = derived.iter().find(|d| matches!(d.def, Derived::Neighbours { .. })) {
                self.problem(
                    format!("derived.{}.kind", d.id),
                    "kind `neighbours` needs neighbours: set [data] neighbours = \"borders.csv\" (a contiguity table: columns unit, neighbour, optional weight; the path is relative to the framework file), or \"grid:queen\" for PRIO-GRID cells",
                );
            }
        }
    }

    fn derived_one(&mut self, d: &RawDerived, key: &str) -> Option<Derived> {
        let mut used: Vec<&'static str> = vec!["id", "kind", "description", "missing"];
        let def = match d.kind.as_str() {
            "weighted_sum" => self.weighted_sum(d, key, &mut used),
            "ratio" => self.ratio(d, key, &mut used),
            "lag" | "change" => self.lag_or_change(d, key, &mut used),
            "rolling" => self.rolling(d, key, &mut used),
            "decayed_sum" => self.decayed_sum(d, key, &mut used),
            "neighbours" => self.neighbours(d, key, &mut used),
            "trend" => self.trend(d, key, &mut used),
            other => {
                self.problem(
                    format!("{key}.kind"),
                    unknown("kind", other, derive::KIND_NAMES.iter().copied()),
                );
                return None;
            }
        };
        self.unused_derived_keys(d, key, &used);
        def
    }

    /// Keys given but not used by this kind are mistakes worth naming.
    fn unused_derived_keys(&mut self, d: &RawDerived, key: &str, used: &[&str]) {
        let given = [
            ("of", d.of.is_some()),
            ("terms", d.terms.is_some()),
            ("denominator", d.denominator.is_some()),
            ("multiplier", d.multiplier.is_some()),
            ("periods", d.periods.is_some()),
            ("relative", d.relative.is_some()),
            ("window", d.window.is_some()),
            ("stat", d.stat.is_some()),
            ("weights", d.weights.is_some()),
            ("divisor", d.divisor.is_some()),
        ];
        for (name, present) in given {
            if present && !used.contains(&name) {
                self.problem(format!("{key}.{name}"), format!("not used by kind `{}`", d.kind));
            }
        }
    }

    /// `of`: the column a kind is computed from.
    fn derived_of(&mut self, d: &RawDerived, key: &str, used: &mut Vec<&'static str>) -> Option<String> {
        used.push("of");
        if d.of.is_none() {
            self.problem(
                format!("{key}.of"),
                format!("kind `{}` needs `of` = the column it is computed from", d.kind),
            );
        }
        d.of.clone()
    }

    /// `window`: a whole number of periods >= 1.
    fn derived_window(&mut self, d: &RawDerived, key: &str, used: &mut Vec<&'static str>) -> Option<usize> {
        used.push("window");
        match d.window {
            Some(w) if w >= 1 => Some(w),
            Some(w) => {
                self.problem(
                    format!("{key}.window"),
                    format!("expected a whole number of periods >= 1, found {w}"),
                );
                None
            }
            None => {
                self.problem(
                    format!("{key}.window"),
                    format!("kind `{}` needs `window` = number of periods", d.kind),
                );
                None
            }
        }
    }

    /// `kind = "weighted_sum"`: Σ coefficient × column.
    fn weighted_sum(&mut self, d: &RawDerived, key: &str, used: &mut Vec<&'static str>) -> Option<Derived> {
        used.push("terms");
        match &d.terms {
            Some(t) if !t.is_empty() => {
                for (col, a) in t {
                    if !a.is_finite() {
                        self.problem(
                            format!("{key}.terms.{col}"),
                            format!("expected a finite coefficient, found {a}"),
                        );
                    }
                }
                Some(Derived::WeightedSum {
                    terms: t
                        .iter()
                        .map(|(c, a)| (c.clone(), *a))
                        .collect::<BTreeMap<_, _>>()
                        .into_iter()
                        .collect(),
                })
            }
            _ => {
                self.problem(
                    format!("{key}.terms"),
                    "kind `weighted_sum` needs terms = { column = coefficient, ... }",
                );
                None
            }
        }
    }

    /// `kind = "ratio"`: multiplier × of / denominator.
    fn ratio(&mut self, d: &RawDerived, key: &str, used: &mut Vec<&'static str>) -> Option<Derived> {
        used.extend(["denominator", "multiplier"]);
        let of = self.derived_of(d, key, used);
        if d.denominator.is_none() {
            self.problem(
                format!("{key}.denominator"),
                "kind `ratio` needs `denominator` = a column name",
            );
        }
        let multiplier = d.multiplier.unwrap_or(1.0);
        if !(multiplier.is_finite() && multiplier != 0.0) {
            self.problem(
                format!("{key}.multiplier"),
                format!("expected a finite non-zero number, found {multiplier}"),
            );
        }
        Some(Derived::Ratio {
            of: of?,
            denominator: d.denominator.clone()?,
            multiplier,
        })
    }

    /// `kind = "lag"` / `"change"`: the value (or its change) `periods` back.
    fn lag_or_change(&mut self, d: &RawDerived, key: &str, used: &mut Vec<&'static str>) -> Option<Derived> {
        used.push("periods");
        let of = self.derived_of(d, key, used);
        let periods = d.periods.unwrap_or(1);
        if periods < 1 {
            self.problem(
                format!("{key}.periods"),
                format!("expected a whole number of periods >= 1, found {periods}"),
            );
        }
        if d.kind == "lag" {
            Some(Derived::Lag { of: of?, periods })
        } else {
            used.push("relative");
            Some(Derived::Change {
                of: of?,
                periods,
                relative: d.relative.unwrap_or(false),
            })
        }
    }

    /// `kind = "rolling"`: mean or sum over a window.
    fn rolling(&mut self, d: &RawDerived, key: &str, used: &mut Vec<&'static str>) -> Option<Derived> {
        used.push("stat");
        let of = self.derived_of(d, key, used);
        let window = self.derived_window(d, key, used);
        let stat = self.choice(
            &format!("{key}.stat"),
            d.stat.as_deref(),
            Rolling::Mean,
            &["mean", "sum"],
            &[("mean", Rolling::Mean), ("sum", Rolling::Sum)],
        );
        Some(Derived::Rolling {
            of: of?,
            window: window?,
            stat,
        })
    }

    /// `kind = "decayed_sum"`: Σ weights × lags / divisor (GTI).
    fn decayed_sum(&mut self, d: &RawDerived, key: &str, used: &mut Vec<&'static str>) -> Option<Derived> {
        used.extend(["weights", "divisor"]);
        let of = self.derived_of(d, key, used);
        let weights = d.weights.clone().unwrap_or_default();
        if weights.is_empty() || !weights.iter().all(|w| w.is_finite()) {
            self.problem(format!("{key}.weights"), "kind `decayed_sum` needs weights = [current, one back, two back, ...], finite numbers (GTI: [16, 8, 4, 2, 1])");
        }
        let divisor = d.divisor.unwrap_or(1.0);
        if !(divisor.is_finite() && divisor != 0.0) {
            self.problem(
                format!("{key}.divisor"),
                format!("expected a finite non-zero number, found {divisor}"),
            );
        }
        Some(Derived::DecayedSum {
            of: of?,
            weights,
            divisor,
        })
    }

    /// `kind = "neighbours"`: a statistic over the unit's neighbours.
    fn neighbours(&mut self, d: &RawDerived, key: &str, used: &mut Vec<&'static str>) -> Option<Derived> {
        let of = self.derived_of(d, key, used);
        used.push("stat");
        let stat = self.choice(
            &format!("{key}.stat"),
            d.stat.as_deref(),
            NeighbourStat::Mean,
            derive::NEIGHBOUR_STATS,
            &[
                ("mean", NeighbourStat::Mean),
                ("max", NeighbourStat::Max),
                ("sum", NeighbourStat::Sum),
                ("weighted_sum", NeighbourStat::WeightedSum),
                ("weighted_mean", NeighbourStat::WeightedMean),
            ],
        );
        Some(Derived::Neighbours { of: of?, stat })
    }

    /// `kind = "trend"`: the least-squares slope over a window.
    fn trend(&mut self, d: &RawDerived, key: &str, used: &mut Vec<&'static str>) -> Option<Derived> {
        let of = self.derived_of(d, key, used);
        let window = self.derived_window(d, key, used);
        if window == Some(1) {
            self.problem(format!("{key}.window"), "a trend needs a window of at least 2 periods");
        }
        Some(Derived::Trend {
            of: of?,
            window: window?,
        })
    }
}

//! `[index]`, `[defaults]`, `[data]` and `[screen]`: the index's own settings.

use super::validator::Validator;
use crate::framework::data_spec::Layout;
use crate::framework::hierarchy::Child;
use crate::framework::index::{Scale, ScaleFrom, Scope};
use crate::framework::model::Framework;
use crate::framework::schema::{RawClass, RawFramework};
use crate::framework::screen::{Screen, ScreenOn};
use crate::period::Period;
use crate::pipeline::aggregate::Aggregation;
use crate::pipeline::classify::Class;
use crate::pipeline::rank::{self, Ties};

/// The index's settings, checked.
pub(super) struct IndexSettings {
    pub(super) id: String,
    pub(super) default_aggregation: Aggregation,
    pub(super) aggregation: Aggregation,
    pub(super) ties: Ties,
    pub(super) scope: Scope,
    pub(super) scale_from: ScaleFrom,
    pub(super) scale: Option<(f64, f64)>,
    pub(super) classes: Vec<Class>,
    pub(super) first_period: Option<Period>,
    pub(super) last_period: Option<Period>,
    pub(super) layout: Option<Layout>,
    pub(super) screen: Screen,
}

impl Validator {
    pub(super) fn index(&mut self, raw: &RawFramework) -> IndexSettings {
        let index_id = raw.index.id.trim().to_string();
        if index_id.is_empty() {
            self.problem("index.id", "must not be empty");
        }
        let default_aggregation = self.aggregation(
            "defaults.aggregation",
            raw.defaults.aggregation.as_deref(),
            Aggregation::Arithmetic,
        );
        let index_aggregation = self.aggregation(
            "index.aggregation",
            raw.index.aggregation.as_deref(),
            default_aggregation,
        );
        let ties = self.choice(
            "index.ties",
            raw.index.ties.as_deref(),
            Ties::Average,
            rank::NAMES,
            &[("average", Ties::Average), ("min", Ties::Min)],
        );
        let scope = self.choice(
            "index.normalise_over",
            raw.index.normalise_over.as_deref(),
            Scope::Period,
            &["period", "panel"],
            &[("period", Scope::Period), ("panel", Scope::Panel)],
        );
        let scale_from = self.choice(
            "index.scale_from",
            raw.index.scale_from.as_deref(),
            ScaleFrom::Nominal,
            &["nominal", "observed"],
            &[("nominal", ScaleFrom::Nominal), ("observed", ScaleFrom::Observed)],
        );
        let scale_pair = self.pair("index.scale", &raw.index.scale);
        let classes = self.classes(&raw.index.classes);
        let first_period = self.period("index.first_period", &raw.index.first_period);
        let last_period = self.period("index.last_period", &raw.index.last_period);
        if let (Some(a), Some(b)) = (first_period, last_period) {
            if a > b {
                self.problem("index.last_period", format!("{b} is before index.first_period {a}"));
            }
        }
        let layout = match raw.data.layout.as_deref() {
            None | Some("auto") => None,
            Some(l) => Some(self.layout("data.layout", l)),
        };
        let include = raw.screen.include.clone().unwrap_or_default();
        let exclude = raw.screen.exclude.clone().unwrap_or_default();
        for unit in include.iter().filter(|u| exclude.contains(u)) {
            self.problem(
                "screen.exclude",
                format!("unit `{unit}` is also in screen.include: a unit is either forced in or out"),
            );
        }
        let screen = Screen {
            unit_min_coverage: self.share("screen.unit_min_coverage", raw.screen.unit_min_coverage),
            indicator_min_coverage: self.share("screen.indicator_min_coverage", raw.screen.indicator_min_coverage),
            unit_min_nonzero: self.share("screen.unit_min_nonzero", raw.screen.unit_min_nonzero),
            include,
            exclude,
            on: self.choice(
                "screen.on",
                raw.screen.on.as_deref(),
                ScreenOn::Raw,
                &["raw", "imputed"],
                &[("raw", ScreenOn::Raw), ("imputed", ScreenOn::Imputed)],
            ),
        };
        IndexSettings {
            id: index_id,
            default_aggregation,
            aggregation: index_aggregation,
            ties,
            scope,
            scale_from,
            scale: scale_pair,
            classes,
            first_period,
            last_period,
            layout,
            screen,
        }
    }

    /// `index.scale`: with `scale_from = "nominal"`, every indicator must be on a bounded scale.
    pub(super) fn scale(&mut self, pair: Option<(f64, f64)>, from: ScaleFrom, fw: &Framework) -> Option<Scale> {
        let (lo, hi) = pair?;
        let nominal = match from {
            ScaleFrom::Observed => None,
            ScaleFrom::Nominal => {
                let b = bounds(fw, Child::Group(0));
                if b.is_none() {
                    self.problem(
                        "index.scale",
                        "nominal scaling needs every indicator on a bounded scale (minmax, goalposts or percentile) and no copeland aggregation; set index.scale_from = \"observed\" to map each period's lowest and highest score instead",
                    );
                }
                b
            }
        };
        Some(Scale { lo, hi, from, nominal })
    }

    fn classes(&mut self, raw: &[RawClass]) -> Vec<Class> {
        let mut out = Vec::new();
        let mut last = f64::NEG_INFINITY;
        for (i, c) in raw.iter().enumerate() {
            let key = format!("index.classes[{}]", i + 1);
            let is_last = i + 1 == raw.len();
            match (c.below, is_last) {
                (Some(b), _) if !b.is_finite() || b <= last => self.problem(
                    &key,
                    format!("cut-off `below = {b}` must be finite and greater than the previous class's ({last})"),
                ),
                (Some(b), _) => last = b,
                (None, false) => self.problem(
                    &key,
                    format!(
                        "class `{}` has no `below`: only the last (highest) class may omit it",
                        c.label
                    ),
                ),
                (None, true) => {}
            }
            out.push(Class {
                label: c.label.clone(),
                below: c.below,
            });
        }
        if let Some(c) = raw.last() {
            if c.below.is_some() {
                self.problem(
                    format!("index.classes[{}]", raw.len()),
                    format!(
                        "the last class `{}` must not have `below` (it takes every higher score)",
                        c.label
                    ),
                );
            }
        }
        out
    }
}

/// The range a child's values can take, if bounded (means stay within their inputs).
fn bounds(fw: &Framework, child: Child) -> Option<(f64, f64)> {
    match child {
        Child::Indicator(k) => fw.indicators[k].normalise.bounds().map(|(a, b)| (a.min(b), a.max(b))),
        Child::Group(g) => {
            match fw.groups[g].aggregation {
                Aggregation::Copeland | Aggregation::Mpi { .. } => return None,
                Aggregation::Bod => return Some((0.0, 1.0)),
                _ => {}
            }
            let mut out: Option<(f64, f64)> = None;
            for &c in &fw.groups[g].children {
                let (lo, hi) = bounds(fw, c)?;
                out = Some(match out {
                    None => (lo, hi),
                    Some((a, b)) => (a.min(lo), b.max(hi)),
                });
            }
            out
        }
    }
}

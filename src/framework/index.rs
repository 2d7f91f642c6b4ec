//! The index itself and the options that apply to all of it (`[index]`): its id and
//! name, the scale it is mapped onto, its risk classes, ties, periods and the scope
//! of normalisation.

use crate::period::Period;
use crate::pipeline::classify::Class;
use crate::pipeline::rank::Ties;

/// Over which values normalisation, treatment and mean/median imputation are fitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Each period on its own (default): scores compare units within a period.
    Period,
    /// All scored periods together: scores are also comparable over time.
    Panel,
}

/// How the index is mapped onto `index.scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScaleFrom {
    /// The theoretical range of the normalised scale (e.g. [0, 100]) maps to the scale.
    Nominal,
    /// Each period's lowest and highest index map to the scale's ends.
    Observed,
}

/// The index itself and options that apply to all of it.
#[derive(Debug, Clone)]
pub struct Index {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub unit_column: String,
    pub period_column: String,
    /// Target scale and the nominal range it is mapped from (for `Nominal`).
    pub scale: Option<Scale>,
    pub classes: Vec<Class>,
    pub ties: Ties,
    pub first_period: Option<Period>,
    pub last_period: Option<Period>,
    pub scope: Scope,
}

/// A linear map of the index (and pillar scores, for nominal scaling) onto [lo, hi].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    pub lo: f64,
    pub hi: f64,
    pub from: ScaleFrom,
    /// The normalised range mapped from (nominal scaling only).
    pub nominal: Option<(f64, f64)>,
}

impl Scale {
    /// Maps scores onto [lo, hi]: pointwise from the nominal range, or from the
    /// slice's own lowest and highest value (`observed`; all equal -> the midpoint).
    /// NaN stays NaN.
    pub fn apply(&self, values: &mut [f64]) {
        let (a, b) = match (self.from, self.nominal) {
            (ScaleFrom::Nominal, Some(range)) => range,
            _ => {
                let present = values.iter().copied().filter(|v| !v.is_nan());
                let (min, max) = present.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
                if max <= min || max.is_nan() {
                    let mid = (self.lo + self.hi) / 2.0;
                    values.iter_mut().filter(|v| !v.is_nan()).for_each(|v| *v = mid);
                    return;
                }
                (min, max)
            }
        };
        for v in values.iter_mut() {
            *v = self.lo + (self.hi - self.lo) * (*v - a) / (b - a);
        }
    }
}

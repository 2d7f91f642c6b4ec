//! What a backtest gives: estimates with their intervals, metric rows per variant,
//! origin and step, skills against the baselines with their verdicts, reliability
//! tables and the long table of forecasts.

use crate::metrics::Bin;
use crate::period::Period;

/// The number of metrics.
pub const METRICS: usize = 7;

/// The metrics' names, as columns of the outputs.
pub const METRIC_NAMES: [&str; METRICS] = [
    "spearman",
    "kendall_tau_b",
    "auroc",
    "average_precision",
    "brier",
    "log_loss",
    "precision_at_k",
];

/// Whether a lower value of the metric is better (the Brier score and the log loss).
pub const LOWER_IS_BETTER: [bool; METRICS] = [false, false, false, false, true, true, false];

/// The metric of the verdicts: average precision.
pub(crate) const VERDICT_METRIC: usize = 3;

/// A metric with its bootstrap interval.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Estimate {
    pub value: f64,
    pub lo: f64,
    pub hi: f64,
}

/// A variant of the framework, or a naive baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    Variant,
    Baseline,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Variant => "variant",
            Kind::Baseline => "baseline",
        }
    }
}

/// One row of `backtest.csv`: a forecaster at one step and origin (or pooled over the
/// origins: `period = None`).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Row {
    pub forecaster: String,
    pub kind: Kind,
    pub step: i64,
    pub period: Option<Period>,
    pub outcome_period: Option<Period>,
    pub n: usize,
    pub positives: usize,
    /// Pairs with a probability (the Brier score and log loss are over these).
    pub with_probability: usize,
    /// In the order of [`METRIC_NAMES`].
    pub metrics: [Estimate; METRICS],
    pub note: String,
}

/// A variant against a baseline at one step, over the pairs both forecast.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Skill {
    pub step: i64,
    pub variant: String,
    pub baseline: String,
    pub n: usize,
    /// Variant minus baseline, per metric, with the interval of the difference.
    pub difference: [Estimate; METRICS],
}

/// What a skill interval says of a variant against a baseline on one metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verdict {
    /// The interval lies wholly on the better side of 0.
    Beats,
    /// The interval holds 0.
    NoBetter,
    /// The interval lies wholly on the worse side of 0.
    Worse,
    /// A difference but no interval (`--bootstrap 0`, or too few finite resamples).
    NoInterval,
    /// The metric is undefined for one of the two.
    Undefined,
}

/// Differences closer to 0 than this are 0: two sums of the same terms in another order
/// differ by a few units in the last place, which is no skill.
pub(super) const NOISE: f64 = 1e-12;

impl Skill {
    pub fn verdict(&self, metric: usize) -> Verdict {
        let d = self.difference[metric];
        let sign = if LOWER_IS_BETTER[metric] { -1.0 } else { 1.0 };
        let (lo, hi) = ((sign * d.lo).min(sign * d.hi), (sign * d.lo).max(sign * d.hi));
        if d.value.is_nan() {
            Verdict::Undefined
        } else if d.lo.is_nan() {
            Verdict::NoInterval
        } else if lo > NOISE {
            Verdict::Beats
        } else if hi < -NOISE {
            Verdict::Worse
        } else {
            Verdict::NoBetter
        }
    }
}

/// The reliability table of a forecaster's probabilities at one step, pooled.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Reliability {
    pub step: i64,
    pub forecaster: String,
    pub kind: Kind,
    pub bins: Vec<Bin>,
}

/// One forecast of the long table: a unit at an origin and step, by one forecaster.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Forecast {
    pub unit: usize,
    pub origin: Period,
    pub step: i64,
    pub target: Period,
    pub forecaster: usize,
    pub score: f64,
    /// The probability (NaN where there is none).
    pub p: f64,
    pub outcome: f64,
}

/// Everything a backtest finds.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Backtest {
    pub units: Vec<String>,
    /// Names and kinds, variants first; [`Forecast::forecaster`] indexes this.
    pub forecasters: Vec<(String, Kind)>,
    pub steps: Vec<i64>,
    pub rows: Vec<Row>,
    pub skill: Vec<Skill>,
    /// Per step and variant, the verdict line (`backtest/verdict.rs`); empty without baselines.
    pub verdicts: Vec<(i64, String, String)>,
    pub reliability: Vec<Reliability>,
    pub forecasts: Vec<Forecast>,
    /// Said once for the whole run (a variant whose outcome differs from the
    /// baselines').
    pub notes: Vec<String>,
}

/// A forecast paired with its outcome, for one unit at one origin and step.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pair {
    /// Index in [`Backtest::units`].
    pub unit: usize,
    pub score: f64,
    /// The probability; NaN where there is none.
    pub p: f64,
    pub outcome: f64,
}

//! What the analysis produced: per unit and period, the nominal, median and 5-95 %
//! rank and score and the mean absolute rank shift ([`OutputStats`]); per output and
//! Sobol group, the first-order and total indices with their confidence half-widths
//! ([`SobolRow`]); per period, the mean absolute rank shift; and how the quantiles
//! were found.

use super::settings::Quantiles;
use crate::framework::sensitivity::Method;
use crate::period::Period;

/// One row of `sobol.csv`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SobolRow {
    pub output: String,
    pub factor: String,
    pub s1: f64,
    pub s1_conf: f64,
    pub st: f64,
    pub st_conf: f64,
}

/// Per-output uncertainty statistics (one output = one unit in one period).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct OutputStats {
    pub unit: String,
    pub period: Period,
    pub nominal_rank: f64,
    pub median_rank: f64,
    pub q05_rank: f64,
    pub q95_rank: f64,
    pub mean_abs_shift: f64,
    pub nominal_score: f64,
    pub median_score: f64,
    pub q05_score: f64,
    pub q95_score: f64,
}

/// Everything the analysis produced.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub(crate) factors: Vec<String>,
    /// Sobol groups (factor names unless grouped).
    pub(crate) groups: Vec<String>,
    pub(crate) method: Method,
    pub(crate) n: usize,
    pub(crate) runs: usize,
    pub(crate) stats: Vec<OutputStats>,
    /// Per analysed period: the mean over runs and units of |rank - nominal rank|.
    pub(crate) mean_abs_shift_by_period: Vec<(Period, f64)>,
    pub(crate) sobol: Vec<SobolRow>,
    /// How many normalised matrices were precomputed.
    pub(crate) matrices: usize,
    /// How the quantiles were found (exact or sketch), and the sketch's bounds: rank
    /// quantiles within this many ranks, score quantiles within this fraction.
    pub(crate) quantiles: Quantiles,
    pub(crate) rank_bound: f64,
    pub(crate) score_accuracy: f64,
    /// Seconds per phase: prepare, evaluate, summarise, sobol.
    pub(crate) timings: Vec<(&'static str, f64)>,
}

impl Analysis {
    /// The uncertain factors, as the framework names them.
    pub fn factors(&self) -> &[String] {
        &self.factors
    }

    /// The Sobol groups (the factors unless grouped).
    pub fn groups(&self) -> &[String] {
        &self.groups
    }

    /// Sobol or Monte Carlo.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The design's base samples N.
    pub fn samples(&self) -> usize {
        self.n
    }

    /// The scoring runs made.
    pub fn runs(&self) -> usize {
        self.runs
    }

    /// Per unit and period: nominal, median and 5-95 % rank and score.
    pub fn stats(&self) -> &[OutputStats] {
        &self.stats
    }

    /// Per output and Sobol group: first-order and total indices with their confidence
    /// half-widths (empty for Monte Carlo).
    pub fn sobol(&self) -> &[SobolRow] {
        &self.sobol
    }

    /// Per analysed period: the mean over runs and units of |rank - nominal rank|.
    pub fn mean_abs_shift_by_period(&self) -> &[(Period, f64)] {
        &self.mean_abs_shift_by_period
    }
}

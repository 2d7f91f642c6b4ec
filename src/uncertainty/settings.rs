//! How to run the analysis: the settings of the framework's `[sensitivity]` block
//! (overridden by the command line), and how the quantiles of ranks and scores are
//! found (exact, from every run, or from a sketch of bounded memory). Every other
//! module of `uncertainty` may build on this one; it builds on none of them.

use crate::error::Result;
use crate::framework::sensitivity::{Method, Sensitivity};
use crate::framework::Framework;
use crate::period::Period;

/// How to run the analysis (from `[sensitivity]`, overridden by the command line).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Settings {
    pub samples: usize,
    pub seed: u64,
    pub bootstrap: usize,
    pub confidence: f64,
    pub method: Method,
    pub period: Option<Period>,
    /// Factor values supplied by the user: one row of d values per run, row-major.
    pub samples_from: Option<Vec<f64>>,
    /// Exact quantiles from every run, or a sketch of bounded memory.
    pub quantiles: Quantiles,
}

impl Settings {
    /// The settings of the framework's `[sensitivity]` block (an error naming the
    /// file when it has none).
    pub fn for_framework(fw: &Framework) -> Result<Settings> {
        Ok(Settings::from_framework(fw.sensitivity()?))
    }

    pub(crate) fn from_framework(s: &Sensitivity) -> Settings {
        Settings {
            samples: s.samples,
            seed: s.seed,
            bootstrap: s.bootstrap,
            confidence: s.confidence,
            method: s.method,
            period: s.period,
            samples_from: None,
            quantiles: Quantiles::Auto,
        }
    }
}

/// How the quantiles of ranks and scores are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Quantiles {
    /// Exact where the runs fit in memory, else a sketch.
    Auto,
    /// From every run's rank and score (memory grows with the runs).
    Exact,
    /// From mergeable histograms per output, within a stated bound (`uncertainty/sketch.rs`).
    Sketch,
}

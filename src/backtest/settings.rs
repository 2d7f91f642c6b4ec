//! A backtest's settings: the horizons, the threshold of an event, top k, the
//! bootstrap and the calibration, with their checks.

use super::baselines::{self, Baseline};
use super::count::periods;
use crate::error::{Error, Result};

/// How forecasts become probabilities for the Brier score and the log loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Calibration {
    /// A logistic fit on the earlier origins (`backtest/calibrate.rs`).
    Platt,
    /// The forecast rescaled to [0, 1] on its scale or the origin's range.
    None,
}

/// What to test against.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Settings {
    pub outcome: String,
    /// Steps ahead, each read separately (ascending, distinct).
    pub horizons: Vec<i64>,
    pub threshold: f64,
    pub top_k: usize,
    pub bootstrap: usize,
    pub seed: u64,
    pub baselines: Vec<Baseline>,
    pub calibration: Calibration,
}

/// The fewest bootstrap resamples that give an interval (0 gives none): the 2.5 and
/// 97.5 % quantiles of fewer are the extremes of a handful of draws.
pub(crate) const MIN_BOOTSTRAP: usize = 100;

/// The steps of `--horizon`: `3`, `1..3` (1, 2, 3) or `1,2,4`; each 1 to
/// [`MAX_PERIODS`](super::count::MAX_PERIODS).
pub(crate) fn parse_horizons(text: &str) -> Result<Vec<i64>> {
    let bad = |message: String| Error::argument("horizon", message);
    let number = |s: &str| -> Result<i64> {
        periods(s).map(|k| k as i64).map_err(|m| {
            bad(if m.ends_with("whole number of periods") {
                format!(
                    "expected periods ahead as a number (`1`), a range (`1..3`) or a list (`1,2,4`), found `{}`",
                    s.trim()
                )
            } else {
                format!("{m} ahead, found {}", s.trim())
            })
        })
    };
    let mut steps: Vec<i64> = match text.split_once("..") {
        Some((a, b)) => {
            let (a, b) = (number(a)?, number(b)?);
            if a > b {
                return Err(bad(format!("the range `{text}` runs backwards: write `{b}..{a}`")));
            }
            if b - a >= 1000 {
                return Err(bad(format!("the range `{text}` has more than 1000 steps")));
            }
            (a..=b).collect()
        }
        None => text.split(',').map(number).collect::<Result<_>>()?,
    };
    steps.sort_unstable();
    steps.dedup();
    Ok(steps)
}

/// Problems of the options no metric can be computed with, each under its option's
/// name: a threshold that is not finite, `top_k` 0, 1 to 99 resamples.
pub(crate) fn option_problems(threshold: f64, top_k: usize, bootstrap: usize) -> Vec<Error> {
    let mut problems = Vec::new();
    if !threshold.is_finite() {
        problems.push(Error::argument(
            "threshold",
            format!("expected a finite number (the outcome above it counts as an event), found {threshold}"),
        ));
    }
    if top_k == 0 {
        problems.push(Error::argument(
            "top_k",
            "expected 1 or more units (precision at k of the k highest scores)",
        ));
    }
    if (1..MIN_BOOTSTRAP).contains(&bootstrap) {
        problems.push(Error::argument(
            "bootstrap",
            format!(
                "expected 0 (no intervals) or at least {MIN_BOOTSTRAP} resamples, found {bootstrap}: the 2.5 and 97.5 % quantiles of fewer are the extremes of a few draws"
            ),
        ));
    }
    problems
}

impl Settings {
    /// The command's defaults for `outcome`: one step ahead, an event is an outcome
    /// above 0, top 3, 1,000 bootstrap resamples with seed 42, the baselines
    /// persistence, mean:3, own_rate, base_rate and any:3, and Platt calibration.
    pub fn new(outcome: &str) -> Settings {
        Settings {
            outcome: outcome.to_string(),
            horizons: vec![1],
            threshold: 0.0,
            top_k: 3,
            bootstrap: 1000,
            seed: 42,
            baselines: Baseline::parse_list(baselines::DEFAULT).expect("the default baselines parse"),
            calibration: Calibration::Platt,
        }
    }
    /// Refuses settings no metric can be computed with, or whose resamples cannot fit in
    /// `available` bytes of memory, each under its option's name.
    pub(crate) fn check(&self, n_units: usize, variants: usize, available: Option<u64>) -> Result<()> {
        let mut problems = option_problems(self.threshold, self.top_k, self.bootstrap);
        let needed = self.bootstrap_memory(n_units, variants);
        if let Some(available) = available.filter(|&a| needed > a) {
            problems.push(Error::argument(
                "bootstrap",
                format!(
                    "{} resamples of {n_units} units need about {:.1} GB of memory, and {:.1} GB is available: use fewer (1000 give 95 % intervals)",
                    self.bootstrap,
                    needed as f64 / 1e9,
                    available as f64 / 1e9
                ),
            ));
        }
        Error::from_problems(problems)
    }

    /// Bytes the bootstrap holds: each resample's units (8 bytes a unit), the metrics of
    /// the set being resampled and of a skill's second set (2 x 7 x 8 bytes), and the
    /// pooled metrics kept per forecaster and step for the skill (7 x 8 bytes each).
    pub(super) fn bootstrap_memory(&self, n_units: usize, variants: usize) -> u64 {
        let kept = (variants + self.baselines.len()) as u64 * self.horizons.len().max(1) as u64 * 56;
        (self.bootstrap as u64).saturating_mul(
            8u64.saturating_mul(n_units as u64)
                .saturating_add(112)
                .saturating_add(kept),
        )
    }
}

//! The `[sensitivity]` block: which modelling choices are uncertain, and how to sample
//! them.
//!
//! ```toml
//! [sensitivity]
//! samples = 1024          # N (base sample size); N (d + 2) model runs for Sobol
//! seed = 42
//! bootstrap = 100         # resamples for confidence intervals
//! method = "sobol"        # or "montecarlo" (rank intervals only, N runs)
//! factors = [
//!   { kind = "weight", target = "group:*", range = [0.75, 1.25] },
//!   { kind = "normalise", options = ["minmax", "zscore"] },
//!   { kind = "aggregate", target = "risk", options = ["arithmetic", "geometric"] },
//!   { kind = "exclude", targets = ["claimed_unverified"], mode = "each" },
//!   { kind = "impute", options = ["none", "mean"] },
//!   { kind = "treatment" },
//! ]
//! ```
//!
//! Also: `options = ["minmax(1, 100)", "zscore(10, 2)"]` give a normalisation its range
//! or mean and sd; `{ kind = "treatment", options = ["winmax(1)", ..., "none"] }`
//! samples the winsorisation's `max_points` (COINr's `winmax`); `{ kind = "aggregate",
//! target = "*", options = [...] }` switches every level at once;
//! `{ kind = "weight_sets", file = "sets.csv" }` picks one of pre-drawn weight sets
//! (`set, id, weight` rows; COINr's `get_noisy_weights`).
//!
//! Every factor is sampled as u in [0, 1) and mapped: a weight multiplier is
//! `lo + (hi - lo) u`; a choice among n options is option `floor(n u)`; an exclusion
//! (mode `each`) drops the indicator when `u >= 0.5`; `mode = "one_at_a_time"` is one
//! factor whose options are "keep all" and "drop target i"; treatment is as the
//! framework says when `u < 0.5`, and off (no winsorisation, no transform) otherwise.
//! Factors sharing a `group` name get one Sobol index together (SALib's `groups`).

use super::hierarchy::Child;
use crate::period::Period;
use crate::pipeline::aggregate::Aggregation;
use crate::pipeline::impute::Impute;
use crate::pipeline::normalise::Normalise;
use crate::pipeline::rank::Ties;

/// How runs are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Method {
    /// Saltelli design: N (d + 2) runs, first-order and total Sobol indices.
    Sobol,
    /// N runs: rank and score intervals only.
    MonteCarlo,
}

/// A normalisation that can replace every indicator's own.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NormaliseChoice {
    /// `minmax`, or `minmax(l, u)` onto [l, u].
    MinMax {
        range: Option<(f64, f64)>,
    },
    /// `zscore`, or `zscore(m, s)`.
    ZScore {
        mean_sd: Option<(f64, f64)>,
    },
    Rank,
    Percentile,
    DistanceToMax,
}

impl NormaliseChoice {
    #[cfg(test)]
    pub fn name(&self) -> String {
        match self {
            NormaliseChoice::MinMax { range: None } => "minmax".into(),
            NormaliseChoice::MinMax { range: Some((a, b)) } => format!("minmax({a}, {b})"),
            NormaliseChoice::ZScore { mean_sd: None } => "zscore".into(),
            NormaliseChoice::ZScore { mean_sd: Some((a, b)) } => format!("zscore({a}, {b})"),
            NormaliseChoice::Rank => "rank".into(),
            NormaliseChoice::Percentile => "percentile".into(),
            NormaliseChoice::DistanceToMax => "distance_to_max".into(),
        }
    }

    /// `minmax`, `minmax(l, u)`, `zscore`, `zscore(m, s)`, `rank`, `percentile`,
    /// `distance_to_max`.
    pub fn parse(text: &str) -> Option<NormaliseChoice> {
        let text = text.trim();
        if let Some(&(_, c)) = NORMALISE_CHOICES.iter().find(|(n, _)| *n == text) {
            return Some(c);
        }
        let (name, args) = text.strip_suffix(')')?.split_once('(')?;
        let nums: Vec<f64> = args.split(',').map(|a| a.trim().parse().ok()).collect::<Option<_>>()?;
        let &[a, b] = nums.as_slice() else { return None };
        if !(a.is_finite() && b.is_finite()) {
            return None;
        }
        match name.trim() {
            "minmax" if a < b => Some(NormaliseChoice::MinMax { range: Some((a, b)) }),
            "zscore" if b > 0.0 => Some(NormaliseChoice::ZScore { mean_sd: Some((a, b)) }),
            _ => None,
        }
    }

    /// The method for an indicator whose own normalisation is `own` (keeps its range).
    pub fn for_indicator(&self, own: &Normalise) -> Normalise {
        let (lo, hi) = match *own {
            Normalise::MinMax { lo, hi } | Normalise::Goalposts { lo, hi, .. } => (lo, hi),
            _ => (0.0, 100.0),
        };
        match (self, *own) {
            (NormaliseChoice::MinMax { range: Some((lo, hi)) }, _) => Normalise::MinMax { lo: *lo, hi: *hi },
            (NormaliseChoice::MinMax { range: None }, _) => Normalise::MinMax { lo, hi },
            (
                NormaliseChoice::ZScore {
                    mean_sd: Some((mean, sd)),
                },
                _,
            ) => Normalise::ZScore { mean: *mean, sd: *sd },
            (NormaliseChoice::ZScore { mean_sd: None }, Normalise::ZScore { .. }) => *own,
            (NormaliseChoice::ZScore { mean_sd: None }, _) => Normalise::ZScore { mean: 0.0, sd: 1.0 },
            (NormaliseChoice::Rank, Normalise::Rank { .. }) => *own,
            (NormaliseChoice::Rank, _) => Normalise::Rank { ties: Ties::Average },
            (NormaliseChoice::Percentile, Normalise::Percentile { .. }) => *own,
            (NormaliseChoice::Percentile, _) => Normalise::Percentile {
                ties: Ties::Average,
                lo: 0.0,
                hi: 100.0,
            },
            (NormaliseChoice::DistanceToMax, _) => Normalise::DistanceToMax,
        }
    }
}

pub(crate) const NORMALISE_CHOICES: &[(&str, NormaliseChoice)] = &[
    ("minmax", NormaliseChoice::MinMax { range: None }),
    ("zscore", NormaliseChoice::ZScore { mean_sd: None }),
    ("rank", NormaliseChoice::Rank),
    ("percentile", NormaliseChoice::Percentile),
    ("distance_to_max", NormaliseChoice::DistanceToMax),
];

/// What one factor changes.
#[derive(Debug, Clone, PartialEq)]
pub enum FactorKind {
    /// Multiplies a group's or indicator's weight by `lo + (hi - lo) u`.
    Weight { child: Child, lo: f64, hi: f64 },
    /// Replaces every indicator's normalisation.
    Normalise { options: Vec<NormaliseChoice> },
    /// Replaces a group's aggregation.
    Aggregate { group: usize, options: Vec<Aggregation> },
    /// Replaces every group's aggregation (`target = "*"`).
    AggregateAll { options: Vec<Aggregation> },
    /// One of pre-drawn weight sets: per set, (child, weight) replacing those weights.
    WeightSets { file: String, sets: Vec<Vec<(Child, f64)>> },
    /// Drops the indicator when u >= 0.5.
    Exclude { indicator: usize },
    /// Drops none (`None`) or one of the indicators.
    ExcludeOne { options: Vec<Option<usize>> },
    /// Replaces every indicator's imputation.
    Impute { options: Vec<Impute> },
    /// A choice of treatment: as framed, off, or the framework's with another winmax.
    Treatment { options: Vec<TreatmentChoice> },
}

/// One option of a treatment factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreatmentChoice {
    /// As the framework says.
    Framed,
    /// No winsorisation and no transform.
    Off,
    /// The framework's skew/kurtosis winsorisation with `max_points = k`.
    Winmax(usize),
}

impl TreatmentChoice {
    /// `framed`, `none` or `winmax(k)` (k >= 1).
    pub fn parse(text: &str) -> Option<TreatmentChoice> {
        match text.trim() {
            "framed" => Some(TreatmentChoice::Framed),
            "none" => Some(TreatmentChoice::Off),
            t => {
                let k: usize = t.strip_prefix("winmax(")?.strip_suffix(')')?.trim().parse().ok()?;
                (k >= 1).then_some(TreatmentChoice::Winmax(k))
            }
        }
    }
}

/// One sampled factor.
#[derive(Debug, Clone, PartialEq)]
pub struct Factor {
    /// Name in outputs: `weight:<id>`, `normalise`, `aggregate:<group>`,
    /// `exclude:<indicator>`, `exclude`, `impute`, `treatment`.
    pub name: String,
    pub kind: FactorKind,
    /// Sobol group (the factor's own name unless `group` is set).
    pub group: String,
}

impl Factor {
    /// The option chosen by u for a discrete factor, `floor(n u)` clamped to n - 1.
    pub fn option_index(u: f64, n: usize) -> usize {
        ((u * n as f64).floor() as usize).min(n.saturating_sub(1))
    }
}

/// Validated `[sensitivity]` settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Sensitivity {
    pub samples: usize,
    pub seed: u64,
    pub bootstrap: usize,
    pub confidence: f64,
    pub method: Method,
    pub period: Option<Period>,
    pub factors: Vec<Factor>,
}

impl Sensitivity {
    /// Sobol groups in first-seen order, each with its factors' positions.
    pub fn groups(&self) -> Vec<(String, Vec<usize>)> {
        let mut out: Vec<(String, Vec<usize>)> = Vec::new();
        for (i, f) in self.factors.iter().enumerate() {
            match out.iter_mut().find(|(g, _)| *g == f.group) {
                Some((_, members)) => members.push(i),
                None => out.push((f.group.clone(), vec![i])),
            }
        }
        out
    }
}

/// Largest N the Sobol sequence supports (sobol_burley: 2^16 points).
pub const MAX_SAMPLES: usize = 1 << 16;

/// Checks a base sample size N; the message says what is allowed.
pub fn check_samples(samples: usize) -> Result<usize, String> {
    if (2..=MAX_SAMPLES).contains(&samples) {
        Ok(samples)
    } else {
        Err(format!(
            "expected 2 to {MAX_SAMPLES} (a power of 2 is best), found {samples}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_index_splits_the_unit_interval_evenly() {
        // floor(3 u): [0, 1/3) -> 0, [1/3, 2/3) -> 1, [2/3, 1) -> 2; u = 1 stays in the last.
        assert_eq!(Factor::option_index(0.0, 3), 0);
        assert_eq!(Factor::option_index(0.333, 3), 0);
        assert_eq!(Factor::option_index(0.334, 3), 1);
        assert_eq!(Factor::option_index(0.999, 3), 2);
        assert_eq!(Factor::option_index(1.0, 3), 2);
        assert_eq!(Factor::option_index(0.7, 1), 0);
        assert_eq!(Factor::option_index(0.7, 0), 0);
    }

    #[test]
    fn sample_sizes_from_2_to_the_maximum() {
        assert_eq!(check_samples(2), Ok(2));
        assert_eq!(check_samples(MAX_SAMPLES), Ok(MAX_SAMPLES));
        assert_eq!(
            check_samples(1),
            Err("expected 2 to 65536 (a power of 2 is best), found 1".to_string())
        );
        assert!(check_samples(MAX_SAMPLES + 1).is_err());
    }

    #[test]
    fn a_normalisation_choice_keeps_the_indicators_range() {
        let own = Normalise::Goalposts {
            min: 0.0,
            max: 5.0,
            lo: 1.0,
            hi: 100.0,
        };
        assert_eq!(
            NormaliseChoice::MinMax { range: None }.for_indicator(&own),
            Normalise::MinMax { lo: 1.0, hi: 100.0 }
        );
        assert_eq!(
            NormaliseChoice::MinMax { range: None }.for_indicator(&Normalise::ZScore { mean: 0.0, sd: 1.0 }),
            Normalise::MinMax { lo: 0.0, hi: 100.0 }
        );
        assert_eq!(
            NormaliseChoice::Rank.for_indicator(&own),
            Normalise::Rank { ties: Ties::Average }
        );
        for (name, choice) in NORMALISE_CHOICES {
            assert_eq!(choice.name(), *name);
        }
    }

    #[test]
    fn factors_sharing_a_group_get_one_sobol_index() {
        let factor = |name: &str, group: &str| Factor {
            name: name.into(),
            kind: FactorKind::Treatment {
                options: vec![TreatmentChoice::Framed, TreatmentChoice::Off],
            },
            group: group.into(),
        };
        let s = Sensitivity {
            samples: 64,
            seed: 1,
            bootstrap: 0,
            confidence: 0.95,
            method: Method::Sobol,
            period: None,
            factors: vec![
                factor("weight:a", "weights"),
                factor("impute", "impute"),
                factor("weight:b", "weights"),
            ],
        };
        assert_eq!(
            s.groups(),
            vec![("weights".to_string(), vec![0, 2]), ("impute".to_string(), vec![1])]
        );
    }
}

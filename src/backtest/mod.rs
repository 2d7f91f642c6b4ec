//! Backtesting: do a variant's scores at period t foretell the outcome at t + h, and
//! better than "same as last year"?
//!
//! For every scored period t (the origin) whose outcome period t + h is in the data,
//! each variant is scored on the panel cut at t (no period after t exists for it:
//! normalisation bounds, imputation, winsorisation, lags and `normalise_over =
//! "panel"` see data up to t only), and its period-t scores are set against the
//! outcome at t + h (a data column or a derived column, computed on the whole panel).
//! Every step h of `--horizon` (`1`, `1..3`, `1,2,4`) is read separately, as ViEWS
//! reads its steps. Naive forecasts from the outcome's own history cut at t
//! ([`baselines`]: persistence, a moving mean, the unit's own rate, the base rate, any
//! event lately) are backtested beside the variants in the same way.
//!
//! Metrics per origin and pooled over origins (pairs of every origin together;
//! precision at k is the mean over origins), formulas in [`crate::metrics`]: Spearman's
//! rho and Kendall's tau-b (forecast vs outcome), and for the binary outcome `outcome >
//! threshold`: AUROC, average precision (the area under the precision-recall curve,
//! read beside the AUROC because events are rare), the Brier score and the log loss of
//! probabilities, and precision at k.
//!
//! Probabilities ([`Calibration`]): by default Platt scaling ([`calibrate`]), a
//! logistic fit of the event on the forecast (on Platt's targets, so that it exists
//! for any outcomes) over the earlier origins whose outcome was known at t (origins t'
//! with t' + h <= t, of the same step): the probability a user at t could have issued. The first origins have nothing to fit on and no probability
//! (their Brier score and log loss are empty, with a note). `--calibration none` maps a
//! forecast to `p = (s - lo) / (hi - lo)` on the index `scale` (a baseline's own range
//! for rates and flags), else the origin's lowest and highest forecast, clamped to
//! [0, 1]: a rescaled index, not a probability.
//!
//! Skill: for each variant and baseline, the difference of every metric (variant minus
//! baseline) over the pairs both forecast, pooled per step, with the bootstrap interval
//! of the difference; a variant beats a baseline on a metric when the whole interval is
//! on the better side of 0 ([`Verdict`]).
//!
//! Confidence intervals: percentile bootstrap over units (Efron & Tibshirani 1993):
//! `B` resamples of the units with replacement (the same resamples for every variant
//! and baseline, so differences are paired; pooled rows resample units with all their
//! origins), 2.5 and 97.5 % quantiles. The calibration is not refitted per resample: the
//! intervals are those of the evaluation over units. Undefined metrics (fewer than 2
//! units, no positive or no negative outcome) are empty, with a note.
//!
//! ## References
//! Hegre et al. (2019) ViEWS: a political violence early-warning system, J. Peace
//! Research 56(2), for the strict time split and the steps. Hegre et al. (2022)
//! Forecasting fatalities, International Interactions 48(4), for the benchmarks.
//! Saito & Rehmsmeier (2015) The precision-recall plot is more informative than the ROC
//! plot when evaluating binary classifiers on imbalanced datasets, PLoS ONE 10(3).
//! Platt (1999), in Advances in Large Margin Classifiers. Efron & Tibshirani (1993) An
//! Introduction to the Bootstrap, ch. 13.

pub mod baselines;
pub mod calibrate;
mod resample;

pub use baselines::Baseline;

use crate::data::Panel;
use crate::error::{Error, Result};
use crate::framework::Framework;
use crate::metrics::{self, Bin};
use crate::period::Period;
use crate::score::{derived_columns, score_keeping, Keep};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rayon::prelude::*;
use resample::{interval, point, Sorted, Values};
use std::collections::HashMap;

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
pub const VERDICT_METRIC: usize = 3;

/// How forecasts become probabilities for the Brier score and the log loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Calibration {
    /// A logistic fit on the earlier origins ([`calibrate`]).
    Platt,
    /// The forecast rescaled to [0, 1] on its scale or the origin's range.
    None,
}

/// What to test against.
#[derive(Debug, Clone)]
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

/// The largest step ahead and the largest window of a baseline, in periods: far beyond
/// any panel, and small enough that no period arithmetic overflows.
pub const MAX_PERIODS: u64 = 100_000;

/// The fewest bootstrap resamples that give an interval (0 gives none): the 2.5 and
/// 97.5 % quantiles of fewer are the extremes of a handful of draws.
pub const MIN_BOOTSTRAP: usize = 100;

/// A count of periods written by a user (`3` in `--horizon 3` or `mean:3`): 1 to
/// [`MAX_PERIODS`], or what was expected ("expected 1 or more periods").
pub fn periods(text: &str) -> std::result::Result<u64, String> {
    let t = text.trim();
    match t.parse::<u64>() {
        Ok(k) if (1..=MAX_PERIODS).contains(&k) => Ok(k),
        Ok(0) => Err("expected 1 or more periods".into()),
        Ok(_) => Err(format!("expected at most {MAX_PERIODS} periods")),
        Err(_) if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) => {
            Err(format!("expected at most {MAX_PERIODS} periods"))
        }
        Err(_) => Err("expected a whole number of periods".into()),
    }
}

/// The steps of `--horizon`: `3`, `1..3` (1, 2, 3) or `1,2,4`; each 1 to
/// [`MAX_PERIODS`].
pub fn parse_horizons(text: &str) -> Result<Vec<i64>> {
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
pub fn option_problems(threshold: f64, top_k: usize, bootstrap: usize) -> Vec<Error> {
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
    /// Refuses settings no metric can be computed with, or whose resamples cannot fit in
    /// `available` bytes of memory, each under its option's name.
    pub fn check(&self, n_units: usize, variants: usize, available: Option<u64>) -> Result<()> {
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
    fn bootstrap_memory(&self, n_units: usize, variants: usize) -> u64 {
        let kept = (variants + self.baselines.len()) as u64 * self.horizons.len().max(1) as u64 * 56;
        (self.bootstrap as u64).saturating_mul(
            8u64.saturating_mul(n_units as u64)
                .saturating_add(112)
                .saturating_add(kept),
        )
    }
}

/// A metric with its bootstrap interval.
#[derive(Debug, Clone, Copy)]
pub struct Estimate {
    pub value: f64,
    pub lo: f64,
    pub hi: f64,
}

/// A variant of the framework, or a naive baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
const NOISE: f64 = 1e-12;

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
pub struct Reliability {
    pub step: i64,
    pub forecaster: String,
    pub kind: Kind,
    pub bins: Vec<Bin>,
}

/// One forecast of the long table: a unit at an origin and step, by one forecaster.
#[derive(Debug, Clone)]
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
pub struct Backtest {
    pub units: Vec<String>,
    /// Names and kinds, variants first; [`Forecast::forecaster`] indexes this.
    pub forecasters: Vec<(String, Kind)>,
    pub steps: Vec<i64>,
    pub rows: Vec<Row>,
    pub skill: Vec<Skill>,
    /// Per step and variant, the verdict line ([`verdict`]); empty without baselines.
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

/// A forecaster's pairs at one origin and step.
struct Origin {
    period: Period,
    target: Period,
    pairs: Vec<Pair>,
    /// The lowest and highest forecast of the origin (every unit forecast), for
    /// `--calibration none` without a scale.
    range: (f64, f64),
    /// Why there is no probability, where there is none.
    calibration_note: Option<String>,
}

/// A forecaster's origins, per step (in the order of [`Settings::horizons`]).
struct ForecastSet {
    name: String,
    kind: Kind,
    scale: Option<(f64, f64)>,
    steps: Vec<Vec<Origin>>,
}

/// The units of every panel, in one numbering (the first panel's, then any other).
#[derive(Default)]
struct Units {
    names: Vec<String>,
    index: HashMap<String, usize>,
}

impl Units {
    fn of(&mut self, panel: &Panel) -> Vec<usize> {
        panel
            .units
            .iter()
            .map(|u| {
                let next = self.names.len();
                *self.index.entry(u.clone()).or_insert_with(|| {
                    self.names.push(u.clone());
                    next
                })
            })
            .collect()
    }
}

/// The lowest and highest finite value.
fn min_max(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)))
}

/// Per step, the index in `periods` of period t + step, if the data has it.
fn target_periods(periods: &[Period], t: usize, horizons: &[i64]) -> Vec<Option<usize>> {
    horizons
        .iter()
        .map(|&h| {
            let target = periods[t].shifted(-h);
            periods.iter().position(|&p| p == target)
        })
        .collect()
}

/// The outcome column of a framework on a panel (a data or a derived column).
fn outcome_of(fw: &Framework, panel: &Panel, outcome: &str) -> Result<Vec<f64>> {
    derived_columns(fw, panel)?.remove(outcome).ok_or_else(|| {
        Error::argument(
            "outcome",
            format!("no column or derived column `{outcome}` in the data or the framework"),
        )
    })
}

/// A variant's forecasts: scores at every origin t on the panel cut at t, paired with
/// the outcome at t + step; and the outcome on the whole panel.
fn variant_forecasts(
    name: &str,
    fw: &Framework,
    panel: &Panel,
    settings: &Settings,
    units: &mut Units,
) -> Result<(ForecastSet, Vec<f64>)> {
    let outcome = outcome_of(fw, panel, &settings.outcome)?;
    // Only the scores are read.
    let full = score_keeping(fw, panel, Keep::Scores)?;
    let n_units = panel.n_units();
    let global = units.of(panel);
    let mut scored_periods: Vec<usize> = full.scored_cells().map(|c| c / n_units).collect();
    scored_periods.dedup();
    let mut steps: Vec<Vec<Origin>> = settings.horizons.iter().map(|_| Vec::new()).collect();
    for &t in &scored_periods {
        let targets = target_periods(&panel.periods, t, &settings.horizons);
        if targets.iter().all(Option::is_none) {
            continue;
        }
        // The panel as it was at t.
        let cut = cut_at(panel, t);
        let mut fw_t = fw.clone();
        fw_t.index.last_period = Some(panel.periods[t]);
        let res = score_keeping(&fw_t, &cut, Keep::Scores)?;
        let scores: Vec<f64> = (0..n_units)
            .map(|u| t * n_units + u)
            .map(|c| if res.scored[c] { res.score(c) } else { f64::NAN })
            .collect();
        for (s, q) in targets.into_iter().enumerate() {
            if let Some(q) = q {
                let o = origin(panel, t, q, &scores, &outcome, &global);
                steps[s].push(o);
            }
        }
    }
    let scale = fw.index.scale.map(|s| (s.lo, s.hi));
    let set = ForecastSet {
        name: name.to_string(),
        kind: Kind::Variant,
        scale,
        steps,
    };
    Ok((set, outcome))
}

/// The pairs of one origin t and target period q: every unit with a forecast and an
/// outcome.
fn origin(panel: &Panel, t: usize, q: usize, forecasts: &[f64], outcome: &[f64], global: &[usize]) -> Origin {
    let n_units = panel.n_units();
    let pairs = (0..n_units)
        .filter_map(|u| {
            let (score, outcome) = (forecasts[u], outcome[q * n_units + u]);
            (!score.is_nan() && !outcome.is_nan()).then_some(Pair {
                unit: global[u],
                score,
                p: f64::NAN,
                outcome,
            })
        })
        .collect();
    Origin {
        period: panel.periods[t],
        target: panel.periods[q],
        pairs,
        range: min_max(forecasts.iter().copied()),
        calibration_note: None,
    }
}

/// Every baseline's forecasts at the origins of `like` (the first variant's), from the
/// outcome derived once per origin on the panel cut there.
fn baseline_forecasts(
    fw: &Framework,
    panel: &Panel,
    outcome: &[f64],
    like: &ForecastSet,
    settings: &Settings,
    global: &[usize],
) -> Result<Vec<ForecastSet>> {
    let mut sets: Vec<ForecastSet> = settings
        .baselines
        .iter()
        .map(|b| ForecastSet {
            name: b.name(),
            kind: Kind::Baseline,
            scale: b.scale(),
            steps: settings.horizons.iter().map(|_| Vec::new()).collect(),
        })
        .collect();
    let index = |p: Period| panel.periods.iter().position(|&q| q == p);
    let mut origins: Vec<Period> = like.steps.iter().flatten().map(|o| o.period).collect();
    origins.sort_unstable();
    origins.dedup();
    for period in origins {
        let Some(t) = index(period) else { continue };
        let history = outcome_of(fw, &cut_at(panel, t), &settings.outcome)?;
        for (b, set) in settings.baselines.iter().zip(&mut sets) {
            let forecasts = b.forecasts(&history, &panel.periods[..=t], t, settings.threshold);
            for (s, origins) in like.steps.iter().enumerate() {
                for o in origins.iter().filter(|o| o.period == period) {
                    if let Some(q) = index(o.target) {
                        set.steps[s].push(origin(panel, t, q, &forecasts, outcome, global));
                    }
                }
            }
        }
    }
    Ok(sets)
}

/// Keeps, at every step, the origins and units that every comparable forecaster
/// forecasts (with an outcome), so that all are scored on the same pairs and a skill is
/// the difference of their rows; says, per step, how many pairs each one lost.
fn keep_common(sets: &mut [ForecastSet], comparable: &[bool], settings: &Settings, n_units: usize) -> Vec<String> {
    let members: Vec<usize> = (0..sets.len()).filter(|&i| comparable[i]).collect();
    let mut notes = Vec::new();
    if members.len() < 2 {
        return notes;
    }
    for (s, &step) in settings.horizons.iter().enumerate() {
        let mut origins: Vec<Period> = sets[members[0]].steps[s].iter().map(|o| o.period).collect();
        origins.retain(|&t| members.iter().all(|&i| sets[i].steps[s].iter().any(|o| o.period == t)));
        let mut lost = vec![0usize; sets.len()];
        for &i in &members {
            let before: usize = sets[i].steps[s].iter().map(|o| o.pairs.len()).sum();
            sets[i].steps[s].retain(|o| origins.contains(&o.period));
            lost[i] += before - sets[i].steps[s].iter().map(|o| o.pairs.len()).sum::<usize>();
        }
        let mut kept = 0;
        for k in 0..origins.len() {
            let mut forecasters = vec![0usize; n_units];
            for &i in &members {
                for p in &sets[i].steps[s][k].pairs {
                    forecasters[p.unit] += 1;
                }
            }
            for &i in &members {
                let origin = &mut sets[i].steps[s][k];
                let before = origin.pairs.len();
                origin.pairs.retain(|p| forecasters[p.unit] == members.len());
                lost[i] += before - origin.pairs.len();
            }
            kept += sets[members[0]].steps[s][k].pairs.len();
        }
        let losers: Vec<String> = members
            .iter()
            .filter(|&&i| lost[i] > 0)
            .map(|&i| format!("`{}` {}", sets[i].name, lost[i]))
            .collect();
        if !losers.is_empty() {
            notes.push(format!(
                "t+{step}: every forecast is scored on the {kept} unit-periods all of them forecast; left out of each, where another has no forecast: {}",
                losers.join(", ")
            ));
        }
    }
    notes
}

/// Sets each pair's probability (see [`Calibration`]).
fn calibrate(set: &mut ForecastSet, settings: &Settings) {
    for origins in &mut set.steps {
        for i in 0..origins.len() {
            match settings.calibration {
                Calibration::None => {
                    let (lo, hi) = set.scale.unwrap_or(origins[i].range);
                    for p in &mut origins[i].pairs {
                        p.p = if hi > lo {
                            ((p.score - lo) / (hi - lo)).clamp(0.0, 1.0)
                        } else {
                            0.5
                        };
                    }
                }
                Calibration::Platt => {
                    let now = origins[i].period;
                    let (scores, positive): (Vec<f64>, Vec<bool>) = origins[..i]
                        .iter()
                        .filter(|o| o.target <= now)
                        .flat_map(|o| o.pairs.iter().map(|p| (p.score, p.outcome > settings.threshold)))
                        .unzip();
                    let fit = calibrate::fit(&scores, &positive);
                    if let calibrate::Fit::Undefined(why) = &fit {
                        origins[i].calibration_note = Some(format!("no probability: {why}"));
                    }
                    for p in &mut origins[i].pairs {
                        p.p = fit.probability(p.score);
                    }
                }
            }
        }
    }
}

/// The panel with periods after `t` removed.
fn cut_at(panel: &Panel, t: usize) -> Panel {
    let keep = (t + 1) * panel.n_units();
    Panel {
        units: panel.units.clone(),
        periods: panel.periods[..=t].to_vec(),
        present: panel.present[..keep].to_vec(),
        columns: panel
            .columns
            .iter()
            .map(|(k, v)| (k.clone(), v[..keep].to_vec()))
            .collect(),
        labels: panel
            .labels
            .iter()
            .map(|(k, v)| (k.clone(), v[..keep].to_vec()))
            .collect(),
        sources: panel.sources.clone(),
        neighbours: panel.neighbours.clone(),
    }
}

/// The bootstrap's resamples of the units and what every estimate shares.
struct Bootstrap<'s> {
    settings: &'s Settings,
    resamples: Vec<Vec<usize>>,
    n_units: usize,
}

/// Point values of a set of pairs and the values of each resample.
type Drawn = (Values, Vec<Values>);

impl Bootstrap<'_> {
    fn new(settings: &Settings, n_units: usize) -> Bootstrap<'_> {
        // The same unit resamples for every forecaster (paired comparison).
        let mut rng = StdRng::seed_from_u64(settings.seed);
        let resamples = (0..settings.bootstrap)
            .map(|_| (0..n_units).map(|_| rng.random_range(0..n_units.max(1))).collect())
            .collect();
        Bootstrap {
            settings,
            resamples,
            n_units,
        }
    }

    /// Point values and each resample's values of a set of pairs.
    fn draws(&self, groups: &[&[Pair]]) -> Drawn {
        let values = point(groups, self.settings);
        // Sorted once, read by every resample.
        let sorted = Sorted::new(groups, self.settings);
        // Resamples in parallel; collected in order, so the result is the same on any
        // number of threads.
        let per_draw = self
            .resamples
            .par_iter()
            .map(|draw| {
                let mut counts = vec![0u32; self.n_units];
                for &u in draw {
                    counts[u] += 1;
                }
                sorted.resampled(&counts, self.settings)
            })
            .collect();
        (values, per_draw)
    }
}

/// Point values with the percentile interval of each metric over the resamples.
fn estimates((values, per_draw): &Drawn) -> [Estimate; METRICS] {
    std::array::from_fn(|m| {
        let (lo, hi) = interval(per_draw.iter().map(|d| d[m]).collect());
        Estimate {
            value: values[m],
            lo,
            hi,
        }
    })
}

/// Notes of a row: undefined metrics, and pairs without a probability.
fn row_note(n: usize, positives: usize, with_probability: usize, top_k: usize, why: Option<&str>) -> String {
    let mut notes = Vec::new();
    if n < 2 {
        notes.push("fewer than 2 forecasts with an outcome: Spearman, Kendall and AUROC undefined".to_string());
    } else if positives == 0 {
        notes.push("no outcome above the threshold: AUROC and average precision undefined".to_string());
    } else if positives == n {
        notes.push("every outcome above the threshold: AUROC undefined".to_string());
    }
    if n < top_k {
        notes.push(format!("fewer than {top_k} forecasts: precision at {top_k} undefined"));
    }
    match why {
        Some(why) => notes.push(why.to_string()),
        None if with_probability == 0 && n > 0 => {
            notes.push("no forecast has a probability: Brier score and log loss undefined".to_string())
        }
        None if with_probability < n => notes.push(format!(
            "Brier score and log loss over the {with_probability} of {n} forecasts with a probability (origins with an earlier outcome to calibrate on)"
        )),
        None => {}
    }
    notes.join("; ")
}

/// Runs the backtest of every variant and baseline.
pub fn run(variants: &[(String, Framework, Panel)], settings: &Settings) -> Result<Backtest> {
    let Some((first, fw0, panel0)) = variants.first() else {
        return Err(Error::argument("variants", "no variant to backtest"));
    };
    if settings.horizons.is_empty() {
        return Err(Error::argument("horizon", "expected 1 or more steps ahead"));
    }
    settings.check(panel0.n_units(), variants.len(), crate::stats::available_memory())?;
    if let Some((name, _, _)) = variants
        .iter()
        .find(|(name, _, _)| settings.baselines.iter().any(|b| b.name() == *name))
    {
        return Err(Error::argument(
            "baselines",
            format!("`{name}` names a variant and a baseline: rename the variant, or leave the baseline out"),
        ));
    }
    let mut units = Units::default();
    let global0 = units.of(panel0);
    let mut notes = Vec::new();
    let mut sets = Vec::new();
    // Variants whose outcome is the baselines' (the first variant's).
    let mut comparable = Vec::new();
    let mut outcome0: Vec<f64> = Vec::new();
    for (i, (name, fw, panel)) in variants.iter().enumerate() {
        let (set, outcome) = variant_forecasts(name, fw, panel, settings, &mut units)?;
        let same = i == 0
            || (panel.units == panel0.units
                && outcome.len() == outcome0.len()
                && outcome.iter().zip(&outcome0).all(|(a, b)| a.to_bits() == b.to_bits()));
        if i == 0 {
            outcome0 = outcome;
        } else if !same && !settings.baselines.is_empty() {
            notes.push(format!(
                "variant `{name}` has other units or derives `{}` otherwise than `{first}`, whose outcome the baselines forecast: it is not set against them",
                settings.outcome
            ));
        }
        comparable.push(same);
        sets.push(set);
    }
    // A step no origin reaches.
    let last = panel0.periods[panel0.periods.len() - 1];
    for (s, &h) in settings.horizons.iter().enumerate() {
        if sets[0].steps[s].is_empty() {
            return Err(Error::argument(
                "horizon",
                format!(
                    "a horizon of {h} period(s) goes beyond the data: no scored period has its outcome period in the data (the last period is {last})"
                ),
            ));
        }
    }
    sets.extend(baseline_forecasts(
        fw0, panel0, &outcome0, &sets[0], settings, &global0,
    )?);
    comparable.resize(sets.len(), true);
    notes.extend(keep_common(&mut sets, &comparable, settings, units.names.len()));
    for set in &mut sets {
        calibrate(set, settings);
    }
    let boot = Bootstrap::new(settings, units.names.len());
    let (rows, pooled) = metric_rows(&sets, &boot);
    let skill = skills(&sets, &comparable, &pooled, &boot);
    let mut verdicts = Vec::new();
    if !settings.baselines.is_empty() {
        for &step in &settings.horizons {
            for (set, _) in sets
                .iter()
                .zip(&comparable)
                .filter(|(s, &c)| c && s.kind == Kind::Variant)
            {
                verdicts.push((step, set.name.clone(), verdict(&skill, &set.name, step)));
            }
        }
    }
    Ok(Backtest {
        reliability: reliability_tables(&sets, settings),
        forecasts: long_table(&sets, settings),
        forecasters: sets.iter().map(|f| (f.name.clone(), f.kind)).collect(),
        units: units.names,
        steps: settings.horizons.clone(),
        rows,
        skill,
        verdicts,
        notes,
    })
}

/// The rows of `backtest.csv` (per forecaster, step and origin, and pooled), and per
/// forecaster and step the pooled resamples, for the skill.
fn metric_rows(sets: &[ForecastSet], boot: &Bootstrap) -> (Vec<Row>, Vec<Vec<Drawn>>) {
    let settings = boot.settings;
    let mut rows = Vec::new();
    let mut pooled = Vec::new();
    for set in sets {
        let mut per_step = Vec::new();
        for (s, origins) in set.steps.iter().enumerate() {
            let mut row = |period: Option<(Period, Period)>, groups: &[&[Pair]], why: Option<&str>| {
                let drawn = boot.draws(groups);
                let all = || groups.iter().flat_map(|g| g.iter());
                let n = all().count();
                let positives = all().filter(|p| p.outcome > settings.threshold).count();
                let with_probability = all().filter(|p| p.p.is_finite()).count();
                let top_k = if period.is_some() { settings.top_k } else { 0 };
                rows.push(Row {
                    forecaster: set.name.clone(),
                    kind: set.kind,
                    step: settings.horizons[s],
                    period: period.map(|p| p.0),
                    outcome_period: period.map(|p| p.1),
                    n,
                    positives,
                    with_probability,
                    metrics: estimates(&drawn),
                    note: row_note(n, positives, with_probability, top_k, why),
                });
                drawn
            };
            for o in origins {
                row(
                    Some((o.period, o.target)),
                    &[o.pairs.as_slice()],
                    o.calibration_note.as_deref(),
                );
            }
            let groups: Vec<&[Pair]> = origins.iter().map(|o| o.pairs.as_slice()).collect();
            per_step.push(row(None, &groups, None));
        }
        pooled.push(per_step);
    }
    (rows, pooled)
}

/// Per forecaster and step, the reliability table of the pooled probabilities.
fn reliability_tables(sets: &[ForecastSet], settings: &Settings) -> Vec<Reliability> {
    let mut out = Vec::new();
    for set in sets {
        for (s, origins) in set.steps.iter().enumerate() {
            let (p, positive): (Vec<f64>, Vec<bool>) = origins
                .iter()
                .flat_map(|o| o.pairs.iter().map(|p| (p.p, p.outcome > settings.threshold)))
                .unzip();
            out.push(Reliability {
                step: settings.horizons[s],
                forecaster: set.name.clone(),
                kind: set.kind,
                bins: metrics::reliability(&p, &positive, 10),
            });
        }
    }
    out
}

/// Every forecast with its probability and outcome.
fn long_table(sets: &[ForecastSet], settings: &Settings) -> Vec<Forecast> {
    let mut out = Vec::new();
    for (i, set) in sets.iter().enumerate() {
        for (s, origins) in set.steps.iter().enumerate() {
            for o in origins {
                out.extend(o.pairs.iter().map(|p| Forecast {
                    unit: p.unit,
                    origin: o.period,
                    step: settings.horizons[s],
                    target: o.target,
                    forecaster: i,
                    score: p.score,
                    p: p.p,
                    outcome: p.outcome,
                }));
            }
        }
    }
    out
}

/// Every comparable variant against every baseline at every step, over the pairs both
/// forecast (matched by origin and unit; a probability only where both have one).
/// Where those are all of both sets' pairs, the pooled resamples already drawn are
/// read again.
fn skills(sets: &[ForecastSet], comparable: &[bool], pooled: &[Vec<Drawn>], boot: &Bootstrap) -> Vec<Skill> {
    let mut out = Vec::new();
    let of_kind = |kind: Kind| (0..sets.len()).filter(move |&i| sets[i].kind == kind && comparable[i]);
    for (s, &step) in boot.settings.horizons.iter().enumerate() {
        for v in of_kind(Kind::Variant) {
            for b in of_kind(Kind::Baseline) {
                let (paired_v, paired_b) = paired(&sets[v].steps[s], &sets[b].steps[s]);
                let n: usize = paired_v.iter().map(Vec::len).sum();
                // The pooled draws where the paired pairs are all of the set's, as they were.
                let drawn = |i: usize, paired: &[Vec<Pair>]| {
                    let set = &sets[i].steps[s];
                    let unchanged = set.iter().map(|o| o.pairs.len()).sum::<usize>() == n
                        && set
                            .iter()
                            .flat_map(|o| &o.pairs)
                            .zip(paired.iter().flatten())
                            .all(|(a, b)| a.p.to_bits() == b.p.to_bits());
                    if unchanged {
                        pooled[i][s].clone()
                    } else {
                        let groups: Vec<&[Pair]> = paired.iter().map(Vec::as_slice).collect();
                        boot.draws(&groups)
                    }
                };
                let (values_v, draws_v) = drawn(v, &paired_v);
                let (values_b, draws_b) = drawn(b, &paired_b);
                let difference = |a: &Values, b: &Values| -> Values { std::array::from_fn(|m| a[m] - b[m]) };
                let draws = draws_v.iter().zip(&draws_b).map(|(a, b)| difference(a, b)).collect();
                out.push(Skill {
                    step,
                    variant: sets[v].name.clone(),
                    baseline: sets[b].name.clone(),
                    n,
                    difference: estimates(&(difference(&values_v, &values_b), draws)),
                });
            }
        }
    }
    out
}

/// The pairs of `a` and `b` at the origins and units both have, in `a`'s order; a
/// probability kept only where both have one.
fn paired(a: &[Origin], b: &[Origin]) -> (Vec<Vec<Pair>>, Vec<Vec<Pair>>) {
    let (mut out_a, mut out_b) = (Vec::new(), Vec::new());
    for origin_a in a {
        let Some(origin_b) = b.iter().find(|o| o.period == origin_a.period) else {
            continue;
        };
        let of_b: HashMap<usize, &Pair> = origin_b.pairs.iter().map(|p| (p.unit, p)).collect();
        let (mut group_a, mut group_b) = (Vec::new(), Vec::new());
        for pa in &origin_a.pairs {
            if let Some(&&pb) = of_b.get(&pa.unit) {
                let both = pa.p.is_finite() && pb.p.is_finite();
                let keep = |mut p: Pair| {
                    if !both {
                        p.p = f64::NAN;
                    }
                    p
                };
                group_a.push(keep(*pa));
                group_b.push(keep(pb));
            }
        }
        out_a.push(group_a);
        out_b.push(group_b);
    }
    (out_a, out_b)
}

/// Forecasters at one step ordered by pooled skill at spotting events: average
/// precision, then AUROC, then the Brier score (lower is better); NaN last.
pub fn ranking(rows: &[Row], step: i64) -> Vec<&Row> {
    let mut pooled: Vec<&Row> = rows.iter().filter(|r| r.period.is_none() && r.step == step).collect();
    let key = |v: f64| if v.is_nan() { f64::NEG_INFINITY } else { v };
    pooled.sort_by(|a, b| {
        key(b.metrics[3].value)
            .total_cmp(&key(a.metrics[3].value))
            .then(key(b.metrics[2].value).total_cmp(&key(a.metrics[2].value)))
            .then(key(-b.metrics[4].value).total_cmp(&key(-a.metrics[4].value)))
    });
    pooled
}

/// A signed difference with its interval: `+0.120 [0.030, 0.200]`; `undefined` for NaN.
pub fn signed(e: Estimate) -> String {
    if e.value.is_nan() {
        "undefined".into()
    } else if e.lo.is_nan() {
        format!("{:+.3}", e.value)
    } else {
        format!("{:+.3} [{:.3}, {:.3}]", e.value, e.lo, e.hi)
    }
}

/// One line on a variant at one step against every baseline, on average precision:
/// "beats all 5 baselines on average precision; the closest, mean:3: +0.120 [0.030,
/// 0.200]", or "no better than persistence on average precision: -0.020 [-0.100,
/// 0.050] (beats 3 of 5: base_rate, own_rate, any:3)". Without intervals the line says
/// where the point values stand. Empty without baselines.
pub fn verdict(skill: &[Skill], variant: &str, step: i64) -> String {
    let m = VERDICT_METRIC;
    let metric = METRIC_NAMES[m].replace('_', " ");
    let mine: Vec<&Skill> = skill
        .iter()
        .filter(|s| s.variant == variant && s.step == step)
        .collect();
    if mine.is_empty() {
        return String::new();
    }
    let (defined, undefined): (Vec<&Skill>, Vec<&Skill>) =
        mine.iter().partition(|s| s.verdict(m) != Verdict::Undefined);
    if defined.is_empty() {
        return format!("{metric} undefined against every baseline (see the notes)");
    }
    let diff = |s: &Skill| s.difference[m].value;
    let closest = |list: &[&Skill]| -> Skill {
        (*list
            .iter()
            .min_by(|a, b| diff(a).total_cmp(&diff(b)))
            .expect("not empty"))
        .clone()
    };
    let total = defined.len();
    let undefined_note = if undefined.is_empty() {
        String::new()
    } else {
        let names: Vec<&str> = undefined.iter().map(|s| s.baseline.as_str()).collect();
        format!("; undefined against {}", names.join(", "))
    };
    if defined.iter().all(|s| s.verdict(m) == Verdict::NoInterval) {
        // Point values only.
        let behind: Vec<&Skill> = defined.iter().copied().filter(|s| diff(s) <= NOISE).collect();
        let ahead: Vec<&str> = defined
            .iter()
            .filter(|s| diff(s) > NOISE)
            .map(|s| s.baseline.as_str())
            .collect();
        let line = if behind.is_empty() {
            let c = closest(&defined);
            if total == 1 {
                format!("ahead of {} on {metric}: {}", c.baseline, signed(c.difference[m]))
            } else {
                format!(
                    "ahead of all {total} baselines on {metric}; the closest, {}: {}",
                    c.baseline,
                    signed(c.difference[m])
                )
            }
        } else {
            let c = closest(&behind);
            let mut line = format!("not ahead of {} on {metric}: {}", c.baseline, signed(c.difference[m]));
            if total > 1 {
                line.push_str(&format!(" (ahead of {} of {total}{})", ahead.len(), list(&ahead)));
            }
            line
        };
        return format!("{line} (point values: no intervals){undefined_note}");
    }
    let beaten: Vec<&str> = defined
        .iter()
        .filter(|s| s.verdict(m) == Verdict::Beats)
        .map(|s| s.baseline.as_str())
        .collect();
    let not_beaten: Vec<&Skill> = defined
        .iter()
        .copied()
        .filter(|s| s.verdict(m) != Verdict::Beats)
        .collect();
    if not_beaten.is_empty() {
        let c = closest(&defined);
        if total == 1 {
            return format!(
                "beats {} on {metric}: {}{undefined_note}",
                c.baseline,
                signed(c.difference[m])
            );
        }
        return format!(
            "beats all {total} baselines on {metric}; the closest, {}: {}{undefined_note}",
            c.baseline,
            signed(c.difference[m])
        );
    }
    // The baseline furthest ahead of the variant among those it does not beat.
    let strongest = closest(&not_beaten);
    let how = match strongest.verdict(m) {
        Verdict::Worse => "worse than",
        _ => "no better than",
    };
    let mut line = format!(
        "{how} {} on {metric}: {}",
        strongest.baseline,
        signed(strongest.difference[m])
    );
    if total > 1 {
        line.push_str(&format!(" (beats {} of {total}{})", beaten.len(), list(&beaten)));
    }
    line + &undefined_note
}

/// `: a, b` for a non-empty list of names, else nothing.
fn list(names: &[&str]) -> String {
    if names.is_empty() {
        String::new()
    } else {
        format!(": {}", names.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Panel;
    use crate::period::PeriodKind;
    use crate::score::score;
    use std::collections::BTreeMap;

    const EMPTY: Estimate = Estimate {
        value: f64::NAN,
        lo: f64::NAN,
        hi: f64::NAN,
    };

    fn settings(outcome: &str, threshold: f64, top_k: usize, bootstrap: usize) -> Settings {
        Settings {
            outcome: outcome.into(),
            horizons: vec![1],
            threshold,
            top_k,
            bootstrap,
            seed: 1,
            baselines: Vec::new(),
            calibration: Calibration::None,
        }
    }

    #[test]
    fn settings_no_metric_can_use_are_refused_by_name() {
        let s = Settings {
            threshold: f64::NAN,
            top_k: 0,
            bootstrap: usize::MAX,
            ..settings("y", 0.0, 1, 0)
        };
        let err = s.check(9, 1, Some(24_000_000_000)).unwrap_err();
        let messages: Vec<String> = err.problems().iter().map(|p| p.to_string()).collect();
        assert_eq!(
            messages,
            [
                "threshold: expected a finite number (the outcome above it counts as an event), found NaN",
                "top_k: expected 1 or more units (precision at k of the k highest scores)",
                "bootstrap: 18446744073709551615 resamples of 9 units need about 18446744073.7 GB of memory, and 24.0 GB is available: use fewer (1000 give 95 % intervals)",
            ]
        );
        // 1000 resamples of 9 units, one variant, 5 baselines, 2 steps: 1000 x (8 x 9
        // + 112 + 6 x 2 x 56) = 856,000 bytes.
        let fine = Settings {
            threshold: 0.0,
            top_k: 3,
            bootstrap: 1000,
            horizons: vec![1, 2],
            baselines: Baseline::parse_list(baselines::DEFAULT).unwrap(),
            ..s
        };
        assert_eq!(fine.bootstrap_memory(9, 1), 856_000);
        assert!(fine.check(9, 1, Some(856_000)).is_ok() && fine.check(9, 1, Some(855_999)).is_err());
    }

    #[test]
    fn bootstraps_of_a_few_resamples_are_refused() {
        let s = Settings {
            bootstrap: 99,
            ..settings("y", 0.0, 1, 0)
        };
        assert_eq!(
            s.check(9, 1, None).unwrap_err().to_string(),
            "bootstrap: expected 0 (no intervals) or at least 100 resamples, found 99: the 2.5 and 97.5 % quantiles of fewer are the extremes of a few draws"
        );
        assert!(Settings {
            bootstrap: 100,
            ..s.clone()
        }
        .check(9, 1, None)
        .is_ok());
        assert!(Settings { bootstrap: 0, ..s }.check(9, 1, None).is_ok());
    }

    #[test]
    fn horizons_are_read_as_a_number_a_range_or_a_list() {
        assert_eq!(parse_horizons("1").unwrap(), [1]);
        assert_eq!(parse_horizons("1..3").unwrap(), [1, 2, 3]);
        assert_eq!(parse_horizons("4, 1,2,2").unwrap(), [1, 2, 4]);
        let said = |t: &str| parse_horizons(t).unwrap_err().to_string();
        assert_eq!(said("0"), "horizon: expected 1 or more periods ahead, found 0");
        assert_eq!(
            said("100001"),
            "horizon: expected at most 100000 periods ahead, found 100001"
        );
        assert_eq!(
            said("99999999999999999999"),
            "horizon: expected at most 100000 periods ahead, found 99999999999999999999"
        );
        assert_eq!(
            said("-1"),
            "horizon: expected periods ahead as a number (`1`), a range (`1..3`) or a list (`1,2,4`), found `-1`"
        );
        assert_eq!(said("3..1"), "horizon: the range `3..1` runs backwards: write `1..3`");
        assert_eq!(
            said("1;2"),
            "horizon: expected periods ahead as a number (`1`), a range (`1..3`) or a list (`1,2,4`), found `1;2`"
        );
        assert_eq!(
            said("1,,2"),
            "horizon: expected periods ahead as a number (`1`), a range (`1..3`) or a list (`1,2,4`), found ``"
        );
    }

    /// 4 units over 3 years; x rises with the unit index, y (the outcome) follows x a
    /// year later, except in 2021 where unit 0 jumps.
    fn panel() -> Panel {
        panel_of(
            PeriodKind::Year,
            &[2019, 2020, 2021],
            &[1.0, 2.0, 3.0, 4.0, 1.0, 2.0, 3.0, 4.0, 1.0, 2.0, 3.0, 4.0],
            &[0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 2.0, 3.0, 5.0, 1.0, 2.0, 3.0],
        )
    }

    fn panel_of(kind: PeriodKind, ordinals: &[i64], x: &[f64], y: &[f64]) -> Panel {
        let n_units = x.len() / ordinals.len();
        let mut columns = BTreeMap::new();
        columns.insert("x".to_string(), x.to_vec());
        columns.insert("y".to_string(), y.to_vec());
        Panel {
            units: (0..n_units).map(|u| ((b'A' + u as u8) as char).to_string()).collect(),
            periods: ordinals.iter().map(|&ordinal| Period { kind, ordinal }).collect(),
            present: vec![true; x.len()],
            columns,
            labels: BTreeMap::new(),
            sources: Vec::new(),
            neighbours: Vec::new(),
        }
    }

    const FW: &str = "[index]\nid = \"r\"\nunit = \"u\"\nperiod = \"year\"\nscale = [0, 10]\n[[indicator]]\nid = \"x\"\ngroup = \"r\"\n";

    fn fw() -> Framework {
        Framework::from_toml(FW, "fw.toml").unwrap()
    }

    #[test]
    fn scores_at_t_against_outcomes_at_t_plus_one_by_hand() {
        let bt = run(&[("base".into(), fw(), panel())], &settings("y", 1.5, 2, 100)).unwrap();
        let rows = &bt.rows;
        // t = 2019 -> 2020 and 2020 -> 2021; 2021 has no next year.
        assert_eq!(rows.len(), 3);
        let r2019 = &rows[0];
        assert_eq!(r2019.period.unwrap().ordinal, 2019);
        assert_eq!(r2019.outcome_period.unwrap().ordinal, 2020);
        let m = |r: &Row, name: &str| r.metrics[METRIC_NAMES.iter().position(|n| *n == name).unwrap()];
        // Scores 0, 3.33, 6.67, 10 vs outcomes 0, 1, 2, 3: perfectly concordant.
        assert!((m(r2019, "spearman").value - 1.0).abs() < 1e-12);
        assert!((m(r2019, "kendall_tau_b").value - 1.0).abs() < 1e-12);
        // Positives (> 1.5): C and D, the two highest scores: AUROC 1, average precision
        // 1, precision@2 = 1.
        assert_eq!(r2019.positives, 2);
        assert!((m(r2019, "auroc").value - 1.0).abs() < 1e-12);
        assert!((m(r2019, "average_precision").value - 1.0).abs() < 1e-12);
        assert!((m(r2019, "precision_at_k").value - 1.0).abs() < 1e-12);
        // Brier with p = s / 10 (--calibration none): (0)² + (1/3)² + (2/3 - 1)² + 0 =
        // 2/9, / 4; log loss: -(ln 1 + ln(2/3) + ln(2/3) + ln 1) / 4.
        assert!((m(r2019, "brier").value - 2.0 / 36.0).abs() < 1e-12);
        assert!((m(r2019, "log_loss").value + 2.0 * (2.0f64 / 3.0).ln() / 4.0).abs() < 1e-12);
        // 2020 -> 2021: A's outcome 5 breaks the order: y = 5, 1, 2, 3 vs x = 1, 2, 3, 4:
        // tau_b = (3 concordant - 3 discordant) / 6 = 0. Positives A, C, D (x = 1, 3, 4):
        // thresholds 10 (D: P 1, R 1/3), 6.67 (C: P 1, R 2/3), 3.33 (B: P 2/3), 0 (A:
        // P 3/4, R 1): AP = 1/3 + 1/3 + 1/3 x 3/4 = 0.9167.
        assert!(m(&rows[1], "kendall_tau_b").value.abs() < 1e-12);
        assert!((m(&rows[1], "average_precision").value - 11.0 / 12.0).abs() < 1e-12);
        // Pooled row.
        assert!(rows[2].period.is_none());
        assert_eq!(rows[2].n, 8);
        assert!(m(&rows[2], "spearman").lo <= m(&rows[2], "spearman").value + 1e-9);
        assert!(bt.skill.is_empty() && bt.notes.is_empty());
        assert_eq!(bt.forecasts.len(), 8);
    }

    #[test]
    fn horizon_beyond_the_data_and_missing_outcome_are_errors() {
        let mut s = settings("y", 0.0, 1, 0);
        s.horizons = vec![1, 5];
        let e = run(&[("base".into(), fw(), panel())], &s).unwrap_err().to_string();
        assert_eq!(e, "horizon: a horizon of 5 period(s) goes beyond the data: no scored period has its outcome period in the data (the last period is 2021)");
        s.horizons = vec![1];
        s.outcome = "z".into();
        let e = run(&[("base".into(), fw(), panel())], &s).unwrap_err().to_string();
        assert!(e.contains("no column or derived column `z`"), "{e}");
    }

    #[test]
    fn no_look_ahead_with_panel_normalisation() {
        // normalise_over = "panel" fits min-max over every scored period: scored on the
        // whole panel, 2019's scores would see 2021's outlier (x = 100 for D). Cut at
        // 2019 they must not.
        let fw = Framework::from_toml(
            &FW.replace("scale = [0, 10]", "scale = [0, 10]\nnormalise_over = \"panel\""),
            "fw.toml",
        )
        .unwrap();
        let mut p = panel();
        p.columns.get_mut("x").unwrap()[11] = 100.0;
        let bt = run(&[("base".into(), fw.clone(), p.clone())], &settings("y", 0.5, 1, 0)).unwrap();
        let at_2019: Vec<f64> = bt
            .forecasts
            .iter()
            .filter(|f| f.origin.ordinal == 2019)
            .map(|f| f.score)
            .collect();
        // On 2019 alone: x = 1, 2, 3, 4 -> 0, 3.33, 6.67, 10.
        assert!(
            (at_2019[3] - 10.0).abs() < 1e-9 && (at_2019[1] - 10.0 / 3.0).abs() < 1e-9,
            "{at_2019:?}"
        );
        // Scored on the whole panel, 2019's D would be far below 10.
        let full = score(&fw, &p).unwrap();
        assert!(full.score(3) < 5.0, "{}", full.score(3));
    }

    #[test]
    fn no_look_ahead_the_cut_panel_ends_at_t() {
        let p = panel();
        let cut = cut_at(&p, 1);
        assert_eq!(cut.periods.len(), 2);
        assert_eq!(cut.columns["x"].len(), 8);
    }

    /// Every baseline's forecast at origin t is the same whatever the outcome after t:
    /// the outcomes of 2020 and 2021 changed, the forecasts made in 2019 stay; and they
    /// are the values of the outcome's history by hand.
    #[test]
    fn baselines_see_no_outcome_after_their_origin() {
        let mut s = settings("y", 0.5, 1, 0);
        s.baselines = Baseline::parse_list(baselines::DEFAULT).unwrap();
        let p = panel_of(
            PeriodKind::Year,
            &[2018, 2019, 2020, 2021],
            &[1.0, 2.0, 3.0, 4.0].repeat(4),
            &[
                0.0, 1.0, 0.0, 2.0, 0.0, 0.0, 3.0, 1.0, 0.0, 1.0, 2.0, 3.0, 5.0, 1.0, 2.0, 3.0,
            ],
        );
        let made_in_2019 = |p: &Panel| -> Vec<(String, f64)> {
            let bt = run(&[("base".into(), fw(), p.clone())], &s).unwrap();
            bt.forecasts
                .iter()
                .filter(|f| f.origin.ordinal == 2019 && bt.forecasters[f.forecaster].1 == Kind::Baseline)
                .map(|f| (bt.forecasters[f.forecaster].0.clone(), f.score))
                .collect()
        };
        let before = made_in_2019(&p);
        let mut later = p.clone();
        for v in &mut later.columns.get_mut("y").unwrap()[8..] {
            *v = 100.0 - *v;
        }
        assert_eq!(made_in_2019(&later), before);
        // By hand at 2019 (y 2018: 0 1 0 2, 2019: 0 0 3 1; events > 0.5):
        let want: Vec<(String, f64)> = [
            ("persistence", [0.0, 0.0, 3.0, 1.0]),
            ("mean:3", [0.0, 0.5, 1.5, 1.5]),
            ("own_rate", [0.0, 0.5, 0.5, 1.0]),
            ("base_rate", [0.5; 4]),
            ("any:3", [0.0, 1.0, 1.0, 1.0]),
        ]
        .iter()
        .flat_map(|(name, v)| v.iter().map(|&x| (name.to_string(), x)))
        .collect();
        assert_eq!(before, want);
    }

    /// With Platt scaling, an origin's probabilities come from the logistic fit on the
    /// earlier origins whose outcome was known then, and the first origin has none.
    #[test]
    fn probabilities_are_fitted_on_earlier_origins_only() {
        let mut s = settings("y", 0.5, 1, 0);
        s.calibration = Calibration::Platt;
        // 5 units over 4 years, x noisy against next year's y: no separation.
        let x = [
            1.0, 2.0, 3.0, 4.0, 5.0, 2.0, 1.0, 4.0, 3.0, 5.0, 1.0, 3.0, 2.0, 5.0, 4.0, 3.0, 1.0, 2.0, 5.0, 4.0,
        ];
        let y = [
            0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0,
        ];
        let p = panel_of(PeriodKind::Year, &[2018, 2019, 2020, 2021], &x, &y);
        let bt = run(&[("base".into(), fw(), p)], &s).unwrap();
        let at = |year: i64| -> Vec<&Forecast> { bt.forecasts.iter().filter(|f| f.origin.ordinal == year).collect() };
        assert!(at(2018).iter().all(|f| f.p.is_nan()));
        assert!(
            bt.rows[0]
                .note
                .contains("no probability: no earlier forecast whose outcome was known"),
            "{}",
            bt.rows[0].note
        );
        // 2020's fit: the pairs of 2018 and 2019 (outcomes of 2019 and 2020).
        let earlier: Vec<&Forecast> = at(2018).into_iter().chain(at(2019)).collect();
        let scores: Vec<f64> = earlier.iter().map(|f| f.score).collect();
        let positive: Vec<bool> = earlier.iter().map(|f| f.outcome > 0.5).collect();
        let fit = calibrate::fit(&scores, &positive);
        assert!(matches!(fit, calibrate::Fit::Logistic { .. }), "{fit:?}");
        for f in at(2020) {
            assert_eq!(f.p.to_bits(), fit.probability(f.score).to_bits());
        }
        let pooled = bt.rows.iter().find(|r| r.period.is_none()).unwrap();
        assert_eq!((pooled.n, pooled.with_probability), (15, 10));
        assert!(
            pooled.note.contains("over the 10 of 15 forecasts with a probability"),
            "{}",
            pooled.note
        );
    }

    /// A variant whose index is the outcome itself (min-max scaled in the origin's
    /// year, the same order) forecasts as persistence does: every rank metric's
    /// difference is 0 and it is "no better than persistence"; against the base rate
    /// its AUROC is ahead by its AUROC - 0.5.
    #[test]
    fn skill_is_the_paired_difference_against_each_baseline() {
        let mut s = settings("y", 0.5, 2, 200);
        s.baselines = vec![Baseline::Persistence, Baseline::BaseRate];
        let y = [0.0, 1.0, 0.0, 2.0, 0.0, 3.0, 3.0, 0.0];
        let p = panel_of(PeriodKind::Year, &[2018, 2019], &y, &y);
        let bt = run(&[("base".into(), fw(), p)], &s).unwrap();
        let vs = |b: &str| bt.skill.iter().find(|k| k.baseline == b).unwrap();
        let persistence = vs("persistence");
        for m in [0, 1, 2, 3, 6] {
            assert_eq!(persistence.difference[m].value, 0.0, "{}", METRIC_NAMES[m]);
            assert_eq!((persistence.difference[m].lo, persistence.difference[m].hi), (0.0, 0.0));
        }
        assert_eq!(persistence.verdict(VERDICT_METRIC), Verdict::NoBetter);
        assert_eq!(persistence.n, 4);
        let base_rate = vs("base_rate");
        let auroc = bt
            .rows
            .iter()
            .find(|r| r.period.is_none() && r.forecaster == "base")
            .unwrap()
            .metrics[2]
            .value;
        assert!((base_rate.difference[2].value - (auroc - 0.5)).abs() < 1e-12);
        let line = verdict(&bt.skill, "base", 1);
        assert!(
            line.starts_with("no better than persistence on average precision: +0.000 [0.000, 0.000] (beats "),
            "{line}"
        );
    }

    /// Every forecaster is scored on the pairs all of them have: a unit with no outcome
    /// at the first origin has no persistence forecast there, so it leaves every row;
    /// the run says so, and a skill is the difference of the two rows, to the bit.
    #[test]
    fn every_forecast_is_scored_on_the_same_pairs() {
        let mut s = settings("y", 0.5, 1, 100);
        s.baselines = vec![Baseline::Persistence, Baseline::BaseRate];
        let y = [f64::NAN, 1.0, 0.0, 2.0, 0.0, 3.0, 3.0, 0.0, 1.0, 0.0, 2.0, 1.0];
        let x = [1.0, 2.0, 3.0, 4.0].repeat(3);
        let p = panel_of(PeriodKind::Year, &[2018, 2019, 2020], &x, &y);
        let bt = run(&[("base".into(), fw(), p)], &s).unwrap();
        assert_eq!(
            bt.notes,
            ["t+1: every forecast is scored on the 7 unit-periods all of them forecast; left out of each, where another has no forecast: `base` 1, `base_rate` 1"]
        );
        let pooled = |name: &str| {
            bt.rows
                .iter()
                .find(|r| r.period.is_none() && r.forecaster == name)
                .unwrap()
        };
        for b in ["persistence", "base_rate"] {
            assert_eq!(pooled(b).n, 7);
            let skill = bt.skill.iter().find(|k| k.baseline == b).unwrap();
            for (m, name) in METRIC_NAMES.iter().enumerate() {
                let want = pooled("base").metrics[m].value - pooled(b).metrics[m].value;
                assert_eq!(skill.difference[m].value.to_bits(), want.to_bits(), "{b} {name}");
            }
        }
    }

    #[test]
    fn verdicts_name_the_strongest_baseline_not_beaten() {
        let skill = |baseline: &str, value: f64, lo: f64, hi: f64| {
            let mut difference = [EMPTY; METRICS];
            difference[VERDICT_METRIC] = Estimate { value, lo, hi };
            Skill {
                step: 1,
                variant: "v".into(),
                baseline: baseline.into(),
                n: 10,
                difference,
            }
        };
        let all = [skill("persistence", 0.12, 0.03, 0.2), skill("mean:3", 0.3, 0.1, 0.5)];
        assert_eq!(
            verdict(&all, "v", 1),
            "beats all 2 baselines on average precision; the closest, persistence: +0.120 [0.030, 0.200]"
        );
        let some = [
            skill("persistence", -0.02, -0.1, 0.05),
            skill("mean:3", 0.3, 0.1, 0.5),
            skill("any:3", 0.01, -0.05, 0.07),
        ];
        assert_eq!(
            verdict(&some, "v", 1),
            "no better than persistence on average precision: -0.020 [-0.100, 0.050] (beats 1 of 3: mean:3)"
        );
        let worse = [skill("persistence", -0.2, -0.3, -0.1)];
        assert_eq!(
            verdict(&worse, "v", 1),
            "worse than persistence on average precision: -0.200 [-0.300, -0.100]"
        );
        let none = [skill("persistence", 0.05, f64::NAN, f64::NAN)];
        assert_eq!(
            verdict(&none, "v", 1),
            "ahead of persistence on average precision: +0.050 (point values: no intervals)"
        );
        let points = [
            skill("persistence", 0.05, f64::NAN, f64::NAN),
            skill("mean:3", -0.01, f64::NAN, f64::NAN),
        ];
        assert_eq!(
            verdict(&points, "v", 1),
            "not ahead of mean:3 on average precision: -0.010 (ahead of 1 of 2: persistence) (point values: no intervals)"
        );
        let one = [skill("persistence", 0.12, 0.03, 0.2)];
        assert_eq!(
            verdict(&one, "v", 1),
            "beats persistence on average precision: +0.120 [0.030, 0.200]"
        );
        // Rounding noise is no skill: 1 - 2e-16 against 1.
        let noise = [
            skill("mean:3", 2e-16, 1e-16, 3e-16),
            skill("any:3", f64::NAN, f64::NAN, f64::NAN),
        ];
        assert_eq!(noise[0].verdict(VERDICT_METRIC), Verdict::NoBetter);
        assert_eq!(
            verdict(&noise, "v", 1),
            "no better than mean:3 on average precision: +0.000 [0.000, 0.000]; undefined against any:3"
        );
        assert_eq!(verdict(&none, "w", 1), "");
        // Lower is better for the Brier score: a negative difference beats.
        let mut brier = skill("persistence", 0.0, 0.0, 0.0);
        brier.difference[4] = Estimate {
            value: -0.05,
            lo: -0.08,
            hi: -0.01,
        };
        assert_eq!(brier.verdict(4), Verdict::Beats);
    }

    /// Monthly panels: the steps are months, and each step is read separately.
    #[test]
    fn monthly_panels_give_each_step_apart() {
        let mut s = settings("y", 0.5, 1, 0);
        s.horizons = vec![1, 2];
        s.baselines = vec![Baseline::Persistence];
        // 2 units over Jan-Apr 2020 (ordinals 12 x 2020 + month - 1).
        let months: Vec<i64> = (0..4).map(|m| 12 * 2020 + m).collect();
        let p = panel_of(
            PeriodKind::Month,
            &months,
            &[1.0, 2.0].repeat(4),
            &[0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0],
        );
        let fw = Framework::from_toml(&FW.replace("\"year\"", "\"month\""), "fw.toml").unwrap();
        let bt = run(&[("base".into(), fw, p)], &s).unwrap();
        let origins = |step: i64| -> Vec<String> {
            bt.rows
                .iter()
                .filter(|r| r.step == step && r.kind == Kind::Variant)
                .map(|r| {
                    r.period
                        .map_or("all".into(), |p| format!("{p}->{}", r.outcome_period.unwrap()))
                })
                .collect()
        };
        assert_eq!(
            origins(1),
            ["2020-01->2020-02", "2020-02->2020-03", "2020-03->2020-04", "all"]
        );
        assert_eq!(origins(2), ["2020-01->2020-03", "2020-02->2020-04", "all"]);
        assert_eq!(bt.skill.len(), 2);
    }
}

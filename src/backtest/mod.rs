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
//! (`baselines.rs`: persistence, a moving mean, the unit's own rate, the base rate, any
//! event lately) are backtested beside the variants in the same way.
//!
//! Metrics per origin and pooled over origins (pairs of every origin together;
//! precision at k is the mean over origins), formulas in `src/metrics.rs`: Spearman's
//! rho and Kendall's tau-b (forecast vs outcome), and for the binary outcome `outcome >
//! threshold`: AUROC, average precision (the area under the precision-recall curve,
//! read beside the AUROC because events are rare), the Brier score and the log loss of
//! probabilities, and precision at k.
//!
//! Probabilities ([`Calibration`]): by default Platt scaling (`calibrate.rs`), a
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

pub(crate) mod baselines;
pub(crate) mod calibrate;
mod count;
mod resample;
mod results;
mod settings;
mod verdict;

pub use results::*;
pub use settings::*;
pub(crate) use verdict::*;

pub use baselines::Baseline;

use crate::data::Panel;
use crate::error::{Error, Result};
use crate::framework::Framework;
use crate::metrics;
use crate::period::Period;
use crate::score::{derived_columns, score_keeping, Keep};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rayon::prelude::*;
use resample::{interval, point, Sorted, Values};
use std::collections::HashMap;

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

/// Runs the backtest of every variant and baseline: each variant's scores at t against
/// the outcome at t + step, with no look-ahead.
///
/// ```
/// use riskscore::{backtest, load, variants, Source};
///
/// let vs = variants::read("indicators/central_asia.toml".as_ref(), "base")?;
/// let source = [Source::File("datasets/central_asia.csv".into())];
/// let runs: Vec<_> = vs
///     .iter()
///     .take(2)
///     .map(|v| Ok((v.name().to_string(), v.framework().clone(), load(v.framework(), &source, &Default::default())?)))
///     .collect::<riskscore::Result<_>>()?;
/// let mut settings = backtest::Settings::new("terror_impact");
/// settings.bootstrap = 0;
/// let bt = backtest::run(&runs, &settings)?;
/// assert!(bt.skill.iter().any(|s| s.variant == "base" && s.baseline == "persistence"));
/// # Ok::<(), riskscore::Error>(())
/// ```
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

#[cfg(test)]
mod tests;

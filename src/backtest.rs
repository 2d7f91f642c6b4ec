//! Backtesting a variant: do its scores at period t foretell the outcome at t + h?
//!
//! For every scored period t whose outcome period t + h is in the data, the variant
//! is scored on the panel cut at t (no period after t exists for it: normalisation
//! bounds, imputation, winsorisation, lags and `normalise_over = "panel"` see data up
//! to t only), and its period-t scores are set against the outcome at t + h (which may
//! be a data column or a derived column, computed on the whole panel).
//!
//! Metrics per period and pooled over periods (pairs of every period together;
//! precision at k is the mean over periods), formulas in [`crate::metrics`]:
//! Spearman's rho and Kendall's tau-b (score vs outcome), and for the binary outcome
//! `outcome > threshold`: AUROC, the Brier score, and precision at k. The Brier score
//! needs probabilities: a score maps to `p = (s - lo) / (hi - lo)` with `[lo, hi]` the
//! index's `scale` when it has one (e.g. 0-10), else the period's lowest and highest
//! score; clamped to [0, 1]. (A calibrated probability needs a fitted model, e.g.
//! logistic; this mapping ranks variants by how far their scale is from the observed
//! frequencies, which is what a reader of the scale would assume.)
//!
//! Confidence intervals: percentile bootstrap over units (Efron & Tibshirani 1993):
//! `B` resamples of the units with replacement (the same resamples for every variant,
//! so differences are paired; pooled rows resample units with all their periods),
//! 2.5 and 97.5 % quantiles. Undefined metrics (fewer than 2 units, no positive or no
//! negative outcome) are empty, with a note.
//!
//! ## References
//! ViEWS (Hegre et al. 2019, J. Peace Research 56(2)) for the strict time split.
//! Efron & Tibshirani (1993) An Introduction to the Bootstrap, ch. 13.

use crate::data::Panel;
use crate::error::{Error, Result};
use crate::framework::Framework;
use crate::metrics;
use crate::period::Period;
use crate::score::{derived_columns, score_keeping, Keep};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rayon::prelude::*;

/// What to test against.
#[derive(Debug, Clone)]
pub struct Settings {
    pub outcome: String,
    pub horizon: i64,
    pub threshold: f64,
    pub top_k: usize,
    pub bootstrap: usize,
    pub seed: u64,
}

impl Settings {
    /// Refuses settings no metric can be computed with, or whose resamples cannot fit in
    /// `available` bytes of memory, each under its option's name.
    pub fn check(&self, n_units: usize, available: Option<u64>) -> Result<()> {
        let mut problems = Vec::new();
        if !self.threshold.is_finite() {
            problems.push(Error::argument(
                "threshold",
                format!(
                    "expected a finite number (the outcome above it counts as an event), found {}",
                    self.threshold
                ),
            ));
        }
        if self.top_k == 0 {
            problems.push(Error::argument(
                "top_k",
                "expected 1 or more units (precision at k of the k highest scores)",
            ));
        }
        let needed = self.bootstrap_memory(n_units);
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

    /// Bytes the bootstrap holds: each resample's units (8 bytes a unit) and, per
    /// variant and period, its five metrics twice (80 bytes).
    fn bootstrap_memory(&self, n_units: usize) -> u64 {
        (self.bootstrap as u64).saturating_mul(8u64.saturating_mul(n_units as u64).saturating_add(80))
    }
}

/// A metric with its bootstrap interval.
#[derive(Debug, Clone, Copy)]
pub struct Estimate {
    pub value: f64,
    pub lo: f64,
    pub hi: f64,
}

/// One row of `backtest.csv`: a variant in one period (or pooled: `period = None`).
#[derive(Debug, Clone)]
pub struct Row {
    pub variant: String,
    pub period: Option<Period>,
    pub outcome_period: Option<Period>,
    pub n: usize,
    pub positives: usize,
    pub spearman: Estimate,
    pub kendall_tau_b: Estimate,
    pub auroc: Estimate,
    pub brier: Estimate,
    pub precision_at_k: Estimate,
    pub note: String,
}

/// Paired (probability-mapped score, raw score, outcome) for one unit in one period.
#[derive(Debug, Clone, Copy)]
struct Pair {
    unit: usize,
    score: f64,
    p: f64,
    outcome: f64,
}

/// Per period t: its pairs.
type Periods = Vec<(Period, Period, Vec<Pair>)>;

/// Scores at every t on the panel cut at t, paired with the outcome at t + h.
fn pairs(fw: &Framework, panel: &Panel, settings: &Settings) -> Result<Periods> {
    let all = derived_columns(fw, panel)?;
    let outcome = all.get(&settings.outcome).ok_or_else(|| Error::Argument {
        name: "outcome".into(),
        message: format!(
            "no column or derived column `{}` in the data or the framework",
            settings.outcome
        ),
    })?;
    // Only the scores are read.
    let full = score_keeping(fw, panel, Keep::Scores)?;
    let n_units = panel.n_units();
    let scored_periods: Vec<usize> = {
        let mut p: Vec<usize> = full.scored_cells().map(|c| c / n_units).collect();
        p.dedup();
        p
    };
    let mut out = Vec::new();
    for &t in &scored_periods {
        let target = panel.periods[t].shifted(-settings.horizon);
        let Some(q) = panel.periods.iter().position(|&p| p == target) else {
            continue;
        };
        // The panel as it was at t.
        let cut = cut_at(panel, t);
        let mut fw_t = fw.clone();
        fw_t.index.last_period = Some(panel.periods[t]);
        let res = score_keeping(&fw_t, &cut, Keep::Scores)?;
        let scale = fw.index.scale;
        let cells: Vec<usize> = (0..n_units)
            .map(|u| t * n_units + u)
            .filter(|&c| res.scored[c])
            .collect();
        let (lo, hi) = match scale {
            Some(s) => (s.lo, s.hi),
            None => cells.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &c| {
                (a.min(res.score(c)), b.max(res.score(c)))
            }),
        };
        let mut ps = Vec::new();
        for c in cells {
            let u = c % n_units;
            let o = outcome[q * n_units + u];
            let s = res.score(c);
            if o.is_nan() || s.is_nan() {
                continue;
            }
            let p = if hi > lo {
                ((s - lo) / (hi - lo)).clamp(0.0, 1.0)
            } else {
                0.5
            };
            ps.push(Pair {
                unit: u,
                score: s,
                p,
                outcome: o,
            });
        }
        out.push((panel.periods[t], target, ps));
    }
    if out.is_empty() {
        let last = panel.periods[panel.periods.len() - 1];
        return Err(Error::Argument {
            name: "horizon".into(),
            message: format!(
                "a horizon of {} period(s) goes beyond the data: no scored period has its outcome period in the data (the last period is {last})",
                settings.horizon
            ),
        });
    }
    Ok(out)
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

/// Point metrics of a set of pairs (precision at k over each period's own top k).
fn point(groups: &[&[Pair]], settings: &Settings) -> [f64; 5] {
    let all: Vec<Pair> = groups.iter().flat_map(|g| g.iter().copied()).collect();
    let s: Vec<f64> = all.iter().map(|p| p.score).collect();
    let o: Vec<f64> = all.iter().map(|p| p.outcome).collect();
    let pr: Vec<f64> = all.iter().map(|p| p.p).collect();
    let pos: Vec<bool> = all.iter().map(|p| p.outcome > settings.threshold).collect();
    let precision: Vec<f64> = groups
        .iter()
        .filter(|g| g.len() >= settings.top_k.max(1))
        .map(|g| {
            let gs: Vec<f64> = g.iter().map(|p| p.score).collect();
            let gp: Vec<bool> = g.iter().map(|p| p.outcome > settings.threshold).collect();
            metrics::precision_at_k(&gs, &gp, settings.top_k)
        })
        .collect();
    // One ranking of the scores serves Spearman's rho and the AUROC.
    let score_ranks = metrics::average_ranks(&s);
    [
        metrics::pearson(&score_ranks, &metrics::average_ranks(&o)),
        metrics::kendall_tau_b(&s, &o),
        metrics::auroc_of_ranks(&score_ranks, &pos),
        if all.is_empty() {
            f64::NAN
        } else {
            metrics::brier(&pr, &pos)
        },
        if precision.is_empty() {
            f64::NAN
        } else {
            precision.iter().sum::<f64>() / precision.len() as f64
        },
    ]
}

/// A set of pairs (one period, or every period pooled) sorted once for the bootstrap.
/// A resample draws units with replacement: each pair then counts as often as its unit
/// was drawn (its weight), and every metric of [`point`] is computed from the sorted
/// orders and the weights, in O(n log n) without sorting again: average ranks from the
/// runs of ties and their total weights, Kendall's discordant pairs by a Fenwick tree
/// over the outcomes' ranks (Knight 1966 with weights), AUROC from the weighted ranks.
/// The counts of Kendall's tau-b and the AUROC's rank sums are whole numbers, so those
/// two are the expanded resample's values to the bit; Spearman's rho and the Brier
/// score sum the same terms in another order (equal to about 1e-15).
struct Sorted<'a> {
    groups: Vec<&'a [Pair]>,
    all: Vec<Pair>,
    /// Pairs by score, ascending.
    by_score: Vec<usize>,
    /// Pairs by outcome, ascending.
    by_outcome: Vec<usize>,
    /// Pairs by score, then outcome.
    by_score_outcome: Vec<usize>,
    /// Dense rank (0-based) of each pair's outcome, and the number of distinct outcomes.
    outcome_rank: Vec<usize>,
    outcomes: usize,
    /// Per group: its pairs by score, descending, stable (as [`metrics::top_k`]).
    descending: Vec<Vec<usize>>,
}

impl<'a> Sorted<'a> {
    fn new(groups: &[&'a [Pair]]) -> Sorted<'a> {
        let all: Vec<Pair> = groups.iter().flat_map(|g| g.iter().copied()).collect();
        let sorted = |key: &dyn Fn(&Pair, &Pair) -> std::cmp::Ordering| {
            let mut order: Vec<usize> = (0..all.len()).collect();
            order.sort_by(|&a, &b| key(&all[a], &all[b]));
            order
        };
        let by_score = sorted(&|a, b| a.score.total_cmp(&b.score));
        let by_outcome = sorted(&|a, b| a.outcome.total_cmp(&b.outcome));
        let by_score_outcome = sorted(&|a, b| a.score.total_cmp(&b.score).then(a.outcome.total_cmp(&b.outcome)));
        let mut outcome_rank = vec![0; all.len()];
        let mut outcomes = 0;
        for (j, &i) in by_outcome.iter().enumerate() {
            if j > 0 && all[i].outcome != all[by_outcome[j - 1]].outcome {
                outcomes += 1;
            }
            outcome_rank[i] = outcomes;
        }
        let mut start = 0;
        let descending = groups
            .iter()
            .map(|g| {
                let mut order: Vec<usize> = (start..start + g.len()).collect();
                order.sort_by(|&a, &b| all[b].score.total_cmp(&all[a].score));
                start += g.len();
                order
            })
            .collect();
        Sorted {
            groups: groups.to_vec(),
            by_score,
            by_outcome,
            by_score_outcome,
            outcome_rank,
            outcomes: outcomes + usize::from(!all.is_empty()),
            descending,
            all,
        }
    }

    /// The metrics of [`point`] on the resample that draws unit `u` `counts[u]` times;
    /// `draw` (the units in drawing order) settles ties at a group's k-th place.
    fn resampled(&self, counts: &[u32], draw: &[usize], settings: &Settings) -> [f64; 5] {
        let all = &self.all;
        let w: Vec<u64> = all.iter().map(|p| u64::from(counts[p.unit])).collect();
        let n: u64 = w.iter().sum();
        let positive: Vec<bool> = all.iter().map(|p| p.outcome > settings.threshold).collect();
        let score_ranks = weighted_ranks(&self.by_score, |i| all[i].score, &w);
        let outcome_ranks = weighted_ranks(&self.by_outcome, |i| all[i].outcome, &w);
        // Spearman's rho: Pearson's r of the ranks over the resample.
        let spearman = if n < 2 {
            f64::NAN
        } else {
            let nf = n as f64;
            let weighted_mean = |r: &[f64]| r.iter().zip(&w).map(|(r, &w)| r * w as f64).sum::<f64>() / nf;
            let (mx, my) = (weighted_mean(&score_ranks), weighted_mean(&outcome_ranks));
            let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
            for i in 0..all.len() {
                let (a, b, wi) = (score_ranks[i] - mx, outcome_ranks[i] - my, w[i] as f64);
                sxy += wi * a * b;
                sxx += wi * a * a;
                syy += wi * b * b;
            }
            if sxx <= 0.0 || syy <= 0.0 {
                f64::NAN
            } else {
                sxy / (sxx * syy).sqrt()
            }
        };
        let n_pos: u64 = (0..all.len()).filter(|&i| positive[i]).map(|i| w[i]).sum();
        let auroc = if n_pos == 0 || n_pos == n {
            f64::NAN
        } else {
            let r_pos: f64 = (0..all.len())
                .filter(|&i| positive[i])
                .map(|i| score_ranks[i] * w[i] as f64)
                .sum();
            let (np, nn) = (n_pos as f64, (n - n_pos) as f64);
            (r_pos - np * (np + 1.0) / 2.0) / (np * nn)
        };
        let brier = if n == 0 {
            f64::NAN
        } else {
            (0..all.len())
                .map(|i| {
                    let o = if positive[i] { 1.0 } else { 0.0 };
                    w[i] as f64 * (all[i].p - o) * (all[i].p - o)
                })
                .sum::<f64>()
                / n as f64
        };
        let precision = self.precision(&w, &positive, counts.len(), draw, settings);
        [spearman, self.kendall(&w, n), auroc, brier, precision]
    }

    /// Kendall's tau-b of the resample (see [`metrics::kendall_tau_b`]), the pairs
    /// counted with their weights.
    fn kendall(&self, w: &[u64], n: u64) -> f64 {
        if n < 2 {
            return f64::NAN;
        }
        let all = &self.all;
        let order = &self.by_score_outcome;
        let tied = |same: &dyn Fn(usize, usize) -> bool, order: &[usize]| {
            let (mut pairs, mut run) = (0u64, 0u64);
            for (j, &i) in order.iter().enumerate() {
                if j > 0 && !same(order[j - 1], i) {
                    pairs += run * run.saturating_sub(1) / 2;
                    run = 0;
                }
                run += w[i];
            }
            pairs + run * run.saturating_sub(1) / 2
        };
        let tied_x = tied(&|a, b| all[a].score == all[b].score, order);
        let tied_xy = tied(
            &|a, b| all[a].score == all[b].score && all[a].outcome == all[b].outcome,
            order,
        );
        let tied_y = tied(&|a, b| all[a].outcome == all[b].outcome, &self.by_outcome);
        // Discordant pairs: in (score, outcome) order, each pair against those before it
        // with a higher outcome; a Fenwick tree holds the weight seen per outcome rank.
        let mut tree = vec![0u64; self.outcomes + 1];
        let (mut seen, mut discordant) = (0u64, 0u64);
        for &i in order {
            let r = self.outcome_rank[i] + 1;
            let (mut at_or_below, mut k) = (0u64, r);
            while k > 0 {
                at_or_below += tree[k];
                k &= k - 1;
            }
            discordant += w[i] * (seen - at_or_below);
            let mut k = r;
            while k < tree.len() {
                tree[k] += w[i];
                k += k & k.wrapping_neg();
            }
            seen += w[i];
        }
        let n0 = n * (n - 1) / 2;
        let denominator = (((n0 - tied_x) as f64) * ((n0 - tied_y) as f64)).sqrt();
        if denominator <= 0.0 {
            return f64::NAN;
        }
        let difference = n0 as i64 - tied_x as i64 - tied_y as i64 + tied_xy as i64 - 2 * discordant as i64;
        difference as f64 / denominator
    }

    /// Mean precision at k over the groups with at least k pairs in the resample. A tie
    /// at a group's k-th place between positive and negative outcomes is settled as
    /// [`metrics::precision_at_k`] does, on the group expanded in drawing order.
    fn precision(&self, w: &[u64], positive: &[bool], n_units: usize, draw: &[usize], settings: &Settings) -> f64 {
        let all = &self.all;
        let mut sum = 0.0;
        let mut groups = 0;
        for (g, order) in self.descending.iter().enumerate() {
            let size: u64 = order.iter().map(|&i| w[i]).sum();
            if size < settings.top_k.max(1) as u64 {
                continue;
            }
            let k = (settings.top_k as u64).min(size);
            let (mut taken, mut hits, mut j) = (0u64, 0u64, 0);
            let mut settled = true;
            while taken < k && j < order.len() {
                let mut end = j + 1;
                while end < order.len() && all[order[end]].score == all[order[j]].score {
                    end += 1;
                }
                let run = &order[j..end];
                let weight: u64 = run.iter().map(|&i| w[i]).sum();
                let run_hits: u64 = run.iter().filter(|&&i| positive[i]).map(|&i| w[i]).sum();
                if taken + weight <= k {
                    hits += run_hits;
                } else if run_hits == 0 || run_hits == weight {
                    hits += if run_hits == 0 { 0 } else { k - taken };
                } else {
                    settled = false;
                    break;
                }
                taken = (taken + weight).min(k);
                j = end;
            }
            sum += if settled {
                hits as f64 / k as f64
            } else {
                let mut by_unit: Vec<Vec<&Pair>> = vec![Vec::new(); n_units];
                for p in self.groups[g] {
                    by_unit[p.unit].push(p);
                }
                let expanded: Vec<&Pair> = draw.iter().flat_map(|&u| by_unit[u].iter().copied()).collect();
                debug_assert_eq!(expanded.len() as u64, size);
                let scores: Vec<f64> = expanded.iter().map(|p| p.score).collect();
                let pos: Vec<bool> = expanded.iter().map(|p| p.outcome > settings.threshold).collect();
                metrics::precision_at_k(&scores, &pos, settings.top_k)
            };
            groups += 1;
        }
        if groups == 0 {
            f64::NAN
        } else {
            sum / groups as f64
        }
    }
}

/// Average ranks (1 = smallest) of a sample where pair `i` counts `w[i]` times, from the
/// pairs sorted by `value`: a run of ties of total weight W starting after `start`
/// copies ranks `start + (W + 1) / 2`.
fn weighted_ranks(order: &[usize], value: impl Fn(usize) -> f64, w: &[u64]) -> Vec<f64> {
    let mut ranks = vec![0.0; order.len()];
    let (mut start, mut j) = (0u64, 0);
    while j < order.len() {
        let mut end = j + 1;
        while end < order.len() && value(order[end]) == value(order[j]) {
            end += 1;
        }
        let weight: u64 = order[j..end].iter().map(|&i| w[i]).sum();
        let rank = start as f64 + (weight as f64 + 1.0) / 2.0;
        for &i in &order[j..end] {
            ranks[i] = rank;
        }
        start += weight;
        j = end;
    }
    ranks
}

/// Percentile interval of finite values (NaN if fewer than 10 % are finite).
fn interval(mut v: Vec<f64>) -> (f64, f64) {
    let total = v.len();
    v.retain(|x| x.is_finite());
    if v.is_empty() || v.len() * 10 < total {
        return (f64::NAN, f64::NAN);
    }
    v.sort_by(f64::total_cmp);
    let q = |p: f64| crate::stats::quantile_sorted(&v, p);
    (q(0.025), q(0.975))
}

/// Runs the backtest of every variant: rows per period, then one pooled row.
pub fn run(variants: &[(String, Framework, Panel)], settings: &Settings) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    let n_units = variants.first().map_or(0, |(_, _, p)| p.n_units());
    settings.check(n_units, crate::stats::available_memory())?;
    // The same unit resamples for every variant (paired comparison).
    let mut rng = StdRng::seed_from_u64(settings.seed);
    let resamples: Vec<Vec<usize>> = (0..settings.bootstrap)
        .map(|_| (0..n_units).map(|_| rng.random_range(0..n_units.max(1))).collect())
        .collect();
    for (name, fw, panel) in variants {
        let periods = pairs(fw, panel, settings)?;
        let estimate = |groups: &[&[Pair]]| -> ([Estimate; 5], usize, usize) {
            let values = point(groups, settings);
            // Sorted once, read by every resample.
            let sorted = Sorted::new(groups);
            // Resamples in parallel; collected in order, so the result is the same on
            // any number of threads.
            let per_draw: Vec<[f64; 5]> = resamples
                .par_iter()
                .map(|draw| {
                    let mut counts = vec![0u32; n_units];
                    for &u in draw {
                        counts[u] += 1;
                    }
                    sorted.resampled(&counts, draw, settings)
                })
                .collect();
            let mut boots: Vec<Vec<f64>> = (0..5).map(|m| per_draw.iter().map(|d| d[m]).collect()).collect();
            let mut out = [Estimate {
                value: f64::NAN,
                lo: f64::NAN,
                hi: f64::NAN,
            }; 5];
            for m in 0..5 {
                let (lo, hi) = interval(std::mem::take(&mut boots[m]));
                out[m] = Estimate {
                    value: values[m],
                    lo,
                    hi,
                };
            }
            let n: usize = groups.iter().map(|g| g.len()).sum();
            let positives = groups
                .iter()
                .flat_map(|g| g.iter())
                .filter(|p| p.outcome > settings.threshold)
                .count();
            (out, n, positives)
        };
        let note = |n: usize, positives: usize| -> String {
            let mut notes = Vec::new();
            if n < 2 {
                notes.push("fewer than 2 units with an outcome: metrics undefined".to_string());
            } else if positives == 0 || positives == n {
                notes.push(format!(
                    "{} units above the threshold: AUROC undefined",
                    if positives == 0 { "no" } else { "all" }
                ));
            }
            notes.join("; ")
        };
        let row = |period: Option<Period>, outcome_period: Option<Period>, groups: &[&[Pair]]| {
            let (e, n, positives) = estimate(groups);
            Row {
                variant: name.clone(),
                period,
                outcome_period,
                n,
                positives,
                spearman: e[0],
                kendall_tau_b: e[1],
                auroc: e[2],
                brier: e[3],
                precision_at_k: e[4],
                note: note(n, positives),
            }
        };
        for (t, target, ps) in &periods {
            rows.push(row(Some(*t), Some(*target), &[ps.as_slice()]));
        }
        let groups: Vec<&[Pair]> = periods.iter().map(|(_, _, p)| p.as_slice()).collect();
        rows.push(row(None, None, &groups));
    }
    Ok(rows)
}

/// Variants ordered by pooled skill: Spearman's rho, then AUROC, then Brier (lower is
/// better); NaN last.
pub fn ranking(rows: &[Row]) -> Vec<&Row> {
    let mut pooled: Vec<&Row> = rows.iter().filter(|r| r.period.is_none()).collect();
    let key = |v: f64| if v.is_nan() { f64::NEG_INFINITY } else { v };
    pooled.sort_by(|a, b| {
        key(b.spearman.value)
            .total_cmp(&key(a.spearman.value))
            .then(key(b.auroc.value).total_cmp(&key(a.auroc.value)))
            .then(key(-a.brier.value).total_cmp(&key(-b.brier.value)).reverse())
    });
    pooled
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Panel;
    use crate::period::PeriodKind;
    use crate::score::score;
    use std::collections::BTreeMap;

    #[test]
    fn settings_no_metric_can_use_are_refused_by_name() {
        let settings = Settings {
            outcome: "y".into(),
            horizon: 1,
            threshold: f64::NAN,
            top_k: 0,
            bootstrap: usize::MAX,
            seed: 1,
        };
        let err = settings.check(9, Some(24_000_000_000)).unwrap_err();
        let messages: Vec<String> = err.problems().iter().map(|p| p.to_string()).collect();
        assert_eq!(
            messages,
            [
                "threshold: expected a finite number (the outcome above it counts as an event), found NaN",
                "top_k: expected 1 or more units (precision at k of the k highest scores)",
                "bootstrap: 18446744073709551615 resamples of 9 units need about 18446744073.7 GB of memory, and 24.0 GB is available: use fewer (1000 give 95 % intervals)",
            ]
        );
        // 1000 resamples of 9 units: 1000 x (8 x 9 + 80) = 152,000 bytes.
        let fine = Settings {
            threshold: 0.0,
            top_k: 3,
            bootstrap: 1000,
            ..settings
        };
        assert_eq!(fine.bootstrap_memory(9), 152_000);
        assert!(fine.check(9, Some(152_000)).is_ok() && fine.check(9, Some(151_999)).is_err());
    }

    /// The resample's metrics from the sorted pairs and the weights are those of the
    /// resample written out (as `run` built it before): Kendall's tau-b, the AUROC and
    /// precision at k to the bit, Spearman's rho and the Brier score to 1e-12. Scores and
    /// outcomes take few values, so ties (also at the k-th place) are everywhere.
    #[test]
    fn weighted_resamples_equal_the_resamples_written_out() {
        let mut rng = StdRng::seed_from_u64(7);
        let n_units = 40;
        let periods: Vec<Vec<Pair>> = (0..3)
            .map(|_| {
                let mut pairs = Vec::new();
                for unit in 0..n_units {
                    // A unit in 9 periods of 10.
                    if rng.random_range(0..10) > 0 {
                        let score = f64::from(rng.random_range(0..6u8)) * 10.0;
                        let outcome = f64::from(rng.random_range(0..4u8));
                        pairs.push(Pair {
                            unit,
                            score,
                            p: score / 50.0,
                            outcome,
                        });
                    }
                }
                pairs
            })
            .collect();
        let settings = Settings {
            outcome: String::new(),
            horizon: 1,
            threshold: 1.5,
            top_k: 5,
            bootstrap: 0,
            seed: 0,
        };
        let pooled: Vec<&[Pair]> = periods.iter().map(Vec::as_slice).collect();
        for groups in [&pooled[..], &pooled[..1], &pooled[1..2]] {
            let sorted = Sorted::new(groups);
            for _ in 0..200 {
                let draw: Vec<usize> = (0..n_units).map(|_| rng.random_range(0..n_units)).collect();
                let mut counts = vec![0u32; n_units];
                for &u in &draw {
                    counts[u] += 1;
                }
                let written: Vec<Vec<Pair>> = groups
                    .iter()
                    .map(|g| {
                        draw.iter()
                            .flat_map(|&u| g.iter().filter(move |p| p.unit == u).copied())
                            .collect()
                    })
                    .collect();
                let refs: Vec<&[Pair]> = written.iter().map(Vec::as_slice).collect();
                let want = point(&refs, &settings);
                let got = sorted.resampled(&counts, &draw, &settings);
                for m in [1, 2, 4] {
                    assert_eq!(got[m].to_bits(), want[m].to_bits(), "metric {m}: {got:?} vs {want:?}");
                }
                for m in [0, 3] {
                    assert!(
                        (got[m].is_nan() && want[m].is_nan()) || (got[m] - want[m]).abs() < 1e-12,
                        "metric {m}: {got:?} vs {want:?}"
                    );
                }
            }
        }
    }

    /// 4 units over 3 years; x rises with the unit index, y (the outcome) follows x a
    /// year later, except in 2021 where unit 0 jumps.
    fn panel() -> Panel {
        let years = [2019, 2020, 2021];
        let x = [1.0, 2.0, 3.0, 4.0, 1.0, 2.0, 3.0, 4.0, 1.0, 2.0, 3.0, 4.0];
        let y = [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 2.0, 3.0, 5.0, 1.0, 2.0, 3.0];
        let mut columns = BTreeMap::new();
        columns.insert("x".to_string(), x.to_vec());
        columns.insert("y".to_string(), y.to_vec());
        Panel {
            units: ["A", "B", "C", "D"].iter().map(|s| s.to_string()).collect(),
            periods: years
                .iter()
                .map(|&y| Period {
                    kind: PeriodKind::Year,
                    ordinal: y,
                })
                .collect(),
            present: vec![true; 12],
            columns,
            labels: BTreeMap::new(),
            sources: Vec::new(),
            neighbours: Vec::new(),
        }
    }

    const FW: &str = "[index]\nid = \"r\"\nunit = \"u\"\nperiod = \"year\"\nscale = [0, 10]\n[[indicator]]\nid = \"x\"\ngroup = \"r\"\n";

    #[test]
    fn scores_at_t_against_outcomes_at_t_plus_one_by_hand() {
        let fw = Framework::from_toml(FW, "fw.toml").unwrap();
        let settings = Settings {
            outcome: "y".into(),
            horizon: 1,
            threshold: 1.5,
            top_k: 2,
            bootstrap: 50,
            seed: 1,
        };
        let rows = run(&[("base".into(), fw, panel())], &settings).unwrap();
        // t = 2019 -> 2020 and 2020 -> 2021; 2021 has no next year.
        assert_eq!(rows.len(), 3);
        let r2019 = &rows[0];
        assert_eq!(r2019.period.unwrap().ordinal, 2019);
        assert_eq!(r2019.outcome_period.unwrap().ordinal, 2020);
        // Scores 0, 3.33, 6.67, 10 vs outcomes 0, 1, 2, 3: perfectly concordant.
        assert!((r2019.spearman.value - 1.0).abs() < 1e-12);
        assert!((r2019.kendall_tau_b.value - 1.0).abs() < 1e-12);
        // Positives (> 1.5): C and D, the two highest scores: AUROC 1, precision@2 = 1.
        assert_eq!(r2019.positives, 2);
        assert!((r2019.auroc.value - 1.0).abs() < 1e-12);
        assert!((r2019.precision_at_k.value - 1.0).abs() < 1e-12);
        // Brier with p = s / 10: (0)² + (1/3)² + (2/3 - 1)² + (1 - 1)² = 2/9, / 4.
        assert!((r2019.brier.value - 2.0 / 36.0).abs() < 1e-12);
        // 2020 -> 2021: A's outcome 5 breaks the order: y = 5, 1, 2, 3 vs x = 1, 2, 3, 4:
        // tau_b = (3 concordant - 3 discordant) / 6 = 0.
        assert!(rows[1].kendall_tau_b.value.abs() < 1e-12);
        // Pooled row.
        assert!(rows[2].period.is_none());
        assert_eq!(rows[2].n, 8);
        assert!(rows[2].spearman.lo <= rows[2].spearman.value + 1e-9);
    }

    #[test]
    fn horizon_beyond_the_data_and_missing_outcome_are_errors() {
        let fw = Framework::from_toml(FW, "fw.toml").unwrap();
        let mut settings = Settings {
            outcome: "y".into(),
            horizon: 5,
            threshold: 0.0,
            top_k: 1,
            bootstrap: 0,
            seed: 1,
        };
        let e = run(&[("base".into(), fw.clone(), panel())], &settings)
            .unwrap_err()
            .to_string();
        assert!(e.contains("a horizon of 5 period(s) goes beyond the data"), "{e}");
        settings.horizon = 1;
        settings.outcome = "z".into();
        let e = run(&[("base".into(), fw, panel())], &settings).unwrap_err().to_string();
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
        let settings = Settings {
            outcome: "y".into(),
            horizon: 1,
            threshold: 0.5,
            top_k: 1,
            bootstrap: 0,
            seed: 1,
        };
        let periods = pairs(&fw, &p, &settings).unwrap();
        let at_2019: Vec<f64> = periods[0].2.iter().map(|q| q.score).collect();
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
}

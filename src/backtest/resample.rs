//! The bootstrap of the backtest's metrics: a set of pairs (one origin, or every origin
//! pooled) sorted once, and each resample of the units read as a weight per pair.
//!
//! A resample draws units with replacement: each pair then counts as often as its unit
//! was drawn (its weight), and every metric of [`point`] is computed from the sorted
//! orders and the weights, in O(n log n) without sorting again: average ranks from the
//! runs of ties and their total weights, Kendall's discordant pairs by a Fenwick tree
//! over the outcomes' ranks (Knight 1966 with weights), AUROC from the weighted ranks,
//! average precision from the descending order. The counts of Kendall's tau-b, the
//! AUROC's rank sums and average precision's steps are whole numbers, so those are the
//! expanded resample's values to the bit; Spearman's rho, the Brier score and the log
//! loss sum the same terms in another order (equal to about 1e-15).
//!
//! ## References
//! Efron & Tibshirani (1993) An Introduction to the Bootstrap, ch. 13. Knight (1966)
//! A computer method for calculating Kendall's tau with ungrouped data, JASA 61(314).

use super::results::{Pair, METRICS};
use super::settings::Settings;
use crate::metrics;

/// Metric values in the order of [`METRICS`].
pub type Values = [f64; METRICS];

/// Point metrics of a set of pairs (precision at k over each origin's own top k; the
/// Brier score and log loss over the pairs with a probability).
pub fn point(groups: &[&[Pair]], settings: &Settings) -> Values {
    let all: Vec<Pair> = groups.iter().flat_map(|g| g.iter().copied()).collect();
    let s: Vec<f64> = all.iter().map(|p| p.score).collect();
    let o: Vec<f64> = all.iter().map(|p| p.outcome).collect();
    let pos: Vec<bool> = all.iter().map(|p| p.outcome > settings.threshold).collect();
    let (pr, pr_pos): (Vec<f64>, Vec<bool>) = all
        .iter()
        .zip(&pos)
        .filter(|(p, _)| p.p.is_finite())
        .map(|(p, &o)| (p.p, o))
        .unzip();
    let precision: Vec<f64> = groups
        .iter()
        .map(|g| {
            let gs: Vec<f64> = g.iter().map(|p| p.score).collect();
            let gp: Vec<bool> = g.iter().map(|p| p.outcome > settings.threshold).collect();
            metrics::precision_at_k(&gs, &gp, settings.top_k)
        })
        .filter(|p| !p.is_nan())
        .collect();
    // One ranking of the scores serves Spearman's rho and the AUROC.
    let score_ranks = metrics::average_ranks(&s);
    [
        metrics::pearson(&score_ranks, &metrics::average_ranks(&o)),
        metrics::kendall_tau_b(&s, &o),
        metrics::auroc_of_ranks(&score_ranks, &pos),
        metrics::average_precision(&s, &pos),
        metrics::brier(&pr, &pr_pos),
        metrics::log_loss(&pr, &pr_pos),
        if precision.is_empty() {
            f64::NAN
        } else {
            precision.iter().sum::<f64>() / precision.len() as f64
        },
    ]
}

/// A set of pairs sorted once for the bootstrap (see the module's documentation).
pub struct Sorted {
    all: Vec<Pair>,
    /// Each pair's score, and whether its outcome is above the threshold.
    scores: Vec<f64>,
    positive: Vec<bool>,
    /// Pairs by score, ascending.
    by_score: Vec<usize>,
    /// Pairs by score, descending.
    by_score_descending: Vec<usize>,
    /// Pairs by outcome, ascending.
    by_outcome: Vec<usize>,
    /// Pairs by score, then outcome.
    by_score_outcome: Vec<usize>,
    /// Dense rank (0-based) of each pair's outcome, and the number of distinct outcomes.
    outcome_rank: Vec<usize>,
    outcomes: usize,
    /// Per group: its pairs by score, descending.
    descending: Vec<Vec<usize>>,
}

impl Sorted {
    pub fn new(groups: &[&[Pair]], settings: &Settings) -> Sorted {
        let all: Vec<Pair> = groups.iter().flat_map(|g| g.iter().copied()).collect();
        let sorted = |key: &dyn Fn(&Pair, &Pair) -> std::cmp::Ordering| {
            let mut order: Vec<usize> = (0..all.len()).collect();
            order.sort_by(|&a, &b| key(&all[a], &all[b]));
            order
        };
        let by_score = sorted(&|a, b| a.score.total_cmp(&b.score));
        let by_score_descending = by_score.iter().rev().copied().collect();
        let positive = all.iter().map(|p| p.outcome > settings.threshold).collect();
        let scores = all.iter().map(|p| p.score).collect();
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
            scores,
            positive,
            by_score,
            by_score_descending,
            by_outcome,
            by_score_outcome,
            outcome_rank,
            outcomes: outcomes + usize::from(!all.is_empty()),
            descending,
            all,
        }
    }

    /// The metrics of [`point`] on the resample that draws unit `u` `counts[u]` times.
    pub fn resampled(&self, counts: &[u32], settings: &Settings) -> Values {
        let all = &self.all;
        let w: Vec<u64> = all.iter().map(|p| u64::from(counts[p.unit])).collect();
        let n: u64 = w.iter().sum();
        let positive = &self.positive;
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
        // The Brier score and the log loss over the pairs with a probability.
        let (mut n_p, mut brier, mut log_loss) = (0u64, 0.0, 0.0);
        for i in 0..all.len() {
            let p = all[i].p;
            if w[i] == 0 || !p.is_finite() {
                continue;
            }
            let o = if positive[i] { 1.0 } else { 0.0 };
            n_p += w[i];
            brier += w[i] as f64 * (p - o) * (p - o);
            log_loss += w[i] as f64 * metrics::log_loss_term(p, positive[i]);
        }
        let (brier, log_loss) = if n_p == 0 {
            (f64::NAN, f64::NAN)
        } else {
            (brier / n_p as f64, log_loss / n_p as f64)
        };
        let average_precision =
            metrics::average_precision_sorted(&self.by_score_descending, &self.scores, positive, &w);
        let precision = self.precision(&w, settings);
        [
            spearman,
            self.kendall(&w, n),
            auroc,
            average_precision,
            brier,
            log_loss,
            precision,
        ]
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

    /// Mean precision at k over the groups with at least k pairs in the resample
    /// ([`metrics::precision_at_k`], ties by their share of positives).
    fn precision(&self, w: &[u64], settings: &Settings) -> f64 {
        let (mut sum, mut groups) = (0.0, 0);
        for order in &self.descending {
            let p = metrics::precision_at_k_sorted(order, &self.scores, &self.positive, w, settings.top_k);
            if !p.is_nan() {
                sum += p;
                groups += 1;
            }
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
pub fn interval(mut v: Vec<f64>) -> (f64, f64) {
    let total = v.len();
    v.retain(|x| x.is_finite());
    if v.is_empty() || v.len() * 10 < total {
        return (f64::NAN, f64::NAN);
    }
    v.sort_by(f64::total_cmp);
    let q = |p: f64| crate::stats::quantile_sorted(&v, p);
    (q(0.025), q(0.975))
}

#[cfg(test)]
mod tests {
    use super::super::results::Pair;
    use super::super::settings::{Calibration, Settings};
    use super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    /// The resample's metrics from the sorted pairs and the weights are those of the
    /// resample written out: Kendall's tau-b, the AUROC, average precision and precision
    /// at k to the bit, Spearman's rho, the Brier score and the log loss to 1e-12. Scores
    /// and outcomes take few values, so ties (also at the k-th place) are everywhere;
    /// some pairs have no probability.
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
                            p: if unit % 7 == 0 { f64::NAN } else { score / 50.0 },
                            outcome,
                        });
                    }
                }
                pairs
            })
            .collect();
        let settings = Settings {
            outcome: String::new(),
            horizons: vec![1],
            threshold: 1.5,
            top_k: 5,
            bootstrap: 0,
            seed: 0,
            baselines: Vec::new(),
            calibration: Calibration::Platt,
        };
        let pooled: Vec<&[Pair]> = periods.iter().map(Vec::as_slice).collect();
        for groups in [&pooled[..], &pooled[..1], &pooled[1..2]] {
            let sorted = Sorted::new(groups, &settings);
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
                let got = sorted.resampled(&counts, &settings);
                for m in [1, 2, 3, 6] {
                    assert_eq!(got[m].to_bits(), want[m].to_bits(), "metric {m}: {got:?} vs {want:?}");
                }
                for m in [0, 4, 5] {
                    assert!(
                        (got[m].is_nan() && want[m].is_nan()) || (got[m] - want[m]).abs() < 1e-12,
                        "metric {m}: {got:?} vs {want:?}"
                    );
                }
            }
        }
    }
}

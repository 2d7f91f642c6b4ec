//! Agreement and forecast-skill metrics for comparing and backtesting variants.
//!
//! # Formulas (n paired values; NaN pairs are left out by the callers)
//! - Spearman's rho: the Pearson correlation of the average ranks of x and of y
//!   (ties share their mean rank), `Σ(r_x - r̄)(r_y - r̄) / sqrt(Σ(r_x - r̄)² Σ(r_y - r̄)²)`
//!   (Spearman 1904).
//! - Kendall's tau-b: `(n_c - n_d) / sqrt((n_0 - n_1)(n_0 - n_2))` with n_c, n_d the
//!   concordant and discordant pairs, `n_0 = n(n-1)/2`, and n_1, n_2 the pairs tied in
//!   x and in y (`Σ t(t-1)/2` over groups of ties) (Kendall 1945); counted in
//!   O(n log n) by sorting and merge-sort inversions (Knight 1966, as scipy does).
//! - AUROC of scores s for a binary outcome o: the probability that a random positive
//!   scores above a random negative, ties counting one half; by the Mann-Whitney
//!   statistic `(R_+ - n_+(n_+ + 1)/2) / (n_+ n_-)` with R_+ the sum of the positives'
//!   average ranks (Hanley & McNeil 1982).
//! - Brier score of probabilities p: `(1/n) Σ (p_i - o_i)²` (Brier 1950); 0 is perfect,
//!   0.25 is "always 0.5".
//! - Average precision (the area under the precision-recall curve, as scikit-learn's
//!   `average_precision_score`): with the distinct scores taken as thresholds from the
//!   highest down, `AP = Σ_n (R_n - R_{n-1}) P_n`, R_n and P_n the recall and precision
//!   of "score >= the n-th threshold" (`R_0 = 0`); tied scores enter together, so ties
//!   are one step of the curve (Manning, Raghavan & Schütze 2008, ch. 8; scikit-learn).
//!   "Always the same score" gives the share of positives.
//! - Log loss of probabilities p: `-(1/n) Σ [o_i ln p_i + (1 - o_i) ln(1 - p_i)]`, with
//!   p clipped to `[ε, 1 - ε]` (ε = 2.2e-16, the f64 machine epsilon, as scikit-learn's
//!   `log_loss` clips); 0 is perfect, `ln 2 = 0.693` is "always 0.5".
//! - Reliability table (scikit-learn's `calibration_curve`, `strategy="uniform"`):
//!   predicted probabilities in ten bins of width 0.1 (`[0, 0.1]`, `(0.1, 0.2]`, ...);
//!   per bin the mean predicted probability, the observed rate of positives and n.
//! - Precision at k: the share of the k highest-scored units whose outcome is
//!   positive; units tied at the k-th place fill the places left by their share of
//!   positives (the expected precision when the tie is broken at random), so the value
//!   does not depend on the order of the rows.
//! - Top-k overlap of two rankings: `|top_k(a) ∩ top_k(b)| / k`.
//!
//! Every metric is NaN when undefined (fewer than 2 pairs, a constant variable, no
//! positive or no negative outcome).
//!
//! ## References
//! Spearman (1904) The proof and measurement of association between two things, Am. J.
//! Psychol. 15. Kendall (1945) The treatment of ties in ranking problems, Biometrika 33.
//! Knight (1966) A computer method for calculating Kendall's tau with ungrouped data,
//! JASA 61(314). Hanley & McNeil (1982) The meaning and use of the area under a ROC curve, Radiology
//! 143. Brier (1950) Verification of forecasts expressed in terms of probability, Monthly
//! Weather Review 78. Manning, Raghavan & Schütze (2008) Introduction to Information
//! Retrieval, ch. 8. Pedregosa et al. (2011) Scikit-learn, JMLR 12 (`metrics`,
//! `calibration`). Niculescu-Mizil & Caruana (2005) Predicting good probabilities with
//! supervised learning, ICML.

use std::cmp::Ordering;

/// Average ranks, 1 = smallest.
pub fn average_ranks(x: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..x.len()).collect();
    // Ties share one rank whatever their order: an unstable sort will do.
    order.sort_unstable_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut ranks = vec![0.0; x.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && x[order[end]] == x[order[start]] {
            end += 1;
        }
        let r = (start + 1 + end) as f64 / 2.0;
        for &i in &order[start..end] {
            ranks[i] = r;
        }
        start = end;
    }
    ranks
}

/// Pearson correlation; NaN if fewer than 2 values or either is constant.
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len();
    if n < 2 || y.len() != n {
        return f64::NAN;
    }
    let mx = x.iter().sum::<f64>() / n as f64;
    let my = y.iter().sum::<f64>() / n as f64;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return f64::NAN;
    }
    sxy / (sxx * syy).sqrt()
}

/// Spearman's rho (ties: average ranks).
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    pearson(&average_ranks(x), &average_ranks(y))
}

/// Kendall's tau-b, in O(n log n) by Knight's (1966) algorithm, as scipy computes it:
/// with the pairs sorted by x then y, `n_1` pairs tied in x, `n_3` tied in both, `n_2`
/// tied in y and `s` the discordant pairs (the inversions of y, counted by a merge
/// sort), `n_c - n_d = n_0 - n_1 - n_2 + n_3 - 2 s`. Every count is exact, so the
/// value is that of the pairwise definition to the bit. With a NaN (which callers leave
/// out) the pairwise form is used, where NaN ties with everything.
pub fn kendall_tau_b(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len();
    if n < 2 {
        return f64::NAN;
    }
    if x.iter().chain(y).any(|v| v.is_nan()) {
        return kendall_tau_b_pairwise(x, y);
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_unstable_by(|&a, &b| x[a].total_cmp(&x[b]).then(y[a].total_cmp(&y[b])));
    // Runs of ties in x, and in both x and y; -0.0 and 0.0 are one value.
    let tied_x = tied_pairs(order.windows(2).map(|w| x[w[0]] == x[w[1]]));
    let tied_xy = tied_pairs(order.windows(2).map(|w| x[w[0]] == x[w[1]] && y[w[0]] == y[w[1]]));
    let mut ys: Vec<f64> = order.iter().map(|&i| y[i]).collect();
    let mut buffer = vec![0.0; n];
    let discordant = inversions(&mut ys, &mut buffer);
    // `ys` is sorted now: its runs are the ties in y.
    let tied_y = tied_pairs(ys.windows(2).map(|w| w[0] == w[1]));
    let n0 = (n * (n - 1) / 2) as u64;
    let denominator = (((n0 - tied_x) as f64) * ((n0 - tied_y) as f64)).sqrt();
    if denominator <= 0.0 {
        return f64::NAN;
    }
    let difference = n0 as i64 - tied_x as i64 - tied_y as i64 + tied_xy as i64 - 2 * discordant as i64;
    difference as f64 / denominator
}

/// Pairs within runs of tied neighbours, `Σ t(t-1)/2`, from whether each neighbour
/// ties with the one before it.
fn tied_pairs(ties_previous: impl Iterator<Item = bool>) -> u64 {
    let (mut pairs, mut run) = (0u64, 1u64);
    for tied in ties_previous {
        if tied {
            run += 1;
        } else {
            pairs += run * (run - 1) / 2;
            run = 1;
        }
    }
    pairs + run * (run - 1) / 2
}

/// Sorts `v` (merge sort) and returns its inversions: pairs i < j with `v[i] > v[j]`.
fn inversions(v: &mut [f64], buffer: &mut [f64]) -> u64 {
    let n = v.len();
    if n < 2 {
        return 0;
    }
    let mid = n / 2;
    let (left, right) = v.split_at_mut(mid);
    let mut count = inversions(left, &mut buffer[..mid]) + inversions(right, &mut buffer[mid..]);
    let (mut i, mut j, mut k) = (0, 0, 0);
    while i < left.len() && j < right.len() {
        if right[j] < left[i] {
            // right[j] is below every value left in `left`: one inversion each.
            count += (left.len() - i) as u64;
            buffer[k] = right[j];
            j += 1;
        } else {
            buffer[k] = left[i];
            i += 1;
        }
        k += 1;
    }
    buffer[k..k + left.len() - i].copy_from_slice(&left[i..]);
    k += left.len() - i;
    buffer[k..k + right.len() - j].copy_from_slice(&right[j..]);
    v.copy_from_slice(&buffer[..n]);
    count
}

/// Kendall's tau-b by its definition, over every pair: O(n²).
fn kendall_tau_b_pairwise(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len();
    if n < 2 {
        return f64::NAN;
    }
    let (mut concordant, mut discordant, mut tied_x, mut tied_y) = (0f64, 0f64, 0f64, 0f64);
    for i in 0..n {
        for j in i + 1..n {
            let dx = x[i].partial_cmp(&x[j]).unwrap_or(Ordering::Equal);
            let dy = y[i].partial_cmp(&y[j]).unwrap_or(Ordering::Equal);
            match (dx, dy) {
                (Ordering::Equal, Ordering::Equal) => {
                    tied_x += 1.0;
                    tied_y += 1.0;
                }
                (Ordering::Equal, _) => tied_x += 1.0,
                (_, Ordering::Equal) => tied_y += 1.0,
                (a, b) if a == b => concordant += 1.0,
                _ => discordant += 1.0,
            }
        }
    }
    let n0 = (n * (n - 1) / 2) as f64;
    let denominator = ((n0 - tied_x) * (n0 - tied_y)).sqrt();
    if denominator <= 0.0 {
        return f64::NAN;
    }
    (concordant - discordant) / denominator
}

/// AUROC of `scores` for `positive` outcomes (Mann-Whitney, ties = 1/2).
#[cfg(test)]
pub fn auroc(scores: &[f64], positive: &[bool]) -> f64 {
    let n_pos = positive.iter().filter(|&&p| p).count();
    let n_neg = positive.len() - n_pos;
    if n_pos == 0 || n_neg == 0 {
        return f64::NAN;
    }
    auroc_of_ranks(&average_ranks(scores), positive)
}

/// `auroc` from the scores' average ranks (when they are at hand already).
pub fn auroc_of_ranks(ranks: &[f64], positive: &[bool]) -> f64 {
    let n_pos = positive.iter().filter(|&&p| p).count();
    let n_neg = positive.len() - n_pos;
    if n_pos == 0 || n_neg == 0 {
        return f64::NAN;
    }
    let r_pos: f64 = ranks.iter().zip(positive).filter(|(_, &p)| p).map(|(r, _)| r).sum();
    let (np, nn) = (n_pos as f64, n_neg as f64);
    (r_pos - np * (np + 1.0) / 2.0) / (np * nn)
}

/// Brier score of probabilities `p` for outcomes `positive`.
pub fn brier(p: &[f64], positive: &[bool]) -> f64 {
    if p.is_empty() {
        return f64::NAN;
    }
    p.iter()
        .zip(positive)
        .map(|(&p, &o)| {
            let o = if o { 1.0 } else { 0.0 };
            (p - o) * (p - o)
        })
        .sum::<f64>()
        / p.len() as f64
}

/// The smallest probability [`log_loss`] takes: f64's machine epsilon, as
/// scikit-learn's `log_loss` clips.
pub const LOG_LOSS_EPSILON: f64 = f64::EPSILON;

/// One outcome's term of the log loss, `-(o ln p + (1 - o) ln(1 - p))`, p clipped.
pub fn log_loss_term(p: f64, positive: bool) -> f64 {
    let p = p.clamp(LOG_LOSS_EPSILON, 1.0 - LOG_LOSS_EPSILON);
    if positive {
        -p.ln()
    } else {
        -(1.0 - p).ln()
    }
}

/// Log loss (cross-entropy) of probabilities `p` for outcomes `positive`.
pub fn log_loss(p: &[f64], positive: &[bool]) -> f64 {
    if p.is_empty() {
        return f64::NAN;
    }
    p.iter().zip(positive).map(|(&p, &o)| log_loss_term(p, o)).sum::<f64>() / p.len() as f64
}

/// Average precision of `scores` for `positive` outcomes (scikit-learn's definition:
/// ties are one threshold); NaN without a positive outcome.
pub fn average_precision(scores: &[f64], positive: &[bool]) -> f64 {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_unstable_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let weights = vec![1u64; scores.len()];
    average_precision_sorted(&order, scores, positive, &weights)
}

/// [`average_precision`] from the pairs sorted by score, highest first, pair `i`
/// counting `w[i]` times.
pub fn average_precision_sorted(descending: &[usize], scores: &[f64], positive: &[bool], w: &[u64]) -> f64 {
    let total: u64 = descending.iter().filter(|&&i| positive[i]).map(|&i| w[i]).sum();
    if total == 0 {
        return f64::NAN;
    }
    // Σ ΔTP_n P_n, divided by the positives once: exactly 1 when every outcome is one.
    let (mut tp, mut fp, mut sum) = (0u64, 0u64, 0.0);
    let mut j = 0;
    while j < descending.len() {
        let mut end = j + 1;
        while end < descending.len() && scores[descending[end]] == scores[descending[j]] {
            end += 1;
        }
        let before = tp;
        for &i in &descending[j..end] {
            if positive[i] {
                tp += w[i];
            } else {
                fp += w[i];
            }
        }
        if tp > before {
            sum += (tp - before) as f64 * (tp as f64 / (tp + fp) as f64);
        }
        j = end;
    }
    sum / total as f64
}

/// One bin of a reliability table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bin {
    /// The bin's bounds: `(lo, hi]`, the first `[0, 0.1]`.
    pub lo: f64,
    pub hi: f64,
    pub n: usize,
    /// Mean predicted probability and observed rate of positives (NaN when empty).
    pub mean_predicted: f64,
    pub observed: f64,
}

/// The reliability table of probabilities `p` (NaN left out) in `bins` bins of equal
/// width over [0, 1] (scikit-learn's `calibration_curve`, uniform strategy, which
/// leaves empty bins out: here they stay, with n = 0). Bins are `(lo, hi]`, the first
/// `[0, hi]`, as numpy's `searchsorted` places a value on an edge.
pub fn reliability(p: &[f64], positive: &[bool], bins: usize) -> Vec<Bin> {
    let mut sums = vec![(0usize, 0.0f64, 0usize); bins];
    let step = 1.0 / bins as f64;
    for (&p, &o) in p.iter().zip(positive) {
        if p.is_nan() {
            continue;
        }
        // scikit-learn: np.searchsorted(edges[1:-1], p) with numpy's edges `k * step`:
        // the inner edges below p (a p on an edge goes to the bin below it).
        let b = (1..bins).filter(|&k| k as f64 * step < p).count();
        sums[b].0 += 1;
        sums[b].1 += p;
        sums[b].2 += usize::from(o);
    }
    sums.iter()
        .enumerate()
        .map(|(b, &(n, sp, pos))| Bin {
            lo: b as f64 * step,
            hi: if b + 1 == bins { 1.0 } else { (b + 1) as f64 * step },
            n,
            mean_predicted: if n == 0 { f64::NAN } else { sp / n as f64 },
            observed: if n == 0 { f64::NAN } else { pos as f64 / n as f64 },
        })
        .collect()
}

/// Indices of the k highest scores (stable: earlier first among equal scores).
pub fn top_k(scores: &[f64], k: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    order.truncate(k);
    order
}

/// Share of the k highest-scored units with a positive outcome, ties at the k-th
/// place counted by their share of positives.
pub fn precision_at_k(scores: &[f64], positive: &[bool], k: usize) -> f64 {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_unstable_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let weights = vec![1u64; scores.len()];
    precision_at_k_sorted(&order, scores, positive, &weights, k)
}

/// [`precision_at_k`] from the pairs sorted by score, highest first, pair `i` counting
/// `w[i]` times; NaN when the pairs weigh less than k.
pub fn precision_at_k_sorted(descending: &[usize], scores: &[f64], positive: &[bool], w: &[u64], k: usize) -> f64 {
    let size: u64 = descending.iter().map(|&i| w[i]).sum();
    if k == 0 || size < k as u64 {
        return f64::NAN;
    }
    let k = k as u64;
    let (mut taken, mut hits, mut j) = (0u64, 0.0, 0);
    while taken < k && j < descending.len() {
        let mut end = j + 1;
        while end < descending.len() && scores[descending[end]] == scores[descending[j]] {
            end += 1;
        }
        let run = &descending[j..end];
        let weight: u64 = run.iter().map(|&i| w[i]).sum();
        let run_hits: u64 = run.iter().filter(|&&i| positive[i]).map(|&i| w[i]).sum();
        let places = weight.min(k - taken);
        hits += if places == weight {
            run_hits as f64
        } else {
            places as f64 * run_hits as f64 / weight as f64
        };
        taken += places;
        j = end;
    }
    hits / k as f64
}

/// `|top_k(a) ∩ top_k(b)| / k`.
pub fn top_k_overlap(a: &[f64], b: &[f64], k: usize) -> f64 {
    let k = k.min(a.len());
    if k == 0 {
        return f64::NAN;
    }
    let ta = top_k(a, k);
    let tb = top_k(b, k);
    ta.iter().filter(|i| tb.contains(i)).count() as f64 / k as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::prec::close;

    #[test]
    fn spearman_with_ties_by_hand() {
        // x ranks 1, 2.5, 2.5, 4; y ranks 1, 2, 3, 4: rho = Σ dr dr / sqrt(...) with
        // centred ranks (-1.5, 0, 0, 1.5) and (-1.5, -0.5, 0.5, 1.5): 4.5 / sqrt(4.5 * 5).
        let x = [1.0, 2.0, 2.0, 3.0];
        let y = [10.0, 20.0, 30.0, 40.0];
        assert!(close(spearman(&x, &y), 4.5 / (4.5f64 * 5.0).sqrt(), 1e-12));
        assert!(close(spearman(&y, &y), 1.0, 1e-12));
        assert!(spearman(&[1.0, 1.0], &[1.0, 2.0]).is_nan());
    }

    #[test]
    fn kendall_tau_b_with_ties_by_hand() {
        // Pairs of (1,10) (2,20) (2,30) (3,40): 5 concordant, 0 discordant, 1 tied in x:
        // tau_b = 5 / sqrt((6 - 1)(6 - 0)) = 5 / sqrt(30).
        let x = [1.0, 2.0, 2.0, 3.0];
        let y = [10.0, 20.0, 30.0, 40.0];
        assert!(close(kendall_tau_b(&x, &y), 5.0 / 30f64.sqrt(), 1e-12));
        // x = 1,2,3; y = 1,3,2: nc = 2, nd = 1 -> 1/3.
        assert!(close(
            kendall_tau_b(&[1.0, 2.0, 3.0], &[1.0, 3.0, 2.0]),
            1.0 / 3.0,
            1e-12
        ));
        // Ties on both sides: nc = 6, nd = 0, 2 pairs tied in x, 2 in y: 6 / sqrt(8 * 8).
        // python3 -c "from scipy.stats import kendalltau; print(kendalltau([1,2,2,3,3],[1,1,2,3,2]).statistic)"
        // prints 0.7499999999999999.
        assert!(close(
            kendall_tau_b(&[1.0, 2.0, 2.0, 3.0, 3.0], &[1.0, 1.0, 2.0, 3.0, 2.0]),
            0.75,
            1e-12
        ));
    }

    #[test]
    fn knights_tau_b_is_the_pairwise_value_to_the_bit() {
        // Seeded values with many ties (a few levels) and without, and -0.0 beside 0.0.
        let mut state = 42u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as f64 / (1u64 << 31) as f64
        };
        for n in [2, 3, 5, 17, 100, 333] {
            for levels in [2.0, 5.0, 0.0] {
                let mut draw = || {
                    let u = next();
                    if levels > 0.0 {
                        (u * levels).floor()
                    } else {
                        u
                    }
                };
                let x: Vec<f64> = (0..n).map(|_| draw()).collect();
                let mut y: Vec<f64> = (0..n).map(|_| draw()).collect();
                if n > 3 {
                    y[0] = -0.0;
                    y[1] = 0.0;
                }
                let (fast, slow) = (kendall_tau_b(&x, &y), kendall_tau_b_pairwise(&x, &y));
                assert!(
                    fast.to_bits() == slow.to_bits() || (fast.is_nan() && slow.is_nan()),
                    "n {n}, levels {levels}: {fast} vs {slow}"
                );
            }
        }
        // Constant x: undefined, as pairwise.
        assert!(kendall_tau_b(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]).is_nan());
    }

    #[test]
    fn inversions_are_counted() {
        // [3, 1, 2]: (3,1), (3,2); [2, 2]: none (ties are no inversion).
        assert_eq!(inversions(&mut [3.0, 1.0, 2.0], &mut [0.0; 3]), 2);
        assert_eq!(inversions(&mut [2.0, 2.0], &mut [0.0; 2]), 0);
        assert_eq!(inversions(&mut [4.0, 3.0, 2.0, 1.0], &mut [0.0; 4]), 6);
    }

    #[test]
    fn auroc_by_hand_with_a_tie() {
        // Positives score 0.9 and 0.5; negatives 0.5 and 0.1. Pairs: (0.9>0.5) 1,
        // (0.9>0.1) 1, (0.5=0.5) 1/2, (0.5>0.1) 1 -> 3.5 / 4.
        let s = [0.9, 0.5, 0.5, 0.1];
        let o = [true, true, false, false];
        assert!(close(auroc(&s, &o), 0.875, 1e-12));
        assert!(auroc(&s, &[true; 4]).is_nan());
        assert!(close(auroc(&[0.1, 0.9], &[true, false]), 0.0, 1e-12));
    }

    #[test]
    fn brier_by_hand() {
        // (0.8-1)² + (0.3-0)² + (0.5-1)² = 0.04 + 0.09 + 0.25 = 0.38; / 3.
        assert!(close(brier(&[0.8, 0.3, 0.5], &[true, false, true]), 0.38 / 3.0, 1e-12));
    }

    #[test]
    fn top_k_by_hand() {
        let s = [5.0, 9.0, 7.0, 1.0];
        assert_eq!(top_k(&s, 2), vec![1, 2]);
        assert!(close(precision_at_k(&s, &[false, true, false, true], 2), 0.5, 1e-12));
        // A tie at the 2nd place: 9 (positive), then 7, 7, 7 of which one positive fill
        // one place by their share: (1 + 1/3) / 2, whatever their order.
        let tied = [7.0, 9.0, 7.0, 7.0];
        for positive in [[true, true, false, false], [false, true, false, true]] {
            assert!(close(
                precision_at_k(&tied, &positive, 2),
                (1.0 + 1.0 / 3.0) / 2.0,
                1e-15
            ));
        }
        assert!(precision_at_k(&s, &[true; 4], 5).is_nan());
        assert!(close(top_k_overlap(&s, &[9.0, 8.0, 1.0, 2.0], 2), 0.5, 1e-12));
    }

    #[test]
    fn average_precision_by_hand_and_as_scikit_learn() {
        // Thresholds 0.9, 0.8 (two tied), 0.3, 0.1 over positives T, F, T, F, T:
        // 1/3 x 1 + 1/3 x 2/3 + 0 + 1/3 x 3/5 = 34/45; scikit-learn 1.9.1's
        // average_precision_score gives 0.7555555555555555.
        let s = [0.9, 0.8, 0.8, 0.3, 0.1];
        let o = [true, false, true, false, true];
        assert!(close(average_precision(&s, &o), 34.0 / 45.0, 1e-15));
        // One score for all: the share of positives (scikit-learn: 0.5).
        assert!(close(
            average_precision(&[1.0; 4], &[true, false, true, false]),
            0.5,
            1e-15
        ));
        assert!(average_precision(&s, &[false; 5]).is_nan());
        // Every outcome an event: exactly 1 (seven steps of 1/7 would sum to 1 - 2e-16).
        assert_eq!(average_precision(&[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7], &[true; 7]), 1.0);
        // Weights count a pair as often as drawn: pair 1 twice is the sample written out.
        let w = [1, 2, 1, 1, 1];
        let written = [0.9, 0.8, 0.8, 0.8, 0.3, 0.1];
        let written_o = [true, false, false, true, false, true];
        let order = [0, 1, 2, 3, 4];
        assert!(close(
            average_precision_sorted(&order, &s, &o, &w),
            average_precision(&written, &written_o),
            1e-15
        ));
    }

    #[test]
    fn log_loss_by_hand_and_clipped_as_scikit_learn() {
        // -(ln 0.8 + ln 0.7 + ln 1) / 3 = 0.19327283175098078 (scikit-learn); p = 1
        // for a positive costs nothing, p = 0 for a positive costs -ln(ε) = 36.04.
        assert!(close(
            log_loss(&[0.8, 0.3, 1.0], &[true, false, true]),
            0.19327283175098078,
            1e-15
        ));
        assert!(close(log_loss(&[0.0, 0.0], &[true, false]), 18.021826694558577, 1e-12));
        assert!(log_loss(&[], &[]).is_nan());
    }

    #[test]
    fn reliability_bins_as_scikit_learns_calibration_curve() {
        // calibration_curve([0,1,1,0,1], [0.05,0.1,0.15,0.3,0.95], n_bins=10): 0.1 lies
        // on an edge and joins the first bin: prob_pred 0.075, 0.15, 0.3, 0.95 and
        // prob_true 0.5, 1, 0, 1 over the non-empty bins.
        let p = [0.05, 0.1, 0.15, 0.3, 0.95, f64::NAN];
        let o = [false, true, true, false, true, true];
        let bins = reliability(&p, &o, 10);
        let filled: Vec<(usize, f64, f64)> = bins
            .iter()
            .filter(|b| b.n > 0)
            .map(|b| (b.n, b.mean_predicted, b.observed))
            .collect();
        assert_eq!(filled.len(), 4);
        for (got, want) in filled
            .iter()
            .zip([(2, 0.075, 0.5), (1, 0.15, 1.0), (1, 0.3, 0.0), (1, 0.95, 1.0)])
        {
            assert_eq!(got.0, want.0);
            assert!(close(got.1, want.1, 1e-15) && close(got.2, want.2, 1e-15), "{got:?}");
        }
        assert_eq!((bins[0].lo, bins[9].hi, bins[3].lo), (0.0, 1.0, 3.0 * 0.1));
        assert!(bins[5].mean_predicted.is_nan() && bins[5].n == 0);
    }
}

//! Ranking within a period: rank 1 = highest score (highest risk).
//!
//! # Formula
//! Sort the present scores in descending order. Units with equal scores take
//! - `average` ties (default): the mean of the positions they occupy, e.g. two units
//!   tied for 2nd and 3rd both get 2.5 (scipy `rankdata(method="average")` on -score);
//! - `min` ties: the best position they occupy (both get 2; "competition ranking").
//!
//! Missing scores get no rank (NaN).
//!
//! ## References
//! OECD/JRC (2008) Handbook, step 10 (presentation: ranks). Kendall (1945) for ties.

/// How tied scores share ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ties {
    Average,
    Min,
}

/// Names accepted in framework files.
pub const NAMES: &[&str] = &["average", "min"];

/// Insertion sort that gives up (returning false, the slice partly sorted) after
/// `budget` element moves.
fn insertion_sort_within(items: &mut [u64], budget: usize) -> bool {
    let mut moves = 0;
    for i in 1..items.len() {
        let item = items[i];
        let mut j = i;
        while j > 0 && items[j - 1] > item {
            items[j] = items[j - 1];
            j -= 1;
            moves += 1;
        }
        items[j] = item;
        if moves > budget {
            return false;
        }
    }
    true
}

/// Sort key of a score: its bits, mapped so that integer order is numeric order
/// (`-0.0` and `0.0` are made equal first).
fn key(x: f64) -> u64 {
    let bits = (x + 0.0).to_bits();
    // Negative: flip every bit; positive: flip the sign bit (branch-free).
    bits ^ (((bits as i64) >> 63) as u64 | (1 << 63))
}

/// Reusable buffers for [`rank_descending`].
#[derive(Debug, Default, Clone)]
pub struct RankScratch {
    packed: Vec<u64>,
    /// How many scores the last call ranked (its order is kept in `packed`).
    units: usize,
}

/// Ranks `scores` into `ranks` (1 = highest).
///
/// Each present score becomes one u64: its order-preserving bit pattern with the
/// lowest bits replaced by the unit's position, so a plain integer sort orders the
/// units (the uncertainty engine ranks every unit in every one of its many runs, and
/// sorting primitives is several times faster than sorting by a comparator). Units
/// whose patterns agree above those bits (scores within a few ulps, or equal) are
/// then put in exact order by their full pattern.
pub fn rank_descending(scores: &[f64], ties: Ties, scratch: &mut RankScratch, ranks: &mut [f64]) {
    let n = scores.len();
    let bits = (usize::BITS - n.max(2).saturating_sub(1).leading_zeros()).max(1);
    let mask = (1u64 << bits) - 1;
    // Descending: ascending on the complemented key.
    let full = |i: usize| !key(scores[i]);
    let packed = &mut scratch.packed;
    let warm = packed.len() == n && scratch.units == n && !scores.iter().any(|s| s.is_nan());
    if warm {
        // Re-key the previous call's order: when the scores moved little (a run that
        // changed one weight), it is nearly sorted and insertion sort finishes in
        // about n steps; past a budget of moves, sort from scratch.
        for p in packed.iter_mut() {
            let i = (*p & mask) as usize;
            *p = (!key(scores[i]) & !mask) | i as u64;
        }
        if !insertion_sort_within(packed, 4 * n) {
            packed.sort_unstable();
        }
    } else {
        packed.clear();
        packed.extend(
            scores
                .iter()
                .enumerate()
                .filter(|(_, s)| !s.is_nan())
                .map(|(i, &s)| (!key(s) & !mask) | i as u64),
        );
        packed.sort_unstable();
    }
    scratch.units = n;
    let m = packed.len();
    let same_high = |a: u64, b: u64| (a ^ b) >> bits == 0;
    let unit = |p: u64| (p & mask) as usize;
    let mut start = 0;
    while start < m {
        let mut end = start + 1;
        while end < m && same_high(packed[end], packed[start]) {
            end += 1;
        }
        if end - start > 1 {
            packed[start..end].sort_unstable_by_key(|&p| (full(unit(p)), p & mask));
        }
        start = end;
    }
    if m < n {
        ranks.iter_mut().for_each(|r| *r = f64::NAN);
    }
    let mut start = 0;
    while start < m {
        let mut end = start + 1;
        // Equal full keys share their upper bits: compare them only then.
        while end < m && same_high(packed[end], packed[start]) && full(unit(packed[end])) == full(unit(packed[start])) {
            end += 1;
        }
        let rank = match ties {
            Ties::Average => (start + 1 + end) as f64 / 2.0,
            Ties::Min => (start + 1) as f64,
        };
        for &p in &packed[start..end] {
            ranks[unit(p)] = rank;
        }
        start = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ranks(scores: &[f64], ties: Ties) -> Vec<f64> {
        let mut out = vec![0.0; scores.len()];
        rank_descending(scores, ties, &mut RankScratch::default(), &mut out);
        out
    }

    #[test]
    fn keys_follow_numeric_order() {
        let xs = [-1e300, -2.5, -0.0, 0.0, 1e-300, 3.0, f64::INFINITY];
        for w in xs.windows(2) {
            assert!(key(w[0]) <= key(w[1]), "{} {}", w[0], w[1]);
        }
        assert_eq!(key(-0.0), key(0.0));
    }

    #[test]
    fn near_equal_scores_are_ordered_exactly() {
        // 40 scores a few ulps apart: the packed sort cannot tell them apart, the fix-up must.
        let scores: Vec<f64> = (0..40).map(|i| 1.0 + ((i * 17) % 40) as f64 * f64::EPSILON).collect();
        let r = ranks(&scores, Ties::Average);
        for i in 0..40 {
            let higher = scores.iter().filter(|&&s| s > scores[i]).count();
            assert_eq!(r[i], higher as f64 + 1.0);
        }
    }

    #[test]
    fn ties_by_hand() {
        let s = [5.0, 7.0, 7.0, 1.0, f64::NAN];
        let avg = ranks(&s, Ties::Average);
        assert_eq!(&avg[..4], &[3.0, 1.5, 1.5, 4.0]);
        assert!(avg[4].is_nan());
        assert_eq!(&ranks(&s, Ties::Min)[..4], &[3.0, 1.0, 1.0, 4.0]);
    }

    proptest! {
        #[test]
        fn warm_ranks_equal_cold_ranks(a in proptest::collection::vec(0u8..50, 40..80), moves in proptest::collection::vec(0usize..80, 0..6)) {
            let a: Vec<f64> = a.into_iter().map(f64::from).collect();
            let mut b = a.clone();
            for m in moves {
                let i = m % b.len();
                b[i] += 3.5;
            }
            let mut scratch = RankScratch::default();
            let mut out = vec![0.0; a.len()];
            rank_descending(&a, Ties::Average, &mut scratch, &mut out);
            rank_descending(&b, Ties::Average, &mut scratch, &mut out);
            prop_assert_eq!(out, ranks(&b, Ties::Average));
        }

        #[test]
        fn radix_ranks_equal_comparison_ranks(s in proptest::collection::vec(-1e3f64..1e3, 1..1500), dup in 0usize..400) {
            let mut s = s;
            // Force some ties.
            for i in 0..dup.min(s.len() / 2) {
                s[2 * i + 1] = s[2 * i];
            }
            let mut order: Vec<usize> = (0..s.len()).collect();
            order.sort_by(|&a, &b| s[b].total_cmp(&s[a]));
            let mut expected = vec![0.0; s.len()];
            let mut start = 0;
            while start < order.len() {
                let mut end = start + 1;
                while end < order.len() && s[order[end]] == s[order[start]] {
                    end += 1;
                }
                for &i in &order[start..end] {
                    expected[i] = (start + 1 + end) as f64 / 2.0;
                }
                start = end;
            }
            prop_assert_eq!(ranks(&s, Ties::Average), expected);
        }

        #[test]
        fn average_ranks_sum_to_triangular_number(s in proptest::collection::vec(0u8..5, 1..40)) {
            let s: Vec<f64> = s.into_iter().map(f64::from).collect();
            let n = s.len() as f64;
            let total: f64 = ranks(&s, Ties::Average).iter().sum();
            prop_assert!((total - n * (n + 1.0) / 2.0).abs() < 1e-9);
        }
    }
}

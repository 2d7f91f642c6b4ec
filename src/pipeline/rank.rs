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

/// Ranks `scores` into `ranks` (1 = highest); `order` is scratch space.
pub fn rank_descending(scores: &[f64], ties: Ties, order: &mut Vec<usize>, ranks: &mut [f64]) {
    order.clear();
    order.extend((0..scores.len()).filter(|&i| !scores[i].is_nan()));
    order.sort_unstable_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    ranks.iter_mut().for_each(|r| *r = f64::NAN);
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && scores[order[end]] == scores[order[start]] {
            end += 1;
        }
        let rank = match ties {
            Ties::Average => (start + 1 + end) as f64 / 2.0,
            Ties::Min => (start + 1) as f64,
        };
        for &i in &order[start..end] {
            ranks[i] = rank;
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
        rank_descending(scores, ties, &mut Vec::new(), &mut out);
        out
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
        fn average_ranks_sum_to_triangular_number(s in proptest::collection::vec(0u8..5, 1..40)) {
            let s: Vec<f64> = s.into_iter().map(f64::from).collect();
            let n = s.len() as f64;
            let total: f64 = ranks(&s, Ties::Average).iter().sum();
            prop_assert!((total - n * (n + 1.0) / 2.0).abs() < 1e-9);
        }
    }
}

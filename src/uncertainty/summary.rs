//! Uncertainty summaries of a model output over all runs.
//!
//! # Formula
//! For output values y_1..y_M over the M runs: quantiles of type 7 (numpy's default
//! "linear", as the peer uses), median = Q(0.5), 5 % and 95 % = Q(0.05), Q(0.95);
//! mean absolute rank shift `(1/M) Σ |r_m - r_nominal|`.
//!
//! ## References
//! OECD/JRC (2008) Handbook, step 7 (uncertainty analysis). Saisana, Saltelli &
//! Tarantola (2005) Uncertainty and sensitivity analysis techniques as tools for the
//! quality assessment of composite indicators, JRSS A 168(2).

use crate::stats::quantile_sorted;

/// Median, 5 % and 95 % quantiles of `values` (reordered in place; NaNs ignored).
pub fn quantiles(values: &mut Vec<f64>) -> (f64, f64, f64) {
    values.retain(|v| !v.is_nan());
    (quantile(values, 0.5), quantile(values, 0.05), quantile(values, 0.95))
}

/// Type 7 quantile by selection, O(n) instead of a full sort: the order statistics
/// x_(lo) and x_(lo+1) around h = (n - 1) p.
pub fn quantile(values: &mut [f64], p: f64) -> f64 {
    let n = values.len();
    if n < 2 {
        return quantile_sorted(values, p);
    }
    let h = (n - 1) as f64 * p;
    let lo = h.floor() as usize;
    let (_, &mut below, above) = values.select_nth_unstable_by(lo, f64::total_cmp);
    if lo + 1 >= n {
        return below;
    }
    let next = above.iter().copied().fold(f64::INFINITY, f64::min);
    below + (h - lo as f64) * (next - below)
}

/// Mean of |v - nominal| over the present values.
pub fn mean_abs_shift(values: &[f64], nominal: f64) -> f64 {
    let (mut sum, mut n) = (0.0, 0usize);
    for &v in values {
        if !v.is_nan() {
            sum += (v - nominal).abs();
            n += 1;
        }
    }
    if n == 0 {
        f64::NAN
    } else {
        sum / n as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_matches_sorting() {
        let mut v: Vec<f64> = (0..1000).map(|i| ((i * 7919) % 1000) as f64 / 7.0).collect();
        let mut sorted = v.clone();
        sorted.sort_by(f64::total_cmp);
        for p in [0.0, 0.05, 0.333, 0.5, 0.95, 1.0] {
            assert_eq!(quantile(&mut v, p), quantile_sorted(&sorted, p));
        }
    }

    #[test]
    fn quantiles_and_shift_by_hand() {
        let mut v: Vec<f64> = (1..=21).map(f64::from).collect();
        // n = 21: h = 20 p -> Q(0.05) = 2, Q(0.5) = 11, Q(0.95) = 20
        assert_eq!(quantiles(&mut v), (11.0, 2.0, 20.0));
        assert_eq!(mean_abs_shift(&[1.0, 3.0, 4.0], 2.0), (1.0 + 1.0 + 2.0) / 3.0);
    }
}

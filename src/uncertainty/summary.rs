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

/// Median, 5 % and 95 % quantiles of `values` (reordered in place; NaNs ignored).
/// Run outputs are stored as f32; the interpolation is done in f64.
pub fn quantiles(values: &mut Vec<f32>) -> (f64, f64, f64) {
    values.retain(|v| !v.is_nan());
    // Select the median first; the 5 % and 95 % points then lie in its two halves.
    let median = quantile(values, 0.5);
    let n = values.len();
    if n < 4 {
        return (median, quantile(values, 0.05), quantile(values, 0.95));
    }
    let mid = ((n - 1) as f64 * 0.5).floor() as usize;
    let low = quantile_within(&mut values[..=mid], n, 0.05);
    let high = quantile_within(&mut values[mid..], n, 0.95);
    (median, low, high)
}

/// Quantile p of n values when `part` holds the order statistics it needs: the lower
/// part `[..=mid]` for p below the median (its offset is 0) or the upper `[mid..]`.
fn quantile_within(part: &mut [f32], n: usize, p: f64) -> f64 {
    let len = part.len();
    let offset = n - len;
    let h = (n - 1) as f64 * p - if p > 0.5 { offset as f64 } else { 0.0 };
    let lo = h.floor() as usize;
    let (_, &mut below, above) = part.select_nth_unstable_by(lo, f32::total_cmp);
    let below = f64::from(below);
    if lo + 1 >= len {
        return below;
    }
    let next = f64::from(above.iter().copied().fold(f32::INFINITY, f32::min));
    below + (h - lo as f64) * (next - below)
}

/// Type 7 quantile by selection, O(n) instead of a full sort: the order statistics
/// x_(lo) and x_(lo+1) around h = (n - 1) p.
pub fn quantile(values: &mut [f32], p: f64) -> f64 {
    let n = values.len();
    match n {
        0 => return f64::NAN,
        1 => return f64::from(values[0]),
        _ => {}
    }
    let h = (n - 1) as f64 * p;
    let lo = h.floor() as usize;
    let (_, &mut below, above) = values.select_nth_unstable_by(lo, f32::total_cmp);
    let below = f64::from(below);
    if lo + 1 >= n {
        return below;
    }
    let next = f64::from(above.iter().copied().fold(f32::INFINITY, f32::min));
    below + (h - lo as f64) * (next - below)
}

/// Median, 5 % and 95 % of ranks among `units` (values 1, 1.5, ..., units) by counting:
/// the same type 7 quantiles as [`quantiles`] in O(runs + units).
pub fn rank_quantiles(ranks: &[f32], units: usize) -> (f64, f64, f64) {
    // Bin b holds rank (b + 2) / 2.
    let bins = 2 * units.max(1);
    let mut counts = vec![0usize; bins];
    let mut m = 0;
    for &r in ranks {
        if !r.is_nan() {
            // Ranks are positive multiples of 0.5: 2r + 0.5 truncates to the nearest bin.
            counts[((2.0 * r + 0.5) as usize).saturating_sub(2).min(bins - 1)] += 1;
            m += 1;
        }
    }
    if m == 0 {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    // The k-th smallest (0-based) rank.
    let nth = |k: usize| {
        let mut seen = 0;
        for (b, &c) in counts.iter().enumerate() {
            seen += c;
            if seen > k {
                return (b + 2) as f64 / 2.0;
            }
        }
        units as f64
    };
    let q = |p: f64| {
        let h = (m - 1) as f64 * p;
        let lo = h.floor() as usize;
        let (a, b) = (nth(lo), nth((lo + 1).min(m - 1)));
        a + (h - lo as f64) * (b - a)
    };
    (q(0.5), q(0.05), q(0.95))
}

/// Mean of |v - nominal| over the present values.
pub fn mean_abs_shift(values: &[f32], nominal: f64) -> f64 {
    let (mut sum, mut n) = (0.0, 0usize);
    for &v in values {
        if !v.is_nan() {
            sum += (f64::from(v) - nominal).abs();
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
    use crate::stats::quantile_sorted;

    #[test]
    fn selection_matches_sorting() {
        let mut v: Vec<f32> = (0..1000).map(|i| ((i * 7919) % 1000) as f32 / 7.0).collect();
        let mut sorted: Vec<f64> = v.iter().map(|&x| f64::from(x)).collect();
        sorted.sort_by(f64::total_cmp);
        for p in [0.0, 0.05, 0.333, 0.5, 0.95, 1.0] {
            assert_eq!(quantile(&mut v, p), quantile_sorted(&sorted, p));
        }
        for n in [4, 5, 20, 21, 1000] {
            let mut w: Vec<f32> = v[..n].to_vec();
            let mut s: Vec<f64> = w.iter().map(|&x| f64::from(x)).collect();
            s.sort_by(f64::total_cmp);
            let want = (
                quantile_sorted(&s, 0.5),
                quantile_sorted(&s, 0.05),
                quantile_sorted(&s, 0.95),
            );
            assert_eq!(quantiles(&mut w), want, "n = {n}");
        }
    }

    #[test]
    fn quantiles_and_shift_by_hand() {
        let mut v: Vec<f32> = (1..=21).map(|i| i as f32).collect();
        // n = 21: h = 20 p -> Q(0.05) = 2, Q(0.5) = 11, Q(0.95) = 20
        assert_eq!(quantiles(&mut v), (11.0, 2.0, 20.0));
        assert_eq!(mean_abs_shift(&[1.0, 3.0, 4.0], 2.0), (1.0 + 1.0 + 2.0) / 3.0);
    }

    #[test]
    fn rank_counting_matches_sorting() {
        let ranks: Vec<f32> = (0..997).map(|i| ((i * 37) % 20) as f32 / 2.0 + 1.0).collect();
        assert_eq!(rank_quantiles(&ranks, 10), quantiles(&mut ranks.clone()));
    }
}

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

/// Median, 5 % and 95 % quantiles of `values` (reordered and overwritten; NaNs
/// ignored). Run outputs are stored as f32; the interpolation is done in f64.
///
/// The values are selected as integers: each f32 is replaced in place by the u32
/// whose order is the numeric order (sign-magnitude to offset binary), so the three
/// selections compare integers rather than floats.
pub fn quantiles(values: &mut [f32]) -> (f64, f64, f64) {
    let keys: &mut [u32] = bytemuck::cast_slice_mut(values);
    // Present values to the front, as keys.
    let mut n = 0;
    for i in 0..keys.len() {
        let bits = keys[i];
        if f32::from_bits(bits).is_nan() {
            continue;
        }
        keys[i] = keys[n];
        keys[n] = order_key(bits);
        n += 1;
    }
    let keys = &mut keys[..n];
    // Select the median first; the 5 % and 95 % points then lie in its two halves.
    let median = quantile_within(keys, n, 0.5);
    if n < 4 {
        return (median, quantile_within(keys, n, 0.05), quantile_within(keys, n, 0.95));
    }
    let mid = ((n - 1) as f64 * 0.5).floor() as usize;
    let low = quantile_within(&mut keys[..=mid], n, 0.05);
    let high = quantile_within(&mut keys[mid..], n, 0.95);
    (median, low, high)
}

/// The u32 whose integer order is the f32 total order of `bits`.
fn order_key(bits: u32) -> u32 {
    bits ^ ((((bits as i32) >> 31) as u32) | 0x8000_0000)
}

/// The f32 (as f64) of an [`order_key`].
fn from_key(key: u32) -> f64 {
    let bits = if key & 0x8000_0000 != 0 {
        key ^ 0x8000_0000
    } else {
        !key
    };
    f64::from(f32::from_bits(bits))
}

/// Type 7 quantile p of n keys when `part` holds the order statistics it needs: all
/// n, the lower part `[..=mid]` for p below the median (offset 0), or the upper
/// `[mid..]`. Selection, O(n) instead of a full sort: x_(lo) and x_(lo+1) around
/// h = (n - 1) p.
fn quantile_within(part: &mut [u32], n: usize, p: f64) -> f64 {
    let len = part.len();
    if len == 0 {
        return f64::NAN;
    }
    let offset = n - len;
    let h = (n - 1) as f64 * p - if p > 0.5 { offset as f64 } else { 0.0 };
    let lo = h.floor() as usize;
    let (_, &mut below, above) = part.select_nth_unstable(lo);
    let below = from_key(below);
    if lo + 1 >= len {
        return below;
    }
    let next = from_key(above.iter().copied().min().unwrap_or(u32::MAX));
    below + (h - lo as f64) * (next - below)
}

/// Type 7 quantile p of `values` (reordered and overwritten, as [`quantiles`]; NaNs
/// ignored).
#[cfg(test)]
pub fn quantile(values: &mut [f32], p: f64) -> f64 {
    let keys: &mut [u32] = bytemuck::cast_slice_mut(values);
    let mut n = 0;
    for i in 0..keys.len() {
        let bits = keys[i];
        if !f32::from_bits(bits).is_nan() {
            keys[i] = keys[n];
            keys[n] = order_key(bits);
            n += 1;
        }
    }
    quantile_within(&mut keys[..n], n, p)
}

/// Rank summary of one output: median, 5 % and 95 % rank, and mean |rank - nominal|.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RankSummary {
    pub median: f64,
    pub q05: f64,
    pub q95: f64,
    pub mean_abs_shift: f64,
}

/// [`RankSummary`] of ranks among `units` (values 1, 1.5, ..., units) by counting: the
/// same type 7 quantiles as [`quantiles`] and the same mean as `mean_abs_shift`, in
/// one pass over the runs and one over the 2 x units possible ranks. `counts` is a
/// reusable buffer.
pub fn rank_summary(ranks: &[f32], units: usize, nominal: f64, counts: &mut Vec<u32>) -> RankSummary {
    let bins = 2 * units.max(1);
    // Four interleaved histograms, summed after: a unit's ranks repeat, and one
    // histogram would make each count wait for the previous one to be stored.
    counts.clear();
    counts.resize(4 * bins, 0);
    let bin = |r: f32| {
        // Ranks are whole or half numbers in [1, units]: bin 2r - 2. 2r + 2^23 puts
        // the whole number 2r in the low mantissa bits (2r < 2^23).
        let twice = ((2.0 * r + 8_388_608.0).to_bits() & 0x7f_ffff) as usize;
        twice.saturating_sub(2).min(bins - 1)
    };
    let mut m = 0;
    let (quads, rest) = ranks.as_chunks::<4>();
    for quad in quads {
        for (k, &r) in quad.iter().enumerate() {
            if !r.is_nan() {
                counts[k * bins + bin(r)] += 1;
                m += 1;
            }
        }
    }
    for &r in rest {
        if !r.is_nan() {
            counts[bin(r)] += 1;
            m += 1;
        }
    }
    let (first, others) = counts.split_at_mut(bins);
    for other in others.chunks_exact(bins) {
        for (c, &o) in first.iter_mut().zip(other) {
            *c += o;
        }
    }
    counts.truncate(bins);
    if m == 0 {
        return RankSummary {
            median: f64::NAN,
            q05: f64::NAN,
            q95: f64::NAN,
            mean_abs_shift: f64::NAN,
        };
    }
    // Every term is a whole or half number, so this sum is exact.
    let shift: f64 = counts
        .iter()
        .enumerate()
        .filter(|(_, &c)| c > 0)
        .map(|(b, &c)| f64::from(c) * ((b + 2) as f64 / 2.0 - nominal).abs())
        .sum();
    // Order statistics x_(lo), x_(lo+1) of each quantile, found in one cumulative scan.
    let h = [0.5, 0.05, 0.95].map(|p| (m - 1) as f64 * p);
    let mut wanted = [0usize; 6];
    for (i, h) in h.iter().enumerate() {
        let lo = h.floor() as usize;
        wanted[2 * i] = lo;
        wanted[2 * i + 1] = (lo + 1).min(m - 1);
    }
    let mut value = [0.0; 6];
    let mut order: [usize; 6] = [0, 1, 2, 3, 4, 5];
    order.sort_by_key(|&k| wanted[k]);
    let (mut seen, mut next) = (0, 0);
    for (b, &c) in counts.iter().enumerate() {
        seen += c as usize;
        while next < 6 && wanted[order[next]] < seen {
            value[order[next]] = (b + 2) as f64 / 2.0;
            next += 1;
        }
        if next == 6 {
            break;
        }
    }
    let q = |i: usize| value[2 * i] + (h[i] - h[i].floor()) * (value[2 * i + 1] - value[2 * i]);
    RankSummary {
        median: q(0),
        q05: q(1),
        q95: q(2),
        mean_abs_shift: shift / m as f64,
    }
}

/// Mean of |v - nominal| over the present values.
#[cfg(test)]
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
        // Negative and positive values: the integer keys must keep their order.
        let v: Vec<f32> = (0..1000).map(|i| ((i * 7919) % 1000) as f32 / 7.0 - 60.0).collect();
        let mut sorted: Vec<f64> = v.iter().map(|&x| f64::from(x)).collect();
        sorted.sort_by(f64::total_cmp);
        for p in [0.0, 0.05, 0.333, 0.5, 0.95, 1.0] {
            assert_eq!(quantile(&mut v.clone(), p), quantile_sorted(&sorted, p));
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
        // Missing runs are left out.
        let mut gaps = [f32::NAN, 3.0, -1.5, f32::NAN, 2.0, -0.0, 0.0, -7.25];
        let present = [-7.25, -1.5, -0.0, 0.0, 2.0, 3.0];
        let want = (
            quantile_sorted(&present, 0.5),
            quantile_sorted(&present, 0.05),
            quantile_sorted(&present, 0.95),
        );
        assert_eq!(quantiles(&mut gaps), want);
        assert!(quantiles(&mut [f32::NAN]).0.is_nan());
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
        let r = rank_summary(&ranks, 10, 3.5, &mut Vec::new());
        assert_eq!((r.median, r.q05, r.q95), quantiles(&mut ranks.clone()));
        assert_eq!(r.mean_abs_shift, mean_abs_shift(&ranks, 3.5));
        // With missing runs and a single value.
        let mut gappy = ranks.clone();
        gappy[3] = f32::NAN;
        gappy[500] = f32::NAN;
        let r = rank_summary(&gappy, 10, 1.0, &mut Vec::new());
        assert_eq!((r.median, r.q05, r.q95), quantiles(&mut gappy.clone()));
        let one = rank_summary(&[2.5], 4, 1.0, &mut Vec::new());
        assert_eq!((one.median, one.q05, one.q95, one.mean_abs_shift), (2.5, 2.5, 2.5, 1.5));
    }
}

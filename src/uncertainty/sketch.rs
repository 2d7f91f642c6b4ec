//! Mergeable summaries of each output's ranks and scores over the runs, for
//! quantiles within a stated bound when the runs cannot all be kept
//! (`--quantiles sketch`).
//!
//! # Formula
//! Both are histograms of integer keys (counts add up, so parts merge exactly in any
//! order); a type 7 quantile (as [`super::summary`]) is read off the cumulative counts,
//! with each order statistic replaced by its bin's representative value.
//! - **Ranks**: y = 2 x rank is an integer in [2, 2U]; bin `(y - 2) / w` with
//!   `w = max(1, floor(U / 250))` half-ranks, represented by its middle. Each order
//!   statistic, and so each quantile, is within `(w - 1) / 4` ranks, at most U / 1000
//!   (0.1 % of the number of units); exact when U < 500.
//! - **Scores**: log buckets as DDSketch: with `γ = (1 + α) / (1 - α)`, α = 0.005,
//!   a value x with `|x| >= x0` goes to bucket `i = ceil(log_γ(|x| / x0))` (signed as
//!   x), represented by `x0 2 γ^i / (γ + 1)`: within α = 0.5 % of x. Values with
//!   `|x| < x0` go to the zero bucket; x0 is 10^-4 times the largest nominal |score| of
//!   the analysis. A quantile interpolated between two such values is within 0.5 % of
//!   the larger of their magnitudes (plus x0).
//!
//! ## References
//! Masson, Rim & Lee (2019) DDSketch: a fast and fully-mergeable quantile sketch with
//! relative-error guarantees, PVLDB 12(12). Hyndman & Fan (1996) Sample quantiles in
//! statistical packages, Am. Stat. 50(4) (type 7).

/// Relative accuracy of the score buckets.
pub const SCORE_ACCURACY: f64 = 0.005;

/// Counts of integer keys over a range that grows to hold every key added.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Histogram {
    offset: i64,
    counts: Vec<u32>,
}

impl Histogram {
    /// Counts one more `key`.
    #[inline]
    pub fn add(&mut self, key: i64) {
        if self.counts.is_empty() {
            self.offset = key;
            self.counts.push(0);
        }
        if key < self.offset {
            // Grow downwards by at least a quarter of the current length (amortised).
            let grow = ((self.offset - key) as usize).max(self.counts.len() / 4);
            let mut counts = vec![0; grow + self.counts.len()];
            counts[grow..].copy_from_slice(&self.counts);
            self.counts = counts;
            self.offset -= grow as i64;
        }
        let at = (key - self.offset) as usize;
        if at >= self.counts.len() {
            // Upwards by at least a quarter (Vec's doubling would leave half unused).
            let len = (at + 1).max(self.counts.len() + self.counts.len() / 4);
            self.counts.reserve_exact(len - self.counts.len());
            self.counts.resize(at + 1, 0);
        }
        self.counts[at] += 1;
    }

    /// Adds another histogram's counts.
    pub fn merge(&mut self, other: &Histogram) {
        let (Some(first), Some(last)) = (
            other.counts.iter().position(|&c| c > 0),
            other.counts.iter().rposition(|&c| c > 0),
        ) else {
            return;
        };
        // Make room for the other's first and last keys, then add slice to slice.
        for at in [first, last] {
            self.add(other.offset + at as i64);
            let key = other.offset + at as i64;
            self.counts[(key - self.offset) as usize] -= 1;
        }
        let from = (other.offset + first as i64 - self.offset) as usize;
        for (a, &b) in self.counts[from..].iter_mut().zip(&other.counts[first..=last]) {
            *a += b;
        }
    }

    /// Keys counted.
    pub fn total(&self) -> u64 {
        self.counts.iter().map(|&c| u64::from(c)).sum()
    }

    /// The first counted key and the counts from it to the last counted one (for
    /// writing a partial state: the spare room the histogram grew by is left out).
    pub fn parts(&self) -> (i64, &[u32]) {
        match (
            self.counts.iter().position(|&c| c > 0),
            self.counts.iter().rposition(|&c| c > 0),
        ) {
            (Some(first), Some(last)) => (self.offset + first as i64, &self.counts[first..=last]),
            _ => (0, &[]),
        }
    }

    /// The counts, given back for reuse.
    pub fn into_counts(self) -> Vec<u32> {
        self.counts
    }

    /// A histogram from its [`Histogram::parts`].
    pub fn from_parts(offset: i64, counts: Vec<u32>) -> Histogram {
        Histogram { offset, counts }
    }

    /// Type 7 quantiles `ps` of the counted values, each key standing for
    /// `value(key)`; NaN when nothing was counted.
    pub fn quantiles<const P: usize>(&self, ps: [f64; P], value: impl Fn(i64) -> f64) -> [f64; P] {
        let m = self.total();
        if m == 0 {
            return [f64::NAN; P];
        }
        let h = ps.map(|p| (m - 1) as f64 * p);
        // The order statistics wanted: floor(h) and the next, per quantile.
        let mut wanted: Vec<(u64, usize)> = Vec::with_capacity(2 * P);
        for (i, h) in h.iter().enumerate() {
            let lo = h.floor() as u64;
            wanted.push((lo, 2 * i));
            wanted.push(((lo + 1).min(m - 1), 2 * i + 1));
        }
        wanted.sort_unstable();
        let mut found = vec![0.0; 2 * P];
        let (mut seen, mut next) = (0u64, 0);
        for (k, &c) in self.counts.iter().enumerate() {
            seen += u64::from(c);
            while next < wanted.len() && wanted[next].0 < seen {
                found[wanted[next].1] = value(self.offset + k as i64);
                next += 1;
            }
            if next == wanted.len() {
                break;
            }
        }
        std::array::from_fn(|i| found[2 * i] + (h[i] - h[i].floor()) * (found[2 * i + 1] - found[2 * i]))
    }
}

/// The rank bins of an analysis of `units` units: width w in half-ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RankBins {
    pub width: i64,
    pub units: usize,
}

impl RankBins {
    pub fn new(units: usize) -> RankBins {
        RankBins {
            width: (units as i64 / 250).max(1),
            units,
        }
    }

    /// The bin of a rank (whole or half, in [1, units]).
    #[inline]
    pub fn key(&self, rank: f32) -> i64 {
        ((2.0 * rank) as i64 - 2) / self.width
    }

    /// The middle of bin `key`, as a rank (the last bin ends at `units`).
    pub fn value(&self, key: i64) -> f64 {
        let first = 2 + key * self.width;
        let last = (first + self.width - 1).min(2 * self.units as i64).max(first);
        (first + last) as f64 / 4.0
    }

    /// The most a quantile can be off, in ranks.
    pub fn bound(&self) -> f64 {
        (self.width - 1) as f64 / 4.0
    }
}

/// The score buckets: log buckets of relative width [`SCORE_ACCURACY`] above `x0`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreBuckets {
    pub x0: f64,
    gamma: f64,
    ln_gamma: f64,
}

impl ScoreBuckets {
    /// Buckets for scores whose largest nominal magnitude is `largest`.
    pub fn new(largest: f64) -> ScoreBuckets {
        // At least 1e-30, so that f32's largest value is a finite key (about 15,700).
        ScoreBuckets::with_x0(if largest.is_finite() && largest > 1e-26 {
            largest * 1e-4
        } else {
            1e-30
        })
    }

    /// Buckets whose zero bucket holds the values below `x0` in magnitude.
    pub fn with_x0(x0: f64) -> ScoreBuckets {
        let gamma = (1.0 + SCORE_ACCURACY) / (1.0 - SCORE_ACCURACY);
        ScoreBuckets {
            x0,
            gamma,
            ln_gamma: gamma.ln(),
        }
    }

    /// The bucket of a score: 0 near zero, else ± (1 + the log bucket).
    #[inline]
    pub fn key(&self, x: f32) -> i64 {
        let x = f64::from(x);
        let magnitude = x.abs();
        if magnitude < self.x0 {
            return 0;
        }
        let i = ((magnitude / self.x0).ln() / self.ln_gamma).ceil().clamp(0.0, 1e6) as i64 + 1;
        if x < 0.0 {
            -i
        } else {
            i
        }
    }

    /// The representative value of bucket `key`.
    pub fn value(&self, key: i64) -> f64 {
        if key == 0 {
            return 0.0;
        }
        let i = key.abs() - 1;
        let v = self.x0 * 2.0 * self.gamma.powi(i as i32) / (self.gamma + 1.0);
        if key < 0 {
            -v
        } else {
            v
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::quantile_sorted;

    #[test]
    fn histograms_grow_both_ways_and_merge_in_any_order() {
        let mut a = Histogram::default();
        for k in [5, 3, 9, -2, 5] {
            a.add(k);
        }
        let mut b = Histogram::default();
        for k in [100, -50] {
            b.add(k);
        }
        let mut ab = a.clone();
        ab.merge(&b);
        let mut ba = b.clone();
        ba.merge(&a);
        assert_eq!(ab.total(), 7);
        let q = |h: &Histogram| h.quantiles([0.0, 0.5, 1.0], |k| k as f64);
        assert_eq!(q(&ab), [-50.0, 5.0, 100.0]);
        assert_eq!(q(&ab), q(&ba));
        assert!(Histogram::default().quantiles([0.5], |k| k as f64)[0].is_nan());
        // Grown downwards with room to spare, it is written from its first counted key.
        let mut grown = Histogram::default();
        for k in [2, 58, 0] {
            grown.add(k);
        }
        assert!(grown.offset < 0);
        let (first, counts) = grown.parts();
        assert_eq!((first, counts.len(), counts.iter().sum::<u32>()), (0, 59, 3));
        assert_eq!(Histogram::default().parts(), (0, &[][..]));
    }

    #[test]
    fn rank_quantiles_are_exact_for_few_units_and_within_the_bound_for_many() {
        // 400 units: bins of one half-rank, the quantiles are the sorted ones'.
        let ranks: Vec<f32> = (0..5000).map(|i| ((i * 7919) % 799) as f32 / 2.0 + 1.0).collect();
        let mut sorted: Vec<f64> = ranks.iter().map(|&r| f64::from(r)).collect();
        sorted.sort_by(f64::total_cmp);
        let bins = RankBins::new(400);
        assert_eq!(bins.width, 1);
        let mut h = Histogram::default();
        ranks.iter().for_each(|&r| h.add(bins.key(r)));
        let ps = [0.05, 0.5, 0.95];
        assert_eq!(
            h.quantiles(ps, |k| bins.value(k)),
            ps.map(|p| quantile_sorted(&sorted, p))
        );
        // 64,818 units: w = 259 half-ranks, each quantile within 64.5 ranks (0.1 %).
        let units = 64_818;
        let bins = RankBins::new(units);
        assert_eq!((bins.width, bins.bound()), (259, 64.5));
        assert!(bins.bound() <= units as f64 / 1000.0);
        let ranks: Vec<f32> = (0..20_000u64)
            .map(|i| ((i * 2_654_435_761) % (2 * units as u64 - 1)) as f32 / 2.0 + 1.0)
            .collect();
        let mut sorted: Vec<f64> = ranks.iter().map(|&r| f64::from(r)).collect();
        sorted.sort_by(f64::total_cmp);
        let mut h = Histogram::default();
        ranks.iter().for_each(|&r| h.add(bins.key(r)));
        for (got, p) in h.quantiles(ps, |k| bins.value(k)).iter().zip(ps) {
            let want = quantile_sorted(&sorted, p);
            assert!((got - want).abs() <= bins.bound(), "p {p}: {got} vs {want}");
        }
        // The last bin ends at the last rank.
        let last = bins.key(units as f32);
        assert!(bins.value(last) <= units as f64);
    }

    #[test]
    fn score_buckets_keep_half_a_percent() {
        let b = ScoreBuckets::new(100.0);
        for x in [0.02f32, 0.5, 1.0, 3.25, 42.0, 99.9, 100.0, 250.0, -7.5, -0.02] {
            let v = b.value(b.key(x));
            let x = f64::from(x);
            assert!((v - x).abs() <= SCORE_ACCURACY * x.abs() * 1.000001, "{x} -> {v}");
            assert_eq!(v.signum(), x.signum());
        }
        // Order is kept: a larger value never gets a smaller key.
        let xs: Vec<f32> = (-400..400).map(|i| i as f32 * 0.37).collect();
        assert!(xs.windows(2).all(|w| b.key(w[0]) <= b.key(w[1])));
        assert_eq!(b.value(b.key(1e-3)), 0.0);
        // Quantiles of many scores against the sorted values.
        let scores: Vec<f32> = (0..10_000u64)
            .map(|i| ((i * 48_271) % 10_007) as f32 / 100.0 + 0.5)
            .collect();
        let mut sorted: Vec<f64> = scores.iter().map(|&x| f64::from(x)).collect();
        sorted.sort_by(f64::total_cmp);
        let mut h = Histogram::default();
        scores.iter().for_each(|&x| h.add(b.key(x)));
        for (got, p) in h
            .quantiles([0.05, 0.5, 0.95], |k| b.value(k))
            .iter()
            .zip([0.05, 0.5, 0.95])
        {
            let want = quantile_sorted(&sorted, p);
            assert!(
                (got - want).abs() <= SCORE_ACCURACY * want.abs(),
                "p {p}: {got} vs {want}"
            );
        }
    }
}

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
#[non_exhaustive]
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
        }
        moves += i - j;
        items[j] = item;
        if moves > budget {
            return false;
        }
    }
    true
}

/// Reusable buffers for [`rank_descending`].
#[derive(Debug, Default, Clone)]
pub struct RankScratch {
    packed: Vec<u64>,
    sorted: Vec<u64>,
    buckets: Vec<u32>,
}

/// Below this many units a comparison sort of the packed keys beats counting
/// (measured: counting is faster from 16 units on, 1.4 against 2.3 us at 200).
const BUCKET_FROM: usize = 8;

/// Up to this many units, two counting passes on the key's top 16 bits leave few
/// units sharing a 16-bit key; from here on, one pass over about 2 buckets per unit
/// and an insertion sort.
const RADIX_UNTIL: usize = 8192;

/// The map from a score to its 32-bit key, `q = round((max - x) * c / (max - min))`
/// with c = 2^32 - 256. Each step rounds monotonically, so x > y gives q(x) <= q(y):
/// ascending keys are descending scores, up to units sharing a key. The product is
/// at most c (1 + 2^-52)^2 < 2^32 - 128. A range that is empty, infinite or too
/// narrow to divide by gives scale 0 or inf: every key is then 0 (the low bits of 0,
/// inf and NaN), and the exact order comes from the fix-up for shared keys.
#[derive(Clone, Copy)]
struct Quantiser {
    hi: f64,
    scale: f64,
}

impl Quantiser {
    fn new(scores: &[f64]) -> Quantiser {
        // Eight running minima and maxima (vector lanes; NaNs fail both tests), then
        // the lanes and the last few scores.
        let (mut lo8, mut hi8) = ([f64::INFINITY; 8], [f64::NEG_INFINITY; 8]);
        let (chunks, rest) = scores.as_chunks::<8>();
        for chunk in chunks {
            for k in 0..8 {
                lo8[k] = if chunk[k] < lo8[k] { chunk[k] } else { lo8[k] };
                hi8[k] = if chunk[k] > hi8[k] { chunk[k] } else { hi8[k] };
            }
        }
        let lo = lo8.iter().chain(rest).fold(f64::INFINITY, |lo, &s| lo.min(s));
        let hi = hi8.iter().chain(rest).fold(f64::NEG_INFINITY, |hi, &s| hi.max(s));
        let scale = if hi > lo { 4_294_967_040.0 / (hi - lo) } else { 0.0 };
        Quantiser { hi, scale }
    }

    /// The key above the unit's position.
    fn pack(self, x: f64, unit: usize) -> u64 {
        // Adding 2^52 leaves the product, rounded to an integer, in the low bits of
        // the mantissa (one add instead of a saturating float-to-int conversion).
        let q = ((self.hi - x) * self.scale + 4_503_599_627_370_496.0).to_bits() & 0xffff_ffff;
        (q << 32) | unit as u64
    }
}

/// One stable counting-sort pass: `counts[b]` holds how many of `from` fall in bucket
/// b (`bucket(p)`); each key goes to `to` after the keys of the lower buckets, in
/// its order in `from`.
#[inline(always)]
fn scatter(from: &[u64], to: &mut [u64], counts: &mut [u32], bucket: impl Fn(u64) -> usize) {
    let mut total = 0;
    for c in counts.iter_mut() {
        let here = *c;
        *c = total;
        total += here;
    }
    for &p in from {
        let b = bucket(p);
        to[counts[b] as usize] = p;
        counts[b] += 1;
    }
}

fn unit(p: u64) -> usize {
    (p & 0xffff_ffff) as usize
}

/// Ranks `scores` into `ranks` (1 = highest).
///
/// The uncertainty engine ranks every unit in each of its many runs, so this sorts
/// integers, not floats by a comparator (2x faster at 200 and 2,000 units, see
/// `benches/rank.rs`):
/// 1. each present score becomes its `Quantiser` key packed above the unit's
///    position in one u64;
/// 2. below 8 units pdqsort sorts them; up to 8,191, two stable counting passes
///    sort them by the key's top 16 bits (radix sort, branch-free: at 200 units
///    1.2 us against 1.4 for the bucket pass below, whose insertion sort mispredicts);
///    from 8,192 on, one counting pass spreads them over about two buckets per unit
///    and an insertion sort finishes the buckets (pdqsort instead when outliers crowd
///    the others into few buckets);
/// 3. units sharing a key (the top 16 bits after the radix passes, all 32 otherwise:
///    equal scores, or scores close within the range) are put in exact order by
///    comparing their scores, and equal scores share ranks.
///
/// ```
/// use riskscore::rank::{rank_descending, RankScratch, Ties};
///
/// let scores = [3.0, 9.0, f64::NAN, 3.0];
/// let mut ranks = [0.0; 4];
/// rank_descending(&scores, Ties::Min, &mut RankScratch::default(), &mut ranks);
/// assert_eq!(ranks[..2], [2.0, 1.0]);
/// assert!(ranks[2].is_nan());
/// assert_eq!(ranks[3], 2.0);
/// ```
pub fn rank_descending(scores: &[f64], ties: Ties, scratch: &mut RankScratch, ranks: &mut [f64]) {
    let quantiser = Quantiser::new(scores);
    let packed = &mut scratch.packed;
    packed.clear();
    if scores.iter().any(|s| s.is_nan()) {
        packed.extend(
            scores
                .iter()
                .enumerate()
                .filter(|(_, s)| !s.is_nan())
                .map(|(i, &s)| quantiser.pack(s, i)),
        );
    } else {
        packed.extend(scores.iter().enumerate().map(|(i, &s)| quantiser.pack(s, i)));
    }
    let m = packed.len();
    let sorted = &mut scratch.sorted;
    // Keys equal in their top `32 - (group_shift - 32)` bits are put in exact order by
    // `assign`.
    let mut group_shift = 32;
    if m < BUCKET_FROM {
        std::mem::swap(packed, sorted);
        sorted.sort_unstable();
    } else if m < RADIX_UNTIL {
        // Two stable counting passes (least significant digit first) over the key's
        // top 16 bits, 8 bits each: no comparisons, so no mispredicted branches.
        let (mut low, mut high) = ([0u32; 256], [0u32; 256]);
        for &p in packed.iter() {
            low[(p >> 48) as usize & 255] += 1;
            high[(p >> 56) as usize & 255] += 1;
        }
        sorted.resize(m, 0);
        scatter(packed, sorted, &mut low, |p| (p >> 48) as usize & 255);
        scatter(sorted, packed, &mut high, |p| (p >> 56) as usize & 255);
        std::mem::swap(packed, sorted);
        group_shift = 48;
    } else {
        let bits = (usize::BITS - m.leading_zeros() + 1).min(16);
        let shift = 64 - bits;
        let mask = (1usize << bits) - 1;
        scratch.buckets.clear();
        scratch.buckets.resize(mask + 1, 0);
        // (`& mask` changes no index; it lets the compiler drop the bounds checks.)
        let buckets = &mut scratch.buckets[..=mask];
        for &p in packed.iter() {
            buckets[(p >> shift) as usize & mask] += 1;
        }
        sorted.resize(m, 0);
        scatter(packed, sorted, buckets, |p| (p >> shift) as usize & mask);
        // Keys are now in bucket order: one insertion sort over all of them finishes
        // each bucket (a key never moves below its bucket's start) with no loop over
        // the buckets. When outliers crowd the others into few buckets, pdqsort.
        if !insertion_sort_within(sorted, 4 * m) {
            sorted.sort_unstable();
        }
    }
    assign(scores, sorted, group_shift, ties, ranks);
}

/// Step 3 of [`rank_descending`]: exact order within keys that share their bits above
/// `group_shift` (packed), then ranks.
fn assign(scores: &[f64], sorted: &mut [u64], group_shift: u32, ties: Ties, ranks: &mut [f64]) {
    let m = sorted.len();
    if m < scores.len() {
        ranks.iter_mut().for_each(|r| *r = f64::NAN);
    }
    let mut start = 0;
    while start < m {
        let key = sorted[start] >> group_shift;
        let mut end = start + 1;
        while end < m && sorted[end] >> group_shift == key {
            end += 1;
        }
        if end == start + 1 {
            // A key of its own (the usual case): its position is its rank.
            ranks[unit(sorted[start])] = (start + 1) as f64;
            start = end;
            continue;
        }
        let shared = &mut sorted[start..end];
        shared.sort_unstable_by(|&a, &b| scores[unit(b)].total_cmp(&scores[unit(a)]).then(unit(a).cmp(&unit(b))));
        let mut first = 0;
        while first < shared.len() {
            let value = scores[unit(shared[first])];
            let mut last = first + 1;
            while last < shared.len() && scores[unit(shared[last])] == value {
                last += 1;
            }
            let rank = match ties {
                Ties::Average => (2 * start + first + 1 + last) as f64 / 2.0,
                Ties::Min => (start + first + 1) as f64,
            };
            for &p in &shared[first..last] {
                ranks[unit(p)] = rank;
            }
            first = last;
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

    /// Average ranks by a comparison sort of the unit positions (NaN: no rank).
    fn by_sorting(s: &[f64]) -> Vec<f64> {
        let mut order: Vec<usize> = (0..s.len()).filter(|&i| !s[i].is_nan()).collect();
        order.sort_by(|&a, &b| s[b].total_cmp(&s[a]));
        let mut r = vec![f64::NAN; s.len()];
        let mut first = 0;
        while first < order.len() {
            let mut last = first + 1;
            while last < order.len() && s[order[last]] == s[order[first]] {
                last += 1;
            }
            for &i in &order[first..last] {
                r[i] = (first + 1 + last) as f64 / 2.0;
            }
            first = last;
        }
        r
    }

    /// Ranks by counting: 1 + #higher + (#equal - 1) / 2 (average ties).
    fn counted(s: &[f64]) -> Vec<f64> {
        s.iter()
            .map(|&x| {
                if x.is_nan() {
                    return f64::NAN;
                }
                let higher = s.iter().filter(|&&y| y > x).count() as f64;
                let equal = s.iter().filter(|&&y| y == x).count() as f64;
                1.0 + higher + (equal - 1.0) / 2.0
            })
            .collect()
    }

    #[test]
    fn extreme_ranges_are_ranked_exactly() {
        let cases: [&[f64]; 6] = [
            &[
                -1e300,
                -2.5,
                -0.0,
                0.0,
                1e-300,
                3.0,
                f64::INFINITY,
                f64::NEG_INFINITY,
                3.0,
            ],
            &[1e308, -1e308, 0.0, 1.0],
            &[1.0, 1.0 + f64::EPSILON, 1.0, 1.0 + 2.0 * f64::EPSILON],
            &[5e-324, 0.0, 1e-323, 5e-324],
            &[f64::INFINITY, f64::INFINITY, 2.0],
            &[7.0; 5],
        ];
        for s in cases {
            let got = ranks(s, Ties::Average);
            let want = counted(s);
            assert_eq!(got, want, "{s:?}");
        }
        // -0.0 and 0.0 are equal scores.
        assert_eq!(ranks(&[0.0, -0.0, 1.0], Ties::Average), vec![2.5, 2.5, 1.0]);
    }

    /// Each of the three sorting paths (comparison, two counting passes, buckets and
    /// insertion sort) against ranks by sorting with a comparator, on sizes around
    /// their limits, with ties, a far outlier and missing scores.
    #[test]
    fn every_path_ranks_exactly() {
        let mut state = 7u64;
        let mut next = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as f64 / 2_147_483_648.0
        };
        for m in [
            BUCKET_FROM - 1,
            BUCKET_FROM,
            200,
            RADIX_UNTIL - 1,
            RADIX_UNTIL,
            RADIX_UNTIL + 3000,
        ] {
            let mut s: Vec<f64> = (0..m).map(|_| (next() * 1000.0).round() / 4.0).collect();
            s[0] = 1e12;
            if m > 20 {
                s[5] = f64::NAN;
                s[17] = s[3];
            }
            assert_eq!(
                ranks(&s, Ties::Average).iter().map(|r| r.to_bits()).collect::<Vec<_>>(),
                by_sorting(&s).iter().map(|r| r.to_bits()).collect::<Vec<_>>(),
                "m = {m}"
            );
        }
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
    fn quantiser_spans_the_present_range() {
        let c = 4_294_967_040.0;
        // Fewer than eight scores (no full lane), and a lane that holds only NaNs.
        let short = Quantiser::new(&[1.0, 5.0, 2.0]);
        assert_eq!((short.hi, short.scale), (5.0, c / 4.0));
        let mut gappy: Vec<f64> = (0..19).map(|i| i as f64 - 3.0).collect();
        gappy[3] = f64::NAN;
        gappy[11] = f64::NAN;
        let q = Quantiser::new(&gappy);
        assert_eq!((q.hi, q.scale), (15.0, c / 18.0));
        assert_eq!(q.pack(15.0, 7), 7);
        assert_eq!(q.pack(-3.0, 2) >> 32, 4_294_967_040);
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
        fn reused_scratch_gives_fresh_ranks(a in proptest::collection::vec(0u8..50, 40..80), moves in proptest::collection::vec(0usize..80, 0..6)) {
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
            prop_assert_eq!(&out, &ranks(&b, Ties::Average));
            rank_descending(&a, Ties::Min, &mut scratch, &mut out);
            prop_assert_eq!(&out, &ranks(&a, Ties::Min));
        }

        #[test]
        fn bucket_ranks_equal_comparison_ranks(s in proptest::collection::vec(-1e3f64..1e3, 1..1500), dup in 0usize..400) {
            let mut s = s;
            // Force some ties.
            for i in 0..dup.min(s.len() / 2) {
                s[2 * i + 1] = s[2 * i];
            }
            prop_assert_eq!(ranks(&s, Ties::Average), by_sorting(&s));
        }

        #[test]
        fn skewed_scores_are_ranked_exactly(e in proptest::collection::vec(-40f64..40.0, 1..600)) {
            // exp() piles most scores into a few buckets: the fallback sort must take over.
            let s: Vec<f64> = e.into_iter().map(f64::exp).collect();
            prop_assert_eq!(ranks(&s, Ties::Average), counted(&s));
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

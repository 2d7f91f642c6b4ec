//! Sobol indices of rank outputs from running sums: no run is kept, and the sums are
//! exact integers, so they add up in any order (batches, threads, shards) to the same
//! bits.
//!
//! # Formula
//! A rank is a whole or half number, so y = 2 x rank is an integer. Each output is
//! shifted by an integer c (twice its nominal rank): with, for sample i,
//! `x_i = y(A_i) - c`, `z_i = y(B_i) - c` and `d_ij = y(A_B^j_i) - y(A_i)`, the sums
//! kept per output are
//! `Sx, Sxx, Sz, Szz` and per group j `Sd_j = Σ d_ij`, `Szd_j = Σ z_i d_ij`,
//! `Sdd_j = Σ d_ij²` (T = 4 + 3G integers). With N samples, K = N (G + 2) runs and
//! `M = Sx + Sz + Σ_j (Sx + Sd_j)` (the sum of all K shifted outputs), SALib's
//! estimators ([`super::sobol`]: outputs centred on their mean M / K over all runs,
//! V the population variance of the 2N values f(A), f(B)) become exact fractions:
//! - `Vnum = 2N (Sxx + Szz) - (Sx + Sz)²` (= (2N)² V, in the doubled units)
//! - `S1_j = 4N (K Szd_j - M Sd_j) / (K Vnum)` (Saltelli et al. 2010)
//! - `ST_j = 2N Sdd_j / Vnum` (Jansen 1999)
//!
//! numerators and denominators in i128, one division in f64 at the end.
//!
//! Bootstrap: resample r draws sample i `c_ri` times ([`super::sobol::Bootstrap`]);
//! its sums are `Σ_i c_ri t_i` for every term t, kept per resample and output, and
//! its indices are the formulas above on them, with the centre M / K of the full
//! design (as [`super::sobol::analyse`]). Per batch of samples the resample sums are
//! one product (R x samples counts) x (samples x terms) in f64, exact while every sum
//! stays below 2^53 (checked; else added in integers).
//!
//! An output that never changes, or misses a rank in some run, has no indices (NaN).
//!
//! ## References
//! Saltelli et al. (2010) CPC 181:259-270, table 2 (b), (f). Jansen (1999) CPC
//! 117:35-43. Herman & Usher (2017) SALib, JOSS 2(9).

use super::sobol::{Bootstrap, Indices};
use rayon::prelude::*;
use std::ops::Range;

/// Outputs handled together by one task.
const BLOCK: usize = 64;

/// Integer terms per output for G groups.
pub(crate) fn terms(g: usize) -> usize {
    4 + 3 * g
}

/// The running sums of every rank output.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RankSums {
    pub(crate) n_out: usize,
    /// The most units a period ranks (ranks are at most this).
    pub(crate) units: usize,
    pub(crate) g: usize,
    pub(crate) resamples: usize,
    /// Per output, its T sums (see the module's formula).
    pub(crate) sums: Vec<i64>,
    /// Per output: the least and greatest y seen, and the runs without a rank.
    pub(crate) range: Vec<[i64; 3]>,
    /// Per output, per resample, its T sums: `[(o * R + r) * T + t]`.
    pub(crate) boot: Vec<i64>,
}

/// One batch of runs, run-major (run `k` of the batch has its outputs at
/// `[k * n_out, (k + 1) * n_out)`), made of whole Saltelli samples.
pub(crate) struct Batch<'a> {
    pub(crate) ranks: &'a [f32],
    /// The design's index of the batch's first sample, and its number of samples.
    pub(crate) first_sample: usize,
    pub(crate) samples: usize,
}

/// Samples whose terms are multiplied by the resample counts at once.
const SUB: usize = 128;

/// Per-thread buffers of [`RankSums::push`], kept between batches.
#[derive(Default)]
struct Scratch {
    terms: Vec<f64>,
    sums: Vec<f64>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
}

impl RankSums {
    /// Empty sums for `n_out` outputs (ranks among at most `units`), G groups and `resamples` bootstrap resamples.
    pub(crate) fn new(n_out: usize, units: usize, g: usize, resamples: usize) -> RankSums {
        let t = terms(g);
        RankSums {
            n_out,
            units,
            g,
            resamples,
            sums: vec![0; n_out * t],
            range: vec![[i64::MAX, i64::MIN, 0]; n_out],
            boot: vec![0; n_out * resamples * t],
        }
    }

    /// Bytes these sums take for `n_out` outputs.
    pub(crate) fn bytes(n_out: usize, g: usize, resamples: usize) -> u64 {
        8 * n_out as u64 * (terms(g) as u64 * (1 + resamples as u64) + 3)
    }

    /// Adds a batch; `shift[o]` is output o's c (twice its nominal rank). The bootstrap
    /// must be the one the sums were made for (its resamples), or none when there are
    /// no resamples.
    pub(crate) fn push(&mut self, batch: &Batch<'_>, shift: &[i64], boot: Option<&Bootstrap>) {
        let (n_out, g, resamples) = (self.n_out, self.g, self.resamples);
        let t = terms(g);
        let step = g + 2;
        assert_eq!(
            batch.ranks.len(),
            batch.samples * step * n_out,
            "a batch of whole samples"
        );
        assert_eq!(boot.map_or(0, Bootstrap::resamples), resamples);
        let boot_block = (BLOCK * resamples * t).max(1);
        // The resample sums of the batch are exact in f64 while each stays below 2^53:
        // every |term| is at most (2U)^2 (|x|, |z|, |d| < 2U).
        let largest = (2.0 * self.units as f64).powi(2);
        let in_f64 = boot.is_some_and(|boot| most_draws(boot, batch.first_sample, batch.samples) * largest < 9.0e15);
        let mut no_boot: Vec<i64> = Vec::new();
        let boot_sums: &mut Vec<i64> = if resamples > 0 { &mut self.boot } else { &mut no_boot };
        if resamples == 0 {
            boot_sums.resize(n_out.div_ceil(BLOCK), 0);
        }
        self.sums
            .par_chunks_mut(BLOCK * t)
            .zip(self.range.par_chunks_mut(BLOCK))
            .zip(boot_sums.par_chunks_mut(if resamples > 0 { boot_block } else { 1 }))
            .enumerate()
            .for_each(|(b, ((sums, range), boot_sums))| {
                SCRATCH.with_borrow_mut(|scratch| {
                    let from = b * BLOCK;
                    let cols = range.len() * t;
                    scratch.sums.clear();
                    scratch.sums.resize(resamples * cols, 0.0);
                    for first in (0..batch.samples).step_by(SUB) {
                        let part = first..(first + SUB).min(batch.samples);
                        self::sums(
                            batch,
                            part.clone(),
                            from,
                            g,
                            shift,
                            sums,
                            range,
                            boot.is_some(),
                            scratch,
                        );
                        if let Some(boot) = boot {
                            let first = batch.first_sample + part.start;
                            if in_f64 {
                                multiply(boot, first, part.len(), cols, scratch);
                            } else {
                                add_exactly(boot, first, part.len(), t, scratch, boot_sums);
                            }
                        }
                    }
                    if boot.is_some() && in_f64 {
                        carry(&scratch.sums, t, resamples, boot_sums);
                    }
                })
            });
    }

    /// Adds another part's sums (the same outputs, groups and resamples). (Shard files are added with
    /// [`super::shard::ShardFile::add_into`]; this is its in-memory twin for tests.)
    #[cfg(test)]
    pub(crate) fn merge(&mut self, other: &RankSums) {
        assert_eq!(
            (self.n_out, self.g, self.resamples),
            (other.n_out, other.g, other.resamples)
        );
        for (a, b) in self.sums.iter_mut().zip(&other.sums) {
            *a += b;
        }
        for (a, b) in self.boot.iter_mut().zip(&other.boot) {
            *a += b;
        }
        for (a, b) in self.range.iter_mut().zip(&other.range) {
            *a = join_range(*a, *b).expect("fewer than 2^63 runs");
        }
    }

    /// The indices of output o over a design of `n` samples; `z` is the bootstrap's
    /// normal quantile.
    pub(crate) fn indices(&self, o: usize, n: usize, z: f64) -> Indices {
        let (g, t, resamples) = (self.g, terms(self.g), self.resamples);
        let nan = vec![f64::NAN; g];
        let [lo, hi, missing] = self.range[o];
        if missing > 0 || lo >= hi {
            return Indices {
                s1: nan.clone(),
                s1_conf: nan.clone(),
                st: nan.clone(),
                st_conf: nan,
            };
        }
        let s = &self.sums[o * t..(o + 1) * t];
        let n = n as i128;
        let k = n * (g as i128 + 2);
        let m =
            i128::from(s[0]) + i128::from(s[2]) + (0..g).map(|j| i128::from(s[0]) + i128::from(s[4 + j])).sum::<i128>();
        let estimate = |s: &[i64], j: usize| {
            let at = |i: usize| i128::from(s[i]);
            let v = 2 * n * (at(1) + at(3)) - (at(0) + at(2)) * (at(0) + at(2));
            let s1 = (4 * n * (k * at(4 + g + j) - m * at(4 + j))) as f64 / (k * v) as f64;
            let st = (2 * n * at(4 + 2 * g + j)) as f64 / v as f64;
            (s1, st)
        };
        let mut out = Indices {
            s1: nan.clone(),
            s1_conf: nan.clone(),
            st: nan.clone(),
            st_conf: nan,
        };
        let mut s1_r = vec![0.0; resamples];
        let mut st_r = vec![0.0; resamples];
        for j in 0..g {
            (out.s1[j], out.st[j]) = estimate(s, j);
            if resamples > 0 {
                for r in 0..resamples {
                    let at = (o * resamples + r) * t;
                    (s1_r[r], st_r[r]) = estimate(&self.boot[at..at + t], j);
                }
                out.s1_conf[j] = z * crate::stats::sd_sample(&s1_r);
                out.st_conf[j] = z * crate::stats::sd_sample(&st_r);
            }
        }
        out
    }
}

/// Adds samples `part` of a batch to the sums and ranges of the outputs `from..from +
/// range.len()`; with `keep_terms` (a bootstrap will want them), also writes each
/// sample's terms to `scratch.terms` (samples x outputs x T).
#[allow(clippy::too_many_arguments)]
fn sums(
    batch: &Batch<'_>,
    part: Range<usize>,
    from: usize,
    g: usize,
    shift: &[i64],
    sums: &mut [i64],
    range: &mut [[i64; 3]],
    keep_terms: bool,
    scratch: &mut Scratch,
) {
    let (t, step, width) = (terms(g), g + 2, range.len());
    let n_out = batch.ranks.len() / (batch.samples * step).max(1);
    scratch.terms.clear();
    scratch
        .terms
        .resize(if keep_terms { part.len() * width * t } else { t }, 0.0);
    for (local, s) in part.enumerate() {
        let row = |k: usize| {
            let at = (s * step + k) * n_out + from;
            &batch.ranks[at..at + width]
        };
        let (a_row, b_row) = (row(0), row(step - 1));
        for q in 0..width {
            let c = shift[from + q];
            let range = &mut range[q];
            let mut see = |r: f32| {
                if r.is_finite() {
                    let y = twice(r);
                    range[0] = range[0].min(y);
                    range[1] = range[1].max(y);
                } else {
                    range[2] += 1;
                }
            };
            see(a_row[q]);
            see(b_row[q]);
            let ya = twice(a_row[q]);
            let (x, z) = (ya - c, twice(b_row[q]) - c);
            // Term i of this sample: added to the sums, and kept for the bootstrap.
            let at = if keep_terms { (local * width + q) * t } else { 0 };
            let term = &mut scratch.terms[at..at + t];
            let sums = &mut sums[q * t..(q + 1) * t];
            let mut put = |i: usize, v: i64| {
                sums[i] += v;
                term[i] = v as f64;
            };
            put(0, x);
            put(1, x * x);
            put(2, z);
            put(3, z * z);
            for j in 0..g {
                let r = row(1 + j)[q];
                see(r);
                let d = twice(r) - ya;
                put(4 + j, d);
                put(4 + g + j, z * d);
                put(4 + 2 * g + j, d * d);
            }
        }
    }
}

/// The ranges of two parts: the least and greatest y, and the runs without a rank
/// (`None` past 2^63 of them: a damaged part).
pub(crate) fn join_range(a: [i64; 3], b: [i64; 3]) -> Option<[i64; 3]> {
    Some([a[0].min(b[0]), a[1].max(b[1]), a[2].checked_add(b[2])?])
}

/// Twice a rank, as an integer (ranks are whole or half numbers; a missing one is 0).
#[inline(always)]
pub(crate) fn twice(rank: f32) -> i64 {
    if rank.is_finite() {
        (2.0 * rank) as i64
    } else {
        0
    }
}

/// The most draws any resample makes among samples `first..first + samples`.
fn most_draws(boot: &Bootstrap, first: usize, samples: usize) -> f64 {
    let (n, counts) = (boot.n(), boot.counts64());
    (0..boot.resamples())
        .map(|r| counts[r * n + first..r * n + first + samples].iter().sum::<f64>())
        .fold(0.0, f64::max)
}

/// Adds to `scratch.sums` (R x cols) the resample sums of samples `first..first +
/// samples`, whose terms are `scratch.terms` (samples x cols): counts x terms.
fn multiply(boot: &Bootstrap, first: usize, samples: usize, cols: usize, scratch: &mut Scratch) {
    let (resamples, n, counts) = (boot.resamples(), boot.n(), boot.counts64());
    assert!(
        first + samples <= n
            && counts.len() == resamples * n
            && scratch.terms.len() == samples * cols
            && scratch.sums.len() == resamples * cols
    );
    // SAFETY: counts is R x n row-major (the columns from `first`, row stride n), terms
    // samples x cols and sums R x cols, both row-major; sizes checked above.
    unsafe {
        matrixmultiply::dgemm(
            resamples,
            samples,
            cols,
            1.0,
            counts.as_ptr().add(first),
            n as isize,
            1,
            scratch.terms.as_ptr(),
            cols as isize,
            1,
            1.0,
            scratch.sums.as_mut_ptr(),
            cols as isize,
            1,
        );
    }
}

/// Carries a block's resample sums (R x cols, whole numbers) into its integer sums
/// `[(q * R + r) * T + t]`.
fn carry(sums: &[f64], t: usize, resamples: usize, out: &mut [i64]) {
    let cols = sums.len() / resamples.max(1);
    for (r, row) in sums.chunks_exact(cols).enumerate() {
        for (q, terms) in row.chunks_exact(t).enumerate() {
            let to = &mut out[(q * resamples + r) * t..(q * resamples + r + 1) * t];
            for (o, &v) in to.iter_mut().zip(terms) {
                *o += v as i64;
            }
        }
    }
}

/// As [`multiply`] then [`carry`], in integers: for sums that could pass 2^53.
fn add_exactly(boot: &Bootstrap, first: usize, samples: usize, t: usize, scratch: &Scratch, out: &mut [i64]) {
    let (resamples, n, counts) = (boot.resamples(), boot.n(), boot.counts64());
    let cols = scratch.terms.len() / samples.max(1);
    for r in 0..resamples {
        for (s, &c) in counts[r * n + first..r * n + first + samples].iter().enumerate() {
            if c != 0.0 {
                for (col, &v) in scratch.terms[s * cols..(s + 1) * cols].iter().enumerate() {
                    out[((col / t) * resamples + r) * t + col % t] += c as i64 * v as i64;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::sobol::{analyse, Scratch};
    use super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    /// A design of `n` samples over `n_out` rank outputs (G = 2, ranks among 40 units,
    /// whole and half), run-major.
    fn design(n: usize, n_out: usize, seed: u64) -> Vec<f32> {
        let mut rng = StdRng::seed_from_u64(seed);
        let step = 4;
        let mut ranks = vec![0.0; n * step * n_out];
        for s in 0..n {
            for o in 0..n_out {
                // Output o leans on group o % 2: A_B^j moves it from A by group j's part.
                let (a1, a2, b1, b2) = (
                    rng.random_range(0..20),
                    rng.random_range(0..20),
                    rng.random_range(0..20),
                    rng.random_range(0..20),
                );
                let y = |g1: i32, g2: i32| {
                    let v = if o % 2 == 0 { 3 * g1 + g2 } else { g1 + 2 * g2 };
                    (v % 79) as f32 / 2.0 + 1.0
                };
                let runs = [y(a1, a2), y(b1, a2), y(a1, b2), y(b1, b2)];
                for (k, r) in runs.into_iter().enumerate() {
                    ranks[(s * step + k) * n_out + o] = r;
                }
            }
        }
        ranks
    }

    /// Sums of `ranks` (samples `first..`, G = 2) among `units` with `boot`'s resamples.
    fn summed(
        ranks: &[f32],
        first: usize,
        n_out: usize,
        units: usize,
        shift: &[i64],
        boot: Option<&Bootstrap>,
    ) -> RankSums {
        let mut sums = RankSums::new(n_out, units, 2, boot.map_or(0, Bootstrap::resamples));
        let samples = ranks.len() / (4 * n_out);
        sums.push(
            &Batch {
                ranks,
                first_sample: first,
                samples,
            },
            shift,
            boot,
        );
        sums
    }

    fn column(ranks: &[f32], n_out: usize, o: usize) -> Vec<f64> {
        ranks.chunks(n_out).map(|row| f64::from(row[o])).collect()
    }

    #[test]
    fn integer_sums_give_salibs_indices() {
        let (n, n_out) = (512, 5);
        let ranks = design(n, n_out, 7);
        let shift: Vec<i64> = (0..n_out as i64).map(|o| 2 * (o + 3)).collect();
        let boot = Bootstrap::new(n, 50, 3, 0.95);
        let sums = summed(&ranks, 0, n_out, 40, &shift, Some(&boot));
        for o in 0..n_out {
            let y = column(&ranks, n_out, o);
            let want = &analyse(&[&y[..]], n, 2, Some(&boot), &mut Scratch::default())[0];
            let got = sums.indices(o, n, boot.z());
            for j in 0..2 {
                assert!(
                    (got.s1[j] - want.s1[j]).abs() < 1e-12,
                    "S1 {} vs {}",
                    got.s1[j],
                    want.s1[j]
                );
                assert!(
                    (got.st[j] - want.st[j]).abs() < 1e-12,
                    "ST {} vs {}",
                    got.st[j],
                    want.st[j]
                );
                // The reference's resample sums are f32: close, not equal.
                assert!((got.s1_conf[j] - want.s1_conf[j]).abs() < 1e-3 * (1.0 + want.s1_conf[j]));
                assert!((got.st_conf[j] - want.st_conf[j]).abs() < 1e-3 * (1.0 + want.st_conf[j]));
            }
            // The group an output leans on has the larger index.
            assert!(got.st[o % 2] > got.st[1 - o % 2]);
        }
    }

    #[test]
    fn batches_and_parts_add_up_to_the_same_bits() {
        let (n, n_out) = (96, 150);
        let ranks = design(n, n_out, 11);
        let shift = vec![40; n_out];
        let boot = Bootstrap::new(n, 20, 5, 0.9);
        let whole = summed(&ranks, 0, n_out, 40, &shift, Some(&boot));
        // Three batches of unequal size, and two parts merged the other way round.
        let part = |from: usize, to: usize| {
            summed(
                &ranks[from * 4 * n_out..to * 4 * n_out],
                from,
                n_out,
                40,
                &shift,
                Some(&boot),
            )
        };
        let mut batched = part(0, 10);
        batched.merge(&part(10, 11));
        batched.merge(&part(11, n));
        assert_eq!(batched, whole);
        let mut reversed = part(50, n);
        reversed.merge(&part(0, 50));
        assert_eq!(reversed, whole);
        // Said to rank among 2^40 units, the resample sums could pass 2^53 in f64: they
        // are added in integers instead, to the same values.
        let wide = summed(&ranks, 0, n_out, 1 << 40, &shift, Some(&boot));
        assert_eq!(wide.boot, whole.boot);
    }

    #[test]
    fn outputs_that_never_move_or_miss_a_rank_have_no_indices() {
        let n = 8;
        let mut ranks = vec![3.0f32; n * 4 * 2];
        ranks[5] = f32::NAN; // output 1, run 2
        let sums = summed(&ranks, 0, 2, 40, &[6, 6], None);
        for o in 0..2 {
            assert!(sums.indices(o, n, f64::NAN).s1.iter().all(|v| v.is_nan()));
        }
    }

    #[test]
    fn hand_checked_sums() {
        // One sample, G = 1: runs A, A_B^1, B with ranks 2, 3.5, 1; shift c = 4.
        // x = 4 - 4 = 0, z = 2 - 4 = -2, d = 7 - 4 = 3.
        let mut sums = RankSums::new(1, 3, 1, 0);
        sums.push(
            &Batch {
                ranks: &[2.0, 3.5, 1.0],
                first_sample: 0,
                samples: 1,
            },
            &[4],
            None,
        );
        assert_eq!(sums.sums, vec![0, 0, -2, 4, 3, -6, 9]);
        assert_eq!(sums.range, vec![[2, 7, 0]]);
    }
}

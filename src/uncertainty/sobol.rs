//! Variance-based sensitivity indices from a Saltelli design, with bootstrap
//! confidence intervals; estimators as SALib's `sobol.analyze` (no second order).
//!
//! # Formula
//! Each output Y is first centred, `Y - mean` over all runs (SALib also divides by the
//! standard deviation, which cancels in every ratio below). With f(A), f(B), f(A_B^(i)) over the N samples and
//! `V = var([f(A), f(B)])` (population variance of the 2N values):
//! - first order (Saltelli et al. 2010): `S_i = mean(f(B) (f(A_B^i) - f(A))) / V`
//! - total (Jansen 1999): `ST_i = mean((f(A) - f(A_B^i))^2) / (2V)`
//!
//! Bootstrap: R resamples of the N sample indices with replacement; in resample r the
//! means are taken over the drawn samples and `V_r` from the drawn f(A), f(B). The
//! interval half-width is `z sd_r(S_i^(r))` with `z = Φ^{-1}(1/2 + level/2)` (SALib's
//! `S1_conf`); we report `S_i ± half-width`. Resample means are computed for many
//! outputs at once as a (R x N count matrix) x (N x terms) product (sgemm, f32: the
//! counts are exact and interval widths need few digits; point estimates stay f64).
//! An output that never changes has no variance: its indices are NaN.
//!
//! ## References
//! Saltelli et al. (2010) CPC 181:259-270, table 2 (b), (f). Jansen (1999) CPC
//! 117:35-43. Herman & Usher (2017) SALib, JOSS 2(9). Efron & Tibshirani (1993)
//! An Introduction to the Bootstrap.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use statrs::distribution::{ContinuousCDF, Normal};

/// Indices of one output, one entry per factor group.
#[derive(Debug, Clone, PartialEq)]
pub struct Indices {
    pub s1: Vec<f64>,
    pub s1_conf: Vec<f64>,
    pub st: Vec<f64>,
    pub st_conf: Vec<f64>,
}

impl Indices {
    fn nan(g: usize) -> Indices {
        Indices {
            s1: vec![f64::NAN; g],
            s1_conf: vec![f64::NAN; g],
            st: vec![f64::NAN; g],
            st_conf: vec![f64::NAN; g],
        }
    }
}

/// Bootstrap resamples as a count matrix: `counts[r * n + i]` = times sample i is drawn.
#[derive(Debug, Clone)]
/// The fields agree by construction (`counts` is `resamples x n`), so they stay private.
pub struct Bootstrap {
    resamples: usize,
    n: usize,
    counts: Vec<f32>,
    /// The same counts in f64, for the streaming sums' products ([`super::stream`]).
    counts64: Vec<f64>,
    z: f64,
}

impl Bootstrap {
    /// Draws `resamples` resamples of `n` indices from a generator seeded by `seed`.
    pub fn new(n: usize, resamples: usize, seed: u64, confidence: f64) -> Bootstrap {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut counts = vec![0f32; resamples * n];
        for r in 0..resamples {
            for _ in 0..n {
                counts[r * n + rng.random_range(0..n)] += 1.0;
            }
        }
        let z = Normal::new(0.0, 1.0).map_or(1.959964, |d| d.inverse_cdf(0.5 + confidence / 2.0));
        Bootstrap {
            resamples,
            n,
            counts64: counts.iter().map(|&c| f64::from(c)).collect(),
            counts,
            z,
        }
    }

    /// Resamples drawn.
    pub fn resamples(&self) -> usize {
        self.resamples
    }

    /// Sample size each resample draws from (the N of the design).
    pub fn n(&self) -> usize {
        self.n
    }

    /// The counts, `[r * n + i]`, in f64.
    pub(crate) fn counts64(&self) -> &[f64] {
        &self.counts64
    }

    /// The normal quantile the interval half-widths are multiplied by.
    pub(crate) fn z(&self) -> f64 {
        self.z
    }
}

/// Mean of an output over all runs; `None` if it never varies (or is not finite).
/// Summed in four lanes (value i to lane i mod 4, a fixed order whatever the thread),
/// so that the additions proceed side by side rather than as one chain.
fn centre<T: Copy + Into<f64>>(y: &[T]) -> Option<f64> {
    let first: f64 = y.first().copied()?.into();
    let (mut sum, mut varies) = ([0.0; 4], false);
    let (quads, rest) = y.as_chunks::<4>();
    for quad in quads {
        for k in 0..4 {
            let v: f64 = quad[k].into();
            sum[k] += v;
            varies |= v != first;
        }
    }
    for (k, &v) in rest.iter().enumerate() {
        let v: f64 = v.into();
        sum[k] += v;
        varies |= v != first;
    }
    let mean = ((sum[0] + sum[1]) + (sum[2] + sum[3])) / y.len() as f64;
    (varies && mean.is_finite()).then_some(mean)
}

/// `Σ u_i v_i` and `Σ v_i^2`, each summed in four lanes (term i to lane i mod 4);
/// each term is also written as f32 to `uv[i]` and `vv[i]`.
fn product_terms(u: &[f64], v: &[f64], uv: &mut [f32], vv: &mut [f32]) -> (f64, f64) {
    let (mut s_uv, mut s_vv) = ([0.0f64; 4], [0.0f64; 4]);
    let (uq, ur) = u.as_chunks::<4>();
    let (vq, vr) = v.as_chunks::<4>();
    let (uvq, uvr) = uv.as_chunks_mut::<4>();
    let (vvq, vvr) = vv.as_chunks_mut::<4>();
    for (((u, v), uv), vv) in uq.iter().zip(vq).zip(uvq).zip(vvq) {
        for k in 0..4 {
            let (p, q) = (u[k] * v[k], v[k] * v[k]);
            s_uv[k] += p;
            s_vv[k] += q;
            uv[k] = p as f32;
            vv[k] = q as f32;
        }
    }
    for k in 0..ur.len().min(vr.len()).min(uvr.len()).min(vvr.len()) {
        let (p, q) = (ur[k] * vr[k], vr[k] * vr[k]);
        s_uv[k] += p;
        s_vv[k] += q;
        uvr[k] = p as f32;
        vvr[k] = q as f32;
    }
    let total = |s: [f64; 4]| (s[0] + s[1]) + (s[2] + s[3]);
    (total(s_uv), total(s_vv))
}

/// Buffers of [`analyse`], reused between batches: the per-sample terms, the
/// resample sums, and one output's centred f(A), f(B) and f(A_B^j) - f(A).
#[derive(Debug, Default)]
pub struct Scratch {
    terms: Vec<f32>,
    sums: Vec<f32>,
    columns: Vec<f64>,
}

/// Indices for a batch of outputs; `outputs[o]` has N (G + 2) values in run order
/// (f32 ranks or f64 values). Each output is centred on its mean over all runs;
/// SALib also divides by the standard deviation, which cancels in every ratio below.
///
/// # Panics
/// When an output has fewer than N (G + 2) values, or the bootstrap was drawn for
/// another N.
pub fn analyse<T: Copy + Into<f64>>(
    outputs: &[&[T]],
    n: usize,
    g: usize,
    bootstrap: Option<&Bootstrap>,
    scratch: &mut Scratch,
) -> Vec<Indices> {
    let step = g + 2;
    let terms = 4 + 2 * g;
    if let Some(boot) = bootstrap {
        assert_eq!(
            boot.n, n,
            "the bootstrap was drawn for N = {}, the design has N = {n}",
            boot.n
        );
    }
    let centres: Vec<Option<f64>> = outputs.iter().map(|y| centre(y)).collect();
    let live: Vec<usize> = (0..outputs.len()).filter(|&o| centres[o].is_some()).collect();
    let mut result: Vec<Indices> = (0..outputs.len()).map(|_| Indices::nan(g)).collect();
    if live.is_empty() {
        return result;
    }
    let cols = terms * live.len();
    let nf = n as f64;
    // Per sample i, the terms whose means the estimators need: summed here (f64, in
    // four lanes) for the point estimates, and kept (f32) for the bootstrap's matrix
    // product, term by term (column-major: `f[c * n + i]` for column c = output q's
    // term t): f(A), f(A)^2, f(B), f(B)^2, then per factor j f(B) (f(A_B^j) - f(A))
    // and (f(A_B^j) - f(A))^2, all centred.
    let Scratch {
        terms: f,
        sums: p,
        columns,
    } = scratch;
    f.clear();
    f.resize(if bootstrap.is_some() { n * cols } else { terms * n }, 0.0);
    columns.resize(3 * n, 0.0);
    let (a, rest) = columns.split_at_mut(n);
    let (b, d) = rest.split_at_mut(n);
    // With u = 1, `product_terms` gives the first and second moments.
    let ones = vec![1.0; n];
    for (q, &o) in live.iter().enumerate() {
        let y = &outputs[o][..n * step];
        let mean = centres[o].unwrap_or(0.0);
        for ((a, b), row) in a.iter_mut().zip(b.iter_mut()).zip(y.chunks_exact(step)) {
            *a = row[0].into() - mean;
            *b = row[step - 1].into() - mean;
        }
        // Without a bootstrap the f32 terms go to the first output's place.
        let block = if bootstrap.is_some() { q } else { 0 };
        let block = &mut f[block * terms * n..(block + 1) * terms * n];
        let (moments, block) = block.split_at_mut(4 * n);
        let (first, total) = block.split_at_mut(g * n);
        let (x_terms, z_terms) = moments.split_at_mut(2 * n);
        let (x, xx) = x_terms.split_at_mut(n);
        let (z, zz) = z_terms.split_at_mut(n);
        let (sum_x, sum_xx) = product_terms(&ones, a, x, xx);
        let (sum_z, sum_zz) = product_terms(&ones, b, z, zz);
        let mean_ab = (sum_x + sum_z) / (2.0 * nf);
        let var = (sum_xx + sum_zz) / (2.0 * nf) - mean_ab * mean_ab;
        for j in 0..g {
            // f(A_B^j) - f(A), centred.
            for ((d, row), &a) in d.iter_mut().zip(y.chunks_exact(step)).zip(a.iter()) {
                *d = (row[1 + j].into() - mean) - a;
            }
            let (s1, st) = product_terms(b, d, &mut first[j * n..(j + 1) * n], &mut total[j * n..(j + 1) * n]);
            // Point estimates from the full sample.
            result[o].s1[j] = s1 / nf / var;
            result[o].st[j] = 0.5 * st / nf / var;
        }
    }
    if let Some(boot) = bootstrap {
        bootstrap_intervals(boot, f, p, &live, (n, g, terms), &mut result);
    }
    result
}

/// The bootstrap's confidence half-widths of the indices of the `live` outputs, into
/// `result`: the resamples' sums of the terms `f` (N x cols, column-major) by one matrix
/// product with the resample counts, into `p`.
fn bootstrap_intervals(
    boot: &Bootstrap,
    f: &[f32],
    p: &mut Vec<f32>,
    live: &[usize],
    (n, g, terms): (usize, usize, usize),
    result: &mut [Indices],
) {
    let cols = terms * live.len();
    let nf = n as f64;
    // Resample sums: P (R x cols) = counts (R x N) * F (N x cols), in f32: the counts
    // are exact and the interval widths need a few digits only.
    let r_count = boot.resamples;
    p.clear();
    p.resize(r_count * cols, 0.0);
    // The sizes sgemm reads and writes: counts R x N, F N x cols, P R x cols.
    assert!(boot.counts.len() == r_count * n && f.len() >= n * cols && p.len() == r_count * cols);
    // SAFETY: the pointers and strides describe the row-major buffers checked above.
    unsafe {
        matrixmultiply::sgemm(
            r_count,
            n,
            cols,
            1.0,
            boot.counts.as_ptr(),
            n as isize,
            1,
            f.as_ptr(),
            1,
            n as isize,
            0.0,
            p.as_mut_ptr(),
            cols as isize,
            1,
        );
    }
    let mut s1_r = vec![0.0; r_count];
    let mut st_r = vec![0.0; r_count];
    for (q, &o) in live.iter().enumerate() {
        for j in 0..g {
            for r in 0..r_count {
                let at = |t: usize| f64::from(p[r * cols + q * terms + t]);
                let m1 = (at(0) + at(2)) / (2.0 * nf);
                let var_b = (at(1) + at(3)) / (2.0 * nf) - m1 * m1;
                s1_r[r] = at(4 + j) / nf / var_b;
                st_r[r] = 0.5 * at(4 + g + j) / nf / var_b;
            }
            result[o].s1_conf[j] = boot.z * crate::stats::sd_sample(&s1_r);
            result[o].st_conf[j] = boot.z * crate::stats::sd_sample(&st_r);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::sample::saltelli_run;
    use super::*;
    use std::f64::consts::PI;

    /// Runs a model over a Saltelli design of d single-factor groups.
    fn design(n: usize, d: usize, model: impl Fn(&[f64]) -> f64) -> Vec<f64> {
        let groups: Vec<usize> = (0..d).collect();
        let mut u = vec![0.0; d];
        (0..n * (d + 2))
            .map(|r| {
                saltelli_run(r, d, &groups, 11, &mut u);
                model(&u)
            })
            .collect()
    }

    #[test]
    fn ishigami_indices_match_the_analytic_values() {
        // Ishigami (a = 7, b = 0.1), x_i ~ U(-pi, pi):
        // S = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437).
        let n = 8192;
        let y = design(n, 3, |u| {
            let x: Vec<f64> = u.iter().map(|v| -PI + 2.0 * PI * v).collect();
            x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
        });
        let boot = Bootstrap::new(n, 100, 1, 0.95);
        let idx = &analyse(&[&y[..]], n, 3, Some(&boot), &mut Scratch::default())[0];
        for (got, want) in idx.s1.iter().zip([0.3139, 0.4424, 0.0]) {
            assert!((got - want).abs() < 0.02, "S1 {got} vs {want}");
        }
        for (got, want) in idx.st.iter().zip([0.5576, 0.4424, 0.2437]) {
            assert!((got - want).abs() < 0.02, "ST {got} vs {want}");
        }
        for c in idx.s1_conf.iter().chain(&idx.st_conf) {
            assert!(*c > 0.0 && *c < 0.1, "interval half-width {c}");
        }
    }

    #[test]
    fn linear_model_has_analytic_indices() {
        // Y = 1 x1 + 2 x2 + 3 x3, x ~ U(0, 1): S_i = ST_i = a_i^2 / 14.
        let n = 4096;
        let y = design(n, 3, |u| u[0] + 2.0 * u[1] + 3.0 * u[2]);
        let idx = &analyse(&[&y[..]], n, 3, None, &mut Scratch::default())[0];
        for (i, a) in [1.0f64, 2.0, 3.0].iter().enumerate() {
            let want = a * a / 14.0;
            assert!((idx.s1[i] - want).abs() < 0.01, "S1[{i}] {} vs {want}", idx.s1[i]);
            assert!((idx.st[i] - want).abs() < 0.01, "ST[{i}] {} vs {want}", idx.st[i]);
        }
    }

    #[test]
    #[should_panic(expected = "the bootstrap was drawn for N = 8, the design has N = 4")]
    fn a_bootstrap_of_another_size_is_refused() {
        let y: Vec<f64> = (0..4 * 5).map(|i| i as f64).collect();
        let boot = Bootstrap::new(8, 10, 1, 0.95);
        analyse(&[&y[..]], 4, 3, Some(&boot), &mut Scratch::default());
    }

    #[test]
    #[should_panic]
    fn outputs_shorter_than_the_design_are_refused() {
        let y = [1.0f64, 2.0, 3.0];
        let boot = Bootstrap::new(4, 10, 1, 0.95);
        analyse(&[&y[..]], 4, 3, Some(&boot), &mut Scratch::default());
    }

    #[test]
    fn constant_output_gives_nan() {
        let idx = &analyse(&[&[3.0f64; 4 * 5][..]], 4, 3, None, &mut Scratch::default())[0];
        assert!(idx.s1.iter().all(|v| v.is_nan()));
    }
}

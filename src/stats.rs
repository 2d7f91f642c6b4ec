//! Descriptive statistics over the present (non-NaN) values of a slice.
//!
//! Missing values are `f64::NAN` everywhere in riskscore; these helpers skip them.
//!
//! # Formula
//! - mean `x̄ = Σx / n`; population standard deviation `σ = sqrt(Σ(x - x̄)² / n)`
//!   (the z-score's denominator, as in the peer implementation and numpy's `std`).
//! - quantile: R's type 7 / numpy's default "linear": `h = (n - 1) p`,
//!   `Q = x_(⌊h⌋) + (h - ⌊h⌋)(x_(⌊h⌋+1) - x_(⌊h⌋))` on the sorted values (0-based).
//! - skewness: adjusted Fisher-Pearson `G1 = sqrt(n(n-1))/(n-2) · m3 / m2^{3/2}`
//!   (Excel's SKEW), with central moments `m_r = Σ(x - x̄)^r / n`.
//! - kurtosis: excess kurtosis `G2 = (n-1)/((n-2)(n-3)) · ((n+1) m4/m2² - 3(n-1))`
//!   (Excel's KURT).
//! - principal components of the correlation matrix R of k columns (complete cases):
//!   eigenvalues λ_1 >= ... >= λ_k of R, first-component loadings `v_1 sqrt(λ_1)`,
//!   signed to sum to a positive number (OECD/JRC 2008 Handbook, section 6.1).
//!
//! ## References
//! Hyndman & Fan (1996) Sample quantiles in statistical packages, Am. Stat. 50(4).
//! Joanes & Gill (1998) Comparing measures of sample skewness and kurtosis, JRSS D 47(1).

use statrs::statistics::Statistics;

/// The present values of a slice, in order.
pub fn present(values: &[f64]) -> Vec<f64> {
    values.iter().copied().filter(|v| !v.is_nan()).collect()
}

/// Mean of the present values; NaN if none.
pub fn mean(values: &[f64]) -> f64 {
    let p = present(values);
    if p.is_empty() {
        f64::NAN
    } else {
        p.mean()
    }
}

/// Population standard deviation (divisor n) of the present values; NaN if none.
pub fn sd_population(values: &[f64]) -> f64 {
    let p = present(values);
    if p.is_empty() {
        f64::NAN
    } else {
        p.population_std_dev()
    }
}

/// Sample standard deviation (divisor n - 1, R's `sd`) of the present values; NaN if
/// fewer than 2.
pub fn sd_sample(values: &[f64]) -> f64 {
    // Two passes (mean, then squared deviations), skipping missing values.
    let present = || values.iter().copied().filter(|v| !v.is_nan());
    let n = present().count();
    if n < 2 {
        return f64::NAN;
    }
    let mean = present().sum::<f64>() / n as f64;
    (present().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64).sqrt()
}

/// Quantile of sorted present values, type 7 (linear interpolation).
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
        }
    }
}

/// Sorted present values.
///
/// Sorted as integers in `f64::total_cmp`'s order (the bits with the magnitude
/// flipped for negatives): equal keys are equal bits, so an unstable integer sort
/// gives exactly what a stable float sort gives, several times faster.
pub fn sorted_present(values: &[f64]) -> Vec<f64> {
    fn flip(bits: i64) -> i64 {
        bits ^ (((bits >> 63) as u64) >> 1) as i64
    }
    let mut keys: Vec<i64> = values
        .iter()
        .filter(|v| !v.is_nan())
        .map(|v| flip(v.to_bits() as i64))
        .collect();
    keys.sort_unstable();
    keys.into_iter().map(|k| f64::from_bits(flip(k) as u64)).collect()
}

/// The smallest and largest present values in `f64::total_cmp`'s order (the first
/// and last of [`sorted_present`], without sorting); `None` if none is present.
pub fn present_range(values: &[f64]) -> Option<(f64, f64)> {
    values
        .iter()
        .filter(|v| !v.is_nan())
        .fold(None, |range, &v| match range {
            None => Some((v, v)),
            Some((lo, hi)) => Some((
                if v.total_cmp(&lo).is_lt() { v } else { lo },
                if v.total_cmp(&hi).is_gt() { v } else { hi },
            )),
        })
}

/// Median of the present values (type 7 quantile at 0.5); NaN if none.
pub fn median(values: &[f64]) -> f64 {
    quantile_sorted(&sorted_present(values), 0.5)
}

fn central_moments(p: &[f64]) -> (f64, f64, f64, f64) {
    let n = p.len() as f64;
    let m = p.iter().sum::<f64>() / n;
    let (mut m2, mut m3, mut m4) = (0.0, 0.0, 0.0);
    for x in p {
        let d = x - m;
        m2 += d * d;
        m3 += d * d * d;
        m4 += d * d * d * d;
    }
    (n, m2 / n, m3 / n, m4 / n)
}

/// Adjusted Fisher-Pearson skewness G1 (Excel SKEW); NaN for n < 3 or no spread.
pub fn skewness(values: &[f64]) -> f64 {
    let p = present(values);
    if p.len() < 3 {
        return f64::NAN;
    }
    let (n, m2, m3, _) = central_moments(&p);
    if m2 == 0.0 {
        return f64::NAN;
    }
    (n * (n - 1.0)).sqrt() / (n - 2.0) * m3 / m2.powf(1.5)
}

/// Excess kurtosis G2 (Excel KURT); NaN for n < 4 or no spread.
pub fn kurtosis(values: &[f64]) -> f64 {
    let p = present(values);
    if p.len() < 4 {
        return f64::NAN;
    }
    let (n, m2, _, m4) = central_moments(&p);
    if m2 == 0.0 {
        return f64::NAN;
    }
    (n - 1.0) / ((n - 2.0) * (n - 3.0)) * ((n + 1.0) * m4 / (m2 * m2) - 3.0 * (n - 1.0))
}

/// Tolerances used by tests, in one place.
/// Eigenvalues (descending) and first-component loadings of the correlation matrix of
/// the columns (complete cases).
pub fn pca(columns: &[Vec<f64>]) -> Option<(Vec<f64>, Vec<f64>)> {
    let k = columns.len();
    if k < 2 || columns[0].len() < 3 {
        return None;
    }
    let mut corr = nalgebra::DMatrix::<f64>::identity(k, k);
    for i in 0..k {
        for j in i + 1..k {
            let r = crate::metrics::pearson(&columns[i], &columns[j]);
            if r.is_nan() {
                return None;
            }
            corr[(i, j)] = r;
            corr[(j, i)] = r;
        }
    }
    Some(pca_of_correlation(corr))
}

/// Eigenvalues (descending) and first-component loadings `v_1 sqrt(λ_1)` of a
/// correlation (or covariance) matrix, loadings signed to sum to a positive number.
pub fn pca_of_correlation(corr: nalgebra::DMatrix<f64>) -> (Vec<f64>, Vec<f64>) {
    let k = corr.nrows();
    let eig = nalgebra::SymmetricEigen::new(corr);
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| eig.eigenvalues[b].total_cmp(&eig.eigenvalues[a]));
    let values: Vec<f64> = order.iter().map(|&i| eig.eigenvalues[i].max(0.0)).collect();
    let first = order[0];
    let mut loadings: Vec<f64> = (0..k)
        .map(|r| eig.eigenvectors[(r, first)] * values[0].sqrt())
        .collect();
    if loadings.iter().sum::<f64>() < 0.0 {
        loadings.iter_mut().for_each(|l| *l = -*l);
    }
    (values, loadings)
}

/// The memory the system can give a process now, in bytes (`MemAvailable` of
/// /proc/meminfo); `None` where it cannot be read.
/// Under an address-space limit (`ulimit -v`, RLIMIT_AS) it is at most that limit.
pub fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some((kib * 1024).min(address_space_limit().unwrap_or(u64::MAX)))
}

/// The process's address-space limit, if one is set.
fn address_space_limit() -> Option<u64> {
    #[cfg(target_os = "linux")]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes one rlimit, which `limit` is.
        let ok = unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut limit) } == 0;
        (ok && limit.rlim_cur != libc::RLIM_INFINITY).then_some(limit.rlim_cur)
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

#[cfg(test)]
pub mod prec {
    /// Hand-checked values are written with 6-9 significant digits.
    pub const HAND: f64 = 1e-6;

    pub fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }
}

#[cfg(test)]
mod tests {
    use super::prec::*;
    use super::*;

    #[test]
    fn sorted_present_is_the_total_order() {
        let v = [
            3.5,
            f64::NAN,
            -0.0,
            0.0,
            -1e-310,
            f64::NEG_INFINITY,
            2.0,
            -7.25,
            f64::INFINITY,
            5e-324,
            -0.0,
            2.0,
        ];
        let mut want: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
        want.sort_by(f64::total_cmp);
        let got = sorted_present(&v);
        assert_eq!(
            got.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            want.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        );
        assert_eq!(got[0], f64::NEG_INFINITY);
        assert!(got[3].is_sign_negative() && got[3] == 0.0 && got[5].is_sign_positive());
        // present_range: the first and last of the sorted values, bit for bit.
        let (lo, hi) = present_range(&v).unwrap();
        assert_eq!(
            (lo.to_bits(), hi.to_bits()),
            (got[0].to_bits(), got[got.len() - 1].to_bits())
        );
        let (lo, hi) = present_range(&[0.0, f64::NAN, -0.0]).unwrap();
        assert!(lo.is_sign_negative() && hi.is_sign_positive());
        assert_eq!(present_range(&[f64::NAN]), None);
    }

    #[test]
    fn mean_sd_skip_missing() {
        let x = [2.0, f64::NAN, 4.0, 6.0];
        assert!(close(mean(&x), 4.0, HAND));
        // sqrt(((2-4)^2 + 0 + (6-4)^2) / 3) = sqrt(8/3) = 1.632993162
        assert!(close(sd_population(&x), 1.632993162, HAND));
        assert!(mean(&[f64::NAN]).is_nan());
    }

    #[test]
    fn quantile_type7_by_hand() {
        let s = [1.0, 2.0, 3.0, 4.0, 10.0];
        // h = 4 * 0.1 = 0.4 -> 1 + 0.4 * (2 - 1) = 1.4
        assert!(close(quantile_sorted(&s, 0.1), 1.4, HAND));
        // h = 4 * 0.9 = 3.6 -> 4 + 0.6 * (10 - 4) = 7.6
        assert!(close(quantile_sorted(&s, 0.9), 7.6, HAND));
        assert!(close(median(&[3.0, 1.0, 2.0, 10.0]), 2.5, HAND));
    }

    #[test]
    fn skew_and_kurtosis_match_excel() {
        // by hand: mean 4, d = (-3,-2,-1,0,6): Σd² = 50, Σd³ = -27-8-1+216 = 180,
        // m2 = 10, m3 = 36; G1 = sqrt(20)/3 * 36 / 10^1.5 = 1.697056275
        let x = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert!(close(skewness(&x), 1.697056275, HAND));
        // Σd⁴ = 81+16+1+0+1296 = 1394, m4 = 278.8; G2 = 4/(3*2) * (6*278.8/100 - 12) = 3.152
        assert!(close(kurtosis(&x), 3.152, HAND));
    }

    #[test]
    fn pca_of_a_known_correlation_structure() {
        // Two perfectly correlated columns and one independent of both (orthogonal
        // contrasts): correlation matrix [[1,1,0],[1,1,0],[0,0,1]], eigenvalues 2, 1, 0;
        // PC1 = (1,1,0)/sqrt(2), loadings sqrt(2)/sqrt(2) = 1, 1, 0.
        let a = vec![1.0, -1.0, 1.0, -1.0];
        let b = a.iter().map(|v| 2.0 * v + 3.0).collect();
        let c = vec![1.0, 1.0, -1.0, -1.0];
        let (values, loadings) = pca(&[a, b, c]).unwrap();
        assert!(
            close(values[0], 2.0, 1e-12) && close(values[1], 1.0, 1e-12) && close(values[2], 0.0, 1e-12),
            "{values:?}"
        );
        assert!(
            close(loadings[0], 1.0, 1e-12) && close(loadings[1], 1.0, 1e-12) && close(loadings[2], 0.0, 1e-12),
            "{loadings:?}"
        );
    }

    #[test]
    fn pca_of_a_known_3x3_matrix() {
        // Equicorrelation 0.5: eigenvalues 1 + 2(0.5) = 2 and 1 - 0.5 = 0.5 (twice);
        // PC1 = (1, 1, 1)/sqrt(3), loadings sqrt(2)/sqrt(3) = 0.816496581 each.
        let m = nalgebra::DMatrix::from_row_slice(3, 3, &[1.0, 0.5, 0.5, 0.5, 1.0, 0.5, 0.5, 0.5, 1.0]);
        let (values, loadings) = pca_of_correlation(m);
        assert!(close(values[0], 2.0, 1e-12) && close(values[1], 0.5, 1e-12) && close(values[2], 0.5, 1e-12));
        for l in loadings {
            assert!(close(l, 0.816496581, 1e-9), "{l}");
        }
        // Covariance diag(4, 1, 0): eigenvalues 4, 1, 0; PC1 = e1, loading 2.
        let m = nalgebra::DMatrix::from_row_slice(3, 3, &[4.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0]);
        let (values, loadings) = pca_of_correlation(m);
        assert!(close(values[0], 4.0, 1e-12) && close(loadings[0], 2.0, 1e-12) && close(loadings[1], 0.0, 1e-12));
    }
}

//! Sample designs on [0, 1)^d from a scrambled Sobol sequence.
//!
//! # Formula
//! Point j of the base sequence has 2D coordinates (D = number of factors), from
//! `sobol_burley` (Owen-scrambled Sobol, Burley 2020). Its first D form row j of
//! matrix A, the next D row j of matrix B. For Sobol indices with G groups of
//! factors, the runs of sample j are, in SALib's order:
//! `A_j, A_B^(1)_j, ..., A_B^(G)_j, B_j` (N (G + 2) runs), where `A_B^(g)` is A with the
//! columns of group g taken from B. Monte Carlo uses the first D coordinates of N points.
//!
//! Run r's point depends only on (seed, r): a run can be computed by any thread.
//!
//! ## References
//! Saltelli et al. (2010) Variance based sensitivity analysis of model output, CPC
//! 181:259-270 (the A, B, A_B design). Burley (2020) Practical hash-based Owen
//! scrambling, JCGT 9(4). Herman & Usher (2017) SALib, JOSS 2(9).

/// The 32-bit scramble seed derived from the user's 64-bit seed.
pub fn scramble_seed(seed: u64) -> u32 {
    (seed ^ (seed >> 32)) as u32
}

/// Fills `u` (len D) with the factor values of run `r` of a Saltelli design.
///
/// `group_of[i]` is factor i's group; there are `n_groups` groups.
#[cfg(test)]
pub fn saltelli_run(r: usize, n_groups: usize, group_of: &[usize], seed: u32, u: &mut [f64]) {
    let mut ab = vec![0.0; 2 * group_of.len()];
    saltelli_point(r / (n_groups + 2), seed, &mut ab);
    saltelli_row(r, n_groups, group_of, &ab, u);
}

/// The 2D coordinates of point j of the base sequence (rows j of A and of B) into
/// `ab`, four dimensions per call (`sample_4d`, the same values as `sample`): the
/// G + 2 runs of a sample share them.
pub fn saltelli_point(j: usize, seed: u32, ab: &mut [f64]) {
    for (set, chunk) in ab.chunks_mut(4).enumerate() {
        let values = sobol_burley::sample_4d(j as u32, set as u32, seed);
        for (x, &v) in chunk.iter_mut().zip(&values) {
            *x = f64::from(v);
        }
    }
}

/// Fills `u` (len D) with run `r`'s factor values, from its sample's point `ab`
/// ([`saltelli_point`]).
pub fn saltelli_row(r: usize, n_groups: usize, group_of: &[usize], ab: &[f64], u: &mut [f64]) {
    let d = group_of.len();
    let step = n_groups + 2;
    let pos = r % step;
    for (i, ui) in u.iter_mut().enumerate() {
        let from_b = pos == step - 1 || (pos >= 1 && pos <= n_groups && group_of[i] == pos - 1);
        *ui = ab[if from_b { d + i } else { i }];
    }
}

/// Fills `u` with the factor values of run `r` of a Monte Carlo design.
pub fn monte_carlo_run(r: usize, seed: u32, u: &mut [f64]) {
    saltelli_point(r, seed, u);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saltelli_rows_take_columns_from_b_by_group() {
        // 3 factors; factors 0 and 2 in group 0, factor 1 in group 1: 4 runs per sample.
        let group_of = [0, 1, 0];
        let mut a = [0.0; 3];
        let mut ab0 = [0.0; 3];
        let mut ab1 = [0.0; 3];
        let mut b = [0.0; 3];
        for (r, buf) in [&mut a, &mut ab0, &mut ab1, &mut b].into_iter().enumerate() {
            saltelli_run(4 + r, 2, &group_of, 7, buf);
        }
        assert_eq!([ab0[0], ab0[1], ab0[2]], [b[0], a[1], b[2]]);
        assert_eq!([ab1[0], ab1[1], ab1[2]], [a[0], b[1], a[2]]);
        assert!(a.iter().zip(&b).all(|(x, y)| x != y));
        assert!(a.iter().all(|x| (0.0..1.0).contains(x)));
    }

    #[test]
    fn four_dimensions_at_once_equal_one_at_a_time() {
        let mut ab = [0.0; 11];
        for j in [0, 1, 77, 1023] {
            saltelli_point(j, 99, &mut ab);
            for (dim, &x) in ab.iter().enumerate() {
                assert_eq!(
                    x,
                    f64::from(sobol_burley::sample(j as u32, dim as u32, 99)),
                    "point {j}, dim {dim}"
                );
            }
        }
    }
}

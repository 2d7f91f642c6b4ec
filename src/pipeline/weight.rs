//! Weights from the data, on plain columns: PCA weights and optimised ("balance")
//! weights. [`crate::score::weights`] fits them per group on the scored values.
//!
//! # Formulas
//! - `pca`: with `l` the loadings of the first principal component of the children's
//!   correlation matrix, `w_i = l_i² / Σ_j l_j²` (the squared loadings scaled to unity
//!   sum: OECD/JRC 2008 Handbook, section 6.1). A negative loading means the child runs
//!   against the others: a warning names it.
//! - `optimised` (COINr `get_opt_weights`, `optype = "balance"`): weights
//!   `w = softmax(θ)` (positive, summing to 1) minimising
//!   `Σ_i (r_i² / Σ_j r_j² - 1/k)²`, where r_i is the Pearson correlation of child i
//!   with the group score under w (the group's own aggregation), i.e. every child
//!   gets the same share of "importance" (Becker et al. 2017). Minimised with the
//!   Nelder-Mead simplex (`argmin`, at most 2000 iterations, from equal weights).
//!
//! ## References
//! OECD/JRC (2008) Handbook on Constructing Composite Indicators, section 6.1 (weights
//! from PCA/FA). Becker, Saisana, Paruolo & Vandecasteele (2017) Weights and importance
//! in composite indicators: closing the gap, Ecological Indicators 80. Nelder & Mead
//! (1965) A simplex method for function minimization, Computer Journal 7.

use crate::metrics;
use crate::pipeline::aggregate::{self, Aggregation};
use crate::stats::pca;
use argmin::core::{CostFunction, Executor};
use argmin::solver::neldermead::NelderMead;

fn softmax(theta: &[f64]) -> Vec<f64> {
    let m = theta.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = theta.iter().map(|t| (t - m).exp()).collect();
    let s: f64 = e.iter().sum();
    e.iter().map(|v| v / s).collect()
}

/// The "balance" objective: squared distance of normalised squared correlations from 1/k.
struct Balance<'a> {
    columns: &'a [Vec<f64>],
    agg: Aggregation,
}

impl Balance<'_> {
    fn importance(&self, w: &[f64]) -> Vec<f64> {
        let n = self.columns[0].len();
        let mut row = vec![0.0; self.columns.len()];
        let score: Vec<f64> = (0..n)
            .map(|r| {
                for (v, c) in row.iter_mut().zip(self.columns) {
                    *v = c[r];
                }
                aggregate::row_mean(self.agg, &row, w)
            })
            .collect();
        let r2: Vec<f64> = self
            .columns
            .iter()
            .map(|c| {
                let r = metrics::pearson(c, &score);
                if r.is_nan() {
                    0.0
                } else {
                    r * r
                }
            })
            .collect();
        let total: f64 = r2.iter().sum();
        r2.iter().map(|v| if total > 0.0 { v / total } else { 0.0 }).collect()
    }
}

impl CostFunction for Balance<'_> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, theta: &Self::Param) -> std::result::Result<f64, argmin::core::Error> {
        let k = self.columns.len() as f64;
        Ok(self
            .importance(&softmax(theta))
            .iter()
            .map(|s| (s - 1.0 / k).powi(2))
            .sum())
    }
}

/// Optimised ("balance") weights of the columns under the aggregation.
pub fn balanced_weights(columns: &[Vec<f64>], agg: Aggregation) -> Option<Vec<f64>> {
    let k = columns.len();
    if k < 2 || columns[0].len() < 3 {
        return None;
    }
    let start = vec![0.0; k];
    let mut simplex = vec![start.clone()];
    for i in 0..k {
        let mut p = start.clone();
        p[i] = 0.5;
        simplex.push(p);
    }
    let solver = NelderMead::new(simplex).with_sd_tolerance(1e-12).ok()?;
    let result = Executor::new(Balance { columns, agg }, solver)
        .configure(|state| state.max_iters(2000))
        .run()
        .ok()?;
    use argmin::core::State;
    let best = result.state().get_best_param()?.clone();
    Some(softmax(&best))
}

/// PCA weights (squared first-component loadings, scaled to sum 1) and the loadings.
pub fn pca_weights(columns: &[Vec<f64>]) -> Option<(Vec<f64>, Vec<f64>)> {
    let (_, loadings) = pca(columns)?;
    let total: f64 = loadings.iter().map(|l| l * l).sum();
    if total <= 0.0 {
        return None;
    }
    Some((loadings.iter().map(|l| l * l / total).collect(), loadings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::prec::close;

    #[test]
    fn pca_weights_of_a_known_structure() {
        // Columns a and b perfectly correlated, c independent: loadings (1, 1, 0), so
        // the weights are 1/2, 1/2, 0.
        let a = vec![1.0, -1.0, 1.0, -1.0];
        let b: Vec<f64> = a.iter().map(|v| 2.0 * v + 3.0).collect();
        let c = vec![1.0, 1.0, -1.0, -1.0];
        let (w, _) = pca_weights(&[a, b, c]).unwrap();
        assert!(
            close(w[0], 0.5, 1e-9) && close(w[1], 0.5, 1e-9) && close(w[2], 0.0, 1e-9),
            "{w:?}"
        );
    }

    #[test]
    fn balanced_weights_equalise_importance() {
        // Arithmetic mean of x (spread 10) and y (spread 1), independent: with equal
        // weights x dominates the score (r_x² >> r_y²). Balanced weights give y about
        // ten times x's weight, where both correlate equally with the score.
        let x = vec![10.0, -10.0, 10.0, -10.0, 0.0, 0.0];
        let y = vec![1.0, 1.0, -1.0, -1.0, 0.5, -0.5];
        let cols = vec![x, y];
        let equal = Balance {
            columns: &cols,
            agg: Aggregation::Arithmetic,
        }
        .importance(&[0.5, 0.5]);
        assert!(equal[0] > 0.9, "{equal:?}");
        let w = balanced_weights(&cols, Aggregation::Arithmetic).unwrap();
        let imp = Balance {
            columns: &cols,
            agg: Aggregation::Arithmetic,
        }
        .importance(&w);
        assert!(
            (imp[0] - 0.5).abs() < 1e-3 && (imp[1] - 0.5).abs() < 1e-3,
            "{imp:?} {w:?}"
        );
        // By hand: with x ⟂ y, r_x² ∝ w_x² var(x), so balance needs w_y / w_x = sd(x) / sd(y).
        let sd = |c: &[f64]| {
            let m = c.iter().sum::<f64>() / c.len() as f64;
            (c.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / c.len() as f64).sqrt()
        };
        let ratio = sd(&cols[0]) / sd(&cols[1]);
        assert!((w[1] / w[0] - ratio).abs() / ratio < 1e-2, "{} vs {ratio}", w[1] / w[0]);
    }
}

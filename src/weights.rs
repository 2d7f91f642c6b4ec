//! Data-driven weights: a group's children weighted by PCA or optimised so that each
//! child matters to the group as much as intended.
//!
//! A group (or `[index]`) declares `weights = "expert"` (default: the weights as
//! written), `"equal"` (every child 1), `"pca"` or `"optimised"`. Data-driven weights
//! are resolved before scoring, bottom-up (a group's children first), on the
//! normalised values of every scored unit-period pooled (complete cases), and written
//! to the manifest.
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

use crate::audit::pca;
use crate::data::Panel;
use crate::error::{Error, Result};
use crate::framework::{Child, Framework};
use crate::metrics;
use crate::pipeline::aggregate::Aggregation;
use argmin::core::{CostFunction, Executor};
use argmin::solver::neldermead::NelderMead;

/// How a group's children are weighted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WeightMethod {
    Expert,
    Equal,
    Pca,
    Optimised,
}

/// Names accepted in framework files.
pub const NAMES: &[&str] = &["expert", "equal", "pca", "optimised"];

impl WeightMethod {
    pub fn parse(name: &str) -> Option<WeightMethod> {
        Some(match name {
            "expert" => WeightMethod::Expert,
            "equal" => WeightMethod::Equal,
            "pca" => WeightMethod::Pca,
            "optimised" | "optimized" => WeightMethod::Optimised,
            _ => return None,
        })
    }

    /// Whether the weights come from the data.
    pub fn from_data(&self) -> bool {
        matches!(self, WeightMethod::Pca | WeightMethod::Optimised)
    }
}

/// The weights a data-driven method chose for one group.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Resolved {
    pub group: String,
    pub method: WeightMethod,
    /// (child id, weight; the weights sum to 1)
    pub weights: Vec<(String, f64)>,
    /// Unit-periods the weights were fitted on.
    pub n: usize,
}

/// Score of one row of children under weights (the group's aggregation).
fn combine(agg: Aggregation, x: &[f64], w: &[f64]) -> f64 {
    let total: f64 = w.iter().sum();
    match agg {
        Aggregation::Geometric => (x.iter().zip(w).map(|(x, w)| w * x.ln()).sum::<f64>() / total).exp(),
        Aggregation::Harmonic => total / x.iter().zip(w).map(|(x, w)| w / x).sum::<f64>(),
        Aggregation::GenMean(p) => (x.iter().zip(w).map(|(x, w)| w * x.powf(p)).sum::<f64>() / total).powf(1.0 / p),
        _ => x.iter().zip(w).map(|(x, w)| w * x).sum::<f64>() / total,
    }
}

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
                combine(self.agg, &row, w)
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

/// Resolves every data-driven group weighting, bottom-up; returns the framework with
/// the weights set, what was chosen, and warnings.
pub fn resolve(
    fw: &Framework,
    panel: &Panel,
    score: impl Fn(&Framework, &Panel) -> Result<crate::score::Results>,
) -> Result<(Framework, Vec<Resolved>, Vec<String>)> {
    let mut current = fw.clone();
    let mut resolved = Vec::new();
    let mut warnings = Vec::new();
    for &g in &fw.post_order {
        let method = fw.groups[g].weights;
        if !method.from_data() {
            continue;
        }
        let res = score(&current, panel)?;
        let children = &fw.groups[g].children;
        let cells: Vec<usize> = res.scored_cells().collect();
        let column = |c: &Child| -> &Vec<f64> {
            match c {
                Child::Indicator(k) => &res.normalised[*k],
                Child::Group(h) => &res.aggregated[*h],
            }
        };
        let rows: Vec<usize> = cells
            .iter()
            .copied()
            .filter(|&c| children.iter().all(|ch| !column(ch)[c].is_nan()))
            .collect();
        let columns: Vec<Vec<f64>> = children
            .iter()
            .map(|ch| rows.iter().map(|&c| column(ch)[c]).collect())
            .collect();
        let key = if g == 0 {
            "index.weights".to_string()
        } else {
            format!("group.{}.weights", fw.groups[g].id)
        };
        let fail = |why: String| Error::Framework {
            file: fw.file.clone(),
            key: key.clone(),
            message: why,
        };
        if children.len() < 2 {
            return Err(fail(format!(
                "`{}` weights need at least 2 children; `{}` has {}",
                if method == WeightMethod::Pca {
                    "pca"
                } else {
                    "optimised"
                },
                fw.groups[g].id,
                children.len()
            )));
        }
        let weights = match method {
            WeightMethod::Pca => {
                let (w, loadings) = pca_weights(&columns).ok_or_else(|| {
                    fail(format!(
                        "cannot fit PCA weights on {} complete unit-periods (a child is constant or there are fewer than 3)",
                        rows.len()
                    ))
                })?;
                for (ch, l) in children.iter().zip(&loadings) {
                    if *l < 0.0 {
                        warnings.push(format!(
                            "PCA weights of `{}`: `{}` loads negatively on the first component ({l:.3}): it runs against the other children",
                            fw.groups[g].id,
                            fw.child_id(*ch)
                        ));
                    }
                }
                w
            }
            _ => {
                let agg = fw.groups[g].aggregation;
                if agg.is_columnwise() {
                    return Err(fail(format!(
                        "optimised weights need an arithmetic, geometric, harmonic or genmean aggregation; `{}` uses {}",
                        fw.groups[g].id,
                        agg.name()
                    )));
                }
                balanced_weights(&columns, agg).ok_or_else(|| {
                    fail(format!(
                        "cannot optimise weights on {} complete unit-periods (fewer than 3, or the optimiser failed)",
                        rows.len()
                    ))
                })?
            }
        };
        for (ch, &w) in children.iter().zip(&weights) {
            // Keep weights strictly positive (the framework's invariant).
            let w = w.max(1e-12);
            match ch {
                Child::Indicator(k) => current.indicators[*k].weight = w,
                Child::Group(h) => current.groups[*h].weight = w,
            }
        }
        // Frozen: scoring the resolved framework does not fit the weights again.
        current.groups[g].weights = WeightMethod::Expert;
        resolved.push(Resolved {
            group: fw.groups[g].id.clone(),
            method,
            weights: children
                .iter()
                .map(|c| fw.child_id(*c).to_string())
                .zip(weights)
                .collect(),
            n: rows.len(),
        });
    }
    Ok((current, resolved, warnings))
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

//! Fits the data-driven weights of a framework (`weights = "pca"` / `"optimised"`)
//! before scoring: bottom-up, a group's children first, on the normalised values of
//! every scored unit-period pooled (complete cases). The formulas are in
//! [`crate::pipeline::weight`].

pub use super::results::Resolved;
use super::results::Results;
use crate::data::Panel;
use crate::error::{Error, Result};
use crate::framework::{Child, Framework, WeightMethod};
use crate::pipeline::weight::{balanced_weights, pca_weights};

/// Resolves every data-driven group weighting, bottom-up; returns the framework with
/// the weights set, what was chosen, and warnings.
pub fn resolve(
    fw: &Framework,
    panel: &Panel,
    score: impl Fn(&Framework, &Panel) -> Result<Results>,
) -> Result<(Framework, Vec<Resolved>, Vec<String>)> {
    let mut current = fw.clone();
    let mut resolved = Vec::new();
    let mut warnings = Vec::new();
    for &g in &fw.post_order {
        let method = fw.groups[g].weights;
        if !method.is_data_driven() {
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
                // A row-wise mean (checked in framework::validate::groups).
                let agg = fw.groups[g].aggregation;
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

//! Aggregation: combines a group's children (indicators or sub-groups) into one score.
//! The per-unit means are evaluated by the compiled plan ([`crate::plan::Tree`]) on
//! whole columns; Copeland, which compares units, is here.
//!
//! Weights are normalised over the children present for the unit, so a missing child
//! is skipped and the others are re-weighted: `w'_i = w_i / Σ_{j present} w_j`.
//! A unit with no present child has no group score.
//!
//! # Formula
//! - arithmetic: `Σ w'_i x_i`
//! - geometric: `Π x_i^{w'_i} = exp(Σ w'_i ln x_i)`, needs every x_i > 0
//!   (normalise to `range = [1, 100]` instead of [0, 100])
//! - harmonic: `1 / Σ (w'_i / x_i)`, needs every x_i > 0
//! - Copeland (across the units of a period): with the weighted outranking share
//!   `O_uv = Σ_i w'_i (1[x_ui > x_vi] + ½ 1[x_ui = x_vi])` over the children present
//!   for both u and v, the score is `C_u = Σ_{v≠u} (1[O_uv > ½] - 1[O_uv < ½])`
//!   (wins minus losses). It ranges over [-(n-1), n-1], not a normalised scale.
//!
//! ## References
//! OECD/JRC (2008) Handbook, step 6 (aggregation), including the Condorcet/Copeland
//! non-compensatory method. Becker et al. (2022) COINr `a_amean`, `a_gmean`,
//! `a_hmean`, `a_copeland`. Munda & Nardo (2009) Noncompensatory/nonlinear composite
//! indicators for ranking countries, Applied Economics 41(12).

/// How a group's children are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregation {
    Arithmetic,
    Geometric,
    Harmonic,
    Copeland,
}

/// Names accepted in framework files.
pub const NAMES: &[&str] = &["arithmetic", "geometric", "harmonic", "copeland"];

impl Aggregation {
    /// The name used in framework files.
    pub fn name(&self) -> &'static str {
        match self {
            Aggregation::Arithmetic => "arithmetic",
            Aggregation::Geometric => "geometric",
            Aggregation::Harmonic => "harmonic",
            Aggregation::Copeland => "copeland",
        }
    }
}

/// Copeland scores of every unit; `children[i][u]` is child i's value for unit u.
pub fn copeland(children: &[&[f64]], weights: &[f64], out: &mut [f64]) {
    let units = out.len();
    for u in 0..units {
        if children.iter().all(|c| c[u].is_nan()) {
            out[u] = f64::NAN;
            continue;
        }
        let mut score = 0.0;
        for v in 0..units {
            if v == u || children.iter().all(|c| c[v].is_nan()) {
                continue;
            }
            let (mut share, mut total) = (0.0, 0.0);
            for (child, &w) in children.iter().zip(weights) {
                let (a, b) = (child[u], child[v]);
                if a.is_nan() || b.is_nan() {
                    continue;
                }
                total += w;
                if a > b {
                    share += w;
                } else if a == b {
                    share += w / 2.0;
                }
            }
            if total > 0.0 {
                let o = share / total;
                if o > 0.5 {
                    score += 1.0;
                } else if o < 0.5 {
                    score -= 1.0;
                }
            }
        }
        out[u] = score;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Child;
    use crate::plan::{NonPositive, Scratch, Tree};
    use crate::stats::prec::*;
    use proptest::prelude::*;
    const NA: f64 = f64::NAN;

    /// One unit's children combined by the plan (a one-group tree).
    fn combine(agg: Aggregation, values: &[f64], weights: &[f64]) -> Result<f64, NonPositive> {
        let n = values.len();
        let tree = Tree {
            post_order: vec![0],
            offsets: vec![0, n],
            children: (0..n).map(Child::Indicator).collect(),
            weights: weights.to_vec(),
            aggregation: vec![agg],
            geometric_range: vec![None],
        };
        let mut out = [0.0];
        tree.evaluate(weights, &[agg], values, 1, &mut Scratch::default(), &mut out)?;
        Ok(out[0])
    }

    #[test]
    fn arithmetic_reweights_over_present_children() {
        let a = Aggregation::Arithmetic;
        // 0.25*40 + 0.75*80 = 70
        assert!(close(combine(a, &[40.0, 80.0], &[1.0, 3.0]).unwrap(), 70.0, HAND));
        // the missing child drops out: (1*40 + 1*60) / 2 = 50
        assert!(close(
            combine(a, &[40.0, NA, 60.0], &[1.0, 5.0, 1.0]).unwrap(),
            50.0,
            HAND
        ));
        assert!(combine(a, &[NA, NA], &[1.0, 1.0]).unwrap().is_nan());
    }

    #[test]
    fn geometric_and_harmonic_by_hand() {
        // sqrt(4 * 16) = 8 ; harmonic of 4 and 16 = 2/(1/4 + 1/16) = 6.4
        let g = combine(Aggregation::Geometric, &[4.0, 16.0], &[1.0, 1.0]).unwrap();
        assert!(close(g, 8.0, HAND));
        let h = combine(Aggregation::Harmonic, &[4.0, 16.0], &[1.0, 1.0]).unwrap();
        assert!(close(h, 6.4, HAND));
        // weights 1:3 -> 4^0.25 * 16^0.75 = 2^0.5 * 2^3 = 11.3137085
        let g = combine(Aggregation::Geometric, &[4.0, 16.0], &[1.0, 3.0]).unwrap();
        assert!(close(g, 11.3137085, HAND));
        assert_eq!(
            combine(Aggregation::Geometric, &[4.0, 0.0], &[1.0, 1.0]),
            Err(NonPositive {
                group: 0,
                child: Child::Indicator(1),
                unit: 0,
                value: 0.0
            })
        );
    }

    #[test]
    fn copeland_counts_wins_minus_losses() {
        // Three units, two equally weighted indicators.
        // A = (3, 3), B = (2, 1), C = (1, 2): A beats both; B vs C ties (one each).
        let i1 = [3.0, 2.0, 1.0];
        let i2 = [3.0, 1.0, 2.0];
        let mut out = [0.0; 3];
        copeland(&[&i1, &i2], &[1.0, 1.0], &mut out);
        assert_eq!(out, [2.0, -1.0, -1.0]);
    }

    proptest! {
        #[test]
        fn equal_weights_arithmetic_is_plain_mean(x in proptest::collection::vec(0.0f64..100.0, 1..20)) {
            let w = vec![1.0; x.len()];
            let mean = x.iter().sum::<f64>() / x.len() as f64;
            let got = combine(Aggregation::Arithmetic, &x, &w).unwrap();
            prop_assert!((got - mean).abs() < 1e-9);
        }
    }
}

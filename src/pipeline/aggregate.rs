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
//! - generalised mean `genmean(p)`: `(Σ w'_i x_i^p)^{1/p}`; p = 1 arithmetic, p -> 0
//!   geometric (`genmean(0)` is the geometric mean), p = -1 harmonic; p <= 0 needs
//!   every x_i > 0 (COINr `a_genmean`).
//! - Mazziotta-Pareto `mpi` / `mpi_plus`: with the unit's weighted mean
//!   `M = Σ w'_i x_i`, standard deviation `S = sqrt(Σ w'_i (x_i - M)²)` and
//!   `cv = S / M`: `MPI = M - S·cv` (unbalanced profiles are penalised: use when
//!   higher = better) or `M + S·cv` (`mpi_plus`: use when higher = worse, as for
//!   risk). Children should be on a positive, common scale, e.g. `normalise =
//!   "mpi_scaled"` (100 + 10 z). With equal weights this is the published index
//!   (Mazziotta & Pareto 2016; COINr `a_mpi`).
//! - benefit of the doubt `bod` (across the units of a period): each unit u gets the
//!   weights most favourable to it, `BoD_u = max_w Σ_i w_i x_ui` subject to
//!   `Σ_i w_i x_vi <= 1` for every unit v and `w >= 0` (a linear programme, solved with
//!   `microlp`), so scores lie in [0, 1] and the best unit on any mix scores 1.
//!   Children must be >= 0; missing values count as 0 (a unit is not credited for
//!   what it does not report); the group's weights are not used (Cherchye et al. 2007;
//!   OECD/JRC 2008 section 6.1.2; COINr `a_bod`).
//!
//! ## References
//! OECD/JRC (2008) Handbook, step 6 (aggregation), including the Condorcet/Copeland
//! non-compensatory method. Becker et al. (2022) COINr `a_amean`, `a_gmean`,
//! `a_hmean`, `a_copeland`, `a_genmean`, `a_mpi`, `a_bod`. Munda & Nardo (2009)
//! Noncompensatory/nonlinear composite indicators for ranking countries, Applied
//! Economics 41(12). Mazziotta & Pareto (2016) On a generalized non-compensatory
//! composite index for measuring socio-economic phenomena, Social Indicators Research
//! 127. Cherchye, Moesen, Rogge & Van Puyenbroeck (2007) An introduction to 'benefit of
//! the doubt' composite indicators, Social Indicators Research 82.

/// How a group's children are combined.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Aggregation {
    Arithmetic,
    Geometric,
    Harmonic,
    Copeland,
    /// Generalised mean with power p (p != 0).
    GenMean(f64),
    /// Mazziotta-Pareto: `M - S cv` (or `M + S cv` when `plus`).
    Mpi {
        plus: bool,
    },
    /// Benefit of the doubt.
    Bod,
}

/// The summand of a weighted arithmetic mean: `w x`.
#[inline(always)]
pub fn arithmetic_term(x: f64, w: f64) -> f64 {
    w * x
}

/// The summand of a weighted geometric mean: `w ln x`.
#[inline(always)]
pub fn geometric_term(x: f64, w: f64) -> f64 {
    w * x.ln()
}

/// The summand of a weighted harmonic mean: `w / x`.
#[inline(always)]
pub fn harmonic_term(x: f64, w: f64) -> f64 {
    w / x
}

/// The summand of a weighted generalised mean of power p: `w x^p`.
#[inline(always)]
pub fn genmean_term(x: f64, w: f64, p: f64) -> f64 {
    w * x.powf(p)
}

/// A row-wise mean from its sum of terms `acc` and its weight sum `wsum`:
/// arithmetic `acc / wsum`, geometric `exp(acc / wsum)`, harmonic `wsum / acc`,
/// generalised `(acc / wsum)^{1/p}`. The methods that compare units (Copeland,
/// Mazziotta-Pareto, BoD) have no row-wise mean: NaN.
#[inline(always)]
pub fn finish(agg: Aggregation, acc: f64, wsum: f64) -> f64 {
    match agg {
        Aggregation::Arithmetic => acc / wsum,
        Aggregation::Geometric => (acc / wsum).exp(),
        Aggregation::Harmonic => wsum / acc,
        Aggregation::GenMean(p) => (acc / wsum).powf(1.0 / p),
        Aggregation::Copeland | Aggregation::Mpi { .. } | Aggregation::Bod => f64::NAN,
    }
}

/// One row's weighted mean of `x` under `w` (every value present), with the terms
/// and [`finish`] the plan uses; NaN for a method that compares units.
pub fn row_mean(agg: Aggregation, x: &[f64], w: &[f64]) -> f64 {
    let term = |(x, w): (&f64, &f64)| match agg {
        Aggregation::Arithmetic => arithmetic_term(*x, *w),
        Aggregation::Geometric => geometric_term(*x, *w),
        Aggregation::Harmonic => harmonic_term(*x, *w),
        Aggregation::GenMean(p) => genmean_term(*x, *w, p),
        Aggregation::Copeland | Aggregation::Mpi { .. } | Aggregation::Bod => f64::NAN,
    };
    finish(agg, x.iter().zip(w).map(term).sum(), w.iter().sum())
}

/// Names accepted in framework files.
pub const NAMES: &[&str] = &[
    "arithmetic",
    "geometric",
    "harmonic",
    "copeland",
    "genmean(p)",
    "mpi",
    "mpi_plus",
    "bod",
];

impl Aggregation {
    /// The name used in framework files.
    pub fn name(&self) -> &'static str {
        match self {
            Aggregation::Arithmetic => "arithmetic",
            Aggregation::Geometric => "geometric",
            Aggregation::Harmonic => "harmonic",
            Aggregation::Copeland => "copeland",
            Aggregation::GenMean(_) => "genmean",
            Aggregation::Mpi { plus: false } => "mpi",
            Aggregation::Mpi { plus: true } => "mpi_plus",
            Aggregation::Bod => "bod",
        }
    }

    /// Parses a framework name: the names above, and `genmean(p)` with a finite p
    /// (`genmean(1)` is arithmetic, `genmean(0)` geometric, `genmean(-1)` harmonic).
    pub fn parse(name: &str) -> Option<Aggregation> {
        let name = name.trim();
        if let Some(p) = name.strip_prefix("genmean(").and_then(|r| r.strip_suffix(')')) {
            let p: f64 = p.trim().parse().ok()?;
            return match p {
                _ if !p.is_finite() => None,
                0.0 => Some(Aggregation::Geometric),
                1.0 => Some(Aggregation::Arithmetic),
                -1.0 => Some(Aggregation::Harmonic),
                _ => Some(Aggregation::GenMean(p)),
            };
        }
        Some(match name {
            "arithmetic" => Aggregation::Arithmetic,
            "geometric" => Aggregation::Geometric,
            "harmonic" => Aggregation::Harmonic,
            "copeland" => Aggregation::Copeland,
            "mpi" => Aggregation::Mpi { plus: false },
            "mpi_plus" => Aggregation::Mpi { plus: true },
            "bod" => Aggregation::Bod,
            _ => return None,
        })
    }

    /// Whether every child must be > 0 (a log, a reciprocal or a negative power).
    pub fn needs_positive(&self) -> bool {
        match self {
            Aggregation::Geometric | Aggregation::Harmonic => true,
            Aggregation::GenMean(p) => *p < 0.0,
            _ => false,
        }
    }

    /// Whether the score of a unit depends on the other units (or on more than a
    /// weighted sum of terms), so the plan evaluates it on whole columns.
    pub fn is_columnwise(&self) -> bool {
        matches!(self, Aggregation::Copeland | Aggregation::Mpi { .. } | Aggregation::Bod)
    }
}

/// Mazziotta-Pareto index of every unit; `children[i][u]` as for [`copeland`].
pub fn mpi(children: &[&[f64]], weights: &[f64], plus: bool, out: &mut [f64]) {
    for (u, o) in out.iter_mut().enumerate() {
        let (mut wsum, mut m) = (0.0, 0.0);
        for (c, &w) in children.iter().zip(weights) {
            if !c[u].is_nan() {
                wsum += w;
                m += w * c[u];
            }
        }
        if wsum <= 0.0 {
            *o = f64::NAN;
            continue;
        }
        m /= wsum;
        let var: f64 = children
            .iter()
            .zip(weights)
            .filter(|(c, _)| !c[u].is_nan())
            .map(|(c, &w)| w * (c[u] - m) * (c[u] - m))
            .sum::<f64>()
            / wsum;
        let s = var.sqrt();
        let penalty = if m != 0.0 { s * s / m } else { f64::NAN };
        *o = if plus { m + penalty } else { m - penalty };
    }
}

/// Benefit-of-the-doubt scores of every unit; `children[i][u]` as for [`copeland`].
/// Returns the first unit whose programme has no solution (never expected for
/// non-negative data), or the first negative value as (child, unit).
pub fn bod(children: &[&[f64]], out: &mut [f64]) -> Result<(), (usize, usize)> {
    use microlp::{ComparisonOp, OptimizationDirection, Problem};
    let units = out.len();
    for (i, c) in children.iter().enumerate() {
        if let Some(u) = c.iter().position(|&x| x < 0.0) {
            return Err((i, u));
        }
    }
    let value = |i: usize, u: usize| if children[i][u].is_nan() { 0.0 } else { children[i][u] };
    let present: Vec<bool> = (0..units).map(|u| children.iter().any(|c| !c[u].is_nan())).collect();
    for u in 0..units {
        if !present[u] {
            out[u] = f64::NAN;
            continue;
        }
        let mut lp = Problem::new(OptimizationDirection::Maximize);
        let w: Vec<_> = (0..children.len())
            .map(|i| lp.add_var(value(i, u), (0.0, f64::INFINITY)))
            .collect();
        for v in (0..units).filter(|&v| present[v]) {
            let terms: Vec<_> = w.iter().enumerate().map(|(i, &var)| (var, value(i, v))).collect();
            lp.add_constraint(terms.as_slice(), ComparisonOp::Le, 1.0);
        }
        out[u] = match lp.solve().ok().and_then(|s| s.into_solution().ok()) {
            Some(solution) => solution.objective(),
            // Every value of the unit is 0 on the children that matter: nothing to credit.
            None => f64::NAN,
        };
    }
    Ok(())
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
    fn row_mean_is_the_plans_mean() {
        // By hand: arithmetic (4 + 3*16)/4 = 13; geometric 4^(1/4) 16^(3/4) = 11.3137;
        // harmonic 4 / (1/4 + 3/16) = 9.142857; genmean(2) sqrt((16 + 3*256)/4) = 14.
        let (x, w) = ([4.0, 16.0], [1.0, 3.0]);
        for (agg, want) in [
            (Aggregation::Arithmetic, 13.0),
            (Aggregation::Geometric, 11.313708498984761),
            (Aggregation::Harmonic, 9.142857142857142),
            (Aggregation::GenMean(2.0), 14.0),
        ] {
            assert!(close(row_mean(agg, &x, &w), want, 1e-12), "{agg:?}");
            assert_eq!(
                row_mean(agg, &x, &w).to_bits(),
                combine(agg, &x, &w).unwrap().to_bits(),
                "{agg:?}"
            );
        }
        assert!(row_mean(Aggregation::Copeland, &x, &w).is_nan());
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

    #[test]
    fn generalised_mean_by_hand() {
        // p = 2: sqrt((4² + 16²)/2) = sqrt(136) = 11.661903790
        let g = combine(Aggregation::GenMean(2.0), &[4.0, 16.0], &[1.0, 1.0]).unwrap();
        assert!(close(g, 136f64.sqrt(), 1e-12));
        // p = 0.5, weights 1:3: (0.25 * 2 + 0.75 * 4)^2 = 3.5² = 12.25
        let g = combine(Aggregation::GenMean(0.5), &[4.0, 16.0], &[1.0, 3.0]).unwrap();
        assert!(close(g, 12.25, 1e-12));
        assert_eq!(Aggregation::parse("genmean(0)"), Some(Aggregation::Geometric));
        assert_eq!(Aggregation::parse("genmean(-0.5)"), Some(Aggregation::GenMean(-0.5)));
        assert_eq!(Aggregation::parse("genmean(x)"), None);
        assert!(combine(Aggregation::GenMean(-2.0), &[4.0, 0.0], &[1.0, 1.0]).is_err());
    }

    #[test]
    fn mazziotta_pareto_by_hand() {
        // Mazziotta & Pareto's standardised scale: unit A = (110, 90), B = (100, 100).
        // A: M = 100, S = 10, cv = 0.1 -> MPI- = 100 - 10 * 0.1 = 99, MPI+ = 101.
        // B: balanced, S = 0 -> 100 either way: the penalty ranks B above A.
        let i1 = [110.0, 100.0];
        let i2 = [90.0, 100.0];
        let mut out = [0.0; 2];
        mpi(&[&i1, &i2], &[1.0, 1.0], false, &mut out);
        assert!(close(out[0], 99.0, 1e-12) && close(out[1], 100.0, 1e-12), "{out:?}");
        mpi(&[&i1, &i2], &[1.0, 1.0], true, &mut out);
        assert!(close(out[0], 101.0, 1e-12));
        // Through the plan as a group's aggregation.
        let v = combine(Aggregation::Mpi { plus: false }, &[110.0, 90.0], &[1.0, 1.0]).unwrap();
        assert!(close(v, 99.0, 1e-12));
    }

    #[test]
    fn benefit_of_the_doubt_by_hand() {
        // Four units on two indicators: A = (1, 4), B = (2, 2), C = (4, 1), D = (1, 1).
        // A and C span the frontier (scores 1, with w = (0, 1/4) and (1/4, 0)). The best
        // weights for B and D are where A's and C's constraints meet, w1 + 4 w2 = 1 and
        // 4 w1 + w2 = 1, i.e. w = (0.2, 0.2): B = 2(0.2) + 2(0.2) = 0.8, D = 0.4 (the
        // frontier through A and C passes (2.5, 2.5), above B).
        let i1 = [1.0, 2.0, 4.0, 1.0];
        let i2 = [4.0, 2.0, 1.0, 1.0];
        let mut out = [0.0; 4];
        bod(&[&i1, &i2], &mut out).unwrap();
        for (u, expected) in [1.0, 0.8, 1.0, 0.4].iter().enumerate() {
            assert!(close(out[u], *expected, 1e-7), "{out:?}");
        }
        // Unit E = (3, 3) beats B: B drops below 1 (2/3 with E's weights 1/6, 1/6).
        let i1 = [2.0, 3.0];
        let i2 = [2.0, 3.0];
        let mut out = [0.0; 2];
        bod(&[&i1, &i2], &mut out).unwrap();
        assert!(close(out[0], 2.0 / 3.0, 1e-7) && close(out[1], 1.0, 1e-7), "{out:?}");
        assert_eq!(bod(&[&[1.0, -1.0]], &mut [0.0; 2]), Err((0, 1)));
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

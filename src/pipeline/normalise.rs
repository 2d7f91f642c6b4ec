//! Normalisation: brings every indicator onto a common scale, then applies its
//! direction so that a higher value always means higher risk.
//!
//! A method is first *fitted* on reference values (one period's units, or the whole
//! panel with `normalise_over = "panel"`), then *applied* to each value. Keeping the
//! two apart lets a backtest fit on data up to t and apply to later periods.
//!
//! # Formula
//! For an indicator x over the reference values, with target range [l, u]
//! (default [0, 100]):
//! - `minmax`: `l + (u - l)(x - min)/(max - min)`; all values equal -> (l + u)/2
//!   (no information to separate units; a warning is raised).
//! - `goalposts`: `l + (u - l) · clamp((x - lo)/(hi - lo), 0, 1)` with goalposts
//!   [lo, hi] given in the indicator's raw units (a transform is applied to them too).
//! - `zscore`: `(x - mean)/σ`, σ the population standard deviation; σ = 0 is an error.
//! - `rank`: the average-tie rank of x among the reference values, 1 = lowest.
//! - `percentile`: `100 (r - 1)/(n - 1)` with r the rank above (n = 1 gives 50).
//! - `distance_to_max`: `100 x / max` (distance to the best-placed unit, the reference).
//! - `fracmax`: `x / max` (COINr n_fracmax).
//! - `dist2targ`: distance to a target t (in raw units; the transform is applied to
//!   it): `(x - min)/(t - min)`, for `risk_down` `(max - x)/(max - t)`; with
//!   `cap = true` values beyond the target score 1 (COINr n_dist2targ).
//! - `borda`: Borda score, the rank with ties at their lowest place, minus 1:
//!   `#{reference values < x}` (COINr n_borda).
//! - `scaled`: `100 (x - l)/(u - l)` with [l, u] from `goalposts`, not clamped (COINr
//!   n_scaled, the GII 2020 scaling).
//! - `mpi_scaled`: `100 + 10 (x - mean)/σ`, the Mazziotta-Pareto standardisation
//!   (σ population; for `aggregation = "mpi"`).
//! - `none`: x unchanged.
//!
//! Direction `risk_down` flips the normalised value v: `l + u - v` for minmax and
//! goalposts, `100 - v` for percentile, distance to max and scaled, `1 - v` for
//! fracmax, `n + 1 - v` for rank, `n - 1 - v` for borda, `200 - v` for mpi_scaled and
//! `-v` for zscore and none; dist2targ builds the direction into its formula. For
//! minmax, zscore, rank, percentile and mpi_scaled this equals normalising `-x`; so
//! does borda's flip when there are no ties (tied units then share the higher place).
//!
//! ## References
//! OECD/JRC (2008) Handbook on Constructing Composite Indicators, section 5 (table 3).
//! Becker et al. (2022) COINr, JOSS 7(78) 4567: n_minmax, n_goalposts, n_zscore, n_rank,
//! n_fracmax, n_dist2targ, n_borda, n_scaled. Mazziotta & Pareto (2016), Social
//! Indicators Research 127 (the 100 + 10 z standardisation).

use crate::stats;

/// How an indicator is brought onto a common scale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Normalise {
    MinMax {
        lo: f64,
        hi: f64,
    },
    Goalposts {
        min: f64,
        max: f64,
        lo: f64,
        hi: f64,
    },
    ZScore,
    Rank,
    Percentile,
    DistanceToMax,
    FracMax,
    /// Target in raw units; `down` for risk_down indicators.
    DistToTarget {
        target: f64,
        cap: bool,
        down: bool,
    },
    Borda,
    Scaled {
        l: f64,
        u: f64,
    },
    MpiScaled,
    None,
}

/// Whether a higher raw value means more or less risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    RiskUp,
    RiskDown,
}

/// Names accepted in framework files.
pub const NAMES: &[&str] = &[
    "minmax",
    "goalposts",
    "zscore",
    "rank",
    "percentile",
    "distance_to_max",
    "fracmax",
    "dist2targ",
    "borda",
    "scaled",
    "mpi_scaled",
    "none",
];

/// How a rank-based method reports a rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RankMode {
    /// Average-tie rank, 1 = lowest.
    Rank,
    /// `100 (r - 1)/(n - 1)`.
    Percentile,
    /// Number of reference values below x.
    Borda,
}

/// A method fitted on reference values, ready to apply.
#[derive(Debug, Clone, PartialEq)]
pub enum Fitted {
    /// `v = lo + width * (x - centre) / span`, optionally clamped to [clamp_lo, clamp_hi].
    /// Written this way (not as offset + slope x) so that x = min gives exactly lo and
    /// x = max exactly lo + width.
    Linear {
        centre: f64,
        span: f64,
        lo: f64,
        width: f64,
        clamp: Option<(f64, f64)>,
    },
    /// Every value maps to the same number.
    Constant(f64),
    /// Rank-based methods keep the sorted reference values.
    Ranked {
        sorted: Vec<f64>,
        mode: RankMode,
    },
    Identity,
}

/// Why a method cannot be fitted.
#[derive(Debug, Clone, PartialEq)]
pub enum FitError {
    NoValues,
    ZeroVariance { value: f64, n: usize },
    NonPositiveMax { max: f64 },
}

/// What fitting produced: the fitted method, and whether it fell back to a constant.
pub struct Fit {
    pub fitted: Fitted,
    pub degenerate: bool,
}

impl Normalise {
    /// Fits the method on the present reference values.
    ///
    /// `transform` maps goalposts from raw units onto the treated scale.
    pub fn fit(&self, reference: &[f64], transform: impl Fn(f64) -> f64) -> Result<Fit, FitError> {
        let sorted = stats::sorted_present(reference);
        let ok = |fitted| {
            Ok(Fit {
                fitted,
                degenerate: false,
            })
        };
        if sorted.is_empty() && !matches!(self, Normalise::Goalposts { .. } | Normalise::None) {
            return Err(FitError::NoValues);
        }
        match *self {
            Normalise::MinMax { lo, hi } => {
                let (min, max) = (sorted[0], sorted[sorted.len() - 1]);
                if max > min {
                    ok(Fitted::Linear {
                        centre: min,
                        span: max - min,
                        lo,
                        width: hi - lo,
                        clamp: None,
                    })
                } else {
                    Ok(Fit {
                        fitted: Fitted::Constant((lo + hi) / 2.0),
                        degenerate: true,
                    })
                }
            }
            Normalise::Goalposts { min, max, lo, hi } => {
                let (tmin, tmax) = (transform(min), transform(max));
                ok(Fitted::Linear {
                    centre: tmin,
                    span: tmax - tmin,
                    lo,
                    width: hi - lo,
                    clamp: Some((lo.min(hi), lo.max(hi))),
                })
            }
            Normalise::ZScore => {
                let mean = stats::mean(&sorted);
                let sd = stats::sd_population(&sorted);
                if sd > 0.0 {
                    ok(Fitted::Linear {
                        centre: mean,
                        span: sd,
                        lo: 0.0,
                        width: 1.0,
                        clamp: None,
                    })
                } else {
                    Err(FitError::ZeroVariance {
                        value: mean,
                        n: sorted.len(),
                    })
                }
            }
            Normalise::Rank | Normalise::Percentile | Normalise::Borda => ok(Fitted::Ranked {
                sorted,
                mode: match self {
                    Normalise::Rank => RankMode::Rank,
                    Normalise::Percentile => RankMode::Percentile,
                    _ => RankMode::Borda,
                },
            }),
            Normalise::DistToTarget { target, cap, down } => {
                let t = transform(target);
                let edge = if down { sorted[sorted.len() - 1] } else { sorted[0] };
                if t == edge || !t.is_finite() {
                    return Ok(Fit {
                        fitted: Fitted::Constant(1.0),
                        degenerate: true,
                    });
                }
                ok(Fitted::Linear {
                    centre: edge,
                    span: t - edge,
                    lo: 0.0,
                    width: 1.0,
                    clamp: cap.then_some((f64::NEG_INFINITY, 1.0)),
                })
            }
            Normalise::Scaled { l, u } => {
                let (tl, tu) = (transform(l), transform(u));
                ok(Fitted::Linear {
                    centre: tl,
                    span: tu - tl,
                    lo: 0.0,
                    width: 100.0,
                    clamp: None,
                })
            }
            Normalise::MpiScaled => {
                let mean = stats::mean(&sorted);
                let sd = stats::sd_population(&sorted);
                if sd > 0.0 {
                    ok(Fitted::Linear {
                        centre: mean,
                        span: sd,
                        lo: 100.0,
                        width: 10.0,
                        clamp: None,
                    })
                } else {
                    Err(FitError::ZeroVariance {
                        value: mean,
                        n: sorted.len(),
                    })
                }
            }
            // x / max, as a fraction (fracmax) or in percent (distance_to_max).
            Normalise::FracMax | Normalise::DistanceToMax => {
                let max = sorted[sorted.len() - 1];
                if max > 0.0 {
                    ok(Fitted::Linear {
                        centre: 0.0,
                        span: max,
                        lo: 0.0,
                        width: if *self == Normalise::FracMax { 1.0 } else { 100.0 },
                        clamp: None,
                    })
                } else {
                    Err(FitError::NonPositiveMax { max })
                }
            }
            Normalise::None => ok(Fitted::Identity),
        }
    }

    /// Flips a normalised value for `risk_down`; `n` is the number of reference values.
    pub fn flip(&self, v: f64, n: usize) -> f64 {
        match *self {
            Normalise::MinMax { lo, hi } | Normalise::Goalposts { lo, hi, .. } => lo + hi - v,
            Normalise::Percentile | Normalise::DistanceToMax | Normalise::Scaled { .. } => 100.0 - v,
            Normalise::FracMax => 1.0 - v,
            Normalise::Rank => n as f64 + 1.0 - v,
            Normalise::Borda => n as f64 - 1.0 - v,
            Normalise::MpiScaled => 200.0 - v,
            Normalise::DistToTarget { .. } => v,
            Normalise::ZScore | Normalise::None => -v,
        }
    }

    /// The range [l, u] a bounded method maps onto; `None` for unbounded ones.
    pub fn bounds(&self) -> Option<(f64, f64)> {
        match *self {
            Normalise::MinMax { lo, hi } | Normalise::Goalposts { lo, hi, .. } => Some((lo, hi)),
            Normalise::Percentile => Some((0.0, 100.0)),
            _ => None,
        }
    }
}

impl Fitted {
    /// Applies the fitted method to one treated value (NaN stays NaN).
    pub fn apply(&self, x: f64) -> f64 {
        if x.is_nan() {
            return f64::NAN;
        }
        match self {
            Fitted::Linear {
                centre,
                span,
                lo,
                width,
                clamp,
            } => {
                let v = lo + width * ((x - centre) / span);
                match clamp {
                    Some((lo, hi)) => v.clamp(*lo, *hi),
                    None => v,
                }
            }
            Fitted::Constant(c) => *c,
            Fitted::Ranked { sorted, mode } => {
                let below = sorted.partition_point(|&s| s < x);
                if *mode == RankMode::Borda {
                    return below as f64;
                }
                let equal = sorted[below..].partition_point(|&s| s <= x);
                // Average rank among the reference values, counting x itself once
                // when it is not one of them.
                let (n, rank) = if equal == 0 {
                    (sorted.len() + 1, below as f64 + 1.0)
                } else {
                    (sorted.len(), below as f64 + (equal as f64 + 1.0) / 2.0)
                };
                if *mode == RankMode::Percentile {
                    if n <= 1 {
                        50.0
                    } else {
                        100.0 * (rank - 1.0) / (n as f64 - 1.0)
                    }
                } else {
                    rank
                }
            }
            Fitted::Identity => x,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::prec::*;
    use proptest::prelude::*;

    fn apply_all(method: Normalise, x: &[f64]) -> Vec<f64> {
        let fit = method.fit(x, |v| v).unwrap();
        x.iter().map(|&v| fit.fitted.apply(v)).collect()
    }

    #[test]
    fn minmax_by_hand() {
        let v = apply_all(Normalise::MinMax { lo: 0.0, hi: 100.0 }, &[2.0, 4.0, 10.0, f64::NAN]);
        assert!(close(v[0], 0.0, HAND) && close(v[1], 25.0, HAND) && close(v[2], 100.0, HAND));
        assert!(v[3].is_nan());
        let v = apply_all(Normalise::MinMax { lo: 1.0, hi: 100.0 }, &[2.0, 4.0, 10.0]);
        // 1 + 99 * 2/8 = 25.75
        assert!(close(v[1], 25.75, HAND));
    }

    #[test]
    fn constant_minmax_sits_mid_range() {
        let fit = Normalise::MinMax { lo: 0.0, hi: 100.0 }
            .fit(&[3.0, 3.0], |v| v)
            .unwrap();
        assert!(fit.degenerate);
        assert_eq!(fit.fitted.apply(3.0), 50.0);
    }

    #[test]
    fn goalposts_clamp_and_follow_transform() {
        let m = Normalise::Goalposts {
            min: 0.0,
            max: 105183.4,
            lo: 0.0,
            hi: 100.0,
        };
        let fit = m.fit(&[], f64::ln_1p).unwrap();
        // GTI check value: x = 6.4 -> 100 ln(7.4)/ln(105184.4) = 17.309
        assert!(close(fit.fitted.apply(6.4f64.ln_1p()), 17.30859, 1e-4));
        assert_eq!(fit.fitted.apply(1e9f64.ln_1p()), 100.0);
    }

    #[test]
    fn zscore_by_hand_and_zero_variance() {
        let v = apply_all(Normalise::ZScore, &[2.0, 4.0, 6.0]);
        // mean 4, sd sqrt(8/3) = 1.632993 -> -1.224745, 0, 1.224745
        assert!(close(v[0], -1.224744871, HAND) && close(v[1], 0.0, HAND));
        assert_eq!(
            Normalise::ZScore.fit(&[5.0, 5.0], |v| v).err(),
            Some(FitError::ZeroVariance { value: 5.0, n: 2 })
        );
    }

    #[test]
    fn rank_and_percentile_average_ties() {
        let x = [10.0, 20.0, 20.0, 30.0];
        assert_eq!(apply_all(Normalise::Rank, &x), vec![1.0, 2.5, 2.5, 4.0]);
        // 100 (r - 1)/3: 0, 50, 50, 100
        assert_eq!(apply_all(Normalise::Percentile, &x), vec![0.0, 50.0, 50.0, 100.0]);
    }

    #[test]
    fn distance_to_max_by_hand() {
        let v = apply_all(Normalise::DistanceToMax, &[1.0, 4.0, 8.0]);
        assert!(close(v[0], 12.5, HAND) && close(v[2], 100.0, HAND));
    }

    #[test]
    fn new_methods_by_hand() {
        // fracmax: x / 8
        let v = apply_all(Normalise::FracMax, &[1.0, 4.0, 8.0]);
        assert!(close(v[0], 0.125, HAND) && close(v[2], 1.0, HAND));
        // dist2targ, target 6: (x - 1)/(6 - 1) -> 0, 0.6, 1.4 (capped: 1)
        let d = |cap, down| Normalise::DistToTarget { target: 6.0, cap, down };
        let v = apply_all(d(false, false), &[1.0, 4.0, 8.0]);
        assert!(close(v[1], 0.6, HAND) && close(v[2], 1.4, HAND));
        assert!(close(apply_all(d(true, false), &[1.0, 4.0, 8.0])[2], 1.0, HAND));
        // risk_down: (8 - x)/(8 - 6) -> 3.5, 2, 0
        let v = apply_all(d(false, true), &[1.0, 4.0, 8.0]);
        assert!(close(v[0], 3.5, HAND) && close(v[1], 2.0, HAND) && close(v[2], 0.0, HAND));
        // borda: values below, ties at their lowest place: 0, 1, 1, 3
        assert_eq!(
            apply_all(Normalise::Borda, &[10.0, 20.0, 20.0, 30.0]),
            vec![0.0, 1.0, 1.0, 3.0]
        );
        // Flipped without ties: 3 - v = the Borda score of -x.
        assert_eq!(apply_all(Normalise::Borda, &[-10.0, -20.0, -30.0]), vec![2.0, 1.0, 0.0]);
        assert_eq!(Normalise::Borda.flip(0.0, 3), 2.0);
        // scaled [0, 50]: 100 x / 50 -> 8, 120 (not clamped)
        let v = apply_all(Normalise::Scaled { l: 0.0, u: 50.0 }, &[4.0, 60.0]);
        assert!(close(v[0], 8.0, HAND) && close(v[1], 120.0, HAND));
        // mpi_scaled: 100 + 10 z: mean 4, sd 1.632993 -> 87.752551, 100, 112.247449
        let v = apply_all(Normalise::MpiScaled, &[2.0, 4.0, 6.0]);
        assert!(close(v[0], 87.75255129, HAND) && close(v[1], 100.0, HAND) && close(v[2], 112.2474487, HAND));
    }

    #[test]
    fn flip_equals_normalising_negated_values() {
        let x = [3.0, 1.0, 7.0, 7.0, 2.0];
        let neg: Vec<f64> = x.iter().map(|v| -v).collect();
        for m in [
            Normalise::MinMax { lo: 0.0, hi: 100.0 },
            Normalise::ZScore,
            Normalise::Rank,
            Normalise::Percentile,
            Normalise::MpiScaled,
        ] {
            let a = apply_all(m, &x);
            let b = apply_all(m, &neg);
            for (va, vb) in a.iter().zip(&b) {
                assert!(close(m.flip(*va, x.len()), *vb, HAND), "{m:?}");
            }
        }
    }

    proptest! {
        #[test]
        fn minmax_stays_in_range(x in proptest::collection::vec(-1e6f64..1e6, 1..50)) {
            for v in apply_all(Normalise::MinMax { lo: 0.0, hi: 100.0 }, &x) {
                prop_assert!((0.0..=100.0).contains(&v));
            }
        }
    }
}

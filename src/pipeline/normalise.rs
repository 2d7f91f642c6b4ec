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
//! - `zscore`: `m + s (x - mean)/σ`, σ the sample standard deviation (divisor n - 1,
//!   as R's `sd` and COINr `n_zscore`), `[m, s]` = `mean_sd` (default [0, 1]); σ = 0 is
//!   an error.
//! - `rank`: the rank of x among the reference values, 1 = lowest; ties share the
//!   average rank (`rank_ties = "average"`, the default) or the lowest (`"min"`, R's
//!   `ties.method = "min"` as COINr `n_rank`).
//! - `percentile`: `l + (u - l)(r - 1)/(n - 1)` with r the rank above and [l, u] the
//!   range (default [0, 100]; COINr `n_prank` is [0, 1] with min ties); n = 1 gives the
//!   middle of the range.
//! - `distance_to_max`: `100 x / max` (distance to the best-placed unit, the reference).
//! - `fracmax`: `x / max` (COINr n_fracmax).
//! - `dist2targ`: distance to a target t (in raw units; the transform is applied to
//!   it): `(x - min)/(t - min)`, for `risk_down` `(max - x)/(max - t)`; with
//!   `cap = true` values beyond the target score 1 (COINr n_dist2targ).
//! - `dist2ref`: distance to a reference unit r (`reference_unit`), its value in the
//!   period taken as the target above: `(x - min)/(x_r - min)`, for `risk_down`
//!   `(max - x)/(max - x_r)` (COINr n_dist2ref, `1 - (x_r - x)/(x_r - min)`); with
//!   `cap = true` values beyond the reference's score 1.
//! - `borda`: Borda score, the rank minus 1; with the default min ties
//!   `#{reference values < x}` (COINr n_borda).
//! - `scaled`: `100 (x - l)/(u - l)` with [l, u] from `goalposts`, not clamped (COINr
//!   n_scaled, the GII 2020 scaling).
//! - `mpi_scaled`: `100 + 10 (x - mean)/σ`, the Mazziotta-Pareto standardisation
//!   (σ population; for `aggregation = "mpi"`).
//! - `none`: x unchanged.
//!
//! Direction `risk_down` flips the normalised value v: `l + u - v` for minmax and
//! goalposts, `100 - v` for distance to max and scaled, `1 - v` for fracmax, `200 - v`
//! for mpi_scaled, `2m - v` for zscore and `-v` for none; dist2targ builds the
//! direction into its formula. For minmax, zscore and mpi_scaled this equals
//! normalising `-x`. The rank methods (rank, percentile, borda) rank `-x` instead, as
//! COINr multiplies by the direction before normalising: with min ties a flipped rank
//! would not be the same.
//!
//! ## References
//! OECD/JRC (2008) Handbook on Constructing Composite Indicators, section 5 (table 3).
//! Becker et al. (2022) COINr, JOSS 7(78) 4567: n_minmax, n_goalposts, n_zscore, n_rank,
//! n_fracmax, n_dist2targ, n_borda, n_scaled. Mazziotta & Pareto (2016), Social
//! Indicators Research 127 (the 100 + 10 z standardisation).

use crate::pipeline::rank::Ties;
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
    ZScore {
        mean: f64,
        sd: f64,
    },
    Rank {
        ties: Ties,
    },
    Percentile {
        ties: Ties,
        lo: f64,
        hi: f64,
    },
    DistanceToMax,
    FracMax,
    /// Target in raw units; `down` for risk_down indicators.
    DistToTarget {
        target: f64,
        cap: bool,
        down: bool,
    },
    /// Fitted as [`Normalise::DistToTarget`] once the reference unit's value is known
    /// ([`Normalise::with_reference`]).
    DistToRef {
        cap: bool,
        down: bool,
    },
    Borda {
        ties: Ties,
    },
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
    "dist2ref",
    "borda",
    "scaled",
    "mpi_scaled",
    "none",
];

/// How a rank-based method reports a rank r (1 = lowest).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RankMode {
    Rank,
    /// `lo + (hi - lo)(r - 1)/(n - 1)`.
    Percentile {
        lo: f64,
        hi: f64,
    },
    /// `r - 1`.
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
        ties: Ties,
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

/// A fit that separates the values.
fn fitted(fitted: Fitted) -> Result<Fit, FitError> {
    Ok(Fit {
        fitted,
        degenerate: false,
    })
}

/// `lo + width (x - centre) / span`, clamped to `clamp` if given.
fn linear(centre: f64, span: f64, lo: f64, width: f64, clamp: Option<(f64, f64)>) -> Fitted {
    Fitted::Linear {
        centre,
        span,
        lo,
        width,
        clamp,
    }
}

/// A fit that cannot separate the values: every one becomes `value`.
fn constant(value: f64) -> Fit {
    Fit {
        fitted: Fitted::Constant(value),
        degenerate: true,
    }
}

/// `lo + width (x - mean) / sd` over the sorted present values, for a positive `sd`.
fn standardised(sorted: &[f64], sd: f64, lo: f64, width: f64) -> Result<Fit, FitError> {
    let mean = stats::mean(sorted);
    if sd > 0.0 {
        fitted(linear(mean, sd, lo, width, None))
    } else {
        Err(FitError::ZeroVariance {
            value: mean,
            n: sorted.len(),
        })
    }
}

impl Normalise {
    /// Fits the method on the present reference values.
    ///
    /// `transform` maps goalposts from raw units onto the treated scale.
    pub fn fit(&self, reference: &[f64], transform: impl Fn(f64) -> f64) -> Result<Fit, FitError> {
        // The rank methods keep the sorted values, and the moments sum them in sorted
        // order; the others need only the smallest and largest value.
        let sorted = if self.needs_sorted() {
            stats::sorted_present(reference)
        } else {
            Vec::new()
        };
        let range = if self.needs_sorted() {
            sorted.first().copied().zip(sorted.last().copied())
        } else {
            stats::present_range(reference)
        };
        if range.is_none() && !matches!(self, Normalise::Goalposts { .. } | Normalise::None) {
            return Err(FitError::NoValues);
        }
        // Goalposts and None read no value.
        let (smallest, largest) = range.unwrap_or((f64::NAN, f64::NAN));
        let ranked = |sorted, mode, ties| fitted(Fitted::Ranked { sorted, mode, ties });
        match *self {
            Normalise::MinMax { lo, hi } if largest > smallest => {
                fitted(linear(smallest, largest - smallest, lo, hi - lo, None))
            }
            Normalise::MinMax { lo, hi } => Ok(constant((lo + hi) / 2.0)),
            Normalise::Goalposts { min, max, lo, hi } => {
                let (tmin, tmax) = (transform(min), transform(max));
                let clamp = Some((lo.min(hi), lo.max(hi)));
                fitted(linear(tmin, tmax - tmin, lo, hi - lo, clamp))
            }
            Normalise::ZScore { mean, sd } => standardised(&sorted, stats::sd_sample(&sorted), mean, sd),
            Normalise::Rank { ties } => ranked(sorted, RankMode::Rank, ties),
            Normalise::Percentile { ties, lo, hi } => ranked(sorted, RankMode::Percentile { lo, hi }, ties),
            Normalise::Borda { ties } => ranked(sorted, RankMode::Borda, ties),
            Normalise::DistToTarget { target, cap, down } => {
                let t = transform(target);
                let edge = if down { largest } else { smallest };
                if t == edge || !t.is_finite() {
                    return Ok(constant(1.0));
                }
                fitted(linear(
                    edge,
                    t - edge,
                    0.0,
                    1.0,
                    cap.then_some((f64::NEG_INFINITY, 1.0)),
                ))
            }
            // Without the reference's value: nothing to measure against.
            Normalise::DistToRef { .. } => Ok(constant(1.0)),
            Normalise::Scaled { l, u } => {
                let (tl, tu) = (transform(l), transform(u));
                fitted(linear(tl, tu - tl, 0.0, 100.0, None))
            }
            Normalise::MpiScaled => standardised(&sorted, stats::sd_population(&sorted), 100.0, 10.0),
            // x / max, as a fraction (fracmax) or in percent (distance_to_max).
            Normalise::FracMax | Normalise::DistanceToMax if largest > 0.0 => {
                let width = if *self == Normalise::FracMax { 1.0 } else { 100.0 };
                fitted(linear(0.0, largest, 0.0, width, None))
            }
            Normalise::FracMax | Normalise::DistanceToMax => Err(FitError::NonPositiveMax { max: largest }),
            Normalise::None => fitted(Fitted::Identity),
        }
    }

    /// Whether fitting needs the present values sorted: the rank methods keep them, and
    /// the z-scores sum them in sorted order (so that a value's place in the data does
    /// not change the last bits of the mean).
    fn needs_sorted(&self) -> bool {
        matches!(
            self,
            Normalise::Rank { .. }
                | Normalise::Percentile { .. }
                | Normalise::Borda { .. }
                | Normalise::ZScore { .. }
                | Normalise::MpiScaled
        )
    }

    /// `dist2ref` with the reference unit's (treated) value as its target; other
    /// methods unchanged.
    pub fn with_reference(self, value: f64) -> Normalise {
        match self {
            Normalise::DistToRef { cap, down } => Normalise::DistToTarget {
                target: value,
                cap,
                down,
            },
            other => other,
        }
    }

    /// Whether `risk_down` is applied by normalising `-x` (the rank methods) rather
    /// than by [`Normalise::flip`].
    pub fn negates_first(&self) -> bool {
        matches!(
            self,
            Normalise::Rank { .. } | Normalise::Percentile { .. } | Normalise::Borda { .. }
        )
    }

    /// Flips a normalised value for `risk_down` (methods that do not negate first).
    pub fn flip(&self, v: f64) -> f64 {
        match *self {
            Normalise::MinMax { lo, hi } | Normalise::Goalposts { lo, hi, .. } => lo + hi - v,
            Normalise::DistanceToMax | Normalise::Scaled { .. } => 100.0 - v,
            Normalise::FracMax => 1.0 - v,
            Normalise::MpiScaled => 200.0 - v,
            Normalise::ZScore { mean, .. } => 2.0 * mean - v,
            Normalise::DistToTarget { .. }
            | Normalise::DistToRef { .. }
            | Normalise::Rank { .. }
            | Normalise::Percentile { .. }
            | Normalise::Borda { .. } => v,
            Normalise::None => -v,
        }
    }

    /// The parameters given in the indicator's raw units, with their names: they are
    /// mapped onto the treated scale the way the values were.
    pub fn raw_bounds(&self) -> Vec<(&'static str, f64)> {
        match *self {
            Normalise::Goalposts { min, max, .. } => vec![("low goalpost", min), ("high goalpost", max)],
            Normalise::Scaled { l, u } => vec![("low goalpost", l), ("high goalpost", u)],
            Normalise::DistToTarget { target, .. } => vec![("target", target)],
            _ => Vec::new(),
        }
    }

    /// The range [l, u] a bounded method maps onto; `None` for unbounded ones.
    pub fn bounds(&self) -> Option<(f64, f64)> {
        match *self {
            Normalise::MinMax { lo, hi } | Normalise::Goalposts { lo, hi, .. } => Some((lo, hi)),
            Normalise::Percentile { lo, hi, .. } => Some((lo, hi)),
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
            Fitted::Ranked { sorted, mode, ties } => {
                let below = sorted.partition_point(|&s| s < x);
                let equal = sorted[below..].partition_point(|&s| s <= x);
                // The rank among the reference values, counting x itself once when it
                // is not one of them.
                let (n, rank) = if equal == 0 {
                    (sorted.len() + 1, below as f64 + 1.0)
                } else {
                    let rank = match ties {
                        Ties::Average => below as f64 + (equal as f64 + 1.0) / 2.0,
                        Ties::Min => below as f64 + 1.0,
                    };
                    (sorted.len(), rank)
                };
                match *mode {
                    RankMode::Rank => rank,
                    RankMode::Borda => rank - 1.0,
                    RankMode::Percentile { lo, hi } if n <= 1 => (lo + hi) / 2.0,
                    RankMode::Percentile { lo, hi } => lo + (hi - lo) * (rank - 1.0) / (n as f64 - 1.0),
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
        let z = |mean, sd| Normalise::ZScore { mean, sd };
        // mean 4, sample sd sqrt(8/2) = 2 -> -1, 0, 1
        let v = apply_all(z(0.0, 1.0), &[2.0, 4.0, 6.0]);
        assert!(close(v[0], -1.0, HAND) && close(v[1], 0.0, HAND) && close(v[2], 1.0, HAND));
        // COINr n_zscore(m_sd = c(10, 2)): 10 + 2 z -> 8, 10, 12; flipped: 2 * 10 - v.
        let v = apply_all(z(10.0, 2.0), &[2.0, 4.0, 6.0]);
        assert!(close(v[0], 8.0, HAND) && close(v[2], 12.0, HAND));
        assert!(close(z(10.0, 2.0).flip(v[2]), 8.0, HAND));
        assert_eq!(
            z(0.0, 1.0).fit(&[5.0, 5.0], |v| v).err(),
            Some(FitError::ZeroVariance { value: 5.0, n: 2 })
        );
    }

    #[test]
    fn rank_and_percentile_with_average_and_min_ties() {
        let x = [10.0, 20.0, 20.0, 30.0];
        let (avg, min) = (Ties::Average, Ties::Min);
        assert_eq!(apply_all(Normalise::Rank { ties: avg }, &x), vec![1.0, 2.5, 2.5, 4.0]);
        // R: rank(x, ties.method = "min") = 1, 2, 2, 4 (COINr n_rank)
        assert_eq!(apply_all(Normalise::Rank { ties: min }, &x), vec![1.0, 2.0, 2.0, 4.0]);
        // 100 (r - 1)/3: 0, 50, 50, 100
        let pct = |ties, lo, hi| Normalise::Percentile { ties, lo, hi };
        assert_eq!(apply_all(pct(avg, 0.0, 100.0), &x), vec![0.0, 50.0, 50.0, 100.0]);
        // COINr n_prank: (r - 1)/(n - 1) with min ties -> 0, 1/3, 1/3, 1
        let v = apply_all(pct(min, 0.0, 1.0), &x);
        assert!(close(v[1], 1.0 / 3.0, HAND) && close(v[3], 1.0, HAND) && v[0] == 0.0);
        // Borda with average ties: r - 1 -> 0, 1.5, 1.5, 3
        assert_eq!(apply_all(Normalise::Borda { ties: avg }, &x), vec![0.0, 1.5, 1.5, 3.0]);
        assert!(Normalise::Rank { ties: min }.negates_first() && !Normalise::FracMax.negates_first());
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
        // dist2ref, reference value 4: (x - 1)/(4 - 1) -> 0, 1, 7/3 (COINr n_dist2ref)
        let v = apply_all(
            Normalise::DistToRef {
                cap: false,
                down: false,
            }
            .with_reference(4.0),
            &[1.0, 4.0, 8.0],
        );
        assert!(close(v[1], 1.0, HAND) && close(v[2], 7.0 / 3.0, HAND) && v[0] == 0.0);
        // borda: values below, ties at their lowest place: 0, 1, 1, 3
        let borda = Normalise::Borda { ties: Ties::Min };
        assert_eq!(apply_all(borda, &[10.0, 20.0, 20.0, 30.0]), vec![0.0, 1.0, 1.0, 3.0]);
        // risk_down ranks -x: the two 20s share the lower place of -x, 1.
        assert_eq!(
            apply_all(borda, &[-10.0, -20.0, -20.0, -30.0]),
            vec![3.0, 1.0, 1.0, 0.0]
        );
        // scaled [0, 50]: 100 x / 50 -> 8, 120 (not clamped)
        let v = apply_all(Normalise::Scaled { l: 0.0, u: 50.0 }, &[4.0, 60.0]);
        assert!(close(v[0], 8.0, HAND) && close(v[1], 120.0, HAND));
        // mpi_scaled: 100 + 10 z: mean 4, sd 1.632993 -> 87.752551, 100, 112.247449
        let v = apply_all(Normalise::MpiScaled, &[2.0, 4.0, 6.0]);
        // (population sd, as Mazziotta & Pareto)
        assert!(close(v[0], 87.75255129, HAND) && close(v[1], 100.0, HAND) && close(v[2], 112.2474487, HAND));
    }

    #[test]
    fn flip_equals_normalising_negated_values() {
        let x = [3.0, 1.0, 7.0, 7.0, 2.0];
        let neg: Vec<f64> = x.iter().map(|v| -v).collect();
        for m in [
            Normalise::MinMax { lo: 0.0, hi: 100.0 },
            Normalise::ZScore { mean: 10.0, sd: 2.0 },
            Normalise::MpiScaled,
        ] {
            let a = apply_all(m, &x);
            let b = apply_all(m, &neg);
            for (va, vb) in a.iter().zip(&b) {
                assert!(close(m.flip(*va), *vb, HAND), "{m:?}");
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

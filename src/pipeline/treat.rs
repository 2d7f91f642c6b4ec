//! Treatment: tames outliers and skew before normalisation.
//!
//! Winsorisation runs first, on raw (imputed) values, then the transform.
//!
//! # Formula
//! - Quantile winsorisation with share p: clamp x to `[Q_p, Q_{1-p}]` (type 7 quantiles
//!   over the reference values, see [`crate::stats`]).
//! - Skew/kurtosis rule (COINr `winsorise()`, after the JRC COIN Tool): an indicator
//!   passes when `|skew| < 2` or `kurtosis < 3.5` (thresholds configurable). While it
//!   fails and fewer than `max_points` (default 5) points are winsorised: if skew >= 0,
//!   every value tied at the maximum is set to the next-highest value, else every value
//!   tied at the minimum to the next-lowest; the count is the number of values tied at
//!   the extreme(s) just moved (so ties can take it past `max_points`), and the side is
//!   chosen again on each pass. Skewness is G1 and kurtosis the excess kurtosis G2 of
//!   [`crate::stats`] (COINr's `skew`, `kurt`; Excel SKEW, KURT).
//! - Two-stage rule `coinr` (COINr's default `Treat`): if the indicator still fails
//!   after the rule above, the winsorisation is discarded and the original values are
//!   log-transformed instead ("COIN Tool log", COINr `log_CT`):
//!   `ln(x - min + a)`, `a = 0.01 (max - min)`; the result is kept even if it fails.
//! - Transforms: `log` = ln x (x > 0), `log1p` = ln(1 + x) (x > -1), `sqrt` = √x (x ≥ 0).
//!
//! ## References
//! OECD/JRC (2008) Handbook, step 5 (outliers). Becker et al. (2022) COINr, `Treat()`
//! defaults `winmax = 5`, `skew_thresh = 2`, `kurt_thresh = 3.5`.

use crate::stats;

/// A monotone transform applied after winsorisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transform {
    None,
    Log,
    Log1p,
    Sqrt,
}

/// Names accepted in framework files.
pub const TRANSFORM_NAMES: &[&str] = &["none", "log", "log1p", "sqrt"];

/// Outlier treatment by winsorisation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Winsorise {
    None,
    Quantile {
        p: f64,
    },
    SkewKurtosis {
        max_points: usize,
        skew: f64,
        kurtosis: f64,
    },
    /// Skew/kurtosis winsorisation, else `log_CT` of the original values.
    TwoStage {
        max_points: usize,
        skew: f64,
        kurtosis: f64,
    },
}

/// Names accepted in framework files.
pub const WINSORISE_NAMES: &[&str] = &["none", "quantile", "skew_kurtosis", "coinr"];

/// COINr's `log_CT`: `ln(x - min + a)`, `a = 0.01 (max - min)`, over the present
/// values; returns `(min, a)`.
pub fn log_ct(values: &mut [f64]) -> Option<(f64, f64)> {
    let sorted = stats::sorted_present(values);
    let (&min, &max) = (sorted.first()?, sorted.last()?);
    let a = 0.01 * (max - min);
    for v in values.iter_mut().filter(|v| !v.is_nan()) {
        *v = (*v - min + a).ln();
    }
    Some((min, a))
}

impl Transform {
    /// The name used in framework files.
    pub fn name(&self) -> &'static str {
        match self {
            Transform::None => "none",
            Transform::Log => "log",
            Transform::Log1p => "log1p",
            Transform::Sqrt => "sqrt",
        }
    }

    /// Applies the transform; `Err(x)` when x is outside its domain.
    pub fn apply(&self, x: f64) -> Result<f64, f64> {
        if x.is_nan() {
            return Ok(x);
        }
        match self {
            Transform::None => Ok(x),
            Transform::Log if x > 0.0 => Ok(x.ln()),
            Transform::Log1p if x > -1.0 => Ok(x.ln_1p()),
            Transform::Sqrt if x >= 0.0 => Ok(x.sqrt()),
            _ => Err(x),
        }
    }

    /// Same as [`Transform::apply`] for goalposts, leaving out-of-domain values as NaN.
    pub fn apply_or_nan(&self, x: f64) -> f64 {
        self.apply(x).unwrap_or(f64::NAN)
    }

    /// What the transform needs of its input, for error messages.
    pub fn domain(&self) -> &'static str {
        match self {
            Transform::None => "any number",
            Transform::Log => "values > 0",
            Transform::Log1p => "values > -1",
            Transform::Sqrt => "values >= 0",
        }
    }
}

/// What winsorisation did to one reference set of values.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Treated {
    /// How many values changed.
    pub changed: usize,
    /// `Some((min, a))` when `log_CT` replaced the values: x became `ln(x - min + a)`.
    pub log_ct: Option<(f64, f64)>,
}

impl Treated {
    /// Maps a value in raw units (a goalpost, a target) the way the values were mapped.
    pub fn map(&self, x: f64) -> f64 {
        match self.log_ct {
            Some((min, a)) => {
                let y = x - min + a;
                if y > 0.0 {
                    y.ln()
                } else {
                    f64::NAN
                }
            }
            None => x,
        }
    }
}

/// COINr's `check_SkewKurt`: passes when `|skew| < skew_max` or `kurtosis < kurtosis_max`
/// (fewer than 3 or 4 values, or no spread, pass).
pub fn passes(values: &[f64], skew_max: f64, kurtosis_max: f64) -> bool {
    let (s, k) = (stats::skewness(values), stats::kurtosis(values));
    s.is_nan() || k.is_nan() || s.abs() < skew_max || k < kurtosis_max
}

impl Winsorise {
    /// Winsorises the present values in place.
    pub fn apply(&self, values: &mut [f64]) -> Treated {
        match *self {
            Winsorise::None => Treated::default(),
            Winsorise::Quantile { p } => {
                let sorted = stats::sorted_present(values);
                let (lo, hi) = (
                    stats::quantile_sorted(&sorted, p),
                    stats::quantile_sorted(&sorted, 1.0 - p),
                );
                let mut changed = 0;
                for v in values.iter_mut().filter(|v| !v.is_nan()) {
                    let c = v.clamp(lo, hi);
                    if c != *v {
                        *v = c;
                        changed += 1;
                    }
                }
                Treated { changed, log_ct: None }
            }
            Winsorise::SkewKurtosis {
                max_points,
                skew,
                kurtosis,
            } => Treated {
                changed: skew_kurtosis(values, max_points, skew, kurtosis),
                log_ct: None,
            },
            Winsorise::TwoStage {
                max_points,
                skew,
                kurtosis,
            } => {
                let original = values.to_vec();
                let changed = skew_kurtosis(values, max_points, skew, kurtosis);
                if passes(values, skew, kurtosis) {
                    return Treated { changed, log_ct: None };
                }
                values.copy_from_slice(&original);
                Treated {
                    changed: values.iter().filter(|v| !v.is_nan()).count(),
                    log_ct: log_ct(values),
                }
            }
        }
    }
}

/// The skew/kurtosis winsorisation loop (module docs); returns how many values changed.
fn skew_kurtosis(values: &mut [f64], max_points: usize, skew: f64, kurtosis: f64) -> usize {
    let original = values.to_vec();
    // Values tied at the extreme on the last high and the last low pass (COINr's
    // `imax`, `imin`): their total is the count that stops the loop.
    let (mut at_max, mut at_min) = (0, 0);
    while at_max + at_min < max_points && !passes(values, skew, kurtosis) {
        let high = stats::skewness(values) >= 0.0;
        let Some(moved) = move_extreme(values, high) else {
            break;
        };
        if high {
            at_max = moved;
        } else {
            at_min = moved;
        }
    }
    values.iter().zip(&original).filter(|(v, o)| v != o).count()
}

/// Sets every present value tied at the maximum (or minimum) to the next value in;
/// returns how many moved, or `None` if all present values are equal.
fn move_extreme(values: &mut [f64], high: bool) -> Option<usize> {
    let present = values.iter().copied().filter(|v| !v.is_nan());
    let extreme = if high {
        present.fold(f64::NEG_INFINITY, f64::max)
    } else {
        present.fold(f64::INFINITY, f64::min)
    };
    let rest = values.iter().copied().filter(|&v| !v.is_nan() && v != extreme);
    let next = if high {
        rest.fold(f64::NAN, f64::max)
    } else {
        rest.fold(f64::NAN, f64::min)
    };
    if next.is_nan() {
        return None;
    }
    let mut moved = 0;
    for v in values.iter_mut().filter(|v| **v == extreme) {
        *v = next;
        moved += 1;
    }
    Some(moved)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::prec::*;

    #[test]
    fn transforms_by_hand_and_domain() {
        assert!(close(Transform::Log1p.apply(6.4).unwrap(), 2.001480000, HAND));
        assert!(close(Transform::Log.apply(std::f64::consts::E).unwrap(), 1.0, HAND));
        assert_eq!(Transform::Sqrt.apply(9.0), Ok(3.0));
        assert_eq!(Transform::Log.apply(0.0), Err(0.0));
        assert_eq!(Transform::Log1p.apply(-1.0), Err(-1.0));
        assert!(Transform::Log.apply(f64::NAN).unwrap().is_nan());
    }

    #[test]
    fn quantile_winsorise_by_hand() {
        let mut x = [1.0, 2.0, 3.0, 4.0, 10.0, f64::NAN];
        // Q_0.1 = 1.4, Q_0.9 = 7.6 (see stats tests)
        assert_eq!(Winsorise::Quantile { p: 0.1 }.apply(&mut x).changed, 2);
        assert!(close(x[0], 1.4, HAND) && close(x[4], 7.6, HAND) && x[5].is_nan());
    }

    fn rule(two_stage: bool, max_points: usize) -> Winsorise {
        let (skew, kurtosis) = (2.0, 3.5);
        if two_stage {
            Winsorise::TwoStage {
                max_points,
                skew,
                kurtosis,
            }
        } else {
            Winsorise::SkewKurtosis {
                max_points,
                skew,
                kurtosis,
            }
        }
    }

    /// 8 ones, 8 twos, 4 threes, then 15, 60, 60 (skew 3.0001, kurtosis 7.9384).
    fn tied_tail(sign: f64) -> Vec<f64> {
        let mut x: Vec<f64> = [1.0; 8].into_iter().chain([2.0; 8]).chain([3.0; 4]).collect();
        x.extend([15.0, 60.0, 60.0]);
        x.iter().map(|v| sign * v).collect()
    }

    #[test]
    fn skew_kurtosis_rule_pulls_in_the_outlier() {
        // One huge value among 9 ones and twos: skew 3.16, kurtosis 10 -> treated.
        let mut x = [1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 1000.0];
        assert_eq!(rule(false, 5).apply(&mut x).changed, 1);
        assert_eq!(x[9], 2.0);
        // A symmetric sample is left alone.
        let mut y = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(rule(false, 5).apply(&mut y), Treated::default());
    }

    #[test]
    fn ties_at_the_extreme_move_together_as_coinr_does() {
        // Worked by hand (COINr `winsorise`): pass 1 sets both 60s to 15 (count 2;
        // skew 2.2385, kurtosis 3.5332: still fails); pass 2 sets the three 15s to 3
        // (count 3; skew 0.0846: passes). Three values changed.
        let mut x = tied_tail(1.0);
        let out = rule(true, 5).apply(&mut x);
        assert_eq!(
            out,
            Treated {
                changed: 3,
                log_ct: None
            }
        );
        assert_eq!(&x[20..], &[3.0, 3.0, 3.0]);
        // The low side, when the skew is negative.
        let mut x = tied_tail(-1.0);
        assert_eq!(rule(false, 5).apply(&mut x).changed, 3);
        assert_eq!(&x[20..], &[-3.0, -3.0, -3.0]);
        // With max_points = 2 the loop stops after pass 1 (count 2), still failing:
        // skew_kurtosis keeps that, coinr falls back to log_CT of the originals.
        let mut x = tied_tail(1.0);
        assert_eq!(rule(false, 2).apply(&mut x).changed, 2);
        assert_eq!(&x[20..], &[15.0, 15.0, 15.0]);
        let mut x = tied_tail(1.0);
        let out = rule(true, 2).apply(&mut x);
        // log_CT: min 1, a = 0.01 (60 - 1) = 0.59; 1 -> ln 0.59, 60 -> ln 59.59.
        assert_eq!(out.changed, 23);
        assert_eq!(out.log_ct, Some((1.0, 0.59)));
        assert!(close(x[0], 0.59f64.ln(), HAND) && close(x[22], 59.59f64.ln(), HAND));
        assert!(close(out.map(60.0), 59.59f64.ln(), HAND) && out.map(0.0).is_nan());
    }

    #[test]
    fn pass_test_is_an_or_of_strict_thresholds() {
        // COINr check_SkewKurt: fails only when |skew| >= 2 and kurtosis >= 3.5.
        let x = tied_tail(1.0);
        assert!(!passes(&x, 2.0, 3.5));
        assert!(passes(&x, 3.1, 3.5) && passes(&x, 2.0, 8.0));
        assert!(passes(&[1.0, 2.0], 2.0, 3.5));
    }

    #[test]
    fn two_stage_rule_falls_back_to_log_ct() {
        // One huge outlier among many equal-ish values: winsorising 1 point fixes it.
        let mut x: Vec<f64> = (1..=20).map(f64::from).collect();
        x.push(1000.0);
        let mut a = x.clone();
        let out = rule(true, 5).apply(&mut a);
        assert!((1..=5).contains(&out.changed), "{out:?}");
        assert!(a.iter().all(|&v| v <= 20.0));
        // A long heavy tail cannot be fixed with 1 point: log_CT of the originals.
        let mut y: Vec<f64> = (0..30)
            .map(|i| {
                if i < 24 {
                    1.0 + (i % 3) as f64
                } else {
                    10f64.powi(i - 22)
                }
            })
            .collect();
        let original = y.clone();
        assert_eq!(rule(true, 1).apply(&mut y).changed, 30);
        // log_CT by hand: min 1, max 1e7, a = 0.01 (1e7 - 1); first value 1 -> ln(a).
        let a: f64 = 0.01 * (1e7 - 1.0);
        assert!((y[0] - a.ln()).abs() < 1e-9);
        assert!((y[29] - (original[29] - 1.0 + a).ln()).abs() < 1e-9);
    }
}

//! Treatment: tames outliers and skew before normalisation.
//!
//! Winsorisation runs first, on raw (imputed) values, then the transform.
//!
//! # Formula
//! - Quantile winsorisation with share p: clamp x to `[Q_p, Q_{1-p}]` (type 7 quantiles
//!   over the reference values, see [`crate::stats`]).
//! - Skew/kurtosis rule (COINr `Treat`, after the JRC COIN Tool): while
//!   `|skew| > 2` and `kurtosis > 3.5` (thresholds configurable) and fewer than
//!   `max_points` (default 5) values were changed, replace the most extreme value on
//!   the side of the skew by the next one in from it. Skewness is G1 and kurtosis the
//!   excess kurtosis G2 of [`crate::stats`].
//! - Two-stage rule `coinr` (COINr's default `Treat`): if the skew/kurtosis rule above
//!   cannot bring the indicator within the thresholds in `max_points` steps, the
//!   winsorisation is undone and the original values are log-transformed instead
//!   ("COIN Tool log", COINr `log_CT`): `ln(x - min + a)`, `a = 0.01 (max - min)`.
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

/// COINr's `log_CT`: `ln(x - min + 0.01 (max - min))` over the present values.
pub fn log_ct(values: &mut [f64]) {
    let sorted = stats::sorted_present(values);
    if sorted.is_empty() {
        return;
    }
    let (min, max) = (sorted[0], sorted[sorted.len() - 1]);
    let a = 0.01 * (max - min);
    for v in values.iter_mut().filter(|v| !v.is_nan()) {
        *v = (*v - min + a).ln();
    }
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

impl Winsorise {
    /// Winsorises the present values in place; returns how many values changed.
    pub fn apply(&self, values: &mut [f64]) -> usize {
        match *self {
            Winsorise::None => 0,
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
                changed
            }
            Winsorise::TwoStage {
                max_points,
                skew,
                kurtosis,
            } => {
                let original = values.to_vec();
                let changed = Winsorise::SkewKurtosis {
                    max_points,
                    skew,
                    kurtosis,
                }
                .apply(values);
                let (s, k) = (stats::skewness(values), stats::kurtosis(values));
                if s.abs() > skew && k > kurtosis {
                    values.copy_from_slice(&original);
                    log_ct(values);
                    return values.iter().filter(|v| !v.is_nan()).count();
                }
                changed
            }
            Winsorise::SkewKurtosis {
                max_points,
                skew,
                kurtosis,
            } => {
                let mut changed = 0;
                while changed < max_points {
                    let s = stats::skewness(values);
                    let k = stats::kurtosis(values);
                    if !(s.abs() > skew && k > kurtosis) {
                        break;
                    }
                    if !replace_extreme(values, s > 0.0) {
                        break;
                    }
                    changed += 1;
                }
                changed
            }
        }
    }
}

/// Replaces the largest (or smallest) present value by the next one in.
/// Ties at the extreme move one value at a time. Returns false if nothing can move.
fn replace_extreme(values: &mut [f64], high: bool) -> bool {
    let sorted = stats::sorted_present(values);
    let (extreme, next) = if high {
        let e = sorted[sorted.len() - 1];
        (e, sorted.iter().rev().copied().find(|&v| v < e))
    } else {
        let e = sorted[0];
        (e, sorted.iter().copied().find(|&v| v > e))
    };
    let Some(next) = next else { return false };
    if let Some(slot) = values.iter_mut().find(|v| **v == extreme) {
        *slot = next;
        return true;
    }
    false
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
        assert_eq!(Winsorise::Quantile { p: 0.1 }.apply(&mut x), 2);
        assert!(close(x[0], 1.4, HAND) && close(x[4], 7.6, HAND) && x[5].is_nan());
    }

    #[test]
    fn skew_kurtosis_rule_pulls_in_the_outlier() {
        // One huge value among 9 ones and twos: skew 3.16, kurtosis 10 -> treated.
        let mut x = [1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 1000.0];
        let rule = Winsorise::SkewKurtosis {
            max_points: 5,
            skew: 2.0,
            kurtosis: 3.5,
        };
        let changed = rule.apply(&mut x);
        assert_eq!(changed, 1);
        assert_eq!(x[9], 2.0);
        // A symmetric sample is left alone.
        let mut y = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(rule.apply(&mut y), 0);
    }

    #[test]
    fn two_stage_rule_falls_back_to_log_ct() {
        // One huge outlier among many equal-ish values: winsorising 1 point fixes it.
        let mut x: Vec<f64> = (1..=20).map(f64::from).collect();
        x.push(1000.0);
        let rule = Winsorise::TwoStage {
            max_points: 5,
            skew: 2.0,
            kurtosis: 3.5,
        };
        let mut a = x.clone();
        let changed = rule.apply(&mut a);
        assert!((1..=5).contains(&changed), "{changed}");
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
        let one = Winsorise::TwoStage {
            max_points: 1,
            skew: 2.0,
            kurtosis: 3.5,
        };
        assert_eq!(one.apply(&mut y), 30);
        // log_CT by hand: min 1, max 1e7, a = 0.01 (1e7 - 1); first value 1 -> ln(a).
        let a: f64 = 0.01 * (1e7 - 1.0);
        assert!((y[0] - a.ln()).abs() < 1e-9);
        assert!((y[29] - (original[29] - 1.0 + a).ln()).abs() < 1e-9);
    }
}

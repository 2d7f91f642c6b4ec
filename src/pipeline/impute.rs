//! Imputation: fills missing indicator values, and records which ones were filled.
//!
//! # Formula
//! - `mean` / `median`: the indicator's mean / median over the reference units
//!   (same period, or the whole panel with `normalise_over = "panel"`), on raw values.
//! - `group_mean`: the mean of the unit's *normalised* values of the other indicators
//!   in the same group and period (COINr `i_mean_grp`, within the unit); done after
//!   normalisation because raw units differ. With equal weights and an arithmetic
//!   group this gives the same group score as `none`.
//! - `interpolate`: linear in time between the unit's nearest observed periods,
//!   `x_t = x_a + (x_b - x_a)(t - a)/(b - a)`; before the first and after the last
//!   observation the nearest observed value is carried (constant extrapolation).
//! - `locf`: last observation carried forward; leading gaps stay missing.
//! - `none`: left missing; aggregation then re-weights over the present children.
//!
//! ## References
//! OECD/JRC (2008) Handbook, step 4 (imputation of missing data).
//! Becker et al. (2022) COINr `Impute()`: i_mean, i_median, i_mean_grp.

use crate::stats;

/// How missing values of an indicator are filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Impute {
    None,
    Mean,
    Median,
    GroupMean,
    Interpolate,
    Locf,
}

/// Names accepted in framework files.
pub const NAMES: &[&str] = &["none", "mean", "median", "group_mean", "interpolate", "locf"];

/// Each name of [`NAMES`] with its method.
pub const CHOICES: &[(&str, Impute)] = &[
    ("none", Impute::None),
    ("mean", Impute::Mean),
    ("median", Impute::Median),
    ("group_mean", Impute::GroupMean),
    ("interpolate", Impute::Interpolate),
    ("locf", Impute::Locf),
];

impl Impute {
    /// Methods that fill a period's units from each other (cross-section).
    pub fn is_cross_section(&self) -> bool {
        matches!(self, Impute::Mean | Impute::Median)
    }

    /// Methods that fill a unit's series over periods.
    pub fn is_time_series(&self) -> bool {
        matches!(self, Impute::Interpolate | Impute::Locf)
    }
}

/// Fills missing values with the mean or median of the present ones.
pub fn fill_cross_section(method: Impute, values: &mut [f64], imputed: &mut [bool]) {
    let fill = match method {
        Impute::Mean => stats::mean(values),
        Impute::Median => stats::median(values),
        _ => return,
    };
    if fill.is_nan() {
        return;
    }
    for (v, flag) in values.iter_mut().zip(imputed.iter_mut()) {
        if v.is_nan() {
            *v = fill;
            *flag = true;
        }
    }
}

/// Fills a unit's series; `ordinals` are the periods' positions in time
/// (see [`crate::period::Period::ordinal`]), strictly increasing.
pub fn fill_series(method: Impute, ordinals: &[i64], values: &mut [f64], imputed: &mut [bool]) {
    let observed: Vec<usize> = (0..values.len()).filter(|&i| !values[i].is_nan()).collect();
    if observed.is_empty() {
        return;
    }
    for i in 0..values.len() {
        if !values[i].is_nan() {
            continue;
        }
        let after = observed.partition_point(|&j| j < i);
        let before = after.checked_sub(1).map(|b| observed[b]);
        let next = observed.get(after).copied();
        let fill = match (method, before, next) {
            (Impute::Locf, Some(b), _) => values[b],
            (Impute::Interpolate, Some(b), Some(n)) => {
                let t = (ordinals[i] - ordinals[b]) as f64 / (ordinals[n] - ordinals[b]) as f64;
                values[b] + t * (values[n] - values[b])
            }
            (Impute::Interpolate, Some(b), None) => values[b],
            (Impute::Interpolate, None, Some(n)) => values[n],
            _ => continue,
        };
        values[i] = fill;
        imputed[i] = true;
    }
}

/// Fills the missing entries of one unit's group with the mean of its present ones.
pub fn fill_group_mean(values: &mut [f64], imputed: &mut [bool]) {
    let fill = stats::mean(values);
    if fill.is_nan() {
        return;
    }
    for (v, flag) in values.iter_mut().zip(imputed.iter_mut()) {
        if v.is_nan() {
            *v = fill;
            *flag = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    const NA: f64 = f64::NAN;

    #[test]
    fn mean_and_median_fill_by_hand() {
        let mut x = [1.0, NA, 2.0, 9.0];
        let mut f = [false; 4];
        fill_cross_section(Impute::Mean, &mut x, &mut f);
        assert_eq!(x[1], 4.0);
        assert_eq!(f, [false, true, false, false]);
        let mut x = [1.0, NA, 2.0, 9.0];
        fill_cross_section(Impute::Median, &mut x, &mut [false; 4]);
        assert_eq!(x[1], 2.0);
    }

    #[test]
    fn interpolation_respects_calendar_gaps() {
        // periods 2018, 2019, 2021, 2022 (2020 absent from the data)
        let ord = [2018, 2019, 2021, 2022];
        let mut x = [NA, 10.0, NA, 40.0];
        let mut f = [false; 4];
        fill_series(Impute::Interpolate, &ord, &mut x, &mut f);
        // 2021: 10 + 30 * (2021-2019)/(2022-2019) = 30; 2018 carries 10 back
        assert_eq!(x, [10.0, 10.0, 30.0, 40.0]);
        assert_eq!(f, [true, false, true, false]);
    }

    #[test]
    fn locf_keeps_leading_gaps() {
        let mut x = [NA, 5.0, NA, NA];
        let mut f = [false; 4];
        fill_series(Impute::Locf, &[1, 2, 3, 4], &mut x, &mut f);
        assert!(x[0].is_nan());
        assert_eq!(&x[1..], &[5.0, 5.0, 5.0]);
    }

    #[test]
    fn group_mean_by_hand() {
        let mut x = [20.0, NA, 40.0];
        let mut f = [false; 3];
        fill_group_mean(&mut x, &mut f);
        assert_eq!(x[1], 30.0);
        assert!(f[1]);
    }
}

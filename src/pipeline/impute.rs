//! Imputation: fills missing indicator values, and records which ones were filled.
//!
//! # Formula
//! - `mean` / `median`: the indicator's mean / median over the reference units
//!   (same period, or the whole panel with `normalise_over = "panel"`), on raw values.
//! - `group_mean` / `group_median`: the indicator's mean / median over the reference
//!   units of the same unit group, a data column named by `impute_group` (e.g. a region
//!   or income group), on raw values (COINr `i_mean_grp` / `i_median_grp` with
//!   `use_group`).
//! - `row_mean`: the mean of the unit's *normalised* values of the other indicators in
//!   the same framework group and period (COINr `Impute(impute_by = "row")`); done
//!   after normalisation because raw units differ. With equal weights and an
//!   arithmetic group this gives the same group score as `none`.
//! - `interpolate`: linear in time between the unit's nearest observed periods,
//!   `x_t = x_a + (x_b - x_a)(t - a)/(b - a)`; before the first and after the last
//!   observation the nearest observed value is carried (constant extrapolation).
//! - `locf`: last observation carried forward; leading gaps stay missing.
//! - `none`: left missing; aggregation then re-weights over the present children.
//!
//! ## References
//! OECD/JRC (2008) Handbook, step 4 (imputation of missing data).
//! Becker et al. (2022) COINr `Impute()`: i_mean, i_median, i_mean_grp, i_median_grp,
//! `impute_by = "row"`.

use crate::stats;

/// How missing values of an indicator are filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Impute {
    None,
    Mean,
    Median,
    GroupMean,
    GroupMedian,
    RowMean,
    Interpolate,
    Locf,
}

/// Names accepted in framework files.
pub const NAMES: &[&str] = &[
    "none",
    "mean",
    "median",
    "group_mean",
    "group_median",
    "row_mean",
    "interpolate",
    "locf",
];

/// Each name of [`NAMES`] with its method.
pub const CHOICES: &[(&str, Impute)] = &[
    ("none", Impute::None),
    ("mean", Impute::Mean),
    ("median", Impute::Median),
    ("group_mean", Impute::GroupMean),
    ("group_median", Impute::GroupMedian),
    ("row_mean", Impute::RowMean),
    ("interpolate", Impute::Interpolate),
    ("locf", Impute::Locf),
];

impl Impute {
    /// Methods that fill a period's units from each other (cross-section).
    pub fn is_cross_section(&self) -> bool {
        matches!(
            self,
            Impute::Mean | Impute::Median | Impute::GroupMean | Impute::GroupMedian
        )
    }

    /// Methods that need each unit's group (`impute_group`).
    pub fn needs_unit_group(&self) -> bool {
        matches!(self, Impute::GroupMean | Impute::GroupMedian)
    }

    /// Methods that fill a unit's series over periods.
    pub fn is_time_series(&self) -> bool {
        matches!(self, Impute::Interpolate | Impute::Locf)
    }
}

/// Fills missing values with the mean or median of the present ones; for the group
/// methods, of the present ones with the same `groups` entry (`groups` is ignored by
/// `mean` and `median`). A value stays missing when its group has no present value.
pub fn fill_cross_section(method: Impute, values: &mut [f64], groups: &[Option<&str>], imputed: &mut [bool]) {
    let stat = match method {
        Impute::Mean | Impute::GroupMean => stats::mean,
        Impute::Median | Impute::GroupMedian => stats::median,
        _ => return,
    };
    let by_group = method.needs_unit_group();
    let mut fills: Vec<(Option<&str>, f64)> = Vec::new();
    for i in 0..values.len() {
        if !values[i].is_nan() {
            continue;
        }
        let group = if by_group { groups[i] } else { None };
        let fill = match fills.iter().find(|(g, _)| *g == group) {
            Some(&(_, f)) => f,
            None => {
                let members: Vec<f64> = (0..values.len())
                    .filter(|&j| !by_group || groups[j] == group)
                    .map(|j| values[j])
                    .collect();
                let f = stat(&members);
                fills.push((group, f));
                f
            }
        };
        if !fill.is_nan() {
            values[i] = fill;
            imputed[i] = true;
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
pub fn fill_row_mean(values: &mut [f64], imputed: &mut [bool]) {
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
        fill_cross_section(Impute::Mean, &mut x, &[], &mut f);
        assert_eq!(x[1], 4.0);
        assert_eq!(f, [false, true, false, false]);
        let mut x = [1.0, NA, 2.0, 9.0];
        fill_cross_section(Impute::Median, &mut x, &[], &mut [false; 4]);
        assert_eq!(x[1], 2.0);
    }

    #[test]
    fn group_mean_and_median_fill_within_the_units_group() {
        let groups = [
            Some("Asia"),
            Some("Asia"),
            Some("Europe"),
            Some("Europe"),
            Some("Europe"),
            Some("Asia"),
            Some("Africa"),
        ];
        // Asia: 1, 3 -> mean 2; Europe: 10, 20, 60 -> mean 30, median 20; Africa: none.
        let x = [1.0, NA, 10.0, 20.0, 60.0, 3.0, NA];
        let mut a = x;
        let mut f = [false; 7];
        fill_cross_section(Impute::GroupMean, &mut a, &groups, &mut f);
        assert_eq!(a[1], 2.0);
        assert!(a[6].is_nan() && !f[6] && f[1]);
        let mut b = [10.0, 20.0, 60.0, NA];
        fill_cross_section(Impute::GroupMedian, &mut b, &[Some("E"); 4], &mut [false; 4]);
        assert_eq!(b[3], 20.0);
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
    fn row_mean_by_hand() {
        let mut x = [20.0, NA, 40.0];
        let mut f = [false; 3];
        fill_row_mean(&mut x, &mut f);
        assert_eq!(x[1], 30.0);
        assert!(f[1]);
    }
}

//! Screening: drops indicators and unit-periods with too little data, and says so.
//!
//! # Formula
//! - Indicator coverage: the share of scored unit-periods with a value,
//!   `c_k = #{(u,t): x_ukt present} / #{(u,t) scored}`; dropped when
//!   `c_k < screen.indicator_min_coverage`.
//! - Unit coverage, per unit-period: the share of the framework's (kept) indicators
//!   present before imputation, `c_ut = #{k: x_ukt present} / K`; the unit-period
//!   is not scored when `c_ut < screen.unit_min_coverage`. This is also the
//!   `coverage` column of `scores.csv`.
//! - Unit non-zero share: the share of the unit-period's present (kept) values that
//!   are not 0, `z_ut = #{k: x_ukt present, != 0} / #{k: x_ukt present}` (0 when none
//!   is present); not scored when `z_ut < screen.unit_min_nonzero` (COINr
//!   `unit_screen = "byzeros"`, `nonzero_thresh`; both thresholds together are its
//!   `"byNAandzeros"`).
//! - `screen.include` / `screen.exclude`: units scored, or not, whatever the
//!   thresholds say (COINr `Force`).
//!
//! ## References
//! OECD/JRC (2008) Handbook, step 2 (data selection). Becker et al. (2022) COINr
//! `Screen()` (unit screening by data availability, `dat_thresh`).

/// Share of present values among `cells`, for one indicator's raw values.
pub fn indicator_coverage(raw: &[f64], cells: &[usize]) -> f64 {
    if cells.is_empty() {
        return 0.0;
    }
    cells.iter().filter(|&&c| !raw[c].is_nan()).count() as f64 / cells.len() as f64
}

/// Share of the kept indicators present for one cell.
#[cfg(test)]
pub fn unit_coverage<V: AsRef<[f64]>>(raw: &[V], kept: &[bool], cell: usize) -> f64 {
    let total = kept.iter().filter(|&&k| k).count();
    if total == 0 {
        return 0.0;
    }
    let present = raw
        .iter()
        .zip(kept)
        .filter(|(r, &k)| k && !r.as_ref()[cell].is_nan())
        .count();
    present as f64 / total as f64
}

/// `unit_coverage` of every cell, read indicator by indicator (each column once,
/// in order, rather than every column per cell); NaN for cells not in `cells`.
pub fn unit_coverages<V: AsRef<[f64]>>(values: &[V], kept: &[bool], n_cells: usize, cells: &[usize]) -> Vec<f64> {
    let total = kept.iter().filter(|&&k| k).count();
    let mut present = vec![0u32; n_cells];
    for (column, _) in values.iter().zip(kept).filter(|(_, &k)| k) {
        let column = column.as_ref();
        for &c in cells {
            present[c] += u32::from(!column[c].is_nan());
        }
    }
    let mut coverage = vec![f64::NAN; n_cells];
    for &c in cells {
        coverage[c] = if total == 0 {
            0.0
        } else {
            present[c] as f64 / total as f64
        };
    }
    coverage
}

/// Share of the present kept values of one cell that are not 0 (0 if none is present).
pub fn unit_nonzero<V: AsRef<[f64]>>(raw: &[V], kept: &[bool], cell: usize) -> f64 {
    let present: Vec<f64> = raw
        .iter()
        .zip(kept)
        .map(|(r, &k)| (r.as_ref()[cell], k))
        .filter(|&(v, k)| k && !v.is_nan())
        .map(|(v, _)| v)
        .collect();
    if present.is_empty() {
        return 0.0;
    }
    present.iter().filter(|&&v| v != 0.0).count() as f64 / present.len() as f64
}

/// One screening decision, for the report.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ScreenNote {
    /// `indicator`, `unit` (coverage), `unit_nonzero` (the non-zero share is in
    /// `coverage`) or `unit_excluded` (screen.exclude; no threshold).
    pub what: &'static str,
    pub id: String,
    /// The period, for unit-periods; empty for indicators (whole panel).
    pub period: String,
    pub coverage: f64,
    pub threshold: f64,
}

#[cfg(test)]
mod tests {
    use super::*;
    const NA: f64 = f64::NAN;

    #[test]
    fn coverage_by_hand() {
        let a = vec![1.0, NA, 3.0, NA];
        let b = vec![NA, NA, 1.0, 1.0];
        assert_eq!(indicator_coverage(&a, &[0, 1, 2, 3]), 0.5);
        assert_eq!(indicator_coverage(&a, &[0, 2]), 1.0);
        let raw = vec![a, b];
        assert_eq!(unit_coverage(&raw, &[true, true], 0), 0.5);
        assert_eq!(unit_coverage(&raw, &[true, true], 2), 1.0);
        assert_eq!(unit_coverage(&raw, &[false, true], 0), 0.0);
        // Column by column, the same shares; NaN outside the cells asked for.
        for kept in [[true, true], [false, true], [true, false], [false, false]] {
            let all = unit_coverages(&raw, &kept, 4, &[0, 2, 3]);
            for c in [0, 2, 3] {
                assert_eq!(all[c], unit_coverage(&raw, &kept, c), "cell {c}, kept {kept:?}");
            }
            assert!(all[1].is_nan());
        }
        // present values 1, 0, 2 at cell 0 of three indicators: 2 of 3 non-zero
        let z = vec![vec![1.0], vec![0.0], vec![2.0], vec![NA]];
        assert_eq!(unit_nonzero(&z, &[true; 4], 0), 2.0 / 3.0);
        assert_eq!(unit_nonzero(&[vec![NA]], &[true], 0), 0.0);
    }
}

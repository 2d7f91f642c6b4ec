//! The sensitivity analysis' tables (`uncertainty`, `sobol`), its summary for the
//! terminal, and the reader of a given sample matrix (`samples_from`).

use super::csv::single_precision;
use super::table::Cell;
use super::table::Table;
use crate::error::ErrorKind;
use crate::error::{Error, Result};
use crate::uncertainty::Analysis;
use std::path::Path;

/// Reads a sample matrix: a header, then one row per run with d values in [0, 1] (a
/// comma between fields; more columns than d are left aside).
pub fn read_samples(path: &Path, d: usize) -> Result<Vec<f64>> {
    let name = path.display().to_string();
    let bytes = crate::input::file::read(path, "sample matrix", Default::default())?;
    let table = crate::input::table::read_table(&bytes, &name, Some(b','))?;
    let header_len = table.header.len();
    if header_len < d {
        return Err(Error::Data {
            file: name,
            kind: ErrorKind::BadTable,
            message: format!(
                "expected at least {d} columns (one per factor, in the framework's order), found {header_len}"
            ),
        });
    }
    let mut out = Vec::with_capacity(table.rows.len() * d);
    for (row, cells) in &table.rows {
        for (text, column) in cells.iter().zip(&table.header).take(d) {
            match text.trim().parse::<f64>() {
                Ok(v) if (0.0..=1.0).contains(&v) => out.push(v),
                _ => {
                    return Err(Error::Cell {
                        file: name,
                        row: *row,
                        column: column.clone(),
                        message: format!("expected a number in [0, 1], found `{text}`"),
                    })
                }
            }
        }
    }
    Ok(out)
}

/// The columns of `uncertainty.csv`, in order: written here, read by name by the report
/// and the exported notebook.
pub const UNCERTAINTY_COLUMNS: [&str; 11] = [
    "unit",
    "period",
    "nominal_rank",
    "median_rank",
    "q05_rank",
    "q95_rank",
    "mean_abs_shift",
    "nominal_score",
    "median_score",
    "q05_score",
    "q95_score",
];

/// The columns of `sobol.csv`, in order (as [`UNCERTAINTY_COLUMNS`]).
pub const SOBOL_COLUMNS: [&str; 8] = ["output", "factor", "s1", "s1_lo", "s1_hi", "st", "st_lo", "st_hi"];

/// `uncertainty.csv`: per unit and period, the nominal, median, 5 % and 95 % rank and
/// score, and the mean absolute rank shift; rows by period and nominal rank, as a
/// ranking. The quantiles of the scores are of the runs' single-precision scores, and
/// written to single precision.
pub fn uncertainty(a: &Analysis) -> Table<'_> {
    let header: Vec<String> = UNCERTAINTY_COLUMNS.iter().map(|s| s.to_string()).collect();
    // As a ranking: by period, then nominal rank (units without one last, in unit order).
    let mut order: Vec<usize> = (0..a.stats.len()).collect();
    order.sort_by(|&i, &j| {
        let (x, y) = (&a.stats[i], &a.stats[j]);
        let rank = |r: f64| if r.is_nan() { f64::INFINITY } else { r };
        x.period
            .cmp(&y.period)
            .then(rank(x.nominal_rank).total_cmp(&rank(y.nominal_rank)))
            .then(i.cmp(&j))
    });
    let rows = order.into_iter().map(|i| {
        let s = &a.stats[i];
        vec![
            Cell::Text(s.unit.clone()),
            Cell::Text(s.period.to_string()),
            Cell::rank(s.nominal_rank),
            Cell::Num(s.median_rank, 2),
            Cell::Num(s.q05_rank, 2),
            Cell::Num(s.q95_rank, 2),
            Cell::Num(s.mean_abs_shift, 6),
            Cell::Exact(s.nominal_score),
            // The runs' scores are single precision (f32): their own digits, no more.
            Cell::Exact(single_precision(s.median_score)),
            Cell::Exact(single_precision(s.q05_score)),
            Cell::Exact(single_precision(s.q95_score)),
        ]
    });
    Table {
        name: "uncertainty",
        header,
        rows: rows.into(),
    }
}

/// `sobol.csv`: per output (`rank:<unit>:<period>` or `mean_abs_shift:<period>`) and
/// factor group, S1 and ST with the bounds of their intervals.
pub fn sobol(a: &Analysis) -> Table<'_> {
    let header: Vec<String> = SOBOL_COLUMNS.iter().map(|s| s.to_string()).collect();
    let rows = a.sobol.iter().map(|s| {
        vec![
            Cell::Text(s.output.clone()),
            Cell::Text(s.factor.clone()),
            Cell::Num(s.s1, 6),
            Cell::Num(s.s1 - s.s1_conf, 6),
            Cell::Num(s.s1 + s.s1_conf, 6),
            Cell::Num(s.st, 6),
            Cell::Num(s.st - s.st_conf, 6),
            Cell::Num(s.st + s.st_conf, 6),
        ]
    });
    Table {
        name: "sobol",
        header,
        rows: rows.into(),
    }
}

/// Which factors move the ranking most: mean S1/ST of the mean-shift outputs.
pub fn summary(a: &Analysis) -> String {
    let mut text = String::new();
    for (period, shift) in &a.mean_abs_shift_by_period {
        text.push_str(&format!(
            "period {period}: mean |rank shift| from nominal = {shift:.3} places\n"
        ));
        let output = format!("mean_abs_shift:{period}");
        let mut rows: Vec<_> = a.sobol.iter().filter(|s| s.output == output).collect();
        rows.sort_by(|x, y| y.st.total_cmp(&x.st));
        if rows.iter().all(|s| s.s1.is_nan() && s.st.is_nan()) {
            text.push_str("  constant: no run moved a rank, so no factor has a Sobol index\n");
            continue;
        }
        for s in rows {
            let index = |v: f64, conf: f64| {
                if v.is_nan() {
                    format!("{:>7} {:7}", "-", "")
                } else if conf.is_nan() {
                    format!("{v:>7.3} {:7}", "")
                } else {
                    format!("{v:>7.3} ± {conf:.3}")
                }
            };
            text.push_str(&format!(
                "  {:<28} S1 {}   ST {}\n",
                s.factor,
                index(s.s1, s.s1_conf),
                index(s.st, s.st_conf)
            ));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::sensitivity::Method;
    use crate::period::Period;
    use crate::uncertainty::SobolRow;

    fn analysis(s1: f64, st: f64) -> Analysis {
        let row = |factor: &str| SobolRow {
            output: "mean_abs_shift:2022".into(),
            factor: factor.into(),
            s1,
            s1_conf: 0.01,
            st,
            st_conf: 0.02,
        };
        Analysis {
            factors: vec!["impute".into(), "normalise".into()],
            groups: vec!["impute".into(), "normalise".into()],
            method: Method::Sobol,
            n: 64,
            runs: 256,
            stats: Vec::new(),
            mean_abs_shift_by_period: vec![(Period::parse("2022").unwrap(), 0.0)],
            sobol: vec![row("impute"), row("normalise")],
            matrices: 1,
            timings: Vec::new(),
            quantiles: crate::uncertainty::Quantiles::Exact,
            rank_bound: 0.0,
            score_accuracy: 0.0,
        }
    }

    #[test]
    fn outputs_that_never_move_are_called_constant() {
        assert_eq!(
            summary(&analysis(f64::NAN, f64::NAN)),
            "period 2022: mean |rank shift| from nominal = 0.000 places\n  constant: no run moved a rank, so no factor has a Sobol index\n"
        );
        assert_eq!(
            summary(&analysis(0.25, 0.5)).lines().nth(1),
            Some("  impute                       S1   0.250 ± 0.010   ST   0.500 ± 0.020")
        );
    }
}

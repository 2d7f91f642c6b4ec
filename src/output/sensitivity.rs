//! The sensitivity analysis' tables (`uncertainty`, `sobol`), its summary for the
//! terminal, and the reader of a given sample matrix (`samples_from`).

use super::csv::Cell;
use super::tables::Table;
use crate::error::{Error, Result};
use crate::uncertainty::Analysis;
use std::path::Path;

/// Reads a sample matrix: a header, then one row per run with d values in [0, 1].
pub fn read_samples(path: &Path, d: usize) -> Result<Vec<f64>> {
    let name = path.display().to_string();
    let mut reader = csv::ReaderBuilder::new().from_path(path).map_err(|e| Error::Data {
        file: name.clone(),
        message: format!("cannot read: {e}"),
    })?;
    let header_len = reader.headers().map(|h| h.len()).unwrap_or(0);
    if header_len < d {
        return Err(Error::Data {
            file: name,
            message: format!(
                "expected at least {d} columns (one per factor, in the framework's order), found {header_len}"
            ),
        });
    }
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| Error::Data {
            file: name.clone(),
            message: format!("row {}: {e}", i + 2),
        })?;
        for j in 0..d {
            let text = record.get(j).unwrap_or("");
            match text.trim().parse::<f64>() {
                Ok(v) if (0.0..=1.0).contains(&v) => out.push(v),
                _ => {
                    return Err(Error::Cell {
                        file: name,
                        row: i + 2,
                        column: reader
                            .headers()
                            .ok()
                            .and_then(|h| h.get(j).map(str::to_string))
                            .unwrap_or_default(),
                        message: format!("expected a number in [0, 1], found `{text}`"),
                    })
                }
            }
        }
    }
    Ok(out)
}

/// `uncertainty.csv`: per unit and period, the nominal, median, 5 % and 95 % rank and
/// score, and the mean absolute rank shift.
pub fn uncertainty(a: &Analysis) -> Table<'_> {
    let header: Vec<String> = [
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
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let rows = a.stats.iter().map(|s| {
        vec![
            Cell::Text(s.unit.clone()),
            Cell::Text(s.period.to_string()),
            Cell::rank(s.nominal_rank),
            Cell::Num(s.median_rank, 2),
            Cell::Num(s.q05_rank, 2),
            Cell::Num(s.q95_rank, 2),
            Cell::Num(s.mean_abs_shift, 6),
            Cell::Num(s.nominal_score, 6),
            Cell::Num(s.median_score, 6),
            Cell::Num(s.q05_score, 6),
            Cell::Num(s.q95_score, 6),
        ]
    });
    Table {
        name: "uncertainty",
        header,
        rows: Box::new(rows),
    }
}

/// `sobol.csv`: per output (`rank:<unit>:<period>` or `mean_abs_shift:<period>`) and
/// factor group, S1 and ST with the bounds of their intervals.
pub fn sobol(a: &Analysis) -> Table<'_> {
    let header: Vec<String> = ["output", "factor", "s1", "s1_lo", "s1_hi", "st", "st_lo", "st_hi"]
        .iter()
        .map(|s| s.to_string())
        .collect();
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
        rows: Box::new(rows),
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
        for s in rows {
            text.push_str(&format!(
                "  {:<28} S1 {:>7.3} ± {:.3}   ST {:>7.3} ± {:.3}\n",
                s.factor, s.s1, s.s1_conf, s.st, s.st_conf
            ));
        }
    }
    text
}

//! The xlsx workbook: one sheet per output table, header row frozen, bold and with an
//! autofilter, numbers stored as numbers (not text) so spreadsheets can sort and chart
//! them. A column whose numbers are all whole (periods, ranks, counts) shows them
//! without decimals; other numeric columns show three decimals and keep every digit. A
//! `period` column of years is numbers on every sheet.

use super::table::{Cell, Table};
use crate::error::ErrorKind;
use crate::error::{Error, Result};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use std::path::Path;

/// The last row index Excel allows (1,048,576 rows, 0-based); a larger table is cut
/// and this row holds a note.
const MAX_ROWS: u32 = 1_048_575;

/// Fill colours of the risk classes, lowest first (green to red), repeated if more.
const CLASS_FILLS: [u32; 6] = [0xE8F5E9, 0xFFF9C4, 0xFFE0B2, 0xFFCCBC, 0xEF9A9A, 0xE57373];

/// Writes every table as a sheet of one workbook, atomically. Cells of a column named
/// `class` (or `class_<variant>`) are coloured by their place in `classes` (lowest
/// risk first).
pub fn write_workbook(path: &Path, tables: Vec<Table<'_>>, classes: &[String]) -> Result<()> {
    let xlsx_error = |e: XlsxError| Error::Data {
        file: path.display().to_string(),
        kind: ErrorKind::Internal,
        message: format!("cannot build the workbook: {e}"),
    };
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let formats = ["0", "0.0", "0.00", "0.000"].map(|f| Format::new().set_num_format(f));
    for table in tables {
        let sheet = book.add_worksheet();
        sheet.set_name(table.name).map_err(xlsx_error)?;
        for (col, h) in table.header.iter().enumerate() {
            sheet
                .write_string_with_format(0, col as u16, h, &bold)
                .map_err(xlsx_error)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
        let class_columns: Vec<bool> = table
            .header
            .iter()
            .map(|h| h == "class" || h.starts_with("class_"))
            .collect();
        let fills: Vec<Format> = (0..classes.len())
            .map(|i| Format::new().set_background_color(CLASS_FILLS[i * CLASS_FILLS.len() / classes.len().max(1)]))
            .collect();
        let mut source = table.rows.into_iter();
        let rows: Vec<Vec<Cell>> = source
            .by_ref()
            .take(MAX_ROWS as usize - 1)
            .map(|row| {
                row.into_iter()
                    .enumerate()
                    .map(|(col, cell)| period_as_number(&table.header, col, cell))
                    .collect()
            })
            .collect();
        let more = source.next().is_some();
        let n_rows = rows.len() as u32;
        let decimals = column_decimals(table.header.len(), &rows);
        for (i, row) in rows.into_iter().enumerate() {
            let r = i as u32 + 1;
            for (col, cell) in row.into_iter().enumerate() {
                let number = &formats[decimals.get(col).copied().unwrap_or(3)];
                let col = col as u16;
                match cell {
                    Cell::Text(t) if class_columns.get(col as usize) == Some(&true) => {
                        match classes.iter().position(|c| *c == t) {
                            Some(k) => sheet.write_string_with_format(r, col, t, &fills[k]),
                            None => sheet.write_string(r, col, t),
                        }
                    }
                    Cell::Text(t) => sheet.write_string(r, col, t),
                    Cell::Num(v, _) | Cell::Exact(v) if v.is_nan() => continue,
                    Cell::Num(v, _) | Cell::Exact(v) => sheet.write_number_with_format(r, col, v, number),
                    Cell::Int(v) => sheet.write_number_with_format(r, col, v as f64, number),
                    Cell::Bool(b) => sheet.write_boolean(r, col, b),
                    Cell::Empty => continue,
                }
                .map_err(xlsx_error)?;
            }
        }
        if !table.header.is_empty() {
            sheet
                .autofilter(0, 0, n_rows, table.header.len() as u16 - 1)
                .map_err(xlsx_error)?;
        }
        if more {
            sheet
                .write_string(MAX_ROWS, 0, "(truncated at Excel's row limit: see the CSV)")
                .map_err(xlsx_error)?;
        }
        sheet.autofit();
    }
    let bytes = book.save_to_buffer().map_err(xlsx_error)?;
    super::atomic::write_atomic(path, |w| w.write_all(&bytes)).map(drop)
}

/// A year in a `period` column as a number (quarters and months stay text).
fn period_as_number(header: &[String], col: usize, cell: Cell) -> Cell {
    match cell {
        Cell::Text(t) if header.get(col).is_some_and(|h| h == "period") => match t.parse::<i64>() {
            Ok(year) => Cell::Int(year),
            Err(_) => Cell::Text(t),
        },
        other => other,
    }
}

/// Per column: the decimals to show, at most 3: none where every number is whole
/// (periods, ranks, counts), else the most any of its cells asks for (a rank of a tie:
/// 1; an exact value: 3).
fn column_decimals(width: usize, rows: &[Vec<Cell>]) -> Vec<usize> {
    let mut decimals = vec![0; width];
    for row in rows {
        for (col, cell) in row.iter().enumerate().take(width) {
            let wanted = match cell {
                Cell::Num(v, _) | Cell::Exact(v) if v.is_nan() || v.fract() == 0.0 => 0,
                Cell::Num(_, d) => (*d).min(3),
                Cell::Exact(_) => 3,
                _ => 0,
            };
            decimals[col] = decimals[col].max(wanted);
        }
    }
    decimals
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_columns_and_periods() {
        let header: Vec<String> = ["period", "rank", "score"].map(String::from).to_vec();
        let rows = vec![
            vec![
                period_as_number(&header, 0, Cell::Text("2018".into())),
                Cell::rank(1.0),
                Cell::Exact(6.5),
            ],
            vec![
                period_as_number(&header, 0, Cell::Text("2019".into())),
                Cell::rank(2.0),
                Cell::Exact(7.0),
            ],
        ];
        assert_eq!(rows[0][0], Cell::Int(2018));
        assert_eq!(column_decimals(3, &rows), [0, 0, 3]);
        // A tie's average rank shows one decimal; quarters stay text.
        let tied = vec![vec![Cell::Empty, Cell::rank(1.5), Cell::Num(0.8667, 4)]];
        assert_eq!(column_decimals(3, &tied), [0, 1, 3]);
        assert_eq!(
            period_as_number(&header, 0, Cell::Text("2018-Q1".into())),
            Cell::Text("2018-Q1".into())
        );
    }
}

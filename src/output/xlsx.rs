//! The xlsx workbook: one sheet per output table, header row frozen and bold,
//! numbers stored as numbers (not text) so spreadsheets can sort and chart them.

use super::csv::Cell;
use super::tables::Table;
use crate::error::{Error, Result};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use std::path::Path;

/// Excel's row limit; larger tables are cut with a note in the last row.
const MAX_ROWS: u32 = 1_048_575;

/// Fill colours of the risk classes, lowest first (green to red), repeated if more.
const CLASS_FILLS: [u32; 6] = [0xE8F5E9, 0xFFF9C4, 0xFFE0B2, 0xFFCCBC, 0xEF9A9A, 0xE57373];

/// Writes every table as a sheet of one workbook, atomically. Cells of a column named
/// `class` (or `class_<variant>`) are coloured by their place in `classes` (lowest
/// risk first).
pub fn write_workbook(path: &Path, tables: Vec<Table<'_>>, classes: &[String]) -> Result<()> {
    let xlsx_error = |e: XlsxError| Error::Data {
        file: path.display().to_string(),
        message: format!("cannot build the workbook: {e}"),
    };
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let number = Format::new().set_num_format("0.000");
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
        for (i, row) in table.rows.enumerate() {
            let r = i as u32 + 1;
            if r > MAX_ROWS {
                sheet
                    .write_string(r, 0, "(truncated at Excel's row limit: see the CSV)")
                    .map_err(xlsx_error)?;
                break;
            }
            for (col, cell) in row.into_iter().enumerate() {
                let col = col as u16;
                match cell {
                    Cell::Text(t) if class_columns.get(col as usize) == Some(&true) => {
                        match classes.iter().position(|c| *c == t) {
                            Some(k) => sheet.write_string_with_format(r, col, t, &fills[k]),
                            None => sheet.write_string(r, col, t),
                        }
                    }
                    Cell::Text(t) => sheet.write_string(r, col, t),
                    Cell::Num(v, _) if v.is_nan() => continue,
                    Cell::Num(v, _) => sheet.write_number_with_format(r, col, v, &number),
                    Cell::Exact(v) if v.is_nan() => continue,
                    Cell::Exact(v) => sheet.write_number_with_format(r, col, v, &number),
                    Cell::Int(v) => sheet.write_number(r, col, v as f64),
                    Cell::Bool(b) => sheet.write_boolean(r, col, b),
                    Cell::Empty => continue,
                }
                .map_err(xlsx_error)?;
            }
        }
        sheet.autofit();
    }
    let bytes = book.save_to_buffer().map_err(xlsx_error)?;
    super::write_atomic(path, |w| w.write_all(&bytes))
}

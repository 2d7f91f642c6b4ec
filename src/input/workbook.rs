//! Spreadsheet workbooks (xlsx, xlsm, xlsb, xls, ods) read as a grid of text cells,
//! so that every cell goes through the same parsing, checks and messages as a CSV's.
//!
//! Cells become text as a spreadsheet shows them unformatted: numbers in their
//! shortest exact form (`2022`, `0.1`), dates as ISO dates (`2022-04-21`, with the
//! time when it is not midnight), booleans as `TRUE`/`FALSE`, error cells as Excel
//! writes them (`#N/A`, `#DIV/0!`: missing or bad values for the reader to judge).
//! Row numbers are the sheet's own (the first row is 1), so messages point at the
//! row a spreadsheet shows.

use crate::error::{list_ids, suggest, Error, Result};
use calamine::{open_workbook_auto_from_rs, Data, Reader};
use std::io::Cursor;

/// The non-blank rows of one sheet.
#[derive(Debug)]
pub struct Grid {
    /// The sheet read.
    pub sheet: String,
    /// (row number in the sheet, cells), blank rows left out.
    pub rows: Vec<(usize, Vec<String>)>,
    /// A note when the sheet was chosen among several.
    pub note: Option<String>,
    /// Every sheet of the workbook, in order.
    pub sheets: Vec<String>,
}

/// Reads sheet `sheet` (the first when `None`) of the workbook in `bytes`.
pub fn read(file: &str, bytes: &[u8], sheet: Option<&str>) -> Result<Grid> {
    let data_error = |message: String| Error::Data {
        file: file.into(),
        message,
    };
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| data_error(format!("cannot read the workbook: {e}")))?;
    let names = book.sheet_names();
    let (chosen, note) = match sheet {
        Some(s) if names.iter().any(|n| n == s) => (s.to_string(), None),
        Some(s) => {
            return Err(Error::argument(
                "sheet",
                format!(
                    "{file} has no sheet `{s}` (its sheets: {}){}",
                    list_ids(names.iter().map(String::as_str)),
                    suggest(s, names.iter().map(String::as_str))
                ),
            ))
        }
        None => {
            let first = names
                .first()
                .cloned()
                .ok_or_else(|| data_error("the workbook has no sheet".into()))?;
            let note = (names.len() > 1).then(|| {
                format!(
                    "{file}: read sheet `{first}`, the first of {} ({}); choose another with option `sheet`",
                    names.len(),
                    names.join(", ")
                )
            });
            (first, note)
        }
    };
    let range = book
        .worksheet_range(&chosen)
        .map_err(|e| data_error(format!("cannot read sheet `{chosen}`: {e}")))?;
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    let first_col = range.start().map_or(0, |(_, c)| c as usize);
    let mut rows = Vec::new();
    for (i, row) in range.rows().enumerate() {
        // Columns left of the used range are blank in the sheet: keep them, so that
        // the header's names stay where the sheet has them.
        let cells: Vec<String> = std::iter::repeat_n(String::new(), first_col)
            .chain(row.iter().map(cell_text))
            .collect();
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        rows.push((first_row + i + 1, cells));
    }
    if rows.is_empty() {
        return Err(data_error(format!(
            "sheet `{chosen}` is empty: expected a header row and data rows"
        )));
    }
    Ok(Grid {
        sheet: chosen,
        rows,
        note,
        sheets: names,
    })
}

/// The workbook's kind, for the manifest: `ods` (its first ZIP entry, `mimetype`,
/// names OpenDocument), `xls` (an OLE2 file), else `xlsx` (xlsx, xlsm, xlsb).
pub fn kind(bytes: &[u8]) -> &'static str {
    match super::container(bytes) {
        super::Container::Ole => "xls",
        _ if bytes
            .get(..100)
            .is_some_and(|head| head.windows(11).any(|w| w == b"opendocumen")) =>
        {
            "ods"
        }
        _ => "xlsx",
    }
}

/// A sheet's rows under a header, as text columns.
pub struct Columns {
    /// The header up to its last non-blank cell (a sheet's used range may be wider).
    pub header: Vec<String>,
    /// Per column, its cells; an empty cell is `None`.
    pub columns: Vec<Vec<Option<String>>>,
    /// Per row of the columns, its row number in the sheet.
    pub rows: Vec<usize>,
    /// Rows with a value right of the header's last column: (row number, column, 1-based).
    pub stray: Vec<(usize, usize)>,
}

/// Lays `rows` under `header` as columns (see [`Columns`]).
pub fn columns(mut header: Vec<String>, rows: impl Iterator<Item = (usize, Vec<String>)>) -> Columns {
    let width = header.iter().rposition(|h| !h.trim().is_empty()).map_or(0, |i| i + 1);
    header.truncate(width);
    let mut out = Columns {
        header,
        columns: vec![Vec::new(); width],
        rows: Vec::new(),
        stray: Vec::new(),
    };
    for (row, cells) in rows {
        if let Some(j) = cells.iter().skip(width).position(|c| !c.trim().is_empty()) {
            out.stray.push((row, width + j + 1));
        }
        let mut cells = cells.into_iter();
        for column in out.columns.iter_mut() {
            column.push(cells.next().filter(|c| !c.is_empty()));
        }
        out.rows.push(row);
    }
    out
}

/// A cell as text (see the module docs).
pub fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
        Data::Error(e) => e.to_string(),
        Data::DateTime(d) if d.is_datetime() => match d.as_datetime() {
            Some(t) if t.time() == chrono::NaiveTime::MIN => t.format("%Y-%m-%d").to_string(),
            Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
            None => number_text(d.as_f64()),
        },
        Data::DateTime(d) => number_text(d.as_f64()),
    }
}

/// A number in its shortest exact decimal form, never in scientific notation.
fn number_text(v: f64) -> String {
    format!("{v}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

    fn workbook(build: impl FnOnce(&mut Workbook)) -> Vec<u8> {
        let mut book = Workbook::new();
        build(&mut book);
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn cells_read_as_text_with_sheet_row_numbers() {
        let bytes = workbook(|book| {
            let sheet = book.add_worksheet().set_name("events").unwrap();
            sheet.write(1, 1, "eventid").unwrap();
            sheet.write(1, 2, "iyear").unwrap();
            sheet.write(1, 3, "date").unwrap();
            sheet.write(1, 4, "share").unwrap();
            sheet.write(2, 1, 201_801_010_001_f64).unwrap();
            sheet.write(2, 2, 2018).unwrap();
            let date = ExcelDateTime::from_ymd(2022, 4, 21).unwrap();
            let as_date = Format::new().set_num_format("yyyy-mm-dd");
            sheet.write_datetime_with_format(2, 3, &date, &as_date).unwrap();
            sheet.write(2, 4, 0.1).unwrap();
            // Row 4 (index 3) blank, row 5 a value.
            sheet.write(4, 1, "x").unwrap();
            book.add_worksheet().set_name("notes").unwrap();
        });
        let grid = read("gtd.xlsx", &bytes, None).unwrap();
        assert_eq!(grid.sheet, "events");
        assert_eq!(
            grid.note.as_deref(),
            Some("gtd.xlsx: read sheet `events`, the first of 2 (events, notes); choose another with option `sheet`")
        );
        let numbers: Vec<usize> = grid.rows.iter().map(|(n, _)| *n).collect();
        assert_eq!(numbers, [2, 3, 5]);
        assert_eq!(grid.rows[0].1, ["", "eventid", "iyear", "date", "share"]);
        assert_eq!(grid.rows[1].1, ["", "201801010001", "2018", "2022-04-21", "0.1"]);
    }

    #[test]
    fn an_unknown_sheet_names_the_sheets() {
        let bytes = workbook(|book| {
            book.add_worksheet().set_name("Data").unwrap().write(0, 0, "a").unwrap();
        });
        let err = read("wdi.xlsx", &bytes, Some("data")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "sheet: wdi.xlsx has no sheet `data` (its sheets: `Data`); did you mean `Data`?"
        );
    }

    #[test]
    fn error_cells_and_booleans_show_as_excel_writes_them() {
        assert_eq!(cell_text(&Data::Error(calamine::CellErrorType::NA)), "#N/A");
        assert_eq!(cell_text(&Data::Bool(true)), "TRUE");
        assert_eq!(cell_text(&Data::Float(1e20)), "100000000000000000000");
        assert_eq!(cell_text(&Data::Float(2.5)), "2.5");
    }
}

//! Spreadsheet workbooks (xlsx, xlsm, xlsb, xls, ods) read as a grid of text cells,
//! so that every cell goes through the same parsing, checks and messages as a CSV's.
//!
//! Cells become text as a spreadsheet shows them unformatted: numbers in their
//! shortest exact form (`2022`, `0.1`), dates as ISO dates (`2022-04-21`, with the
//! time when it is not midnight), booleans as `TRUE`/`FALSE`, error cells as Excel
//! writes them (`#N/A`, `#DIV/0!`: missing or bad values for the reader to judge).
//! Row numbers are the sheet's own (the first row is 1), so messages point at the
//! row a spreadsheet shows.

use crate::error::ErrorKind;
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
    /// Notes: the sheet chosen among several, formulas without saved values.
    pub notes: Vec<String>,
    /// Every sheet of the workbook, in order.
    pub sheets: Vec<String>,
}

/// Reads sheet `sheet` (the first when `None`) of the workbook in `bytes`.
pub fn read(file: &str, bytes: &[u8], sheet: Option<&str>) -> Result<Grid> {
    let data_error = |kind: ErrorKind, message: String| Error::Data {
        file: file.into(),
        kind,
        message,
    };
    if super::container::container(bytes) == super::container::Container::Zip {
        check_zip_parts(bytes).map_err(|(kind, message)| data_error(kind, message))?;
    }
    if kind(bytes) == "ods" {
        let cells = ods_cells(bytes)
            .map_err(|e| data_error(ErrorKind::Unreadable, format!("cannot read the workbook: {e}")))?;
        if cells > MAX_CELLS as u64 {
            return Err(data_error(
                ErrorKind::TooLarge,
                format!(
                "its sheets span {cells} cells once their repeated rows and cells are laid out, more than {MAX_CELLS}: save the table as CSV or xlsx"
            )));
        }
    }
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| data_error(ErrorKind::Unreadable, format!("cannot read the workbook: {e}")))?;
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
                .ok_or_else(|| data_error(ErrorKind::NoRows, "the workbook has no sheet".into()))?;
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
    let cells = sheet_cells(&mut book, &chosen)
        .map_err(|e| data_error(ErrorKind::Unreadable, format!("cannot read sheet `{chosen}`: {e}")))?;
    let mut notes: Vec<String> = note.into_iter().collect();
    if let Some(formulas) = &cells.formulas_without_value {
        notes.push(format!(
            "{file}: sheet `{chosen}`: {formulas}: the program that wrote the workbook saved no values for them, so they read as missing; open and save it in Excel or LibreOffice to store their values"
        ));
    }
    let rows = grid_rows(file, &chosen, cells.cells)?;
    if rows.is_empty() {
        return Err(data_error(
            ErrorKind::NoRows,
            format!("sheet `{chosen}` is empty: expected a header row and data rows"),
        ));
    }
    Ok(Grid {
        sheet: chosen,
        rows,
        notes,
        sheets: names,
    })
}

/// The most cells a sheet may span once its rows are laid out (the sum over non-blank
/// rows of the row's last used column): 200 million, about ten Global Terrorism
/// Databases. One cell at XFD1048576 spans 16,384 columns of one row, not the
/// 17 billion cells of the rectangle from A1.
pub const MAX_CELLS: usize = 200_000_000;

/// The non-empty cells of a sheet, where they are: (row, column, text), 0-based.
struct SheetCells {
    cells: Vec<(u32, u32, String)>,
    /// "N formula cells without a saved value (first: C2)", when there are any.
    formulas_without_value: Option<String>,
}

/// Reads the non-empty cells of sheet `name`. xlsx and xlsb are read cell by cell as
/// stored (memory grows with the cells present, not with the rectangle they span);
/// xls (at most 65,536 x 256 cells by its format) and ods as calamine's ranges.
fn sheet_cells<RS: std::io::Read + std::io::Seek>(
    book: &mut calamine::Sheets<RS>,
    name: &str,
) -> std::result::Result<SheetCells, String> {
    let mut cells = Vec::new();
    let mut without_value = (0usize, None);
    let push =
        |cells: &mut Vec<(u32, u32, String)>, (row, col): (u32, u32), value: Data| -> std::result::Result<(), String> {
            if !matches!(value, Data::Empty) {
                if cells.len() == MAX_CELLS {
                    return Err(format!("more than {MAX_CELLS} cells: save the table as CSV or Parquet"));
                }
                cells.push((row, col, cell_text(&value)));
            }
            Ok(())
        };
    match book {
        calamine::Sheets::Xlsx(x) => {
            let mut reader = x.worksheet_cells_reader(name).map_err(|e| e.to_string())?;
            while let Some(cell) = reader.next_cell_with_formula_metadata().map_err(|e| e.to_string())? {
                if cell.formula.is_some() && matches!(cell.value, calamine::DataRef::Empty) {
                    without_value.0 += 1;
                    without_value.1.get_or_insert(cell.pos);
                }
                push(&mut cells, cell.pos, Data::from(cell.value))?;
            }
        }
        calamine::Sheets::Xlsb(x) => {
            let mut reader = x.worksheet_cells_reader(name).map_err(|e| e.to_string())?;
            while let Some(cell) = reader.next_cell().map_err(|e| e.to_string())? {
                let pos = cell.get_position();
                push(&mut cells, pos, Data::from(cell.get_value().clone()))?;
            }
        }
        other => {
            let range = other.worksheet_range(name).map_err(|e| e.to_string())?;
            for (row, col, value) in range.used_cells() {
                let (r, c) = range.start().unwrap_or((0, 0));
                push(&mut cells, (r + row as u32, c + col as u32), value.clone())?;
            }
        }
    }
    let formulas_without_value = without_value.1.map(|(row, col)| {
        format!(
            "{} formula cell{} without a saved value (first: {}{})",
            without_value.0,
            if without_value.0 == 1 { "" } else { "s" },
            column_letters(col),
            row + 1
        )
    });
    Ok(SheetCells {
        cells,
        formulas_without_value,
    })
}

/// The sheet's non-blank rows, each from column A to its last non-empty cell, with
/// their sheet row numbers.
fn grid_rows(file: &str, sheet: &str, mut cells: Vec<(u32, u32, String)>) -> Result<Vec<(usize, Vec<String>)>> {
    cells.sort_unstable_by_key(|&(r, c, _)| (r, c));
    let mut rows: Vec<(usize, Vec<String>)> = Vec::new();
    let mut spanned = 0usize;
    let mut last: Option<(u32, u32)> = None;
    for (r, c, text) in cells {
        if last.is_none_or(|(lr, _)| lr != r) {
            rows.push((r as usize + 1, Vec::new()));
        }
        last = Some((r, c));
        let Some((_, row)) = rows.last_mut() else { continue };
        let col = c as usize;
        if col < row.len() {
            row[col] = text;
            continue;
        }
        spanned += col + 1 - row.len();
        if spanned > MAX_CELLS {
            return Err(Error::Data {
                file: file.into(),
                kind: ErrorKind::TooLarge,
                message: format!(
                    "sheet `{sheet}`: its rows span more than {MAX_CELLS} cells (cell {}{} is far right or down of the table): delete the stray cells, or save the table as CSV",
                    column_letters(c),
                    r + 1
                ),
            });
        }
        row.resize(col, String::new());
        row.push(text);
    }
    rows.retain(|(_, cells)| !cells.iter().all(|c| c.trim().is_empty()));
    Ok(rows)
}

/// A part of a workbook larger than this once decompressed, and compressed more than
/// [`MAX_RATIO`] times, is no table: a zip bomb (one cell holding 1.5 GB of one letter
/// is a 1.5 MB file). The Global Terrorism Database's workbook compresses about 10
/// times.
const MAX_PLAIN_PART: u64 = 256 << 20;
const MAX_RATIO: u64 = 100;

/// Checks the sizes a workbook's ZIP directory declares for its parts (the reader
/// stops at the declared size) before any part is decompressed.
fn check_zip_parts(bytes: &[u8]) -> std::result::Result<(), (ErrorKind, String)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| (ErrorKind::Unreadable, format!("cannot read the workbook: {e}")))?;
    for i in 0..archive.len() {
        let Ok(part) = archive.by_index_raw(i) else { continue };
        let (plain, packed) = (part.size(), part.compressed_size().max(1));
        if plain > MAX_PLAIN_PART && plain / packed > MAX_RATIO {
            return Err((ErrorKind::TooLarge, format!(
                "its part `{}` would take {} MB decompressed, {} times its {} KB in the file: a workbook of data does not compress so (a zip bomb?); save the table as CSV",
                part.name().map(|n| n.to_string()).unwrap_or_default(),
                plain >> 20,
                plain / packed,
                packed >> 10
            )));
        }
    }
    Ok(())
}

/// The cells an OpenDocument spreadsheet's sheets span once laid out, as calamine lays
/// them out: a rectangle from the first to the last row with a value and as wide as
/// the widest, every row repeated `table:number-rows-repeated` times and every cell
/// `table:number-columns-repeated` times (blank cells at a row's end dropped). Read
/// from `content.xml` as it is decompressed, before calamine allocates anything: a
/// 1 KB file may declare a row of 16,384 cells repeated a million times.
fn ods_cells(bytes: &[u8]) -> std::result::Result<u64, String> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let mut content = archive.by_name("content.xml").map_err(|e| e.to_string())?;
    let mut scan = OdsScan::default();
    let mut block = vec![0u8; 1 << 16];
    loop {
        let n = content.read(&mut block).map_err(|e| e.to_string())?;
        for &b in &block[..n] {
            scan.byte(b);
        }
        if n == 0 || scan.cells() > MAX_CELLS as u64 {
            return Ok(scan.cells());
        }
    }
}

/// The state of [`ods_cells`]' scan of `content.xml`.
#[derive(Default)]
struct OdsScan {
    in_tag: bool,
    /// The current tag's text, up to its first 4 KB (attributes come first).
    tag: Vec<u8>,
    /// The current row's repeat count and its index in the sheet.
    rows_repeated: u64,
    row: u64,
    /// The current row's width up to its last cell with a value, and the blank cells
    /// since that cell.
    width: u64,
    blank: u64,
    /// The current sheet's rows with values (first, end) and widest row.
    first: Option<u64>,
    end: u64,
    widest: u64,
    /// The sheets done.
    done: u64,
}

impl OdsScan {
    fn cells(&self) -> u64 {
        let open = self.first.map_or(0, |f| (self.end - f).saturating_mul(self.widest));
        self.done.saturating_add(open)
    }

    fn byte(&mut self, b: u8) {
        if !self.in_tag {
            if b == b'<' {
                self.in_tag = true;
                self.tag.clear();
            }
            return;
        }
        if b != b'>' {
            if self.tag.len() < 4096 {
                self.tag.push(b);
            }
            return;
        }
        self.in_tag = false;
        let tag = std::mem::take(&mut self.tag);
        self.tag_done(&tag);
        self.tag = tag;
    }

    fn tag_done(&mut self, tag: &[u8]) {
        let repeated = |name: &[u8]| -> u64 {
            let Some(at) = tag.windows(name.len()).position(|w| w == name) else {
                return 1;
            };
            let digits: Vec<u8> = tag[at + name.len()..]
                .iter()
                .copied()
                .take_while(u8::is_ascii_digit)
                .collect();
            std::str::from_utf8(&digits)
                .ok()
                .and_then(|d| d.parse().ok())
                .unwrap_or(1)
        };
        let named = |name: &[u8]| {
            tag.starts_with(name) && matches!(tag.get(name.len()), None | Some(b' ' | b'/' | b'\n' | b'\t' | b'\r'))
        };
        if named(b"table:table-row") {
            self.rows_repeated = repeated(b"table:number-rows-repeated=\"").clamp(1, 1 << 20);
            self.width = 0;
            self.blank = 0;
            if tag.ends_with(b"/") {
                self.row += self.rows_repeated;
            }
        } else if named(b"table:table-cell") || named(b"table:covered-table-cell") {
            let columns = repeated(b"table:number-columns-repeated=\"").min(1 << 14);
            if tag.windows(17).any(|w| w == b"office:value-type") {
                self.width = (self.width + self.blank + columns).min(1 << 14);
                self.blank = 0;
            } else {
                self.blank += columns;
            }
        } else if named(b"/table:table-row") {
            if self.width > 0 {
                self.first.get_or_insert(self.row);
                self.end = self.row + self.rows_repeated;
                self.widest = self.widest.max(self.width);
            }
            self.row += self.rows_repeated;
        } else if named(b"/table:table") {
            self.done = self.cells();
            (self.row, self.first, self.end, self.widest) = (0, None, 0, 0);
        }
    }
}

/// A 0-based column as a spreadsheet names it: 0 is A, 26 is AA, 16383 is XFD.
pub fn column_letters(col: u32) -> String {
    let mut n = col as u64 + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        out.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// The workbook's kind, for the manifest: `ods` (its first ZIP entry, `mimetype`,
/// names OpenDocument), `xls` (an OLE2 file), else `xlsx` (xlsx, xlsm, xlsb).
pub fn kind(bytes: &[u8]) -> &'static str {
    match super::container::container(bytes) {
        super::container::Container::Ole => "xls",
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
            grid.notes.first().map(String::as_str),
            Some("gtd.xlsx: read sheet `events`, the first of 2 (events, notes); choose another with option `sheet`")
        );
        let numbers: Vec<usize> = grid.rows.iter().map(|(n, _)| *n).collect();
        assert_eq!(numbers, [2, 3, 5]);
        assert_eq!(grid.rows[0].1, ["", "eventid", "iyear", "date", "share"]);
        assert_eq!(grid.rows[1].1, ["", "201801010001", "2018", "2022-04-21", "0.1"]);
    }

    /// One cell at XFD1048576 beside A1 (a 1.7 KB file): the rectangle from A1 is 17
    /// billion cells; read as the cells present, it is two rows.
    #[test]
    fn a_far_cell_takes_the_memory_of_its_row_not_of_the_rectangle() {
        let bytes = workbook(|book| {
            let sheet = book.add_worksheet();
            sheet.write(0, 0, "unit").unwrap();
            sheet.write(1_048_575, 16_383, "x").unwrap();
        });
        assert!(bytes.len() < 8_000);
        let grid = read("bomb.xlsx", &bytes, None).unwrap();
        assert_eq!(grid.rows.len(), 2);
        assert_eq!(grid.rows[0], (1, vec!["unit".to_string()]));
        assert_eq!(grid.rows[1].0, 1_048_576);
        assert_eq!(grid.rows[1].1.len(), 16_384);
    }

    #[test]
    fn formulas_without_saved_values_are_named() {
        // As openpyxl writes them: a formula and no cached value.
        let bytes = workbook(|book| {
            let sheet = book.add_worksheet().set_name("data").unwrap();
            sheet.write(0, 0, "unit").unwrap();
            sheet.write(0, 1, "x").unwrap();
            sheet.write(1, 0, "AFG").unwrap();
            sheet.write_formula(1, 1, "=1+1").unwrap();
            sheet.write(2, 0, "PAK").unwrap();
            sheet.write_formula(2, 1, "=2+2").unwrap();
        });
        let bytes = without_cached_values(&bytes);
        let grid = read("f.xlsx", &bytes, None).unwrap();
        assert_eq!(
            grid.notes,
            ["f.xlsx: sheet `data`: 2 formula cells without a saved value (first: B2): the program that wrote the workbook saved no values for them, so they read as missing; open and save it in Excel or LibreOffice to store their values"]
        );
    }

    /// The workbook with its formulas' cached values taken out, as openpyxl writes
    /// formulas (rust_xlsxwriter stores a result of 0).
    fn without_cached_values(xlsx: &[u8]) -> Vec<u8> {
        use std::io::{Read, Write};
        let mut archive = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..archive.len() {
            let mut entry = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            let name = entry.name().unwrap().to_string();
            if name.starts_with("xl/worksheets/") {
                let text = String::from_utf8(bytes).unwrap();
                assert!(text.contains("</f><v>0</v>"));
                bytes = text.replace("</f><v>0</v>", "</f>").into_bytes();
            }
            out.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
            out.write_all(&bytes).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    /// An OpenDocument file as LibreOffice writes it, with `rows` as the sheet's rows.
    fn ods(rows: &str) -> Vec<u8> {
        use std::io::Write;
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        out.start_file("mimetype", stored).unwrap();
        out.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
            .unwrap();
        out.start_file("content.xml", zip::write::SimpleFileOptions::default())
            .unwrap();
        write!(
            out,
            r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="Sheet1">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
        )
        .unwrap();
        out.finish().unwrap().into_inner()
    }

    /// A 1 KB OpenDocument file declaring a row of 16,384 values repeated a million
    /// times is refused before calamine lays out its 17 billion cells; LibreOffice's
    /// trailing blank rows and columns count for nothing.
    #[test]
    fn a_repeated_opendocument_row_is_sized_before_it_is_read() {
        let cell = |v: &str| {
            format!(r#"<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>"#)
        };
        let bomb = ods(&format!(
            r#"<table:table-row>{}</table:table-row><table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="16384" office:value-type="float" office:value="1"/></table:table-row>"#,
            cell("unit")
        ));
        assert!(bomb.len() < 2_000, "{} bytes", bomb.len());
        let err = read("bomb.ods", &bomb, None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "bomb.ods: its sheets span 17179869184 cells once their repeated rows and cells are laid out, more than 200000000: save the table as CSV or xlsx"
        );
        assert_eq!(err.kind(), crate::ErrorKind::TooLarge);
        let plain = ods(&format!(
            r#"<table:table-row>{}{}<table:table-cell table:number-columns-repeated="1022"/></table:table-row><table:table-row>{}{}<table:table-cell table:number-columns-repeated="1022"/></table:table-row><table:table-row table:number-rows-repeated="1048574"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#,
            cell("unit"),
            cell("a"),
            cell("X"),
            cell("1")
        ));
        // 2 rows x 2 values (a real one is read in tests/cli/sources.rs).
        assert_eq!(ods_cells(&plain).unwrap(), 4);
    }

    #[test]
    fn columns_are_named_as_spreadsheets_name_them() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
        assert_eq!(column_letters(16_383), "XFD");
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

//! Reads one file into a polars `DataFrame` and gives typed, row-aware access to it.
//!
//! A file is CSV (any encoding, see [`crate::input`]), Parquet or a workbook (xlsx,
//! xls, ods: one sheet). A World Bank download's metadata lines above its header
//! (`"Data Source","World Development Indicators"`, `"Last Updated Date",...`) and a
//! DataBank export's footer (`Data from database: ...`, `Last Updated: ...`) are
//! not data and are left out; the row numbers stay the file's.

use super::cells::{self, check_header, CsvCells, CsvColumn};
use super::source::LoadOptions;
use crate::error::ErrorKind;
use crate::error::{list_ids, suggest, visible, Error, Result, MAX_LISTED};
use crate::input::numbers::NumberFormat;
use crate::input::scan::sniff_delimiter;
use crate::input::{self, workbook, Container};
use polars::prelude::*;
use std::io::Cursor;

/// One file as read, before it is matched to the framework.
pub struct Table {
    pub name: String,
    pub format: &'static str,
    /// The text encoding a CSV was read in (`None` for Parquet and workbooks).
    pub encoding: Option<String>,
    /// The sheet a workbook was read from.
    pub sheet: Option<String>,
    /// Every sheet of the workbook.
    pub sheets: Vec<String>,
    /// What the user should know about how the file was read.
    pub notes: Vec<String>,
    store: Store,
    /// Per data row: its row number in the file as a spreadsheet shows it (the header
    /// is row 1; blank rows are skipped, so numbers may jump).
    rows: Vec<usize>,
}

/// The cells of a table: a polars frame (Parquet, workbooks) or a CSV file's columns.
enum Store {
    Frame(DataFrame),
    Csv {
        header: Vec<String>,
        columns: Vec<CsvColumn>,
    },
}

/// Reads CSV (any delimiter and encoding), Parquet or a workbook, told by the bytes.
///
/// `numeric` names the columns the caller will read as numbers, `numbers` how they are
/// written: where no option of ours is needed to read them, polars parses them while it
/// reads the file (no text copy of every cell).
pub fn read_table(
    name: &str,
    bytes: &[u8],
    options: &LoadOptions,
    sheet: Option<&str>,
    numeric: &[&str],
    numbers: &NumberFormat,
) -> Result<Table> {
    let data_error = |kind: ErrorKind, message: String| Error::Data {
        file: name.to_string(),
        kind,
        message,
    };
    match input::container(bytes) {
        Container::Parquet => {
            let df = ParquetReader::new(Cursor::new(bytes))
                .finish()
                .map_err(|e| data_error(ErrorKind::Unreadable, format!("cannot read Parquet file: {e}")))?;
            let rows = (2..df.height() + 2).collect();
            return Ok(Table::new(name, "parquet", Store::Frame(df), rows));
        }
        Container::Zip | Container::Ole => return read_workbook(name, bytes, sheet),
        Container::Csv => {}
    }
    let named = options.encoding.as_deref().map(input::named_encoding).transpose()?;
    let encoding = input::detect(bytes, named);
    let bytes = input::to_utf8(name, bytes, &encoding)?;
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(data_error(
            ErrorKind::NoRows,
            "the file is empty: expected a header row and data rows".into(),
        ));
    }
    let separator = options.delimiter.unwrap_or_else(|| sniff_delimiter(&bytes));
    let (start, skipped_lines) = world_bank_preamble(&bytes, separator);
    let end = databank_footer(&bytes[start..]).map_or(bytes.len(), |e| start + e);
    let CsvCells { header, columns, rows } =
        cells::read(name, &bytes[start..end], separator, skipped_lines, numeric, numbers)?;
    let mut table = Table::new(name, "csv", Store::Csv { header, columns }, rows);
    table.notes.extend(encoding.note(name));
    table.encoding = Some(encoding.name());
    Ok(table)
}

/// One sheet of a workbook as a table of text columns.
fn read_workbook(name: &str, bytes: &[u8], sheet: Option<&str>) -> Result<Table> {
    let grid = workbook::read(name, bytes, sheet)?;
    let header_at = grid
        .rows
        .iter()
        .take(PREAMBLE_LINES)
        .position(|(_, cells)| is_world_bank_header(cells.iter().map(String::as_str)))
        .unwrap_or(0);
    let mut rows = grid.rows.into_iter().skip(header_at);
    let (header_row, header) = rows.next().unwrap_or_default();
    let workbook::Columns {
        header,
        columns,
        rows: numbers,
        stray,
    } = workbook::columns(header, rows);
    let width = header.len();
    let mut problems = check_header(name, &header);
    for (row, column) in stray {
        problems.push(Error::Row {
            file: name.into(),
            row,
            message: format!(
                "a value in column {column} lies right of the header's last column ({width}, `{}`)",
                header.last().map(|h| visible(h)).unwrap_or_default()
            ),
        });
    }
    if header_row == 0 || width == 0 {
        problems.push(Error::Data {
            file: name.into(),
            kind: ErrorKind::NoRows,
            message: format!("sheet `{}` has no header row", grid.sheet),
        });
    }
    Error::in_row_order(problems, MAX_LISTED)?;
    let df = DataFrame::new_infer_height(
        header
            .iter()
            .zip(columns)
            .map(|(h, values)| Column::new(h.as_str().into(), values))
            .collect(),
    )
    .map_err(|e| Error::Data {
        file: name.into(),
        kind: ErrorKind::Unreadable,
        message: format!("cannot read sheet `{}`: {e}", grid.sheet),
    })?;
    let mut table = Table::new(name, workbook::kind(bytes), Store::Frame(df), numbers);
    table.notes.extend(grid.notes);
    table.sheet = Some(grid.sheet);
    table.sheets = grid.sheets;
    Ok(table)
}

/// How far down a World Bank download's header may sit (four metadata lines in the
/// bulk and API files).
const PREAMBLE_LINES: usize = 10;

/// A World Bank header: `Country Name`, `Country Code`, ... (WDI bulk and API files,
/// DataBank exports).
fn is_world_bank_header<'a>(mut cells: impl Iterator<Item = &'a str>) -> bool {
    cells.next().map(str::trim) == Some("Country Name") && cells.next().map(str::trim) == Some("Country Code")
}

/// Where the header starts when metadata lines sit above a World Bank header: the
/// byte offset and the number of lines skipped; `(0, 0)` for any other file.
fn world_bank_preamble(bytes: &[u8], separator: u8) -> (usize, usize) {
    let mut offset = 0;
    for (i, line) in bytes.split(|&b| b == b'\n').take(PREAMBLE_LINES).enumerate() {
        let text = String::from_utf8_lossy(line);
        let cells = text.split(separator as char).map(|c| c.trim().trim_matches('"'));
        if is_world_bank_header(cells) {
            return (offset, i);
        }
        offset += line.len() + 1;
    }
    (0, 0)
}

/// Where a World Bank DataBank export's footer starts (a blank line, then
/// `Data from database: ...` and `Last Updated: ...`), if it has one.
/// The first line starting `Data from database:` is taken, else the first starting
/// `"Data from database:`; one SIMD substring search finds both.
fn databank_footer(bytes: &[u8]) -> Option<usize> {
    let mut quoted = None;
    for at in memchr::memmem::find_iter(bytes, b"Data from database:") {
        if at >= 1 && bytes[at - 1] == b'\n' {
            return Some(at);
        }
        if quoted.is_none() && at >= 2 && &bytes[at - 2..at] == b"\n\"" {
            quoted = Some(at - 1);
        }
    }
    quoted
}

impl Table {
    fn new(name: &str, format: &'static str, store: Store, rows: Vec<usize>) -> Table {
        Table {
            name: name.to_string(),
            format,
            encoding: None,
            sheet: None,
            sheets: Vec::new(),
            notes: Vec::new(),
            store,
            rows,
        }
    }

    pub fn rows(&self) -> usize {
        match &self.store {
            Store::Frame(df) => df.height(),
            Store::Csv { .. } => self.rows.len(),
        }
    }

    /// The spreadsheet row number of data row i (0-based).
    pub fn row_number(&self, i: usize) -> usize {
        self.rows.get(i).copied().unwrap_or(i + 2)
    }

    pub fn has_column(&self, name: &str) -> bool {
        self.column_names().any(|c| c == name)
    }

    pub fn column_names(&self) -> Box<dyn Iterator<Item = &str> + '_> {
        match &self.store {
            Store::Frame(df) => Box::new(df.get_column_names().into_iter().map(|s| s.as_str())),
            Store::Csv { header, .. } => Box::new(header.iter().map(String::as_str)),
        }
    }

    fn missing_column(&self, name: &str, needed_by: &str) -> Error {
        Error::MissingColumn {
            file: self.name.clone(),
            column: name.to_string(),
            needed_by: format!("framework key `{needed_by}`"),
            hint: format!(
                " (the file has {}){}",
                list_ids(self.column_names()),
                suggest(name, self.column_names())
            ),
        }
    }

    fn frame_column<'a>(&self, df: &'a DataFrame, name: &str, needed_by: &str) -> Result<&'a Column> {
        df.column(name).map_err(|_| self.missing_column(name, needed_by))
    }

    fn csv_column(&self, name: &str, needed_by: &str) -> Result<&CsvColumn> {
        match &self.store {
            Store::Csv { header, columns } => header
                .iter()
                .position(|h| h == name)
                .map(|j| &columns[j])
                .ok_or_else(|| self.missing_column(name, needed_by)),
            Store::Frame(_) => Err(self.missing_column(name, needed_by)),
        }
    }

    /// A column as text (numbers read as numbers are printed as Rust prints them,
    /// `2020` and `0.5`; from a Parquet file or a workbook, as polars prints them).
    pub fn text_column(&self, name: &str, needed_by: &str) -> Result<Vec<Option<String>>> {
        let Store::Frame(df) = &self.store else {
            return Ok(match self.csv_column(name, needed_by)? {
                CsvColumn::Text(text) => text.iter().map(|v| v.map(str::to_string)).collect(),
                CsvColumn::Numbers(values) => values.iter().map(|v| (!v.is_nan()).then(|| v.to_string())).collect(),
            });
        };
        let col = self.frame_column(df, name, needed_by)?;
        self.with_text(col, name, |cells| {
            Ok(cells.iter().map(|v| v.map(str::to_string)).collect())
        })
    }

    /// Calls `f` with a column's cells as [`Table::text_column`] gives them, borrowed
    /// where the table holds them as text (no copy per cell).
    pub fn with_text_cells<T>(
        &self,
        name: &str,
        needed_by: &str,
        f: impl for<'a> FnOnce(&mut dyn Iterator<Item = Option<&'a str>>) -> Result<T>,
    ) -> Result<T> {
        if let Ok(CsvColumn::Text(text)) = self.csv_column(name, needed_by) {
            return f(&mut text.iter());
        }
        let owned = self.text_column(name, needed_by)?;
        f(&mut owned.iter().map(Option::as_deref))
    }

    /// Calls `f` on a frame column's cells as text, borrowed (no copy per cell).
    fn with_text<T>(&self, col: &Column, name: &str, f: impl FnOnce(&StringChunked) -> Result<T>) -> Result<T> {
        let text = col.cast(&DataType::String).map_err(|e| Error::Data {
            file: self.name.clone(),
            kind: ErrorKind::Unreadable,
            message: format!("column `{name}` cannot be read as text: {e}"),
        })?;
        let chunked = text.str().map_err(|e| Error::Data {
            file: self.name.clone(),
            kind: ErrorKind::Unreadable,
            message: format!("column `{name}`: {e}"),
        })?;
        f(chunked)
    }

    /// A column as numbers, with an error naming every bad cell (up to [`MAX_LISTED`]).
    pub fn numeric_column(&self, name: &str, numbers: &NumberFormat) -> Result<Vec<f64>> {
        let Store::Frame(df) = &self.store else {
            return match self.csv_column(name, name)? {
                CsvColumn::Numbers(values) => Ok(values.clone()),
                CsvColumn::Text(text) => self.parse_numbers(name, numbers, text.iter()),
            };
        };
        let col = self.frame_column(df, name, name)?;
        if col.dtype().is_primitive_numeric() {
            let cast = col.cast(&DataType::Float64).map_err(|e| Error::Data {
                file: self.name.clone(),
                kind: ErrorKind::Unreadable,
                message: format!("column `{name}`: {e}"),
            })?;
            let values = cast.f64().map_err(|e| Error::Data {
                file: self.name.clone(),
                kind: ErrorKind::Unreadable,
                message: format!("column `{name}`: {e}"),
            })?;
            return Ok(values.iter().map(|v| v.unwrap_or(f64::NAN)).collect());
        }
        self.with_text(col, name, |cells| self.parse_numbers(name, numbers, cells.iter()))
    }

    /// [`Table::numeric_column`], moving the numbers out when the file's were read as
    /// numbers (the column is left empty: call once per column).
    pub fn take_numeric_column(&mut self, name: &str, numbers: &NumberFormat) -> Result<Vec<f64>> {
        if let Store::Csv { header, columns } = &mut self.store {
            if let Some(CsvColumn::Numbers(values)) = header.iter().position(|h| h == name).map(|j| &mut columns[j]) {
                return Ok(std::mem::take(values));
            }
        }
        self.numeric_column(name, numbers)
    }

    /// Text cells read as numbers; every bad cell is a problem naming its row.
    fn parse_numbers<'a>(
        &self,
        name: &str,
        numbers: &NumberFormat,
        cells: impl Iterator<Item = Option<&'a str>>,
    ) -> Result<Vec<f64>> {
        let mut out = Vec::with_capacity(self.rows());
        // Per kind of mistake (its hint): every row, and the first cells' problems. One
        // mistake in every row (a decimal comma) is said once, with its count.
        let mut kinds: Vec<(String, Vec<usize>, Vec<Error>)> = Vec::new();
        for (i, cell) in cells.enumerate() {
            let cell = cell.unwrap_or("");
            match numbers.parse(cell) {
                Some(v) => out.push(v),
                None => {
                    let hint = numbers.hint(cell);
                    let kind = crate::error::kind_of(&hint);
                    let at = match kinds.iter().position(|(k, _, _)| *k == kind) {
                        Some(at) => at,
                        None => {
                            kinds.push((kind, Vec::new(), Vec::new()));
                            kinds.len() - 1
                        }
                    };
                    let (_, rows, listed) = &mut kinds[at];
                    let row = self.row_number(i);
                    rows.push(row);
                    if listed.len() < MAX_LISTED {
                        listed.push(Error::Cell {
                            file: self.name.clone(),
                            row,
                            column: name.to_string(),
                            message: format!("expected a number, found `{}`{hint}", visible(cell)),
                        });
                    }
                    out.push(f64::NAN);
                }
            }
        }
        let mut problems = Vec::new();
        for (_, rows, mut listed) in kinds {
            if rows.len() < 3 {
                problems.append(&mut listed);
                continue;
            }
            let message = match listed.swap_remove(0) {
                Error::Cell { message, .. } => message,
                other => other.to_string(),
            };
            let count = rows.len();
            let mut rows = rows;
            rows.truncate(crate::error::REPEATED_ROWS);
            problems.push(Error::Repeated {
                file: self.name.clone(),
                column: Some(name.to_string()),
                count,
                rows,
                message,
            });
        }
        Error::from_problems(problems)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_databank_footer_starts_at_its_line() {
        assert_eq!(databank_footer(b"a,1\n\nData from database: WDI\n"), Some(5));
        assert_eq!(databank_footer(b"a,1\n\"Data from database: WDI\"\n"), Some(4));
        // A line starting unquoted is taken before an earlier quoted one, as before.
        assert_eq!(
            databank_footer(b"\n\"Data from database:\"\nData from database:"),
            Some(23)
        );
        // Not at a line's start: no footer.
        assert_eq!(databank_footer(b"Data from database:,x\nb,Data from database:"), None);
    }

    #[test]
    fn a_runaway_row_is_refused_at_once() {
        let mut text = String::from("unit,year,a\nX,2020,\"");
        text.push_str(&"x".repeat(2 << 20));
        let err = read_table(
            "d.csv",
            text.as_bytes(),
            &LoadOptions::default(),
            None,
            &[],
            &NumberFormat::default(),
        )
        .err()
        .unwrap();
        let message = err.to_string();
        assert!(
            message.starts_with("d.csv: row 2: the row is "),
            "{}",
            &message[..100.min(message.len())]
        );
        assert!(message.ends_with("bytes long: a quote (\") opened in it is probably never closed"));
        assert!(message.len() < 200);
    }

    #[test]
    fn one_mistake_in_many_cells_is_said_once() {
        let mut text = String::from("unit,year,a\n");
        for i in 0..80 {
            text.push_str(&format!("U{i},2020,bad{i}\n"));
        }
        let table = read_table(
            "d.csv",
            text.as_bytes(),
            &LoadOptions::default(),
            None,
            &[],
            &NumberFormat::default(),
        )
        .unwrap();
        // One mistake in 80 cells of a column: said once, with its count.
        let err = table.numeric_column("a", &NumberFormat::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "d.csv: column `a`, 80 cells (rows 2, 3, 4, 5, 6, ...); row 2: expected a number, found `bad0`"
        );
        // Two cells are listed as they are.
        let table = read_table(
            "d.csv",
            b"unit,year,a\nX,2020,bad\nY,2020,worse\nZ,2020,1\n",
            &LoadOptions::default(),
            None,
            &[],
            &NumberFormat::default(),
        )
        .unwrap();
        let err = table.numeric_column("a", &NumberFormat::default()).unwrap_err();
        let listed: Vec<String> = err.problems().iter().map(|p| p.to_string()).collect();
        assert_eq!(
            listed,
            [
                "d.csv: row 2, column `a`: expected a number, found `bad` (if `bad` marks a missing value, add it to `[data] missing`)",
                "d.csv: row 3, column `a`: expected a number, found `worse` (if `worse` marks a missing value, add it to `[data] missing`)"
            ]
        );
    }

    #[test]
    fn long_values_are_cut_in_messages() {
        let shown = visible(&"y".repeat(500));
        assert_eq!(shown, format!("{}... (500 characters in all)", "y".repeat(200)));
        assert_eq!(visible("gov_eff\r"), "gov_eff\\r");
    }
}

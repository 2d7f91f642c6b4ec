//! Reads one file into a polars `DataFrame` and gives typed, row-aware access to it.
//!
//! A file is CSV (any encoding, see [`crate::input`]), Parquet or a workbook (xlsx,
//! xls, ods: one sheet). A World Bank download's metadata lines above its header
//! (`"Data Source","World Development Indicators"`, `"Last Updated Date",...`) and a
//! DataBank export's footer (`Data from database: ...`, `Last Updated: ...`) are
//! not data and are left out; the row numbers stay the file's.

use super::cells::{self, delimiter_name, CsvCells, CsvColumn};
use super::LoadOptions;
use crate::error::{list_ids, suggest, visible, Error, Result};
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

/// Problems of one kind listed per file before "... and N more".
pub const MAX_LISTED: usize = 50;

/// A row longer than this is no row: most likely a quote that is never closed.
pub(super) const MAX_ROW_BYTES: usize = 1 << 20;

/// Values read as missing in numeric cells unless `[data] missing` says otherwise:
/// R's and pandas' markers, the World Bank's `..`, Excel's `#N/A`, and the `n.a.`,
/// `-`, `.` and `None` of statistical yearbooks and Python exports. An empty cell is
/// always missing.
pub const MISSING: &[&str] = &[
    "NA", "N/A", "n/a", "na", "n.a.", "NaN", "nan", "null", "NULL", "None", "..", ".", "-", "#N/A",
];

/// The delimiters a CSV may use.
pub(super) const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

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
    let data_error = |message: String| Error::Data {
        file: name.to_string(),
        message,
    };
    match input::container(bytes) {
        Container::Parquet => {
            let df = ParquetReader::new(Cursor::new(bytes))
                .finish()
                .map_err(|e| data_error(format!("cannot read Parquet file: {e}")))?;
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

/// Columns with the same name, each pair an error.
pub(super) fn check_header(name: &str, names: &[String]) -> Vec<Error> {
    let mut problems = Vec::new();
    let mut first_of: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (j, n) in names.iter().enumerate() {
        if let Some(&first) = first_of.get(n.as_str()) {
            problems.push(Error::Data {
                file: name.into(),
                message: format!(
                    "columns {} and {} are both named `{}`: rename one",
                    first + 1,
                    j + 1,
                    visible(n)
                ),
            });
        } else {
            first_of.insert(n, j);
        }
    }
    problems
}

/// Why a row has the wrong number of fields, as far as can be told.
pub(super) fn field_count(record: &[&[u8]], expected: usize, separator: u8) -> String {
    let found = record.len();
    let mut message = format!("expected {expected} fields (as the header has), found {found}");
    if record.iter().any(|f| f.contains(&b'\n')) {
        message.push_str(": a quote (\") opened in it closes only on a later line");
        return message;
    }
    let line: Vec<u8> = record.join(&separator);
    let other = DELIMITERS
        .into_iter()
        .find(|&d| d != separator && line.split(|&b| b == d).count() == expected);
    match other {
        Some(d) => message.push_str(&format!(
            " (the header is split by {}, this row by {}: use one delimiter)",
            delimiter_name(separator),
            delimiter_name(d)
        )),
        None => message.push_str(&format!(
            " (fields split by {0}; a text value with {0} in it must be quoted)",
            delimiter_name(separator)
        )),
    }
    message
}

/// The most frequent of `,` `;` tab `|` in the header line, outside quotes.
pub fn sniff_delimiter(bytes: &[u8]) -> u8 {
    let header = bytes.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let mut counts = DELIMITERS.map(|d| (d, 0usize));
    let mut quoted = false;
    for &b in header {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            if let Some(c) = counts.iter_mut().find(|(d, _)| *d == b) {
                c.1 += 1;
            }
        }
    }
    counts
        .iter()
        .max_by_key(|(_, n)| *n)
        .filter(|(_, n)| *n > 0)
        .map_or(b',', |(d, _)| *d)
}

/// The characters that may group thousands: `,` `.` space `'`.
pub const THOUSANDS: [char; 4] = [',', '.', ' ', '\''];

/// A thousands separator as an option or a framework key gives it: one of [`THOUSANDS`].
pub fn thousands_separator(text: &str) -> Option<char> {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if THOUSANDS.contains(&c) => Some(c),
        _ => None,
    }
}

/// What [`thousands_separator`] expects, for messages.
pub const THOUSANDS_EXPECTED: &str = "expected one of \",\" \".\" \" \" \"'\" (the character that groups thousands)";

/// How numbers are written in a file's numeric cells.
#[derive(Debug, Clone)]
pub struct NumberFormat {
    /// `3,5` is 3.5.
    pub decimal_comma: bool,
    /// The thousands separator, if numbers are grouped (`1,234`, `15 500`, `1.234,5`).
    pub thousands: Option<char>,
    /// Cells read as missing (besides the empty cell).
    pub missing: Vec<String>,
}

impl Default for NumberFormat {
    fn default() -> Self {
        NumberFormat {
            decimal_comma: false,
            thousands: None,
            missing: MISSING.iter().map(|m| m.to_string()).collect(),
        }
    }
}

/// Spaces that group digits: the space, the no-break space and the narrow no-break
/// space (what French, Russian and Excel's locale formats write).
const SPACES: [char; 3] = [' ', '\u{a0}', '\u{202f}'];

impl NumberFormat {
    /// Parses one numeric cell; `Some(NaN)` for a missing marker, `None` if it is no number.
    ///
    /// With a thousands separator, groups must be whole: `1,234,567` and `-1,234.5`
    /// read, `12,34` does not (a typo, or a decimal comma).
    pub fn parse(&self, text: &str) -> Option<f64> {
        let t = text.trim_matches(|c: char| c.is_whitespace());
        if t.is_empty() || self.missing.iter().any(|m| m == t) {
            return Some(f64::NAN);
        }
        let (decimal, other) = if self.decimal_comma { (',', '.') } else { ('.', ',') };
        let ungrouped;
        let t = match self.thousands {
            Some(sep) => {
                ungrouped = ungroup(t, sep, decimal)?;
                ungrouped.as_str()
            }
            None => t,
        };
        if t.contains(other) {
            return None;
        }
        let parsed = if self.decimal_comma {
            t.replace(',', ".").parse::<f64>().ok()
        } else {
            t.parse::<f64>().ok()
        };
        parsed.filter(|v| v.is_finite())
    }

    /// Which options would read `cell`, if any, as " (...)" for a message.
    fn hint(&self, cell: &str) -> String {
        let t = cell.trim();
        let reads = |f: NumberFormat| f.parse(t).is_some_and(|v| !v.is_nan());
        let mut ways = Vec::new();
        for sep in [',', '.', ' ', '\''] {
            let with = NumberFormat {
                thousands: Some(sep),
                ..self.clone()
            };
            if Some(sep) != self.thousands && reads(with) {
                let shown = if sep == '\'' {
                    "\"'\"".to_string()
                } else {
                    format!("\"{sep}\"")
                };
                ways.push(format!(
                    "if numbers are grouped in thousands, set `[data] thousands = {shown}`"
                ));
                break;
            }
        }
        let comma = NumberFormat {
            decimal_comma: true,
            thousands: None,
            ..self.clone()
        };
        if !self.decimal_comma && reads(comma) {
            ways.push("for decimal commas use option `decimal_comma`".into());
        }
        if ways.is_empty() && !t.chars().any(|c| c.is_ascii_digit()) {
            ways.push(format!(
                "if `{}` marks a missing value, add it to `[data] missing`",
                visible(t)
            ));
        }
        if ways.is_empty() {
            String::new()
        } else {
            format!(" ({})", ways.join("; "))
        }
    }
}

/// `t` without its thousands separators, if they group whole thousands before the
/// decimal mark; `None` if a separator sits anywhere else.
fn ungroup(t: &str, sep: char, decimal: char) -> Option<String> {
    let is_sep = |c: char| c == sep || (sep == ' ' && SPACES.contains(&c));
    if !t.chars().any(is_sep) {
        return Some(t.to_string());
    }
    let (int, frac) = match t.find(decimal) {
        Some(i) => (&t[..i], &t[i..]),
        None => (t, ""),
    };
    if frac.chars().any(is_sep) {
        return None;
    }
    let digits = int.trim_start_matches(['-', '+']);
    let sign = &int[..int.len() - digits.len()];
    let groups: Vec<&str> = digits.split(is_sep).collect();
    let whole = !groups[0].is_empty()
        && groups[0].len() <= 3
        && groups[1..].iter().all(|g| g.len() == 3)
        && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit()));
    whole.then(|| format!("{sign}{}{frac}", groups.concat()))
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
            message: format!("column `{name}` cannot be read as text: {e}"),
        })?;
        let chunked = text.str().map_err(|e| Error::Data {
            file: self.name.clone(),
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
                message: format!("column `{name}`: {e}"),
            })?;
            let values = cast.f64().map_err(|e| Error::Data {
                file: self.name.clone(),
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
    fn numbers_and_missing_markers() {
        let plain = NumberFormat::default();
        let comma = NumberFormat {
            decimal_comma: true,
            ..NumberFormat::default()
        };
        assert_eq!(plain.parse(" 3.5 "), Some(3.5));
        for marker in ["NA", "", "..", "#N/A", "n.a.", "-", "na", "None", "."] {
            assert!(plain.parse(marker).unwrap().is_nan(), "{marker}");
        }
        assert_eq!(comma.parse("3,5"), Some(3.5));
        assert_eq!(plain.parse("3,5"), None);
        assert_eq!(comma.parse("1.234,5"), None);
        assert_eq!(plain.parse("abc"), None);
        assert_eq!(plain.parse("inf"), None);
        assert_eq!(plain.parse("-5"), Some(-5.0));
        // A set of markers of one's own: `-` is then no longer missing.
        let own = NumberFormat {
            missing: vec!["n/d".into()],
            ..NumberFormat::default()
        };
        assert!(own.parse("n/d").unwrap().is_nan());
        assert_eq!(own.parse("-"), None);
    }

    #[test]
    fn thousands_separators_group_whole_thousands() {
        let with = |sep: char, decimal_comma: bool| NumberFormat {
            decimal_comma,
            thousands: Some(sep),
            ..NumberFormat::default()
        };
        assert_eq!(with(',', false).parse("1,234,567.25"), Some(1_234_567.25));
        assert_eq!(with(',', false).parse("-1,234"), Some(-1234.0));
        assert_eq!(with(',', false).parse("999"), Some(999.0));
        assert_eq!(with(',', false).parse("12,34"), None);
        assert_eq!(with(',', false).parse("1234,567"), None);
        assert_eq!(with('.', true).parse("1.234,5"), Some(1234.5));
        assert_eq!(with(' ', false).parse("15 500"), Some(15500.0));
        // No-break and narrow no-break spaces, as locale formats write them.
        assert_eq!(with(' ', true).parse("15\u{a0}500,5"), Some(15500.5));
        assert_eq!(with(' ', false).parse("1\u{202f}000"), Some(1000.0));
        assert_eq!(with('\'', false).parse("1'000'000"), Some(1e6));
    }

    #[test]
    fn a_bad_cell_says_which_option_would_read_it() {
        let plain = NumberFormat::default();
        assert_eq!(
            plain.hint("1,234"),
            " (if numbers are grouped in thousands, set `[data] thousands = \",\"`; for decimal commas use option `decimal_comma`)"
        );
        assert_eq!(
            plain.hint("15 500"),
            " (if numbers are grouped in thousands, set `[data] thousands = \" \"`)"
        );
        assert_eq!(plain.hint("2,5"), " (for decimal commas use option `decimal_comma`)");
        assert_eq!(
            plain.hint("n.d."),
            " (if `n.d.` marks a missing value, add it to `[data] missing`)"
        );
        assert_eq!(plain.hint("12x"), "");
    }

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
    fn sniffs_delimiters() {
        assert_eq!(sniff_delimiter(b"a;b;c\n1;2;3"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\n"), b'\t');
        assert_eq!(sniff_delimiter(b"\"a;b\",c,d\n"), b',');
        assert_eq!(sniff_delimiter(b"single\n"), b',');
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

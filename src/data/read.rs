//! Reads one file into a polars `DataFrame` and gives typed, row-aware access to it.

use super::LoadOptions;
use crate::error::{list_ids, suggest, visible, Error, Result};
use polars::prelude::*;
use std::io::Cursor;

/// One file as read, before it is matched to the framework.
pub struct Table {
    pub name: String,
    pub format: &'static str,
    df: DataFrame,
    /// Per data row: its row number in the file as a spreadsheet shows it (the header
    /// is row 1; blank rows are skipped, so numbers may jump).
    rows: Vec<usize>,
}

/// Problems of one kind listed per file before "... and N more".
pub const MAX_LISTED: usize = 50;

/// A row longer than this is no row: most likely a quote that is never closed.
const MAX_ROW_BYTES: usize = 1 << 20;

/// Values read as missing in numeric cells.
const MISSING: &[&str] = &["", "NA", "N/A", "n/a", "NaN", "nan", "null", "NULL", ".."];

/// The delimiters a CSV may use.
const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// A delimiter as a message names it: `,` or tab.
fn delimiter_name(d: u8) -> String {
    if d == b'\t' {
        "tab".to_string()
    } else {
        format!("`{}`", d as char)
    }
}

/// A row that is empty or holds only spaces and delimiters.
fn is_blank(record: &::csv::ByteRecord) -> bool {
    record.iter().all(|f| f.iter().all(|&b| b.is_ascii_whitespace()))
}

/// Reads CSV (any delimiter, optional UTF-8 BOM) or Parquet (by magic bytes).
pub fn read_table(name: &str, bytes: Vec<u8>, options: &LoadOptions) -> Result<Table> {
    let data_error = |message: String| Error::Data {
        file: name.to_string(),
        message,
    };
    if bytes.starts_with(b"PAR1") {
        let df = ParquetReader::new(Cursor::new(bytes))
            .finish()
            .map_err(|e| data_error(format!("cannot read Parquet file: {e}")))?;
        let rows = (2..df.height() + 2).collect();
        return Ok(Table {
            name: name.to_string(),
            format: "parquet",
            df,
            rows,
        });
    }
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(data_error(
            "the file is empty: expected a header row and data rows".into(),
        ));
    }
    if std::str::from_utf8(&bytes).is_err() {
        return Err(data_error(
            "the file is not UTF-8 text (save it as CSV UTF-8, or as Parquet)".into(),
        ));
    }
    let separator = options.delimiter.unwrap_or_else(|| sniff_delimiter(&bytes));
    let (bytes, rows) = check_shape(name, &bytes, separator)?;
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .with_parse_options(
            CsvParseOptions::default()
                .with_separator(separator)
                .with_missing_is_null(true)
                .with_truncate_ragged_lines(false),
        )
        .into_reader_with_file_handle(Cursor::new(bytes))
        .finish()
        .map_err(|e| data_error(format!("cannot read CSV: {e}")))?;
    Ok(Table {
        name: name.to_string(),
        format: "csv",
        df,
        rows,
    })
}

/// Checks the CSV's shape before it is parsed: every row has as many fields as the
/// header, no two columns share a name, no row runs away (an unclosed quote). Returns
/// the text without its blank rows (empty, or only spaces and delimiters) and the row
/// number of every row kept. Every problem is reported, in row order.
fn check_shape(name: &str, bytes: &[u8], separator: u8) -> Result<(Vec<u8>, Vec<usize>)> {
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(separator)
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut problems = Vec::new();
    let mut header: Option<Vec<String>> = None;
    let mut blank_rows = 0;
    let mut rows = Vec::new();
    let mut record = ::csv::ByteRecord::new();
    loop {
        let more = match reader.read_byte_record(&mut record) {
            Ok(more) => more,
            Err(e) => {
                let row = e.position().map_or(0, |p| p.line() as usize);
                problems.push(Error::Row {
                    file: name.into(),
                    row,
                    message: format!("cannot read the row: {}", visible(&e.to_string())),
                });
                break;
            }
        };
        if !more {
            break;
        }
        let position = record.position().cloned().unwrap_or_else(::csv::Position::new);
        let row = position.line() as usize;
        let length = record.as_slice().len() + record.len();
        if length > MAX_ROW_BYTES {
            problems.push(Error::Row {
                file: name.into(),
                row,
                // The parser drops the quote itself: look for one in the file.
                message: if bytes.contains(&b'"') {
                    format!("the row is {length} bytes long: a quote (\") opened in it is probably never closed")
                } else {
                    format!("the row is {length} bytes long, longer than any row of a data table: is this a CSV file?")
                },
            });
            break;
        }
        if is_blank(&record) {
            blank_rows += 1;
            continue;
        }
        match &header {
            None => {
                let names: Vec<String> = record.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect();
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
                drop(first_of);
                header = Some(names);
            }
            Some(names) if record.len() != names.len() => {
                problems.push(Error::Row {
                    file: name.into(),
                    row,
                    message: field_count(&record, names.len(), separator),
                });
            }
            Some(_) => rows.push(row),
        }
    }
    if let Some([only]) = header.as_deref().filter(|_| !rows.is_empty()) {
        if let Some(other) = DELIMITERS.into_iter().find(|&d| d != separator && bytes.contains(&d)) {
            problems.insert(
                0,
                Error::Data {
                    file: name.into(),
                    message: format!(
                        "the header is one column, `{}`: are the fields split by {}? set option `delimiter`",
                        visible(only),
                        delimiter_name(other)
                    ),
                },
            );
        }
    }
    Error::in_row_order(problems, MAX_LISTED)?;
    let text = if blank_rows > 0 {
        // Written again without the blank rows; the row numbers above stay the file's.
        let mut writer = ::csv::WriterBuilder::new().delimiter(separator).from_writer(Vec::new());
        let mut reader = ::csv::ReaderBuilder::new()
            .delimiter(separator)
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        for record in reader.byte_records().flatten() {
            if !is_blank(&record) {
                writer
                    .write_byte_record(&record)
                    .map_err(|e| Error::io(name, "cannot copy the rows", e.into()))?;
            }
        }
        writer
            .into_inner()
            .map_err(|e| Error::io(name, "cannot copy the rows", e.into_error()))?
    } else {
        bytes.to_vec()
    };
    Ok((text, rows))
}

/// Why a row has the wrong number of fields, as far as can be told.
fn field_count(record: &::csv::ByteRecord, expected: usize, separator: u8) -> String {
    let found = record.len();
    let mut message = format!("expected {expected} fields (as the header has), found {found}");
    if record.iter().any(|f| f.contains(&b'\n')) {
        message.push_str(": a quote (\") opened in it closes only on a later line");
        return message;
    }
    let line: Vec<u8> = record.iter().collect::<Vec<_>>().join(&separator);
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

/// Parses one numeric cell; `Ok(NaN)` for a missing marker.
pub fn parse_number(text: &str, decimal_comma: bool) -> Option<f64> {
    let t = text.trim();
    if MISSING.contains(&t) {
        return Some(f64::NAN);
    }
    let parsed = if decimal_comma {
        if t.contains('.') {
            return None;
        }
        t.replace(',', ".").parse::<f64>().ok()
    } else {
        t.parse::<f64>().ok()
    };
    parsed.filter(|v| v.is_finite())
}

impl Table {
    pub fn rows(&self) -> usize {
        self.df.height()
    }

    /// The spreadsheet row number of data row i (0-based).
    pub fn row_number(&self, i: usize) -> usize {
        self.rows.get(i).copied().unwrap_or(i + 2)
    }

    pub fn has_column(&self, name: &str) -> bool {
        self.df.column(name).is_ok()
    }

    pub fn column_names(&self) -> impl Iterator<Item = &str> {
        self.df.get_column_names().into_iter().map(|s| s.as_str())
    }

    fn column(&self, name: &str, needed_by: &str) -> Result<&Column> {
        self.df.column(name).map_err(|_| Error::MissingColumn {
            file: self.name.clone(),
            column: name.to_string(),
            needed_by: format!("framework key `{needed_by}`"),
            hint: format!(
                " (the file has {}){}",
                list_ids(self.column_names()),
                suggest(name, self.column_names())
            ),
        })
    }

    /// A column as text (numbers are printed as polars prints them).
    pub fn text_column(&self, name: &str, needed_by: &str) -> Result<Vec<Option<String>>> {
        self.with_text(name, needed_by, |cells| {
            Ok(cells.iter().map(|v| v.map(str::to_string)).collect())
        })
    }

    /// Calls `f` on a column's cells as text, borrowed (no copy per cell).
    fn with_text<T>(&self, name: &str, needed_by: &str, f: impl FnOnce(&StringChunked) -> Result<T>) -> Result<T> {
        let col = self.column(name, needed_by)?;
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

    /// A column as numbers, with an error naming the first bad cell.
    pub fn numeric_column(&self, name: &str, decimal_comma: bool) -> Result<Vec<f64>> {
        let col = self.column(name, name)?;
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
        self.with_text(name, name, |chunked| {
            let mut out = Vec::with_capacity(chunked.len());
            let mut problems = Vec::new();
            let mut unlisted = 0;
            for (i, cell) in chunked.iter().enumerate() {
                let cell = cell.unwrap_or("");
                match parse_number(cell, decimal_comma) {
                    Some(v) => out.push(v),
                    None if problems.len() >= MAX_LISTED => {
                        unlisted += 1;
                        out.push(f64::NAN)
                    }
                    None => {
                        let hint = if !decimal_comma
                            && cell.contains(',')
                            && cell.replace(',', ".").trim().parse::<f64>().is_ok()
                        {
                            " (for decimal commas use option `decimal_comma`)"
                        } else {
                            ""
                        };
                        problems.push(Error::Cell {
                            file: self.name.clone(),
                            row: self.row_number(i),
                            column: name.to_string(),
                            message: format!(
                                "expected a number, found `{}`{hint}; write a missing value as an empty cell or NA",
                                visible(cell)
                            ),
                        });
                        out.push(f64::NAN);
                    }
                }
            }
            if unlisted > 0 {
                problems.push(Error::More { count: unlisted });
            }
            Error::from_problems(problems)?;
            Ok(out)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_missing_markers() {
        assert_eq!(parse_number(" 3.5 ", false), Some(3.5));
        assert!(parse_number("NA", false).unwrap().is_nan());
        assert!(parse_number("", false).unwrap().is_nan());
        assert!(parse_number("..", false).unwrap().is_nan());
        assert_eq!(parse_number("3,5", true), Some(3.5));
        assert_eq!(parse_number("3,5", false), None);
        assert_eq!(parse_number("1.234,5", true), None);
        assert_eq!(parse_number("abc", false), None);
        assert_eq!(parse_number("inf", false), None);
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
        let err = read_table("d.csv", text.into_bytes(), &LoadOptions::default())
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
    fn at_most_50_bad_cells_are_listed_then_a_count() {
        let mut text = String::from("unit,year,a\n");
        for i in 0..80 {
            text.push_str(&format!("U{i},2020,bad{i}\n"));
        }
        let table = read_table("d.csv", text.into_bytes(), &LoadOptions::default()).unwrap();
        let err = table.numeric_column("a", false).unwrap_err();
        let problems = err.problems();
        assert_eq!(problems.len(), 51);
        assert!(problems[0]
            .to_string()
            .starts_with("d.csv: row 2, column `a`: expected a number, found `bad0`"));
        assert_eq!(problems[50].to_string(), "... and 30 more problems");
    }

    #[test]
    fn long_values_are_cut_in_messages() {
        let shown = visible(&"y".repeat(500));
        assert_eq!(shown, format!("{}... (500 characters in all)", "y".repeat(200)));
        assert_eq!(visible("gov_eff\r"), "gov_eff\\r");
    }
}

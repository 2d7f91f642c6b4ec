//! Reads one file into a polars `DataFrame` and gives typed, row-aware access to it.

use super::LoadOptions;
use crate::error::{list_ids, suggest, Error, Result};
use polars::prelude::*;
use std::io::Cursor;

/// One file as read, before it is matched to the framework.
pub struct Table {
    pub name: String,
    pub format: &'static str,
    df: DataFrame,
}

/// Values read as missing in numeric cells.
const MISSING: &[&str] = &["", "NA", "N/A", "n/a", "NaN", "nan", "null", "NULL", ".."];

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
        return Ok(Table {
            name: name.to_string(),
            format: "parquet",
            df,
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
    })
}

/// The most frequent of `,` `;` tab `|` in the header line, outside quotes.
pub fn sniff_delimiter(bytes: &[u8]) -> u8 {
    let header = bytes.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0), (b'|', 0)];
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
            for (i, cell) in chunked.iter().enumerate() {
                let cell = cell.unwrap_or("");
                match parse_number(cell, decimal_comma) {
                    Some(v) => out.push(v),
                    None => {
                        let hint = if !decimal_comma
                            && cell.contains(',')
                            && cell.replace(',', ".").trim().parse::<f64>().is_ok()
                        {
                            " (for decimal commas use option `decimal_comma`)"
                        } else {
                            ""
                        };
                        return Err(Error::Cell {
                            file: self.name.clone(),
                            row: i + 2,
                            column: name.to_string(),
                            message: format!(
                                "expected a number, found `{cell}`{hint}; write a missing value as an empty cell or NA"
                            ),
                        });
                    }
                }
            }
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
}

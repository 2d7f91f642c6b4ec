//! The log as downloaded, made ready to scan: its container (CSV, Parquet, a workbook),
//! its encoding (read once, hashed while read, copied to UTF-8 only when it is not
//! UTF-8 already), an HXL hashtag row under the header (HDX copies of ACLED:
//! `#date+occurred`, `#affected+killed`) and the case of its column names (ACLED
//! regional files saved from Excel say `EVENT_ID_CNTY`). Every row gets its row
//! number in the file as a spreadsheet shows it (`ROW`).

use super::model::{Options, SourceReport, ROW};
use super::pass::CsvPass;
use crate::error::ErrorKind;
use crate::error::{Error, Result};
use crate::input::{self, workbook, Container, Settled};
use polars::prelude::*;

use std::io::Read;
use std::path::Path;

/// A log ready to scan: every column as it is in the file, plus `ROW`.
pub(super) struct Prepared {
    pub(super) lazy: LazyFrame,
    pub(super) report: SourceReport,
    pub(super) notes: Vec<String>,
    /// A UTF-8 copy of a log in another encoding, removed when dropped.
    pub(super) copy: Option<tempfile::TempPath>,
    /// A CSV log: how to read it in one pass (the scan in `lazy` is then read only to
    /// find the rows in error).
    pub(super) pass: Option<CsvPass>,
}

/// Bytes read at the head of a CSV to sniff its delimiter and HXL row.
const HEAD: usize = 64 * 1024;

/// Opens the log at `path` (see the module docs).
/// `not_utf8`: a pass over the file found this byte not UTF-8.
pub(super) fn prepare(path: &Path, options: &Options, not_utf8: Option<u64>) -> Result<Prepared> {
    let name = path.display().to_string();
    let io = |e: std::io::Error| Error::io(path, "cannot read the event log", e);
    input::file::check_regular(path, "event log")?;
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut head = Vec::with_capacity(HEAD);
    file.by_ref().take(HEAD as u64).read_to_end(&mut head).map_err(io)?;
    let polars_error = |e: PolarsError| Error::Data {
        file: name.clone(),
        kind: ErrorKind::Unreadable,
        message: format!("cannot read the event log: {e}"),
    };
    let mut notes = Vec::new();
    let mut pass = None;
    let (lazy, mut report, copy) = match input::container(&head) {
        Container::Parquet => {
            let lazy = LazyFrame::scan_parquet(PlRefPath::new(name.as_str()), Default::default())
                .map_err(polars_error)?
                .with_row_index(ROW, Some(2));
            let report = SourceReport {
                sha256: hash_file(path)?,
                container: "parquet".into(),
                ..SourceReport::default()
            };
            (lazy, report, None)
        }
        Container::Zip | Container::Ole => {
            let bytes = std::fs::read(path).map_err(io)?;
            let (lazy, report, note) = from_workbook(&name, &bytes, options)?;
            notes.extend(note);
            (lazy, report, None)
        }
        Container::Csv => {
            let csv = from_csv(path, &name, &head, options, not_utf8)?;
            notes.extend(csv.note);
            pass = Some(csv.pass);
            (csv.lazy, csv.report, csv.copy)
        }
    };
    let lazy = lowercase_headers(lazy, &mut report).map_err(polars_error)?;
    if let Some(pass) = &mut pass {
        pass.lowercase = report.headers_lowercased;
    }
    Ok(Prepared {
        lazy,
        report,
        notes,
        copy,
        pass,
    })
}

/// A CSV log ready to read.
struct CsvLog {
    lazy: LazyFrame,
    report: SourceReport,
    copy: Option<tempfile::TempPath>,
    note: Option<String>,
    pass: CsvPass,
}

/// A CSV log: read where it is when it is UTF-8, else from a UTF-8 copy. A log that
/// looks UTF-8 is hashed and checked during the pass that reads it (`not_utf8` tells
/// when that pass found otherwise); one in another encoding is hashed first, then
/// copied.
fn from_csv(path: &Path, name: &str, head: &[u8], options: &Options, not_utf8: Option<u64>) -> Result<CsvLog> {
    let named = options.encoding.as_deref().map(input::named_encoding).transpose()?;
    let sniffed = input::detect(head, named);
    let (sha256, encoding) = if sniffed.encoding == encoding_rs::UTF_8 && not_utf8.is_none() {
        (String::new(), sniffed)
    } else {
        let (sha256, invalid_at) = match not_utf8 {
            Some(at) => (hash_file(path)?, Some(at)),
            None => hash_and_check_utf8(path)?,
        };
        let encoding = match (sniffed.settled, invalid_at) {
            (Settled::ValidUtf8, Some(_)) => input::TextEncoding {
                encoding: encoding_rs::WINDOWS_1252,
                settled: Settled::Fallback,
                bom: 0,
            },
            _ => sniffed,
        };
        if encoding.encoding == encoding_rs::UTF_8 {
            if let Some(at) = invalid_at {
                return Err(not_utf8_error(path, name, at));
            }
        }
        (sha256, encoding)
    };
    let (scan_path, copy) = if encoding.encoding == encoding_rs::UTF_8 {
        (path.to_path_buf(), None)
    } else {
        let copy = utf8_copy(path, &encoding)?;
        (copy.to_path_buf(), Some(copy))
    };
    let separator = options
        .delimiter
        .unwrap_or_else(|| crate::input::scan::sniff_delimiter(head));
    let hxl = has_hxl_row(head, separator);
    let lazy = LazyCsvReader::new(PlRefPath::new(scan_path.to_string_lossy().as_ref()))
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .with_separator(separator)
        .with_missing_is_null(true)
        .with_skip_rows_after_header(usize::from(hxl))
        .finish()
        .map_err(|e| Error::Data {
            file: name.into(),
            kind: ErrorKind::Unreadable,
            message: format!("cannot read the event log: {e}"),
        })?
        .with_row_index(ROW, Some(2 + IdxSize::from(hxl)));
    let pass = CsvPass {
        path: scan_path,
        separator,
        bom: if copy.is_none() { encoding.bom } else { 0 },
        hxl,
        lowercase: false,
        hash: copy.is_none(),
        fallback: copy.is_none() && encoding.settled == Settled::ValidUtf8,
    };
    let report = SourceReport {
        sha256,
        container: "csv".into(),
        encoding: Some(encoding.name()),
        hxl_row: hxl,
        ..SourceReport::default()
    };
    Ok(CsvLog {
        lazy,
        report,
        copy,
        note: encoding.note(name),
        pass,
    })
}

/// The error for a file named (or marked) UTF-8 with a byte that is not, at `at`.
pub(super) fn not_utf8_error(path: &Path, name: &str, at: u64) -> Error {
    match std::fs::read(path) {
        Ok(bytes) => input::invalid_utf8(name, &bytes, at as usize),
        Err(e) => Error::io(path, "cannot read the event log", e),
    }
}

/// The SHA-256 of the file and the offset of its first byte that is not UTF-8, in one
/// pass of bounded memory.
fn hash_and_check_utf8(path: &Path) -> Result<(String, Option<u64>)> {
    let io = |e: std::io::Error| Error::io(path, "cannot read the event log", e);
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut hasher = crate::hash::Hashing::new(std::io::sink());
    let mut utf8 = crate::input::utf8::Utf8Check::default();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buffer).map_err(io)?;
        if n == 0 {
            break;
        }
        std::io::Write::write_all(&mut hasher, &buffer[..n]).map_err(io)?;
        utf8.feed(&buffer[..n]);
    }
    Ok((hasher.finish().1, utf8.finish()))
}

/// The SHA-256 of the log.
fn hash_file(path: &Path) -> Result<String> {
    crate::hash::sha256_file(path).map_err(|e| Error::io(path, "cannot read the event log", e))
}

/// A UTF-8 copy of the log in the temporary folder.
fn utf8_copy(path: &Path, encoding: &input::TextEncoding) -> Result<tempfile::TempPath> {
    let io = |e: std::io::Error| Error::io(path, "cannot copy the event log to UTF-8", e);
    let mut source = std::fs::File::open(path).map_err(io)?;
    let mut skip = vec![0u8; encoding.bom];
    source.read_exact(&mut skip).map_err(io)?;
    let copy = tempfile::Builder::new()
        .prefix("riskscore-events-")
        .suffix(".csv")
        .tempfile()
        .map_err(io)?;
    let mut writer = std::io::BufWriter::new(copy.as_file());
    input::transcode(&mut source, &mut writer, encoding.encoding).map_err(io)?;
    std::io::Write::flush(&mut writer).map_err(io)?;
    drop(writer);
    Ok(copy.into_temp_path())
}

/// Whether the second row is an HXL hashtag row: every non-empty cell starts with `#`.
fn has_hxl_row(head: &[u8], separator: u8) -> bool {
    use crate::input::scan::{Dialect, LineEnds};
    use crate::input::table::head_records;
    let dialect = Dialect {
        delimiter: separator,
        line_ends: LineEnds::Any,
    };
    // The head as if it were the whole file: a row it cuts is read as far as it goes.
    let (records, _) = head_records(head, true, dialect, 2);
    records.get(1).is_some_and(|row| {
        let cells: Vec<std::borrow::Cow<str>> = row.iter().map(|c| String::from_utf8_lossy(c)).collect();
        is_hxl(cells.iter().map(|c| c.as_ref()))
    })
}

fn is_hxl<'a>(cells: impl Iterator<Item = &'a str>) -> bool {
    let mut any = false;
    for c in cells.map(str::trim).filter(|c| !c.is_empty()) {
        if !c.starts_with('#') {
            return false;
        }
        any = true;
    }
    any
}

/// A workbook log: one sheet as text columns, with the sheet's row numbers.
fn from_workbook(name: &str, bytes: &[u8], options: &Options) -> Result<(LazyFrame, SourceReport, Vec<String>)> {
    let grid = workbook::read(name, bytes, options.sheet.as_deref())?;
    let mut rows = grid.rows.into_iter();
    let Some((_, header)) = rows.next() else {
        return Err(Error::Data {
            file: name.into(),
            kind: ErrorKind::NoRows,
            message: format!("sheet `{}` has no header row", grid.sheet),
        });
    };
    let mut rows = rows.peekable();
    let hxl = rows
        .peek()
        .is_some_and(|(_, cells)| is_hxl(cells.iter().map(String::as_str)));
    if hxl {
        rows.next();
    }
    // Cells right of the header name no column and are not read.
    let workbook::Columns {
        header, columns, rows, ..
    } = workbook::columns(header, rows);
    let numbers: Vec<IdxSize> = rows.into_iter().map(|r| r as IdxSize).collect();
    let mut frame: Vec<Column> = vec![Column::new(ROW.into(), numbers)];
    frame.extend(
        header
            .iter()
            .zip(columns)
            .map(|(h, values)| Column::new(h.trim().into(), values)),
    );
    let df = DataFrame::new_infer_height(frame).map_err(|e| Error::Data {
        file: name.into(),
        kind: ErrorKind::Unreadable,
        message: format!("cannot read sheet `{}`: {e}", grid.sheet),
    })?;
    let report = SourceReport {
        sha256: crate::hash::sha256_hex(bytes),
        container: workbook::kind(bytes).into(),
        sheet: Some(grid.sheet),
        hxl_row: hxl,
        ..SourceReport::default()
    };
    Ok((df.lazy(), report, grid.notes))
}

/// Upper-case column names (`EVENT_ID_CNTY`) are read as lower case, the way ACLED,
/// GTD and UCDP name their columns.
fn lowercase_headers(lazy: LazyFrame, report: &mut SourceReport) -> PolarsResult<LazyFrame> {
    let mut lazy = lazy;
    let schema = lazy.collect_schema()?;
    let names: Vec<&str> = schema.iter_names().map(|n| n.as_str()).filter(|n| *n != ROW).collect();
    let upper = names
        .iter()
        .filter(|n| n.chars().any(|c| c.is_ascii_uppercase()))
        .count();
    // Mostly upper case, and lower case names collide with none already there.
    if upper * 2 <= names.len() {
        return Ok(lazy);
    }
    let lower: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
    let mut distinct = lower.clone();
    distinct.sort();
    distinct.dedup();
    if distinct.len() != lower.len() {
        return Ok(lazy);
    }
    report.headers_lowercased = true;
    Ok(lazy.rename(names, lower, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hxl_rows_are_told_from_data() {
        assert!(has_hxl_row(
            b"event_date,fatalities\n#date+occurred,#affected+killed\n2022-01-01,3\n",
            b','
        ));
        assert!(has_hxl_row(b"a,b,c\n#date,,#country+code\n", b','));
        assert!(!has_hxl_row(b"a,b\n2022-01-01,#3\n", b','));
        assert!(!has_hxl_row(b"a,b\n,\n", b','));
    }

    #[test]
    fn utf8_is_checked_across_block_ends() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.csv");
        // `é` (two bytes) straddles the 1 MiB block end; the bad byte comes later.
        let mut bytes = vec![b'a'; (1 << 20) - 1];
        bytes.extend("é".as_bytes());
        bytes.extend(b"bc\xE9d");
        std::fs::write(&path, &bytes).unwrap();
        let (sha, invalid) = hash_and_check_utf8(&path).unwrap();
        assert_eq!(invalid, Some((1 << 20) + 3));
        assert_eq!(sha, crate::hash::sha256_hex(&bytes));
        std::fs::write(&path, &bytes[..bytes.len() - 2]).unwrap();
        assert_eq!(hash_and_check_utf8(&path).unwrap().1, None);
    }
}

//! What to read (a file, or bytes already read), how to read it (layout, delimiter,
//! number format, encoding, sheet) and, for the manifest, what was read.

use crate::error::Result;
use crate::framework::Layout;
use std::path::PathBuf;

/// Where to read one data file from.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Source {
    File(PathBuf),
    /// Bytes already read (stdin), with the name to show in messages.
    Bytes {
        name: String,
        bytes: Vec<u8>,
    },
}

impl Source {
    /// `-` means standard input, read by the caller; anything else is a path.
    pub fn name(&self) -> String {
        match self {
            Source::File(p) => p.display().to_string(),
            Source::Bytes { name, .. } => name.clone(),
        }
    }
}

/// How the input layer reads the data files: text named UTF-16 may hold NUL bytes.
pub(crate) fn reading(options: &LoadOptions) -> Result<crate::input::file::Reading> {
    let named = options
        .encoding
        .as_deref()
        .map(crate::input::named_encoding)
        .transpose()?;
    Ok(crate::input::file::Reading {
        utf16: named.is_some_and(|e| e == encoding_rs::UTF_16LE || e == encoding_rs::UTF_16BE),
        pipes: false,
    })
}

/// How to read the files.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct LoadOptions {
    /// Overrides the framework's `data.layout` and auto-detection.
    pub layout: Option<Layout>,
    /// CSV field delimiter; detected from the header line when `None`.
    pub delimiter: Option<u8>,
    /// Read `3,5` as 3.5 in numeric cells.
    pub decimal_comma: bool,
    /// The thousands separator of numeric cells (overrides `[data] thousands`).
    pub thousands: Option<char>,
    /// The text encoding of CSV files (a WHATWG label); detected when `None`.
    pub encoding: Option<String>,
    /// The sheet of a workbook to read; the first when `None`.
    pub sheet: Option<String>,
    /// Columns to read besides the framework's (column, what needs it), e.g. a backtest outcome.
    pub extra_columns: Vec<(String, String)>,
}

/// What was read from one file, for the manifest.
#[derive(Debug, Clone, serde::Serialize)]
#[non_exhaustive]
pub struct SourceInfo {
    pub file: String,
    pub sha256: String,
    pub rows: usize,
    pub layout: Layout,
    pub format: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// How the file was read, where the user should know (a fallback encoding, a
    /// sheet chosen among several, rows left out).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

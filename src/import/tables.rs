//! The tables an import reads: a CSV file as header, text rows and line numbers, the
//! iMeta rows, and the problem in one cell of either, as an error.

use crate::error::{Error, Result};

/// One iMeta row.
pub(super) struct Meta {
    pub(super) row: usize,
    pub(super) level: Option<i64>,
    pub(super) code: String,
    pub(super) name: String,
    pub(super) direction: f64,
    pub(super) weight: f64,
    pub(super) unit: String,
    pub(super) target: Option<f64>,
    pub(super) denominator: String,
    pub(super) parent: String,
    pub(super) kind: String,
}

/// A CSV file as a header and text rows.
pub(super) struct Csv {
    pub(super) name: String,
    pub(super) header: Vec<String>,
    pub(super) rows: Vec<Vec<String>>,
    /// The line each row starts on (the header is line 1).
    pub(super) lines: Vec<usize>,
}

impl Csv {
    pub(super) fn parse(name: &str, text: &str) -> Result<Csv> {
        let table = crate::input::table::read_table(text.as_bytes(), name, Some(b','))?;
        Ok(Csv {
            name: name.to_string(),
            header: table.header,
            lines: table.rows.iter().map(|(line, _)| *line).collect(),
            rows: table.rows.into_iter().map(|(_, cells)| cells).collect(),
        })
    }

    pub(super) fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }
}

/// A problem in one cell of an imported file.
pub(super) fn problem(file: &str, row: usize, column: &str, message: String) -> Error {
    Error::Cell {
        file: file.to_string(),
        row,
        column: column.to_string(),
        message,
    }
}

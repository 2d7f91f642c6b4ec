//! The tables the report reads from other commands' output folders.

use crate::error::{Error, Result};
use std::path::Path;

/// A CSV written by another command: header and rows of text, read with the scanner
/// every table reader uses ([`crate::input::scan`]). The Excel style of `--excel` (a
/// UTF-8 BOM, `;` between fields, decimal commas) is read too: its numbers come back
/// with decimal points. A row of another length than the header, or a cell that is not
/// UTF-8, is refused naming its row (a folder may come from someone else).
pub fn read_csv(path: &Path) -> Result<(Vec<String>, Vec<Vec<String>>)> {
    let bytes = crate::input::file::read(path, "table", Default::default())?;
    let excel = bytes.starts_with("\u{feff}".as_bytes());
    let delimiter = if excel { b';' } else { b',' };
    let table = crate::input::table::read_table(&bytes, &path.display().to_string(), Some(delimiter))?;
    let rows = table
        .rows
        .into_iter()
        .map(|(_, cells)| {
            cells
                .into_iter()
                .map(|field| {
                    let point = field.replacen(',', ".", 1);
                    if excel && field.contains(',') && point.parse::<f64>().is_ok() {
                        point
                    } else {
                        field
                    }
                })
                .collect()
        })
        .collect();
    Ok((table.header, rows))
}

pub(super) fn column(header: &[String], path: &Path, name: &str) -> Result<usize> {
    header
        .iter()
        .position(|h| h == name)
        .ok_or_else(|| Error::MissingColumn {
            file: path.display().to_string(),
            column: name.into(),
            needed_by: "the report".into(),
            hint: " (is this the right output folder?)".into(),
        })
}

pub(super) fn num(text: &str) -> f64 {
    text.trim().parse().unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &[u8]) -> Result<(Vec<String>, Vec<Vec<String>>)> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, text).unwrap();
        read_csv(&path)
    }

    #[test]
    fn tables_of_both_styles_are_read_with_their_quotes() {
        let (header, rows) = read(b"unit,score\r\n\"A, \"\"B\"\"\",1.5\r\n\nC,2\n").unwrap();
        assert_eq!(header, ["unit", "score"]);
        assert_eq!(rows, [["A, \"B\"", "1.5"], ["C", "2"]]);
        let (header, rows) = read("\u{feff}unit;score\nA;1,5\nB;x,y\n".as_bytes()).unwrap();
        assert_eq!(header, ["unit", "score"]);
        assert_eq!(rows, [["A", "1.5"], ["B", "x,y"]]);
        assert_eq!(read(b"").unwrap(), (Vec::<String>::new(), Vec::new()));
    }

    #[test]
    fn a_row_of_another_length_or_not_utf8_is_refused_with_its_row() {
        let e = read(b"unit,score\nA,1\n\nB\n").unwrap_err().to_string();
        assert!(
            e.contains("row 4") && e.contains("it has 1 fields, the header 2"),
            "{e}"
        );
        let e = read(b"unit,score\nA,\xff\n").unwrap_err().to_string();
        assert!(e.contains("row 2") && e.contains("field 2 is not UTF-8 text"), "{e}");
    }
}

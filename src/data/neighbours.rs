//! The contiguity table for spatial lags: `unit,neighbour[,weight]` per row.
//!
//! Row `UZB,AFG` makes AFG a neighbour of UZB (list both directions for a symmetric
//! border, as `datasets/borders.csv` does). Weights default to 1. Pairs whose units
//! are not in the panel are not used.

use super::{Layout, SourceInfo};
use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Per unit: (neighbour unit's index, weight).
pub type Contiguity = Vec<Vec<(usize, f64)>>;

/// The contiguity of `units`, and the file's provenance.
pub fn read(path: &Path, units: &[String]) -> Result<(Contiguity, SourceInfo)> {
    let file = path.display().to_string();
    let bytes = crate::input::file::read(path, "neighbours table", Default::default())?;
    let cell = |row: usize, column: &str, message: String| Error::Cell {
        file: file.clone(),
        row,
        column: column.into(),
        message,
    };
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let delimiter = super::read::sniff_delimiter(text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(false)
        .from_reader(text);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| Error::Data {
            file: file.clone(),
            message: format!("cannot read the header: {e}"),
        })?
        .iter()
        .map(str::to_string)
        .collect();
    if header.len() < 2 || header.len() > 3 {
        return Err(Error::Data {
            file,
            message: format!(
                "expected 2 or 3 columns (unit, neighbour, optional weight), found {}: {}",
                header.len(),
                header.join(", ")
            ),
        });
    }
    let index: HashMap<&str, usize> = units.iter().enumerate().map(|(i, u)| (u.as_str(), i)).collect();
    let mut graph = vec![Vec::new(); units.len()];
    let mut seen = HashSet::new();
    let mut rows = 0;
    for (i, record) in reader.records().enumerate() {
        let row = i + 2;
        let record = record.map_err(|e| cell(row, &header[0], format!("cannot read the row: {e}")))?;
        rows += 1;
        let a = record.get(0).unwrap_or("").trim();
        let b = record.get(1).unwrap_or("").trim();
        for (value, column) in [(a, &header[0]), (b, &header[1])] {
            if value.is_empty() {
                return Err(cell(row, column, "expected a unit code, found an empty cell".into()));
            }
        }
        if a == b {
            return Err(cell(row, &header[1], format!("`{a}` cannot be its own neighbour")));
        }
        let weight = match record.get(2).map(str::trim) {
            None | Some("") => 1.0,
            Some(w) => match w.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 => v,
                _ => return Err(cell(row, &header[2], format!("expected a weight >= 0, found `{w}`"))),
            },
        };
        if !seen.insert((a.to_string(), b.to_string())) {
            return Err(cell(row, &header[1], format!("the pair {a}, {b} is listed twice")));
        }
        if let (Some(&u), Some(&v)) = (index.get(a), index.get(b)) {
            graph[u].push((v, weight));
        }
    }
    let info = SourceInfo {
        file,
        sha256: Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect(),
        rows,
        layout: Layout::Wide,
        format: "neighbours",
        encoding: None,
        sheet: None,
        notes: Vec::new(),
    };
    Ok((graph, info))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_weights_and_units_outside_the_panel() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.csv");
        std::fs::write(&path, "iso3,neighbour,w\nUZB,AFG,2\nUZB,TJK,\nAFG,UZB,1\nAFG,CHN,1\n").unwrap();
        let units: Vec<String> = ["AFG", "TJK", "UZB"].iter().map(|s| s.to_string()).collect();
        let (g, info) = read(&path, &units).unwrap();
        assert_eq!(g[2], vec![(0, 2.0), (1, 1.0)]);
        assert_eq!(g[0], vec![(2, 1.0)], "CHN is not in the panel");
        assert!(g[1].is_empty());
        assert_eq!(info.rows, 4);
    }

    #[test]
    fn bad_rows_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.csv");
        let units = vec!["UZB".to_string()];
        for (text, expected) in [
            (
                "a,b,w\nUZB,AFG,-1\n",
                "row 2, column `w`: expected a weight >= 0, found `-1`",
            ),
            ("a,b\nUZB,UZB\n", "row 2, column `b`: `UZB` cannot be its own neighbour"),
            (
                "a,b\nUZB,AFG\nUZB,AFG\n",
                "row 3, column `b`: the pair UZB, AFG is listed twice",
            ),
            (
                "a,b\nUZB,\n",
                "row 2, column `b`: expected a unit code, found an empty cell",
            ),
            ("a\nUZB\n", "expected 2 or 3 columns"),
        ] {
            std::fs::write(&path, text).unwrap();
            let e = read(&path, &units).unwrap_err().to_string();
            assert!(e.contains(expected), "{e}");
        }
    }
}

//! The neighbours of each unit for spatial lags: from a contiguity table
//! (`unit,neighbour[,weight]` per row), or from the PRIO-GRID (`grid:queen`).
//!
//! Row `UZB,AFG` makes AFG a neighbour of UZB (list both directions for a symmetric
//! border, as `datasets/borders.csv` does). Weights default to 1. Pairs whose units
//! are not in the panel are not used.
//!
//! `grid:queen:K`: the units are PRIO-GRID cell ids, and a cell's neighbours are the
//! cells of the panel within K rows and columns ([`crate::places::priogrid`]), weight 1.

use super::source::SourceInfo;
use crate::error::ErrorKind;
use crate::error::{Error, Result};
use crate::framework::Layout;
use crate::input::table::TextTable;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Per unit: (neighbour unit's index, weight).
pub type Contiguity = Vec<Vec<(usize, f64)>>;

/// The queen contiguity of PRIO-GRID cells within `rings`, among `units` (cell ids);
/// every unit that is no cell id is an error (the first ones named).
pub fn grid_queen(units: &[String], rings: u32, data: &str) -> Result<Contiguity> {
    use crate::places::priogrid::{Cell, LAST_GID};
    let cells: Vec<Option<Cell>> = units
        .iter()
        .map(|u| u.trim().parse::<u32>().ok().and_then(Cell::from_gid))
        .collect();
    let bad: Vec<&str> = units
        .iter()
        .zip(&cells)
        .filter(|(_, c)| c.is_none())
        .map(|(u, _)| u.as_str())
        .collect();
    if !bad.is_empty() {
        let shown: Vec<String> = bad.iter().take(5).map(|u| format!("`{u}`")).collect();
        return Err(Error::Data {
            file: data.to_string(),
            kind: ErrorKind::BadTable,
            message: format!(
                "[data] neighbours = \"grid:queen\" needs PRIO-GRID cell ids (1 to {LAST_GID}) as units; {} of {} units are not: {}{}",
                bad.len(),
                units.len(),
                shown.join(", "),
                if bad.len() > 5 { ", ..." } else { "" }
            ),
        });
    }
    let index: HashMap<Cell, usize> = cells
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.map(|c| (c, i)))
        .collect();
    Ok(cells
        .iter()
        .map(|c| {
            let mut around: Vec<(usize, f64)> = c
                .map(|c| {
                    c.around(rings)
                        .filter_map(|n| index.get(&n).map(|&j| (j, 1.0)))
                        .collect()
                })
                .unwrap_or_default();
            around.sort_unstable_by_key(|&(j, _)| j);
            around
        })
        .collect())
}

/// A CSV table of the neighbours' files (a byte-order mark skipped, the delimiter
/// sniffed; every row the header's width).
fn table(bytes: &[u8], file: &str) -> Result<TextTable> {
    crate::input::table::read_table(bytes, file, None)
}

/// A neighbours file as the manifest lists it.
fn provenance(file: String, bytes: &[u8], rows: usize) -> SourceInfo {
    SourceInfo {
        file,
        sha256: crate::hash::sha256_hex(bytes),
        rows,
        layout: Layout::Wide,
        format: "neighbours",
        encoding: None,
        sheet: None,
        notes: Vec::new(),
    }
}

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
    let TextTable { header, rows: records } = table(&bytes, &file)?;
    if header.len() < 2 || header.len() > 3 {
        return Err(Error::Data {
            file,
            kind: ErrorKind::BadTable,
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
    for (row, record) in &records {
        let row = *row;
        rows += 1;
        let a = record[0].trim();
        let b = record[1].trim();
        for (value, column) in [(a, &header[0]), (b, &header[1])] {
            if value.is_empty() {
                return Err(cell(row, column, "expected a unit code, found an empty cell".into()));
            }
        }
        if a == b {
            return Err(cell(row, &header[1], format!("`{a}` cannot be its own neighbour")));
        }
        let weight = match record.get(2).map(|w| w.trim()) {
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
    Ok((graph, provenance(file, &bytes, rows)))
}

/// The neighbours of `units` from a table of their coordinates, `unit,lat,lon` (the
/// coordinate columns named `lat`/`latitude` and `lon`/`longitude`, in degrees), by
/// [`crate::places::distance`]; places of the table that are no unit of the data are
/// not used, and every unit of the data needs a row. Every problem is said at once.
pub fn from_coordinates(
    path: &Path,
    units: &[String],
    reach: crate::places::distance::Reach,
    weights: crate::places::distance::DistanceWeights,
) -> Result<(Contiguity, SourceInfo)> {
    let file = path.display().to_string();
    let (points, rows, bytes, mut problems) = coordinates_table(path, units)?;
    let missing: Vec<&str> = units
        .iter()
        .zip(&points)
        .filter(|(_, p)| p.is_none())
        .map(|(u, _)| u.as_str())
        .collect();
    if !missing.is_empty() {
        problems.push(Error::Data {
            file: file.clone(),
            kind: ErrorKind::BadTable,
            message: format!(
                "no coordinates for {} of the data's units: {}",
                missing.len(),
                crate::error::list_ids(missing.iter().copied())
            ),
        });
    }
    Error::from_problems(problems)?;
    let points: Vec<(f64, f64)> = points.into_iter().flatten().collect();
    let graph = crate::places::distance::neighbours(&points, reach, weights, units).map_err(|message| Error::Data {
        file: file.clone(),
        kind: ErrorKind::BadTable,
        message,
    })?;
    Ok((graph, provenance(file, &bytes, rows)))
}

/// The point of each of `units` in a table of coordinates (`None` where it has no row);
/// a table with a bad row is an error.
pub fn read_coordinates(path: &Path, units: &[String]) -> Result<Vec<Option<(f64, f64)>>> {
    let (points, _, _, problems) = coordinates_table(path, units)?;
    Error::from_problems(problems)?;
    Ok(points)
}

/// The table's points per unit, its rows, its bytes, and the problems of its rows.
type Coordinates = (Vec<Option<(f64, f64)>>, usize, Vec<u8>, Vec<Error>);

fn coordinates_table(path: &Path, units: &[String]) -> Result<Coordinates> {
    let file = path.display().to_string();
    let bytes = crate::input::file::read(path, "table of coordinates", Default::default())?;
    let TextTable { header, rows: records } = table(&bytes, &file)?;
    let header: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
    let find = |names: &[&str]| header.iter().position(|h| names.contains(&h.to_lowercase().as_str()));
    let (Some(lat), Some(lon)) = (find(&["lat", "latitude"]), find(&["lon", "longitude"])) else {
        return Err(Error::Data {
            file,
            kind: ErrorKind::BadTable,
            message: format!(
                "expected columns unit, lat, lon (or latitude, longitude), found {}",
                header.join(", ")
            ),
        });
    };
    // The unit is the first column that holds no coordinate.
    let unit_column = (0..header.len()).find(|&i| i != lat && i != lon).unwrap_or(0);
    let index: HashMap<&str, usize> = units.iter().enumerate().map(|(i, u)| (u.as_str(), i)).collect();
    let mut points: Vec<Option<(f64, f64)>> = vec![None; units.len()];
    let mut problems = Vec::new();
    let mut rows = 0;
    for (row, record) in &records {
        let row = *row;
        let cell = |column: usize, message: String| Error::Cell {
            file: file.clone(),
            row,
            column: header[column].clone(),
            message,
        };
        rows += 1;
        let unit = record[unit_column].trim();
        // Rows of places that are no unit of the data are not read.
        let Some(&u) = index.get(unit) else { continue };
        let number = |column: usize, lo: f64, hi: f64| -> std::result::Result<f64, Error> {
            let text = record[column].trim();
            match text.parse::<f64>() {
                Ok(v) if (lo..=hi).contains(&v) => Ok(v),
                _ => Err(cell(
                    column,
                    format!("expected degrees from {lo} to {hi}, found `{text}`"),
                )),
            }
        };
        match (number(lat, -90.0, 90.0), number(lon, -180.0, 180.0)) {
            (Ok(y), Ok(x)) => {
                if points[u].replace((y, x)).is_some() {
                    problems.push(cell(unit_column, format!("`{unit}` is listed twice")));
                }
            }
            (y, x) => problems.extend([y.err(), x.err()].into_iter().flatten()),
        }
    }
    Ok((points, rows, bytes, problems))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Four places on the equator at 0, 1, 2 and 4 degrees (111.2 km a degree), one
    /// row for a place that is no unit: B's neighbours within 150 km are A and C; with
    /// inverse-distance weights, 1 / 111.2 each. Problems are said together.
    #[test]
    fn neighbours_from_coordinates() {
        use crate::places::distance::{km, DistanceWeights, Reach};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.csv");
        std::fs::write(&path, "unit,latitude,longitude\nA,0,0\nB,0,1\nC,0,2\nD,0,4\nZ,10,10\n").unwrap();
        let units: Vec<String> = ["A", "B", "C", "D"].iter().map(|s| s.to_string()).collect();
        let (g, info) =
            from_coordinates(&path, &units, Reach::WithinKm(150.0), DistanceWeights::InverseDistance).unwrap();
        let deg = km((0.0, 0.0), (0.0, 1.0));
        assert_eq!(g[1], vec![(0, 1.0 / deg), (2, 1.0 / deg)]);
        assert!(g[3].is_empty());
        assert_eq!((info.rows, info.format), (5, "neighbours"));
        std::fs::write(&path, "lat,lon,unit\n0,0,A\n95,1,B\n0,0,A\n0,x,C\n95,0,NOT_A_UNIT\n").unwrap();
        let err = from_coordinates(&path, &units, Reach::Nearest(1), DistanceWeights::Equal).unwrap_err();
        let messages: Vec<String> = err.problems().iter().map(|p| p.to_string()).collect();
        let file = path.display().to_string();
        assert_eq!(
            messages,
            [
                format!("{file}: row 3, column `lat`: expected degrees from -90 to 90, found `95`"),
                format!("{file}: row 4, column `unit`: `A` is listed twice"),
                format!("{file}: row 5, column `lon`: expected degrees from -180 to 180, found `x`"),
                format!("{file}: no coordinates for 3 of the data's units: `B`, `C`, `D`"),
            ]
        );
    }

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

    /// A 3 x 3 block of cells around gid 72,361 (row 101, column 361) and one far cell:
    /// the centre has the 8 others, a corner 3, an edge 5, the far cell none; with two
    /// rings the far cell, 2 columns east of the block, joins the block's east column.
    #[test]
    fn grid_queen_neighbours_by_hand() {
        let centre = 100 * 720 + 361;
        let block: Vec<u32> = [-721i64, -720, -719, -1, 0, 1, 719, 720, 721]
            .iter()
            .map(|d| (centre as i64 + d) as u32)
            .collect();
        let mut units: Vec<String> = block.iter().map(u32::to_string).collect();
        units.push((centre + 3).to_string());
        let graph = grid_queen(&units, 1, "cells.csv").unwrap();
        assert_eq!(graph[4].len(), 8);
        assert_eq!(graph[0].iter().map(|&(j, _)| j).collect::<Vec<_>>(), [1, 3, 4]);
        assert_eq!(graph[1].len(), 5);
        assert!(graph[9].is_empty());
        let two = grid_queen(&units, 2, "cells.csv").unwrap();
        // The far cell (column 364) is within 2 of the block's east column (362).
        assert_eq!(two[9].iter().map(|&(j, _)| j).collect::<Vec<_>>(), [2, 5, 8]);
        assert!(two[4].iter().all(|&(_, w)| w == 1.0));
        let bad: Vec<String> = ["PAK", "0", "259201", "72361"].iter().map(|s| s.to_string()).collect();
        assert_eq!(
            grid_queen(&bad, 1, "cells.csv").unwrap_err().to_string(),
            "cells.csv: [data] neighbours = \"grid:queen\" needs PRIO-GRID cell ids (1 to 259200) as units; 3 of 4 units are not: `PAK`, `0`, `259201`"
        );
    }
}

//! PRIO-GRID: the world in 720 x 360 cells of 0.5 x 0.5 degrees (Tollefsen, Strand &
//! Buhaug 2012), the grid of ViEWS' forecasts and of UCDP GED's `priogrid_gid`.
//!
//! A point (lat, lon) is in row `floor((lat + 90) / 0.5) + 1` and column
//! `floor((lon + 180) / 0.5) + 1`; its cell id is `gid = (row - 1) x 720 + col`, so
//! gid 1 is the south-west cell at (-90, -180) and gid 259,200 the north-east one. A
//! point on lat 90 or lon 180 is outside the last row or column and belongs to it. The
//! centre of a cell is `lat = -90 + 0.5 row - 0.25`, `lon = -180 + 0.5 col - 0.25`.
//!
//! The queen neighbours of a cell are the cells of the square around it, without
//! itself: the 8 around it for one ring, 24 for two (ViEWS' spatial lags,
//! `views_transformation_library` splag); the grid is not wrapped at the antimeridian or
//! the poles, so an edge cell has fewer.
//!
//! ## References
//! Tollefsen, Strand & Buhaug (2012) PRIO-GRID: a unified spatial data structure, J.
//! Peace Research 49(2). Hegre et al. (2019) ViEWS, J. Peace Research 56(2).

/// Columns and rows of the grid.
pub const COLUMNS: u32 = 720;
pub const ROWS: u32 = 360;
/// The largest cell id.
pub const LAST_GID: u32 = COLUMNS * ROWS;

/// A cell, by its row and column (1-based, as PRIO-GRID numbers them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cell {
    pub row: u32,
    pub col: u32,
}

impl Cell {
    /// The cell of a point; `None` when a coordinate is missing or off the globe
    /// (latitude outside [-90, 90], longitude outside [-180, 180]).
    pub fn of(lat: f64, lon: f64) -> Option<Cell> {
        if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
            return None;
        }
        // Doubling is exact in binary: floor((x + 90) / 0.5) = floor(2 (x + 90)).
        let row = (((lat + 90.0) * 2.0).floor() as u32).min(ROWS - 1) + 1;
        let col = (((lon + 180.0) * 2.0).floor() as u32).min(COLUMNS - 1) + 1;
        Some(Cell { row, col })
    }

    /// The cell of an id; `None` outside 1 to 259,200.
    pub fn from_gid(gid: u32) -> Option<Cell> {
        (1..=LAST_GID).contains(&gid).then(|| Cell {
            row: (gid - 1) / COLUMNS + 1,
            col: (gid - 1) % COLUMNS + 1,
        })
    }

    pub fn gid(self) -> u32 {
        (self.row - 1) * COLUMNS + self.col
    }

    /// The centre (lat, lon).
    pub fn centre(self) -> (f64, f64) {
        (
            -90.0 + 0.5 * self.row as f64 - 0.25,
            -180.0 + 0.5 * self.col as f64 - 0.25,
        )
    }

    /// The cells within `rings` rows and columns, without this one, inside the grid.
    pub fn around(self, rings: u32) -> impl Iterator<Item = Cell> {
        let r = rings as i64;
        let (row, col) = (self.row as i64, self.col as i64);
        (row - r..=row + r).flat_map(move |i| {
            (col - r..=col + r).filter_map(move |j| {
                let inside = (1..=ROWS as i64).contains(&i) && (1..=COLUMNS as i64).contains(&j);
                (inside && (i, j) != (row, col)).then_some(Cell {
                    row: i as u32,
                    col: j as u32,
                })
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The test vectors of the PRIO-GRID formula (`shared/data/SOURCES.md`), and UCDP
    /// GED's own `priogrid_gid` of Karachi's events (lat 24.86, lon 67.01: 165375).
    #[test]
    fn cells_of_points_by_the_formula() {
        for ((lat, lon), gid) in [
            ((0.0, 0.0), 129_961),
            ((1.55, 1.25), 132_123),
            ((-10.55, 20.23), 114_161),
            ((82.0, -102.99), 247_835),
            ((24.86, 67.01), 165_375),
            ((-90.0, -180.0), 1),
        ] {
            assert_eq!(Cell::of(lat, lon).unwrap().gid(), gid, "({lat}, {lon})");
        }
        // lat 90 and lon 180 fall in the last row and column.
        assert_eq!(Cell::of(90.0, 180.0).unwrap(), Cell { row: 360, col: 720 });
        assert_eq!(Cell::of(90.0, 180.0).unwrap().gid(), LAST_GID);
        assert_eq!(Cell::of(89.9, 179.9).unwrap().gid(), LAST_GID);
        for (lat, lon) in [(90.01, 0.0), (0.0, -180.5), (f64::NAN, 0.0), (0.0, f64::INFINITY)] {
            assert_eq!(Cell::of(lat, lon), None, "({lat}, {lon})");
        }
    }

    #[test]
    fn ids_rows_columns_and_centres_agree() {
        let c = Cell::from_gid(129_961).unwrap();
        assert_eq!((c.row, c.col), (181, 361));
        assert_eq!(c.centre(), (0.25, 0.25));
        assert_eq!(Cell::of(c.centre().0, c.centre().1), Some(c));
        assert_eq!(Cell::from_gid(0), None);
        assert_eq!(Cell::from_gid(LAST_GID + 1), None);
        for gid in [1, 720, 721, 129_961, LAST_GID] {
            assert_eq!(Cell::from_gid(gid).unwrap().gid(), gid);
        }
    }

    /// 8 around an inner cell, 24 within two rings; a corner of the grid has 3 (no wrap:
    /// the cell at the antimeridian's east edge has no neighbour at its west edge).
    #[test]
    fn queen_neighbours_by_hand() {
        let c = Cell { row: 100, col: 100 };
        let mut one: Vec<u32> = c.around(1).map(Cell::gid).collect();
        one.sort_unstable();
        let g = c.gid();
        assert_eq!(
            one,
            [g - 721, g - 720, g - 719, g - 1, g + 1, g + 719, g + 720, g + 721]
        );
        assert_eq!(c.around(2).count(), 24);
        assert_eq!(Cell { row: 1, col: 1 }.around(1).count(), 3);
        let east_edge = Cell { row: 180, col: 720 };
        assert_eq!(east_edge.around(1).count(), 5);
        assert!(east_edge.around(1).all(|n| n.col >= 719));
        assert_eq!(Cell { row: 360, col: 360 }.around(2).count(), 14);
    }
}

//! Where the data come from and how they are read (`[data]`): the layout, the files
//! every run reads, missing cells and separators, and the neighbours of `neighbours`
//! derived columns.

/// Data layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Layout {
    /// One row per unit and period, one column per indicator.
    Wide,
    /// Columns unit, period, indicator, value.
    Long,
    /// A World Bank download: `Country Name, Country Code, Indicator Name, Indicator
    /// Code` (or DataBank's `Series Name, Series Code`) and one column per year.
    Wdi,
}

/// Where a data layout comes from.
#[derive(Debug, Clone)]
pub struct DataSpec {
    pub layout: Option<Layout>,
    /// Data files every run reads besides the ones it is given (e.g. World Bank
    /// downloads), resolved against the framework file's folder.
    pub sources: Vec<SourceSpec>,
    /// Cells read as missing in numeric columns (`None`: the default set,
    /// [`crate::input::numbers::MISSING`]).
    pub missing: Option<Vec<String>>,
    /// The thousands separator of numeric cells, if they are grouped.
    pub thousands: Option<char>,
    pub indicator_column: String,
    pub value_column: String,
    /// Where the neighbours of `neighbours` derived columns come from.
    pub neighbours: Option<Neighbours>,
}

/// The neighbours of each unit, for `neighbours` derived columns (`[data] neighbours`).
#[derive(Debug, Clone, PartialEq)]
pub enum Neighbours {
    /// A contiguity table, `unit,neighbour[,weight]` per row (resolved against the
    /// framework file's folder).
    File(std::path::PathBuf),
    /// The units are PRIO-GRID cell ids; a cell's neighbours are the cells within
    /// `rings` rows and columns (`grid:queen` = 1 ring, `grid:queen:2` = 2), weight 1.
    GridQueen { rings: u32 },
    /// A table of `unit,lat,lon` (resolved against the framework file's folder): the
    /// places within a distance or the nearest, weighted by distance.
    Coordinates {
        file: std::path::PathBuf,
        reach: crate::places::distance::Reach,
        weights: crate::places::distance::DistanceWeights,
    },
}

/// The most rings of `grid:queen:K`: 10 rings are 440 cells, a square of 5.5 degrees.
pub const MAX_RINGS: u32 = 10;

/// A data file the framework names, and how to read it where that is not detected.
#[derive(Debug, Clone)]
pub struct SourceSpec {
    pub path: std::path::PathBuf,
    pub layout: Option<Layout>,
    pub sheet: Option<String>,
}

//! Places smaller than countries: PRIO-GRID cells and the neighbours of a cell.

pub mod priogrid;

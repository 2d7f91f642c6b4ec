//! Places smaller than countries: PRIO-GRID cells and their neighbours, and neighbours
//! from coordinates by great-circle distance.

pub mod distance;
pub mod priogrid;

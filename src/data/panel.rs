//! The panel: a unit x period grid of numeric (and label) columns read from the data
//! files, with what was read from each.

use super::source::SourceInfo;
use crate::period::Period;
use std::collections::BTreeMap;

/// Unit x period grid of numeric columns; cell `p * units.len() + u`.
#[derive(Debug, Clone)]
pub struct Panel {
    pub(crate) units: Vec<String>,
    /// Sorted, all of one kind.
    pub(crate) periods: Vec<Period>,
    /// Whether the data has a row for the cell.
    pub(crate) present: Vec<bool>,
    pub(crate) columns: BTreeMap<String, Vec<f64>>,
    /// Text columns per cell (the unit groups of group imputation); `None` = blank.
    pub(crate) labels: BTreeMap<String, Vec<Option<String>>>,
    pub(crate) sources: Vec<SourceInfo>,
    /// Per unit: (neighbour unit, weight), from `[data] neighbours` (else empty).
    pub(crate) neighbours: Vec<Vec<(usize, f64)>>,
}

impl Panel {
    /// The number of units.
    pub fn n_units(&self) -> usize {
        self.units.len()
    }

    /// The units, in the order first seen in the data.
    pub fn units(&self) -> &[String] {
        &self.units
    }

    /// The periods, sorted, all of one kind.
    pub fn periods(&self) -> &[Period] {
        &self.periods
    }

    /// A numeric column's values per cell (NaN = missing).
    pub fn column(&self, name: &str) -> Option<&[f64]> {
        self.columns.get(name).map(Vec::as_slice)
    }

    /// The numeric columns' names, sorted.
    pub fn column_names(&self) -> impl Iterator<Item = &str> {
        self.columns.keys().map(String::as_str)
    }

    /// Whether the data has a row for the cell.
    pub fn is_present(&self, cell: usize) -> bool {
        self.present[cell]
    }

    /// What was read from each file (its hash, rows, format).
    pub fn sources(&self) -> &[SourceInfo] {
        &self.sources
    }

    /// The cell of a period and a unit, by index: `period * n_units + unit` (the
    /// accessors that take a cell panic when it is past the last one).
    pub fn cell(&self, period: usize, unit: usize) -> usize {
        period * self.units.len() + unit
    }

    /// The period's ordinals, for time arithmetic.
    pub(crate) fn ordinals(&self) -> Vec<i64> {
        self.periods.iter().map(|p| p.ordinal).collect()
    }

    pub fn unit_index(&self, unit: &str) -> Option<usize> {
        self.units.iter().position(|u| u == unit)
    }

    /// The files the panel was read from, for messages: `a.csv, b.csv`.
    pub(crate) fn source_names(&self) -> String {
        self.sources
            .iter()
            .map(|s| s.file.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn period_index(&self, period: &Period) -> Option<usize> {
        self.periods.iter().position(|p| p == period)
    }
}

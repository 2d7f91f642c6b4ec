//! A chart as the page takes it: an SVG with its title and one-line reading.

use serde::Serialize;

/// A chart for the page.
#[derive(Debug, Serialize)]
pub struct Chart {
    pub id: String,
    pub title: String,
    pub svg: String,
    pub reading: String,
}

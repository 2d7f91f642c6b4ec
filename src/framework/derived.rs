//! The derived columns (`[[derived]]`), computed from data columns before scoring.

use crate::pipeline::derive::{Derived, Missing};

/// A derived column.
#[derive(Debug, Clone)]
pub struct DerivedColumn {
    pub id: String,
    pub def: Derived,
    pub missing: Missing,
}

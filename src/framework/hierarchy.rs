//! The hierarchy: groups (`groups[0]` is the index) and indicators, each group's
//! children, and how the children are weighted.

use crate::pipeline::aggregate::Aggregation;
use crate::pipeline::impute::Impute;
use crate::pipeline::normalise::{Direction, Normalise};
use crate::pipeline::treat::{Transform, Winsorise};

/// A child of a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Child {
    Group(usize),
    Indicator(usize),
}

/// A node of the hierarchy; `groups[0]` is the index.
#[derive(Debug, Clone)]
pub struct Group {
    pub id: String,
    pub name: String,
    pub parent: Option<usize>,
    pub weight: f64,
    pub aggregation: Aggregation,
    /// Before a geometric or harmonic mean, each child is min-max rescaled across the
    /// period's units to this range (so a zero or negative value cannot occur).
    pub geometric_range: Option<(f64, f64)>,
    pub children: Vec<Child>,
    /// How the children's weights are set ([`WeightMethod`]; fitted by `crate::score::weights`).
    pub weights: WeightMethod,
}

/// An indicator and how it is treated on its way into the index.
#[derive(Debug, Clone)]
pub struct Indicator {
    pub id: String,
    pub name: String,
    pub group: usize,
    pub column: String,
    /// The unit of measure, for the reader of the framework file.
    #[allow(dead_code)]
    pub units: Option<String>,
    pub source: Option<String>,
    pub direction: Direction,
    pub weight: f64,
    pub denominator: Option<String>,
    pub multiplier: f64,
    pub impute: Impute,
    /// `group_mean` / `group_median`: the data column naming each unit's group.
    pub impute_group: Option<String>,
    pub winsorise: Winsorise,
    pub transform: Transform,
    pub normalise: Normalise,
    /// `dist2ref`: the unit whose value is the target.
    pub reference_unit: Option<String>,
}

/// How a group's children are weighted: as written, equally, or from the data
/// (fitted by [`crate::score::weights`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WeightMethod {
    Expert,
    Equal,
    Pca,
    Optimised,
}

/// Weighting names accepted in framework files.
pub const WEIGHT_NAMES: &[&str] = &["expert", "equal", "pca", "optimised"];

impl WeightMethod {
    pub fn parse(name: &str) -> Option<WeightMethod> {
        Some(match name {
            "expert" => WeightMethod::Expert,
            "equal" => WeightMethod::Equal,
            "pca" => WeightMethod::Pca,
            "optimised" | "optimized" => WeightMethod::Optimised,
            _ => return None,
        })
    }

    /// Whether the weights come from the data.
    pub fn is_data_driven(&self) -> bool {
        matches!(self, WeightMethod::Pca | WeightMethod::Optimised)
    }
}

//! The framework file as written: serde structs that mirror the TOML, before any
//! check. [`super::Framework::from_toml`] turns them into a validated framework.

use serde::Deserialize;
use std::collections::BTreeMap;

/// A data file of `[data] sources`: a path, or a table naming how to read it.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RawSource {
    Path(String),
    Spec(RawSourceSpec),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSourceSpec {
    pub file: String,
    pub layout: Option<String>,
    pub sheet: Option<String>,
}

/// A period written as a number (`2018`) or as text (`"2018-Q1"`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum PeriodValue {
    Number(i64),
    Text(String),
}

impl std::fmt::Display for PeriodValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PeriodValue::Number(n) => write!(f, "{n}"),
            PeriodValue::Text(t) => write!(f, "{t}"),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFramework {
    pub index: RawIndex,
    #[serde(default)]
    pub defaults: RawDefaults,
    #[serde(default)]
    pub data: RawData,
    #[serde(default)]
    pub screen: RawScreen,
    #[serde(default)]
    pub derived: Vec<RawDerived>,
    #[serde(default)]
    pub group: Vec<RawGroup>,
    #[serde(default)]
    pub indicator: Vec<RawIndicator>,
    pub sensitivity: Option<RawSensitivity>,
    /// Named alternatives for `compare`, `backtest` and `bench` (see `crate::variants`).
    /// Read here so that the schema accepts it; `crate::variants` reads the file's
    /// variants itself.
    #[serde(default)]
    #[allow(dead_code)]
    pub variant: Vec<RawVariant>,
}

/// One `[[variant]]`: overrides of the base framework, or another framework file.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawVariant {
    pub name: String,
    pub description: Option<String>,
    /// `"section.key"` or `"section.<id>.key"` -> new value.
    pub set: Option<toml::Table>,
    /// Indicator or group ids to leave out (a group with everything under it).
    pub exclude: Option<Vec<String>>,
    /// A separate framework file (relative to this one) instead of overrides.
    pub file: Option<String>,
}

/// The `[sensitivity]` block: uncertain modelling choices to sample.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSensitivity {
    pub samples: Option<usize>,
    pub seed: Option<u64>,
    pub bootstrap: Option<usize>,
    pub confidence: Option<f64>,
    pub method: Option<String>,
    pub period: Option<PeriodValue>,
    #[serde(default)]
    pub factors: Vec<RawFactor>,
}

/// One uncertain factor (or a family of them, e.g. every group's weight).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFactor {
    pub kind: String,
    pub target: Option<String>,
    pub targets: Option<Vec<String>>,
    pub range: Option<Vec<f64>>,
    pub options: Option<Vec<String>>,
    pub mode: Option<String>,
    pub group: Option<String>,
    /// `weight_sets`: the CSV of pre-drawn weight sets, relative to the framework file.
    pub file: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIndex {
    pub id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub unit: String,
    pub period: String,
    pub aggregation: Option<String>,
    pub scale: Option<Vec<f64>>,
    pub scale_from: Option<String>,
    #[serde(default)]
    pub classes: Vec<RawClass>,
    pub ties: Option<String>,
    pub first_period: Option<PeriodValue>,
    pub last_period: Option<PeriodValue>,
    pub normalise_over: Option<String>,
    pub geometric_range: Option<Vec<f64>>,
    /// How the top-level children are weighted (as `group.weights`).
    pub weights: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClass {
    pub label: String,
    pub below: Option<f64>,
}

/// Defaults for every indicator that does not set the key itself.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDefaults {
    pub direction: Option<String>,
    pub normalise: Option<String>,
    pub range: Option<Vec<f64>>,
    pub impute: Option<String>,
    pub impute_group: Option<String>,
    pub transform: Option<String>,
    pub winsorise: Option<String>,
    pub winsorise_p: Option<f64>,
    pub winsorise_max_points: Option<usize>,
    pub skew_threshold: Option<f64>,
    pub kurtosis_threshold: Option<f64>,
    pub mean_sd: Option<Vec<f64>>,
    pub rank_ties: Option<String>,
    pub aggregation: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawData {
    pub layout: Option<String>,
    pub sources: Option<Vec<RawSource>>,
    pub missing: Option<Vec<String>>,
    pub thousands: Option<String>,
    pub indicator_column: Option<String>,
    pub value_column: Option<String>,
    /// A path, `grid:queen[:K]`, or a table of coordinates (read by the validator).
    pub neighbours: Option<toml::Value>,
}

/// `[data] neighbours = { units = ..., within_km = ... }`, as read from its table (see
/// the validator, which names every key that is wrong).
#[derive(Debug, Clone, Default)]
pub struct RawCoordinates {
    /// A CSV of `unit,lat,lon`.
    pub units: String,
    pub within_km: Option<f64>,
    pub nearest: Option<i64>,
    /// `equal` (default), `inverse_distance` or `exponential` (with `scale_km`).
    pub weights: Option<String>,
    pub scale_km: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScreen {
    pub unit_min_coverage: Option<f64>,
    pub indicator_min_coverage: Option<f64>,
    pub unit_min_nonzero: Option<f64>,
    pub include: Option<Vec<String>>,
    pub exclude: Option<Vec<String>>,
    pub on: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDerived {
    pub id: String,
    pub kind: String,
    /// For the reader of the framework file; not used in scoring.
    #[allow(dead_code)]
    pub description: Option<String>,
    pub of: Option<String>,
    pub terms: Option<BTreeMap<String, f64>>,
    pub denominator: Option<String>,
    pub multiplier: Option<f64>,
    pub periods: Option<i64>,
    pub relative: Option<bool>,
    pub window: Option<usize>,
    pub stat: Option<String>,
    pub weights: Option<Vec<f64>>,
    pub divisor: Option<f64>,
    pub missing: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGroup {
    pub id: String,
    pub name: Option<String>,
    pub parent: Option<String>,
    pub weight: Option<f64>,
    pub aggregation: Option<String>,
    pub geometric_range: Option<Vec<f64>>,
    /// `expert` (as written), `equal`, `pca` or `optimised`.
    pub weights: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIndicator {
    pub id: String,
    pub name: Option<String>,
    pub group: String,
    pub column: Option<String>,
    pub units: Option<String>,
    pub source: Option<String>,
    pub direction: Option<String>,
    pub weight: Option<f64>,
    pub denominator: Option<String>,
    pub multiplier: Option<f64>,
    pub impute: Option<String>,
    /// `group_mean` / `group_median`: the data column naming each unit's group.
    pub impute_group: Option<String>,
    pub winsorise: Option<String>,
    pub winsorise_p: Option<f64>,
    pub winsorise_max_points: Option<usize>,
    pub skew_threshold: Option<f64>,
    pub kurtosis_threshold: Option<f64>,
    pub transform: Option<String>,
    pub normalise: Option<String>,
    pub range: Option<Vec<f64>>,
    /// `zscore`: the mean and standard deviation to map onto.
    pub mean_sd: Option<Vec<f64>>,
    /// `rank`, `percentile`, `borda`: `average` or `min`.
    pub rank_ties: Option<String>,
    pub goalposts: Option<Vec<f64>>,
    /// `dist2targ`: the target, in raw units.
    pub target: Option<f64>,
    /// `dist2targ`, `dist2ref`: score values beyond the target as 1.
    pub cap: Option<bool>,
    /// `dist2ref`: the unit whose value is the target.
    pub reference_unit: Option<String>,
}

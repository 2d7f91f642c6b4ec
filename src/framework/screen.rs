//! Screening (`[screen]`): which units and indicators are scored, by their coverage.

/// Screening thresholds (shares in [0, 1]).
#[derive(Debug, Clone, Default)]
pub struct Screen {
    pub unit_min_coverage: Option<f64>,
    pub indicator_min_coverage: Option<f64>,
    /// A unit-period needs this share of non-zero values among its present ones.
    pub unit_min_nonzero: Option<f64>,
    /// Units always scored, whatever their coverage (COINr `Force`).
    pub include: Vec<String>,
    /// Units never scored.
    pub exclude: Vec<String>,
    /// Which values the unit thresholds look at.
    pub on: ScreenOn,
}

/// `screen.on`: the unit thresholds look at the values before imputation (`raw`,
/// the default) or after it (`imputed`, COINr's order Impute -> Screen).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ScreenOn {
    #[default]
    Raw,
    Imputed,
}

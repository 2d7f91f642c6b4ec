//! What scoring produced: the [`Results`], cell by cell (`p * units + u`, as in the
//! panel); the stages of an indicator's values on their way into the index
//! ([`Stage`]) and what a run keeps of them ([`Keep`]); and the weights a data-driven
//! method chose for a group ([`Resolved`], fitted by [`super::weights`]). Every other
//! module of `score` may build on this one; it builds on none of them.

use crate::framework::WeightMethod;
use crate::period::Period;
use crate::pipeline::screen::ScreenNote;

/// Everything scoring produced, cell by cell (`p * units + u`, as in the panel).
#[derive(Debug, Clone)]
pub struct Results {
    pub(crate) units: Vec<String>,
    pub(crate) periods: Vec<Period>,
    /// Whether the cell was scored (in the data, in the period range, not screened out).
    pub(crate) scored: Vec<bool>,
    /// Per indicator: value before imputation (after per-capita scaling).
    pub(crate) raw: Vec<Vec<f64>>,
    /// Per indicator: after imputation, winsorisation and transform.
    pub(crate) treated: Vec<Vec<f64>>,
    /// Per indicator: normalised, direction applied, group-mean imputed.
    pub(crate) normalised: Vec<Vec<f64>>,
    pub(crate) imputed: Vec<Vec<bool>>,
    /// Per indicator: kept after screening.
    pub(crate) kept: Vec<bool>,
    /// Per group (0 = index): score, on the output scale.
    pub(crate) group_scores: Vec<Vec<f64>>,
    /// Per group: score as its parent aggregated it (before `index.scale`).
    pub(crate) aggregated: Vec<Vec<f64>>,
    pub(crate) rank: Vec<f64>,
    pub(crate) class: Vec<Option<usize>>,
    pub(crate) coverage: Vec<f64>,
    pub(crate) imputed_count: Vec<usize>,
    pub(crate) screening: Vec<ScreenNote>,
    pub(crate) warnings: Vec<String>,
    /// Per indicator and cell: how many values winsorisation changed, in total.
    pub(crate) winsorised: Vec<usize>,
    /// Weights chosen from the data (`weights = "pca"` / `"optimised"`), per group.
    pub(crate) resolved_weights: Vec<Resolved>,
    /// SHA-256 of the framework's text: which framework the results belong to.
    pub(crate) framework_sha256: String,
}

impl Results {
    /// The number of units (cells are `period * n_units + unit`).
    pub fn n_units(&self) -> usize {
        self.units.len()
    }

    /// The units, in the order first seen in the data.
    pub fn units(&self) -> &[String] {
        &self.units
    }

    /// The periods, sorted.
    pub fn periods(&self) -> &[Period] {
        &self.periods
    }

    /// The cell of a unit and a period, by name (`None` when either is not in the panel).
    /// The accessors below take a cell, `period * n_units + unit`, and panic when it is
    /// past the last one.
    pub fn cell_of(&self, unit: &str, period: &Period) -> Option<usize> {
        let u = self.units.iter().position(|x| x == unit)?;
        let p = self.periods.iter().position(|x| x == period)?;
        Some(p * self.units.len() + u)
    }

    /// Whether the cell was scored (in the data, in the period range, not screened out).
    pub fn is_scored(&self, cell: usize) -> bool {
        self.scored[cell]
    }

    /// The cell's rank within its period (1 = highest score; ties as the framework's
    /// `ties`); NaN where the cell was not scored.
    pub fn rank(&self, cell: usize) -> f64 {
        self.rank[cell]
    }

    /// The cell's risk class, as an index into [`Framework::class_labels`]; `None`
    /// without classes or score.
    ///
    /// [`Framework::class_labels`]: crate::Framework::class_labels
    pub fn class(&self, cell: usize) -> Option<usize> {
        self.class[cell]
    }

    /// The share (0-1) of the kept indicators present for the cell before imputation.
    pub fn coverage(&self, cell: usize) -> f64 {
        self.coverage[cell]
    }

    /// The score of group `group` for the cell, on the output scale: group 0 is the
    /// index, the others follow [`Framework::group_ids`].
    ///
    /// [`Framework::group_ids`]: crate::Framework::group_ids
    pub fn group_score(&self, group: usize, cell: usize) -> f64 {
        self.group_scores[group][cell]
    }

    /// Indicator `indicator`'s values per cell at `stage` (the order of
    /// [`Framework::indicator_ids`]); `None` when the run did not keep them
    /// ([`Keep::Scores`]) or there is no such indicator.
    ///
    /// [`Framework::indicator_ids`]: crate::Framework::indicator_ids
    pub fn indicator_values(&self, stage: Stage, indicator: usize) -> Option<&[f64]> {
        let all = match stage {
            Stage::Raw => &self.raw,
            Stage::Treated => &self.treated,
            Stage::Normalised => &self.normalised,
        };
        all.get(indicator).map(Vec::as_slice)
    }

    /// Per indicator: kept after screening.
    pub fn kept(&self) -> &[bool] {
        &self.kept
    }

    /// Per indicator: how many values winsorisation changed, over all cells.
    pub fn winsorised(&self) -> &[usize] {
        &self.winsorised
    }

    /// What the user should know of the run (a column with no values, a step that
    /// changed nothing).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The index score of a cell.
    pub fn score(&self, cell: usize) -> f64 {
        self.group_scores[0][cell]
    }

    /// Scored cells in output order: by period, then unit as first seen in the data.
    pub fn scored_cells(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.scored.len()).filter(|&c| self.scored[c])
    }
}

/// A stage of an indicator's values on their way into the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stage {
    /// Before imputation, after per-capita scaling.
    Raw,
    /// After imputation, winsorisation and transform.
    Treated,
    /// Normalised, direction applied, group-mean imputed.
    Normalised,
}

/// What a run keeps of the per-indicator values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Keep {
    /// `raw`, `treated`, `normalised` and `imputed`, for every indicator and cell.
    All,
    /// None of them (left empty): for a caller that reads only the scores, ranks,
    /// classes and screening. The run then holds the panel, the normalised values and
    /// a few indicators' other values at a time (the raw values are the panel's own
    /// columns where no denominator divides them).
    Scores,
}

/// The weights a data-driven method chose for one group.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Resolved {
    pub group: String,
    pub method: WeightMethod,
    /// (child id, weight; the weights sum to 1)
    pub weights: Vec<(String, f64)>,
    /// Unit-periods the weights were fitted on.
    pub n: usize,
}

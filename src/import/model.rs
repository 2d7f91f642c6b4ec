//! What an import reads and reports with: COINr's build steps, the iMeta rows and
//! the CSV tables (header, text rows, line numbers), and the per-cell problem.

use crate::error::{Error, Result};

/// The build steps to reproduce, named as in COINr.
#[derive(Debug, Clone)]
pub struct Steps {
    /// `Impute(f_i = ...)`: `i_mean`, `i_median`, `i_mean_grp`, `i_median_grp`, or none.
    pub impute: Option<String>,
    /// `use_group` of the group imputations.
    pub use_group: Option<String>,
    /// `Treat()` with its defaults (`false`: not run, or `disable = TRUE`).
    pub treat: bool,
    /// `Treat(global_specs = list(f1_para = list(winmax = k)))`.
    pub winmax: usize,
    /// `Normalise(global_specs = list(f_n = ...))`.
    pub normalise: String,
    /// Its `f_n_para` numbers (`l_u` of n_minmax, `m_sd` of n_zscore).
    pub normalise_para: Vec<f64>,
    /// `Aggregate(f_ag = ...)`: one function, or one per level from the lowest aggregate up.
    pub aggregate: Vec<String>,
    /// `Screen(unit_screen = "byNA", dat_thresh = T)`.
    pub screen: Option<f64>,
    /// `Screen(unit_screen = "byzeros", nonzero_thresh = T)` (with `screen`: "byNAandzeros").
    pub nonzero: Option<f64>,
}

impl Default for Steps {
    /// COINr's defaults for each step.
    fn default() -> Steps {
        Steps {
            impute: None,
            use_group: None,
            treat: true,
            winmax: 5,
            normalise: "n_minmax".into(),
            normalise_para: Vec::new(),
            aggregate: vec!["a_amean".into()],
            screen: None,
            nonzero: None,
        }
    }
}

/// One iMeta row.
pub(super) struct Meta {
    pub(super) row: usize,
    pub(super) level: Option<i64>,
    pub(super) code: String,
    pub(super) name: String,
    pub(super) direction: f64,
    pub(super) weight: f64,
    pub(super) unit: String,
    pub(super) target: Option<f64>,
    pub(super) denominator: String,
    pub(super) parent: String,
    pub(super) kind: String,
}

/// A CSV file as a header and text rows.
pub(super) struct Csv {
    pub(super) name: String,
    pub(super) header: Vec<String>,
    pub(super) rows: Vec<Vec<String>>,
    /// The line each row starts on (the header is line 1).
    pub(super) lines: Vec<usize>,
}

impl Csv {
    pub(super) fn parse(name: &str, text: &str) -> Result<Csv> {
        let table = crate::input::table::read_table(text.as_bytes(), name, Some(b','))?;
        Ok(Csv {
            name: name.to_string(),
            header: table.header,
            lines: table.rows.iter().map(|(line, _)| *line).collect(),
            rows: table.rows.into_iter().map(|(_, cells)| cells).collect(),
        })
    }

    pub(super) fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }
}

/// A problem in one cell of an imported file.
pub(super) fn problem(file: &str, row: usize, column: &str, message: String) -> Error {
    Error::Cell {
        file: file.to_string(),
        row,
        column: column.to_string(),
        message,
    }
}

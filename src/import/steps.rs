//! The COINr build steps an import reproduces, named as in COINr (`Impute`, `Treat`,
//! `Normalise`, `Aggregate`, `Screen`), with COINr's defaults.

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

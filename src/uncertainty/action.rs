//! Where each uncertain factor acts in the compiled plan ([`Action`]), and the
//! data-stage choice a run makes ([`StageChoice`]): compiling makes the actions
//! ([`super::compile`]), every run applies them ([`super::evaluate`]).

use crate::pipeline::aggregate::Aggregation;

/// The data-stage choice a run makes: indices into the factor option lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct StageChoice {
    pub(super) impute: usize,
    pub(super) treatment: usize,
    pub(super) normalise: usize,
}

/// Where each factor acts in the compiled plan.
pub(super) enum Action {
    Weight {
        slot: usize,
        lo: f64,
        hi: f64,
    },
    Aggregate {
        group: usize,
        options: Vec<Aggregation>,
    },
    Exclude {
        slot: usize,
    },
    ExcludeOne {
        slots: Vec<Option<usize>>,
    },
    Impute {
        n: usize,
    },
    Treatment {
        n: usize,
    },
    Normalise {
        n: usize,
    },
    /// Every group's aggregation.
    AggregateAll {
        options: Vec<Aggregation>,
    },
    /// One of the weight sets: per set, (slot, weight) replacing the base weights.
    WeightSets {
        sets: Vec<Vec<(usize, f64)>>,
    },
}

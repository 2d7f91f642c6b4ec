//! Evaluating the runs: each run's factor values (a Saltelli or Monte Carlo point, or
//! a row of a given sample matrix) set the plan's weights and aggregations and pick a
//! data stage; the plan then scores and ranks every analysed unit-period. Runs are
//! evaluated in chunks in parallel; each run's results depend only on its index.

use super::action::{Action, StageChoice};
use super::compile::Compiled;
use super::progress::Progress;
use super::sample;
use super::settings::Settings;
use crate::error::ErrorKind;
use crate::error::{Error, Result};
use crate::framework::sensitivity::{Factor, Method};
use crate::pipeline::aggregate::Aggregation;
use crate::pipeline::rank::{rank_descending, RankScratch};
use crate::plan::{Fixed, Scratch, Tree};
use rayon::prelude::*;

/// Per-thread buffers, reused for every run.
struct ThreadState {
    u: Vec<f64>,
    /// Rows j of A and B (2D values) for the Saltelli sample `point_of`.
    point: Vec<f64>,
    point_of: Option<usize>,
    weights: Vec<f64>,
    aggregation: Vec<Aggregation>,
    scratch: Scratch,
    groups: Vec<f64>,
    order: RankScratch,
    /// The model of the current sample's run A, in this chunk.
    run_a: Option<Model>,
    ranks: Vec<f64>,
    index: Vec<f64>,
    /// The model of the last evaluated run, in this chunk.
    previous: Option<Model>,
}

impl ThreadState {
    fn new(c: &Compiled<'_>) -> ThreadState {
        let d = c.actions.len();
        ThreadState {
            u: vec![0.0; d],
            point: vec![0.0; 2 * d],
            point_of: None,
            weights: c.tree.weights.clone(),
            aggregation: c.tree.aggregation.clone(),
            scratch: Scratch::default(),
            groups: vec![0.0; c.tree.n_groups() * c.max_units],
            order: RankScratch::default(),
            run_a: None,
            ranks: vec![0.0; c.max_units],
            index: vec![0.0; c.max_units],
            previous: None,
        }
    }
}

/// The model a run evaluated, and its row in the chunk.
struct Model {
    weights: Vec<f64>,
    aggregation: Vec<Aggregation>,
    stage: StageChoice,
    row: usize,
}

impl Model {
    fn same(&self, weights: &[f64], aggregation: &[Aggregation], stage: StageChoice) -> bool {
        self.stage == stage && self.weights == weights && self.aggregation == aggregation
    }

    /// Stores this model in `slot`, reusing its buffers.
    fn remember(
        slot: &mut Option<Model>,
        weights: &[f64],
        aggregation: &[Aggregation],
        stage: StageChoice,
        row: usize,
    ) {
        match slot {
            Some(m) => {
                m.weights.copy_from_slice(weights);
                m.aggregation.copy_from_slice(aggregation);
                m.stage = stage;
                m.row = row;
            }
            None => {
                *slot = Some(Model {
                    weights: weights.to_vec(),
                    aggregation: aggregation.to_vec(),
                    stage,
                    row,
                })
            }
        }
    }
}

/// One chunk's rows of a batch: run-major, output o of the chunk's run `local` at
/// `local * n_out + o`.
struct Rows<'a> {
    ranks: &'a mut [f32],
    scores: &'a mut [f32],
}

/// Runs per Saltelli sample (G + 2), or 1 for Monte Carlo.
pub(super) fn step(c: &Compiled<'_>, method: Method) -> usize {
    match method {
        Method::Sobol => c.n_groups() + 2,
        Method::MonteCarlo => 1,
    }
}

/// Samples per batch: tables of at most about 2^22 values (16 MB) each, but at least
/// 64 samples (the bootstrap's sums are carried over once per batch and per 128
/// samples), and at most the design.
pub(crate) fn batch_samples(n_out: usize, step: usize, n: usize) -> usize {
    const VALUES: usize = 1 << 22;
    (VALUES / (n_out.max(1) * step)).max(64).min(n.max(1))
}

/// Evaluates runs `first..first + ranks.len() / n_out` (`first` a multiple of
/// [`step`]) into `ranks` and `scores`, run-major: output o of the batch's run k at
/// `k * n_out + o`.
pub(super) fn evaluate_batch(
    c: &Compiled<'_>,
    settings: &Settings,
    first: usize,
    ranks: &mut [f32],
    scores: &mut [f32],
    progress: &dyn Progress,
) -> Result<()> {
    let n_out = c.n_out.max(1);
    let step = step(c, settings.method);
    // Chunks of about 64 runs, whole Saltelli samples (A, A_B^(1..), B) each, so that
    // a sample's runs meet in one thread.
    let chunk_runs = step * (64 / step).max(1);
    let seed32 = sample::scramble_seed(settings.seed);
    ranks
        .par_chunks_mut(chunk_runs * n_out)
        .zip(scores.par_chunks_mut(chunk_runs * n_out))
        .enumerate()
        .try_for_each_init(
            || ThreadState::new(c),
            |st, (chunk, (ranks, scores))| -> Result<()> {
                let start = first + chunk * chunk_runs;
                let count = ranks.len() / n_out;
                st.run_a = None;
                st.previous = None;
                let mut rows = Rows { ranks, scores };
                for local in 0..count {
                    let r = start + local;
                    factor_values(c, settings, st, r, step, seed32);
                    c.run(st, r, local, step, &mut rows)?;
                }
                progress.advance(count as u64);
                Ok(())
            },
        )
}

/// Run r's factor values into `st.u`.
fn factor_values(c: &Compiled<'_>, settings: &Settings, st: &mut ThreadState, r: usize, step: usize, seed32: u32) {
    let d = c.actions.len();
    match &settings.samples_from {
        Some(rows) => st.u.copy_from_slice(&rows[r * d..(r + 1) * d]),
        None => match settings.method {
            Method::Sobol => {
                // The sample's point, once for its G + 2 runs.
                let j = r / step;
                if st.point_of != Some(j) {
                    sample::saltelli_point(j, seed32, &mut st.point);
                    st.point_of = Some(j);
                }
                sample::saltelli_row(r, c.n_groups(), &c.group_of, &st.point, &mut st.u)
            }
            Method::MonteCarlo => sample::monte_carlo_run(r, seed32, &mut st.u),
        },
    }
}

impl Compiled<'_> {
    /// Evaluates run r (row `local` of its chunk) from its factor values in `st.u`.
    fn run(&self, st: &mut ThreadState, r: usize, local: usize, step: usize, rows: &mut Rows<'_>) -> Result<()> {
        let c = self;
        let n_out = c.n_out;
        let stage = apply(&c.actions, &st.u, &c.tree, &mut st.weights, &mut st.aggregation);
        let is_a = step > 1 && r.is_multiple_of(step);
        // A_B^(i) runs of a discrete factor often land on the same option as run A or
        // as the run before: the model is then the same, and so are its results.
        let copy_from = [&st.run_a, &st.previous]
            .into_iter()
            .flatten()
            .find(|m| !is_a && m.same(&st.weights, &st.aggregation, stage))
            .map(|m| m.row);
        if let Some(from) = copy_from {
            for block in [&mut *rows.ranks, &mut *rows.scores] {
                block.copy_within(from * n_out..(from + 1) * n_out, local * n_out);
            }
            return Ok(());
        }
        Model::remember(&mut st.previous, &st.weights, &st.aggregation, stage, local);
        if is_a {
            Model::remember(&mut st.run_a, &st.weights, &st.aggregation, stage, local);
        }
        let matrix = &c.matrices[c.combo(stage)];
        let fixed = &c.fixed[c.combo(stage)];
        let mut o = 0;
        for (pi, cs) in c.cells.iter().enumerate() {
            let u = cs.len();
            let groups = &mut st.groups[..c.tree.n_groups() * u];
            let given = Fixed {
                compute: Some(&c.dynamic),
                groups: &fixed[pi].groups,
                logs: &fixed[pi].logs,
                log_ok: &fixed[pi].log_ok,
                complete: &fixed[pi].complete,
                index_as_log: true,
            };
            c.tree.evaluate_partial(&st.weights, &st.aggregation, &matrix[pi], u, &mut st.scratch, groups, given)
                .map_err(|bad| Error::Method {
                    context: format!("{}: sensitivity run {r}", c.fw.file),
                    kind: ErrorKind::NonPositiveValue,
                    message: format!(
                        "{} aggregation of `{}` met {} = {} for unit `{}` in {}; set geometric_range = [1, 100] on `{}`",
                        st.aggregation[bad.group].name(),
                        c.fw.groups[bad.group].id,
                        c.fw.child_id(bad.child),
                        bad.value,
                        c.panel.units[cs[bad.unit] % c.panel.n_units()],
                        c.panel.periods[c.periods[pi]],
                        c.fw.groups[bad.group].id
                    ),
                })?;
            let index = &mut st.index[..u];
            let ranks = &mut st.ranks[..u];
            let mut rank = |scores: &[f64]| rank_descending(scores, c.fw.index.ties, &mut st.order, ranks);
            if st.aggregation[0] == Aggregation::Geometric {
                // The index came back as its log: rank on it (exp and the scale
                // are increasing), and exponentiate in f32, the precision the
                // scores are stored in.
                rank(&groups[..u]);
                for (v, &l) in index.iter_mut().zip(&groups[..u]) {
                    // f32's exp overflows past 88.7.
                    *v = if l.abs() < 80.0 {
                        f64::from((l as f32).exp())
                    } else {
                        l.exp()
                    };
                }
                if let Some(scale) = c.fw.index.scale {
                    scale.apply(index);
                }
            } else {
                index.copy_from_slice(&groups[..u]);
                if let Some(scale) = c.fw.index.scale {
                    scale.apply(index);
                }
                rank(index);
            }
            let outputs = local * c.n_out + o..local * c.n_out + o + u;
            for (out, &r) in rows.ranks[outputs.clone()].iter_mut().zip(&st.ranks[..u]) {
                *out = r as f32;
            }
            for (out, &v) in rows.scores[outputs].iter_mut().zip(index.iter()) {
                *out = v as f32;
            }
            o += u;
        }
        Ok(())
    }
}

/// Maps one run's factor values onto weights and aggregations; returns the data stage.
fn apply(
    actions: &[Action],
    u: &[f64],
    tree: &Tree,
    weights: &mut [f64],
    aggregation: &mut [Aggregation],
) -> StageChoice {
    weights.copy_from_slice(&tree.weights);
    aggregation.copy_from_slice(&tree.aggregation);
    let mut stage = StageChoice::default();
    // A weight set replaces the base weights first; multipliers then apply to it.
    for (action, &x) in actions.iter().zip(u) {
        if let Action::WeightSets { sets } = action {
            for &(slot, w) in &sets[Factor::option_index(x, sets.len())] {
                weights[slot] = w;
            }
        }
    }
    for (action, &x) in actions.iter().zip(u) {
        match action {
            Action::WeightSets { .. } => {}
            Action::AggregateAll { options } => {
                let a = options[Factor::option_index(x, options.len())];
                aggregation.iter_mut().for_each(|g| *g = a);
            }
            Action::Weight { slot, lo, hi } => weights[*slot] *= lo + (hi - lo) * x,
            Action::Aggregate { group, options } => {
                aggregation[*group] = options[Factor::option_index(x, options.len())]
            }
            Action::Exclude { slot } => {
                if x >= 0.5 {
                    weights[*slot] = 0.0;
                }
            }
            Action::ExcludeOne { slots } => {
                if let Some(slot) = slots[Factor::option_index(x, slots.len())] {
                    weights[slot] = 0.0;
                }
            }
            Action::Impute { n } => stage.impute = Factor::option_index(x, *n),
            Action::Treatment { n } => stage.treatment = Factor::option_index(x, *n),
            Action::Normalise { n } => stage.normalise = Factor::option_index(x, *n),
        }
    }
    stage
}

//! Uncertainty and sensitivity analysis: how far ranks and scores move when the
//! modelling choices in `[sensitivity]` move, and which choice moves them most.
//!
//! The framework and data are compiled once: one normalised matrix per combination
//! of the discrete data-stage choices (imputation, treatment, normalisation), built by
//! the ordinary pipeline. A model run then only picks a matrix, re-weights,
//! aggregates ([`crate::plan::Tree`]) and ranks, on per-thread buffers, with no
//! allocation. Runs are spread over threads with rayon; run r's factor values come
//! from point r of the design ([`sample`]), so results are bit-for-bit the same for
//! any number of threads.
//!
//! Outputs per unit and period: nominal, median, 5 % and 95 % rank and score over all
//! runs, the mean absolute rank shift from nominal ([`summary`]); and Sobol indices
//! ([`sobol`]) of each unit's rank and of the period's mean absolute rank shift.
//!
//! ## References
//! Saltelli et al. (2008) Global Sensitivity Analysis: The Primer. OECD/JRC (2008)
//! Handbook, step 7. Becker et al. (2022) COINr `get_sensitivity`.

pub mod sample;
pub mod sobol;
pub mod summary;

use crate::data::Panel;
use crate::error::{Error, Result};
use crate::framework::sensitivity::{Factor, FactorKind, Method, NormaliseChoice, Sensitivity};
use crate::framework::{Child, Framework};
use crate::period::Period;
use crate::pipeline::aggregate::Aggregation;
use crate::pipeline::impute::Impute;
use crate::pipeline::rank::{rank_descending, RankScratch};
use crate::pipeline::treat::{Transform, Winsorise};
use crate::plan::{Fixed, Scratch, Tree};
use crate::score::score;
use rayon::prelude::*;

/// Receives progress from the engine (the CLI plugs in a progress bar).
pub trait Progress: Sync {
    fn start(&self, _total_runs: u64) {}
    fn advance(&self, _runs: u64) {}
    fn finish(&self) {}
}

/// Reports nothing.
pub struct Silent;
impl Progress for Silent {}

/// How to run the analysis (from `[sensitivity]`, overridden by the command line).
#[derive(Debug, Clone)]
pub struct Settings {
    pub samples: usize,
    pub seed: u64,
    pub bootstrap: usize,
    pub confidence: f64,
    pub method: Method,
    pub period: Option<Period>,
    /// Factor values supplied by the user: one row of d values per run, row-major.
    pub samples_from: Option<Vec<f64>>,
}

impl Settings {
    pub fn from_framework(s: &Sensitivity) -> Settings {
        Settings {
            samples: s.samples,
            seed: s.seed,
            bootstrap: s.bootstrap,
            confidence: s.confidence,
            method: s.method,
            period: s.period,
            samples_from: None,
        }
    }
}

/// One row of `sobol.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct SobolRow {
    pub output: String,
    pub factor: String,
    pub s1: f64,
    pub s1_conf: f64,
    pub st: f64,
    pub st_conf: f64,
}

/// Per-output uncertainty statistics (one output = one unit in one period).
#[derive(Debug, Clone)]
pub struct OutputStats {
    pub unit: String,
    pub period: Period,
    pub nominal_rank: f64,
    pub median_rank: f64,
    pub q05_rank: f64,
    pub q95_rank: f64,
    pub mean_abs_shift: f64,
    pub nominal_score: f64,
    pub median_score: f64,
    pub q05_score: f64,
    pub q95_score: f64,
}

/// Everything the analysis produced.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub factors: Vec<String>,
    /// Sobol groups (factor names unless grouped).
    pub groups: Vec<String>,
    pub method: Method,
    pub n: usize,
    pub runs: usize,
    pub stats: Vec<OutputStats>,
    /// Per analysed period: the mean over runs and units of |rank - nominal rank|.
    pub mean_abs_shift_by_period: Vec<(Period, f64)>,
    pub sobol: Vec<SobolRow>,
    /// How many normalised matrices were precomputed.
    pub matrices: usize,
    /// Seconds per phase: prepare, evaluate, summarise, sobol.
    pub timings: Vec<(&'static str, f64)>,
}

/// The data-stage choice a run makes: indices into the factor option lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct StageChoice {
    impute: usize,
    treatment: usize,
    normalise: usize,
}

/// Where each factor acts in the compiled plan.
enum Action {
    Weight { slot: usize, lo: f64, hi: f64 },
    Aggregate { group: usize, options: Vec<Aggregation> },
    Exclude { slot: usize },
    ExcludeOne { slots: Vec<Option<usize>> },
    Impute { n: usize },
    Treatment,
    Normalise { n: usize },
}

/// What does not vary between runs of one data-stage choice, for one period.
struct FixedStage {
    groups: Vec<f64>,
    logs: Vec<f64>,
    log_ok: Vec<bool>,
    /// Per child slot: its given values have no missing value ([`Fixed::complete`]).
    complete: Vec<bool>,
}

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
    /// The chunk's results before they go to the columns, run-major (each run's
    /// outputs side by side): output o of the chunk's run `local` at
    /// `local * n_out + o`; transposed into the columns when the chunk is done.
    rank_block: Vec<f32>,
    /// The model of the last evaluated run, in this chunk.
    previous: Option<Model>,
    score_block: Vec<f32>,
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

/// Runs the uncertainty and sensitivity analysis.
pub fn run(fw: &Framework, panel: &Panel, settings: &Settings, progress: &dyn Progress) -> Result<Analysis> {
    // Data-driven weights are fitted once on the nominal model, then held fixed (the
    // weight factors multiply them).
    let resolved;
    let fw = if fw.groups.iter().any(|g| g.weights.from_data()) {
        resolved = crate::score::weights::resolve(fw, panel, score)?.0;
        &resolved
    } else {
        fw
    };
    let sens = fw.sensitivity()?;
    let clock = std::time::Instant::now();
    let mut timings = Vec::new();
    let lap = |name: &'static str, timings: &mut Vec<(&'static str, f64)>| {
        let total: f64 = timings.iter().map(|(_, t)| t).sum();
        timings.push((name, clock.elapsed().as_secs_f64() - total));
    };
    let nominal = score(fw, panel)?;
    let n_units = panel.n_units();

    // Periods analysed and their scored cells.
    let mut periods: Vec<usize> = (0..panel.periods.len())
        .filter(|&p| (0..n_units).any(|u| nominal.scored[p * n_units + u]))
        .collect();
    if let Some(want) = settings.period {
        match periods.iter().find(|&&p| panel.periods[p] == want) {
            Some(&p) => periods = vec![p],
            None => {
                return Err(Error::Argument {
                    name: "period".into(),
                    message: format!(
                        "no unit is scored in period {want}; scored periods: {}",
                        periods
                            .iter()
                            .map(|&p| panel.periods[p].to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                })
            }
        }
    }
    let cells: Vec<Vec<usize>> = periods
        .iter()
        .map(|&p| {
            (p * n_units..(p + 1) * n_units)
                .filter(|&c| nominal.scored[c])
                .collect()
        })
        .collect();
    let n_out: usize = cells.iter().map(Vec::len).sum();
    let max_units = cells.iter().map(Vec::len).max().unwrap_or(0);

    // Factors -> actions on the plan.
    let tree = Tree::compile(fw);
    let slot_of = |child: Child| tree.children.iter().position(|&c| c == child).unwrap_or(0);
    let mut impute_options: Vec<Option<Impute>> = vec![None];
    let mut treatment_options = 1;
    let mut normalise_options: Vec<Option<NormaliseChoice>> = vec![None];
    let actions: Vec<Action> = sens
        .factors
        .iter()
        .map(|f: &Factor| match &f.kind {
            FactorKind::Weight { child, lo, hi } => Action::Weight {
                slot: slot_of(*child),
                lo: *lo,
                hi: *hi,
            },
            FactorKind::Aggregate { group, options } => Action::Aggregate {
                group: *group,
                options: options.clone(),
            },
            FactorKind::Exclude { indicator } => Action::Exclude {
                slot: slot_of(Child::Indicator(*indicator)),
            },
            FactorKind::ExcludeOne { options } => Action::ExcludeOne {
                slots: options
                    .iter()
                    .map(|o| o.map(|k| slot_of(Child::Indicator(k))))
                    .collect(),
            },
            FactorKind::Impute { options } => {
                impute_options = options.iter().copied().map(Some).collect();
                Action::Impute { n: options.len() }
            }
            FactorKind::Treatment => {
                treatment_options = 2;
                Action::Treatment
            }
            FactorKind::Normalise { options } => {
                normalise_options = options.iter().copied().map(Some).collect();
                Action::Normalise { n: options.len() }
            }
        })
        .collect();
    let d = actions.len();
    let sobol_groups = sens.groups();
    let mut group_of = vec![0; d];
    for (g, (_, members)) in sobol_groups.iter().enumerate() {
        for &i in members {
            group_of[i] = g;
        }
    }
    let n_groups = sobol_groups.len();

    // One normalised matrix per data-stage combination and period: values[k * U + i].
    let stages: Vec<(Option<Impute>, bool, Option<NormaliseChoice>)> = impute_options
        .iter()
        .flat_map(|&imp| {
            let normalise_options = &normalise_options;
            (0..treatment_options).flat_map(move |t| normalise_options.iter().map(move |&norm| (imp, t == 1, norm)))
        })
        .collect();
    let matrices: Vec<Vec<Vec<f64>>> = stages
        .par_iter()
        .map(|&(imp, treatment_off, norm)| -> Result<Vec<Vec<f64>>> {
            let res = score(&stage_variant(fw, imp, treatment_off, norm), panel)?;
            Ok(cells
                .iter()
                .map(|cs| {
                    let u = cs.len();
                    let mut m = vec![f64::NAN; fw.indicators.len() * u];
                    for (k, column) in res.normalised.iter().enumerate() {
                        for (i, &c) in cs.iter().enumerate() {
                            m[k * u + i] = column[c];
                        }
                    }
                    m
                })
                .collect())
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect::<Result<_>>()?;
    let combo = |s: StageChoice| (s.impute * treatment_options + s.treatment) * normalise_options.len() + s.normalise;

    // Groups some factor touches (and their ancestors) are computed in every run; the
    // others are fixed for a data-stage choice and computed once here.
    let group_of_slot = |slot: usize| {
        (0..tree.n_groups())
            .find(|&g| tree.offsets[g] <= slot && slot < tree.offsets[g + 1])
            .unwrap_or(0)
    };
    let mut dynamic = vec![false; tree.n_groups()];
    for action in &actions {
        match action {
            Action::Weight { slot, .. } | Action::Exclude { slot } => dynamic[group_of_slot(*slot)] = true,
            Action::ExcludeOne { slots } => slots.iter().flatten().for_each(|&s| dynamic[group_of_slot(s)] = true),
            Action::Aggregate { group, .. } => dynamic[*group] = true,
            Action::Impute { .. } | Action::Treatment | Action::Normalise { .. } => {}
        }
    }
    for &g in &tree.post_order {
        if dynamic[g] {
            let mut at = g;
            while let Some(p) = fw.groups[at].parent {
                dynamic[p] = true;
                at = p;
            }
        }
    }
    dynamic[0] = true;
    let fixed_groups: Vec<bool> = dynamic.iter().map(|d| !d).collect();
    let mut fixed: Vec<Vec<FixedStage>> = Vec::with_capacity(matrices.len());
    let mut scratch = Scratch::default();
    for per_period in &matrices {
        let mut out = Vec::with_capacity(per_period.len());
        for (pi, m) in per_period.iter().enumerate() {
            let u = cells[pi].len();
            let mut groups = vec![f64::NAN; tree.n_groups() * u];
            let only_fixed = Fixed {
                compute: Some(&fixed_groups),
                ..Fixed::default()
            };
            tree.evaluate_partial(&tree.weights, &tree.aggregation, m, u, &mut scratch, &mut groups, only_fixed)
                .map_err(|bad| Error::Method {
                    context: format!("{}: sensitivity, group `{}`", fw.file, fw.groups[bad.group].id),
                    message: format!(
                        "{} aggregation met {} = {} under one of the data-stage choices; set geometric_range = [1, 100] on `{}`",
                        tree.aggregation[bad.group].name(),
                        fw.child_id(bad.child),
                        bad.value,
                        fw.groups[bad.group].id
                    ),
                })?;
            let (logs, log_ok) = tree.fixed_logs(m, &groups, &dynamic, u);
            let no_nan = |x: &[f64]| !x.iter().any(|v| v.is_nan());
            let complete = tree
                .children
                .iter()
                .map(|&child| match child {
                    Child::Indicator(k) => no_nan(&m[k * u..(k + 1) * u]),
                    Child::Group(h) => !dynamic[h] && no_nan(&groups[h * u..(h + 1) * u]),
                })
                .collect();
            out.push(FixedStage {
                groups,
                logs,
                log_ok,
                complete,
            });
        }
        fixed.push(out);
    }

    // The design.
    let (n, runs) = match (&settings.samples_from, settings.method) {
        (Some(rows), Method::Sobol) => {
            let runs = rows.len() / d;
            if !runs.is_multiple_of(n_groups + 2) {
                return Err(Error::Argument {
                    name: "samples_from".into(),
                    message: format!(
                        "the file has {runs} rows of factor values; a Saltelli design needs a multiple of d + 2 = {} (A, A_B^1..A_B^d, B per sample)",
                        n_groups + 2
                    ),
                });
            }
            (runs / (n_groups + 2), runs)
        }
        (Some(rows), Method::MonteCarlo) => (rows.len() / d, rows.len() / d),
        (None, Method::Sobol) => (settings.samples, settings.samples * (n_groups + 2)),
        (None, Method::MonteCarlo) => (settings.samples, settings.samples),
    };
    let seed32 = sample::scramble_seed(settings.seed);
    let scale = fw.index.scale;
    let ties = fw.index.ties;

    // Evaluate every run; ranks and scores are stored column-major: output o's values
    // over the runs are contiguous, at [o * runs, (o + 1) * runs).
    let mut rank_cols = zeroed_table(runs * n_out);
    let mut score_cols = zeroed_table(runs * n_out);
    let rank_out = SharedColumns::new(&mut rank_cols);
    let score_out = SharedColumns::new(&mut score_cols);
    // Chunks of about 64 runs, whole Saltelli samples (A, A_B^(1..), B) each, so that
    // a sample's runs meet in one thread.
    let step = match settings.method {
        Method::Sobol => n_groups + 2,
        Method::MonteCarlo => 1,
    };
    let chunk_runs = step * (64 / step).max(1);
    lap("prepare", &mut timings);
    progress.start(runs as u64);
    let init = || ThreadState {
        u: vec![0.0; d],
        point: vec![0.0; 2 * d],
        point_of: None,
        weights: tree.weights.clone(),
        aggregation: tree.aggregation.clone(),
        scratch: Scratch::default(),
        groups: vec![0.0; tree.n_groups() * max_units],
        order: RankScratch::default(),
        run_a: None,
        ranks: vec![0.0; max_units],
        index: vec![0.0; max_units],
        rank_block: vec![0.0; chunk_runs * n_out],
        score_block: vec![0.0; chunk_runs * n_out],
        previous: None,
    };
    (0..runs.div_ceil(chunk_runs))
        .into_par_iter()
        .try_for_each_init(init, |st, chunk| -> Result<()> {
            let first = chunk * chunk_runs;
            let count = chunk_runs.min(runs - first);
            st.run_a = None;
            st.previous = None;
            for local in 0..count {
                let r = first + local;
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
                            sample::saltelli_row(r, n_groups, &group_of, &st.point, &mut st.u)
                        }
                        Method::MonteCarlo => sample::monte_carlo_run(r, seed32, &mut st.u),
                    },
                }
                let stage = apply(&actions, &st.u, &tree, &mut st.weights, &mut st.aggregation);
                let is_a = step > 1 && r % step == 0;
                // A_B^(i) runs of a discrete factor often land on the same option as
                // run A or as the run before: the model is then the same, and so are
                // its results.
                let copy_from = [&st.run_a, &st.previous]
                    .into_iter()
                    .flatten()
                    .find(|m| !is_a && m.same(&st.weights, &st.aggregation, stage))
                    .map(|m| m.row);
                if let Some(from) = copy_from {
                    for block in [&mut st.rank_block, &mut st.score_block] {
                        block.copy_within(from * n_out..(from + 1) * n_out, local * n_out);
                    }
                    continue;
                }
                Model::remember(&mut st.previous, &st.weights, &st.aggregation, stage, local);
                if is_a {
                    Model::remember(&mut st.run_a, &st.weights, &st.aggregation, stage, local);
                }
                let matrix = &matrices[combo(stage)];
                let fixed = &fixed[combo(stage)];
                let mut o = 0;
                for (pi, cs) in cells.iter().enumerate() {
                    let u = cs.len();
                    let groups = &mut st.groups[..tree.n_groups() * u];
                    let given = Fixed {
                        compute: Some(&dynamic),
                        groups: &fixed[pi].groups,
                        logs: &fixed[pi].logs,
                        log_ok: &fixed[pi].log_ok,
                        complete: &fixed[pi].complete,
                        index_as_log: true,
                    };
                    tree.evaluate_partial(&st.weights, &st.aggregation, &matrix[pi], u, &mut st.scratch, groups, given)
                        .map_err(|bad| Error::Method {
                            context: format!("{}: sensitivity run {r}", fw.file),
                            message: format!(
                                "{} aggregation of `{}` met {} = {} for unit `{}` in {}; set geometric_range = [1, 100] on `{}`",
                                st.aggregation[bad.group].name(),
                                fw.groups[bad.group].id,
                                fw.child_id(bad.child),
                                bad.value,
                                panel.units[cs[bad.unit] % n_units],
                                panel.periods[periods[pi]],
                                fw.groups[bad.group].id
                            ),
                        })?;
                    let index = &mut st.index[..u];
                    let ranks = &mut st.ranks[..u];
                    let mut rank = |scores: &[f64]| rank_descending(scores, ties, &mut st.order, ranks);
                    if st.aggregation[0] == Aggregation::Geometric {
                        // The index came back as its log: rank on it (exp and the scale
                        // are increasing), and exponentiate in f32, the precision the
                        // scores are stored in.
                        rank(&groups[..u]);
                        for (v, &l) in index.iter_mut().zip(&groups[..u]) {
                            // f32's exp overflows past 88.7.
                            *v = if l.abs() < 80.0 { f64::from((l as f32).exp()) } else { l.exp() };
                        }
                        if let Some(scale) = scale {
                            scale.apply(index);
                        }
                    } else {
                        index.copy_from_slice(&groups[..u]);
                        if let Some(scale) = scale {
                            scale.apply(index);
                        }
                        rank(index);
                    }
                    let outputs = local * n_out + o..local * n_out + o + u;
                    for (out, &r) in st.rank_block[outputs.clone()].iter_mut().zip(&st.ranks[..u]) {
                        *out = r as f32;
                    }
                    for (out, &v) in st.score_block[outputs].iter_mut().zip(index.iter()) {
                        *out = v as f32;
                    }
                    o += u;
                }
            }
            // Transpose the chunk's runs into the columns, eight outputs at a time
            // (a row's eight values are read together, each column written in order).
            for (block, out) in [(&st.rank_block, &rank_out), (&st.score_block, &score_out)] {
                for o in (0..n_out).step_by(8) {
                    let width = 8.min(n_out - o);
                    for (local, row) in block.chunks_exact(n_out).take(count).enumerate() {
                        for (k, &v) in row[o..o + width].iter().enumerate() {
                            // SAFETY: positions (o + k, first..first + count) belong to
                            // this chunk only, and each chunk is evaluated by exactly
                            // one task.
                            unsafe { out.set((o + k) * runs + first + local, v) };
                        }
                    }
                }
            }
            progress.advance(count as u64);
            Ok(())
        })?;
    progress.finish();
    lap("evaluate", &mut timings);

    fn column(cols: &[f32], o: usize, runs: usize) -> &[f32] {
        &cols[o * runs..(o + 1) * runs]
    }

    // Uncertainty statistics per output.
    let outputs: Vec<(usize, usize)> = cells
        .iter()
        .enumerate()
        .flat_map(|(pi, cs)| cs.iter().map(move |&c| (pi, c)))
        .collect();
    // Score columns are not needed after this: their quantiles are selected in place.
    // The bootstrap resamples for the Sobol intervals are drawn meanwhile.
    let (boot, stats) = rayon::join(
        || {
            (settings.method == Method::Sobol && settings.bootstrap >= 2)
                .then(|| sobol::Bootstrap::new(n, settings.bootstrap, settings.seed, settings.confidence))
        },
        || -> Vec<OutputStats> {
            outputs
                .par_iter()
                .zip(score_cols.par_chunks_mut(runs.max(1)))
                .enumerate()
                .map_init(Vec::new, |counts, (o, (&(pi, c), scores))| {
                    let nominal_rank = nominal.rank[c];
                    let ranks = column(&rank_cols, o, runs);
                    let r = summary::rank_summary(ranks, cells[pi].len(), nominal_rank, counts);
                    let (median_score, q05_score, q95_score) = summary::quantiles(scores);
                    OutputStats {
                        unit: panel.units[c % n_units].clone(),
                        period: panel.periods[periods[pi]],
                        nominal_rank,
                        median_rank: r.median,
                        q05_rank: r.q05,
                        q95_rank: r.q95,
                        mean_abs_shift: r.mean_abs_shift,
                        nominal_score: nominal.score(c),
                        median_score,
                        q05_score,
                        q95_score,
                    }
                })
                .collect()
        },
    );

    // Mean absolute rank shift per run and period (a scalar output per period), by
    // blocks of runs in parallel; each run's sum goes over the units in order.
    let mut shift_series: Vec<Vec<f64>> = Vec::with_capacity(cells.len());
    let mut first_output = 0;
    for cs in &cells {
        let mut acc = vec![0.0; runs];
        const BLOCK: usize = 1024;
        acc.par_chunks_mut(BLOCK).enumerate().for_each(|(b, acc)| {
            let from = b * BLOCK;
            for (o, stat) in stats.iter().enumerate().skip(first_output).take(cs.len()) {
                let nominal_rank = stat.nominal_rank;
                for (a, &r) in acc.iter_mut().zip(&column(&rank_cols, o, runs)[from..]) {
                    *a += (f64::from(r) - nominal_rank).abs();
                }
            }
            acc.iter_mut().for_each(|a| *a /= cs.len() as f64);
        });
        first_output += cs.len();
        shift_series.push(acc);
    }
    let mean_abs_shift_by_period = periods
        .iter()
        .zip(&shift_series)
        .map(|(&p, s)| (panel.periods[p], s.iter().sum::<f64>() / s.len().max(1) as f64))
        .collect();

    lap("summarise", &mut timings);

    // Sobol indices of every unit's rank and of each period's mean shift.
    let mut sobol = Vec::new();
    if settings.method == Method::Sobol {
        let names: Vec<String> = outputs
            .iter()
            .map(|&(pi, c)| format!("rank:{}:{}", panel.units[c % n_units], panel.periods[periods[pi]]))
            .chain(periods.iter().map(|&p| format!("mean_abs_shift:{}", panel.periods[p])))
            .collect();
        // Batches of 16 rank outputs, then the mean shifts (f64) as the last batch.
        const OUT_CHUNK: usize = 8;
        let rank_batches = n_out.div_ceil(OUT_CHUNK);
        let chunks: Vec<Vec<sobol::Indices>> = (0..=rank_batches)
            .into_par_iter()
            .map_init(sobol::Scratch::default, |scratch, ch| {
                if ch == rank_batches {
                    let shifts: Vec<&[f64]> = shift_series.iter().map(Vec::as_slice).collect();
                    return sobol::analyse(&shifts, n, n_groups, boot.as_ref(), scratch);
                }
                let columns: Vec<&[f32]> = (ch * OUT_CHUNK..((ch + 1) * OUT_CHUNK).min(n_out))
                    .map(|o| column(&rank_cols, o, runs))
                    .collect();
                sobol::analyse(&columns, n, n_groups, boot.as_ref(), scratch)
            })
            .collect();
        for (name, idx) in names.iter().zip(chunks.into_iter().flatten()) {
            for (g, (group, _)) in sobol_groups.iter().enumerate() {
                sobol.push(SobolRow {
                    output: name.clone(),
                    factor: group.clone(),
                    s1: idx.s1[g],
                    s1_conf: idx.s1_conf[g],
                    st: idx.st[g],
                    st_conf: idx.st_conf[g],
                });
            }
        }
    }

    lap("sobol", &mut timings);
    Ok(Analysis {
        timings,
        factors: sens.factors.iter().map(|f| f.name.clone()).collect(),
        groups: sobol_groups.into_iter().map(|(g, _)| g).collect(),
        method: settings.method,
        n,
        runs,
        stats,
        mean_abs_shift_by_period,
        sobol,
        matrices: matrices.len(),
    })
}

/// A zeroed table of `len` values. Large ones are backed by transparent huge pages
/// where the kernel offers them (Linux, `madvise(MADV_HUGEPAGE)`): the run tables are
/// written once, and 2 MiB pages take 512 times fewer page faults than 4 KiB ones
/// (about 4 % of a 200-unit run's time went to faulting them in). Only advice: the
/// contents and the result do not depend on it.
fn zeroed_table(len: usize) -> Vec<f32> {
    let table = vec![0f32; len];
    #[cfg(target_os = "linux")]
    if std::mem::size_of_val(table.as_slice()) >= 4 << 20 {
        const PAGE: usize = 4096;
        let start = table.as_ptr() as usize;
        let end = start + std::mem::size_of_val(table.as_slice());
        let first = start.next_multiple_of(PAGE);
        // SAFETY: [first, first + length) lies inside the table's allocation, and
        // MADV_HUGEPAGE changes neither its contents nor its mapping's validity.
        unsafe {
            libc::madvise(
                first as *mut libc::c_void,
                (end - first) / PAGE * PAGE,
                libc::MADV_HUGEPAGE,
            );
        }
    }
    table
}

/// A buffer that parallel tasks fill at disjoint positions. It holds the buffer's
/// mutable borrow for `'a`, so the buffer can be neither read nor freed while shared.
struct SharedColumns<'a> {
    ptr: *mut f32,
    len: usize,
    buffer: std::marker::PhantomData<&'a mut [f32]>,
}

// SAFETY: tasks only write, each to positions no other task writes (see `set`).
unsafe impl Sync for SharedColumns<'_> {}

impl<'a> SharedColumns<'a> {
    fn new(buffer: &'a mut [f32]) -> SharedColumns<'a> {
        SharedColumns {
            ptr: buffer.as_mut_ptr(),
            len: buffer.len(),
            buffer: std::marker::PhantomData,
        }
    }

    /// Writes `value` at position `at`.
    ///
    /// # Safety
    /// No other task may read or write position `at` while the buffer is shared.
    #[inline(always)]
    unsafe fn set(&self, at: usize, value: f32) {
        assert!(at < self.len);
        // SAFETY: in bounds (checked above); exclusive per the contract.
        unsafe { self.ptr.add(at).write(value) };
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
    for (action, &x) in actions.iter().zip(u) {
        match action {
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
            Action::Treatment => stage.treatment = usize::from(x >= 0.5),
            Action::Normalise { n } => stage.normalise = Factor::option_index(x, *n),
        }
    }
    stage
}

/// The framework with one data-stage combination applied to every indicator.
fn stage_variant(
    fw: &Framework,
    impute: Option<Impute>,
    treatment_off: bool,
    normalise: Option<NormaliseChoice>,
) -> Framework {
    let mut v = fw.clone();
    for ind in &mut v.indicators {
        if let Some(i) = impute {
            ind.impute = i;
        }
        if treatment_off {
            ind.winsorise = Winsorise::None;
            ind.transform = Transform::None;
        }
        if let Some(n) = normalise {
            ind.normalise = n.for_indicator(&ind.normalise);
        }
    }
    // Only the normalised values are used: aggregate plainly so no run-specific
    // aggregation can fail here.
    for g in &mut v.groups {
        g.aggregation = Aggregation::Arithmetic;
    }
    v.index.scale = None;
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synthetic::{generate, Shape};

    fn framework_with(sensitivity: &str, shape: Shape) -> (Framework, Panel) {
        let (_, panel) = generate(shape, "arithmetic");
        let text = format!(
            "{}\n{sensitivity}",
            crate::synthetic::framework_toml(shape, "arithmetic")
        );
        (Framework::from_toml(&text, "sa.toml").unwrap(), panel)
    }

    const SHAPE: Shape = Shape {
        units: 30,
        indicators: 12,
        groups: 3,
        periods: 2,
        missing: 0.05,
        seed: 3,
    };

    #[test]
    fn zero_width_ranges_give_the_nominal_ranks_exactly() {
        let (fw, panel) = framework_with(
            "[sensitivity]\nsamples = 64\nfactors = [{ kind = \"weight\", target = \"group:*\", range = [1, 1] }, { kind = \"aggregate\", options = [\"arithmetic\"] }]\n",
            SHAPE,
        );
        let a = run(
            &fw,
            &panel,
            &Settings::from_framework(fw.sensitivity.as_ref().unwrap()),
            &Silent,
        )
        .unwrap();
        assert_eq!(a.runs, 64 * 6);
        for s in &a.stats {
            assert_eq!(
                (s.median_rank, s.q05_rank, s.q95_rank),
                (s.nominal_rank, s.nominal_rank, s.nominal_rank)
            );
            assert_eq!(s.mean_abs_shift, 0.0);
        }
        // Outputs that never move have no Sobol indices.
        assert!(a.sobol.iter().all(|r| r.s1.is_nan() && r.st.is_nan()));
    }

    #[test]
    fn results_are_identical_on_one_and_two_threads() {
        let (fw, panel) = framework_with(
            "[sensitivity]\nsamples = 128\nbootstrap = 50\nfactors = [{ kind = \"weight\", target = \"group:*\", range = [0.5, 1.5] }, { kind = \"normalise\", options = [\"minmax\", \"rank\"] }, { kind = \"exclude\", targets = [\"ind001\", \"ind002\"] }, { kind = \"impute\", options = [\"mean\", \"none\"] }]\n",
            SHAPE,
        );
        let settings = Settings::from_framework(fw.sensitivity.as_ref().unwrap());
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| run(&fw, &panel, &settings, &Silent).unwrap())
        };
        let (one, two) = (on(1), on(2));
        assert_eq!(one.runs, 128 * (3 + 1 + 2 + 1 + 2));
        let key = |a: &Analysis| {
            let stats: Vec<[u64; 7]> = a
                .stats
                .iter()
                .map(|s| {
                    [
                        s.median_rank,
                        s.q05_rank,
                        s.q95_rank,
                        s.mean_abs_shift,
                        s.median_score,
                        s.q05_score,
                        s.q95_score,
                    ]
                    .map(f64::to_bits)
                })
                .collect();
            let sobol: Vec<[u64; 4]> = a
                .sobol
                .iter()
                .map(|r| [r.s1, r.s1_conf, r.st, r.st_conf].map(f64::to_bits))
                .collect();
            (stats, sobol)
        };
        assert_eq!(key(&one), key(&two));
        // Something did move.
        assert!(one.stats.iter().any(|s| s.mean_abs_shift > 0.0));
    }

    #[test]
    fn monte_carlo_gives_intervals_only() {
        let (fw, panel) = framework_with(
            "[sensitivity]\nsamples = 100\nmethod = \"montecarlo\"\nperiod = 2019\nfactors = [{ kind = \"weight\", target = \"indicator:*\", range = [0.5, 2] }]\n",
            SHAPE,
        );
        let a = run(
            &fw,
            &panel,
            &Settings::from_framework(fw.sensitivity.as_ref().unwrap()),
            &Silent,
        )
        .unwrap();
        assert_eq!(a.runs, 100);
        assert!(a.sobol.is_empty());
        assert_eq!(a.stats.len(), 30);
        assert!(a
            .stats
            .iter()
            .all(|s| s.period.to_string() == "2019" && s.q05_rank <= s.q95_rank));
    }
}

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

mod compile;
mod evaluate;
mod finish;
pub mod sample;
pub mod shard;
pub mod sketch;
pub mod sobol;
mod state;
mod stream;
pub mod summary;

pub use shard::Shard;
pub use state::Quantiles;
use state::State;

use crate::data::Panel;
use crate::error::{Error, Result};
use crate::framework::sensitivity::{Method, Sensitivity};
use crate::framework::Framework;
use crate::period::Period;
use crate::pipeline::aggregate::Aggregation;
use crate::score::{score, Results};

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
#[non_exhaustive]
pub struct Settings {
    pub samples: usize,
    pub seed: u64,
    pub bootstrap: usize,
    pub confidence: f64,
    pub method: Method,
    pub period: Option<Period>,
    /// Factor values supplied by the user: one row of d values per run, row-major.
    pub samples_from: Option<Vec<f64>>,
    /// Exact quantiles from every run, or a sketch of bounded memory.
    pub quantiles: Quantiles,
}

impl Analysis {
    /// The uncertain factors, as the framework names them.
    pub fn factors(&self) -> &[String] {
        &self.factors
    }

    /// The Sobol groups (the factors unless grouped).
    pub fn groups(&self) -> &[String] {
        &self.groups
    }

    /// Sobol or Monte Carlo.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The design's base samples N.
    pub fn samples(&self) -> usize {
        self.n
    }

    /// The scoring runs made.
    pub fn runs(&self) -> usize {
        self.runs
    }

    /// Per unit and period: nominal, median and 5-95 % rank and score.
    pub fn stats(&self) -> &[OutputStats] {
        &self.stats
    }

    /// Per output and Sobol group: first-order and total indices with their confidence
    /// half-widths (empty for Monte Carlo).
    pub fn sobol(&self) -> &[SobolRow] {
        &self.sobol
    }

    /// Per analysed period: the mean over runs and units of |rank - nominal rank|.
    pub fn mean_abs_shift_by_period(&self) -> &[(Period, f64)] {
        &self.mean_abs_shift_by_period
    }
}

impl Settings {
    /// The settings of the framework's `[sensitivity]` block (an error naming the
    /// file when it has none).
    pub fn for_framework(fw: &Framework) -> Result<Settings> {
        Ok(Settings::from_framework(fw.sensitivity()?))
    }

    pub(crate) fn from_framework(s: &Sensitivity) -> Settings {
        Settings {
            samples: s.samples,
            seed: s.seed,
            bootstrap: s.bootstrap,
            confidence: s.confidence,
            method: s.method,
            period: s.period,
            samples_from: None,
            quantiles: Quantiles::Auto,
        }
    }
}

/// One row of `sobol.csv`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
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
#[non_exhaustive]
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
    pub(crate) factors: Vec<String>,
    /// Sobol groups (factor names unless grouped).
    pub(crate) groups: Vec<String>,
    pub(crate) method: Method,
    pub(crate) n: usize,
    pub(crate) runs: usize,
    pub(crate) stats: Vec<OutputStats>,
    /// Per analysed period: the mean over runs and units of |rank - nominal rank|.
    pub(crate) mean_abs_shift_by_period: Vec<(Period, f64)>,
    pub(crate) sobol: Vec<SobolRow>,
    /// How many normalised matrices were precomputed.
    pub(crate) matrices: usize,
    /// How the quantiles were found (exact or sketch), and the sketch's bounds: rank
    /// quantiles within this many ranks, score quantiles within this fraction.
    pub(crate) quantiles: Quantiles,
    pub(crate) rank_bound: f64,
    pub(crate) score_accuracy: f64,
    /// Seconds per phase: prepare, evaluate, summarise, sobol.
    pub(crate) timings: Vec<(&'static str, f64)>,
}

/// The data-stage choice a run makes: indices into the factor option lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct StageChoice {
    pub(super) impute: usize,
    pub(super) treatment: usize,
    pub(super) normalise: usize,
}

/// Where each factor acts in the compiled plan.
enum Action {
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

/// What does not vary between runs of one data-stage choice, for one period.
struct FixedStage {
    groups: Vec<f64>,
    logs: Vec<f64>,
    log_ok: Vec<bool>,
    /// Per child slot: its given values have no missing value ([`Fixed::complete`]).
    complete: Vec<bool>,
}

/// Runs the uncertainty and sensitivity analysis: compiles the plan, evaluates every
/// run, summarises each output's distribution and computes the Sobol indices.
pub fn run(fw: &Framework, panel: &Panel, settings: &Settings, progress: &dyn Progress) -> Result<Analysis> {
    prepared(fw, panel, settings, false, |p| {
        let state = p.evaluate(0..p.design.n, progress)?;
        Ok(p.finish(state))
    })
}

/// Runs shard `shard` of the design (with a sketch of the quantiles) and returns its
/// partial state, marked with `identity` (see [`Identity`](shard::Identity)).
pub fn run_shard(
    fw: &Framework,
    panel: &Panel,
    settings: &Settings,
    shard: Shard,
    identity: shard::Identity,
    progress: &dyn Progress,
) -> Result<shard::Partial> {
    let shard = Shard::new(shard.k, shard.of)?;
    prepared(fw, panel, settings, true, |p| {
        if shard.of > p.design.n {
            return Err(Error::argument(
                "shard",
                format!(
                    "{} shards of a design of N = {} samples: at most N shards",
                    shard.of, p.design.n
                ),
            ));
        }
        let state = p.evaluate(shard.samples(p.design.n), progress)?;
        Ok(shard::Partial::new(
            shard,
            identity,
            shard_settings(settings),
            p.design.n,
            state,
        ))
    })
}

/// Merges the shard files that [`shard::order`] put in order into the analysis of the
/// whole design, as [`run`] would have made it with `settings` (the shards'). Each file
/// is read and added in turn: memory is one state, whatever the number of shards.
pub fn merge(fw: &Framework, panel: &Panel, settings: &Settings, files: &[shard::ShardFile]) -> Result<Analysis> {
    prepared(fw, panel, settings, true, |p| {
        let mut state = State::new(&p.shape(), 0..0, Quantiles::Sketch);
        for file in files {
            file.add_into(&mut state, p.design.n)?;
        }
        if state.samples != (0..p.design.n) {
            return Err(Error::argument(
                "shards",
                format!(
                    "the shards cover samples {}..{} of this framework's design of N = {}",
                    state.samples.start, state.samples.end, p.design.n
                ),
            ));
        }
        p.timings.borrow_mut().lap("evaluate");
        Ok(p.finish(state))
    })
}

/// The settings a shard records.
fn shard_settings(s: &Settings) -> shard::ShardSettings {
    shard::ShardSettings {
        samples: s.samples,
        seed: s.seed,
        bootstrap: s.bootstrap,
        confidence: s.confidence,
        method: s.method,
        period: s.period.map(|p| p.to_string()),
    }
}

/// Everything the runs, the shards and the merge share.
struct Prepared<'a> {
    compiled: compile::Compiled<'a>,
    nominal: &'a Results,
    design: compile::Design,
    quantiles: Quantiles,
    settings: &'a Settings,
    outputs: Vec<(usize, usize)>,
    parts: ShapeParts,
    boot: Option<sobol::Bootstrap>,
    timings: std::cell::RefCell<Timings>,
}

/// Compiles the analysis and hands it to `then`. Shards and their merge keep a sketch
/// (`sketch_only`): an exact run is refused.
fn prepared<T>(
    fw: &Framework,
    panel: &Panel,
    settings: &Settings,
    sketch_only: bool,
    then: impl FnOnce(&Prepared<'_>) -> Result<T>,
) -> Result<T> {
    // Data-driven weights are fitted once on the nominal model, then held fixed (the
    // weight factors multiply them).
    let resolved;
    let fw = if fw.groups.iter().any(|g| g.weights.is_data_driven()) {
        resolved = crate::score::weights::resolve(fw, panel, score)?.0;
        &resolved
    } else {
        fw
    };
    let sens = fw.sensitivity()?;
    let timings = Timings::start();
    let nominal = score(fw, panel)?;
    // 1. Compile: periods, factors as actions, the data-stage matrices, fixed groups.
    let compiled = compile::Compiled::new(fw, panel, &nominal, sens, settings)?;
    let design = compiled.design(settings)?;
    let mut sharded = settings.clone();
    if sketch_only {
        if settings.quantiles == Quantiles::Exact {
            return Err(Error::argument(
                "quantiles",
                "shards keep a sketch of the quantiles (their runs are not kept): leave out --quantiles exact"
                    .to_string(),
            ));
        }
        sharded.quantiles = Quantiles::Sketch;
    }
    let quantiles = quantiles(&compiled, &sharded, &design)?;
    let outputs = compiled.outputs();
    let parts = ShapeParts::new(&compiled, &nominal, &outputs);
    let boot = (settings.method == Method::Sobol && settings.bootstrap >= 2)
        .then(|| sobol::Bootstrap::new(design.n, settings.bootstrap, settings.seed, settings.confidence));
    let p = Prepared {
        compiled,
        nominal: &nominal,
        design,
        quantiles,
        settings,
        outputs,
        parts,
        boot,
        timings: std::cell::RefCell::new(timings),
    };
    p.timings.borrow_mut().lap("prepare");
    then(&p)
}

impl Prepared<'_> {
    fn shape(&self) -> state::Shape<'_> {
        self.parts.shape(&self.compiled, self.settings)
    }

    /// Evaluates the runs of base samples `samples`, batch by batch, into a state.
    fn evaluate(&self, samples: std::ops::Range<usize>, progress: &dyn Progress) -> Result<State> {
        let (c, settings) = (&self.compiled, self.settings);
        let shape = self.shape();
        let mut state = State::new(&shape, samples.clone(), self.quantiles);
        let step = evaluate::step(c, settings.method);
        let batch_samples = batch_samples(c.n_out, step, self.design.n);
        progress.start((samples.len() * step) as u64);
        let mut ranks = Vec::new();
        let mut scores = Vec::new();
        for from in samples.clone().step_by(batch_samples) {
            let count = batch_samples.min(samples.end - from);
            let len = count * step * c.n_out;
            ranks.resize(len, 0.0);
            scores.resize(len, 0.0);
            evaluate::evaluate_batch(c, settings, from * step, &mut ranks, &mut scores, progress)?;
            state.push(&shape, from * step, &ranks, &scores, self.boot.as_ref());
        }
        progress.finish();
        self.timings.borrow_mut().lap("evaluate");
        Ok(state)
    }

    /// The analysis from a state of the whole design.
    fn finish(&self, state: State) -> Analysis {
        let mut timings = self.timings.borrow_mut();
        let mut analysis = finish::finish(
            &self.compiled,
            self.nominal,
            &self.outputs,
            state,
            &self.design,
            self.settings,
            self.boot.as_ref(),
            &mut timings,
        );
        analysis.timings = timings.laps.clone();
        analysis
    }
}

/// Exact quantiles where the runs fit in memory (or on request), else a sketch; a run
/// that does not fit either way is refused.
fn quantiles(c: &compile::Compiled<'_>, settings: &Settings, design: &compile::Design) -> Result<Quantiles> {
    let Some(available) = crate::stats::available_memory() else {
        return Ok(match settings.quantiles {
            Quantiles::Sketch => Quantiles::Sketch,
            _ => Quantiles::Exact,
        });
    };
    let threads = rayon::current_num_threads();
    let exact = c.memory_needed(settings, design, threads, Quantiles::Exact);
    let chosen = match settings.quantiles {
        Quantiles::Auto if exact <= available => Quantiles::Exact,
        Quantiles::Auto => Quantiles::Sketch,
        q => q,
    };
    let needed = c.memory_needed(settings, design, threads, chosen);
    let bootstrap = c.bootstrap_memory(settings, design, threads, chosen);
    compile::check_memory(needed, bootstrap, available, settings, design, chosen)?;
    Ok(chosen)
}

/// Samples per batch: tables of at most about 2^22 values (16 MB) each, but at least
/// 64 samples (the bootstrap's sums are carried over once per batch and per 128
/// samples), and at most the design.
pub(crate) fn batch_samples(n_out: usize, step: usize, n: usize) -> usize {
    const VALUES: usize = 1 << 22;
    (VALUES / (n_out.max(1) * step)).max(64).min(n.max(1))
}

/// What [`state::Shape`] borrows.
struct ShapeParts {
    periods: Vec<std::ops::Range<usize>>,
    nominal: Vec<i64>,
    largest_score: f64,
}

impl ShapeParts {
    fn new(c: &compile::Compiled<'_>, nominal: &Results, outputs: &[(usize, usize)]) -> ShapeParts {
        let mut periods = Vec::new();
        let mut from = 0;
        for cs in &c.cells {
            periods.push(from..from + cs.len());
            from += cs.len();
        }
        ShapeParts {
            periods,
            nominal: outputs
                .iter()
                .map(|&(_, cell)| (2.0 * nominal.rank[cell]) as i64)
                .collect(),
            largest_score: outputs
                .iter()
                .map(|&(_, cell)| nominal.score(cell).abs())
                .filter(|v| v.is_finite())
                .fold(0.0, f64::max),
        }
    }

    fn shape<'a>(&'a self, c: &compile::Compiled<'_>, settings: &Settings) -> state::Shape<'a> {
        state::Shape {
            n_out: c.n_out,
            step: evaluate::step(c, settings.method),
            sobol: (settings.method == Method::Sobol).then(|| {
                (
                    c.n_groups(),
                    if settings.bootstrap >= 2 { settings.bootstrap } else { 0 },
                )
            }),
            periods: &self.periods,
            nominal: &self.nominal,
            units: c.max_units,
            largest_score: self.largest_score,
        }
    }
}

/// Seconds per phase.
struct Timings {
    clock: std::time::Instant,
    laps: Vec<(&'static str, f64)>,
}

impl Timings {
    fn start() -> Timings {
        Timings {
            clock: std::time::Instant::now(),
            laps: Vec::new(),
        }
    }

    /// Ends phase `name`: the time since the previous lap.
    fn lap(&mut self, name: &'static str) {
        let total: f64 = self.laps.iter().map(|(_, t)| t).sum();
        self.laps.push((name, self.clock.elapsed().as_secs_f64() - total));
    }
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
    fn sketch_quantiles_agree_with_exact_within_their_bounds() {
        let (fw, panel) = framework_with(
            "[sensitivity]\nsamples = 64\nbootstrap = 20\nfactors = [{ kind = \"weight\", target = \"group:*\", range = [0.5, 1.5] }, { kind = \"normalise\", options = [\"minmax\", \"zscore\"] }]\n",
            SHAPE,
        );
        let mut settings = Settings::from_framework(fw.sensitivity.as_ref().unwrap());
        settings.quantiles = Quantiles::Exact;
        let exact = run(&fw, &panel, &settings, &Silent).unwrap();
        settings.quantiles = Quantiles::Sketch;
        let sketch = run(&fw, &panel, &settings, &Silent).unwrap();
        assert_eq!(
            (exact.quantiles, sketch.quantiles),
            (Quantiles::Exact, Quantiles::Sketch)
        );
        // 30 units: the rank bins are half-ranks, so the rank quantiles are exact.
        assert_eq!(sketch.rank_bound, 0.0);
        let mut moved = 0;
        for (e, s) in exact.stats.iter().zip(&sketch.stats) {
            assert_eq!(
                (e.median_rank, e.q05_rank, e.q95_rank, e.mean_abs_shift),
                (s.median_rank, s.q05_rank, s.q95_rank, s.mean_abs_shift)
            );
            for (x, y) in [
                (e.median_score, s.median_score),
                (e.q05_score, s.q05_score),
                (e.q95_score, s.q95_score),
            ] {
                // Within 0.5 % of the larger of the two order statistics the quantile
                // lies between; here those are within 50 % of each other.
                let x0 = 1e-4 * 100.0;
                assert!(
                    (x - y).abs() <= 1.5 * sketch::SCORE_ACCURACY * x.abs() + x0,
                    "{x} vs {y}"
                );
            }
            moved += usize::from(e.q05_rank < e.q95_rank);
        }
        assert!(moved > 10);
        // The Sobol indices from the runs (f64) and from the integer sums agree; their
        // intervals too, but for the f32 resample sums of the runs.
        assert_eq!(exact.sobol.len(), sketch.sobol.len());
        for (e, s) in exact.sobol.iter().zip(&sketch.sobol) {
            assert_eq!((&e.output, &e.factor), (&s.output, &s.factor));
            for (x, y, tol) in [
                (e.s1, s.s1, 1e-9),
                (e.st, s.st, 1e-9),
                (e.s1_conf, s.s1_conf, 1e-3),
                (e.st_conf, s.st_conf, 1e-3),
            ] {
                assert!(
                    (x.is_nan() && y.is_nan()) || (x - y).abs() <= tol * (1.0 + x.abs()),
                    "{x} vs {y}"
                );
            }
        }
        assert_eq!(exact.mean_abs_shift_by_period, sketch.mean_abs_shift_by_period);
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

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

mod action;
mod analysis;
mod compile;
mod evaluate;
mod finish;
mod memory;
mod progress;
pub mod sample;
mod settings;
pub mod shard;
pub mod sketch;
pub mod sobol;
mod state;
mod stream;
pub mod summary;
mod timings;

pub use analysis::{Analysis, OutputStats, SobolRow};
use evaluate::batch_samples;
pub use progress::{Progress, Silent};
pub use settings::{Quantiles, Settings};
pub use shard::Shard;
use state::State;
use timings::Timings;

use crate::data::Panel;
use crate::error::{Error, Result};
use crate::framework::sensitivity::Method;
use crate::framework::Framework;
use crate::score::{score, Results};

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
    let quantiles = memory::quantiles(&compiled, &sharded, &design)?;
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

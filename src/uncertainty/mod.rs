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
pub mod sample;
pub mod sobol;
pub mod summary;

use crate::data::Panel;
use crate::error::Result;
use crate::framework::sensitivity::{Method, Sensitivity};
use crate::framework::Framework;
use crate::period::Period;
use crate::pipeline::aggregate::Aggregation;
use crate::score::{score, Results};
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
    let mut timings = Timings::start();
    let nominal = score(fw, panel)?;
    // 1. Compile: periods, factors as actions, the data-stage matrices, fixed groups.
    let compiled = compile::Compiled::new(fw, panel, &nominal, sens, settings)?;
    let design = compiled.design(settings)?;
    if let Some(available) = crate::stats::available_memory() {
        let threads = rayon::current_num_threads();
        let needed = compiled.memory_needed(settings, &design, threads);
        let bootstrap = compiled.bootstrap_memory(settings, &design, threads);
        compile::check_memory(needed, bootstrap, available, settings, &design)?;
    }
    timings.lap("prepare");
    // 2. Evaluate every run.
    let (rank_cols, mut score_cols) = evaluate::evaluate(&compiled, settings, &design, progress)?;
    timings.lap("evaluate");
    // 3. Summarise: rank and score quantiles per output, mean rank shift per period.
    let columns = Columns {
        ranks: &rank_cols,
        runs: design.runs,
    };
    let outputs = compiled.outputs();
    // Score columns are not needed after this: their quantiles are selected in place.
    // The bootstrap resamples for the Sobol intervals are drawn meanwhile.
    let (boot, stats) = rayon::join(
        || {
            (settings.method == Method::Sobol && settings.bootstrap >= 2)
                .then(|| sobol::Bootstrap::new(design.n, settings.bootstrap, settings.seed, settings.confidence))
        },
        || output_stats(&compiled, &nominal, &outputs, &columns, &mut score_cols),
    );
    let shift_series = shift_series(&compiled, &stats, &columns);
    let mean_abs_shift_by_period = compiled
        .periods
        .iter()
        .zip(&shift_series)
        .map(|(&p, s)| (panel.periods[p], s.iter().sum::<f64>() / s.len().max(1) as f64))
        .collect();
    timings.lap("summarise");
    // 4. Sobol indices of every unit's rank and of each period's mean shift.
    let sobol = if settings.method == Method::Sobol {
        sobol_rows(&compiled, &outputs, &columns, &shift_series, &design, boot.as_ref())
    } else {
        Vec::new()
    };
    timings.lap("sobol");
    Ok(Analysis {
        timings: timings.laps,
        factors: sens.factors.iter().map(|f| f.name.clone()).collect(),
        groups: compiled.sobol_groups.iter().map(|(g, _)| g.clone()).collect(),
        method: settings.method,
        n: design.n,
        runs: design.runs,
        stats,
        mean_abs_shift_by_period,
        sobol,
        matrices: compiled.matrices.len(),
    })
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

/// The rank table, column-major: output o's ranks over the runs.
struct Columns<'a> {
    ranks: &'a [f32],
    runs: usize,
}

impl Columns<'_> {
    fn rank(&self, o: usize) -> &[f32] {
        &self.ranks[o * self.runs..(o + 1) * self.runs]
    }
}

impl compile::Compiled<'_> {
    /// Every output as (period position, cell), in output order.
    fn outputs(&self) -> Vec<(usize, usize)> {
        self.cells
            .iter()
            .enumerate()
            .flat_map(|(pi, cs)| cs.iter().map(move |&c| (pi, c)))
            .collect()
    }
}

/// Rank and score summaries per output; the score columns are reordered in place.
fn output_stats(
    c: &compile::Compiled<'_>,
    nominal: &Results,
    outputs: &[(usize, usize)],
    columns: &Columns<'_>,
    score_cols: &mut [f32],
) -> Vec<OutputStats> {
    let n_units = c.panel.n_units();
    outputs
        .par_iter()
        .zip(score_cols.par_chunks_mut(columns.runs.max(1)))
        .enumerate()
        .map_init(Vec::new, |counts, (o, (&(pi, cell), scores))| {
            let nominal_rank = nominal.rank[cell];
            let r = summary::rank_summary(columns.rank(o), c.cells[pi].len(), nominal_rank, counts);
            let (median_score, q05_score, q95_score) = summary::quantiles(scores);
            OutputStats {
                unit: c.panel.units[cell % n_units].clone(),
                period: c.panel.periods[c.periods[pi]],
                nominal_rank,
                median_rank: r.median,
                q05_rank: r.q05,
                q95_rank: r.q95,
                mean_abs_shift: r.mean_abs_shift,
                nominal_score: nominal.score(cell),
                median_score,
                q05_score,
                q95_score,
            }
        })
        .collect()
}

/// Mean absolute rank shift per run and period (a scalar output per period), by
/// blocks of runs in parallel; each run's sum goes over the units in order.
fn shift_series(c: &compile::Compiled<'_>, stats: &[OutputStats], columns: &Columns<'_>) -> Vec<Vec<f64>> {
    let mut series: Vec<Vec<f64>> = Vec::with_capacity(c.cells.len());
    let mut first_output = 0;
    for cs in &c.cells {
        let mut acc = vec![0.0; columns.runs];
        const BLOCK: usize = 1024;
        acc.par_chunks_mut(BLOCK).enumerate().for_each(|(b, acc)| {
            let from = b * BLOCK;
            for (o, stat) in stats.iter().enumerate().skip(first_output).take(cs.len()) {
                let nominal_rank = stat.nominal_rank;
                for (a, &r) in acc.iter_mut().zip(&columns.rank(o)[from..]) {
                    *a += (f64::from(r) - nominal_rank).abs();
                }
            }
            acc.iter_mut().for_each(|a| *a /= cs.len() as f64);
        });
        first_output += cs.len();
        series.push(acc);
    }
    series
}

/// S1 and ST (with their intervals) of every factor group for every unit's rank and
/// each period's mean shift.
fn sobol_rows(
    c: &compile::Compiled<'_>,
    outputs: &[(usize, usize)],
    columns: &Columns<'_>,
    shift_series: &[Vec<f64>],
    design: &compile::Design,
    boot: Option<&sobol::Bootstrap>,
) -> Vec<SobolRow> {
    let panel = c.panel;
    let n_units = panel.n_units();
    let (n, n_groups, n_out) = (design.n, c.n_groups(), c.n_out);
    let names: Vec<String> = outputs
        .iter()
        .map(|&(pi, cell)| format!("rank:{}:{}", panel.units[cell % n_units], panel.periods[c.periods[pi]]))
        .chain(
            c.periods
                .iter()
                .map(|&p| format!("mean_abs_shift:{}", panel.periods[p])),
        )
        .collect();
    // Batches of 8 rank outputs, then the mean shifts (f64) as the last batch.
    const OUT_CHUNK: usize = 8;
    let rank_batches = n_out.div_ceil(OUT_CHUNK);
    let chunks: Vec<Vec<sobol::Indices>> = (0..=rank_batches)
        .into_par_iter()
        .map_init(sobol::Scratch::default, |scratch, ch| {
            if ch == rank_batches {
                let shifts: Vec<&[f64]> = shift_series.iter().map(Vec::as_slice).collect();
                return sobol::analyse(&shifts, n, n_groups, boot, scratch);
            }
            let ranks: Vec<&[f32]> = (ch * OUT_CHUNK..((ch + 1) * OUT_CHUNK).min(n_out))
                .map(|o| columns.rank(o))
                .collect();
            sobol::analyse(&ranks, n, n_groups, boot, scratch)
        })
        .collect();
    let mut rows = Vec::new();
    for (name, idx) in names.iter().zip(chunks.into_iter().flatten()) {
        for (g, (group, _)) in c.sobol_groups.iter().enumerate() {
            rows.push(SobolRow {
                output: name.clone(),
                factor: group.clone(),
                s1: idx.s1[g],
                s1_conf: idx.s1_conf[g],
                st: idx.st[g],
                st_conf: idx.st_conf[g],
            });
        }
    }
    rows
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

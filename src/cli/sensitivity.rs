//! `riskscore sensitivity`: rank intervals and Sobol indices.

use super::{Inputs, OutDir};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use riskscore::framework::sensitivity::{self, FactorKind, Method};
use riskscore::framework::Framework;
use riskscore::output::csv::Style;
use riskscore::output::{self, manifest::sha256_hex};
use riskscore::uncertainty::{self, Progress, Quantiles, Settings};
use riskscore::{Error, Result};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum MethodArg {
    Sobol,
    Montecarlo,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum QuantilesArg {
    Auto,
    Exact,
    Sketch,
}

#[derive(Args, Debug)]
pub struct SensitivityArgs {
    #[command(flatten)]
    pub input: Inputs,
    #[command(flatten)]
    pub output: OutDir,
    /// Base sample size N (Sobol: N (d + 2) runs; Monte Carlo: N runs)
    #[arg(long)]
    pub samples: Option<usize>,
    /// Seed of the Sobol scramble and the bootstrap
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores); results do not depend on it
    #[arg(long)]
    pub threads: Option<usize>,
    /// Analyse only this period (default: every scored period)
    #[arg(long)]
    pub period: Option<String>,
    /// Bootstrap resamples for the confidence intervals (0 = none)
    #[arg(long)]
    pub bootstrap: Option<usize>,
    /// sobol (indices + intervals) or montecarlo (intervals only)
    #[arg(long, value_enum)]
    pub method: Option<MethodArg>,
    /// Evaluate this sample matrix instead (CSV: one column per factor in [0, 1], one row per run)
    #[arg(long, value_name = "FILE")]
    pub samples_from: Option<PathBuf>,
    /// Rank and score quantiles: exact (every run kept: memory grows with the runs),
    /// sketch (a histogram per unit: rank quantiles within 0.1 % of the units, exact
    /// below 500 units; scores within 0.5 %), or auto (exact where it fits in memory)
    #[arg(long, value_enum, default_value = "auto")]
    pub quantiles: QuantilesArg,
}

/// The framework's `[sensitivity]` settings with the command line's overrides.
fn settings(args: &SensitivityArgs, sens: &sensitivity::Sensitivity) -> Result<Settings> {
    let mut settings = Settings::from_framework(sens);
    if let Some(n) = args.samples {
        settings.samples = sensitivity::check_samples(n).map_err(|message| Error::Argument {
            name: "samples".into(),
            message,
        })?;
    }
    if let Some(s) = args.seed {
        settings.seed = s;
    }
    if let Some(b) = args.bootstrap {
        settings.bootstrap = b;
    }
    if let Some(m) = args.method {
        settings.method = match m {
            MethodArg::Sobol => Method::Sobol,
            MethodArg::Montecarlo => Method::MonteCarlo,
        };
    }
    if let Some(p) = &args.period {
        settings.period = Some(super::parse_period("period", p)?);
    }
    settings.quantiles = match args.quantiles {
        QuantilesArg::Auto => Quantiles::Auto,
        QuantilesArg::Exact => Quantiles::Exact,
        QuantilesArg::Sketch => Quantiles::Sketch,
    };
    if let Some(path) = &args.samples_from {
        settings.samples_from = Some(output::sensitivity::read_samples(path, sens.factors.len())?);
    }
    Ok(settings)
}

/// Worker threads: all cores, or as asked up to a limit (more threads than cores only
/// wait for each other; thousands never finish starting).
fn threads(asked: Option<usize>) -> Result<usize> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = asked.unwrap_or(cores);
    let max_threads = (8 * cores).max(64);
    if threads == 0 || threads > max_threads {
        return Err(Error::argument(
            "threads",
            format!("expected 1 to {max_threads} threads (this machine has {cores} cores), found {threads}"),
        ));
    }
    Ok(threads)
}

/// indicatif behind the library's progress observer.
struct Bar(ProgressBar);

impl Progress for Bar {
    fn start(&self, total: u64) {
        self.0.set_length(total);
    }
    fn advance(&self, runs: u64) {
        self.0.inc(runs);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

pub fn run(args: SensitivityArgs) -> Result<()> {
    let started = Instant::now();
    args.output
        .check(&["uncertainty.csv", "sobol.csv", "manifest.json"], &args.input.paths())?;
    let (fw, framework_bytes) = Framework::read(&args.input.framework)?;
    let sens = fw.sensitivity()?;
    let settings = settings(&args, sens)?;
    let panel = args.input.data.load(&fw)?;
    let loaded = started.elapsed().as_secs_f64();

    let threads = threads(args.threads)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Argument {
            name: "threads".into(),
            message: e.to_string(),
        })?;
    let bar = ProgressBar::with_draw_target(
        None,
        if args.output.quiet || !std::io::stderr().is_terminal() {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        },
    );
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} runs ({per_sec}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let analysis = pool.install(|| uncertainty::run(&fw, &panel, &settings, &Bar(bar)))?;
    let analysed = started.elapsed().as_secs_f64();

    let mut inputs = args.input.paths();
    inputs.extend(args.samples_from.as_deref());
    let mut set = args.output.begin(&inputs, &[&fw])?;
    let uncertainty_path = set.final_path("uncertainty.csv");
    let uncertainty_staged = set.stage("uncertainty.csv")?;
    let sobol_path = (settings.method == Method::Sobol).then(|| set.final_path("sobol.csv"));
    let sobol_staged = sobol_path.as_ref().map(|_| set.stage("sobol.csv")).transpose()?;
    // The two tables are written side by side.
    let style = Style::default();
    let write = |staged: &std::path::Path, path: &std::path::Path, table: output::tables::Table<'_>| {
        // Staged by path: the set hashes them at its commit.
        output::set::write_file(staged, path, |w| {
            output::csv::write_table(w, style, &table.header, table.rows)
        })
        .map(drop)
    };
    let (uncertainty, sobol) = pool.install(|| {
        rayon::join(
            || {
                write(
                    &uncertainty_staged,
                    &uncertainty_path,
                    output::sensitivity::uncertainty(&analysis),
                )
            },
            || match (&sobol_staged, &sobol_path) {
                (Some(staged), Some(path)) => write(staged, path, output::sensitivity::sobol(&analysis)),
                _ => Ok(()),
            },
        )
    });
    uncertainty?;
    sobol?;
    let mut written = vec![uncertainty_path];
    written.extend(sobol_path);
    written.push(set.final_path("manifest.json"));
    let mut phases = serde_json::Map::new();
    phases.insert("load".into(), serde_json::json!(loaded));
    for (k, v) in &analysis.timings {
        phases.insert(k.to_string(), serde_json::json!(v));
    }
    phases.insert(
        "write".into(),
        serde_json::json!(started.elapsed().as_secs_f64() - analysed),
    );
    let manifest = serde_json::json!({
        "riskscore_version": env!("CARGO_PKG_VERSION"),
        "command": "sensitivity",
        "created_utc": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "elapsed_seconds": started.elapsed().as_secs_f64(),
        "framework": { "file": fw.file, "sha256": sha256_hex(&framework_bytes) },
        "data": panel.sources,
        "weight_sets": weight_set_files(&fw)?,
        "method": settings.method,
        "seed": settings.seed,
        "samples_n": analysis.n,
        "factors_d": analysis.factors.len(),
        "factors": analysis.factors,
        "sobol_groups": analysis.groups,
        "model_runs": analysis.runs,
        "normalised_matrices": analysis.matrices,
        "quantiles": {
            "method": analysis.quantiles,
            "rank_within": analysis.rank_bound,
            "score_relative_within": analysis.score_accuracy,
        },
        "phase_seconds": phases,
        "bootstrap": settings.bootstrap,
        "confidence": settings.confidence,
        "threads": threads,
        "samples_from": args.samples_from.as_ref().map(|p| p.display().to_string()),
        "mean_abs_shift_by_period": analysis.mean_abs_shift_by_period.iter().map(|(p, v)| serde_json::json!({"period": p.to_string(), "mean_abs_shift": v})).collect::<Vec<_>>(),
        "outputs": written.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
    });
    args.output.commit(set, &manifest)?;
    if !args.output.quiet {
        super::print(&output::sensitivity::summary(&analysis))?;
        say!(
            "{} model runs (N = {}, d = {}) on {threads} threads in {:.2} s; wrote {}",
            analysis.runs,
            analysis.n,
            analysis.factors.len(),
            started.elapsed().as_secs_f64(),
            args.output.out.display()
        );
    }
    Ok(())
}

/// The weight-set files of the `weight_sets` factors, with their SHA-256, for the
/// manifest.
fn weight_set_files(fw: &Framework) -> Result<Vec<serde_json::Value>> {
    let Some(sens) = &fw.sensitivity else {
        return Ok(Vec::new());
    };
    sens.factors
        .iter()
        .filter_map(|f| match &f.kind {
            FactorKind::WeightSets { file, .. } => Some(file),
            _ => None,
        })
        .map(|file| {
            let bytes =
                riskscore::input::file::read(std::path::Path::new(file), "weight sets file", Default::default())?;
            Ok(serde_json::json!({ "file": file, "sha256": sha256_hex(&bytes) }))
        })
        .collect()
}

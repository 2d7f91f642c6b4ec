//! `riskscore sensitivity`: rank intervals and Sobol indices.

use super::args::{parse_period, Inputs, OutDir};
use super::terminal::print;
use crate::framework::sensitivity::{self, FactorKind, Method};
use crate::framework::Framework;
use crate::hash::sha256_hex;
use crate::output;
use crate::output::csv::Style;
use crate::uncertainty::{self, Progress, Quantiles, Settings};
use crate::{Error, Result};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
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
    /// Run only shard K of N of the design (K from 1) and write its partial state for
    /// `merge-shards`; `auto` takes K and N from a Slurm job array
    /// (SLURM_ARRAY_TASK_ID, _MIN, _STEP, _COUNT), `auto/N` K
    /// from a Kubernetes Indexed Job (JOB_COMPLETION_INDEX) or Slurm
    #[arg(long, value_name = "K/N|auto|auto/N")]
    pub shard: Option<String>,
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
        settings.period = Some(parse_period("period", p)?);
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

/// The shard asked for: `K/N`, or `auto` / `auto/N` from the job engine's environment.
pub fn shard(text: &str, env: impl Fn(&str) -> Option<String>) -> Result<uncertainty::Shard> {
    let bad = |message: String| Error::argument("shard", message);
    let Some(rest) = text.strip_prefix("auto") else {
        return uncertainty::Shard::parse(text).map_err(bad);
    };
    let number = |name: &str| -> Result<Option<usize>> {
        env(name)
            .map(|v| {
                v.trim()
                    .parse::<usize>()
                    .map_err(|_| bad(format!("{name} is `{v}`, not a whole number")))
            })
            .transpose()
    };
    let given_n = match rest.strip_prefix('/') {
        Some(n) => Some(
            n.trim()
                .parse::<usize>()
                .map_err(|_| bad(format!("expected auto, auto/N or K/N, found `{text}`")))?,
        ),
        None if rest.is_empty() => None,
        None => return Err(bad(format!("expected auto, auto/N or K/N, found `{text}`"))),
    };
    let (index, of, source) = if let Some(task) = number("SLURM_ARRAY_TASK_ID")? {
        let min = number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
        let step = number("SLURM_ARRAY_TASK_STEP")?.unwrap_or(1).max(1);
        let count = number("SLURM_ARRAY_TASK_COUNT")?;
        let offset = task.checked_sub(min).ok_or_else(|| {
            bad(format!(
                "SLURM_ARRAY_TASK_ID {task} is below SLURM_ARRAY_TASK_MIN {min}"
            ))
        })?;
        let of = match (given_n, count) {
            (Some(n), Some(c)) if n != c => {
                return Err(bad(format!(
                    "--shard {text} says {n} shards and SLURM_ARRAY_TASK_COUNT says {c}: give one (--shard auto takes Slurm's)"
                )))
            }
            (n, c) => n.or(c),
        };
        (offset / step, of, format!("SLURM_ARRAY_TASK_ID {task}"))
    } else if let Some(index) = number("JOB_COMPLETION_INDEX")? {
        (index, given_n, format!("JOB_COMPLETION_INDEX {index}"))
    } else {
        return Err(bad(
            "--shard auto reads SLURM_ARRAY_TASK_ID (a Slurm job array) or JOB_COMPLETION_INDEX (a Kubernetes Indexed Job), and neither is set: give --shard K/N".into(),
        ));
    };
    let Some(of) = of.filter(|&n| n > 0) else {
        return Err(bad(format!(
            "--shard {text}: the number of shards is not in the environment (SLURM_ARRAY_TASK_COUNT) nor given: give --shard auto/N with N >= 1"
        )));
    };
    if index >= of {
        return Err(bad(format!(
            "--shard {text}: {source} is shard {} of {of}, past the last: give N as the number of tasks",
            index.saturating_add(1)
        )));
    }
    Ok(uncertainty::Shard { k: index + 1, of })
}

/// What shards must share: the framework's and data files' SHA-256 and a hash of the
/// options that shape the design and its results.
pub fn identity(
    framework_bytes: &[u8],
    panel: &crate::data::Panel,
    settings: &Settings,
    weight_sets: &[serde_json::Value],
) -> uncertainty::shard::Identity {
    let options = format!(
        "samples={} bootstrap={} confidence={} method={:?} period={:?} quantiles=sketch weight_sets={}",
        settings.samples,
        settings.bootstrap,
        settings.confidence,
        settings.method,
        settings.period.map(|p| p.to_string()),
        serde_json::Value::Array(weight_sets.to_vec())
    );
    uncertainty::shard::Identity {
        framework: sha256_hex(framework_bytes),
        data: panel.sources.iter().map(|s| s.sha256.clone()).collect(),
        options: sha256_hex(options.as_bytes()),
        seed: settings.seed,
    }
}

/// Worker threads: all cores, or as asked up to a limit (more threads than cores only
/// wait for each other; thousands never finish starting).
pub fn threads(asked: Option<usize>) -> Result<usize> {
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
pub struct Bar(pub ProgressBar);

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
    let shard = args
        .shard
        .as_deref()
        .map(|text| shard(text, |name| std::env::var(name).ok()))
        .transpose()?;
    if shard.is_some() && args.samples_from.is_some() {
        return Err(Error::argument(
            "shard",
            "shards split the framework's own design; --samples-from gives the runs instead: leave out one of them"
                .to_string(),
        ));
    }
    match shard {
        Some(shard) => args.output.check(
            &[uncertainty::shard::file_name(shard).as_str(), "manifest.json"],
            &args.input.paths(),
        )?,
        None => args
            .output
            .check(&["uncertainty.csv", "sobol.csv", "manifest.json"], &args.input.paths())?,
    }
    let (fw, framework_bytes) = Framework::read(&args.input.framework)?;
    let sens = fw.sensitivity()?;
    let settings = settings(&args, sens)?;
    if let Some(shard) = shard {
        another_shard(&args.output.out, shard)?;
    }
    let panel = args.input.data.load(&fw)?;
    let loaded = started.elapsed().as_secs_f64();
    let threads = threads(args.threads)?;
    let pool = pool(threads)?;
    let bar = Bar(progress_bar(args.output.quiet));
    if let Some(shard) = shard {
        let identity = identity(&framework_bytes, &panel, &settings, &weight_set_files(&fw)?);
        let partial = pool.install(|| uncertainty::run_shard(&fw, &panel, &settings, shard, identity, &bar))?;
        return write_shard(&args, &fw, &framework_bytes, &panel, &partial, threads, started);
    }
    let analysis = pool.install(|| uncertainty::run(&fw, &panel, &settings, &bar))?;
    let mut inputs = args.input.paths();
    inputs.extend(args.samples_from.as_deref());
    let run = Run {
        fw: &fw,
        framework_bytes: &framework_bytes,
        panel: &panel,
        settings: &settings,
        threads,
        started,
        loaded,
    };
    let mut extra = serde_json::Map::new();
    extra.insert(
        "samples_from".into(),
        serde_json::json!(args.samples_from.as_ref().map(|p| p.display().to_string())),
    );
    write_outputs(&args.output, &inputs, &run, &analysis, &pool, extra)
}

/// A rayon pool of `threads` threads.
pub fn pool(threads: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Argument {
            name: "threads".into(),
            message: e.to_string(),
        })
}

/// The runs' progress bar on a terminal (hidden when quiet or not a terminal).
pub fn progress_bar(quiet: bool) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(
        None,
        if quiet || !std::io::stderr().is_terminal() {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        },
    );
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} runs ({per_sec}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// Refuses an output folder that holds another shard's partial state.
fn another_shard(out: &std::path::Path, shard: uncertainty::Shard) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(out) else {
        return Ok(());
    };
    let own = uncertainty::shard::file_name(shard);
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.ends_with(".rsshard") && name != own {
            return Err(Error::argument(
                "out",
                format!(
                    "{} holds another shard's partial state ({name}); this is shard {shard}: give each shard its own folder",
                    out.display()
                ),
            ));
        }
    }
    Ok(())
}

/// Writes a shard's partial state and its manifest.
fn write_shard(
    args: &SensitivityArgs,
    fw: &Framework,
    framework_bytes: &[u8],
    panel: &crate::data::Panel,
    partial: &uncertainty::shard::Partial,
    threads: usize,
    started: Instant,
) -> Result<()> {
    let shard = partial.header().shard();
    let name = uncertainty::shard::file_name(shard);
    let mut set = args.output.begin(&args.input.paths(), &[fw])?;
    // Again under the folder's lock: a task that started beside this one may have
    // written its shard here meanwhile.
    another_shard(&args.output.out, shard)?;
    let path = set.final_path(&name);
    let staged = set.stage(&name)?;
    output::set::write_file(&staged, &path, |w| {
        partial.write_to(std::io::BufWriter::with_capacity(1 << 20, w))
    })?;
    let bytes = std::fs::metadata(&staged)
        .map_err(|e| Error::io(&staged, "read", e))?
        .len();
    let samples = partial.header().samples();
    let manifest = serde_json::json!({
        "riskscore_version": env!("CARGO_PKG_VERSION"),
        "command": "sensitivity --shard",
        "created_utc": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "elapsed_seconds": started.elapsed().as_secs_f64(),
        "framework": { "file": fw.file, "sha256": sha256_hex(framework_bytes) },
        "data": panel.sources,
        "shard": { "k": shard.k, "of": shard.of, "samples": [samples.start, samples.end], "format": uncertainty::shard::VERSION },
        "settings": partial.header().settings(),
        "threads": threads,
        "outputs": [path.display().to_string(), set.final_path("manifest.json").display().to_string()],
    });
    args.output.commit(set, &manifest)?;
    if !args.output.quiet {
        say!(
            "shard {shard}: samples {}..{} of N = {} in {:.2} s; wrote {} ({} bytes): merge the shards with riskscore merge-shards",
            samples.start,
            samples.end,
            partial.header().settings().samples,
            started.elapsed().as_secs_f64(),
            path.display(),
            bytes
        );
    }
    Ok(())
}

/// What the outputs of an analysis are written from.
pub struct Run<'a> {
    pub fw: &'a Framework,
    pub framework_bytes: &'a [u8],
    pub panel: &'a crate::data::Panel,
    pub settings: &'a Settings,
    pub threads: usize,
    pub started: Instant,
    pub loaded: f64,
}

/// The seconds each phase took, for the manifest: loading, the analysis' own phases,
/// and writing the outputs.
fn phase_seconds(
    loaded: f64,
    analysis: &uncertainty::Analysis,
    write: f64,
) -> serde_json::Map<String, serde_json::Value> {
    let mut phases = serde_json::Map::new();
    phases.insert("load".into(), serde_json::json!(loaded));
    for (k, v) in &analysis.timings {
        phases.insert(k.to_string(), serde_json::json!(v));
    }
    phases.insert("write".into(), serde_json::json!(write));
    phases
}

/// Writes uncertainty.csv, sobol.csv and manifest.json (with `extra` fields) and says
/// what was done.
pub fn write_outputs(
    out: &OutDir,
    inputs: &[&std::path::Path],
    run: &Run<'_>,
    analysis: &uncertainty::Analysis,
    pool: &rayon::ThreadPool,
    extra: serde_json::Map<String, serde_json::Value>,
) -> Result<()> {
    let Run {
        fw,
        framework_bytes,
        panel,
        settings,
        threads,
        started,
        loaded,
    } = *run;
    let analysed = started.elapsed().as_secs_f64();
    let mut set = out.begin(inputs, &[fw])?;
    let uncertainty_path = set.final_path("uncertainty.csv");
    let uncertainty_staged = set.stage("uncertainty.csv")?;
    let sobol_path = (settings.method == Method::Sobol).then(|| set.final_path("sobol.csv"));
    let sobol_staged = sobol_path.as_ref().map(|_| set.stage("sobol.csv")).transpose()?;
    // The two tables are written side by side.
    let style = Style::default();
    let write = |staged: &std::path::Path, path: &std::path::Path, table: output::table::Table<'_>| {
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
                    output::sensitivity::uncertainty(analysis),
                )
            },
            || match (&sobol_staged, &sobol_path) {
                (Some(staged), Some(path)) => write(staged, path, output::sensitivity::sobol(analysis)),
                _ => Ok(()),
            },
        )
    });
    uncertainty?;
    sobol?;
    let mut written = vec![uncertainty_path];
    written.extend(sobol_path);
    written.push(set.final_path("manifest.json"));
    let phases = phase_seconds(loaded, analysis, started.elapsed().as_secs_f64() - analysed);
    let mut manifest = serde_json::json!({
        "riskscore_version": env!("CARGO_PKG_VERSION"),
        "command": "sensitivity",
        "created_utc": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "elapsed_seconds": started.elapsed().as_secs_f64(),
        "framework": { "file": fw.file, "sha256": sha256_hex(framework_bytes) },
        "data": panel.sources,
        "weight_sets": weight_set_files(fw)?,
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
        "mean_abs_shift_by_period": analysis.mean_abs_shift_by_period.iter().map(|(p, v)| serde_json::json!({"period": p.to_string(), "mean_abs_shift": v})).collect::<Vec<_>>(),
        "outputs": written.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
    });
    if let Some(fields) = manifest.as_object_mut() {
        fields.extend(extra);
    }
    out.commit(set, &manifest)?;
    if !out.quiet {
        print(&output::sensitivity::summary(analysis))?;
        say!(
            "{} model runs (N = {}, d = {}) on {threads} threads in {:.2} s; wrote {}",
            analysis.runs,
            analysis.n,
            analysis.factors.len(),
            started.elapsed().as_secs_f64(),
            out.out.display()
        );
    }
    Ok(())
}

/// The weight-set files of the `weight_sets` factors, with their SHA-256, for the
/// manifest.
pub fn weight_set_files(fw: &Framework) -> Result<Vec<serde_json::Value>> {
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
            let bytes = crate::input::file::read(std::path::Path::new(file), "weight sets file", Default::default())?;
            Ok(serde_json::json!({ "file": file, "sha256": sha256_hex(&bytes) }))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
    }

    #[test]
    fn shards_from_the_job_engines_environment() {
        let k = |text: &str, vars: &[(&str, &str)]| shard(text, env(vars)).map(|s| (s.k, s.of));
        assert_eq!(k("3/4", &[]).unwrap(), (3, 4));
        // Slurm: --array=0-3, task 2; --array=1-8:2 (1, 3, 5, 7), task 5 is the third.
        let slurm = [
            ("SLURM_ARRAY_TASK_ID", "2"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ];
        assert_eq!(k("auto", &slurm).unwrap(), (3, 4));
        assert_eq!(k("auto/4", &slurm).unwrap(), (3, 4));
        let stepped = [
            ("SLURM_ARRAY_TASK_ID", "5"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_STEP", "2"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ];
        assert_eq!(k("auto", &stepped).unwrap(), (3, 4));
        // Kubernetes: the index, and N as given.
        assert_eq!(k("auto/10", &[("JOB_COMPLETION_INDEX", "9")]).unwrap(), (10, 10));
        let err = |text: &str, vars: &[(&str, &str)]| shard(text, env(vars)).unwrap_err().to_string();
        assert!(err("auto/5", &slurm).contains("says 5 shards and SLURM_ARRAY_TASK_COUNT says 4"));
        assert!(err("auto/10", &[("JOB_COMPLETION_INDEX", "10")])
            .contains("JOB_COMPLETION_INDEX 10 is shard 11 of 10, past the last"));
        assert!(
            err("auto", &[("JOB_COMPLETION_INDEX", "0")]).contains("the number of shards is not in the environment")
        );
        assert!(err("auto/0", &[("JOB_COMPLETION_INDEX", "0")]).contains("--shard auto/0: the number of shards"));
        let huge = usize::MAX.to_string();
        assert!(err("auto/3", &[("JOB_COMPLETION_INDEX", &huge)]).contains("past the last"));
        assert!(err("auto", &[("SLURM_ARRAY_TASK_ID", "x")]).contains("SLURM_ARRAY_TASK_ID is `x`, not a whole number"));
        assert!(err("autox", &[]).contains("expected auto, auto/N or K/N, found `autox`"));
    }
}

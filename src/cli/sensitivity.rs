//! `riskscore sensitivity`: rank intervals and Sobol indices.

use super::DataArgs;
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use riskscore::framework::sensitivity::{self, Method};
use riskscore::framework::Framework;
use riskscore::output::csv::{write_table, Cell, Style};
use riskscore::output::{self, manifest::sha256_hex};
use riskscore::uncertainty::{self, Analysis, Progress, Settings};
use riskscore::{Error, Result};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum MethodArg {
    Sobol,
    Montecarlo,
}

#[derive(Args, Debug)]
pub struct SensitivityArgs {
    /// Framework file (TOML) with a [sensitivity] block
    #[arg(short = 'f', long = "framework", value_name = "FILE")]
    pub framework: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
    /// Output folder: uncertainty.csv, sobol.csv, manifest.json
    #[arg(short = 'o', long = "out", value_name = "DIR")]
    pub out: PathBuf,
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
    /// No progress bar or summary
    #[arg(short, long)]
    pub quiet: bool,
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
    let (fw, framework_bytes) = Framework::read(&args.framework)?;
    let sens = fw.sensitivity()?;
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
    if let Some(path) = &args.samples_from {
        settings.samples_from = Some(read_samples(path, sens.factors.len())?);
    }
    let panel = args.data.load(&fw)?;
    let loaded = started.elapsed().as_secs_f64();

    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Argument {
            name: "threads".into(),
            message: e.to_string(),
        })?;
    let bar = ProgressBar::with_draw_target(
        None,
        if args.quiet || !std::io::stderr().is_terminal() {
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

    std::fs::create_dir_all(&args.out).map_err(|e| Error::io(&args.out, "cannot create output folder", e))?;
    let inputs = args.data.inputs_with(&args.framework);
    let uncertainty_path = args.out.join("uncertainty.csv");
    output::check_not_input(&uncertainty_path, &inputs)?;
    let sobol_path = (settings.method == Method::Sobol).then(|| args.out.join("sobol.csv"));
    if let Some(path) = &sobol_path {
        output::check_not_input(path, &inputs)?;
    }
    // The two tables are written side by side.
    let (uncertainty, sobol) = pool.install(|| {
        rayon::join(
            || write_uncertainty(&uncertainty_path, &analysis),
            || {
                sobol_path
                    .as_deref()
                    .map_or(Ok(()), |path| write_sobol(path, &analysis))
            },
        )
    });
    uncertainty?;
    sobol?;
    let mut written = vec![uncertainty_path];
    written.extend(sobol_path);
    let manifest_path = args.out.join("manifest.json");
    output::check_not_input(&manifest_path, &inputs)?;
    written.push(manifest_path.clone());
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
        "method": settings.method,
        "seed": settings.seed,
        "samples_n": analysis.n,
        "factors_d": analysis.factors.len(),
        "factors": analysis.factors,
        "sobol_groups": analysis.groups,
        "model_runs": analysis.runs,
        "normalised_matrices": analysis.matrices,
        "phase_seconds": phases,
        "bootstrap": settings.bootstrap,
        "confidence": settings.confidence,
        "threads": threads,
        "samples_from": args.samples_from.as_ref().map(|p| p.display().to_string()),
        "mean_abs_shift_by_period": analysis.mean_abs_shift_by_period.iter().map(|(p, v)| serde_json::json!({"period": p.to_string(), "mean_abs_shift": v})).collect::<Vec<_>>(),
        "outputs": written.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
    });
    output::write_json(&manifest_path, &manifest)?;
    if !args.quiet {
        super::print(&summary(&analysis))?;
        eprintln!(
            "{} model runs (N = {}, d = {}) on {threads} threads in {:.2} s; wrote {}",
            analysis.runs,
            analysis.n,
            analysis.factors.len(),
            started.elapsed().as_secs_f64(),
            args.out.display()
        );
    }
    Ok(())
}

/// Reads a sample matrix: a header, then one row per run with d values in [0, 1].
fn read_samples(path: &Path, d: usize) -> Result<Vec<f64>> {
    let name = path.display().to_string();
    let mut reader = csv::ReaderBuilder::new().from_path(path).map_err(|e| Error::Data {
        file: name.clone(),
        message: format!("cannot read: {e}"),
    })?;
    let header_len = reader.headers().map(|h| h.len()).unwrap_or(0);
    if header_len < d {
        return Err(Error::Data {
            file: name,
            message: format!(
                "expected at least {d} columns (one per factor, in the framework's order), found {header_len}"
            ),
        });
    }
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| Error::Data {
            file: name.clone(),
            message: format!("row {}: {e}", i + 2),
        })?;
        for j in 0..d {
            let text = record.get(j).unwrap_or("");
            match text.trim().parse::<f64>() {
                Ok(v) if (0.0..=1.0).contains(&v) => out.push(v),
                _ => {
                    return Err(Error::Cell {
                        file: name,
                        row: i + 2,
                        column: reader
                            .headers()
                            .ok()
                            .and_then(|h| h.get(j).map(str::to_string))
                            .unwrap_or_default(),
                        message: format!("expected a number in [0, 1], found `{text}`"),
                    })
                }
            }
        }
    }
    Ok(out)
}

fn write_uncertainty(path: &Path, a: &Analysis) -> Result<()> {
    let header: Vec<String> = [
        "unit",
        "period",
        "nominal_rank",
        "median_rank",
        "q05_rank",
        "q95_rank",
        "mean_abs_shift",
        "nominal_score",
        "median_score",
        "q05_score",
        "q95_score",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let rows = a.stats.iter().map(|s| {
        vec![
            Cell::Text(s.unit.clone()),
            Cell::Text(s.period.to_string()),
            Cell::rank(s.nominal_rank),
            Cell::Num(s.median_rank, 2),
            Cell::Num(s.q05_rank, 2),
            Cell::Num(s.q95_rank, 2),
            Cell::Num(s.mean_abs_shift, 6),
            Cell::Num(s.nominal_score, 6),
            Cell::Num(s.median_score, 6),
            Cell::Num(s.q05_score, 6),
            Cell::Num(s.q95_score, 6),
        ]
    });
    output::write_atomic(path, |w| write_table(w, Style::default(), &header, rows))
}

fn write_sobol(path: &Path, a: &Analysis) -> Result<()> {
    let header: Vec<String> = ["output", "factor", "s1", "s1_lo", "s1_hi", "st", "st_lo", "st_hi"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let rows = a.sobol.iter().map(|s| {
        vec![
            Cell::Text(s.output.clone()),
            Cell::Text(s.factor.clone()),
            Cell::Num(s.s1, 6),
            Cell::Num(s.s1 - s.s1_conf, 6),
            Cell::Num(s.s1 + s.s1_conf, 6),
            Cell::Num(s.st, 6),
            Cell::Num(s.st - s.st_conf, 6),
            Cell::Num(s.st + s.st_conf, 6),
        ]
    });
    output::write_atomic(path, |w| write_table(w, Style::default(), &header, rows))
}

/// Which factors move the ranking most: mean S1/ST of the mean-shift outputs.
fn summary(a: &Analysis) -> String {
    let mut text = String::new();
    for (period, shift) in &a.mean_abs_shift_by_period {
        text.push_str(&format!(
            "period {period}: mean |rank shift| from nominal = {shift:.3} places\n"
        ));
        let output = format!("mean_abs_shift:{period}");
        let mut rows: Vec<_> = a.sobol.iter().filter(|s| s.output == output).collect();
        rows.sort_by(|x, y| y.st.total_cmp(&x.st));
        for s in rows {
            text.push_str(&format!(
                "  {:<28} S1 {:>7.3} ± {:.3}   ST {:>7.3} ± {:.3}\n",
                s.factor, s.s1, s.s1_conf, s.st, s.st_conf
            ));
        }
    }
    text
}

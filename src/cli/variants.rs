//! `riskscore compare`, `backtest` and `bench`: scoring variants side by side, against
//! what happened next, and against the clock.

use super::DataArgs;
use clap::Args;
use riskscore::backtest::{self, Estimate};
use riskscore::compare::{self, Scored};
use riskscore::data::{self, Panel, Source};
use riskscore::output::{self, csv::Cell, csv::Style, manifest::sha256_hex};
use riskscore::score::{score, Results};
use riskscore::variants::{self, Variant};
use riskscore::{Error, Result};
use std::path::PathBuf;
use std::time::Instant;

/// Framework files and the variants to use.
#[derive(Args, Debug)]
pub struct VariantArgs {
    /// Framework file (TOML); repeat to compare frameworks (each named by its file stem)
    #[arg(short = 'f', long = "framework", value_name = "FILE", required = true)]
    pub framework: Vec<PathBuf>,
    /// Variants to use, comma-separated (default: all; `base` is the framework as written)
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub variants: Vec<String>,
}

impl VariantArgs {
    fn read(&self) -> Result<Vec<Variant>> {
        variants::select(variants::read_many(&self.framework)?, &self.variants)
    }
}

/// Loads the data once (stdin can be read only once) and gives each variant its panel.
struct Loaded {
    sources: Vec<Source>,
    options: data::LoadOptions,
}

impl Loaded {
    fn new(args: &DataArgs, extra: Vec<(String, String)>) -> Result<Loaded> {
        let mut options = args.options()?;
        options.extra_columns = extra;
        Ok(Loaded {
            sources: args.sources()?,
            options,
        })
    }

    fn panel(&self, v: &Variant) -> Result<Panel> {
        data::load(&v.framework, &self.sources, &self.options)
    }
}

fn out_dir(dir: &PathBuf) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "cannot create output folder", e))
}

#[derive(Args, Debug)]
pub struct CompareArgs {
    #[command(flatten)]
    pub variants: VariantArgs,
    #[command(flatten)]
    pub data: DataArgs,
    /// Output folder: variants.csv, agreement.csv, manifest.json
    #[arg(short = 'o', long = "out", value_name = "DIR")]
    pub out: PathBuf,
    /// k of the top-k overlap
    #[arg(long, default_value_t = 3)]
    pub top_k: usize,
    /// Excel-friendly CSV: UTF-8 BOM, ';' delimiter, decimal comma
    #[arg(long)]
    pub excel: bool,
    /// Print nothing but errors
    #[arg(short, long)]
    pub quiet: bool,
}

pub fn compare(args: CompareArgs) -> Result<()> {
    let started = Instant::now();
    let vs = args.variants.read()?;
    if vs.len() < 2 {
        return Err(Error::Data {
            file: args.variants.framework[0].display().to_string(),
            message: "nothing to compare: declare [[variant]] entries, pass several -f files, or list at least two --variants".into(),
        });
    }
    let loaded = Loaded::new(&args.data, Vec::new())?;
    let mut results: Vec<Results> = Vec::new();
    for v in &vs {
        let panel = loaded.panel(v)?;
        results.push(score(&v.framework, &panel).map_err(|e| in_variant(&v.name, e))?);
    }
    let scored: Vec<Scored> = vs
        .iter()
        .zip(&results)
        .map(|(v, r)| Scored {
            name: &v.name,
            framework: &v.framework,
            results: r,
        })
        .collect();
    let cmp = compare::compare(&scored, args.top_k);

    out_dir(&args.out)?;
    let inputs = input_paths(&args.variants, &args.data);
    let input_refs: Vec<&std::path::Path> = inputs.iter().map(PathBuf::as_path).collect();
    let style = Style { excel: args.excel };
    let mut header = vec!["unit".to_string(), "period".to_string()];
    for n in &cmp.names {
        header.extend([format!("score_{n}"), format!("rank_{n}"), format!("class_{n}")]);
    }
    let rows = cmp.rows.iter().map(|((p, u), row)| {
        let mut cells = vec![Cell::Text(u.clone()), Cell::Text(p.to_string())];
        for v in row {
            match v {
                Some((s, r, c)) => cells.extend([
                    Cell::Num(*s, 6),
                    Cell::rank(*r),
                    c.clone().map_or(Cell::Empty, Cell::Text),
                ]),
                None => cells.extend([Cell::Empty, Cell::Empty, Cell::Empty]),
            }
        }
        cells
    });
    let variants_path = args.out.join("variants.csv");
    output::check_not_input(&variants_path, &input_refs)?;
    output::write_atomic(&variants_path, |w| output::csv::write_table(w, style, &header, rows))?;

    let header: Vec<String> = [
        "period",
        "variant_a",
        "variant_b",
        "n",
        "spearman",
        "kendall_tau_b",
        "mean_abs_rank_shift",
        "max_abs_rank_shift",
        "class_change_share",
        "top_k_overlap",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let rows = cmp.agreement.iter().map(|a| {
        vec![
            Cell::Text(a.period.to_string()),
            Cell::Text(a.a.clone()),
            Cell::Text(a.b.clone()),
            Cell::Int(a.n as i64),
            Cell::Num(a.spearman, 4),
            Cell::Num(a.kendall_tau_b, 4),
            Cell::Num(a.mean_abs_rank_shift, 4),
            Cell::Num(a.max_abs_rank_shift, 1),
            Cell::Num(a.class_change_share, 4),
            Cell::Num(a.top_k_overlap, 4),
        ]
    });
    let agreement_path = args.out.join("agreement.csv");
    output::check_not_input(&agreement_path, &input_refs)?;
    output::write_atomic(&agreement_path, |w| output::csv::write_table(w, style, &header, rows))?;
    let manifest_path = args.out.join("manifest.json");
    output::check_not_input(&manifest_path, &input_refs)?;
    output::write_json(
        &manifest_path,
        &serde_json::json!({
            "command": "compare",
            "riskscore_version": env!("CARGO_PKG_VERSION"),
            "created_utc": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "variants": variant_info(&vs),
            "data": loaded.sources_info(),
            "top_k": args.top_k,
            "outputs": [variants_path.display().to_string(), agreement_path.display().to_string(), manifest_path.display().to_string()],
            "elapsed_seconds": started.elapsed().as_secs_f64(),
        }),
    )?;

    if !args.quiet {
        let last = cmp.agreement.iter().map(|a| a.period).max();
        if let Some(last) = last {
            let mut text = format!(
                "agreement in {last} (rho, tau-b: of the scores; shift: |rank difference|; top-{}: overlap)\n{:<18} {:<18} {:>4} {:>7} {:>7} {:>11} {:>9} {:>14} {:>7}\n",
                args.top_k, "variant a", "variant b", "n", "rho", "tau_b", "mean shift", "max shift", "class changes", "top-k"
            );
            for a in cmp.agreement.iter().filter(|a| a.period == last) {
                text.push_str(&format!(
                    "{:<18} {:<18} {:>4} {:>7.3} {:>7.3} {:>11.2} {:>9.0} {:>13.0}% {:>6.0}%\n",
                    a.a,
                    a.b,
                    a.n,
                    a.spearman,
                    a.kendall_tau_b,
                    a.mean_abs_rank_shift,
                    a.max_abs_rank_shift,
                    100.0 * a.class_change_share,
                    100.0 * a.top_k_overlap
                ));
            }
            super::print(&text)?;
        }
        eprintln!(
            "compared {} variants ({}) in {:.2} s; wrote {}",
            vs.len(),
            cmp.names.join(", "),
            started.elapsed().as_secs_f64(),
            args.out.display()
        );
    }
    Ok(())
}

fn in_variant(name: &str, e: Error) -> Error {
    match e {
        Error::Method { context, message } => Error::Method {
            context: format!("variant `{name}`: {context}"),
            message,
        },
        other => other,
    }
}

fn input_paths(v: &VariantArgs, d: &DataArgs) -> Vec<PathBuf> {
    v.framework.iter().chain(d.data.iter()).cloned().collect()
}

fn variant_info(vs: &[Variant]) -> serde_json::Value {
    serde_json::Value::Array(
        vs.iter()
            .map(|v| {
                serde_json::json!({
                    "name": v.name,
                    "description": v.description,
                    "framework": v.framework.file,
                    "sha256": sha256_hex(v.text.as_bytes()),
                })
            })
            .collect(),
    )
}

impl Loaded {
    fn sources_info(&self) -> serde_json::Value {
        serde_json::Value::Array(
            self.sources
                .iter()
                .map(|s| match s {
                    Source::File(p) => serde_json::json!({
                        "file": p.display().to_string(),
                        "sha256": std::fs::read(p).map(|b| sha256_hex(&b)).unwrap_or_default(),
                    }),
                    Source::Bytes { name, bytes } => {
                        serde_json::json!({ "file": name, "sha256": sha256_hex(bytes) })
                    }
                })
                .collect(),
        )
    }
}

#[derive(Args, Debug)]
pub struct BacktestArgs {
    #[command(flatten)]
    pub variants: VariantArgs,
    #[command(flatten)]
    pub data: DataArgs,
    /// Outcome: a data column or a derived column of the framework (e.g. next year's
    /// verified attacks, or GTI impact)
    #[arg(long, value_name = "COLUMN")]
    pub outcome: String,
    /// Periods ahead: scores at t against the outcome at t + horizon
    #[arg(long, default_value_t = 1)]
    pub horizon: i64,
    /// Binary outcome for AUROC, Brier and precision: outcome > threshold
    #[arg(long, default_value_t = 0.0)]
    pub threshold: f64,
    /// k of precision at k (per period)
    #[arg(long, default_value_t = 3)]
    pub top_k: usize,
    /// Bootstrap resamples of the units for the 95 % intervals (0 = none)
    #[arg(long, default_value_t = 1000)]
    pub bootstrap: usize,
    /// Seed of the bootstrap
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Output folder: backtest.csv, ranking.csv, manifest.json
    #[arg(short = 'o', long = "out", value_name = "DIR")]
    pub out: PathBuf,
    /// Excel-friendly CSV: UTF-8 BOM, ';' delimiter, decimal comma
    #[arg(long)]
    pub excel: bool,
    /// Print nothing but errors
    #[arg(short, long)]
    pub quiet: bool,
}

fn est(e: Estimate) -> [Cell; 3] {
    [Cell::Num(e.value, 4), Cell::Num(e.lo, 4), Cell::Num(e.hi, 4)]
}

pub fn backtest(args: BacktestArgs) -> Result<()> {
    let started = Instant::now();
    if args.horizon < 1 {
        return Err(Error::Argument {
            name: "horizon".into(),
            message: format!("expected 1 or more periods ahead, found {}", args.horizon),
        });
    }
    let vs = args.variants.read()?;
    let mut loaded = Loaded::new(&args.data, Vec::new())?;
    let mut runs = Vec::new();
    for v in &vs {
        // The outcome is read from the data unless the framework derives it.
        let derived = v.framework.derived.iter().any(|d| d.id == args.outcome);
        loaded.options.extra_columns = if derived {
            Vec::new()
        } else {
            vec![(args.outcome.clone(), "--outcome".to_string())]
        };
        let panel = loaded.panel(v)?;
        runs.push((v.name.clone(), v.framework.clone(), panel));
    }
    let settings = backtest::Settings {
        outcome: args.outcome.clone(),
        horizon: args.horizon,
        threshold: args.threshold,
        top_k: args.top_k,
        bootstrap: args.bootstrap,
        seed: args.seed,
    };
    let rows = backtest::run(&runs, &settings)?;

    out_dir(&args.out)?;
    let inputs = input_paths(&args.variants, &args.data);
    let input_refs: Vec<&std::path::Path> = inputs.iter().map(PathBuf::as_path).collect();
    let style = Style { excel: args.excel };
    let mut header: Vec<String> = ["variant", "period", "outcome_period", "n", "positives"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for m in ["spearman", "kendall_tau_b", "auroc", "brier", "precision_at_k"] {
        header.extend([m.to_string(), format!("{m}_lo"), format!("{m}_hi")]);
    }
    header.push("note".into());
    let table_rows = rows.iter().map(|r| {
        let mut cells = vec![
            Cell::Text(r.variant.clone()),
            Cell::Text(r.period.map_or("all".into(), |p| p.to_string())),
            r.outcome_period.map_or(Cell::Empty, |p| Cell::Text(p.to_string())),
            Cell::Int(r.n as i64),
            Cell::Int(r.positives as i64),
        ];
        for e in [r.spearman, r.kendall_tau_b, r.auroc, r.brier, r.precision_at_k] {
            cells.extend(est(e));
        }
        cells.push(Cell::Text(r.note.clone()));
        cells
    });
    let path = args.out.join("backtest.csv");
    output::check_not_input(&path, &input_refs)?;
    output::write_atomic(&path, |w| output::csv::write_table(w, style, &header, table_rows))?;
    let ranking = backtest::ranking(&rows);
    let rank_header: Vec<String> = [
        "rank",
        "variant",
        "spearman",
        "kendall_tau_b",
        "auroc",
        "brier",
        "precision_at_k",
        "n",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let rank_rows = ranking.iter().enumerate().map(|(i, r)| {
        vec![
            Cell::Int(i as i64 + 1),
            Cell::Text(r.variant.clone()),
            Cell::Num(r.spearman.value, 4),
            Cell::Num(r.kendall_tau_b.value, 4),
            Cell::Num(r.auroc.value, 4),
            Cell::Num(r.brier.value, 4),
            Cell::Num(r.precision_at_k.value, 4),
            Cell::Int(r.n as i64),
        ]
    });
    let ranking_path = args.out.join("ranking.csv");
    output::check_not_input(&ranking_path, &input_refs)?;
    output::write_atomic(&ranking_path, |w| {
        output::csv::write_table(w, style, &rank_header, rank_rows)
    })?;
    let manifest_path = args.out.join("manifest.json");
    output::check_not_input(&manifest_path, &input_refs)?;
    output::write_json(
        &manifest_path,
        &serde_json::json!({
            "command": "backtest",
            "riskscore_version": env!("CARGO_PKG_VERSION"),
            "created_utc": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "variants": variant_info(&vs),
            "data": loaded.sources_info(),
            "outcome": args.outcome,
            "horizon": args.horizon,
            "threshold": args.threshold,
            "top_k": args.top_k,
            "bootstrap": args.bootstrap,
            "seed": args.seed,
            "probability_mapping": "p = (score - lo) / (hi - lo) on the index scale, else the period's score range; clamped to [0, 1]",
            "outputs": [path.display().to_string(), ranking_path.display().to_string(), manifest_path.display().to_string()],
            "elapsed_seconds": started.elapsed().as_secs_f64(),
        }),
    )?;
    if !args.quiet {
        let fmt = |e: Estimate| {
            if e.value.is_nan() {
                "      -        ".to_string()
            } else if e.lo.is_nan() {
                format!("{:>6.3}         ", e.value)
            } else {
                format!("{:>6.3} [{:>5.2},{:>5.2}]", e.value, e.lo, e.hi)
            }
        };
        let pooled = ranking.first().map_or(0, |r| r.n);
        let mut text = format!(
            "backtest: score at t vs `{}` at t+{} ({} unit-periods pooled; binary: > {}; 95 % bootstrap intervals over units)\n{:<4} {:<18} {:<22} {:<22} {:<22} {:<22} {:<22}\n",
            args.outcome, args.horizon, pooled, args.threshold, "rank", "variant", "spearman", "kendall tau-b", "auroc", "brier", format!("precision@{}", args.top_k)
        );
        for (i, r) in ranking.iter().enumerate() {
            text.push_str(&format!(
                "{:<4} {:<18} {:<22} {:<22} {:<22} {:<22} {:<22}\n",
                i + 1,
                r.variant,
                fmt(r.spearman),
                fmt(r.kendall_tau_b),
                fmt(r.auroc),
                fmt(r.brier),
                fmt(r.precision_at_k)
            ));
        }
        super::print(&text)?;
        for r in rows.iter().filter(|r| !r.note.is_empty()) {
            eprintln!(
                "note: {} {}: {}",
                r.variant,
                r.period.map_or("all".into(), |p| p.to_string()),
                r.note
            );
        }
        eprintln!(
            "in {:.2} s; wrote {}",
            started.elapsed().as_secs_f64(),
            args.out.display()
        );
    }
    Ok(())
}

#[derive(Args, Debug)]
pub struct BenchArgs {
    #[command(flatten)]
    pub variants: VariantArgs,
    #[command(flatten)]
    pub data: DataArgs,
    /// Timed runs per variant (after one warm-up)
    #[arg(long, default_value_t = 10)]
    pub repeat: usize,
}

/// Times each variant's full scoring run: with the data load and without.
pub fn bench(args: BenchArgs) -> Result<()> {
    if args.repeat == 0 {
        return Err(Error::Argument {
            name: "repeat".into(),
            message: "expected 1 or more runs".into(),
        });
    }
    let vs = args.variants.read()?;
    let loaded = Loaded::new(&args.data, Vec::new())?;
    let mut text = format!(
        "{} runs per variant after a warm-up; milliseconds\n{:<20} {:>12} {:>12} {:>14} {:>14}\n",
        args.repeat, "variant", "score min", "score median", "load+score min", "load+score med"
    );
    let stats = |mut t: Vec<f64>| {
        t.sort_by(f64::total_cmp);
        (t[0], t[t.len() / 2])
    };
    for v in &vs {
        let panel = loaded.panel(v)?;
        score(&v.framework, &panel).map_err(|e| in_variant(&v.name, e))?;
        let mut only = Vec::new();
        let mut with_load = Vec::new();
        for _ in 0..args.repeat {
            let t = Instant::now();
            std::hint::black_box(score(&v.framework, &panel)?);
            only.push(t.elapsed().as_secs_f64() * 1e3);
            let t = Instant::now();
            let p = loaded.panel(v)?;
            std::hint::black_box(score(&v.framework, &p)?);
            with_load.push(t.elapsed().as_secs_f64() * 1e3);
        }
        let (a, b) = stats(only);
        let (c, d) = stats(with_load);
        text.push_str(&format!("{:<20} {a:>12.3} {b:>12.3} {c:>14.3} {d:>14.3}\n", v.name));
    }
    super::print(&text)
}

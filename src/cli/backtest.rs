//! `riskscore backtest`: each variant's scores at t against the outcome at t + horizon.

use super::variants::{input_paths, variant_info, Loaded, VariantArgs};
use super::DataArgs;
use super::{CsvStyle, OutDir};
use clap::Args;
use riskscore::backtest;
use riskscore::output::{self};
use riskscore::{Error, Result};
use std::path::PathBuf;
use std::time::Instant;

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
    #[command(flatten)]
    pub output: OutDir,
    #[command(flatten)]
    pub csv: CsvStyle,
}

pub fn run(args: BacktestArgs) -> Result<()> {
    let started = Instant::now();
    if args.horizon < 1 {
        return Err(Error::Argument {
            name: "horizon".into(),
            message: format!("expected 1 or more periods ahead, found {}", args.horizon),
        });
    }
    let inputs = input_paths(&args.variants, &args.data);
    let input_refs: Vec<&std::path::Path> = inputs.iter().map(PathBuf::as_path).collect();
    args.output
        .check(&["backtest.csv", "ranking.csv", "manifest.json"], &input_refs)?;
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
        let panel = loaded
            .shared_panel(v)
            .map_err(|e| with_derived_hint(e, &args.outcome, &v.framework))?;
        runs.push((v.name.clone(), v.framework.clone(), (*panel).clone()));
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

    let frameworks: Vec<&riskscore::framework::Framework> = vs.iter().map(|v| &v.framework).collect();
    let mut set = args.output.begin(&input_refs, &frameworks)?;
    let style = args.csv.style();
    let path = set.write_csv(output::backtest::backtest(&rows), style)?;
    let ranking = backtest::ranking(&rows);
    let ranking_path = set.write_csv(output::backtest::ranking(&ranking), style)?;
    let manifest_path = set.final_path("manifest.json");
    args.output.commit(
        set,
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
    if !args.output.quiet {
        let text = output::backtest::summary(&ranking, &args.outcome, args.horizon, args.threshold, args.top_k);
        super::print(&text)?;
        for r in rows.iter().filter(|r| !r.note.is_empty()) {
            say!(
                "note: {} {}: {}",
                r.variant,
                r.period.map_or("all".into(), |p| p.to_string()),
                r.note
            );
        }
        say!(
            "in {:.2} s; wrote {}",
            started.elapsed().as_secs_f64(),
            args.output.out.display()
        );
    }
    Ok(())
}

/// An outcome column missing from the data may be a typo of a derived column.
fn with_derived_hint(e: riskscore::Error, outcome: &str, fw: &riskscore::framework::Framework) -> riskscore::Error {
    match e {
        Error::MissingColumn {
            file,
            column,
            needed_by,
            hint,
        } if column == outcome => {
            let near = riskscore::error::suggest(outcome, fw.derived.iter().map(|d| d.id.as_str()));
            let hint = if near.is_empty() {
                hint
            } else {
                format!("{hint}{near} (a derived column of the framework)")
            };
            Error::MissingColumn {
                file,
                column,
                needed_by,
                hint,
            }
        }
        other => other,
    }
}

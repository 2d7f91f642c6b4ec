//! `riskscore backtest`: each variant's scores at t against the outcome at t + horizon.

use super::args::{CsvStyle, DataArgs, OutDir};
use super::terminal::print;
use super::variants::{input_paths, variant_info, Loaded, VariantArgs};
use crate::backtest::{self, Baseline};
use crate::output::{self};
use crate::{Error, Result};
use clap::{Args, ValueEnum};
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
    /// Periods ahead: scores at t against the outcome at t + step, each step apart: `1`,
    /// a range `1..3`, or a list `1,2,4`
    #[arg(long, default_value = "1", value_name = "STEPS")]
    pub horizon: String,
    /// An event: outcome > threshold (for AUROC, average precision, the Brier score, the
    /// log loss, precision at k and the baselines' rates)
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
    /// Naive forecasts backtested beside the variants, from the outcome's history up to
    /// t: persistence, mean:K (mean of the last K periods), own_rate (the unit's share of
    /// periods with an event), base_rate (all units' share), any:K (an event in the last
    /// K periods); or `none`
    #[arg(long, default_value = backtest::baselines::DEFAULT, value_name = "LIST")]
    pub baselines: String,
    /// Probabilities for the Brier score and log loss: `platt`, a logistic fit of the
    /// event on the forecast over the earlier origins whose outcome was known (Platt
    /// 1999); `none`, the forecast rescaled to [0, 1] on the index scale (or the
    /// period's range)
    #[arg(long, value_enum, default_value_t = CalibrationArg::Platt)]
    pub calibration: CalibrationArg,
    #[command(flatten)]
    pub output: OutDir,
    #[command(flatten)]
    pub csv: CsvStyle,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum CalibrationArg {
    Platt,
    None,
}

/// The files `backtest` writes.
const OUTPUTS: [&str; 6] = [
    "backtest.csv",
    "ranking.csv",
    "skill.csv",
    "reliability.csv",
    "forecasts.csv",
    "manifest.json",
];

pub fn run(args: BacktestArgs) -> Result<()> {
    let started = Instant::now();
    // Every problem of the options at once, before any data is read.
    let mut problems = Vec::new();
    let horizons = kept(backtest::parse_horizons(&args.horizon), &mut problems);
    let baselines: Vec<Baseline> = kept(Baseline::parse_list(&args.baselines), &mut problems);
    problems.extend(backtest::option_problems(args.threshold, args.top_k, args.bootstrap));
    Error::from_problems(problems)?;
    let inputs = input_paths(&args.variants, &args.data);
    let input_refs: Vec<&std::path::Path> = inputs.iter().map(PathBuf::as_path).collect();
    args.output.check(&OUTPUTS, &input_refs)?;
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
    let calibration = match args.calibration {
        CalibrationArg::Platt => backtest::Calibration::Platt,
        CalibrationArg::None => backtest::Calibration::None,
    };
    let settings = backtest::Settings {
        outcome: args.outcome.clone(),
        horizons: horizons.clone(),
        threshold: args.threshold,
        top_k: args.top_k,
        bootstrap: args.bootstrap,
        seed: args.seed,
        baselines: baselines.clone(),
        calibration,
    };
    let bt = backtest::run(&runs, &settings)?;

    let frameworks: Vec<&crate::framework::Framework> = vs.iter().map(|v| &v.framework).collect();
    let mut set = args.output.begin(&input_refs, &frameworks)?;
    let style = args.csv.style();
    let mut written = vec![
        set.write_csv(output::backtest::backtest(&bt), style)?,
        set.write_csv(output::backtest::ranking(&bt), style)?,
        set.write_csv(output::backtest::skill(&bt), style)?,
        set.write_csv(output::backtest::reliability(&bt), style)?,
        set.write_csv(output::backtest::forecasts(&bt, args.threshold), style)?,
    ];
    written.push(set.final_path("manifest.json"));
    args.output.commit(
        set,
        &serde_json::json!({
            "command": "backtest",
            "riskscore_version": env!("CARGO_PKG_VERSION"),
            "created_utc": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "variants": variant_info(&vs),
            "data": loaded.sources_info(),
            "outcome": args.outcome,
            "horizon": horizons,
            "threshold": args.threshold,
            "top_k": args.top_k,
            "bootstrap": args.bootstrap,
            "seed": args.seed,
            "baselines": baselines.iter().map(Baseline::name).collect::<Vec<_>>(),
            "calibration": match calibration {
                backtest::Calibration::Platt => "platt: logistic fit of the event on the forecast (Platt's targets) over the earlier origins whose outcome was known at t",
                backtest::Calibration::None => "none: p = (score - lo) / (hi - lo) on the index scale, else the period's score range; clamped to [0, 1]",
            },
            "notes": bt.notes,
            "verdicts": bt
                .verdicts
                .iter()
                .map(|(step, variant, line)| serde_json::json!({"step": step, "variant": variant, "verdict": line}))
                .collect::<Vec<_>>(),
            "outputs": written.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
            "elapsed_seconds": started.elapsed().as_secs_f64(),
        }),
    )?;
    if !args.output.quiet {
        let text = output::backtest::summary(&bt, &args.outcome, args.threshold, args.top_k);
        print(&text)?;
        for n in &bt.notes {
            say!("note: {n}");
        }
        for n in output::backtest::notes(&bt) {
            say!("note: {n}");
        }
        say!(
            "in {:.2} s; wrote {}",
            started.elapsed().as_secs_f64(),
            args.output.out.display()
        );
    }
    Ok(())
}

/// The list parsed, or empty with its problems added to `problems`.
fn kept<T>(parsed: Result<Vec<T>>, problems: &mut Vec<Error>) -> Vec<T> {
    parsed.unwrap_or_else(|e| {
        problems.extend(e.into_problems());
        Vec::new()
    })
}

/// An outcome column missing from the data may be a typo of a derived column.
fn with_derived_hint(e: crate::Error, outcome: &str, fw: &crate::framework::Framework) -> crate::Error {
    match e {
        Error::MissingColumn {
            file,
            column,
            needed_by,
            hint,
        } if column == outcome => {
            let near = crate::error::suggest(outcome, fw.derived.iter().map(|d| d.id.as_str()));
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

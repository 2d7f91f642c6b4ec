//! The command line: the top-level parser, its subcommands (a file each) and the
//! process entry, one match over subcommands; exit 0 ok, 1 error, 2 usage.
//!
//! What the subcommands share is in `args.rs` (arguments), `runs.rs` (output folders)
//! and `terminal.rs` (what is written to the terminal); no subcommand imports from
//! this file.

#[macro_use]
mod terminal;

mod args;
pub mod audit;
pub mod backtest;
pub mod bench;
pub mod compare;
pub mod events;
pub mod explain;
pub mod import;
pub mod merge_shards;
pub mod notebook;
pub mod report;
mod runs;
pub mod score;
pub mod sensitivity;
pub mod validate;
pub mod variants;

use clap::{Parser, Subcommand};
use std::process::ExitCode;
use terminal::{describe, is_broken_pipe, say_line};

/// Composite risk scores, ranks and classes from tabular indicators.
///
/// A framework file (TOML) declares the index: groups (pillars), indicators, how
/// each is imputed, treated, normalised, weighted and aggregated. riskscore applies
/// it to data (CSV or Parquet, wide or long) and writes spreadsheet-ready results.
#[derive(Parser, Debug)]
#[command(name = "riskscore", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Score every unit and period: writes scores.csv, indicators.csv, screening.csv, manifest.json
    Score(score::ScoreArgs),
    /// Check a framework (and data against it); print every problem found
    Validate(validate::ValidateArgs),
    /// Show how each pillar and indicator makes up one unit's score and rank
    Explain(explain::ExplainArgs),
    /// Rank intervals and Sobol indices over the framework's [sensitivity] factors
    ///
    /// Writes uncertainty.csv, sobol.csv (with --method sobol) and manifest.json; prints
    /// the factors that move the ranking most.
    Sensitivity(sensitivity::SensitivityArgs),
    /// Merge the shards of a sensitivity run (`sensitivity --shard K/N`) into its outputs
    ///
    /// Checks that the shards ran the same framework, data, options and seed, and cover
    /// the design once; writes uncertainty.csv, sobol.csv and manifest.json, the same as
    /// one run with --quantiles sketch.
    MergeShards(merge_shards::MergeShardsArgs),
    /// Aggregate an event log (ACLED, GTD or UCDP GED columns) to a unit-period indicator table
    Events(events::EventsArgs),
    /// Statistical coherence: indicator statistics, correlations, Cronbach's alpha, PCA, effective weights
    ///
    /// Writes stats.csv, correlations.csv, cronbach.csv, pca.csv, effective_weights.csv,
    /// units.csv and manifest.json; prints what to look at first.
    Audit(audit::AuditArgs),
    /// One self-contained HTML report (charts, tables, framework, manifest); --xlsx for a workbook
    ///
    /// Writes report.html (and report.xlsx with --xlsx).
    Report(report::ReportArgs),
    /// A Jupyter notebook (nbformat 4) that reloads a run's CSVs and redraws its charts
    ExportNotebook(notebook::NotebookArgs),
    /// Score several variants side by side: variants.csv, agreement.csv, manifest.json
    Compare(compare::CompareArgs),
    /// Test variants' scores at t against an outcome at t + horizon, with no look-ahead
    ///
    /// Writes backtest.csv, ranking.csv, skill.csv, reliability.csv, forecasts.csv and
    /// manifest.json; prints the ranking beside the naive baselines and a verdict per variant.
    Backtest(backtest::BacktestArgs),
    /// Time each variant's scoring run (data load excluded and included)
    Bench(bench::BenchArgs),
    /// Turn another tool's index into a framework and data file (COINr: iData + iMeta)
    Import(import::ImportArgs),
    /// Write a seeded synthetic event log in ACLED, GTD or UCDP GED columns (tests, examples, benchmarks)
    GenerateEvents(events::GenerateEventsArgs),
}

/// Backs this process's memory with 4 KiB pages only (Linux `PR_SET_THP_DISABLE`).
/// mimalloc asks for transparent huge pages for its arenas: a huge page is zeroed whole
/// when first touched and, when none is free, the kernel compacts memory to make one.
/// In `events`, which makes and frees frames over and over, that cost from nothing to
/// a third of a run, at random; without huge pages the cost is small and steady. In
/// `score` of a grid-month table (64,818 cells x 12 months x 20 indicators) zeroing
/// huge pages was a quarter of the run: without them the run took 2.5 s instead of
/// 2.8 s (medians of 4 interleaved runs), in less memory.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: a prctl option that takes one integer argument and changes no memory.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// Parses the command line, runs the subcommand and says what went wrong, if anything.
pub fn main() -> ExitCode {
    let args = Cli::parse();
    if matches!(args.command, Command::Events(_) | Command::Score(_)) {
        no_huge_pages();
    }
    let outcome = match args.command {
        Command::Score(a) => score::run(a),
        Command::Validate(a) => validate::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Sensitivity(a) => sensitivity::run(a),
        Command::MergeShards(a) => merge_shards::run(a),
        Command::Events(a) => events::run(a),
        Command::Audit(a) => audit::run(a),
        Command::Report(a) => report::run(a),
        Command::ExportNotebook(a) => notebook::run(a),
        Command::Compare(a) => compare::run(a),
        Command::Backtest(a) => backtest::run(a),
        Command::Bench(a) => bench::run(a),
        Command::GenerateEvents(a) => events::generate(a),
        Command::Import(a) => import::run(a),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let problems = e.problems();
            if problems.len() > 1 {
                say_line(&format!("error: {} problems found:", problems.len()));
                for p in problems {
                    say_line(&format!("  - {}", describe(p)));
                }
            } else {
                say_line(&format!("error: {}", describe(&e)));
            }
            // A bad option value is a usage error, as clap's own are.
            ExitCode::from(if e.is_argument() { 2 } else { 1 })
        }
    }
}

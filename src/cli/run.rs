//! The process entry: one match over subcommands; exit 0 ok, 1 error, 2 usage.

use super::*;
use clap::Parser;
use std::process::ExitCode;

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

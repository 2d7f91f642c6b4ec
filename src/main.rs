//! The `riskscore` command: one match over subcommands; exit 0 ok, 1 error, 2 usage.

mod cli;

use clap::Parser;
use std::process::ExitCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    if matches!(args.command, cli::Command::Events(_) | cli::Command::Score(_)) {
        no_huge_pages();
    }
    let outcome = match args.command {
        cli::Command::Score(a) => cli::score::run(a),
        cli::Command::Validate(a) => cli::validate::run(a),
        cli::Command::Explain(a) => cli::explain::run(a),
        cli::Command::Sensitivity(a) => cli::sensitivity::run(a),
        cli::Command::MergeShards(a) => cli::merge_shards::run(a),
        cli::Command::Events(a) => cli::events::run(a),
        cli::Command::Audit(a) => cli::audit::run(a),
        cli::Command::Report(a) => cli::report::run(a),
        cli::Command::ExportNotebook(a) => cli::notebook::run(a),
        cli::Command::Compare(a) => cli::compare::run(a),
        cli::Command::Backtest(a) => cli::backtest::run(a),
        cli::Command::Bench(a) => cli::bench::run(a),
        cli::Command::GenerateEvents(a) => cli::events::generate(a),
        cli::Command::Import(a) => cli::import::run(a),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if cli::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let problems = e.problems();
            if problems.len() > 1 {
                cli::say_line(&format!("error: {} problems found:", problems.len()));
                for p in problems {
                    cli::say_line(&format!("  - {}", cli::describe(p)));
                }
            } else {
                cli::say_line(&format!("error: {}", cli::describe(&e)));
            }
            // A bad option value is a usage error, as clap's own are.
            ExitCode::from(if e.is_argument() { 2 } else { 1 })
        }
    }
}

//! The `riskscore` command: one match over subcommands; exit 0 ok, 1 error, 2 usage.

mod cli;

use clap::Parser;
use std::process::ExitCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay`: the milliseconds a freed span is kept for reuse
/// before it goes back to the system (its place in `mi_option_e`, mimalloc.h of the
/// v2 sources libmimalloc-sys builds; 10 by default).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keeps freed memory `ms` milliseconds for reuse. `events` makes and frees frames of
/// the log over and over: given back after mimalloc's 10 ms, their memory comes back
/// as fresh pages the kernel must zero (and, with transparent huge pages, compact),
/// which took up to a third of a run.
fn keep_freed_memory(ms: i64) {
    // SAFETY: sets one option by its index in mimalloc's option table (checked by
    // the test below); mimalloc reads its options atomically.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, ms as _) }
}

/// Backs this process's memory with 4 KiB pages only (Linux `PR_SET_THP_DISABLE`).
/// mimalloc asks for transparent huge pages for its arenas: a huge page is zeroed whole
/// when first touched and, when none is free, the kernel compacts memory to make one.
/// In `events`, which makes and frees frames over and over, that cost from nothing to
/// a third of a run, at random; without huge pages the cost is small and steady.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: a prctl option that takes one integer argument and changes no memory.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    if matches!(args.command, cli::Command::Events(_)) {
        keep_freed_memory(1000);
        no_huge_pages();
    }
    let outcome = match args.command {
        cli::Command::Score(a) => cli::score::run(a),
        cli::Command::Validate(a) => cli::validate::run(a),
        cli::Command::Explain(a) => cli::explain::run(a),
        cli::Command::Sensitivity(a) => cli::sensitivity::run(a),
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
                eprintln!("error: {} problems found:", problems.len());
                for p in problems {
                    eprintln!("  - {}", cli::describe(p));
                }
            } else {
                eprintln!("error: {}", cli::describe(&e));
            }
            // A bad option value is a usage error, as clap's own are.
            ExitCode::from(if e.is_argument() { 2 } else { 1 })
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_purge_delay_option_is_the_one_set() {
        // SAFETY: reads and sets one option by its index.
        let get = || unsafe { libmimalloc_sys::mi_option_get(super::PURGE_DELAY) };
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            assert_eq!(get(), 10, "mimalloc's default purge delay");
        }
        super::keep_freed_memory(1000);
        assert_eq!(get(), 1000);
    }
}

//! The `riskscore` command: parses its arguments and runs the subcommand (the
//! library's `cli` module); exit 0 ok, 1 error, 2 usage.

use std::process::ExitCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    riskscore::cli_main()
}

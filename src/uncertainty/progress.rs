//! Progress reports from the engine: the runs started, done and finished (the CLI
//! plugs in a progress bar; [`Silent`] reports nothing).

/// Receives progress from the engine (the CLI plugs in a progress bar).
pub trait Progress: Sync {
    fn start(&self, _total_runs: u64) {}
    fn advance(&self, _runs: u64) {}
    fn finish(&self) {}
}

/// Reports nothing.
pub struct Silent;
impl Progress for Silent {}

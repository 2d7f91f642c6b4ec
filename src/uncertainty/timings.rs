//! Seconds per phase of an analysis (prepare, evaluate, summarise, sobol), as laps
//! of one clock.

/// Seconds per phase.
pub(super) struct Timings {
    clock: std::time::Instant,
    pub(super) laps: Vec<(&'static str, f64)>,
}

impl Timings {
    pub(super) fn start() -> Timings {
        Timings {
            clock: std::time::Instant::now(),
            laps: Vec::new(),
        }
    }

    /// Ends phase `name`: the time since the previous lap.
    pub(super) fn lap(&mut self, name: &'static str) {
        let total: f64 = self.laps.iter().map(|(_, t)| t).sum();
        self.laps.push((name, self.clock.elapsed().as_secs_f64() - total));
    }
}

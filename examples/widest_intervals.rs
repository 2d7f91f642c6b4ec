//! Runs the uncertainty analysis of the bundled Central Asia example (its
//! `[sensitivity]` block, with fewer samples) and prints the units whose ranks move
//! most: the widest 5-95 % rank intervals.
//!
//! ```sh
//! cargo run --example widest_intervals
//! ```

use riskscore::sensitivity::{run, Method, Settings, Silent};
use riskscore::{load, Framework, Source};

fn main() -> Result<(), riskscore::Error> {
    let fw = Framework::from_path("indicators/central_asia.toml".as_ref())?;
    let panel = load(
        &fw,
        &[Source::File("datasets/central_asia.csv".into())],
        &Default::default(),
    )?;

    let mut settings = Settings::for_framework(&fw)?;
    settings.samples = 256;
    settings.method = Method::MonteCarlo;
    let analysis = run(&fw, &panel, &settings, &Silent)?;

    let mut stats: Vec<_> = analysis.stats().iter().collect();
    stats.sort_by(|a, b| (b.q95_rank - b.q05_rank).total_cmp(&(a.q95_rank - a.q05_rank)));
    println!(
        "{} runs over {} factors: {}",
        analysis.runs(),
        analysis.factors().len(),
        analysis.factors().join(", ")
    );
    println!(
        "{:<24} {:>7} {:>8} {:>6} {:>6}",
        "unit", "period", "nominal", "q05", "q95"
    );
    for s in stats.iter().take(10) {
        println!(
            "{:<24} {:>7} {:>8} {:>6} {:>6}",
            s.unit,
            s.period.to_string(),
            s.nominal_rank,
            s.q05_rank,
            s.q95_rank
        );
    }
    Ok(())
}

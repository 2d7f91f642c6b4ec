//! Scores the bundled Central Asia example and prints each period's five highest
//! scores with their ranks and risk classes.
//!
//! ```sh
//! cargo run --example score_top_five
//! cargo run --example score_top_five -- my_framework.toml my_data.csv
//! ```

use riskscore::{load, score, Framework, Source};
use std::path::PathBuf;

fn main() -> Result<(), riskscore::Error> {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let framework = args.next().unwrap_or_else(|| "indicators/central_asia.toml".into());
    let data = args.next().unwrap_or_else(|| "datasets/central_asia.csv".into());

    let fw = Framework::from_path(&framework)?;
    let panel = load(&fw, &[Source::File(data)], &Default::default())?;
    let results = score(&fw, &panel)?;
    let classes = fw.class_labels();

    for (p, period) in results.periods().iter().enumerate() {
        let mut cells: Vec<usize> = results.scored_cells().filter(|&c| c / results.n_units() == p).collect();
        if cells.is_empty() {
            continue; // a period before `first_period`: read for lags, not scored
        }
        cells.sort_by(|&a, &b| results.rank(a).total_cmp(&results.rank(b)));
        println!("{} {period}", fw.index_name());
        for &c in cells.iter().take(5) {
            let class = results.class(c).map_or("", |k| classes[k]);
            println!(
                "  {:>4}  {:<24} {:>8.2}  {class}",
                results.rank(c),
                results.units()[c % results.n_units()],
                results.score(c)
            );
        }
    }
    Ok(())
}

//! `riskscore bench`: each variant's scoring run against the clock.

use super::args::DataArgs;
use super::terminal::print;
use super::variants::{in_variant, Loaded, VariantArgs};
use crate::score::score;
use crate::{Error, Result};
use clap::Args;
use std::time::Instant;

#[derive(Args, Debug)]
pub struct BenchArgs {
    #[command(flatten)]
    pub variants: VariantArgs,
    #[command(flatten)]
    pub data: DataArgs,
    /// Timed runs per variant (after one warm-up)
    #[arg(long, default_value_t = 10)]
    pub repeat: usize,
}

/// Times each variant's full scoring run: with the data load and without.
pub fn run(args: BenchArgs) -> Result<()> {
    if args.repeat == 0 {
        return Err(Error::Argument {
            name: "repeat".into(),
            message: "expected 1 or more runs".into(),
        });
    }
    let vs = args.variants.read()?;
    let loaded = Loaded::new(&args.data, Vec::new())?;
    let mut text = format!(
        "{} runs per variant after a warm-up; milliseconds\n{:<20} {:>12} {:>12} {:>14} {:>14}\n",
        args.repeat, "variant", "score min", "score median", "load+score min", "load+score med"
    );
    let stats = |mut t: Vec<f64>| {
        t.sort_by(f64::total_cmp);
        (t[0], t[t.len() / 2])
    };
    for v in &vs {
        let panel = loaded.panel(v)?;
        score(&v.framework, &panel).map_err(|e| in_variant(&v.name, e))?;
        let mut only = Vec::new();
        let mut with_load = Vec::new();
        for _ in 0..args.repeat {
            let t = Instant::now();
            std::hint::black_box(score(&v.framework, &panel)?);
            only.push(t.elapsed().as_secs_f64() * 1e3);
            let t = Instant::now();
            let p = loaded.panel(v)?;
            std::hint::black_box(score(&v.framework, &p)?);
            with_load.push(t.elapsed().as_secs_f64() * 1e3);
        }
        let (a, b) = stats(only);
        let (c, d) = stats(with_load);
        text.push_str(&format!("{:<20} {a:>12.3} {b:>12.3} {c:>14.3} {d:>14.3}\n", v.name));
    }
    print(&text)
}

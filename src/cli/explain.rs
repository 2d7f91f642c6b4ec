//! `riskscore explain`: one unit's score, broken down.

use super::{print, DataArgs};
use clap::Args;
use riskscore::framework::Framework;
use riskscore::{explain, score, Result};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// Framework file (TOML)
    #[arg(short = 'f', long = "framework", value_name = "FILE")]
    pub framework: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
    /// Unit to explain (e.g. UZB)
    #[arg(long)]
    pub unit: String,
    /// Period to explain (e.g. 2022)
    #[arg(long)]
    pub period: String,
}

pub fn run(args: ExplainArgs) -> Result<()> {
    let fw = Framework::from_path(&args.framework)?;
    let panel = args.data.load(&fw)?;
    let results = score::score(&fw, &panel)?;
    let explanation = explain::explain(&fw, &results, &args.unit, &args.period)?;
    print(&explanation.render(&fw))
}

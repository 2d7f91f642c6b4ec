//! `riskscore explain`: one unit's score, broken down.

use super::args::Inputs;
use super::terminal::print;
use crate::framework::Framework;
use crate::{explain, score, Result};
use clap::Args;

#[derive(Args, Debug)]
pub struct ExplainArgs {
    #[command(flatten)]
    pub input: Inputs,
    /// Unit to explain (e.g. UZB)
    #[arg(long)]
    pub unit: String,
    /// Period to explain (e.g. 2022)
    #[arg(long)]
    pub period: String,
}

pub fn run(args: ExplainArgs) -> Result<()> {
    let fw = Framework::from_path(&args.input.framework)?;
    let panel = args.input.data.load(&fw)?;
    let results = score::score(&fw, &panel)?;
    let explanation = explain::explain(&fw, &results, &args.unit, &args.period)?;
    print(&explanation.render(&fw))
}

//! `riskscore validate`: check a framework, and data against it.

use super::args::Inputs;
use super::terminal::print;
use crate::framework::Framework;
use crate::{score, Result};
use clap::Args;

#[derive(Args, Debug)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub input: Inputs,
}

pub fn run(args: ValidateArgs) -> Result<()> {
    let fw = Framework::from_path(&args.input.framework)?;
    let mut report = format!(
        "framework {}: ok ({} groups, {} indicators, {} derived columns)\n",
        fw.file,
        fw.groups.len() - 1,
        fw.indicators.len(),
        fw.derived.len()
    );
    if !args.input.data.data.is_empty() {
        let panel = args.input.data.load(&fw)?;
        let results = score::score(&fw, &panel)?;
        let scored = results.scored_cells().count();
        report.push_str(&format!(
            "data {}: ok ({} units, {} periods {}..{}, {} unit-periods scored)\n",
            panel
                .sources
                .iter()
                .filter(|s| s.format != "neighbours")
                .map(|s| s.file.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            panel.units.len(),
            panel.periods.len(),
            panel.periods[0],
            panel.periods[panel.periods.len() - 1],
            scored
        ));
        if let Some(s) = panel.sources.iter().find(|s| s.format == "neighbours") {
            let pairs: usize = panel.neighbours.iter().map(Vec::len).sum();
            let alone: Vec<&str> = panel
                .neighbours
                .iter()
                .zip(&panel.units)
                .filter(|(n, _)| n.is_empty())
                .map(|(_, u)| u.as_str())
                .collect();
            report.push_str(&format!(
                "neighbours {}: ok ({} rows, {} pairs between the data's units{})\n",
                s.file,
                s.rows,
                pairs,
                if alone.is_empty() {
                    String::new()
                } else {
                    format!("; no neighbour among them: {}", alone.join(", "))
                }
            ));
        }
        for w in &results.warnings {
            report.push_str(&format!("warning: {w}\n"));
        }
    }
    print(&report)
}

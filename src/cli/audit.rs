//! `riskscore audit`: statistical coherence of a framework on its data.

use super::args::{parse_period, CsvStyle, Inputs, OutDir};
use super::terminal::print;
use crate::audit;
use crate::framework::Framework;
use crate::output::{self};
use crate::Result;
use clap::Args;
use std::time::Instant;

#[derive(Args, Debug)]
pub struct AuditArgs {
    #[command(flatten)]
    pub input: Inputs,
    #[command(flatten)]
    pub output: OutDir,
    /// Period to audit (default: the last scored period)
    #[arg(long, value_name = "PERIOD")]
    pub period: Option<String>,
    #[command(flatten)]
    pub csv: CsvStyle,
}

pub fn run(args: AuditArgs) -> Result<()> {
    let started = Instant::now();
    args.output.check(output::audit::FILES, &args.input.paths())?;
    let (fw, framework_bytes) = Framework::read(&args.input.framework)?;
    let period = args.period.as_deref().map(|t| parse_period("period", t)).transpose()?;
    let panel = args.input.data.load(&fw)?;
    let a = audit::audit(&fw, &panel, period)?;

    let mut set = args.output.begin(&args.input.paths(), &[&fw])?;
    let style = args.csv.style();
    let mut written = Vec::new();
    for table in output::audit::tables(&a) {
        let path = set.write_csv(table, style)?;
        written.push(path.display().to_string());
    }
    written.push(set.final_path("manifest.json").display().to_string());
    args.output.commit(
        set,
        &serde_json::json!({
            "command": "audit",
            "riskscore_version": env!("CARGO_PKG_VERSION"),
            "created_utc": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "framework": {"file": fw.file, "sha256": crate::hash::sha256_hex(&framework_bytes)},
            "data": panel.sources,
            "period": a.period.to_string(),
            "units": a.units,
            "outputs": written,
            "elapsed_seconds": started.elapsed().as_secs_f64(),
        }),
    )?;

    if !args.output.quiet {
        print(&output::audit::summary(&fw.file, &a))?;
        say!(
            "in {:.2} s; wrote {}",
            started.elapsed().as_secs_f64(),
            args.output.out.display()
        );
    }
    Ok(())
}

//! `riskscore score`: the batch scoring run.

use super::DataArgs;
use clap::Args;
use riskscore::framework::Framework;
use riskscore::output::{self, csv::Style, manifest::Manifest, tables};
use riskscore::{score, Error, Result};
use std::path::PathBuf;
use std::time::Instant;

#[derive(Args, Debug)]
pub struct ScoreArgs {
    /// Framework file (TOML)
    #[arg(short = 'f', long = "framework", value_name = "FILE")]
    pub framework: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
    /// Output folder (created if missing); files in it are replaced atomically
    #[arg(short = 'o', long = "out", value_name = "DIR")]
    pub out: PathBuf,
    /// Also write scores.xlsx (sheets scores, indicators, screening)
    #[arg(long)]
    pub xlsx: bool,
    /// Excel-friendly CSV: UTF-8 BOM, ';' delimiter, decimal comma
    #[arg(long)]
    pub excel: bool,
    /// Print nothing but errors
    #[arg(short, long)]
    pub quiet: bool,
}

pub fn run(args: ScoreArgs) -> Result<()> {
    let started = Instant::now();
    let (fw, framework_bytes) = Framework::read(&args.framework)?;
    let panel = args.data.load(&fw)?;
    let results = score::score(&fw, &panel)?;

    std::fs::create_dir_all(&args.out).map_err(|e| Error::io(&args.out, "cannot create output folder", e))?;
    let inputs = args.data.inputs_with(&args.framework);
    let style = Style { excel: args.excel };
    let mut written = Vec::new();
    let make_tables = || {
        vec![
            tables::scores(&fw, &results),
            tables::indicators(&fw, &results),
            tables::screening(&results),
        ]
    };
    for table in make_tables() {
        let path = args.out.join(format!("{}.csv", table.name));
        output::check_not_input(&path, &inputs)?;
        output::write_atomic(&path, |w| output::csv::write_table(w, style, &table.header, table.rows))?;
        written.push(path);
    }
    if args.xlsx {
        let path = args.out.join("scores.xlsx");
        output::check_not_input(&path, &inputs)?;
        let classes: Vec<String> = fw.index.classes.iter().map(|c| c.label.clone()).collect();
        output::xlsx::write_workbook(&path, make_tables(), &classes)?;
        written.push(path);
    }
    let manifest_path = args.out.join("manifest.json");
    output::check_not_input(&manifest_path, &inputs)?;
    written.push(manifest_path.clone());
    let manifest = Manifest::new(
        "score",
        &fw,
        &framework_bytes,
        panel.sources.clone(),
        &results,
        serde_json::json!({
            "excel": args.excel,
            "xlsx": args.xlsx,
            "decimal_comma": args.data.decimal_comma,
            "delimiter": args.data.delimiter,
            "layout": args.data.layout.map(|l| format!("{l:?}").to_lowercase()),
            "normalise_over": fw.index.scope,
            "ties": fw.index.ties,
        }),
        written.iter().map(|p| p.display().to_string()).collect(),
        started.elapsed().as_secs_f64(),
    );
    output::write_json(&manifest_path, &manifest)?;

    if !args.quiet {
        for w in &results.warnings {
            eprintln!("warning: {w}");
        }
        for s in &results.screening {
            eprintln!(
                "screened out: {} `{}`{} (coverage {:.0}% < {:.0}%)",
                s.what,
                s.id,
                if s.period.is_empty() {
                    String::new()
                } else {
                    format!(" in {}", s.period)
                },
                s.coverage * 100.0,
                s.threshold * 100.0
            );
        }
        let n = results.n_units();
        let scored_periods: Vec<usize> = results.scored_cells().map(|c| c / n).collect();
        let (first, last) = (scored_periods[0], scored_periods[scored_periods.len() - 1]);
        eprintln!(
            "scored {} unit-periods ({} units, periods {}..{}) in {:.2} s; wrote {}",
            scored_periods.len(),
            panel.units.len(),
            results.periods[first],
            results.periods[last],
            started.elapsed().as_secs_f64(),
            args.out.display()
        );
    }
    Ok(())
}

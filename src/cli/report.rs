//! `riskscore report`: one self-contained HTML page (and optionally a workbook) with
//! the ranking, charts, the framework tree and the manifest.

use super::args::{Inputs, OutDir};
use crate::framework::Framework;
use crate::hash::sha256_hex;
use crate::output::manifest::{check_folder, Manifest};
use crate::output::table::{Cell, Table};
use crate::output::{self, tables};
use crate::report::{self, Extras};
use crate::{score, Error, Result};
use clap::Args;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Args, Debug)]
pub struct ReportArgs {
    #[command(flatten)]
    pub input: Inputs,
    #[command(flatten)]
    pub output: OutDir,
    /// A `riskscore sensitivity` output folder: adds rank uncertainty and Sobol charts
    #[arg(long, value_name = "DIR")]
    pub sensitivity: Option<PathBuf>,
    /// A `riskscore compare` output folder: adds the variant comparison
    #[arg(long, value_name = "DIR")]
    pub compare: Option<PathBuf>,
    /// A `riskscore backtest` output folder: adds ROC and precision-recall curves of
    /// the variants beside the naive forecasts, the reliability diagram and the skill
    /// table with its verdicts
    #[arg(long, value_name = "DIR")]
    pub backtest: Option<PathBuf>,
    /// Also write report.xlsx: the same tables, header rows frozen, classes coloured
    #[arg(long)]
    pub xlsx: bool,
}

/// A CSV written by another command, as a sheet (numbers stored as numbers).
fn csv_sheet(name: &'static str, path: &Path) -> Result<Table<'static>> {
    let (header, text_rows) = report::read_csv(path)?;
    let rows: Vec<Vec<Cell>> = text_rows
        .into_iter()
        .map(|r| {
            r.into_iter()
                .map(|t| match (t.parse::<i64>(), t.parse::<f64>()) {
                    _ if t.is_empty() => Cell::Empty,
                    (Ok(v), _) => Cell::Int(v),
                    (_, Ok(v)) => Cell::Exact(v),
                    _ => Cell::Text(t),
                })
                .collect()
        })
        .collect();
    Ok(Table {
        name,
        header,
        rows: rows.into_iter().into(),
    })
}

pub fn run(args: ReportArgs) -> Result<()> {
    let started = Instant::now();
    args.output
        .check(&["report.html", "report.xlsx"], &args.input.paths())?;
    let (fw, framework_bytes) = Framework::read(&args.input.framework)?;
    let panel = args.input.data.load(&fw)?;
    let results = score::score(&fw, &panel)?;
    check_folders(&args)?;
    let data_shas: Vec<String> = panel.sources.iter().map(|s| s.sha256.clone()).collect();
    // Held until the report is written: no run may replace these folders' files meanwhile.
    let (mut folders, mut notes) = super::runs::other_runs(
        args.sensitivity.as_deref(),
        args.compare.as_deref(),
        &["variants.csv", "agreement.csv"],
        &fw.file,
        &sha256_hex(&framework_bytes),
        &data_shas,
    )?;
    if let Some(d) = &args.backtest {
        let folder = check_folder(
            d,
            "backtest",
            &fw.file,
            &sha256_hex(&framework_bytes),
            Some(&data_shas),
            &["forecasts.csv", "skill.csv"],
            &[],
        )?;
        notes.extend(folder.warning.clone());
        folders.push(folder);
    }
    let _folders = folders;
    let mut set = args.output.begin(&args.input.paths(), &[&fw])?;
    let html_path = set.final_path("report.html");
    let mut written = vec![html_path.display().to_string()];
    if args.xlsx {
        written.push(set.final_path("report.xlsx").display().to_string());
    }
    written.push(set.final_path("manifest.json").display().to_string());
    let manifest = Manifest::new(
        "report",
        &fw,
        panel.sources.clone(),
        &results,
        serde_json::json!({
            "sensitivity": args.sensitivity.as_ref().map(|p| p.display().to_string()),
            "compare": args.compare.as_ref().map(|p| p.display().to_string()),
            "backtest": args.backtest.as_ref().map(|p| p.display().to_string()),
            "xlsx": args.xlsx,
        }),
        written,
        started.elapsed().as_secs_f64(),
    );
    let manifest_json = serde_json::to_value(&manifest).unwrap_or_default();
    let extras = Extras {
        sensitivity: args.sensitivity.clone(),
        compare: args.compare.clone(),
        backtest: args.backtest.clone(),
    };
    let page = report::render(&fw, &results, &manifest_json, &extras)?;
    set.write("report.html", |w| w.write_all(page.as_bytes()))?;
    if args.xlsx {
        let path = set.stage("report.xlsx")?;
        write_workbook(&args, &fw, &results, &path)?;
    }
    args.output.commit(set, &manifest)?;
    if !args.output.quiet {
        for n in &notes {
            say!("warning: {n}");
        }
        say!(
            "report of {} ({} bytes) in {:.2} s; wrote {}",
            fw.index.name,
            page.len(),
            started.elapsed().as_secs_f64(),
            args.output.out.display()
        );
    }
    Ok(())
}

/// Refuses an option that names a folder (`--sensitivity`, `--compare`, `--backtest`)
/// when it names something else.
fn check_folders(args: &ReportArgs) -> Result<()> {
    for (option, dir) in [
        ("sensitivity", &args.sensitivity),
        ("compare", &args.compare),
        ("backtest", &args.backtest),
    ] {
        if let Some(d) = dir.as_ref().filter(|d| !d.is_dir()) {
            return Err(Error::Argument {
                name: option.into(),
                message: format!(
                    "`{}` is not a folder (expected the output folder of `riskscore {option}`)",
                    d.display(),
                ),
            });
        }
    }
    Ok(())
}

/// report.xlsx at `path`: the scores, indicators and screening, and the tables of the
/// other commands' folders given.
fn write_workbook(args: &ReportArgs, fw: &Framework, results: &score::Results, path: &std::path::Path) -> Result<()> {
    let mut sheets = vec![
        tables::scores(fw, results),
        tables::indicators(fw, results),
        tables::screening(results),
    ];
    if let Some(d) = &args.sensitivity {
        sheets.push(csv_sheet("uncertainty", &d.join("uncertainty.csv"))?);
        if d.join("sobol.csv").exists() {
            sheets.push(csv_sheet("sobol", &d.join("sobol.csv"))?);
        }
    }
    if let Some(d) = &args.compare {
        sheets.push(csv_sheet("variants", &d.join("variants.csv"))?);
        sheets.push(csv_sheet("agreement", &d.join("agreement.csv"))?);
    }
    if let Some(d) = &args.backtest {
        sheets.push(csv_sheet("skill", &d.join("skill.csv"))?);
    }
    let classes: Vec<String> = fw.index.classes.iter().map(|c| c.label.clone()).collect();
    output::xlsx::write_workbook(path, sheets, &classes)
}

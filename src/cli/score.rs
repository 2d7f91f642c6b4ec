//! `riskscore score`: the batch scoring run.

use super::args::{CsvStyle, Inputs, OutDir};
use crate::framework::Framework;
use crate::output::manifest::Manifest;
use crate::output::score_set::{write_tables, IndicatorTable, ScoreOutputs};
use crate::{score, Result};
use clap::{Args, ValueEnum};
use std::time::Instant;

#[derive(Args, Debug)]
pub struct ScoreArgs {
    #[command(flatten)]
    pub input: Inputs,
    #[command(flatten)]
    pub output: OutDir,
    /// Also write scores.xlsx (sheets scores, ranks, indicators, screening, and the steps)
    #[arg(long)]
    pub xlsx: bool,
    /// The long table of every indicator value (raw, treated, normalised): `csv` writes
    /// indicators.csv (and the xlsx sheet), `parquet` indicators.parquet (typed columns,
    /// LZ4, about 40 % of the CSV's size); `none` leaves it out (large panels: it has a
    /// row per unit, period and indicator)
    #[arg(long, value_enum, default_value = "csv")]
    pub indicators: IndicatorsArg,
    /// Also write the other tables as Parquet beside their CSVs: scores.parquet,
    /// ranks.parquet, screening.parquet (and data_<step>.parquet with --steps)
    #[arg(long)]
    pub parquet: bool,
    /// Also write the data set after each step, wide (COINr's dsets): data_denominated.csv
    /// (per capita), data_imputed.csv, data_treated.csv, data_normalised.csv
    #[arg(long)]
    pub steps: bool,
    #[command(flatten)]
    pub csv: CsvStyle,
}

/// Whether and how the long indicator table is written.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum IndicatorsArg {
    None,
    Csv,
    Parquet,
}

impl ScoreArgs {
    /// The outputs the options ask for.
    fn outputs(&self) -> ScoreOutputs {
        ScoreOutputs {
            indicators: match self.indicators {
                IndicatorsArg::None => IndicatorTable::None,
                IndicatorsArg::Csv => IndicatorTable::Csv,
                IndicatorsArg::Parquet => IndicatorTable::Parquet,
            },
            parquet: self.parquet,
            steps: self.steps,
            xlsx: self.xlsx,
            excel: self.csv.excel,
        }
    }
}

pub fn run(args: ScoreArgs) -> Result<()> {
    let started = Instant::now();
    let outputs = args.outputs();
    let files = outputs.file_names();
    let file_refs: Vec<&str> = files.iter().map(String::as_str).collect();
    args.output.check(&file_refs, &args.input.paths())?;
    let fw = Framework::from_path(&args.input.framework)?;
    let panel = args.input.data.load(&fw)?;
    // The per-indicator values are kept only for the tables that write them.
    let results = score::score_keeping(&fw, &panel, outputs.keep())?;

    let mut set = args.output.begin(&args.input.paths(), &[&fw])?;
    let written = write_tables(&mut set, &fw, &panel, &results, &outputs)?;
    let mut options = outputs.manifest_options(&fw);
    options.insert("decimal_comma".into(), args.input.data.decimal_comma.into());
    options.insert("delimiter".into(), serde_json::json!(args.input.data.delimiter));
    options.insert(
        "layout".into(),
        serde_json::json!(args.input.data.layout.map(|l| format!("{l:?}").to_lowercase())),
    );
    let manifest = Manifest::new(
        "score",
        &fw,
        panel.sources.clone(),
        &results,
        serde_json::Value::Object(options),
        written.iter().map(|p| p.display().to_string()).collect(),
        started.elapsed().as_secs_f64(),
    );
    args.output.commit(set, &manifest)?;

    if !args.output.quiet {
        say_what_was_done(&results, &panel, &args.output.out, started);
    }
    Ok(())
}

/// Says the warnings, what screening left out, and what was scored and written where.
fn say_what_was_done(results: &score::Results, panel: &crate::data::Panel, out: &std::path::Path, started: Instant) {
    for w in &results.warnings {
        say!("warning: {w}");
    }
    for s in &results.screening {
        let period = if s.period.is_empty() {
            String::new()
        } else {
            format!(" in {}", s.period)
        };
        let why = match s.what {
            "unit_excluded" => "screen.exclude".to_string(),
            "unit_nonzero" => format!(
                "non-zero values {:.0}% < {:.0}%",
                s.coverage * 100.0,
                s.threshold * 100.0
            ),
            _ => format!("coverage {:.0}% < {:.0}%", s.coverage * 100.0, s.threshold * 100.0),
        };
        let what = if s.what == "indicator" { "indicator" } else { "unit" };
        say!("screened out: {what} `{}`{period} ({why})", s.id);
    }
    let n = results.n_units();
    let scored_periods: Vec<usize> = results.scored_cells().map(|c| c / n).collect();
    let (first, last) = (scored_periods[0], scored_periods[scored_periods.len() - 1]);
    say!(
        "scored {} unit-periods ({} units, periods {}..{}) in {:.2} s; wrote {}",
        scored_periods.len(),
        panel.units.len(),
        results.periods[first],
        results.periods[last],
        started.elapsed().as_secs_f64(),
        out.display()
    );
}

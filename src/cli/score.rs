//! `riskscore score`: the batch scoring run.

use super::{CsvStyle, Inputs, OutDir};
use crate::framework::Framework;
use crate::output::{self, manifest::Manifest, tables};
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

/// The `--steps` files and their table names, in pipeline order.
const STEPS: [(&str, &str); 4] = [
    ("data_denominated.csv", "data_denominated"),
    ("data_imputed.csv", "data_imputed"),
    ("data_treated.csv", "data_treated"),
    ("data_normalised.csv", "data_normalised"),
];

/// Whether and how the long indicator table is written.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum IndicatorsArg {
    None,
    Csv,
    Parquet,
}

pub fn run(args: ScoreArgs) -> Result<()> {
    let started = Instant::now();
    let with_indicators = args.indicators != IndicatorsArg::None;
    let files = output_files(&args);
    let file_refs: Vec<&str> = files.iter().map(String::as_str).collect();
    args.output.check(&file_refs, &args.input.paths())?;
    let (fw, framework_bytes) = Framework::read(&args.input.framework)?;
    let panel = args.input.data.load(&fw)?;
    // The per-indicator values are kept only for the tables that write them.
    let keep = if with_indicators || args.steps || args.xlsx {
        score::Keep::All
    } else {
        score::Keep::Scores
    };
    let results = score::score_keeping(&fw, &panel, keep)?;
    let imputed = if args.steps {
        score::imputed_values(&fw, &panel)?
    } else {
        Vec::new()
    };

    let mut set = args.output.begin(&args.input.paths(), &[&fw])?;
    let style = args.csv.style();
    let mut written = Vec::new();
    let make_tables = || {
        let mut all = vec![tables::scores(&fw, &results), tables::ranks(&fw, &results)];
        if with_indicators {
            all.push(tables::indicators(&fw, &results));
        }
        if args.steps {
            let values = [&results.raw, &imputed, &results.treated, &results.normalised];
            for ((_, name), v) in STEPS.iter().zip(values) {
                all.push(tables::step(&fw, &results, name, v));
            }
        }
        all.push(tables::screening(&results));
        all
    };
    for table in make_tables() {
        let path = if table.name == "indicators" && args.indicators == IndicatorsArg::Parquet {
            set.write_parquet(table)?
        } else {
            set.write_csv(table, style)?
        };
        written.push(path);
    }
    if args.parquet {
        for table in make_tables().into_iter().filter(|t| t.name != "indicators") {
            written.push(set.write_parquet(table)?);
        }
    }
    if args.xlsx {
        let staged = set.stage("scores.xlsx")?;
        let classes: Vec<String> = fw.index.classes.iter().map(|c| c.label.clone()).collect();
        output::xlsx::write_workbook(&staged, make_tables(), &classes)?;
        written.push(set.final_path("scores.xlsx"));
    }
    written.push(set.final_path("manifest.json"));
    let manifest = Manifest::new(
        "score",
        &fw,
        &framework_bytes,
        panel.sources.clone(),
        &results,
        serde_json::json!({
            "excel": args.csv.excel,
            "indicators": format!("{:?}", args.indicators).to_lowercase(),
            "parquet": args.parquet,
            "xlsx": args.xlsx,
            "steps": args.steps,
            "decimal_comma": args.input.data.decimal_comma,
            "delimiter": args.input.data.delimiter,
            "layout": args.input.data.layout.map(|l| format!("{l:?}").to_lowercase()),
            "normalise_over": fw.index.scope,
            "ties": fw.index.ties,
        }),
        written.iter().map(|p| p.display().to_string()).collect(),
        started.elapsed().as_secs_f64(),
    );
    args.output.commit(set, &manifest)?;

    if !args.output.quiet {
        say_what_was_done(&results, &panel, &args.output.out, started);
    }
    Ok(())
}

/// The files a run writes, as its options ask.
fn output_files(args: &ScoreArgs) -> Vec<String> {
    let mut files: Vec<String> = ["scores.csv", "ranks.csv", "screening.csv", "manifest.json"]
        .map(String::from)
        .to_vec();
    match args.indicators {
        IndicatorsArg::Csv => files.push("indicators.csv".into()),
        IndicatorsArg::Parquet => files.push("indicators.parquet".into()),
        IndicatorsArg::None => {}
    }
    if args.steps {
        files.extend(STEPS.iter().map(|(file, _)| file.to_string()));
    }
    if args.parquet {
        let parquet: Vec<String> = files
            .iter()
            .filter_map(|f| f.strip_suffix(".csv"))
            .map(|stem| format!("{stem}.parquet"))
            .collect();
        files.extend(parquet);
    }
    if args.xlsx {
        files.push("scores.xlsx".into());
    }
    files
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

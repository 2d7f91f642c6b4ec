//! `riskscore events`: an event log (ACLED, GTD or UCDP GED columns) -> a wide indicator table;
//! `riskscore generate-events`: seeded synthetic logs in those formats.

use crate::error::ErrorKind;
use crate::events::{self, generate, Format, GtdCondition, Options, Places, Rules};
use crate::output::{self};
use crate::period::{Period, PeriodKind};
use crate::{Error, Result};
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::time::Instant;

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatArg {
    Auto,
    Acled,
    Gtd,
    /// UCDP Georeferenced Event Dataset (GED)
    Ucdp,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodArg {
    Year,
    Quarter,
    Month,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum GtdConditionArg {
    /// success == 1 (the attack took place as an attack)
    Success,
    /// doubtterr != 1 (no doubt that it is terrorism)
    NoDoubt,
    /// every event is verified
    None,
}

#[derive(Args, Debug)]
pub struct EventsArgs {
    /// Event log: CSV (any delimiter and encoding), Parquet or a workbook (xlsx, xls, ods), in ACLED, GTD or UCDP GED columns
    #[arg(short = 'i', long = "input", value_name = "FILE")]
    pub input: PathBuf,
    /// Column convention (auto: event_id_cnty -> acled, eventid -> gtd, type_of_violence and date_start -> ucdp)
    #[arg(long, value_enum, default_value = "auto")]
    pub format: FormatArg,
    /// Output table (wide CSV: unit, period, one column per indicator)
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: PathBuf,
    /// Period of the output rows
    #[arg(long, value_enum, default_value = "year")]
    pub period: PeriodArg,
    /// Regex over the actor columns (ACLED actor1/actor2/assoc_actor_*; GTD gname*; UCDP side_a/side_b);
    /// adds actor_incidents and actor_fatalities, e.g. 'Khorasan|ISKP|ISIS-K'. Case-sensitive
    /// and matching anywhere in a name ('IS' matches "Pakistan"): anchor it ('^IS$') or
    /// add (?i) for any case
    #[arg(long, value_name = "REGEX")]
    pub actor: Option<String>,
    /// Output units, comma-separated (e.g. AFG,PAK,UZB): every one gets a row per period,
    /// with zeros where the log has no event; events elsewhere are left out (and counted)
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub units: Option<Vec<String>>,
    /// Keep a unit of --units that no event mentions, as rows of zeros, even when it is no
    /// country code (a country code always is; any other name is an error, most often a typo)
    #[arg(long)]
    pub keep_absent_units: bool,
    /// Refuse the publishers' known quirks (UCDP GED rows whose high estimate is below
    /// `best`) instead of reading them as documented and noting them
    #[arg(long)]
    pub strict: bool,
    /// Take unit codes from this column as they are (default: ISO3 from ACLED `iso`
    /// or the country name in `country` / GTD `country_txt`)
    #[arg(long, value_name = "COLUMN")]
    pub unit_column: Option<String>,
    /// What a unit is: `country` (ISO3); `admin1`, the province as `ISO3:name` (ACLED
    /// admin1, UCDP adm_1, GTD provstate; none: `ISO3:(none)`; --units takes these keys,
    /// or a country code for all its provinces); `grid`, the PRIO-GRID cell of the
    /// event's latitude and longitude (columns gid, row, col, lat, lon of its centre)
    #[arg(long = "unit", value_enum, default_value = "country")]
    pub places: PlacesArg,
    /// Leave out (and count) events with no province (--unit admin1) or no coordinates
    /// on the globe (--unit grid), instead of an `ISO3:(none)` unit or an error
    #[arg(long)]
    pub drop_unplaced: bool,
    /// Leave out (and count) events placed more coarsely than this code of the source's
    /// precision (UCDP where_prec 1-7, ACLED geo_precision 1-3, GTD specificity 1-5;
    /// e.g. 2 keeps UCDP's events within 25 km of a known place); with --unit admin1 or grid
    #[arg(long, value_name = "K")]
    pub max_geo_precision: Option<u32>,
    /// With --unit grid: cells (a file of PRIO-GRID gids, one per line or a column
    /// `gid`) that get rows of zeros where nothing happened, beside the cells with events
    #[arg(long, value_name = "FILE")]
    pub cells: Option<PathBuf>,
    /// With --unit grid: every cell whose centre is in LAT0,LAT1,LON0,LON1 (degrees)
    /// gets rows, zeros where nothing happened, beside the cells with events
    #[arg(long, value_name = "LAT0,LAT1,LON0,LON1", allow_hyphen_values = true)]
    pub bbox: Option<String>,
    /// First output period (default: the first with an event), e.g. 2018 or 2018-Q1
    #[arg(long, value_name = "PERIOD")]
    pub first_period: Option<String>,
    /// Last output period (default: the last with an event)
    #[arg(long, value_name = "PERIOD")]
    pub last_period: Option<String>,
    /// CSV field delimiter (default: detected from the header)
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<String>,
    /// Text encoding of a CSV log, e.g. windows-1252 (default: from the byte-order mark,
    /// UTF-8 if valid, else windows-1252)
    #[arg(long, value_name = "NAME")]
    pub encoding: Option<String>,
    /// Sheet of a workbook log (default: the first)
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// How dates are written (ACLED event_date, UCDP date_start), as strftime, e.g.
    /// %d/%m/%Y, %m/%d/%Y or %d-%b-%y (default: only 2022-04-21, 21 April 2022 and
    /// 21-April-2022, whose day, month and year cannot be mistaken)
    #[arg(long, value_name = "FORMAT")]
    pub date_format: Option<String>,
    /// GTD: conditions an event must meet to count as verified
    #[arg(long, value_enum, value_delimiter = ',', default_value = "success,no-doubt")]
    pub gtd_verified: Vec<GtdConditionArg>,
    /// ACLED: regex (over notes and tags) matching each mention of a claim; an event is
    /// claimed when it has more of these than of --acled-not-claimed
    #[arg(long, value_name = "REGEX", default_value = events::ACLED_CLAIMED)]
    pub acled_claimed: String,
    /// ACLED: regex matching a negated claim mention ("no group claimed"), one claim word each
    #[arg(long, value_name = "REGEX", default_value = events::ACLED_NOT_CLAIMED)]
    pub acled_not_claimed: String,
    /// ACLED: regex for "the claim was not verified"; claimed + this = claimed-only
    #[arg(long, value_name = "REGEX", default_value = events::ACLED_UNVERIFIED)]
    pub acled_unverified: String,
    #[command(flatten)]
    pub csv: super::args::CsvStyle,
    /// Print nothing but errors
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum PlacesArg {
    Country,
    Admin1,
    Grid,
}

/// The cells of `--cells FILE` and `--bbox`, as gids (text): every problem at once.
fn cells_asked(args: &EventsArgs, places: Places) -> Result<Vec<String>> {
    use crate::places::priogrid::{Cell, COLUMNS, LAST_GID, ROWS};
    if places != Places::Grid && (args.cells.is_some() || args.bbox.is_some()) {
        return Err(Error::argument(
            if args.cells.is_some() { "cells" } else { "bbox" },
            "adds PRIO-GRID cells to the table: use it with --unit grid",
        ));
    }
    let mut gids = Vec::new();
    if let Some(path) = &args.cells {
        let bytes = crate::input::file::read(path, "cells file", Default::default())?;
        let mut problems = Vec::new();
        // The column named `gid`, if the first row names one; else the first column.
        let mut column = 0;
        for (i, (row, record)) in crate::input::table::read_records(&bytes).into_iter().enumerate() {
            if i == 0 {
                if let Some(at) = record.iter().position(|h| h.trim().eq_ignore_ascii_case("gid")) {
                    column = at;
                    continue;
                }
            }
            let cell = record.get(column).map_or("", |c| c.trim());
            if cell.is_empty() {
                continue;
            }
            match cell.parse::<u32>().ok().and_then(Cell::from_gid) {
                Some(c) => gids.push(c.gid()),
                None => problems.push(Error::Cell {
                    file: path.display().to_string(),
                    row,
                    column: "gid".into(),
                    message: format!("expected a PRIO-GRID cell id (1 to {LAST_GID}), found `{cell}`"),
                }),
            }
        }
        Error::in_row_order(problems, 50)?;
    }
    if let Some(text) = &args.bbox {
        let bad = |why: &str| {
            Error::argument(
                "bbox",
                format!("expected LAT0,LAT1,LON0,LON1 in degrees ({why}), found `{text}`"),
            )
        };
        let numbers: Vec<f64> = text
            .split(',')
            .map(|v| v.trim().parse::<f64>().map_err(|_| bad("four numbers")))
            .collect::<Result<_>>()?;
        let [lat0, lat1, lon0, lon1] = numbers[..] else {
            return Err(bad("four numbers"));
        };
        if !(-90.0..=90.0).contains(&lat0) || !(-90.0..=90.0).contains(&lat1) || lat0 > lat1 {
            return Err(bad("latitudes -90 to 90, the first the lower"));
        }
        if !(-180.0..=180.0).contains(&lon0) || !(-180.0..=180.0).contains(&lon1) || lon0 > lon1 {
            return Err(bad("longitudes -180 to 180, the first the western"));
        }
        // The rows and columns whose centres (x.25 and x.75 degrees) are in the box.
        let first = |v: f64, shift: f64| ((v + shift - 0.25) * 2.0).ceil().max(0.0) as u32 + 1;
        let last = |v: f64, shift: f64, n: u32| (((v + shift - 0.25) * 2.0).floor() as i64 + 1).min(n as i64);
        let before = gids.len();
        for row in first(lat0, 90.0)..=last(lat1, 90.0, ROWS).max(0) as u32 {
            for col in first(lon0, 180.0)..=last(lon1, 180.0, COLUMNS).max(0) as u32 {
                gids.push(Cell { row, col }.gid());
            }
        }
        if gids.len() == before {
            return Err(bad("a box holding the centre of a cell, at x.25 or x.75 degrees"));
        }
    }
    gids.sort_unstable();
    gids.dedup();
    Ok(gids.into_iter().map(|g| g.to_string()).collect())
}

fn parse_period(option: &str, text: &Option<String>, kind: PeriodKind) -> Result<Option<Period>> {
    let Some(text) = text else { return Ok(None) };
    let p = super::args::parse_period(option, text)?;
    if p.kind != kind {
        return Err(Error::Argument {
            name: option.into(),
            message: format!(
                "expected a {} period, as --period asks, found `{text}` (a {})",
                kind.name(),
                p.kind.name()
            ),
        });
    }
    Ok(Some(p))
}

pub fn run(args: EventsArgs) -> Result<()> {
    let started = Instant::now();
    let options = options(&args)?;
    if !args.input.exists() {
        return Err(Error::Data {
            file: args.input.display().to_string(),
            kind: ErrorKind::Io,
            message: "no such file".into(),
        });
    }
    crate::input::file::check_regular(&args.input, "event log file (CSV or Parquet)")?;
    let manifest_path = args.out.with_extension("manifest.json");
    output::check_outputs(&[args.out.clone(), manifest_path.clone()], &[args.input.as_path()])?;
    let table = events::aggregate(&args.input, &options)?;
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "cannot create output folder", e))?;
    }
    let style = args.csv.style();
    let out = output::events::table(&table, options.period);
    let output_sha = output::write_atomic(&args.out, |w| output::csv::write_table(w, style, &out.header, out.rows))?;
    // Provenance beside the table: <out>.manifest.json, with the table's SHA-256 (a
    // table and a manifest of two runs do not pass for one).
    let manifest = manifest(&args, &options, &table, &output_sha, started);
    output::write_json(&manifest_path, &manifest)?;
    if !args.quiet {
        say_what_was_done(&args, options.period, &table, started);
    }
    Ok(())
}

/// The library's options from the command line's.
fn options(args: &EventsArgs) -> Result<Options> {
    let kind = match args.period {
        PeriodArg::Year => PeriodKind::Year,
        PeriodArg::Quarter => PeriodKind::Quarter,
        PeriodArg::Month => PeriodKind::Month,
    };
    let delimiter = super::args::parse_delimiter(args.delimiter.as_deref())?;
    let gtd_verified = if args.gtd_verified.contains(&GtdConditionArg::None) {
        Vec::new()
    } else {
        args.gtd_verified
            .iter()
            .map(|c| match c {
                GtdConditionArg::Success => GtdCondition::Success,
                _ => GtdCondition::NoDoubt,
            })
            .collect()
    };
    let places = match args.places {
        PlacesArg::Country => Places::Country,
        PlacesArg::Admin1 => Places::Admin1,
        PlacesArg::Grid => Places::Grid,
    };
    if args.drop_unplaced && places == Places::Country {
        return Err(Error::argument(
            "drop_unplaced",
            "leaves out events with no province or cell: use it with --unit admin1 or --unit grid",
        ));
    }
    let extra_units = cells_asked(args, places)?;
    if args.units.is_some() && !extra_units.is_empty() {
        return Err(Error::argument(
            if args.cells.is_some() { "cells" } else { "bbox" },
            "adds cells beside the cells with events, and --units keeps only the cells it names: give one (name every cell in --units, with --keep-absent-units for rows of zeros)",
        ));
    }
    Ok(Options {
        format: match args.format {
            FormatArg::Auto => None,
            FormatArg::Acled => Some(Format::Acled),
            FormatArg::Gtd => Some(Format::Gtd),
            FormatArg::Ucdp => Some(Format::Ucdp),
        },
        period: kind,
        actor: args.actor.clone(),
        units: args.units.clone(),
        keep_absent_units: args.keep_absent_units,
        strict: args.strict,
        unit_column: args.unit_column.clone(),
        places,
        drop_unplaced: args.drop_unplaced,
        max_geo_precision: args.max_geo_precision,
        extra_units,
        first_period: parse_period("first_period", &args.first_period, kind)?,
        last_period: parse_period("last_period", &args.last_period, kind)?,
        delimiter,
        encoding: args.encoding.clone(),
        sheet: args.sheet.clone(),
        date_format: args.date_format.clone(),
        rules: Rules {
            acled_claimed: args.acled_claimed.clone(),
            acled_not_claimed: args.acled_not_claimed.clone(),
            acled_unverified: args.acled_unverified.clone(),
            gtd_verified,
        },
    })
}

/// The run's manifest: what was read, asked and made.
fn manifest(
    args: &EventsArgs,
    options: &Options,
    table: &events::EventTable,
    output_sha: &str,
    started: Instant,
) -> serde_json::Value {
    let kind = options.period;
    serde_json::json!({
        "command": "events",
        "riskscore_version": env!("CARGO_PKG_VERSION"),
        "created_utc": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "input": {"file": args.input.display().to_string(), "sha256": table.report.source.sha256},
        "output": args.out.display().to_string(),
        "output_sha256": output_sha,
        "period": kind.name(),
        "actor": args.actor,
        "unit": options.places,
        "unit_column": options.unit_column,
        "drop_unplaced": options.drop_unplaced,
        "max_geo_precision": options.max_geo_precision,
        "bbox": args.bbox,
        "cells": args.cells.as_ref().map(|p| serde_json::json!({
            "file": p.display().to_string(),
            "sha256": crate::hash::sha256_file(p).ok(),
        })),
        "rules": options.rules,
        "report": table.report,
        "units": table.units,
        "periods": table.periods.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
        "columns": table.columns,
        "elapsed_seconds": started.elapsed().as_secs_f64(),
    })
}

/// The notes of the report and what was aggregated, on standard error.
fn say_what_was_done(args: &EventsArgs, kind: PeriodKind, table: &events::EventTable, started: Instant) {
    let r = &table.report;
    for text in &r.notes {
        super::terminal::note(text);
    }
    for q in &r.quirks {
        let (published, strict) = if q.as_published {
            (" (as in UCDP's own files)", " (--strict refuses them)")
        } else {
            ("", "")
        };
        say!(
            "note: {} rows where {}{published}, read as {}; first event ids: {}{strict}",
            q.rows,
            q.what,
            q.read_as,
            q.first_ids.join(", ")
        );
    }
    if r.unknown_month > 0 {
        say!(
            "note: {} events with an unknown month (GTD imonth = 0) left out of the {} table",
            r.unknown_month,
            kind.name()
        );
    }
    if !r.left_out_units.is_empty() {
        // The units with most events first, at most 12 (the manifest lists them all).
        let mut by_events: Vec<(&String, &usize)> = r.left_out_units.iter().collect();
        by_events.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let events: usize = by_events.iter().map(|(_, &n)| n).sum();
        let mut list: Vec<String> = by_events.iter().take(12).map(|(u, n)| format!("{u} ({n})")).collect();
        if by_events.len() > 12 {
            list.push(format!("and {} more units (in the manifest)", by_events.len() - 12));
        }
        say!("note: {events} events outside --units left out: {}", list.join(", "));
    }
    if !r.no_country.is_empty() {
        let list: Vec<String> = r.no_country.iter().map(|(u, n)| format!("{u} ({n})")).collect();
        say!("note: events at no country left out: {}", list.join(", "));
    }
    if r.left_out_periods > 0 {
        say!("note: {} events outside the period range left out", r.left_out_periods);
    }
    say!(
        "{} log{}: {} rows, {} events aggregated into {} units x {} periods ({}..{}), {} columns, in {:.2} s; wrote {}",
        r.format.map_or("?", |f| f.name()),
        how_read(&r.source),
        r.rows,
        r.aggregated,
        table.units.len(),
        table.periods.len(),
        table.periods[0],
        table.periods[table.periods.len() - 1],
        table.columns.len(),
        started.elapsed().as_secs_f64(),
        args.out.display()
    );
}

/// How the log was read, where it is not a plain UTF-8 CSV: ` (xlsx, sheet `Data`; HXL row skipped)`.
fn how_read(source: &events::SourceReport) -> String {
    let mut parts = Vec::new();
    if source.container != "csv" {
        parts.push(source.container.clone());
    }
    if let Some(sheet) = &source.sheet {
        parts.push(format!("sheet `{sheet}`"));
    }
    if let Some(encoding) = source.encoding.as_deref().filter(|e| *e != "utf-8") {
        parts.push(encoding.to_string());
    }
    if source.hxl_row {
        parts.push("HXL row skipped".into());
    }
    if source.headers_lowercased {
        parts.push("upper-case headers".into());
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}

#[derive(Args, Debug)]
pub struct GenerateEventsArgs {
    /// Column convention of the log
    #[arg(long, value_enum)]
    pub format: FormatArg,
    /// Number of events (rows)
    #[arg(long, default_value_t = 1000)]
    pub rows: usize,
    /// Random seed: the same seed gives the same file
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// First year of events
    #[arg(long, default_value_t = 2018)]
    pub first_year: i32,
    /// Last year of events
    #[arg(long, default_value_t = 2023)]
    pub last_year: i32,
    /// Output CSV file
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: PathBuf,
    /// Print nothing but errors
    #[arg(short, long)]
    pub quiet: bool,
}

pub fn generate(args: GenerateEventsArgs) -> Result<()> {
    let format = match args.format {
        FormatArg::Acled => Format::Acled,
        FormatArg::Gtd => Format::Gtd,
        FormatArg::Ucdp => Format::Ucdp,
        FormatArg::Auto => {
            return Err(Error::Argument {
                name: "format".into(),
                message: "choose acled, gtd or ucdp".into(),
            })
        }
    };
    if args.first_year > args.last_year {
        return Err(Error::Argument {
            name: "first_year".into(),
            message: format!("{} is after --last-year {}", args.first_year, args.last_year),
        });
    }
    let spec = generate::Spec {
        format,
        rows: args.rows,
        seed: args.seed,
        first_year: args.first_year,
        last_year: args.last_year,
    };
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "cannot create output folder", e))?;
    }
    let started = std::time::Instant::now();
    output::write_atomic(&args.out, |w| generate::write(&spec, w))?;
    if !args.quiet {
        say!(
            "{} log of {} synthetic events ({}..{}, seed {}) in {:.2} s; wrote {}",
            format.name(),
            args.rows,
            args.first_year,
            args.last_year,
            args.seed,
            started.elapsed().as_secs_f64(),
            args.out.display()
        );
    }
    Ok(())
}

//! The output grid: every unit asked for (or seen) x every period from the first to
//! the last, zeros where no event happened; events outside are left out and counted.

use super::countries;
use super::detect::{Log, Place, UnitSource};
use super::model::{EventTable, Options, FIRST_ROW, PERIOD, UNIT, UNKNOWN};
use super::sums::{type_slug, Sums};
use crate::error::ErrorKind;
use crate::error::{suggest, visible, Error, Result};
use crate::period::Period;
use crate::places::priogrid::Cell;
use polars::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// The longest stretch without events that a log's dates may span before the dates
/// beyond it are taken for typos: 30 years.
const GAP_YEARS: i64 = 30;

/// Refuses dates that would pad the table with periods of zeros (the year 9999, 2099,
/// 1066 in a log of 2015-2021): dates after the current period, and dates more than
/// [`GAP_YEARS`] from the log's main run of dates (the run with most events). Each
/// outlying period is named with its first row. Not checked on a side whose bound the
/// user set (`--first-period`, `--last-period`): the grid is then theirs.
fn outlying_periods(log: &Log, options: &Options, kept: &[usize], periods: &[i64], first_rows: &[u64]) -> Result<()> {
    if options.first_period.is_some() && options.last_period.is_some() {
        return Ok(());
    }
    // Per distinct period: its events' rows (the first) and their count.
    let mut seen: BTreeMap<i64, (u64, usize)> = BTreeMap::new();
    for &i in kept {
        let entry = seen.entry(periods[i]).or_insert((u64::MAX, 0));
        entry.0 = entry.0.min(first_rows[i]);
        entry.1 += 1;
    }
    let per_year = match options.period {
        crate::period::PeriodKind::Year => 1,
        crate::period::PeriodKind::Quarter => 4,
        crate::period::PeriodKind::Month => 12,
    };
    let now = Period::now(options.period).ordinal;
    // Runs of dates split where the gap is longer than GAP_YEARS; the main run has most events.
    let ordinals: Vec<i64> = seen.keys().copied().filter(|&p| p <= now).collect();
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for (k, &p) in ordinals.iter().enumerate() {
        match runs.last_mut() {
            Some(run) if p - ordinals[run.1] <= GAP_YEARS * per_year => run.1 = k,
            _ => runs.push((k, k)),
        }
    }
    let events = |&(a, b): &(usize, usize)| -> usize { ordinals[a..=b].iter().map(|p| seen[p].1).sum() };
    let main = runs
        .iter()
        .max_by_key(|r| events(r))
        .map(|&(a, b)| (ordinals[a], ordinals[b]));
    let mut problems = Vec::new();
    for (&p, &(row, _)) in &seen {
        let period = Period {
            kind: options.period,
            ordinal: p,
        };
        let (before, after) = (options.first_period.is_none(), options.last_period.is_none());
        let why = match main {
            _ if p > now && after => format!("after the current period ({})", Period::now(options.period)),
            Some((lo, hi)) if (p < lo && before) || (p > hi && after) => format!(
                "more than {GAP_YEARS} years from the log's other dates ({}..{})",
                Period {
                    kind: options.period,
                    ordinal: lo
                },
                Period {
                    kind: options.period,
                    ordinal: hi
                }
            ),
            _ => continue,
        };
        problems.push(Error::Row {
            file: log.name.clone(),
            row: row as usize,
            message: format!(
                "the event's date falls in {period}, {why}: a typo? Correct the date, or leave such events out with --first-period/--last-period (the table would have a row per unit for every period up to it)"
            ),
        });
    }
    Error::in_row_order(problems, crate::error::MAX_LISTED)
}

/// The table of every unit and period.
/// `row_problems` are the rows that broke a rule: reported with the unknown names.
pub(super) fn grid(log: &Log, options: &Options, mut s: Sums, row_problems: Vec<Error>) -> Result<EventTable> {
    let cols = sum_columns(log, &mut s)?;
    let asked = options
        .units
        .as_ref()
        .map(|u| asked_units(log, options, u, &cols.units));
    let units = output_units(log, options, asked.as_deref(), &cols, &mut s.report)?;
    let sorted = sort_sums(log, options, asked.as_deref(), &cols, &mut s.report);
    let mut problems = row_problems;
    problems.extend(unknown_names(log, &sorted.unknown));
    Error::in_row_order(problems, crate::error::MAX_LISTED)?;
    // Every event without a period broke a rule reported above; never a grid row.
    if let Some(&i) = sorted.kept.iter().find(|&&i| cols.periods[i] == i64::MIN) {
        return Err(log.data_error(
            ErrorKind::Internal,
            format!(
                "events from row {} have no period, yet no row was found in error (a bug: please report it with the log)",
                cols.first_rows[i]
            ),
        ));
    }
    outlying_periods(log, options, &sorted.kept, &cols.periods, &cols.first_rows)?;
    let periods = output_periods(options, &sorted.kept, &cols.periods);
    if periods.is_empty() || units.is_empty() {
        return Err(nothing_left(log, &s.report));
    }
    let size = (units.len(), periods.len(), options.period);
    let cells_asked = !options.extra_units.is_empty();
    if let Some(why) = too_large(
        log.place,
        cells_asked,
        size,
        s.columns.len(),
        crate::stats::available_memory(),
    ) {
        return Err(log.data_error(ErrorKind::TooLarge, why));
    }
    let values = lay_out(&units, &periods, &sorted.kept, &cols, s.columns.len());
    s.report.aggregated = sorted.kept.iter().map(|&i| cols.incidents(i)).sum();
    placement_notes(log, options, &cols, &sorted, &mut s.report);
    let unit_columns = match log.place {
        Place::Grid { .. } => cell_columns(&units),
        _ => Vec::new(),
    };
    Ok(EventTable {
        unit_header: match (&log.unit_source, log.place) {
            (_, Place::Grid { .. }) => "gid".into(),
            (_, Place::Admin1(_)) => "admin1".into(),
            (UnitSource::Column(c), _) => c.clone(),
            _ => "iso3".into(),
        },
        unit_columns,
        units,
        periods,
        columns: s.columns,
        values,
        report: s.report,
    })
}

/// Whether ordinal `p` is in the period range asked for.
fn in_range(options: &Options, p: i64) -> bool {
    options.first_period.is_none_or(|f| p >= f.ordinal) && options.last_period.is_none_or(|l| p <= l.ordinal)
}

/// Whether the events of `unit` are no unit's: with no province or cell under
/// --drop-unplaced, or placed too coarsely.
fn left_out(log: &Log, options: &Options, unit: &str) -> bool {
    unit == super::model::COARSE || (options.drop_unplaced && unplaced(log, unit))
}

/// The table's units: those asked for, else those the events name; the extra ones;
/// provinces and cells in order. Units asked for that cannot be are refused.
fn output_units(
    log: &Log,
    options: &Options,
    asked: Option<&[String]>,
    cols: &SumColumns,
    report: &mut super::model::Report,
) -> Result<Vec<String>> {
    let mentioned: BTreeSet<&str> = cols
        .units
        .iter()
        .map(String::as_str)
        .filter(|u| !u.starts_with(UNKNOWN) && !left_out(log, options, u))
        .collect();
    // With cells and provinces, every unit asked for must be one (kept or not).
    if let Some(asked) = asked {
        let problems: Vec<Error> = asked
            .iter()
            .filter_map(|u| match log.place {
                Place::Grid { .. } if u.parse::<u32>().ok().and_then(Cell::from_gid).is_none() => Some(format!(
                    "`{u}` is no PRIO-GRID cell id (1 to {})",
                    crate::places::priogrid::LAST_GID
                )),
                Place::Admin1(_) if !u.contains(':') => Some(format!(
                    "no event of {} is in a province of `{u}`: name a province as `{u}:name`",
                    log.name
                )),
                _ => None,
            })
            .map(|m| Error::argument("units", m))
            .collect();
        Error::from_problems(problems)?;
        if !options.keep_absent_units {
            report.notes.extend(absent_units(log, asked, &mentioned)?);
        }
    }
    let mut units: Vec<String> = match asked {
        Some(u) => u.to_vec(),
        None => mentioned.iter().map(|u| u.to_string()).collect(),
    };
    units.extend(options.extra_units.iter().cloned());
    if log.place != Place::Country {
        // Provinces and cells in order: by country and name, by gid.
        units.sort_by(|a, b| match (a.parse::<u64>(), b.parse::<u64>()) {
            (Ok(x), Ok(y)) => x.cmp(&y),
            _ => a.cmp(b),
        });
    }
    units.dedup();
    if let Place::Admin1(column) = log.place {
        report.notes.extend(spelled_apart(column, &units));
    }
    Ok(units)
}

/// The sums sorted: those that make the table, and the events left out and why.
struct Sorted<'a> {
    /// The rows of the sums that make the table.
    kept: Vec<usize>,
    /// Events placed too coarsely, and events with no place under --drop-unplaced.
    coarse: usize,
    dropped: usize,
    /// Unknown country names inside the period range, each with its events and first row.
    unknown: BTreeMap<&'a str, (usize, u64)>,
}

/// Sorts every row of the sums: kept, or counted in the report (or in `unknown`) as
/// out of the period range, of no country, of a unit not asked for, or left out.
fn sort_sums<'a>(
    log: &Log,
    options: &Options,
    asked: Option<&[String]>,
    cols: &'a SumColumns,
    report: &mut super::model::Report,
) -> Sorted<'a> {
    let wanted: Option<HashSet<&str>> = asked.map(|u| u.iter().map(String::as_str).collect());
    let mut sorted = Sorted {
        kept: Vec::new(),
        coarse: 0,
        dropped: 0,
        unknown: BTreeMap::new(),
    };
    for (i, unit) in cols.units.iter().enumerate() {
        let n = cols.incidents(i);
        let in_range = in_range(options, cols.periods[i]);
        if left_out(log, options, unit) {
            if !in_range {
                report.left_out_periods += n;
            } else if unit == super::model::COARSE {
                sorted.coarse += n;
            } else {
                sorted.dropped += n;
            }
        } else if let Some(name) = unit.strip_prefix(UNKNOWN) {
            // A province's country name is before its `:`.
            let name = match log.place {
                Place::Admin1(_) => name.split_once(':').map_or(name, |(country, _)| country),
                _ => name,
            };
            if !in_range {
                report.left_out_periods += n;
            } else if countries::NO_COUNTRY.contains(&name) {
                *report.no_country.entry(name.to_string()).or_default() += n;
            } else if wanted.is_some() {
                *report
                    .left_out_units
                    .entry(format!("{name} (unknown country name)"))
                    .or_default() += n;
            } else {
                let entry = sorted.unknown.entry(name).or_insert((0, u64::MAX));
                entry.0 += n;
                entry.1 = entry.1.min(cols.first_rows[i]);
            }
        } else if wanted.as_ref().is_some_and(|w| !w.contains(unit.as_str())) {
            *report.left_out_units.entry(unit.clone()).or_default() += n;
        } else if !in_range {
            report.left_out_periods += n;
        } else {
            sorted.kept.push(i);
        }
    }
    sorted
}

/// Every period from the first asked for (else seen) to the last.
fn output_periods(options: &Options, kept: &[usize], periods_col: &[i64]) -> Vec<Period> {
    let seen_periods = kept.iter().map(|&i| periods_col[i]);
    let first = options
        .first_period
        .map(|p| p.ordinal)
        .or_else(|| seen_periods.clone().min());
    let last = options.last_period.map(|p| p.ordinal).or_else(|| seen_periods.max());
    match (first, last) {
        (Some(a), Some(b)) => (a..=b)
            .map(|ordinal| Period {
                kind: options.period,
                ordinal,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The error of a log that leaves no unit or no period.
fn nothing_left(log: &Log, report: &super::model::Report) -> Error {
    log.data_error(
        ErrorKind::NothingToScore,
        format!(
            "no events left to aggregate ({} rows read{}); check the units and the period range asked for",
            report.rows,
            if report.left_out_units.is_empty() {
                String::new()
            } else {
                format!(
                    ", events only in {}",
                    crate::error::list_ids(report.left_out_units.keys().map(String::as_str))
                )
            }
        ),
    )
}

/// The kept sums laid on the table: per column, a value per cell `period * units + unit`
/// (0 where no event is).
fn lay_out(units: &[String], periods: &[Period], kept: &[usize], cols: &SumColumns, n_columns: usize) -> Vec<Vec<f64>> {
    let unit_index: HashMap<&str, usize> = units.iter().enumerate().map(|(i, u)| (u.as_str(), i)).collect();
    let n_units = units.len();
    let first = periods[0].ordinal;
    let mut values = vec![vec![0.0; n_units * periods.len()]; n_columns];
    for &i in kept {
        let cell = (cols.periods[i] - first) as usize * n_units + unit_index[cols.units[i].as_str()];
        for (c, column) in cols.values.iter().enumerate() {
            values[c][cell] += column[i];
        }
    }
    values
}

/// The notes on events with no place, dropped, or placed too coarsely.
fn placement_notes(
    log: &Log,
    options: &Options,
    cols: &SumColumns,
    sorted: &Sorted,
    report: &mut super::model::Report,
) {
    let no_place: usize = sorted
        .kept
        .iter()
        .filter(|&&i| unplaced(log, &cols.units[i]))
        .map(|&i| cols.incidents(i))
        .sum();
    match (&log.unit_source, log.place) {
        (_, Place::Admin1(c)) if no_place > 0 => report.notes.push(format!(
            "{no_place} {} no `{c}`: their unit is their country's `{}` (--drop-unplaced leaves them out, --strict refuses them)",
            if no_place == 1 { "event has" } else { "events have" },
            super::model::NO_UNIT
        )),
        (UnitSource::Column(c), Place::Country) if no_place > 0 => report.notes.push(format!(
            "{no_place} events have no `{c}`: their unit is `{}` (--strict refuses them)",
            super::model::NO_UNIT
        )),
        _ => {}
    }
    let (dropped, coarse) = (sorted.dropped, sorted.coarse);
    if dropped > 0 {
        report.notes.push(format!(
            "{dropped} {} left out: no {} (--drop-unplaced)",
            if dropped == 1 { "event" } else { "events" },
            match log.place {
                Place::Grid { .. } => "coordinates on the globe",
                _ => "province",
            }
        ));
    }
    if coarse > 0 {
        report.notes.push(format!(
            "{coarse} {} left out: placed more coarsely than `{}` {}, or with no such code (--max-geo-precision)",
            if coarse == 1 { "event" } else { "events" },
            super::detect::precision_column(log.format),
            options.max_geo_precision.unwrap_or(0)
        ));
    }
}

/// Whether `unit` holds the events with no province or no cell.
/// Why a table of `units` x `periods` rows of `columns` sums (8 bytes each, and as
/// much again while the table is written) cannot be made in `available` bytes, if it
/// cannot: the whole globe's 259,200 cells by month over decades (`--bbox
/// -90,90,-180,180`) is a few hundred million rows.
fn too_large(
    place: Place,
    cells_asked: bool,
    (units, periods, kind): (usize, usize, crate::period::PeriodKind),
    columns: usize,
    available: Option<u64>,
) -> Option<String> {
    let rows = units as u128 * periods as u128;
    let needed = rows * (columns as u128 + 1) * 16;
    let available = available.filter(|&a| needed > u128::from(a))?;
    let (what, fewer) = match place {
        Place::Grid { .. } if cells_asked => (
            "cells",
            "ask for fewer cells (a smaller --bbox, or --cells with a region's land cells)",
        ),
        Place::Grid { .. } => ("cells", "ask for fewer units (--units)"),
        Place::Admin1(_) => ("provinces", "ask for fewer units (--units)"),
        Place::Country => ("units", "ask for fewer units (--units)"),
    };
    Some(format!(
        "the table would have {rows} rows ({units} {what} x {periods} {}s) and need about {:.1} GB of memory, and {:.1} GB is available: {fewer}, fewer periods (--first-period, --last-period) or a longer --period",
        kind.name(),
        needed as f64 / 1e9,
        available as f64 / 1e9
    ))
}

fn unplaced(log: &Log, unit: &str) -> bool {
    match log.place {
        Place::Admin1(_) => unit.ends_with(&format!(":{}", super::model::NO_UNIT)),
        _ => unit == super::model::NO_UNIT,
    }
}

/// The units asked for, as the table's units: with `--unit admin1` a country code
/// stands for every province of that country in the log (with `(none)` unless
/// `drop_unplaced`).
fn asked_units(log: &Log, options: &Options, asked: &[String], units_col: &[String]) -> Vec<String> {
    if let Place::Grid { .. } = log.place {
        // A cell as its number: ` 0165375` is cell 165375.
        return asked
            .iter()
            .map(|u| match u.trim().parse::<u32>().ok().and_then(Cell::from_gid) {
                Some(c) => c.gid().to_string(),
                None => u.trim().to_string(),
            })
            .collect();
    }
    if !matches!(log.place, Place::Admin1(_)) {
        return asked.to_vec();
    }
    let mut out = Vec::new();
    for u in asked {
        // A country code in any case (`pak` is PAK).
        let prefix = format!("{}:", if u.contains(':') { u.clone() } else { u.to_uppercase() });
        let provinces: BTreeSet<&String> = units_col
            .iter()
            .filter(|v| v.starts_with(&prefix) && !(options.drop_unplaced && unplaced(log, v)))
            .collect();
        if u.contains(':') || provinces.is_empty() {
            out.push(u.clone());
        } else {
            out.extend(provinces.into_iter().cloned());
        }
    }
    out
}

/// Per cell: its row, column and centre (lat, lon), as the table's columns after the
/// gid.
fn cell_columns(units: &[String]) -> Vec<(String, Vec<f64>)> {
    let cells: Vec<Option<Cell>> = units
        .iter()
        .map(|u| u.parse::<u32>().ok().and_then(Cell::from_gid))
        .collect();
    let of = |f: &dyn Fn(Cell) -> f64| cells.iter().map(|c| c.map_or(f64::NAN, f)).collect::<Vec<f64>>();
    vec![
        ("row".into(), of(&|c| c.row as f64)),
        ("col".into(), of(&|c| c.col as f64)),
        ("lat".into(), of(&|c| c.centre().0)),
        ("lon".into(), of(&|c| c.centre().1)),
    ]
}

/// Country names not in the table, of events in the period range: an error each.
fn unknown_names(log: &Log, unknown: &BTreeMap<&str, (usize, u64)>) -> Vec<Error> {
    let known = countries::table().iter().flat_map(|c| c.names.iter().copied());
    unknown
        .iter()
        .map(|(name, &(events, row))| Error::Cell {
            file: log.name.clone(),
            row: row as usize,
            column: log.unit_source.column().to_string(),
            message: format!(
                "unknown country name `{}` ({events} event{} in the period range): expected an ISO 3166 name such as Uzbekistan, or units from a column of codes (option `unit_column`); events outside option `units` are left out{}",
                visible(name),
                if events == 1 { "" } else { "s" },
                suggest(name, known.clone())
            ),
        })
        .collect()
}

/// Units asked for that no event mentions, most often typos: an error each.
/// Provinces kept apart whose names differ only in case or spaces (`PAK:Punjab`,
/// `PAK:PUNJAB`): the key is the name as the source spells it, so they are two units;
/// a note lists them, for the user to decide.
fn spelled_apart(column: &str, units: &[String]) -> Option<String> {
    let mut by_folded: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for u in units {
        let folded = u.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        by_folded.entry(folded).or_default().push(u);
    }
    let groups: Vec<String> = by_folded
        .values()
        .filter(|spellings| spellings.len() > 1)
        .map(|spellings| {
            spellings
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(" and ")
        })
        .collect();
    (!groups.is_empty()).then(|| {
        format!(
            "provinces whose `{column}` differs only in case or spaces are kept apart: {} (write the names alike in the log to merge them)",
            groups.join("; ")
        )
    })
}

/// Units asked for that no event is in. A country code (when units are countries) is a
/// place where nothing happened: rows of zeros, and a note. Any other name is refused,
/// with the nearest unit of the log or country code: most likely a typo (`PKA`).
fn absent_units(log: &Log, asked: &[String], mentioned: &BTreeSet<&str>) -> Result<Option<String>> {
    let countries = !matches!(log.unit_source, UnitSource::Column(_)) && log.place == Place::Country;
    // A country code, or a cell id with --unit grid: a place where nothing happened.
    let a_place = |u: &str| match log.place {
        Place::Grid { .. } => u.parse::<u32>().ok().and_then(Cell::from_gid).is_some(),
        Place::Country => countries && countries::name_of(u).is_some(),
        Place::Admin1(_) => false,
    };
    let (quiet, unknown): (Vec<&String>, Vec<&String>) = asked
        .iter()
        .filter(|u| !mentioned.contains(u.as_str()))
        .partition(|u| a_place(u));
    let problems = unknown
        .iter()
        .map(|u| {
            // A province named in part ("PAK:Sindh" for "PAK:Sindh province").
            let near = crate::error::suggest_unit(u, mentioned.iter().copied());
            let near = if near.is_empty() && countries {
                suggest(u, countries::table().iter().map(|c| c.alpha3))
            } else {
                near
            };
            let what = if countries { " and it is no ISO 3166 country code" } else { "" };
            Error::argument(
                "units",
                format!(
                    "no event of {} is in unit `{u}`{what}{near} (to keep it as rows of zeros, set option `keep_absent_units`)",
                    log.name,
                ),
            )
        })
        .collect();
    Error::from_problems(problems)?;
    Ok((!quiet.is_empty()).then(|| {
        let list: Vec<&str> = quiet.iter().map(|u| u.as_str()).collect();
        format!(
            "no event of {} is in {}: {} rows are zeros",
            log.name,
            list.join(", "),
            if list.len() == 1 { "its" } else { "their" }
        )
    }))
}

/// Per row of the sums: its unit, its period ordinal, and each summed value.
struct SumColumns {
    units: Vec<String>,
    periods: Vec<i64>,
    values: Vec<Vec<f64>>,
    /// Per row: the first row of the log it sums.
    first_rows: Vec<u64>,
}

impl SumColumns {
    /// The events of row `i` of the sums (its `incidents`, the first column).
    fn incidents(&self, i: usize) -> usize {
        self.values[0][i] as usize
    }
}

/// The sums as plain columns: unit, period, and each summed column, with the events by
/// type inserted before `impact` (the last).
fn sum_columns(log: &Log, s: &mut Sums) -> Result<SumColumns> {
    let unit = s.grouped.column(UNIT).map_err(|e| log.polars_error(e))?;
    // Cells are summed by their gid as a number (0: no cell; -1: placed too coarsely).
    let units_col: Vec<String> = match unit.dtype() {
        DataType::Int64 => unit
            .i64()
            .map_err(|e| log.polars_error(e))?
            .iter()
            .map(|g| match g.unwrap_or(0) {
                0 => super::model::NO_UNIT.to_string(),
                -1 => super::model::COARSE.to_string(),
                g => g.to_string(),
            })
            .collect(),
        _ => unit
            .str()
            .map_err(|e| log.polars_error(e))?
            .iter()
            .map(|u| u.unwrap_or("").to_string())
            .collect(),
    };
    let periods_col: Vec<i64> = s
        .grouped
        .column(PERIOD)
        .map_err(|e| log.polars_error(e))?
        .i64()
        .map_err(|e| log.polars_error(e))?
        .iter()
        .map(|p| p.unwrap_or(i64::MIN))
        .collect();
    let mut value_cols: Vec<Vec<f64>> = s
        .columns
        .iter()
        .map(|c| {
            let series = s
                .grouped
                .column(c)
                .map_err(|e| log.polars_error(e))?
                .cast(&DataType::Float64)
                .map_err(|e| log.polars_error(e))?;
            Ok(series
                .f64()
                .map_err(|e| log.polars_error(e))?
                .iter()
                .map(|v| v.unwrap_or(0.0))
                .collect())
        })
        .collect::<Result<_>>()?;
    // Events by type, before `impact` (the last column); each type's slug made once.
    let at = s.columns.len() - 1;
    let mut slug_of: HashMap<&str, String> = HashMap::new();
    for kind in &s.kinds {
        slug_of.entry(kind.as_str()).or_insert_with(|| type_slug(kind));
    }
    for (j, name) in s.type_columns.iter().enumerate() {
        let counts: Vec<f64> = (0..s.grouped.height())
            .map(|i| {
                if &slug_of[s.kinds[i].as_str()] == name {
                    value_cols[0][i]
                } else {
                    0.0
                }
            })
            .collect();
        s.columns.insert(at + j, name.clone());
        value_cols.insert(at + j, counts);
    }
    let first_rows = s
        .grouped
        .column(FIRST_ROW)
        .and_then(|c| c.cast(&DataType::UInt64))
        .map_err(|e| log.polars_error(e))?
        .u64()
        .map_err(|e| log.polars_error(e))?
        .iter()
        .map(|r| r.unwrap_or(0))
        .collect();
    Ok(SumColumns {
        units: units_col,
        periods: periods_col,
        values: value_cols,
        first_rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period::PeriodKind;

    #[test]
    fn provinces_spelled_apart_only_by_case_or_spaces_are_noted() {
        let units: Vec<String> = [
            "PAK:Punjab",
            "PAK:PUNJAB",
            "IND:Punjab",
            "PAK:Khyber  Pakhtunkhwa",
            "PAK:Khyber Pakhtunkhwa",
            "PAK:Sindh",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            spelled_apart("adm_1", &units).unwrap(),
            "provinces whose `adm_1` differs only in case or spaces are kept apart: `PAK:Khyber  Pakhtunkhwa` and `PAK:Khyber Pakhtunkhwa`; `PAK:Punjab` and `PAK:PUNJAB` (write the names alike in the log to merge them)"
        );
        assert_eq!(spelled_apart("adm_1", &units[2..3]), None);
    }

    #[test]
    fn a_table_past_the_memory_is_refused_with_the_way_out() {
        let grid = Place::Grid {
            lat: "latitude",
            lon: "longitude",
            gid: None,
        };
        // The globe by month over 30 years: 93,312,000 rows, 6 sums: 10.5 GB.
        let why = too_large(grid, true, (259_200, 360, PeriodKind::Month), 6, Some(8_000_000_000)).unwrap();
        assert_eq!(
            why,
            "the table would have 93312000 rows (259200 cells x 360 months) and need about 10.5 GB of memory, and 8.0 GB is available: ask for fewer cells (a smaller --bbox, or --cells with a region's land cells), fewer periods (--first-period, --last-period) or a longer --period"
        );
        assert_eq!(
            too_large(grid, true, (259_200, 360, PeriodKind::Month), 6, Some(11_000_000_000)),
            None
        );
        assert_eq!(too_large(grid, true, (259_200, 360, PeriodKind::Month), 6, None), None);
        let why = too_large(Place::Country, false, (200, 10, PeriodKind::Year), 6, Some(1000)).unwrap();
        assert!(
            why.contains("(200 units x 10 years)") && why.contains("--units"),
            "{why}"
        );
    }
}

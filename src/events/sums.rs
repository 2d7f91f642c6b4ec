//! Aggregation: one scan sums every indicator per unit, period and event type.

use super::detect::Log;
use super::model::{slug, Format, Options, Report, FIRST_ROW, KIND, PERIOD, ROW, UNIT};
use super::rows::RowExprs;
use super::scan::{scan, Scan, Scanned};
use crate::error::Result;
use crate::period::PeriodKind;
use polars::prelude::*;

/// The sums per unit, period and event type, before the output grid.
pub(super) struct Sums {
    pub(super) grouped: DataFrame,
    /// Per row of `grouped`: its event type.
    pub(super) kinds: Vec<String>,
    /// The summed columns (`incidents` first, `impact` last).
    pub(super) columns: Vec<String>,
    /// `type_<slug>` per event type, in order.
    pub(super) type_columns: Vec<String>,
    pub(super) report: Report,
    /// Whether a row broke a rule (which and where: [`problems`](super::problems::problems)).
    pub(super) bad_rows: bool,
    /// Whether an event id hash was seen on two rows.
    pub(super) repeated_ids: bool,
}

/// `type_<slug>` of an event type (`type_unknown` when empty).
pub(super) fn type_slug(t: &str) -> String {
    format!("type_{}", slug(if t.is_empty() { "unknown" } else { t }))
}

/// How many rows of a group the boolean `e` holds for: counted, then made a number
/// (no number column per row).
fn count(e: Expr) -> Expr {
    e.sum().cast(DataType::Float64)
}

/// The sums of every indicator, with their column names (impact: GTI-style, over the
/// verified events).
fn sum_exprs(e: &RowExprs) -> (Vec<Expr>, Vec<String>) {
    let fat = e.fatalities.clone();
    let as_num = |e: Expr| e.cast(DataType::Float64);
    let verified = e.claims.as_ref().map_or(lit(true), |(_, v)| v.clone());
    let mut impact = as_num(verified.clone()) * (lit(1.0) + lit(3.0) * fat.clone());
    let mut aggs = vec![len().cast(DataType::Float64).alias("incidents")];
    let mut columns: Vec<String> = vec!["incidents".into()];
    if let Some((claimed, verified)) = &e.claims {
        aggs.extend([
            count(verified.clone()).alias("verified"),
            count(verified.clone().not()).alias("unverified"),
            count(claimed.clone()).alias("claimed"),
            count(claimed.clone().and(verified.clone().not())).alias("claimed_only"),
        ]);
        columns.extend(["verified", "unverified", "claimed", "claimed_only"].map(String::from));
    }
    aggs.push(fat.clone().sum().alias("fatalities"));
    columns.push("fatalities".into());
    for (name, v) in &e.extra {
        aggs.push(v.clone().sum().alias(*name));
        columns.push(name.to_string());
    }
    if let Some(inj) = e.injuries.clone() {
        impact = impact + as_num(verified.clone()) * lit(0.5) * inj.clone();
        aggs.push(inj.sum().alias("injuries"));
        columns.push("injuries".into());
    }
    if let Some(host) = e.hostages.clone() {
        impact = impact + as_num(verified.clone()) * lit(0.5) * host.clone();
        aggs.push(host.sum().alias("hostages"));
        columns.push("hostages".into());
    }
    if let Some(a) = e.actor.clone() {
        aggs.push(count(a.clone()).alias("actor_incidents"));
        aggs.push((as_num(a) * fat).sum().alias("actor_fatalities"));
        columns.extend(["actor_incidents".into(), "actor_fatalities".into()]);
    }
    if let Some(c) = e.civilian.clone() {
        aggs.push(count(c).alias("civilian_events"));
        columns.push("civilian_events".into());
    }
    aggs.push(impact.sum().alias("impact"));
    columns.push("impact".into());
    (aggs, columns)
}

/// What the report says before the grid: the format, rows read, notes.
fn start_report(log: &Log) -> Report {
    let mut report = Report {
        format: Some(log.format),
        source: log.source.clone(),
        notes: log.notes.clone(),
        ..Report::default()
    };
    if log.format == Format::Acled && !log.has("notes") && !log.has("tags") {
        report
            .notes
            .push("no notes or tags column: every event counts as verified and none as claimed".into());
    }
    report
}

const MONTH_KNOWN: &str = "__month_known";
const BAD_ROWS: &str = "__bad_rows";
const REPEATED_IDS: &str = "__repeated_ids";

/// Sums per unit, period and event type, in one scan of the log that also counts the
/// rows breaking a rule and the candidate repeated ids (see [`Sums::bad_rows`]). A CSV
/// log is read in one pass ([`pass`](super::pass)), its frames summed as they come and the sums of
/// the frames added up; `Ok(Err(offset))` when that pass found a byte that is not UTF-8.
pub(super) fn sums(
    log: &Log,
    options: &Options,
    rows: LazyFrame,
    e: &RowExprs,
) -> Result<std::result::Result<Sums, u64>> {
    let (mut aggs, columns) = sum_exprs(e);
    aggs.push(col(ROW).min().alias(FIRST_ROW));
    aggs.push(count(e.bad.clone()).alias(BAD_ROWS));
    if let Some(repeated) = &e.repeated_id {
        aggs.push(count(repeated.clone()).alias(REPEATED_IDS));
    }
    let mut report = start_report(log);
    let keys = [
        e.unit.clone(),
        e.period.clone().alias(PERIOD),
        e.kind.clone(),
        e.month_known.clone().alias(MONTH_KNOWN),
    ];
    let query = |rows: LazyFrame| rows.group_by(keys.clone()).agg(aggs.clone());
    let mut scanned = match scan(log, &rows, e, query, Scan::Sums)? {
        Ok(scanned) => scanned,
        Err(at) => return Ok(Err(at)),
    };
    if let Some(sha256) = scanned.sha256.take() {
        report.source.sha256 = sha256;
    }
    let pass_repeated_ids = scanned.repeated_ids;
    let grouped = add_up(log, scanned)?;
    let total = |c: &str, df: &DataFrame| -> Result<u64> {
        let sum = df
            .column(c)
            .and_then(|s| s.cast(&DataType::Float64))
            .map_err(|e| log.polars_error(e))?
            .f64()
            .map_err(|e| log.polars_error(e))?
            .sum()
            .unwrap_or(0.0);
        Ok(sum as u64)
    };
    report.rows = total("incidents", &grouped)? as usize;
    let bad_rows = total(BAD_ROWS, &grouped)?;
    let repeated_ids = match e.repeated_id {
        Some(_) => total(REPEATED_IDS, &grouped)? > 0,
        None => pass_repeated_ids,
    };
    // Events whose month is unknown (GTD imonth = 0) have no quarter or month.
    let grouped = if options.period == PeriodKind::Year {
        grouped
    } else {
        let known = grouped
            .column(MONTH_KNOWN)
            .and_then(|c| c.bool().cloned())
            .map_err(|e| log.polars_error(e))?;
        let placed = grouped.filter(&known).map_err(|e| log.polars_error(e))?;
        report.unknown_month = report.rows - total("incidents", &placed)? as usize;
        placed
    };
    let kinds_col: Vec<String> = grouped
        .column(KIND)
        .map_err(|e| log.polars_error(e))?
        .str()
        .map_err(|e| log.polars_error(e))?
        .iter()
        .map(|t| t.unwrap_or("").to_string())
        .collect();
    let mut types: Vec<String> = kinds_col.clone();
    types.sort();
    types.dedup();
    let mut type_columns: Vec<String> = types.iter().map(|t| type_slug(t)).collect();
    type_columns.dedup();
    report.event_types = types;
    Ok(Ok(Sums {
        grouped,
        kinds: kinds_col,
        columns,
        type_columns,
        report,
        bad_rows: bad_rows > 0,
        repeated_ids,
    }))
}

/// The sums of the frames of a pass added up per unit, period, type and month-known
/// (the first row: the least).
fn add_up(log: &Log, scanned: Scanned) -> Result<DataFrame> {
    if scanned.parts.len() == 1 {
        return scanned.stacked(log);
    }
    let all = scanned.stacked(log)?;
    let keys = [UNIT, PERIOD, KIND, MONTH_KNOWN];
    let aggs: Vec<Expr> = all
        .get_column_names()
        .into_iter()
        .filter(|c| !keys.contains(&c.as_str()))
        .map(|c| {
            if c == FIRST_ROW {
                col(c.clone()).min()
            } else {
                col(c.clone()).sum()
            }
        })
        .collect();
    all.lazy()
        .group_by(keys.map(col))
        .agg(aggs)
        .collect()
        .map_err(|e| log.polars_error(e))
}

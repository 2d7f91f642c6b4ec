//! Aggregation: one scan sums every indicator per unit, period and event type.

use super::detect::Log;
use super::rows::RowExprs;
use super::{collect, slug, Format, Options, Report, FIRST_ROW, KIND, PERIOD, ROW, UNIT};
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
}

/// `type_<slug>` of an event type (`type_unknown` when empty).
pub(super) fn type_slug(t: &str) -> String {
    format!("type_{}", slug(if t.is_empty() { "unknown" } else { t }))
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
            as_num(verified.clone()).sum().alias("verified"),
            as_num(verified.clone().not()).sum().alias("unverified"),
            as_num(claimed.clone()).sum().alias("claimed"),
            as_num(claimed.clone().and(verified.clone().not()))
                .sum()
                .alias("claimed_only"),
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
        aggs.push(as_num(a.clone()).sum().alias("actor_incidents"));
        aggs.push((as_num(a) * fat).sum().alias("actor_fatalities"));
        columns.extend(["actor_incidents".into(), "actor_fatalities".into()]);
    }
    if let Some(c) = e.civilian.clone() {
        aggs.push(as_num(c).sum().alias("civilian_events"));
        columns.push("civilian_events".into());
    }
    aggs.push(impact.sum().alias("impact"));
    columns.push("impact".into());
    (aggs, columns)
}

/// What the report says before the grid: the format, rows read, notes.
fn start_report(log: &Log, options: &Options, found: &DataFrame) -> Report {
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
    let cell_u64 = |df: &DataFrame, c: &str| {
        df.column(c)
            .ok()
            .and_then(|s| s.get(0).ok())
            .and_then(|v| v.extract::<u64>())
            .unwrap_or(0)
    };
    report.rows = cell_u64(found, "__nrows") as usize;
    if options.period != PeriodKind::Year {
        report.unknown_month = cell_u64(found, "__unknown_month") as usize;
    }
    report
}

/// Sums per unit, period and event type; `found` holds the row counts of the checks.
pub(super) fn sums(log: &Log, options: &Options, rows: LazyFrame, e: RowExprs, found: &DataFrame) -> Result<Sums> {
    let (mut aggs, columns) = sum_exprs(&e);
    aggs.push(col(ROW).min().alias(FIRST_ROW));
    let mut report = start_report(log, options, found);
    let month_needed = options.period != PeriodKind::Year;
    let keyed = rows.with_columns([
        e.unit.alias(UNIT),
        e.period.alias(PERIOD),
        e.month_known.alias("__month_known"),
        e.kind.clone().alias(KIND),
    ]);
    let placed = if month_needed {
        keyed.filter(col("__month_known"))
    } else {
        keyed
    };
    // One scan: sums per unit, period and event type (the types become columns below).
    let grouped =
        collect(placed.group_by([col(UNIT), col(PERIOD), col(KIND)]).agg(aggs)).map_err(|e| log.polars_error(e))?;
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
    Ok(Sums {
        grouped,
        kinds: kinds_col,
        columns,
        type_columns,
        report,
    })
}

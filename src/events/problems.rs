//! Finding the rows the one scan counted as breaking a rule or repeating an id, for the
//! messages, and the quirks of a log as published (UCDP's high below best, its cell
//! ids against the coordinates): scans of their own, run only when needed.

use super::detect::{Log, Place};
use super::model::{collect, Format, Options, Quirk, ROW, UNIT};
use super::rows::{high_below_best, RowExprs};
use super::scan::{scan, Scan};
use crate::error::{Error, ErrorKind, Result};
use polars::prelude::*;

/// Every rule broken (the first row of each, with the cell's text) and, when
/// `repeated_ids` flagged any, the first duplicate event id: a scan each, run only
/// when the aggregation's scan found a bad row or a repeated id hash. `rows` are the
/// log's rows before [`RowExprs::staged`].
pub(super) fn problems(
    log: &Log,
    rows: &LazyFrame,
    exprs: &RowExprs,
    bad_rows: bool,
    repeated_ids: bool,
) -> Result<Vec<Error>> {
    let mut problems = Vec::new();
    if bad_rows {
        problems.extend(check_rows(log, rows, exprs)?);
    }
    if repeated_ids {
        let id = log.spec.id;
        let parts = scanned(log, rows, exprs, |r| r.select([col(id), col(ROW)]))?;
        problems.extend(duplicate_id(log, &parts.lazy())?);
    }
    Ok(problems)
}

/// The publisher's known quirks in the log, when not refused (`strict`): UCDP GED rows
/// whose `high` is below `best`, counted with their first ids.
pub(super) fn quirks(log: &Log, rows: &LazyFrame, exprs: &RowExprs, options: &Options) -> Result<Vec<Quirk>> {
    let mut out = Vec::new();
    if log.format == Format::Ucdp && !options.strict && log.has("high") && log.has("best") {
        out.extend(
            quirk(
                log,
                rows,
                exprs,
                high_below_best(),
                "high",
                "the high estimate is below `best`",
                "high = best",
            )?
            .map(|q| Quirk {
                as_published: true,
                ..q
            }),
        );
    }
    // UCDP's own cell id against the cell of the event's coordinates.
    if let Place::Grid { gid: Some(g), .. } = log.place {
        // Compared as numbers: `144381.0` and ` 0144381` are the cell 144381.
        let given = col(g).str().strip_chars(lit(" ")).cast(DataType::Float64);
        let differs = given
            .neq(col(UNIT).cast(DataType::Float64))
            .and(col(UNIT).gt(lit(0i64)))
            .fill_null(lit(false));
        out.extend(quirk(
            log,
            rows,
            exprs,
            differs,
            g,
            "the publisher's cell id differs from the cell of the event's latitude and longitude",
            "the coordinates' cell",
        )?);
    }
    Ok(out)
}

/// The rows where `bad` holds, as a quirk (their count and first ids); none if none.
pub(super) fn quirk(
    log: &Log,
    rows: &LazyFrame,
    exprs: &RowExprs,
    bad: Expr,
    column: &'static str,
    what: &'static str,
    read_as: &'static str,
) -> Result<Option<Quirk>> {
    let id = log.spec.id;
    let found = scanned(log, rows, exprs, |r| {
        r.filter(bad.clone()).select([col(ROW), col(id).cast(DataType::String)])
    })?;
    if found.height() == 0 {
        return Ok(None);
    }
    let sorted = found
        .sort([ROW], SortMultipleOptions::default())
        .map_err(|e| log.polars_error(e))?;
    let ids = sorted
        .column(id)
        .and_then(|c| c.str().cloned())
        .map_err(|e| log.polars_error(e))?;
    Ok(Some(Quirk {
        column,
        what,
        rows: sorted.height(),
        first_ids: ids.iter().take(5).map(|v| v.unwrap_or("").to_string()).collect(),
        read_as,
        as_published: false,
    }))
}

/// The parts of a scan of the rows, stacked.
pub(super) fn scanned(
    log: &Log,
    rows: &LazyFrame,
    exprs: &RowExprs,
    query: impl Fn(LazyFrame) -> LazyFrame + Send + Sync,
) -> Result<DataFrame> {
    // The aggregation's pass found the log UTF-8: this one does too.
    scan(log, rows, exprs, query, Scan::Problems)?
        .map_err(|at| log.data_error(ErrorKind::Unreadable, format!("byte {at} is not UTF-8 text")))?
        .stacked(log)
}

/// Checks every row: the first row that breaks each rule, with the text of its cell.
pub(super) fn check_rows(log: &Log, rows: &LazyFrame, exprs: &RowExprs) -> Result<Vec<Error>> {
    let checks = &exprs.checks;
    let mut check_exprs = Vec::new();
    for (i, c) in checks.iter().enumerate() {
        let first = col(ROW).filter(c.bad.clone()).min();
        check_exprs.push(first.clone().alias(format!("row{i}")));
        let at_first = c.bad.clone().and(col(ROW).eq(first));
        check_exprs.push(
            col(c.column)
                .cast(DataType::String)
                .filter(at_first)
                .first()
                .alias(format!("value{i}")),
        );
    }
    // Per part (a frame of a pass): the first bad row of each rule and its cell.
    let found = scanned(log, rows, exprs, |r| r.select(check_exprs.clone()))?;
    let mut problems = Vec::new();
    for (i, c) in checks.iter().enumerate() {
        let rows_found = found
            .column(&format!("row{i}"))
            .and_then(|s| s.cast(&DataType::UInt64))
            .map_err(|e| log.polars_error(e))?;
        let values = found
            .column(&format!("value{i}"))
            .and_then(|s| s.cast(&DataType::String))
            .map_err(|e| log.polars_error(e))?;
        let first = rows_found
            .u64()
            .map_err(|e| log.polars_error(e))?
            .iter()
            .zip(values.str().map_err(|e| log.polars_error(e))?.iter())
            .filter_map(|(row, value)| row.map(|r| (r, value.unwrap_or(""))))
            .min_by_key(|(r, _)| *r);
        if let Some((row, value)) = first {
            problems.push(Error::Cell {
                file: log.name.clone(),
                row: row as usize,
                column: c.column.into(),
                message: if value.is_empty() {
                    c.message.to_string()
                } else {
                    format!("{} (found `{value}`)", c.message)
                },
            });
        }
    }
    Ok(problems)
}

/// The first event id that occurs twice, as an error on its last row.
pub(super) fn duplicate_id(log: &Log, rows: &LazyFrame) -> Result<Option<Error>> {
    let dups = collect(
        rows.clone()
            .group_by([col(log.spec.id)])
            .agg([
                len().alias("n"),
                col(ROW).min().alias("first"),
                col(ROW).max().alias("last"),
            ])
            .filter(col("n").gt(lit(1)))
            .sort(["first"], Default::default())
            .limit(1),
    )
    .map_err(|e| log.polars_error(e))?;
    if dups.height() == 0 {
        return Ok(None);
    }
    let get = |c: &str| {
        dups.column(c)
            .ok()
            .and_then(|s| s.get(0).ok())
            .and_then(|v| v.extract::<u64>())
            .unwrap_or(0)
    };
    let id = dups
        .column(log.spec.id)
        .ok()
        .and_then(|s| s.get(0).ok())
        .map(|v| v.get_str().map(str::to_string).unwrap_or_default())
        .unwrap_or_default();
    let n = get("n");
    Ok(Some(Error::Cell {
        file: log.name.clone(),
        row: get("last") as usize,
        column: log.spec.id.into(),
        message: format!(
            "duplicate event id `{id}` (first at row {}{})",
            get("first"),
            if n > 2 {
                format!("; {n} rows in all")
            } else {
                String::new()
            }
        ),
    }))
}

//! One query over the rows of a log: a CSV log's one pass ([`super::pass`]), or a
//! streaming scan of any other log.

use super::model::collect;
use super::{detect, pass, rows};
use crate::error::{ErrorKind, Result};
use polars::prelude::*;

/// The results of a query over the log's rows (as [`rows::RowExprs::staged`] makes
/// them): a result per frame of a CSV log's one pass ([`pass`]), or the one result of
/// a streaming scan of any other log.
pub(super) struct Scanned {
    pub(super) parts: Vec<DataFrame>,
    /// The SHA-256 a pass computed.
    pub(super) sha256: Option<String>,
    /// Whether a pass saw two event ids of the same hash (see [`scan`]).
    pub(super) repeated_ids: bool,
}

impl Scanned {
    /// The parts stacked into one frame, in order.
    pub(super) fn stacked(self, log: &detect::Log) -> Result<DataFrame> {
        let mut parts = self.parts.into_iter();
        let mut all = parts
            .next()
            .ok_or_else(|| log.data_error(ErrorKind::NoRows, "the log gave no rows to read".into()))?;
        for part in parts {
            all.vstack_mut_owned(part).map_err(|e| log.polars_error(e))?;
        }
        Ok(all)
    }
}

/// Which scan of the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scan {
    /// The aggregation's: a CSV log's pass also tells whether two event ids have the
    /// same hash, and keeps as text no column that only messages cite.
    Sums,
    /// One that finds the rows in error, for the messages.
    Problems,
}

/// Runs `query` over the rows of the log (see [`Scanned`]); `Ok(Err(offset))` when a
/// pass found a byte that is not UTF-8.
pub(super) fn scan(
    log: &detect::Log,
    rows: &LazyFrame,
    exprs: &rows::RowExprs,
    query: impl Fn(LazyFrame) -> LazyFrame + Send + Sync,
    which: Scan,
) -> Result<std::result::Result<Scanned, u64>> {
    let Some((csv, columns)) = &log.pass else {
        let part = collect(query(exprs.staged(rows.clone()))).map_err(|e| log.polars_error(e))?;
        return Ok(Ok(Scanned {
            parts: vec![part],
            sha256: None,
            repeated_ids: false,
        }));
    };
    let mut parts = Vec::new();
    // Inputs of columns the pass computes are not kept as text (those messages cite
    // are, for the scan that finds the rows in error), nor is the event id in the
    // aggregation's scan (the pass hashes it); the unit and the type always are.
    let sums = which == Scan::Sums;
    let mut always = log.unit_columns();
    always.push(log.spec.kind);
    let mut not_text: Vec<&str> = exprs
        .by_pass()
        .iter()
        .filter(|d| sums || !d.inputs_cited)
        .flat_map(|d| d.inputs.iter().map(String::as_str))
        .collect();
    if sums {
        not_text.push(log.spec.id);
    }
    let kept: Vec<String> = columns
        .iter()
        .filter(|c| always.contains(&c.as_str()) || !not_text.contains(&c.as_str()))
        .cloned()
        .collect();
    let wanted = pass::Wanted {
        columns: &kept,
        derived: exprs.by_pass(),
        id: sums.then_some(log.spec.id),
    };
    let found = pass::read(csv, &log.name, &wanted, |frame| {
        parts.push(
            query(exprs.staged(frame.lazy()))
                .collect()
                .map_err(|e| log.polars_error(e))?,
        );
        Ok(())
    })?;
    Ok(match found.not_utf8_at {
        Some(at) => Err(at),
        None => Ok(Scanned {
            parts,
            sha256: found.sha256,
            repeated_ids: found.repeated_ids,
        }),
    })
}

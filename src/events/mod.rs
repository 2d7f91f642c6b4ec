//! Event logs (ACLED, GTD, UCDP GED) -> a unit-period indicator table, ready for `score`.
//!
//! This file is the entry point ([`aggregate`]) and says what the others do; what they
//! share (the options, the table, the internal column names) is in `model.rs`, which
//! builds on none of them, and the query over a log's rows is `scan.rs`.
//!
//! The format is detected and the needed columns checked (`detect.rs`). Each event's
//! unit, period, counts, flags and the rules its row must keep are polars expressions
//! (`rows.rs`), computed once per row; the values that need text work (a date's period,
//! an event text's claim code, an actor match: `derive.rs`) are computed by plain Rust
//! over the cells. One scan sums the events per unit, period and type and counts the
//! rows that break a rule and the event ids seen twice (`sums.rs`): a CSV log is read
//! in one pass (`pass.rs`), in blocks of whole rows cut and parsed on every core
//! (`input/scan.rs`, the scanner data files are read with too), hashed and checked UTF-8 as it is read, its derived values computed
//! as each row is parsed; a Parquet or workbook log is scanned by polars' streaming
//! engine. Only when the scan found bad rows or repeated ids do further scans find the
//! first bad row of each rule and the first duplicate id (file, row, column and the
//! cell), all reported at once. The sums are laid on the output grid (`grid.rs`): every
//! unit and period is present, periods with no events are zeros, not missing.
//!
//! # Indicators (per unit and period)
//! - `incidents`: events; `verified` and `unverified` (see the rules below);
//!   `claimed`: events with a claim of responsibility; `claimed_only`: claimed and not
//!   verified (the propaganda signal: "ISKP claimed rockets at Termez, none landed");
//! - `fatalities`, and for GTD `injuries` (nwound) and `hostages` (nhostkid); for UCDP
//!   `fatalities` is the best estimate (`best`), with `fatalities_low` and
//!   `fatalities_high` (`low`, `high`) and `civilian_deaths` (`deaths_civilians`);
//! - `actor_incidents`, `actor_fatalities`: events whose actor columns match
//!   [`Options::actor`];
//! - `civilian_events`: events targeting civilians;
//! - `type_<event type>`: events per ACLED `event_type` / GTD `attacktype1_txt` / UCDP
//!   `type_of_violence` (1 `type_state_based`, 2 `type_non_state`, 3 `type_one_sided`);
//! - `impact`: GTI-style yearly impact over the *verified* events,
//!   `r = incidents + 3 fatalities + 0.5 injuries + 0.5 hostages` (IEP 2023, GTI
//!   methodology; ACLED has no injuries or hostages, so r = incidents + 3 fatalities).
//!   The five-year decay `(16 r_t + 8 r_{t-1} + 4 r_{t-2} + 2 r_{t-3} + r_{t-4}) / 5`
//!   and the log scale belong in the framework (`decayed_sum`, see indicators/gti.toml).
//!
//! UCDP GED codes events from reports it has weighed, and records no claims: its table
//! has no `verified`, `unverified`, `claimed` or `claimed_only` columns, and `impact`
//! counts every event (`r = events + 3 best`). Its date is `date_start` (an event that
//! spans days falls in the period it started in); its actors are `side_a` and `side_b`;
//! `civilian_events` are the one-sided events (type 3). Every row must keep
//! `low <= best <= high` and `type_of_violence` in 1-3.
//!
//! # Verified vs claimed (configurable, see [`Rules`])
//! - GTD: `claimed` = `claimed == 1`. `verified` = every condition of
//!   [`Rules::gtd_verified`] holds; by default `success == 1` (the attack happened as an
//!   attack) and `doubtterr != 1` (no doubt that it is terrorism). A column the rule
//!   needs must be present.
//! - ACLED: the event text is `notes` and `tags` joined. `claimed` = the text mentions
//!   a claim ([`Rules::acled_claimed`]: claim, claims, claimed, claiming) more often
//!   than it negates one ([`Rules::acled_not_claimed`]: "no group claimed", "was not
//!   claimed", "has not yet been claimed", "no claim of responsibility"): so "No group
//!   claimed responsibility" is no claim, "IS-K claims it fired rockets" is one, and
//!   "No group claimed the first blast; IS-K later claimed the second" is one.
//!   `claimed_only` = claimed and the text matches [`Rules::acled_unverified`]
//!   ("unverified", "unconfirmed", "the claim unconfirmed", "not (yet) (been)
//!   (independently) confirmed/verified", "could not be verified", "without
//!   confirmation"); `verified` = not claimed-only. ACLED codes events that its
//!   sources report, so an event is verified unless its own notes say otherwise.
//!
//! # Missing and special values
//! Empty counts are 0 (GTD leaves nkill/nwound empty when unknown). GTD codes unknown
//! hostage counts as -99 and unknown claims as -9: both count as 0 / not claimed.
//! Any other negative count is an error. GTD `imonth = 0` (month unknown) cannot be
//! placed in a quarter or month: such events are left out and counted in the report.
//!
//! ## References
//! IEP (2023) Global Terrorism Index 2023, methodology annex. START (2021) GTD
//! Codebook: methodology, inclusion criteria and variables (claimed, doubtterr,
//! success, nkill, nwound, nhostkid). ACLED (2023) Codebook (event_type,
//! civilian_targeting, notes, tags). Davies, Pettersson & Öberg (2023) Organized
//! violence 1989-2022, JPR 60(4); Sundberg & Melander (2013) Introducing the UCDP
//! Georeferenced Event Dataset, JPR 50(4); UCDP GED Codebook 23.1.

pub(crate) mod countries;
mod derive;
mod detect;
pub(crate) mod generate;
mod grid;
mod letters;
mod model;
mod pass;
mod problems;
mod rows;
mod scan;
mod source;
mod sums;

pub use model::SourceReport;
pub use model::{
    EventTable, Format, GtdCondition, Options, Places, Quirk, Report, Rules, ACLED_CLAIMED, ACLED_NOT_CLAIMED,
    ACLED_UNVERIFIED,
};

use crate::error::Result;
use std::path::Path;
/// Aggregates the event log at `path` (CSV, Parquet or a workbook; ACLED, GTD or UCDP
/// GED, detected from its columns) into one row per unit and period.
///
/// ```
/// use riskscore::events::{aggregate, Options};
/// use riskscore::PeriodKind;
///
/// let mut options = Options::default();
/// options.period = PeriodKind::Year;
/// let table = aggregate("datasets/events_example_acled.csv".as_ref(), &options)?;
/// let incidents = table.columns.iter().position(|c| c == "incidents").unwrap();
/// let total: f64 = table.values[incidents].iter().sum();
/// assert_eq!(total as usize, table.report.aggregated);
/// # Ok::<(), riskscore::Error>(())
/// ```
pub fn aggregate(path: &Path, options: &Options) -> Result<EventTable> {
    let mut not_utf8 = None;
    loop {
        let (log, rows) = detect::open(path, options, not_utf8)?;
        let exprs = rows::row_exprs(&log, options)?;
        // One scan sums the events and counts the rows that break a rule; only when
        // there are some, further scans find them for the messages. They are reported
        // together with the unknown country names, which only the sums can tell (they
        // depend on the units and periods asked for).
        let sums = match sums::sums(&log, options, rows.clone(), &exprs)? {
            Ok(sums) => sums,
            Err(at) => match &log.pass {
                Some((pass, _)) if pass.fallback && not_utf8.is_none() => {
                    not_utf8 = Some(at);
                    continue;
                }
                _ => return Err(source::not_utf8_error(path, &log.name, at)),
            },
        };
        let row_problems = problems::problems(&log, &rows, &exprs, sums.bad_rows, sums.repeated_ids)?;
        let quirks = problems::quirks(&log, &rows, &exprs, options)?;
        let mut table = grid::grid(&log, options, sums, row_problems)?;
        table.report.quirks = quirks;
        return Ok(table);
    }
}

#[cfg(test)]
mod tests;

//! Event logs (ACLED, GTD, UCDP GED) -> a unit-period indicator table, ready for `score`.
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
mod pass;
mod rows;
mod source;
mod sums;

pub use source::SourceReport;

use crate::error::ErrorKind;
use crate::error::Result;
use crate::period::{Period, PeriodKind};
use polars::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

/// What the units of the table are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Places {
    /// Countries (ISO 3166 alpha-3 codes).
    #[default]
    Country,
    /// First-level administrative divisions: `ISO3:name` as the source spells the name
    /// (ACLED `admin1`, UCDP `adm_1`, GTD `provstate`); no province: `ISO3:(none)`.
    Admin1,
    /// PRIO-GRID cells of the events' coordinates (see `places/priogrid.rs`).
    Grid,
}

impl Places {
    pub fn name(self) -> &'static str {
        match self {
            Places::Country => "country",
            Places::Admin1 => "admin1",
            Places::Grid => "grid",
        }
    }
}

/// The event log's column convention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Format {
    Acled,
    Gtd,
    /// UCDP Georeferenced Event Dataset (GED).
    Ucdp,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Acled => "acled",
            Format::Gtd => "gtd",
            Format::Ucdp => "ucdp",
        }
    }
}

/// A condition of GTD's verified rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum GtdCondition {
    /// `success == 1`
    Success,
    /// `doubtterr != 1`
    NoDoubt,
}

/// Rules that tell verified events from claimed-only ones.
#[derive(Debug, Clone, serde::Serialize)]
#[non_exhaustive]
pub struct Rules {
    pub acled_claimed: String,
    pub acled_not_claimed: String,
    pub acled_unverified: String,
    pub gtd_verified: Vec<GtdCondition>,
}

/// Default ACLED claim pattern: each mention of a claim, verb or noun, in any tense
/// (`claim`, `claims`, `claimed`, `claiming`; case-insensitive regex).
pub const ACLED_CLAIMED: &str = r"(?i)\bclaim(s|ed|ing)?\b";
/// Default ACLED pattern of a claim mention that is negated: a negation up to three
/// words before it ("No group claimed", "was not claimed", "has not yet been claimed",
/// "no claim of responsibility", "nobody has claimed"). Each match holds exactly one
/// claim mention.
pub const ACLED_NOT_CLAIMED: &str =
    r"(?i)\b(no|not|never|nobody|none|neither|nor|without|yet to)\b(\s+[\w'-]+){0,3}?\s+claim(s|ed|ing)?\b";
/// Default ACLED "not verified" pattern (case-insensitive regex): "unverified",
/// "unconfirmed" ("the claim unconfirmed"), "not (yet) (been) (independently)
/// confirmed/verified/corroborated", "could not / cannot be ...", "without / no
/// (independent) confirmation/verification".
pub const ACLED_UNVERIFIED: &str = r"(?i)\bun(verified|confirmed|corroborated)\b|\bnot (yet )?(been )?(independently )?(confirmed|verified|corroborated)\b|\b(could not|cannot|can not|can't) be (independently )?(confirmed|verified|corroborated)\b|\b(without|no) (independent )?(confirmation|verification|corroboration)\b";

impl Default for Rules {
    fn default() -> Self {
        Rules {
            acled_claimed: ACLED_CLAIMED.into(),
            acled_not_claimed: ACLED_NOT_CLAIMED.into(),
            acled_unverified: ACLED_UNVERIFIED.into(),
            gtd_verified: vec![GtdCondition::Success, GtdCondition::NoDoubt],
        }
    }
}

/// What to aggregate and how.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Options {
    /// None: detect from the header (`event_id_cnty` -> ACLED, `eventid` -> GTD).
    pub format: Option<Format>,
    pub period: PeriodKind,
    /// Regex over the actor columns (ACLED actor1, actor2, assoc_actor_1, assoc_actor_2;
    /// GTD gname, gname2, gname3).
    pub actor: Option<String>,
    /// The output's units: events elsewhere are left out (and counted).
    pub units: Option<Vec<String>>,
    /// Keep a unit of `units` that no event of the log mentions (rows of zeros);
    /// otherwise such a unit is an error (most often a typo).
    pub keep_absent_units: bool,
    /// Refuse the publishers' known quirks (UCDP GED rows whose `high` is below
    /// `best`) instead of noting them.
    pub strict: bool,
    /// A column holding unit codes as they should appear in the output (no country lookup).
    pub unit_column: Option<String>,
    /// What a unit is: a country, a province (`ISO3:name`), a PRIO-GRID cell.
    pub places: Places,
    /// Leave out (and count) the events with no province (`--unit admin1`) or no
    /// coordinates on the globe (`--unit grid`), instead of a `(none)` unit or an error.
    pub drop_unplaced: bool,
    /// Leave out (and count) the events placed more coarsely than this code of the
    /// source's precision column (see `events/detect.rs`).
    pub max_geo_precision: Option<u32>,
    /// Cells (gids) or provinces to have rows of zeros where no event happened, beside
    /// the units with events.
    pub extra_units: Vec<String>,
    pub first_period: Option<Period>,
    pub last_period: Option<Period>,
    pub delimiter: Option<u8>,
    /// The text encoding of a CSV log (a WHATWG label); detected when `None`.
    pub encoding: Option<String>,
    /// The sheet of a workbook log; the first when `None`.
    pub sheet: Option<String>,
    /// How ACLED/UCDP dates are written (a strftime format such as `%d/%m/%Y`); when
    /// `None`, only unambiguous forms are read (see the module docs).
    pub date_format: Option<String>,
    pub rules: Rules,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            format: None,
            period: PeriodKind::Year,
            actor: None,
            units: None,
            keep_absent_units: false,
            strict: false,
            unit_column: None,
            places: Places::Country,
            drop_unplaced: false,
            max_geo_precision: None,
            extra_units: Vec::new(),
            first_period: None,
            last_period: None,
            delimiter: None,
            encoding: None,
            sheet: None,
            date_format: None,
            rules: Rules::default(),
        }
    }
}

/// The aggregated table: `values[column][p * units + u]`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct EventTable {
    pub unit_header: String,
    /// Columns of each unit, written after the period (a cell's row, column and centre).
    pub unit_columns: Vec<(String, Vec<f64>)>,
    pub units: Vec<String>,
    pub periods: Vec<Period>,
    pub columns: Vec<String>,
    pub values: Vec<Vec<f64>>,
    pub report: Report,
}

/// What the aggregation did, for the user and the manifest.
#[derive(Debug, Clone, Default, serde::Serialize)]
#[non_exhaustive]
pub struct Report {
    pub format: Option<Format>,
    /// How the file was read: container, encoding, sheet, HXL row, header case, SHA-256.
    pub source: source::SourceReport,
    pub rows: usize,
    pub aggregated: usize,
    pub left_out_units: BTreeMap<String, usize>,
    pub left_out_periods: usize,
    /// Events at locations that are no country (GTD's `International`), by name.
    pub no_country: BTreeMap<String, usize>,
    pub unknown_month: usize,
    pub event_types: Vec<String>,
    pub notes: Vec<String>,
    /// The publisher's known quirks met in the log (noted, not refused; see
    /// `Options::strict`).
    pub quirks: Vec<Quirk>,
}

/// Rows of a log that break a rule its publisher is known to break: counted, with
/// the first event ids, and read as documented.
#[derive(Debug, Clone, Default, serde::Serialize)]
#[non_exhaustive]
pub struct Quirk {
    pub column: &'static str,
    pub what: &'static str,
    pub rows: usize,
    pub first_ids: Vec<String>,
    /// How such rows were read.
    pub read_as: &'static str,
    /// A quirk of the publisher's own files (noted), which `--strict` refuses; else a
    /// disagreement between two of the row's columns, always noted.
    pub as_published: bool,
}

impl EventTable {
    /// Value of `column` for unit u in period p.
    pub fn get(&self, column: &str, unit: &str, period: Period) -> Option<f64> {
        let c = self.columns.iter().position(|x| x == column)?;
        let u = self.units.iter().position(|x| x == unit)?;
        let p = self.periods.iter().position(|&x| x == period)?;
        Some(self.values[c][p * self.units.len() + u])
    }
}

const ROW: &str = "__row";
const UNIT: &str = "__unit";
const PERIOD: &str = "__period";
const KIND: &str = "__kind";
/// The unit of events whose unit column is blank (`--unit-column adm_1` on an event in
/// no province).
pub(crate) const NO_UNIT: &str = "(none)";
/// The unit of events placed more coarsely than `--max-geo-precision` (left out).
pub(crate) const COARSE: &str = "(coarse)";
/// Marks a unit whose country name is not in the table (`?Atlantis`).
const UNKNOWN: &str = "?";
/// The first row of each unit, period and type (for messages).
const FIRST_ROW: &str = "__first_row";

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
        let row_problems = rows::problems(&log, &rows, &exprs, sums.bad_rows, sums.repeated_ids)?;
        let quirks = rows::quirks(&log, &rows, &exprs, options)?;
        let mut table = grid::grid(&log, options, sums, row_problems)?;
        table.report.quirks = quirks;
        return Ok(table);
    }
}

/// Period ordinal from year and month expressions: [`PeriodKind::ordinal`] over columns.
fn ordinal(kind: PeriodKind, year: Expr, month: Expr) -> Expr {
    match kind {
        PeriodKind::Year => year,
        PeriodKind::Quarter => year * lit(4i64) + (month - lit(1i64)) / lit(3i64),
        PeriodKind::Month => year * lit(12i64) + month - lit(1i64),
    }
}

/// `Explosions/Remote violence` -> `explosions_remote_violence`.
pub(crate) fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

/// The regular expression of option `option`, or an error naming the option.
fn compile_rule(option: &str, re: &str) -> Result<regex::Regex> {
    regex::Regex::new(re).map_err(|e| crate::Error::argument(option, format!("not a valid regular expression: {e}")))
}

/// The results of a query over the log's rows (as [`rows::RowExprs::staged`] makes
/// them): a result per frame of a CSV log's one pass ([`pass`]), or the one result of
/// a streaming scan of any other log.
struct Scanned {
    parts: Vec<DataFrame>,
    /// The SHA-256 a pass computed.
    sha256: Option<String>,
    /// Whether a pass saw two event ids of the same hash (see [`scan`]).
    repeated_ids: bool,
}

impl Scanned {
    /// The parts stacked into one frame, in order.
    fn stacked(self, log: &detect::Log) -> Result<DataFrame> {
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
enum Scan {
    /// The aggregation's: a CSV log's pass also tells whether two event ids have the
    /// same hash, and keeps as text no column that only messages cite.
    Sums,
    /// One that finds the rows in error, for the messages.
    Problems,
}

/// Runs `query` over the rows of the log (see [`Scanned`]); `Ok(Err(offset))` when a
/// pass found a byte that is not UTF-8.
fn scan(
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

/// Runs a query on the streaming engine (bounded memory on large logs).
fn collect(lf: LazyFrame) -> PolarsResult<DataFrame> {
    Ok(lf.collect_with_engine(Engine::Streaming)?.unwrap_single())
}

#[cfg(test)]
mod tests;

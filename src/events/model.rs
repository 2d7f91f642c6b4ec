//! What the event modules share: the options and the table (the public types), the
//! names of the internal columns, and small helpers over polars expressions. Every
//! other module of `events` builds on this one; it builds on none of them.

use crate::error::Result;
use crate::period::{Period, PeriodKind};
use polars::prelude::*;
use std::collections::BTreeMap;

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

/// How the log was read, for the report and the manifest.
#[derive(Debug, Clone, Default, serde::Serialize)]
#[non_exhaustive]
pub struct SourceReport {
    pub sha256: String,
    /// csv, parquet, xlsx or ods.
    pub container: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// An HXL hashtag row under the header was skipped.
    pub hxl_row: bool,
    /// Column names were read without regard to case (upper-case headers).
    pub headers_lowercased: bool,
}

/// What the aggregation did, for the user and the manifest.
#[derive(Debug, Clone, Default, serde::Serialize)]
#[non_exhaustive]
pub struct Report {
    pub format: Option<Format>,
    /// How the file was read: container, encoding, sheet, HXL row, header case, SHA-256.
    pub source: SourceReport,
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

pub(super) const ROW: &str = "__row";
pub(super) const UNIT: &str = "__unit";
pub(super) const PERIOD: &str = "__period";
pub(super) const KIND: &str = "__kind";
/// The unit of events whose unit column is blank (`--unit-column adm_1` on an event in
/// no province).
pub(crate) const NO_UNIT: &str = "(none)";
/// The unit of events placed more coarsely than `--max-geo-precision` (left out).
pub(crate) const COARSE: &str = "(coarse)";
/// Marks a unit whose country name is not in the table (`?Atlantis`).
pub(super) const UNKNOWN: &str = "?";
/// The first row of each unit, period and type (for messages).
pub(super) const FIRST_ROW: &str = "__first_row";

/// Period ordinal from year and month expressions: [`PeriodKind::ordinal`] over columns.
pub(super) fn ordinal(kind: PeriodKind, year: Expr, month: Expr) -> Expr {
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
pub(super) fn compile_rule(option: &str, re: &str) -> Result<regex::Regex> {
    regex::Regex::new(re).map_err(|e| crate::Error::argument(option, format!("not a valid regular expression: {e}")))
}

/// Runs a query on the streaming engine (bounded memory on large logs).
pub(super) fn collect(lf: LazyFrame) -> PolarsResult<DataFrame> {
    Ok(lf.collect_with_engine(Engine::Streaming)?.unwrap_single())
}

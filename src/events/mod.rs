//! Event logs (ACLED-like, GTD-like) -> a unit-period indicator table, ready for `score`.
//!
//! The log is scanned lazily with polars (only the needed columns, streaming engine),
//! checked row by row (dates, counts, country codes, duplicate event ids: the first
//! bad row of each kind is reported with file, row and column), and aggregated per
//! unit and period. Every unit and period of the output grid is present: periods with
//! no events are zeros, not missing.
//!
//! # Indicators (per unit and period)
//! - `incidents`: events; `verified` and `unverified` (see the rules below);
//!   `claimed`: events with a claim of responsibility; `claimed_only`: claimed and not
//!   verified (the propaganda signal: "ISKP claimed rockets at Termez, none landed");
//! - `fatalities`, and for GTD `injuries` (nwound) and `hostages` (nhostkid);
//! - `actor_incidents`, `actor_fatalities`: events whose actor columns match `--actor`;
//! - `civilian_events`: events targeting civilians;
//! - `type_<event type>`: events per ACLED `event_type` / GTD `attacktype1_txt`;
//! - `impact`: GTI-style yearly impact over the *verified* events,
//!   `r = incidents + 3 fatalities + 0.5 injuries + 0.5 hostages` (IEP 2023, GTI
//!   methodology; ACLED has no injuries or hostages, so r = incidents + 3 fatalities).
//!   The five-year decay `(16 r_t + 8 r_{t-1} + 4 r_{t-2} + 2 r_{t-3} + r_{t-4}) / 5`
//!   and the log scale belong in the framework (`decayed_sum`, see indicators/gti.toml).
//!
//! # Verified vs claimed (configurable, see [`Rules`])
//! - GTD: `claimed` = `claimed == 1`. `verified` = every condition of
//!   `--gtd-verified` holds; by default `success == 1` (the attack happened as an
//!   attack) and `doubtterr != 1` (no doubt that it is terrorism). A column the rule
//!   needs must be present.
//! - ACLED: the event text is `notes` and `tags` joined. `claimed` = the text matches
//!   `--acled-claimed` (default: "claimed", "claim of/claiming responsibility");
//!   `claimed_only` = claimed and the text matches `--acled-unverified` (default:
//!   "unverified", "not (independently) confirmed/verified", "could not be
//!   confirmed/verified"); `verified` = not claimed-only. ACLED codes events that its
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
//! civilian_targeting, notes, tags).

pub mod countries;
pub mod generate;

use crate::error::{Error, Result};
use crate::period::{Period, PeriodKind};
use polars::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

/// The event log's column convention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Acled,
    Gtd,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Acled => "acled",
            Format::Gtd => "gtd",
        }
    }
}

/// A condition of GTD's verified rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GtdCondition {
    /// `success == 1`
    Success,
    /// `doubtterr != 1`
    NoDoubt,
}

/// Rules that tell verified events from claimed-only ones.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Rules {
    pub acled_claimed: String,
    pub acled_unverified: String,
    pub gtd_verified: Vec<GtdCondition>,
}

/// Default ACLED claim pattern (case-insensitive regex).
pub const ACLED_CLAIMED: &str = r"(?i)\bclaim(ed|s|ing)?\b[^.;]*\bresponsibility\b|\bclaimed\b";
/// Default ACLED "not verified" pattern (case-insensitive regex).
pub const ACLED_UNVERIFIED: &str = r"(?i)\bunverified\b|\bnot (been )?(independently )?(confirmed|verified)\b|\bcould not be (independently )?(confirmed|verified)\b";

impl Default for Rules {
    fn default() -> Self {
        Rules {
            acled_claimed: ACLED_CLAIMED.into(),
            acled_unverified: ACLED_UNVERIFIED.into(),
            gtd_verified: vec![GtdCondition::Success, GtdCondition::NoDoubt],
        }
    }
}

/// What to aggregate and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// None: detect from the header (`event_id_cnty` -> ACLED, `eventid` -> GTD).
    pub format: Option<Format>,
    pub period: PeriodKind,
    /// Regex over the actor columns (ACLED actor1, actor2, assoc_actor_1, assoc_actor_2;
    /// GTD gname, gname2, gname3).
    pub actor: Option<String>,
    /// The output's units: events elsewhere are left out (and counted).
    pub units: Option<Vec<String>>,
    /// A column holding unit codes as they should appear in the output (no country lookup).
    pub unit_column: Option<String>,
    pub first_period: Option<Period>,
    pub last_period: Option<Period>,
    pub delimiter: Option<u8>,
    pub rules: Rules,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            format: None,
            period: PeriodKind::Year,
            actor: None,
            units: None,
            unit_column: None,
            first_period: None,
            last_period: None,
            delimiter: None,
            rules: Rules::default(),
        }
    }
}

/// The aggregated table: `values[column][p * units + u]`.
#[derive(Debug, Clone)]
pub struct EventTable {
    pub unit_header: String,
    pub units: Vec<String>,
    pub periods: Vec<Period>,
    pub columns: Vec<String>,
    pub values: Vec<Vec<f64>>,
    pub report: Report,
}

/// What the aggregation did, for the user and the manifest.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Report {
    pub format: Option<Format>,
    pub rows: usize,
    pub aggregated: usize,
    pub left_out_units: BTreeMap<String, usize>,
    pub left_out_periods: usize,
    pub unknown_month: usize,
    pub event_types: Vec<String>,
    pub notes: Vec<String>,
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

/// The columns of one format, as the rules need them.
struct Spec {
    id: &'static str,
    kind: &'static str,
    actors: &'static [&'static str],
}

fn spec(format: Format) -> Spec {
    match format {
        Format::Acled => Spec {
            id: "event_id_cnty",
            kind: "event_type",
            actors: &["actor1", "actor2", "assoc_actor_1", "assoc_actor_2"],
        },
        Format::Gtd => Spec {
            id: "eventid",
            kind: "attacktype1_txt",
            actors: &["gname", "gname2", "gname3"],
        },
    }
}

/// Aggregates the event log at `path`.
pub fn aggregate(path: &Path, options: &Options) -> Result<EventTable> {
    let name = path.display().to_string();
    let data_error = |message: String| Error::Data {
        file: name.clone(),
        message,
    };
    let polars_error = |e: PolarsError| data_error(format!("cannot read the event log: {e}"));
    for (flag, re) in [
        ("actor", options.actor.as_deref()),
        ("acled_claimed", Some(options.rules.acled_claimed.as_str())),
        ("acled_unverified", Some(options.rules.acled_unverified.as_str())),
    ] {
        if let Some(re) = re {
            regex::Regex::new(re).map_err(|e| Error::argument(flag, format!("not a valid regular expression: {e}")))?;
        }
    }
    let scan = scan(path, options.delimiter).map_err(polars_error)?;
    let mut probe = scan.clone();
    let schema = probe.collect_schema().map_err(polars_error)?;
    let has = |c: &str| schema.contains(c);
    let format = match options.format {
        Some(f) => f,
        None if has("event_id_cnty") => Format::Acled,
        None if has("eventid") => Format::Gtd,
        None => {
            return Err(data_error(
                "cannot tell the format: expected an ACLED header (event_id_cnty, event_date, ...) or a GTD header (eventid, iyear, imonth, iday, ...); or pass --format".into(),
            ))
        }
    };
    let sp = spec(format);
    let missing = |column: &str, needed_by: &str| Error::MissingColumn {
        file: name.clone(),
        column: column.into(),
        needed_by: needed_by.into(),
        hint: String::new(),
    };
    let mut required: Vec<(&str, &str)> = vec![(sp.id, "the event id"), (sp.kind, "events by type")];
    match format {
        Format::Acled => required.extend([("event_date", "the period"), ("fatalities", "fatalities")]),
        Format::Gtd => required.extend([
            ("iyear", "the period"),
            ("imonth", "the period"),
            ("iday", "the event date"),
            ("nkill", "fatalities"),
        ]),
    }
    if format == Format::Gtd {
        for c in &options.rules.gtd_verified {
            match c {
                GtdCondition::Success => required.push(("success", "the verified rule (success)")),
                GtdCondition::NoDoubt => required.push(("doubtterr", "the verified rule (no-doubt)")),
            }
        }
    }
    let unit_source = match (&options.unit_column, format) {
        (Some(c), _) => UnitSource::Column(c.clone()),
        (None, Format::Acled) if has("iso") => UnitSource::IsoNumeric("iso"),
        (None, Format::Acled) => UnitSource::Name("country"),
        (None, Format::Gtd) => UnitSource::Name("country_txt"),
    };
    required.push((unit_source.column(), "the unit (country)"));
    let mut problems = Vec::new();
    for (c, why) in &required {
        if !has(c) {
            problems.push(missing(c, why));
        }
    }
    if options.actor.is_some() && !sp.actors.iter().any(|c| has(c)) {
        problems.push(missing(sp.actors[0], "the actor filter"));
    }
    Error::from_problems(problems)?;

    // Every used column as text (Parquet columns may be typed), plus the row number.
    let mut used: Vec<&str> = required.iter().map(|(c, _)| *c).collect();
    let optional: &[&str] = match format {
        Format::Acled => &[
            "notes",
            "tags",
            "civilian_targeting",
            "actor1",
            "actor2",
            "assoc_actor_1",
            "assoc_actor_2",
        ],
        Format::Gtd => &[
            "claimed",
            "nwound",
            "nhostkid",
            "targtype1_txt",
            "gname",
            "gname2",
            "gname3",
        ],
    };
    used.extend(optional.iter().copied().filter(|c| has(c)));
    used.sort_unstable();
    used.dedup();
    let text_columns: Vec<Expr> = used.iter().map(|c| col(*c).cast(DataType::String)).collect();
    let rows = scan.select(text_columns).with_row_index(ROW, Some(2));

    // Derived per-row columns: unit, period, counts and flags, and what is wrong.
    let mut checks: Vec<Check> = Vec::new();
    let num = |c: &str| col(c).str().strip_chars(lit(" ")).cast(DataType::Float64);
    let blank = |c: &str| col(c).is_null().or(col(c).str().strip_chars(lit(" ")).eq(lit("")));
    let mut count = |c: &'static str, unknown_codes: &[f64]| -> Expr {
        let v = num(c);
        checks.push(Check {
            column: c,
            bad: blank(c).not().and(v.clone().is_null()),
            message: "expected a count (a number >= 0)",
        });
        let mut negative = v.clone().lt(lit(0.0));
        for &code in unknown_codes {
            negative = negative.and(v.clone().neq(lit(code)));
        }
        checks.push(Check {
            column: c,
            bad: negative.fill_null(lit(false)),
            message: "a count cannot be negative",
        });
        when(v.clone().lt(lit(0.0)))
            .then(lit(0.0))
            .otherwise(v)
            .fill_null(lit(0.0))
    };
    let fatalities = count(if format == Format::Acled { "fatalities" } else { "nkill" }, &[]);
    let injuries = (format == Format::Gtd && has("nwound")).then(|| count("nwound", &[]));
    let hostages = (format == Format::Gtd && has("nhostkid")).then(|| count("nhostkid", &[-99.0, -9.0]));

    // Period ordinal and, for GTD, whether the month is known.
    let (period, month_known) = match format {
        Format::Acled => {
            let date = |fmt: &str| {
                col("event_date")
                    .str()
                    .strip_chars(lit(" "))
                    .str()
                    .to_date(StrptimeOptions {
                        format: Some(fmt.into()),
                        strict: false,
                        exact: true,
                        cache: true,
                    })
            };
            let parsed = coalesce(&[date("%Y-%m-%d"), date("%d %B %Y"), date("%d-%B-%Y"), date("%d/%m/%Y")]);
            checks.push(Check {
                column: "event_date",
                bad: parsed.clone().is_null(),
                message: "expected a date like 2022-04-22 or 22 April 2022",
            });
            let year = parsed.clone().dt().year().cast(DataType::Int64);
            let month = parsed.dt().month().cast(DataType::Int64);
            (ordinal(options.period, year, month), lit(true))
        }
        Format::Gtd => {
            let year = num("iyear");
            let month = num("imonth");
            let day = num("iday");
            checks.push(Check {
                column: "iyear",
                bad: year
                    .clone()
                    .is_null()
                    .or(year.clone().lt(lit(1000.0)))
                    .fill_null(lit(true)),
                message: "expected a year like 2022",
            });
            checks.push(Check {
                column: "imonth",
                bad: month
                    .clone()
                    .is_null()
                    .or(month.clone().lt(lit(0.0)))
                    .or(month.clone().gt(lit(12.0)))
                    .fill_null(lit(true)),
                message: "expected a month 1-12 (0 = unknown)",
            });
            checks.push(Check {
                column: "iday",
                bad: blank("iday").not().and(
                    day.clone()
                        .is_null()
                        .or(day.clone().lt(lit(0.0)))
                        .or(day.gt(lit(31.0)))
                        .fill_null(lit(true)),
                ),
                message: "expected a day 1-31 (0 = unknown)",
            });
            let known = month.clone().gt(lit(0.0)).fill_null(lit(false));
            (
                ordinal(options.period, year.cast(DataType::Int64), month.cast(DataType::Int64)),
                known,
            )
        }
    };

    // Unit: a column as is, or a country looked up in the ISO 3166 table.
    let table = countries::table();
    let (rows, unit) = match &unit_source {
        UnitSource::Column(c) => {
            checks.push(Check {
                column: "",
                bad: blank(c),
                message: "",
            });
            let n = checks.len() - 1;
            checks[n].column = leak(c);
            checks[n].message = "expected a unit code, found an empty cell";
            (rows, col(c.as_str()).str().strip_chars(lit(" ")))
        }
        UnitSource::IsoNumeric(c) => {
            let codes = DataFrame::new_infer_height(vec![
                Column::new(
                    "__code".into(),
                    table.iter().map(|c| c.numeric as i64).collect::<Vec<_>>(),
                ),
                Column::new("__iso3".into(), table.iter().map(|c| c.alpha3).collect::<Vec<_>>()),
            ])
            .map_err(polars_error)?;
            let key = num(c).cast(DataType::Int64).alias("__key");
            let rows = rows.with_column(key).join(
                codes.lazy(),
                [col("__key")],
                [col("__code")],
                JoinArgs::new(JoinType::Left),
            );
            checks.push(Check {
                column: c,
                bad: col("__iso3").is_null(),
                message: "not an ISO 3166-1 numeric country code",
            });
            (rows, col("__iso3"))
        }
        UnitSource::Name(c) => {
            let mut seen = HashSet::new();
            let (mut keys, mut codes) = (Vec::new(), Vec::new());
            for country in table.iter() {
                for n in &country.names {
                    if seen.insert(n.to_lowercase()) {
                        keys.push(n.to_lowercase());
                        codes.push(country.alpha3);
                    }
                }
            }
            let names = DataFrame::new_infer_height(vec![
                Column::new("__name".into(), keys),
                Column::new("__iso3".into(), codes),
            ])
            .map_err(polars_error)?;
            let key = col(*c).str().strip_chars(lit(" ")).str().to_lowercase().alias("__key");
            let rows = rows.with_column(key).join(
                names.lazy(),
                [col("__key")],
                [col("__name")],
                JoinArgs::new(JoinType::Left),
            );
            checks.push(Check {
                column: c,
                bad: col("__iso3").is_null(),
                message: "unknown country name (expected an ISO 3166 name such as Uzbekistan; or pass --unit-column)",
            });
            (rows, col("__iso3"))
        }
    };

    // Verified / claimed flags.
    let flag = |c: &str, value: f64| num(c).eq(lit(value)).fill_null(lit(false));
    let (claimed, verified) = match format {
        Format::Gtd => {
            let claimed = if has("claimed") {
                flag("claimed", 1.0)
            } else {
                lit(false)
            };
            if has("claimed") {
                let v = num("claimed");
                checks.push(Check {
                    column: "claimed",
                    bad: blank("claimed")
                        .not()
                        .and(
                            v.clone().is_null().or(v
                                .clone()
                                .neq(lit(0.0))
                                .and(v.clone().neq(lit(1.0)))
                                .and(v.neq(lit(-9.0)))),
                        )
                        .fill_null(lit(true)),
                    message: "expected 1 (claimed), 0 (not claimed) or -9 (unknown)",
                });
            }
            let mut verified = lit(true);
            for c in &options.rules.gtd_verified {
                verified = verified.and(match c {
                    GtdCondition::Success => flag("success", 1.0),
                    GtdCondition::NoDoubt => flag("doubtterr", 1.0).not(),
                });
            }
            (claimed, verified)
        }
        Format::Acled => {
            let text: Vec<Expr> = ["notes", "tags"]
                .iter()
                .filter(|c| has(c))
                .map(|c| col(*c).fill_null(lit("")))
                .collect();
            if text.is_empty() {
                (lit(false), lit(true))
            } else {
                let text = concat_str(text, " ", true);
                let claimed = text
                    .clone()
                    .str()
                    .contains(lit(options.rules.acled_claimed.as_str()), true)
                    .fill_null(lit(false));
                let unverified = text
                    .str()
                    .contains(lit(options.rules.acled_unverified.as_str()), true)
                    .fill_null(lit(false));
                let verified = claimed.clone().and(unverified).not();
                (claimed, verified)
            }
        }
    };
    let actor = options.actor.as_ref().map(|re| {
        sp.actors
            .iter()
            .filter(|c| has(c))
            .map(|c| col(*c).str().contains(lit(re.as_str()), true).fill_null(lit(false)))
            .reduce(|a, b| a.or(b))
            .unwrap_or(lit(false))
    });
    let civilian = match format {
        Format::Acled if has("civilian_targeting") => Some(blank("civilian_targeting").not()),
        Format::Acled => Some(
            col("event_type")
                .eq(lit("Violence against civilians"))
                .fill_null(lit(false)),
        ),
        Format::Gtd if has("targtype1_txt") => Some(
            col("targtype1_txt")
                .eq(lit("Private Citizens & Property"))
                .fill_null(lit(false)),
        ),
        Format::Gtd => None,
    };

    // 1. Row checks: the first bad row of each kind; and the row counts (one scan).
    let mut check_exprs: Vec<Expr> = checks
        .iter()
        .enumerate()
        .flat_map(|(i, c)| {
            [
                col(ROW).filter(c.bad.clone()).min().alias(format!("row{i}")),
                col(c.column).filter(c.bad.clone()).first().alias(format!("value{i}")),
            ]
        })
        .collect();
    check_exprs.push(len().alias("__nrows"));
    check_exprs.push(
        month_known
            .clone()
            .not()
            .cast(DataType::UInt32)
            .sum()
            .alias("__unknown_month"),
    );
    let found = collect(rows.clone().select(check_exprs)).map_err(polars_error)?;
    let mut problems = Vec::new();
    for (i, c) in checks.iter().enumerate() {
        let row = found
            .column(&format!("row{i}"))
            .ok()
            .and_then(|s| s.get(0).ok())
            .and_then(|v| v.extract::<u64>());
        if let Some(row) = row {
            let value = found
                .column(&format!("value{i}"))
                .ok()
                .and_then(|s| s.get(0).ok())
                .map(|v| v.get_str().map(str::to_string).unwrap_or_default())
                .unwrap_or_default();
            problems.push(Error::Cell {
                file: name.clone(),
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
    // 2. Duplicate event ids.
    let dups = collect(
        rows.clone()
            .group_by([col(sp.id)])
            .agg([
                len().alias("n"),
                col(ROW).min().alias("first"),
                col(ROW).max().alias("last"),
            ])
            .filter(col("n").gt(lit(1)))
            .sort(["first"], Default::default())
            .limit(1),
    )
    .map_err(polars_error)?;
    if dups.height() > 0 {
        let get = |c: &str| {
            dups.column(c)
                .ok()
                .and_then(|s| s.get(0).ok())
                .and_then(|v| v.extract::<u64>())
                .unwrap_or(0)
        };
        let id = dups
            .column(sp.id)
            .ok()
            .and_then(|s| s.get(0).ok())
            .map(|v| v.get_str().map(str::to_string).unwrap_or_default())
            .unwrap_or_default();
        let n = get("n");
        problems.push(Error::Cell {
            file: name.clone(),
            row: get("last") as usize,
            column: sp.id.into(),
            message: format!(
                "duplicate event id `{id}` (first at row {}{})",
                get("first"),
                if n > 2 {
                    format!("; {n} rows in all")
                } else {
                    String::new()
                }
            ),
        });
    }
    Error::from_problems(problems)?;

    // 3. Aggregate per unit and period.
    let fat = fatalities.clone();
    let as_num = |e: Expr| e.cast(DataType::Float64);
    let mut impact = as_num(verified.clone()) * (lit(1.0) + lit(3.0) * fat.clone());
    let mut aggs = vec![
        len().cast(DataType::Float64).alias("incidents"),
        as_num(verified.clone()).sum().alias("verified"),
        as_num(verified.clone().not()).sum().alias("unverified"),
        as_num(claimed.clone()).sum().alias("claimed"),
        as_num(claimed.and(verified.clone().not())).sum().alias("claimed_only"),
        fat.clone().sum().alias("fatalities"),
    ];
    let mut columns: Vec<String> = [
        "incidents",
        "verified",
        "unverified",
        "claimed",
        "claimed_only",
        "fatalities",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if let Some(inj) = injuries {
        impact = impact + as_num(verified.clone()) * lit(0.5) * inj.clone();
        aggs.push(inj.sum().alias("injuries"));
        columns.push("injuries".into());
    }
    if let Some(host) = hostages {
        impact = impact + as_num(verified.clone()) * lit(0.5) * host.clone();
        aggs.push(host.sum().alias("hostages"));
        columns.push("hostages".into());
    }
    if let Some(a) = actor {
        aggs.push(as_num(a.clone()).sum().alias("actor_incidents"));
        aggs.push((as_num(a) * fat).sum().alias("actor_fatalities"));
        columns.extend(["actor_incidents".into(), "actor_fatalities".into()]);
    }
    if let Some(c) = civilian {
        aggs.push(as_num(c).sum().alias("civilian_events"));
        columns.push("civilian_events".into());
    }
    aggs.push(impact.sum().alias("impact"));
    columns.push("impact".into());

    let mut report = Report {
        format: Some(format),
        ..Report::default()
    };
    if format == Format::Acled && !has("notes") && !has("tags") {
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
    report.rows = cell_u64(&found, "__nrows") as usize;
    let month_needed = options.period != PeriodKind::Year;
    if month_needed {
        report.unknown_month = cell_u64(&found, "__unknown_month") as usize;
    }
    let keyed = rows.with_columns([
        unit.alias(UNIT),
        period.alias(PERIOD),
        month_known.alias("__month_known"),
        col(sp.kind).fill_null(lit("")).str().strip_chars(lit(" ")).alias(KIND),
    ]);
    let placed = if month_needed {
        keyed.filter(col("__month_known"))
    } else {
        keyed
    };
    // 3. One scan: sums per unit, period and event type (the types become columns below).
    let grouped = collect(placed.group_by([col(UNIT), col(PERIOD), col(KIND)]).agg(aggs)).map_err(polars_error)?;
    let kinds_col: Vec<String> = grouped
        .column(KIND)
        .map_err(polars_error)?
        .str()
        .map_err(polars_error)?
        .iter()
        .map(|t| t.unwrap_or("").to_string())
        .collect();
    let mut types: Vec<String> = kinds_col.clone();
    types.sort();
    types.dedup();
    let type_slug = |t: &str| format!("type_{}", slug(if t.is_empty() { "unknown" } else { t }));
    let mut type_columns: Vec<String> = types.iter().map(|t| type_slug(t)).collect();
    type_columns.dedup();
    report.event_types = types;

    // 4. The full grid: units x every period from the first to the last.
    let units_col: Vec<String> = grouped
        .column(UNIT)
        .map_err(polars_error)?
        .str()
        .map_err(polars_error)?
        .iter()
        .map(|u| u.unwrap_or("").to_string())
        .collect();
    let periods_col: Vec<i64> = grouped
        .column(PERIOD)
        .map_err(polars_error)?
        .i64()
        .map_err(polars_error)?
        .iter()
        .map(|p| p.unwrap_or(i64::MIN))
        .collect();
    let mut value_cols: Vec<Vec<f64>> = columns
        .iter()
        .map(|c| {
            let s = grouped
                .column(c)
                .map_err(polars_error)?
                .cast(&DataType::Float64)
                .map_err(polars_error)?;
            Ok(s.f64()
                .map_err(polars_error)?
                .iter()
                .map(|v| v.unwrap_or(0.0))
                .collect())
        })
        .collect::<Result<_>>()?;
    // Events by type, before `impact` (the last column).
    let at = columns.len() - 1;
    for (j, name) in type_columns.iter().enumerate() {
        let counts: Vec<f64> = (0..grouped.height())
            .map(|i| {
                if &type_slug(&kinds_col[i]) == name {
                    value_cols[0][i]
                } else {
                    0.0
                }
            })
            .collect();
        columns.insert(at + j, name.clone());
        value_cols.insert(at + j, counts);
    }
    let incidents_at = |i: usize| value_cols[0][i] as usize;
    let wanted: Option<HashSet<&str>> = options.units.as_ref().map(|u| u.iter().map(String::as_str).collect());
    let in_range = |p: i64| {
        options.first_period.is_none_or(|f| p >= f.ordinal) && options.last_period.is_none_or(|l| p <= l.ordinal)
    };
    let mut units: Vec<String> = match &options.units {
        Some(u) => u.clone(),
        None => units_col.iter().cloned().collect::<BTreeSet<_>>().into_iter().collect(),
    };
    units.dedup();
    let mut kept = Vec::new();
    for i in 0..grouped.height() {
        if wanted.as_ref().is_some_and(|w| !w.contains(units_col[i].as_str())) {
            *report.left_out_units.entry(units_col[i].clone()).or_default() += incidents_at(i);
        } else if !in_range(periods_col[i]) {
            report.left_out_periods += incidents_at(i);
        } else {
            kept.push(i);
        }
    }
    let seen_periods = kept.iter().map(|&i| periods_col[i]);
    let first = options
        .first_period
        .map(|p| p.ordinal)
        .or_else(|| seen_periods.clone().min());
    let last = options.last_period.map(|p| p.ordinal).or_else(|| seen_periods.max());
    let periods: Vec<Period> = match (first, last) {
        (Some(a), Some(b)) => (a..=b)
            .map(|ordinal| Period {
                kind: options.period,
                ordinal,
            })
            .collect(),
        _ => Vec::new(),
    };
    if periods.is_empty() || units.is_empty() {
        return Err(data_error(format!(
            "no events left to aggregate ({} rows read{}); check --units and the period range",
            report.rows,
            if report.left_out_units.is_empty() {
                String::new()
            } else {
                format!(
                    ", events only in {}",
                    report.left_out_units.keys().cloned().collect::<Vec<_>>().join(", ")
                )
            }
        )));
    }
    let unit_index: HashMap<&str, usize> = units.iter().enumerate().map(|(i, u)| (u.as_str(), i)).collect();
    let n_units = units.len();
    let first = periods[0].ordinal;
    let mut values = vec![vec![0.0; n_units * periods.len()]; columns.len()];
    for &i in &kept {
        let cell = (periods_col[i] - first) as usize * n_units + unit_index[units_col[i].as_str()];
        for (c, column) in value_cols.iter().enumerate() {
            values[c][cell] += column[i];
        }
    }
    report.aggregated = kept.iter().map(|&i| incidents_at(i)).sum();
    Ok(EventTable {
        unit_header: match &unit_source {
            UnitSource::Column(c) => c.clone(),
            _ => "iso3".into(),
        },
        units,
        periods,
        columns,
        values,
        report,
    })
}

/// Where unit codes come from.
enum UnitSource {
    Column(String),
    IsoNumeric(&'static str),
    Name(&'static str),
}

impl UnitSource {
    fn column(&self) -> &str {
        match self {
            UnitSource::Column(c) => c,
            UnitSource::IsoNumeric(c) | UnitSource::Name(c) => c,
        }
    }
}

/// A row rule: rows where `bad` holds are errors in `column`.
struct Check {
    column: &'static str,
    bad: Expr,
    message: &'static str,
}

/// Column names given at run time live as long as the program (a handful per run).
fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

/// Period ordinal (see [`Period`]) from year and month expressions.
fn ordinal(kind: PeriodKind, year: Expr, month: Expr) -> Expr {
    match kind {
        PeriodKind::Year => year,
        PeriodKind::Quarter => year * lit(4i64) + (month - lit(1i64)) / lit(3i64),
        PeriodKind::Month => year * lit(12i64) + month - lit(1i64),
    }
}

/// `Explosions/Remote violence` -> `explosions_remote_violence`.
pub fn slug(text: &str) -> String {
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

/// A lazy scan of a CSV (delimiter sniffed from the header unless given) or Parquet file.
fn scan(path: &Path, delimiter: Option<u8>) -> PolarsResult<LazyFrame> {
    use std::io::Read;
    let mut head = vec![0u8; 64 * 1024];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|e| PolarsError::IO {
            error: std::sync::Arc::new(e),
            msg: None,
        })?;
    head.truncate(n);
    let pl_path = PlRefPath::new(path.to_string_lossy().as_ref());
    if head.starts_with(b"PAR1") {
        return LazyFrame::scan_parquet(pl_path, Default::default());
    }
    let separator = delimiter.unwrap_or_else(|| crate::data::read::sniff_delimiter(&head));
    LazyCsvReader::new(pl_path)
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .with_separator(separator)
        .with_missing_is_null(true)
        .finish()
}

/// Runs a query on the streaming engine (bounded memory on large logs).
fn collect(lf: LazyFrame) -> PolarsResult<DataFrame> {
    Ok(lf.collect_with_engine(Engine::Streaming)?.unwrap_single())
}

#[cfg(test)]
mod tests;

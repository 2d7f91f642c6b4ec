//! Row checks: each event's unit, period, counts and flags as polars expressions, and
//! the rules a row must keep (which rows broke them,
//! [`problems`](super::problems::problems) finds).

use super::countries;
use super::derive::{ClaimRules, DateReader, Derived, Rule, DATE_SHORT_YEAR, DATE_SLASHED, DATE_UNREADABLE};
use super::detect::{Log, Place, UnitSource};
use super::model::{compile_rule, ordinal, Format, GtdCondition, Options, KIND, ROW, UNIT, UNKNOWN};
use crate::error::Result;
use polars::prelude::*;
use std::collections::HashSet;

/// A row rule: rows where `bad` holds are errors in `column`.
pub(super) struct Check {
    pub(super) column: &'static str,
    pub(super) bad: Expr,
    pub(super) message: &'static str,
}

/// Column names given at run time live as long as the program (a handful per run).
fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

/// Column `c` as numbers (`__number_<c>`; see [`Rule::Number`]).
fn number_of(c: &str) -> Derived {
    Derived {
        name: format!("__number_{c}"),
        inputs: vec![c.into()],
        rule: Rule::Number,
        inputs_cited: true,
    }
}

/// Per-row values computed once, as columns of the scan, for the sums and the checks
/// to read (an expression used in several places would otherwise be evaluated in each).
#[derive(Default)]
struct Stage {
    /// Columns computed from the log's columns.
    columns: Vec<Expr>,
    /// Columns computed from those (after them).
    derived: Vec<Expr>,
    /// Columns a CSV log's pass computes as it reads (see [`Stage::derive`]).
    by_pass: Vec<Derived>,
    /// The names of the columns [`Stage::derive`] made.
    derived_names: HashSet<String>,
}

impl Stage {
    /// Computes `expr` (of the log's columns) as column `name`; returns a reference to it.
    fn keep(&mut self, name: &str, expr: Expr) -> Expr {
        self.columns.push(expr.alias(name));
        col(name)
    }

    /// Computes column `d`: a CSV log's pass computes it as it reads, any other log
    /// gets it by a map over its inputs; returns a reference to it.
    fn derive(&mut self, log: &Log, d: Derived) -> Expr {
        let name = d.name.clone();
        if !self.derived_names.insert(name.clone()) {
            col(name)
        } else if log.pass.is_some() {
            self.by_pass.push(d);
            col(name)
        } else {
            self.keep(&name, d.expr())
        }
    }

    /// Column `c` as numbers: spaces at either end stripped, then read as polars casts
    /// text to a number (null when it is none).
    fn number(&mut self, log: &Log, c: &str) -> Expr {
        self.derive(log, number_of(c))
    }

    /// Whether each cell of column `c` is missing, empty or only spaces.
    fn blank(&mut self, log: &Log, c: &str) -> Expr {
        let d = Derived {
            name: format!("__blank_{c}"),
            inputs: vec![c.into()],
            rule: Rule::Blank,
            inputs_cited: true,
        };
        self.derive(log, d)
    }

    /// [`Stage::number`] read before the stage's columns (a join key): a pass's column,
    /// or the map itself.
    fn number_early(&mut self, log: &Log, c: &str) -> Expr {
        if log.pass.is_some() {
            self.number(log, c)
        } else {
            number_of(c).expr()
        }
    }

    /// Computes `expr` (of columns kept by [`Stage::keep`]) as column `name`.
    fn keep_derived(&mut self, name: &str, expr: Expr) -> Expr {
        self.derived.push(expr.alias(name));
        col(name)
    }
}

/// Per event: what the aggregation sums, and the rules its row must keep.
pub(super) struct RowExprs {
    pub(super) fatalities: Expr,
    pub(super) injuries: Option<Expr>,
    pub(super) hostages: Option<Expr>,
    pub(super) period: Expr,
    pub(super) month_known: Expr,
    pub(super) unit: Expr,
    /// (claimed, verified); `None` for logs that record no claims (UCDP).
    pub(super) claims: Option<(Expr, Expr)>,
    pub(super) actor: Option<Expr>,
    pub(super) civilian: Option<Expr>,
    /// The event type as text.
    pub(super) kind: Expr,
    /// Further sums of the format (UCDP: low and high estimates, civilian deaths).
    pub(super) extra: Vec<(&'static str, Expr)>,
    /// Whether the row breaks any rule (which one, and where,
    /// [`problems`](super::problems::problems) tells).
    pub(super) bad: Expr,
    /// Whether the row's event id was seen before on another row (by hash: a
    /// candidate, which [`problems`](super::problems::problems) confirms); `None` for a
    /// CSV log, whose one pass tells it (see [`super::pass`]).
    pub(super) repeated_id: Option<Expr>,
    pub(super) checks: Vec<Check>,
    lookup: Option<Lookup>,
    stage: Stage,
}

/// The per-event expressions over `rows` (with the country lookup joined on, and the
/// per-row values of [`Stage`] computed as columns).
pub(super) fn row_exprs(log: &Log, options: &Options) -> Result<RowExprs> {
    let mut checks = Vec::new();
    let mut stage = Stage::default();
    let (fatalities, injuries, hostages) = counts(log, &mut stage, &mut checks);
    let (period, month_known) = period(log, options, &mut stage, &mut checks);
    // A cell needs no country (nor the join that finds it).
    let (lookup, unit) = match log.place {
        Place::Grid { .. } => (None, lit(super::model::NO_UNIT)),
        _ => unit(log, options.strict, &mut stage, &mut checks)?,
    };
    let unit = place(log, options, unit, &mut stage, &mut checks);
    // After the stage's columns: the unit may read them (a province's blank cell, a
    // cell's coordinates), which a log without the CSV pass computes in that stage.
    let unit = stage.keep_derived(UNIT, unit);
    let claims = claim_flags(log, options, &mut stage, &mut checks)?;
    let (kind, extra) = match log.format {
        Format::Ucdp => ucdp(log, options.strict, &mut stage, &mut checks),
        _ => (
            col(log.spec.kind).fill_null(lit("")).str().strip_chars(lit(" ")),
            Vec::new(),
        ),
    };
    let kind = stage.keep_derived(KIND, kind);
    let actor = actor(log, options)?.map(|a| stage.derive(log, a));
    let repeated_id = log
        .pass
        .is_none()
        .then(|| stage.keep("__repeated_id", repeated_ids(log.spec.id)));
    let bad = checks
        .iter()
        .map(|c| c.bad.clone())
        .reduce(|a, b| a.or(b))
        .unwrap_or(lit(false));
    let exprs = RowExprs {
        fatalities,
        injuries,
        hostages,
        period,
        month_known,
        unit,
        claims,
        actor,
        civilian: civilian(log, &mut stage),
        kind,
        extra,
        bad,
        repeated_id,
        checks,
        lookup,
        stage,
    };
    Ok(exprs)
}

impl RowExprs {
    /// The columns a CSV log's pass computes as it reads.
    pub(super) fn by_pass(&self) -> &[Derived] {
        &self.stage.by_pass
    }

    /// The rows with the unit lookup joined on and the per-row values of the stage as
    /// columns: what the expressions read.
    pub(super) fn staged(&self, rows: LazyFrame) -> LazyFrame {
        let rows = match &self.lookup {
            Some(l) => rows.with_column(l.key.clone().alias("__key")).join(
                l.table.clone().lazy(),
                [col("__key")],
                [col(l.table_key)],
                JoinArgs::new(JoinType::Left),
            ),
            None => rows,
        };
        rows.with_columns(self.stage.columns.clone())
            .with_columns(self.stage.derived.clone())
    }
}

/// Fatalities, and for GTD injuries and hostages, as counts.
fn counts(log: &Log, stage: &mut Stage, checks: &mut Vec<Check>) -> (Expr, Option<Expr>, Option<Expr>) {
    let fatalities = count(
        log,
        stage,
        checks,
        match log.format {
            Format::Acled => "fatalities",
            Format::Gtd => "nkill",
            Format::Ucdp => "best",
        },
        &[],
    );
    let injuries = (log.format == Format::Gtd && log.has("nwound")).then(|| count(log, stage, checks, "nwound", &[]));
    let hostages = (log.format == Format::Gtd && log.has("nhostkid"))
        .then(|| count(log, stage, checks, "nhostkid", &[-99.0, -9.0]));
    (fatalities, injuries, hostages)
}

/// The largest count: every whole number up to 2^53 is exact in an f64.
const MAX_COUNT: f64 = 9_007_199_254_740_992.0;

/// A count column: empty is 0, GTD's unknown codes (`unknown_codes`) are 0, anything
/// else not a number >= 0 is an error.
fn count(log: &Log, stage: &mut Stage, checks: &mut Vec<Check>, c: &'static str, unknown_codes: &[f64]) -> Expr {
    let v = stage.number(log, c);
    checks.push(Check {
        column: c,
        bad: stage.blank(log, c).not().and(v.clone().is_null()),
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
    // inf, NaN and counts past 2^53 (no longer exact as numbers) are no counts.
    checks.push(Check {
        column: c,
        bad: v
            .clone()
            .is_nan()
            .or(v.clone().is_infinite())
            .or(v.clone().gt(lit(MAX_COUNT)))
            .fill_null(lit(false)),
        message: "expected a count: a finite number up to 9007199254740992 (2^53)",
    });
    stage.keep_derived(
        &format!("__count_{c}"),
        when(v.clone().lt(lit(0.0)))
            .then(lit(0.0))
            .otherwise(v)
            .fill_null(lit(0.0)),
    )
}

/// The period ordinal of each event and, for GTD, whether its month is known.
fn period(log: &Log, options: &Options, stage: &mut Stage, checks: &mut Vec<Check>) -> (Expr, Expr) {
    match log.format {
        Format::Acled => event_date(log, "event_date", options, stage, checks),
        Format::Ucdp => event_date(log, "date_start", options, stage, checks),
        Format::Gtd => {
            let year = stage.number(log, "iyear");
            let month = stage.number(log, "imonth");
            let day = stage.number(log, "iday");
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
                bad: stage.blank(log, "iday").not().and(
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
    }
}

/// The period of each event from a date column (ACLED `event_date`, UCDP
/// `date_start`): the formats of [`super::derive::DATE_FORMATS`], or the one `date_format` names. A
/// time after the date (`2022-04-21 00:00:00.000`, as UCDP writes) is ignored. Without
/// a named format, a two-digit year (`21-Apr-22`) and a date with slashes (`4/5/2022`:
/// 4 May or April 5?) are errors that say how to name the format.
fn event_date(
    log: &Log,
    column: &'static str,
    options: &Options,
    stage: &mut Stage,
    checks: &mut Vec<Check>,
) -> (Expr, Expr) {
    let reader = DateReader {
        format: options.date_format.clone(),
        kind: options.period,
    };
    let code = stage.derive(
        log,
        Derived {
            name: "__date".into(),
            inputs: vec![column.into()],
            rule: Rule::Date(std::sync::Arc::new(reader)),
            inputs_cited: true,
        },
    );
    if options.date_format.is_none() {
        checks.push(Check {
            column,
            bad: code.clone().eq(lit(DATE_SLASHED)),
            message: "a date with slashes may be day/month or month/day: name the order with option `date_format` (%d/%m/%Y or %m/%d/%Y)",
        });
        checks.push(Check {
            column,
            bad: code.clone().eq(lit(DATE_SHORT_YEAR)),
            message: "a two-digit year (22: 1922 or 2022?): name the format with option `date_format`, e.g. %d-%b-%y",
        });
        checks.push(Check {
            column,
            bad: code.clone().eq(lit(DATE_UNREADABLE)),
            message: "expected a date like 2022-04-21 or 21 April 2022 (or name its format with option `date_format`)",
        });
    } else {
        checks.push(Check {
            column,
            bad: code.clone().eq(lit(DATE_UNREADABLE)),
            message: "not a date in the format option `date_format` names",
        });
    }
    let period = when(code.clone().gt_eq(lit(0i64)))
        .then(code)
        .otherwise(lit(NULL).cast(DataType::Int64));
    (period, lit(true))
}

/// A table joined onto the rows to find each event's unit (`__key` = `key`).
#[derive(Clone)]
struct Lookup {
    key: Expr,
    table: DataFrame,
    table_key: &'static str,
}

/// The unit of each event: a column as is, or a country looked up in the ISO 3166
/// table (a [`Lookup`]). A blank cell of a unit column (an event UCDP or ACLED place in
/// no province) is the unit [`super::model::NO_UNIT`], so that the units add up to the log;
/// `strict` refuses it.
fn unit(log: &Log, strict: bool, stage: &mut Stage, checks: &mut Vec<Check>) -> Result<(Option<Lookup>, Expr)> {
    let table = countries::table();
    Ok(match &log.unit_source {
        UnitSource::Column(c) => {
            let blank = stage.blank(log, c);
            if strict {
                checks.push(Check {
                    column: leak(c),
                    bad: blank.clone(),
                    message: "expected a unit code, found an empty cell",
                });
            }
            let named = col(c.as_str()).str().strip_chars(lit(" "));
            (None, when(blank).then(lit(super::model::NO_UNIT)).otherwise(named))
        }
        UnitSource::IsoNumeric(c) => {
            let codes = DataFrame::new_infer_height(vec![
                Column::new(
                    "__code".into(),
                    table.iter().map(|c| c.numeric as i64).collect::<Vec<_>>(),
                ),
                Column::new("__iso3".into(), table.iter().map(|c| c.alpha3).collect::<Vec<_>>()),
            ])
            .map_err(|e| log.polars_error(e))?;
            checks.push(Check {
                column: c,
                bad: col("__iso3").is_null(),
                message: "not an ISO 3166-1 numeric country code",
            });
            let lookup = Lookup {
                key: stage.number_early(log, c).cast(DataType::Int64),
                table: codes,
                table_key: "__code",
            };
            (Some(lookup), col("__iso3"))
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
            .map_err(|e| log.polars_error(e))?;
            // A blank name is no unit: an error naming the row (it summed as unit ``).
            checks.push(Check {
                column: c,
                bad: stage.blank(log, c),
                message: "expected a country name, found an empty cell",
            });
            let name = col(*c).str().strip_chars(lit(" "));
            let lookup = Lookup {
                key: name.clone().str().to_lowercase(),
                table: names,
                table_key: "__name",
            };
            // An unknown name stays the event's unit, marked `?`: whether it is an
            // error depends on the units and periods asked for (see `grid`).
            let unit = coalesce(&[col("__iso3"), concat_str([lit(UNKNOWN), name], "", false)]);
            (Some(lookup), unit)
        }
    })
}

/// The unit of each event under `--unit` ([`super::model::Places`]): its country as
/// [`unit()`] finds it; `ISO3:province` (a blank province: `ISO3:(none)`); or the gid of
/// its PRIO-GRID cell, `(none)` without coordinates on the globe (an error unless
/// `drop_unplaced`). An event placed more coarsely than `max_geo_precision` is
/// [`super::model::COARSE`], left out of the table and counted.
fn place(log: &Log, options: &Options, country: Expr, stage: &mut Stage, checks: &mut Vec<Check>) -> Expr {
    let unit = match log.place {
        Place::Country => country,
        Place::Admin1(c) => {
            let blank = stage.blank(log, c);
            if options.strict {
                checks.push(Check {
                    column: c,
                    bad: blank.clone(),
                    message: "expected a province, found an empty cell",
                });
            }
            let province = when(blank)
                .then(lit(super::model::NO_UNIT))
                .otherwise(col(c).str().strip_chars(lit(" ")));
            concat_str([country, lit(":"), province], "", false)
        }
        Place::Grid { lat, lon, .. } => {
            let (y, x) = (stage.number(log, lat), stage.number(log, lon));
            let lat_ok = y
                .clone()
                .gt_eq(lit(-90.0))
                .and(y.clone().lt_eq(lit(90.0)))
                .fill_null(lit(false));
            let lon_ok = x
                .clone()
                .gt_eq(lit(-180.0))
                .and(x.clone().lt_eq(lit(180.0)))
                .fill_null(lit(false));
            let on_globe = lat_ok.clone().and(lon_ok.clone());
            if !options.drop_unplaced {
                checks.push(Check {
                    column: lat,
                    bad: lat_ok.not(),
                    message: "expected the event's latitude, -90 to 90 (with its longitude, the event's PRIO-GRID cell; --drop-unplaced leaves events without one out)",
                });
                checks.push(Check {
                    column: lon,
                    bad: lon_ok.not(),
                    message: "expected the event's longitude, -180 to 180 (with its latitude, the event's PRIO-GRID cell; --drop-unplaced leaves events without one out)",
                });
            }
            // floor(2 (v + 90)) as a whole number (v + 90 >= 0 here, so truncation is the
            // floor), the last row and column holding lat 90 and lon 180.
            let index = |v: Expr, shift: f64, last: i64| {
                let i = ((v + lit(shift)) * lit(2.0)).cast(DataType::Int64);
                when(i.clone().gt(lit(last))).then(lit(last)).otherwise(i)
            };
            // Summed as a number (a text key per event would cost a fifth of the run):
            // 0 for no cell, -1 for too coarse; the table's units become text after.
            let gid = index(y, 90.0, 359) * lit(720i64) + index(x, 180.0, 719) + lit(1i64);
            when(on_globe).then(gid).otherwise(lit(0i64))
        }
    };
    let coarse = match log.place {
        Place::Grid { .. } => lit(-1i64),
        _ => lit(super::model::COARSE),
    };
    match options.max_geo_precision {
        Some(k) => {
            let code = stage.number(log, super::detect::precision_column(log.format));
            // A missing or unreadable code says nothing of the place: left out too.
            when(code.gt(lit(k as f64)).fill_null(lit(true)))
                .then(coarse)
                .otherwise(unit)
        }
        None => unit,
    }
}

/// Whether each event is claimed, and whether it is verified (the rules of [`Rules`](super::model::Rules));
/// `None` for a log that records no claims.
fn claim_flags(
    log: &Log,
    options: &Options,
    stage: &mut Stage,
    checks: &mut Vec<Check>,
) -> Result<Option<(Expr, Expr)>> {
    let flag = |v: Expr, value: f64| v.eq(lit(value)).fill_null(lit(false));
    match log.format {
        Format::Gtd => {
            let claimed = if log.has("claimed") {
                let v = stage.number(log, "claimed");
                checks.push(Check {
                    column: "claimed",
                    bad: stage
                        .blank(log, "claimed")
                        .not()
                        .and(
                            v.clone().is_null().or(v
                                .clone()
                                .neq(lit(0.0))
                                .and(v.clone().neq(lit(1.0)))
                                .and(v.clone().neq(lit(-9.0)))),
                        )
                        .fill_null(lit(true)),
                    message: "expected 1 (claimed), 0 (not claimed) or -9 (unknown)",
                });
                flag(v, 1.0)
            } else {
                lit(false)
            };
            let mut verified = lit(true);
            for c in &options.rules.gtd_verified {
                verified = verified.and(match c {
                    GtdCondition::Success => flag(stage.number(log, "success"), 1.0),
                    GtdCondition::NoDoubt => flag(stage.number(log, "doubtterr"), 1.0).not(),
                });
            }
            Ok(Some((claimed, verified)))
        }
        Format::Ucdp => Ok(None),
        Format::Acled => {
            let text: Vec<String> = ["notes", "tags"]
                .iter()
                .filter(|c| log.has(c))
                .map(|c| c.to_string())
                .collect();
            if text.is_empty() {
                Ok(Some((lit(false), lit(true))))
            } else {
                let rules = ClaimRules::new(&options.rules)?;
                let code = stage.derive(
                    log,
                    Derived {
                        name: "__claim".into(),
                        inputs: text,
                        rule: Rule::Claim(std::sync::Arc::new(rules)),
                        inputs_cited: false,
                    },
                );
                let claimed = code.clone().gt_eq(lit(1u32)).fill_null(lit(false));
                let unverified = code.eq(lit(2u32)).fill_null(lit(false));
                let verified = claimed.clone().and(unverified).not();
                Ok(Some((claimed, verified)))
            }
        }
    }
}

/// Whether an actor column of each event matches the actor pattern.
fn actor(log: &Log, options: &Options) -> Result<Option<Derived>> {
    let Some(re) = &options.actor else { return Ok(None) };
    let inputs: Vec<String> = log
        .spec
        .actors
        .iter()
        .filter(|c| log.has(c))
        .map(|c| c.to_string())
        .collect();
    if inputs.is_empty() {
        return Ok(None);
    }
    Ok(Some(Derived {
        name: "__actor".into(),
        inputs,
        rule: Rule::Matches(compile_rule("actor", re)?),
        inputs_cited: false,
    }))
}

/// Whether each event targets civilians (where the format can tell).
fn civilian(log: &Log, stage: &mut Stage) -> Option<Expr> {
    match log.format {
        Format::Acled if log.has("civilian_targeting") => Some(stage.blank(log, "civilian_targeting").not()),
        Format::Acled => Some(
            col("event_type")
                .eq(lit("Violence against civilians"))
                .fill_null(lit(false)),
        ),
        Format::Gtd if log.has("targtype1_txt") => Some(
            col("targtype1_txt")
                .eq(lit("Private Citizens & Property"))
                .fill_null(lit(false)),
        ),
        Format::Gtd => None,
        Format::Ucdp => Some(col("__number_type_of_violence").eq(lit(3.0)).fill_null(lit(false))),
    }
}

/// UCDP GED: the type of violence by name, and the low and high estimates and civilian
/// deaths as sums; every row must keep `low <= best` and a type in 1-3. `high < best`
/// is in UCDP's own published files (6 of the 1,120 Pakistan events of 2015-2021):
/// such a row's high estimate is read as `best` and the rows are noted ([`quirks`](super::problems::quirks)),
/// or refused when `strict`.
fn ucdp(log: &Log, strict: bool, stage: &mut Stage, checks: &mut Vec<Check>) -> (Expr, Vec<(&'static str, Expr)>) {
    let t = stage.number(log, "type_of_violence");
    checks.push(Check {
        column: "type_of_violence",
        bad: (t.clone().eq(lit(1.0)))
            .or(t.clone().eq(lit(2.0)))
            .or(t.clone().eq(lit(3.0)))
            .not()
            .fill_null(lit(true)),
        message: "expected 1 (state-based), 2 (non-state) or 3 (one-sided violence)",
    });
    let kind = when(t.clone().eq(lit(1.0)))
        .then(lit("state-based"))
        .when(t.clone().eq(lit(2.0)))
        .then(lit("non-state"))
        .otherwise(lit("one-sided"));
    let mut extra = Vec::new();
    if log.has("low") {
        extra.push(("fatalities_low", count(log, stage, checks, "low", &[])));
        checks.push(Check {
            column: "low",
            bad: col("__number_low").gt(col("__number_best")).fill_null(lit(false)),
            message: "the low estimate is above `best`",
        });
    }
    if log.has("high") {
        let high = count(log, stage, checks, "high", &[]);
        if strict {
            extra.push(("fatalities_high", high));
            checks.push(Check {
                column: "high",
                bad: high_below_best(),
                message: "the high estimate is below `best`",
            });
        } else {
            let best = col("__number_best");
            extra.push(("fatalities_high", when(high_below_best()).then(best).otherwise(high)));
        }
    }
    if log.has("deaths_civilians") {
        extra.push(("civilian_deaths", count(log, stage, checks, "deaths_civilians", &[])));
    }
    (kind, extra)
}

/// Candidate repeated event ids, in the one scan: each id's hash is remembered with
/// its row, and a row whose id hash was seen on another row is flagged. The set holds
/// 16 bytes per event; a flag is confirmed (or refuted, for a hash collision) by
/// [`problems`](super::problems::problems).
fn repeated_ids(id: &'static str) -> Expr {
    use std::hash::BuildHasher;
    use std::sync::{Arc, Mutex};
    type Seen = std::collections::HashMap<u64, IdxSize, foldhash::fast::RandomState>;
    let seen: Arc<Mutex<Seen>> = Arc::default();
    let hasher = foldhash::quality::RandomState::default();
    col(id).map_many(
        move |columns: &mut [Column]| {
            let ids = columns[0].str()?;
            let rows = columns[1].idx()?;
            let hashes: Vec<u64> = ids.iter().map(|id| hasher.hash_one(id)).collect();
            let mut seen = seen
                .lock()
                .map_err(|_| polars_err!(ComputeError: "event id set poisoned"))?;
            let flags: Vec<bool> = hashes
                .iter()
                .zip(rows.iter())
                .map(|(&h, row)| {
                    let row = row.unwrap_or(0);
                    *seen.entry(h).or_insert(row) != row
                })
                .collect();
            Ok(BooleanChunked::from_slice(ids.name().clone(), &flags).into_column())
        },
        &[col(ROW)],
        |_, fields| Ok(Field::new(fields[0].name().clone(), DataType::Boolean)),
    )
}

/// UCDP rows whose high estimate is below the best.
pub(super) fn high_below_best() -> Expr {
    col("__number_high").lt(col("__number_best")).fill_null(lit(false))
}

//! Row checks: each event's unit, period, counts and flags as polars expressions,
//! and every row that breaks a rule (the first bad row of each kind, with its file,
//! row and column, all kinds at once; and duplicate event ids).

use super::countries;
use super::detect::{Log, UnitSource};
use super::{collect, ordinal, Format, GtdCondition, Options, ROW, UNKNOWN};
use crate::error::{Error, Result};
use polars::prelude::*;
use std::collections::HashSet;

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

/// A text cell as a number (null when it is not one).
fn num(c: &str) -> Expr {
    col(c).str().strip_chars(lit(" ")).cast(DataType::Float64)
}

/// A cell that is empty or only spaces.
fn blank(c: &str) -> Expr {
    col(c).is_null().or(col(c).str().strip_chars(lit(" ")).eq(lit("")))
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
    checks: Vec<Check>,
}

/// The per-event expressions over `rows` (with the country lookup joined on).
pub(super) fn row_exprs(log: &Log, options: &Options, rows: LazyFrame) -> Result<(LazyFrame, RowExprs)> {
    let mut checks = Vec::new();
    let (fatalities, injuries, hostages) = counts(log, &mut checks);
    let (period, month_known) = period(log, options, &mut checks);
    let (rows, unit) = unit(log, rows, &mut checks)?;
    let claims = claim_flags(log, options, &mut checks)?;
    let (kind, extra) = match log.format {
        Format::Ucdp => ucdp(log, &mut checks),
        _ => (
            col(log.spec.kind).fill_null(lit("")).str().strip_chars(lit(" ")),
            Vec::new(),
        ),
    };
    let exprs = RowExprs {
        fatalities,
        injuries,
        hostages,
        period,
        month_known,
        unit,
        claims,
        actor: actor(log, options),
        civilian: civilian(log),
        kind,
        extra,
        checks,
    };
    Ok((rows, exprs))
}

/// Checks every row in one scan; every rule broken and the first duplicate event id
/// are problems. Returns the row counts (`__nrows`, `__unknown_month`) and the problems.
pub(super) fn check_rows(log: &Log, rows: &LazyFrame, exprs: &RowExprs) -> Result<(DataFrame, Vec<Error>)> {
    let (checks, month_known) = (&exprs.checks, &exprs.month_known);
    let mut check_exprs: Vec<Expr> = checks
        .iter()
        .enumerate()
        .map(|(i, c)| col(ROW).filter(c.bad.clone()).min().alias(format!("row{i}")))
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
    let found = collect(rows.clone().select(check_exprs)).map_err(|e| log.polars_error(e))?;
    let mut problems = Vec::new();
    for (i, c) in checks.iter().enumerate() {
        let row = found
            .column(&format!("row{i}"))
            .ok()
            .and_then(|s| s.get(0).ok())
            .and_then(|v| v.extract::<u64>());
        if let Some(row) = row {
            let value = value_at(log, rows, c.column, row)?;
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
    if let Some(dup) = duplicate_id(log, rows)? {
        problems.push(dup);
    }
    Ok((found, problems))
}

/// The text of `column` in row `row`: read only for a row in error, by its number
/// (the first value a streamed scan yields need not be that row's).
fn value_at(log: &Log, rows: &LazyFrame, column: &str, row: u64) -> Result<String> {
    let cell = collect(
        rows.clone()
            .filter(col(ROW).eq(lit(row as IdxSize)))
            .select([col(column)]),
    )
    .map_err(|e| log.polars_error(e))?;
    Ok(cell
        .column(column)
        .ok()
        .and_then(|s| s.get(0).ok())
        .map(|v| v.get_str().map(str::to_string).unwrap_or_default())
        .unwrap_or_default())
}

/// The first event id that occurs twice, as an error on its last row.
fn duplicate_id(log: &Log, rows: &LazyFrame) -> Result<Option<Error>> {
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

/// Fatalities, and for GTD injuries and hostages, as counts.
fn counts(log: &Log, checks: &mut Vec<Check>) -> (Expr, Option<Expr>, Option<Expr>) {
    let fatalities = count(
        checks,
        match log.format {
            Format::Acled => "fatalities",
            Format::Gtd => "nkill",
            Format::Ucdp => "best",
        },
        &[],
    );
    let injuries = (log.format == Format::Gtd && log.has("nwound")).then(|| count(checks, "nwound", &[]));
    let hostages =
        (log.format == Format::Gtd && log.has("nhostkid")).then(|| count(checks, "nhostkid", &[-99.0, -9.0]));
    (fatalities, injuries, hostages)
}

/// The largest count: every whole number up to 2^53 is exact in an f64.
const MAX_COUNT: f64 = 9_007_199_254_740_992.0;

/// A count column: empty is 0, GTD's unknown codes (`unknown_codes`) are 0, anything
/// else not a number >= 0 is an error.
fn count(checks: &mut Vec<Check>, c: &'static str, unknown_codes: &[f64]) -> Expr {
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
    when(v.clone().lt(lit(0.0)))
        .then(lit(0.0))
        .otherwise(v)
        .fill_null(lit(0.0))
}

/// The period ordinal of each event and, for GTD, whether its month is known.
fn period(log: &Log, options: &Options, checks: &mut Vec<Check>) -> (Expr, Expr) {
    match log.format {
        Format::Acled => event_date("event_date", options, checks),
        Format::Ucdp => event_date("date_start", options, checks),
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
    }
}

/// Dates read without a `date_format`: forms whose day, month and year cannot be
/// mistaken (ACLED's exports write the first two).
const DATE_FORMATS: [&str; 3] = ["%Y-%m-%d", "%d %B %Y", "%d-%B-%Y"];

/// The period of each event from a date column (ACLED `event_date`, UCDP
/// `date_start`): the formats of [`DATE_FORMATS`], or the one `date_format` names. A
/// time after the date (`2022-04-21 00:00:00.000`, as UCDP writes) is ignored. Without
/// a named format, a two-digit year (`21-Apr-22`) and a date with slashes (`4/5/2022`:
/// 4 May or April 5?) are errors that say how to name the format.
fn event_date(column: &'static str, options: &Options, checks: &mut Vec<Check>) -> (Expr, Expr) {
    let text = col(column).str().strip_chars(lit(" "));
    let date_part = text.clone().str().split(lit(" ")).list().first();
    let parse = |fmt: &str, text: Expr| {
        text.str().to_date(StrptimeOptions {
            format: Some(fmt.into()),
            strict: false,
            exact: true,
            cache: true,
        })
    };
    let parsed = match &options.date_format {
        Some(fmt) => coalesce(&[parse(fmt, text.clone()), parse(fmt, date_part.clone())]),
        None => {
            let mut forms: Vec<Expr> = DATE_FORMATS.iter().map(|f| parse(f, text.clone())).collect();
            forms.push(parse("%Y-%m-%d", date_part.clone()));
            coalesce(&forms)
        }
    };
    let year = parsed.clone().dt().year().cast(DataType::Int64);
    if options.date_format.is_none() {
        let slashed = text.clone().str().contains_literal(lit("/")).fill_null(lit(false));
        checks.push(Check {
            column,
            bad: slashed.clone(),
            message: "a date with slashes may be day/month or month/day: name the order with option `date_format` (%d/%m/%Y or %m/%d/%Y)",
        });
        checks.push(Check {
            column,
            bad: year.clone().lt(lit(1000)).fill_null(lit(false)),
            message: "a two-digit year (22: 1922 or 2022?): name the format with option `date_format`, e.g. %d-%b-%y",
        });
        checks.push(Check {
            column,
            bad: parsed.clone().is_null().and(slashed.not()),
            message: "expected a date like 2022-04-21 or 21 April 2022 (or name its format with option `date_format`)",
        });
    } else {
        checks.push(Check {
            column,
            bad: parsed.clone().is_null(),
            message: "not a date in the format option `date_format` names",
        });
    }
    let month = parsed.dt().month().cast(DataType::Int64);
    (ordinal(options.period, year, month), lit(true))
}

/// The unit of each event: a column as is, or a country looked up in the ISO 3166
/// table (joined onto `rows`).
fn unit(log: &Log, rows: LazyFrame, checks: &mut Vec<Check>) -> Result<(LazyFrame, Expr)> {
    let table = countries::table();
    Ok(match &log.unit_source {
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
            .map_err(|e| log.polars_error(e))?;
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
            .map_err(|e| log.polars_error(e))?;
            let name = col(*c).str().strip_chars(lit(" "));
            let key = name.clone().str().to_lowercase().alias("__key");
            let rows = rows.with_column(key).join(
                names.lazy(),
                [col("__key")],
                [col("__name")],
                JoinArgs::new(JoinType::Left),
            );
            // An unknown name stays the event's unit, marked `?`: whether it is an
            // error depends on the units and periods asked for (see `grid`).
            let unit = coalesce(&[col("__iso3"), concat_str([lit(UNKNOWN), name], "", false)]);
            (rows, unit)
        }
    })
}

/// Whether each event is claimed, and whether it is verified (the rules of [`Rules`]);
/// `None` for a log that records no claims.
fn claim_flags(log: &Log, options: &Options, checks: &mut Vec<Check>) -> Result<Option<(Expr, Expr)>> {
    let flag = |c: &str, value: f64| num(c).eq(lit(value)).fill_null(lit(false));
    match log.format {
        Format::Gtd => {
            let claimed = if log.has("claimed") {
                flag("claimed", 1.0)
            } else {
                lit(false)
            };
            if log.has("claimed") {
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
            Ok(Some((claimed, verified)))
        }
        Format::Ucdp => Ok(None),
        Format::Acled => {
            let text: Vec<Expr> = ["notes", "tags"]
                .iter()
                .filter(|c| log.has(c))
                .map(|c| col(*c).fill_null(lit("")))
                .collect();
            if text.is_empty() {
                Ok(Some((lit(false), lit(true))))
            } else {
                let text = concat_str(text, " ", true);
                let rules = ClaimRules::new(&options.rules)?;
                let code = text.map(
                    move |c: Column| {
                        let codes: UInt32Chunked = c.str()?.iter().map(|t| Some(rules.code(t.unwrap_or("")))).collect();
                        Ok(codes.into_column())
                    },
                    |_, f| Ok(Field::new(f.name().clone(), DataType::UInt32)),
                );
                let claimed = code.clone().gt_eq(lit(1u32)).fill_null(lit(false));
                let unverified = code.eq(lit(2u32)).fill_null(lit(false));
                let verified = claimed.clone().and(unverified).not();
                Ok(Some((claimed, verified)))
            }
        }
    }
}

/// The ACLED claim rules, compiled once (the same regex engine polars uses).
struct ClaimRules {
    claimed: regex::Regex,
    not_claimed: regex::Regex,
    unverified: regex::Regex,
}

impl ClaimRules {
    fn new(rules: &super::Rules) -> Result<ClaimRules> {
        let compile = super::compile_rule;
        Ok(ClaimRules {
            claimed: compile("acled_claimed", &rules.acled_claimed)?,
            not_claimed: compile("acled_not_claimed", &rules.acled_not_claimed)?,
            unverified: compile("acled_unverified", &rules.acled_unverified)?,
        })
    }

    /// 0: no claim; 1: claimed (more claim mentions than negated ones); 2: claimed and
    /// not verified. Most notes mention no claim and are told apart by one search.
    fn code(&self, text: &str) -> u32 {
        if !self.claimed.is_match(text) {
            return 0;
        }
        if self.claimed.find_iter(text).count() <= self.not_claimed.find_iter(text).count() {
            return 0;
        }
        if self.unverified.is_match(text) {
            2
        } else {
            1
        }
    }
}

/// Whether an actor column of each event matches the actor pattern.
fn actor(log: &Log, options: &Options) -> Option<Expr> {
    options.actor.as_ref().map(|re| {
        log.spec
            .actors
            .iter()
            .filter(|c| log.has(c))
            .map(|c| col(*c).str().contains(lit(re.as_str()), true).fill_null(lit(false)))
            .reduce(|a, b| a.or(b))
            .unwrap_or(lit(false))
    })
}

/// Whether each event targets civilians (where the format can tell).
fn civilian(log: &Log) -> Option<Expr> {
    match log.format {
        Format::Acled if log.has("civilian_targeting") => Some(blank("civilian_targeting").not()),
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
        Format::Ucdp => Some(num("type_of_violence").eq(lit(3.0)).fill_null(lit(false))),
    }
}

/// UCDP GED: the type of violence by name, and the low and high estimates and civilian
/// deaths as sums; every row must keep `low <= best <= high` and a type in 1-3.
fn ucdp(log: &Log, checks: &mut Vec<Check>) -> (Expr, Vec<(&'static str, Expr)>) {
    let t = num("type_of_violence");
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
        extra.push(("fatalities_low", count(checks, "low", &[])));
        checks.push(Check {
            column: "low",
            bad: num("low").gt(num("best")).fill_null(lit(false)),
            message: "the low estimate is above `best`",
        });
    }
    if log.has("high") {
        extra.push(("fatalities_high", count(checks, "high", &[])));
        checks.push(Check {
            column: "high",
            bad: num("high").lt(num("best")).fill_null(lit(false)),
            message: "the high estimate is below `best`",
        });
    }
    if log.has("deaths_civilians") {
        extra.push(("civilian_deaths", count(checks, "deaths_civilians", &[])));
    }
    (kind, extra)
}

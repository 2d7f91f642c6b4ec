//! Format detection: which convention the log follows (ACLED or GTD), where its units
//! come from, and whether every column the options need is there (all missing ones
//! reported at once).

use super::{scan, Format, GtdCondition, Options, ROW};
use crate::error::{Error, Result};
use polars::prelude::*;
use std::path::Path;

/// The columns of one format, as the rules need them.
pub(super) struct Spec {
    pub(super) id: &'static str,
    pub(super) kind: &'static str,
    pub(super) actors: &'static [&'static str],
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

/// Where unit codes come from.
pub(super) enum UnitSource {
    Column(String),
    IsoNumeric(&'static str),
    Name(&'static str),
}

impl UnitSource {
    pub(super) fn column(&self) -> &str {
        match self {
            UnitSource::Column(c) => c,
            UnitSource::IsoNumeric(c) | UnitSource::Name(c) => c,
        }
    }
}

/// An event log whose format is known and whose needed columns are present.
pub(super) struct Log {
    /// The file, as messages name it.
    pub(super) name: String,
    schema: SchemaRef,
    pub(super) format: Format,
    pub(super) spec: Spec,
    pub(super) unit_source: UnitSource,
}

impl Log {
    /// Whether the log has column `c`.
    pub(super) fn has(&self, c: &str) -> bool {
        self.schema.contains(c)
    }

    pub(super) fn data_error(&self, message: String) -> Error {
        Error::Data {
            file: self.name.clone(),
            message,
        }
    }

    pub(super) fn polars_error(&self, e: PolarsError) -> Error {
        self.data_error(format!("cannot read the event log: {e}"))
    }
}

/// Opens the log at `path`: checks the options' patterns, detects the format, checks
/// the needed columns, and selects every used column as text (Parquet columns may be
/// typed) with the spreadsheet row number (`ROW`, the header is row 1).
pub(super) fn open(path: &Path, options: &Options) -> Result<(Log, LazyFrame)> {
    for (option, re) in [
        ("actor", options.actor.as_deref()),
        ("acled_claimed", Some(options.rules.acled_claimed.as_str())),
        ("acled_unverified", Some(options.rules.acled_unverified.as_str())),
    ] {
        if let Some(re) = re {
            regex::Regex::new(re)
                .map_err(|e| Error::argument(option, format!("not a valid regular expression: {e}")))?;
        }
    }
    let name = path.display().to_string();
    let polars_error = |e: PolarsError| Error::Data {
        file: name.clone(),
        message: format!("cannot read the event log: {e}"),
    };
    let lazy = scan(path, options.delimiter).map_err(polars_error)?;
    let schema = lazy.clone().collect_schema().map_err(polars_error)?;
    let has = |c: &str| schema.contains(c);
    let format = match options.format {
        Some(f) => f,
        None if has("event_id_cnty") => Format::Acled,
        None if has("eventid") => Format::Gtd,
        None => {
            return Err(Error::Data {
                file: name,
                message: "cannot tell the format: expected an ACLED header (event_id_cnty, event_date, ...) or a GTD header (eventid, iyear, imonth, iday, ...); or name it with option `format` (acled or gtd)".into(),
            })
        }
    };
    let unit_source = match (&options.unit_column, format) {
        (Some(c), _) => UnitSource::Column(c.clone()),
        (None, Format::Acled) if has("iso") => UnitSource::IsoNumeric("iso"),
        (None, Format::Acled) => UnitSource::Name("country"),
        (None, Format::Gtd) => UnitSource::Name("country_txt"),
    };
    let log = Log {
        name,
        schema,
        format,
        spec: spec(format),
        unit_source,
    };
    let required = required_columns(&log, options)?;
    let rows = lazy.select(used_columns(&log, &required)).with_row_index(ROW, Some(2));
    Ok((log, rows))
}

/// The columns the format and the options need, each with what needs it; an error
/// names every one that is missing.
fn required_columns(log: &Log, options: &Options) -> Result<Vec<(String, &'static str)>> {
    let sp = &log.spec;
    let mut required: Vec<(&str, &'static str)> = vec![(sp.id, "the event id"), (sp.kind, "events by type")];
    match log.format {
        Format::Acled => required.extend([("event_date", "the period"), ("fatalities", "fatalities")]),
        Format::Gtd => required.extend([
            ("iyear", "the period"),
            ("imonth", "the period"),
            ("iday", "the event date"),
            ("nkill", "fatalities"),
        ]),
    }
    if log.format == Format::Gtd {
        for c in &options.rules.gtd_verified {
            match c {
                GtdCondition::Success => required.push(("success", "the verified rule (success)")),
                GtdCondition::NoDoubt => required.push(("doubtterr", "the verified rule (no-doubt)")),
            }
        }
    }
    required.push((log.unit_source.column(), "the unit (country)"));
    let missing = |column: &str, needed_by: &str| Error::MissingColumn {
        file: log.name.clone(),
        column: column.into(),
        needed_by: needed_by.into(),
        hint: String::new(),
    };
    let mut problems = Vec::new();
    for (c, why) in &required {
        if !log.has(c) {
            problems.push(missing(c, why));
        }
    }
    if options.actor.is_some() && !sp.actors.iter().any(|c| log.has(c)) {
        problems.push(missing(sp.actors[0], "the actor filter"));
    }
    Error::from_problems(problems)?;
    Ok(required.into_iter().map(|(c, why)| (c.to_string(), why)).collect())
}

/// Every column the aggregation reads, as text: the required ones and the optional
/// ones the log has.
fn used_columns(log: &Log, required: &[(String, &'static str)]) -> Vec<Expr> {
    let mut used: Vec<&str> = required.iter().map(|(c, _)| c.as_str()).collect();
    let optional: &[&str] = match log.format {
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
    used.extend(optional.iter().copied().filter(|c| log.has(c)));
    used.sort_unstable();
    used.dedup();
    used.iter().map(|c| col(*c).cast(DataType::String)).collect()
}

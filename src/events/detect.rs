//! Format detection: which convention the log follows (ACLED or GTD), where its units
//! come from, and whether every column the options need is there (all missing ones
//! reported at once).

use super::model::{compile_rule, Format, GtdCondition, Options, ROW};
use crate::error::ErrorKind;
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
        Format::Ucdp => Spec {
            id: "id",
            kind: "type_of_violence",
            actors: &["side_a", "side_b"],
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

/// What an event's unit is: its country, its province in its country, or its
/// PRIO-GRID cell (see [`super::model::Places`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    Country,
    /// The column of the first-level administrative division (province, state).
    Admin1(&'static str),
    /// The coordinate columns, and the column of the publisher's own cell id (UCDP's
    /// `priogrid_gid`), if the log has one.
    Grid {
        lat: &'static str,
        lon: &'static str,
        gid: Option<&'static str>,
    },
}

/// The column of each format's geocoding precision (a larger code is coarser): UCDP
/// `where_prec` (1 exact place to 7 country), ACLED `geo_precision` (1 to 3), GTD
/// `specificity` (1 to 5).
pub(super) fn precision_column(format: Format) -> &'static str {
    match format {
        Format::Acled => "geo_precision",
        Format::Gtd => "specificity",
        Format::Ucdp => "where_prec",
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
    pub(super) place: Place,
    /// How the file was read.
    pub(super) source: super::model::SourceReport,
    pub(super) notes: Vec<String>,
    /// A CSV log is read in one pass, keeping these columns.
    pub(super) pass: Option<(super::pass::CsvPass, Vec<String>)>,
    /// A UTF-8 copy of the log, kept while the log is scanned.
    _copy: Option<tempfile::TempPath>,
}

impl Log {
    /// The columns the unit is read from as text (kept by every scan).
    pub(super) fn unit_columns(&self) -> Vec<&str> {
        match self.place {
            Place::Country => vec![self.unit_source.column()],
            Place::Admin1(c) => vec![self.unit_source.column(), c],
            Place::Grid { .. } => Vec::new(),
        }
    }

    /// Whether the log has column `c`.
    pub(super) fn has(&self, c: &str) -> bool {
        self.schema.contains(c)
    }

    pub(super) fn data_error(&self, kind: ErrorKind, message: String) -> Error {
        Error::Data {
            kind,
            file: self.name.clone(),
            message,
        }
    }

    pub(super) fn polars_error(&self, e: PolarsError) -> Error {
        self.data_error(ErrorKind::Unreadable, format!("cannot read the event log: {e}"))
    }
}

/// Opens the log at `path`: checks the options' patterns, detects the format, checks
/// the needed columns, and selects every used column as text (Parquet columns may be
/// typed) with the spreadsheet row number (`ROW`, the header is row 1).
/// `not_utf8`: a pass found this byte not UTF-8 (read the log as Windows-1252).
pub(super) fn open(path: &Path, options: &Options, not_utf8: Option<u64>) -> Result<(Log, LazyFrame)> {
    for (option, re) in [
        ("actor", options.actor.as_deref()),
        ("acled_claimed", Some(options.rules.acled_claimed.as_str())),
        ("acled_not_claimed", Some(options.rules.acled_not_claimed.as_str())),
        ("acled_unverified", Some(options.rules.acled_unverified.as_str())),
    ] {
        if let Some(re) = re {
            compile_rule(option, re)?;
        }
    }
    let name = path.display().to_string();
    let polars_error = |e: PolarsError| Error::Data {
        file: name.clone(),
        kind: ErrorKind::Unreadable,
        message: format!("cannot read the event log: {e}"),
    };
    let prepared = super::source::prepare(path, options, not_utf8)?;
    let mut lazy = prepared.lazy;
    let schema = lazy.collect_schema().map_err(polars_error)?;
    let has = |c: &str| schema.contains(c);
    let format = match options.format {
        Some(f) => f,
        None if has("event_id_cnty") => Format::Acled,
        None if has("eventid") => Format::Gtd,
        None if has("type_of_violence") && has("date_start") => Format::Ucdp,
        None => {
            return Err(Error::Data {
                file: name,
                kind: ErrorKind::Unreadable,
                message: "cannot tell the format: expected an ACLED header (event_id_cnty, event_date, ...), a GTD header (eventid, iyear, imonth, iday, ...) or a UCDP GED header (id, type_of_violence, date_start, best, ...); or name it with option `format` (acled, gtd or ucdp)".into(),
            })
        }
    };
    let unit_source = match (&options.unit_column, format) {
        (Some(c), _) => UnitSource::Column(c.clone()),
        (None, Format::Acled) if has("iso") => UnitSource::IsoNumeric("iso"),
        (None, Format::Acled) => UnitSource::Name("country"),
        (None, Format::Gtd) => UnitSource::Name("country_txt"),
        (None, Format::Ucdp) => UnitSource::Name("country"),
    };
    let place = match options.places {
        super::model::Places::Country => Place::Country,
        _ if options.unit_column.is_some() => {
            return Err(Error::argument(
                "unit_column",
                format!(
                    "a unit column and `--unit {}` both say what the unit is: give one",
                    options.places.name()
                ),
            ))
        }
        super::model::Places::Admin1 => Place::Admin1(match format {
            Format::Acled => "admin1",
            Format::Gtd => "provstate",
            Format::Ucdp => "adm_1",
        }),
        super::model::Places::Grid => Place::Grid {
            lat: "latitude",
            lon: "longitude",
            gid: (format == Format::Ucdp && has("priogrid_gid")).then_some("priogrid_gid"),
        },
    };
    let mut log = Log {
        name,
        schema,
        format,
        spec: spec(format),
        unit_source,
        place,
        source: prepared.report,
        notes: prepared.notes,
        pass: None,
        _copy: prepared.copy,
    };
    let required = required_columns(&log, options)?;
    let used = used_columns(&log, &required);
    log.pass = prepared.pass.map(|csv| (csv, used.clone()));
    let mut selected: Vec<Expr> = used.iter().map(|c| col(c.as_str()).cast(DataType::String)).collect();
    selected.push(col(ROW));
    let rows = lazy.select(selected);
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
        Format::Ucdp => required.extend([("date_start", "the period"), ("best", "fatalities")]),
    }
    if log.format == Format::Gtd {
        for c in &options.rules.gtd_verified {
            match c {
                GtdCondition::Success => required.push(("success", "the verified rule (success)")),
                GtdCondition::NoDoubt => required.push(("doubtterr", "the verified rule (no-doubt)")),
            }
        }
    }
    match log.place {
        Place::Grid { lat, lon, gid } => {
            required.extend([
                (lat, "the event's cell (--unit grid)"),
                (lon, "the event's cell (--unit grid)"),
            ]);
            required.extend(gid.map(|g| (g, "the check of the publisher's cell ids")));
        }
        Place::Admin1(c) => {
            required.push((log.unit_source.column(), "the unit's country"));
            required.push((c, "the province (--unit admin1)"));
        }
        Place::Country => required.push((log.unit_source.column(), "the unit (country)")),
    }
    if options.max_geo_precision.is_some() {
        if log.place == Place::Country {
            return Err(Error::argument(
                "max_geo_precision",
                "leaves coarsely placed events out of provinces and cells: use it with `--unit admin1` or `--unit grid`",
            ));
        }
        required.push((
            precision_column(log.format),
            "the geocoding precision (--max-geo-precision)",
        ));
    }
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
fn used_columns(log: &Log, required: &[(String, &'static str)]) -> Vec<String> {
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
        Format::Ucdp => &["low", "high", "deaths_civilians", "side_a", "side_b"],
    };
    used.extend(optional.iter().copied().filter(|c| log.has(c)));
    used.sort_unstable();
    used.dedup();
    used.into_iter().map(String::from).collect()
}

//! One error type for the whole library.
//!
//! Every variant carries what a user needs to fix the input: the file, the
//! 1-based row as a spreadsheet shows it (the header is row 1), the column or the
//! TOML key, the value seen and what was expected.

use std::fmt;
use std::path::PathBuf;

/// Result alias used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while reading inputs, scoring or writing outputs.
///
/// The message (`Display`) is for a person: it names the file, row, column or key and
/// what was expected. A program matches on [`Error::kind`] instead.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be opened, read or written.
    #[error("{path}: {action}: {source}")]
    Io {
        path: PathBuf,
        action: &'static str,
        source: std::io::Error,
    },

    /// The framework file is not valid TOML or does not fit the schema.
    #[error("{file}: {message}")]
    Toml { file: String, message: String },

    /// A framework key holds a value that is not allowed.
    #[error("{file}: key `{key}`: {message}")]
    Framework { file: String, key: String, message: String },

    /// A column the framework needs is absent from the data.
    #[error("{file}: missing column `{column}` (needed by {needed_by}){hint}")]
    MissingColumn {
        file: String,
        column: String,
        needed_by: String,
        hint: String,
    },

    /// A cell could not be read as what was expected.
    #[error("{file}: row {row}, column `{column}`: {message}")]
    Cell {
        file: String,
        row: usize,
        column: String,
        message: String,
    },

    /// A row as a whole is malformed (its field count, a quote that is not closed).
    #[error("{file}: row {row}: {message}")]
    Row { file: String, row: usize, message: String },

    /// The same unit and period occur twice.
    #[error("{file}: row {row}: duplicate unit `{unit}` and period `{period}` (first seen at {first})")]
    DuplicateRow {
        file: String,
        row: usize,
        unit: String,
        period: String,
        first: String,
    },

    /// A file is unusable as a whole (no rows, unreadable format, too large, ...), or
    /// an output cannot be written where asked; `kind` says which.
    #[error("{file}: {message}")]
    Data {
        file: String,
        kind: ErrorKind,
        message: String,
    },

    /// A value passed to a library call (an option, not a file's content) cannot be
    /// used. `name` is the option's name in the library (`unit`, `period`, `outcome`,
    /// ...); the command line shows it as its flag.
    #[error("{name}: {message}")]
    Argument { name: String, message: String },

    /// A scoring method cannot be applied to the values it is given.
    #[error("{context}: {message}")]
    Method {
        context: String,
        kind: ErrorKind,
        message: String,
    },

    /// Another riskscore run holds the output folder (it is writing into it).
    #[error("{}: another riskscore run is writing into this folder: wait for it to finish, or choose another output folder", dir.display())]
    Busy { dir: PathBuf },

    /// The same problem in many cells of a column, or in many rows: said once, with the
    /// count, the first rows and the first one's message.
    #[error("{}", display_repeated(file, column.as_deref(), *count, rows, message))]
    Repeated {
        file: String,
        /// The column, for cells; `None` for whole rows.
        column: Option<String>,
        count: usize,
        /// The first rows (1-based, as a spreadsheet shows them).
        rows: Vec<usize>,
        /// The first row's problem.
        message: String,
    },

    /// More problems of the same run than are listed.
    #[error("... and {count} more problems")]
    More { count: usize },

    /// Several problems found at once (`validate` reports all of them).
    #[error("{}", display_many(.0))]
    Many(Vec<Error>),
}

/// What went wrong, by cause, for a program to act on (the message says it for a
/// person). New kinds may be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A file could not be opened, read or written ([`Error::Io`]).
    Io,
    /// Another riskscore run is writing into the output folder ([`Error::Busy`]).
    Busy,
    /// The framework file is not TOML or does not fit the schema ([`Error::Toml`]).
    FrameworkSyntax,
    /// A framework key holds a value that is not allowed ([`Error::Framework`]).
    FrameworkValue,
    /// A value passed to a call (an option, not a file's content) cannot be used
    /// ([`Error::Argument`]).
    Argument,
    /// A column the framework needs is not in the data ([`Error::MissingColumn`]).
    MissingColumn,
    /// A cell cannot be read as what was expected ([`Error::Cell`]; a
    /// [`Error::Repeated`] of cells).
    BadCell,
    /// A row is malformed ([`Error::Row`]; a [`Error::Repeated`] of rows).
    BadRow,
    /// The same unit and period occur twice ([`Error::DuplicateRow`]).
    DuplicateRow,
    /// The path is a folder, a device or a pipe, not a file (a file that is not there
    /// is [`ErrorKind::Io`]).
    NotAFile,
    /// An input passes one of the limits that keep a run within memory (its size, its
    /// cells once laid out, a pipe's length).
    TooLarge,
    /// The file's format or encoding cannot be read (a damaged workbook, Parquet or
    /// shard file, text that is not UTF-8, an event log of no known source).
    Unreadable,
    /// The file has a header or sheet but no data rows.
    NoRows,
    /// The table's shape does not fit (columns named twice, one column where a
    /// delimiter was wrong, periods of two kinds, a column in two files, a neighbours
    /// or coordinates table without its columns, an output folder of another command).
    BadTable,
    /// A shard file does not fit the design it is merged into (another design, or not
    /// the shard that follows). Shard files that do not belong together at all, given
    /// to `sensitivity::order`, are an [`ErrorKind::Argument`].
    Mismatch,
    /// Nothing is left to score or compare (every unit-period outside the period range
    /// or screened out, no events left, a single variant).
    NothingToScore,
    /// An output would overwrite an input, or something that is not riskscore's is in
    /// its way.
    OutputInTheWay,
    /// z-score normalisation met values that do not vary (standard deviation 0).
    ZeroVariance,
    /// fracmax or distance_to_max met no positive maximum.
    NonPositiveMaximum,
    /// A geometric, harmonic or BoD aggregation met a value it cannot take (<= 0, or
    /// < 0 for BoD).
    NonPositiveValue,
    /// An indicator has no value in any scored period.
    NoValues,
    /// dist2ref's reference unit has no value.
    MissingReference,
    /// A value lies outside a transform's domain (a log of a value <= 0, or outside
    /// the log_CT fallback of COINr winsorisation).
    OutsideDomain,
    /// A derived column or group imputation needs a value that is missing (a lag, a
    /// neighbour's value, a unit's group).
    MissingInput,
    /// A denominator is 0, or the per-capita value is too large to represent.
    BadDenominator,
    /// Something riskscore itself should have prevented (a template, a serialisation);
    /// the message asks for a report.
    Internal,
    /// Several problems at once: see [`Error::problems`] for each one's kind (an
    /// [`Error::More`] among them stands for the problems past those listed).
    Many,
}

/// Problems of one kind listed per file before "... and N more".
pub const MAX_LISTED: usize = 50;

/// Rows named in a [`Error::Repeated`] message before "...".
pub const REPEATED_ROWS: usize = 5;

fn display_repeated(file: &str, column: Option<&str>, count: usize, rows: &[usize], message: &str) -> String {
    let listed: Vec<String> = rows.iter().take(REPEATED_ROWS).map(usize::to_string).collect();
    let more = if count > listed.len() { ", ..." } else { "" };
    let first = rows.first().copied().unwrap_or(0);
    match column {
        Some(c) => format!(
            "{file}: column `{c}`, {count} cells (rows {}{more}); row {first}: {message}",
            listed.join(", ")
        ),
        None => format!(
            "{file}: {count} rows ({}{more}); row {first}: {message}",
            listed.join(", ")
        ),
    }
}

/// A message with what varies between cells taken out (quoted values, numbers), so
/// that one mistake repeated in many rows has one key.
pub(crate) fn kind_of(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut quoted = false;
    for c in message.chars() {
        if c == '`' {
            quoted = !quoted;
        } else if !quoted && !c.is_ascii_digit() {
            out.push(c);
        }
    }
    out
}

fn display_many(errors: &[Error]) -> String {
    let mut out = String::new();
    for (i, e) in errors.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&e.to_string());
    }
    out
}

impl Error {
    /// Collapse a list of problems: none -> `Ok`, one -> itself, more -> `Many`.
    pub fn from_problems(mut problems: Vec<Error>) -> Result<()> {
        match problems.len() {
            0 => Ok(()),
            1 => Err(problems.remove(0)),
            _ => Err(Error::Many(problems)),
        }
    }

    /// Problems in row order (those of the file as a whole first, then by row, each in
    /// the order found), at most `cap` listed: the `More` counts of the sources and what
    /// is past the cap are added up into one.
    pub fn in_row_order(problems: Vec<Error>, cap: usize) -> Result<()> {
        let mut more = 0;
        let mut listed: Vec<Error> = Error::summarised(problems)
            .into_iter()
            .filter(|e| match e {
                Error::More { count } => {
                    more += count;
                    false
                }
                _ => true,
            })
            .collect();
        listed.sort_by_key(|e| e.row().unwrap_or(0));
        if listed.len() > cap {
            more += listed.len() - cap;
            listed.truncate(cap);
        }
        if more > 0 {
            listed.push(Error::More { count: more });
        }
        Error::from_problems(listed)
    }

    /// Problems of one kind repeated in 3 or more rows (the same column, the same
    /// message but for quoted values and numbers) as one [`Error::Repeated`], at the
    /// place of the first; the others as they are.
    pub fn summarised(problems: Vec<Error>) -> Vec<Error> {
        let key = |e: &Error| match e {
            Error::Cell {
                file, column, message, ..
            } => Some((file.clone(), Some(column.clone()), kind_of(message))),
            Error::Row { file, message, .. } => Some((file.clone(), None, kind_of(message))),
            _ => None,
        };
        let mut counts: std::collections::HashMap<(String, Option<String>, String), usize> =
            std::collections::HashMap::new();
        for e in &problems {
            if let Some(k) = key(e) {
                *counts.entry(k).or_default() += 1;
            }
        }
        let mut groups: std::collections::HashMap<(String, Option<String>, String), usize> =
            std::collections::HashMap::new();
        let mut out: Vec<Error> = Vec::with_capacity(problems.len());
        for e in problems {
            let Some(k) = key(&e).filter(|k| counts[k] >= 3) else {
                out.push(e);
                continue;
            };
            let row = e.row().unwrap_or(0);
            let message = match e {
                Error::Cell { message, .. } | Error::Row { message, .. } => message,
                _ => String::new(),
            };
            if let Some(&at) = groups.get(&k) {
                if let Error::Repeated {
                    count,
                    rows,
                    message: first,
                    ..
                } = &mut out[at]
                {
                    // The message shown is the first row's.
                    if rows.iter().all(|&r| row < r) {
                        *first = message;
                    }
                    *count += 1;
                    rows.push(row);
                }
                continue;
            }
            groups.insert(k.clone(), out.len());
            out.push(Error::Repeated {
                file: k.0,
                column: k.1,
                count: 1,
                rows: vec![row],
                message,
            });
        }
        for e in &mut out {
            if let Error::Repeated { rows, .. } = e {
                rows.sort_unstable();
            }
        }
        out
    }

    /// The row a problem is on, for listing problems in row order.
    pub fn row(&self) -> Option<usize> {
        match self {
            Error::Repeated { rows, .. } => rows.first().copied(),
            Error::Cell { row, .. } | Error::DuplicateRow { row, .. } | Error::Row { row, .. } => Some(*row),
            _ => None,
        }
    }

    /// The individual problems, owned.
    pub fn into_problems(self) -> Vec<Error> {
        match self {
            Error::Many(list) => list.into_iter().flat_map(Error::into_problems).collect(),
            other => vec![other],
        }
    }

    /// The individual problems inside this error.
    pub fn problems(&self) -> Vec<&Error> {
        match self {
            Error::Many(list) => list.iter().flat_map(|e| e.problems()).collect(),
            other => vec![other],
        }
    }

    /// What went wrong, by cause. Several problems at once are [`ErrorKind::Many`];
    /// [`Error::problems`] lists them.
    ///
    /// ```
    /// use riskscore::{ErrorKind, Framework};
    ///
    /// let err = Framework::from_path("no/such/framework.toml".as_ref()).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::Io);
    /// ```
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Io { .. } => ErrorKind::Io,
            Error::Busy { .. } => ErrorKind::Busy,
            Error::Toml { .. } => ErrorKind::FrameworkSyntax,
            Error::Framework { .. } => ErrorKind::FrameworkValue,
            Error::Argument { .. } => ErrorKind::Argument,
            Error::MissingColumn { .. } => ErrorKind::MissingColumn,
            Error::Cell { .. } => ErrorKind::BadCell,
            Error::Row { .. } => ErrorKind::BadRow,
            Error::DuplicateRow { .. } => ErrorKind::DuplicateRow,
            Error::Repeated { column: Some(_), .. } => ErrorKind::BadCell,
            Error::Repeated { column: None, .. } => ErrorKind::BadRow,
            Error::Data { kind, .. } | Error::Method { kind, .. } => *kind,
            Error::More { .. } | Error::Many(_) => ErrorKind::Many,
        }
    }

    /// A bad value of the option `name`.
    pub fn argument(name: &str, message: impl Into<String>) -> Self {
        Error::Argument {
            name: name.into(),
            message: message.into(),
        }
    }

    /// Whether every problem inside is a bad option value (a usage error, not bad input).
    pub fn is_argument(&self) -> bool {
        self.problems().iter().all(|e| matches!(e, Error::Argument { .. }))
    }

    /// An I/O error on `path` while doing `action`.
    pub fn io(path: impl Into<PathBuf>, action: &'static str, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            action,
            source,
        }
    }
}

/// A parser's message with each of its lines cut to 1,000 characters (a TOML error
/// quotes the line it is on, which a hostile file makes a megabyte long).
pub fn short_lines(message: &str) -> String {
    const MAX_LINE: usize = 1000;
    message
        .lines()
        .map(|line| {
            if line.chars().count() <= MAX_LINE {
                line.to_string()
            } else {
                let cut: String = line.chars().take(MAX_LINE).collect();
                format!("{cut}... ({} characters in all)", line.chars().count())
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// At most this many characters of a value are quoted in a message.
const MAX_QUOTED: usize = 200;

/// A value as a message shows it: at most 200 characters, and the invisible ones
/// written out (`\r`, `\t`, `\u{a0}`), so `gov_eff\r` is not shown as `gov_eff`.
pub fn visible(value: &str) -> String {
    let mut out = String::new();
    for (i, c) in value.chars().enumerate() {
        if i == MAX_QUOTED {
            out.push_str(&format!("... ({} characters in all)", value.chars().count()));
            break;
        }
        if c.is_control() || c == '\u{a0}' || c == '\u{feff}' || c == '\u{200b}' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// ", did you mean `x`?" when a known id is close to the one given, else "".
pub fn suggest<'a>(given: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    let mut best: Option<(f64, &str)> = None;
    let given = given.to_lowercase();
    for candidate in known {
        // Case does not count: `tjk` is close to `TJK`.
        // Damerau-Levenshtein: a swap of two letters (`PKA`, `PAK`) is one edit.
        let similarity = strsim::normalized_damerau_levenshtein(&given, &candidate.to_lowercase());
        if similarity >= 0.5 && best.is_none_or(|(s, _)| similarity > s) {
            best = Some((similarity, candidate));
        }
    }
    match best {
        Some((_, name)) => format!("; did you mean `{}`?", visible(name)),
        None => String::new(),
    }
}

/// [`suggest`] for units, where a place may be named in part: a key that begins with
/// what was given (3 letters or more), or a province key `ISO3:name` whose name does
/// (`Balochistan` -> `PAK:Balochistan province`), comes first; else the nearest by
/// spelling.
pub fn suggest_unit<'a>(given: &str, known: impl IntoIterator<Item = &'a str> + Clone) -> String {
    let lower = given.to_lowercase();
    // A bookkeeping unit (`PAK:(none)`) is no place a user means.
    let in_part = known.clone().into_iter().filter(|k| !k.ends_with(":(none)")).find(|k| {
        let k = k.to_lowercase();
        k.starts_with(&lower) || k.split_once(':').is_some_and(|(_, name)| name.starts_with(&lower))
    });
    match in_part {
        Some(k) if given.chars().count() >= 3 => format!("; did you mean `{}`?", visible(k)),
        _ => suggest(given, known),
    }
}

/// "unknown value `x`: expected one of `a`, `b`; did you mean `a`?"
pub fn unknown<'a>(what: &str, value: &str, names: impl IntoIterator<Item = &'a str> + Clone) -> String {
    // A fixed set of choices: all of them, however many.
    let all: Vec<String> = names.clone().into_iter().map(|n| format!("`{n}`")).collect();
    format!(
        "unknown {what} `{visible_value}`: expected one of {}{}",
        all.join(", "),
        suggest(value, names),
        visible_value = visible(value)
    )
}

/// Lists ids for messages: `a`, `b`, `c` (at most 12, then "...").
pub fn list_ids<'a>(ids: impl IntoIterator<Item = &'a str>) -> String {
    struct Ids(Vec<String>, bool);
    impl fmt::Display for Ids {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "{}", self.0.join(", "))?;
            if self.1 {
                write!(f, ", ...")?;
            }
            Ok(())
        }
    }
    let mut all: Vec<String> = ids.into_iter().map(|s| format!("`{}`", visible(s))).collect();
    let more = all.len() > 12;
    all.truncate(12);
    Ids(all, more).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_of_a_parser_message_are_cut() {
        let long = format!("line 1\n{}\nend", "x".repeat(900_000));
        let short = short_lines(&long);
        assert_eq!(
            short,
            format!("line 1\n{}... (900000 characters in all)\nend", "x".repeat(1000))
        );
    }

    #[test]
    fn a_mistake_repeated_in_rows_is_said_once() {
        let row = |r: usize, found: usize| Error::Row {
            file: "b.tsv".into(),
            row: r,
            message: format!("expected 5 fields (as the header has), found {found}"),
        };
        let cell = Error::Cell {
            file: "b.tsv".into(),
            row: 3,
            column: "a".into(),
            message: "expected a number, found `x`".into(),
        };
        let problems = vec![row(9, 1), row(4, 3), cell, row(7, 2)];
        let listed: Vec<String> = Error::summarised(problems).iter().map(|e| e.to_string()).collect();
        assert_eq!(
            listed,
            [
                "b.tsv: 3 rows (4, 7, 9); row 4: expected 5 fields (as the header has), found 3",
                "b.tsv: row 3, column `a`: expected a number, found `x`",
            ]
        );
        // Two of a kind stay as they are.
        assert_eq!(Error::summarised(vec![row(2, 1), row(3, 1)]).len(), 2);
        assert_eq!(kind_of("found `12,5` in 3 cells"), "found  in  cells");
    }

    #[test]
    fn suggests_nearest_id() {
        assert_eq!(
            suggest("theat", ["threat", "economy", "capacity"]),
            "; did you mean `threat`?"
        );
        assert_eq!(suggest("zzz", ["threat", "economy"]), "");
    }

    #[test]
    fn suggestions_ignore_case() {
        assert_eq!(suggest("tjk", ["TJK", "UZB"]), "; did you mean `TJK`?");
        assert_eq!(suggest("PKA", ["PAK", "AFG"]), "; did you mean `PAK`?");
    }

    #[test]
    fn many_flattens() {
        let e = Error::Many(vec![
            Error::Data {
                file: "a".into(),
                kind: ErrorKind::NoRows,
                message: "x".into(),
            },
            Error::Data {
                file: "b".into(),
                kind: ErrorKind::TooLarge,
                message: "y".into(),
            },
        ]);
        assert_eq!(e.to_string(), "a: x\nb: y");
        assert_eq!(e.kind(), ErrorKind::Many);
        let kinds: Vec<ErrorKind> = e.problems().iter().map(|p| p.kind()).collect();
        assert_eq!(kinds, [ErrorKind::NoRows, ErrorKind::TooLarge]);
    }

    #[test]
    fn repeated_problems_keep_their_kind() {
        let cells: Vec<Error> = (2..6)
            .map(|row| Error::Cell {
                file: "d.csv".into(),
                row,
                column: "x".into(),
                message: "expected a number".into(),
            })
            .collect();
        let summed = Error::summarised(cells);
        assert_eq!(summed.len(), 1);
        assert_eq!(summed[0].kind(), ErrorKind::BadCell);
    }
}

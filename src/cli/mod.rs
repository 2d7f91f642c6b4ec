//! Command-line arguments and helpers shared by the subcommands.

/// `eprintln!` as the terminal should see it: through [`say_line`].
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::cli::say_line(&format!($($arg)*))
    };
}

pub mod audit;
pub mod backtest;
pub mod bench;
pub mod compare;
pub mod events;
pub mod explain;
pub mod import;
pub mod merge_shards;
pub mod notebook;
pub mod report;
mod run;
pub mod score;
pub mod sensitivity;
pub mod validate;
pub mod variants;

pub use run::main;

use crate::data::{self, LoadOptions, Panel, Source};
use crate::error::ErrorKind;
use crate::framework::{Framework, Layout};
use crate::output::manifest::{check_folder, Folder};
use crate::output::set::OutputSet;
use crate::{Error, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};

/// Composite risk scores, ranks and classes from tabular indicators.
///
/// A framework file (TOML) declares the index: groups (pillars), indicators, how
/// each is imputed, treated, normalised, weighted and aggregated. riskscore applies
/// it to data (CSV or Parquet, wide or long) and writes spreadsheet-ready results.
#[derive(Parser, Debug)]
#[command(name = "riskscore", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Score every unit and period: writes scores.csv, indicators.csv, screening.csv, manifest.json
    Score(score::ScoreArgs),
    /// Check a framework (and data against it); print every problem found
    Validate(validate::ValidateArgs),
    /// Show how each pillar and indicator makes up one unit's score and rank
    Explain(explain::ExplainArgs),
    /// Rank intervals and Sobol indices over the framework's [sensitivity] factors
    ///
    /// Writes uncertainty.csv, sobol.csv (with --method sobol) and manifest.json; prints
    /// the factors that move the ranking most.
    Sensitivity(sensitivity::SensitivityArgs),
    /// Merge the shards of a sensitivity run (`sensitivity --shard K/N`) into its outputs
    ///
    /// Checks that the shards ran the same framework, data, options and seed, and cover
    /// the design once; writes uncertainty.csv, sobol.csv and manifest.json, the same as
    /// one run with --quantiles sketch.
    MergeShards(merge_shards::MergeShardsArgs),
    /// Aggregate an event log (ACLED, GTD or UCDP GED columns) to a unit-period indicator table
    Events(events::EventsArgs),
    /// Statistical coherence: indicator statistics, correlations, Cronbach's alpha, PCA, effective weights
    ///
    /// Writes stats.csv, correlations.csv, cronbach.csv, pca.csv, effective_weights.csv,
    /// units.csv and manifest.json; prints what to look at first.
    Audit(audit::AuditArgs),
    /// One self-contained HTML report (charts, tables, framework, manifest); --xlsx for a workbook
    ///
    /// Writes report.html (and report.xlsx with --xlsx).
    Report(report::ReportArgs),
    /// A Jupyter notebook (nbformat 4) that reloads a run's CSVs and redraws its charts
    ExportNotebook(notebook::NotebookArgs),
    /// Score several variants side by side: variants.csv, agreement.csv, manifest.json
    Compare(compare::CompareArgs),
    /// Test variants' scores at t against an outcome at t + horizon, with no look-ahead
    ///
    /// Writes backtest.csv, ranking.csv, skill.csv, reliability.csv, forecasts.csv and
    /// manifest.json; prints the ranking beside the naive baselines and a verdict per variant.
    Backtest(backtest::BacktestArgs),
    /// Time each variant's scoring run (data load excluded and included)
    Bench(bench::BenchArgs),
    /// Turn another tool's index into a framework and data file (COINr: iData + iMeta)
    Import(import::ImportArgs),
    /// Write a seeded synthetic event log in ACLED, GTD or UCDP GED columns (tests, examples, benchmarks)
    GenerateEvents(events::GenerateEventsArgs),
}

/// The framework file and the data it is applied to.
#[derive(Args, Debug)]
pub struct Inputs {
    /// Framework file (TOML)
    #[arg(short = 'f', long = "framework", value_name = "FILE")]
    pub framework: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
}

impl Inputs {
    /// The input files (data and framework), which no output may overwrite.
    pub fn paths(&self) -> Vec<&Path> {
        self.data.inputs_with(&self.framework)
    }
}

/// Where a command writes its files, and whether it says anything.
#[derive(Args, Debug)]
pub struct OutDir {
    /// Output folder (created if missing); files in it are replaced atomically
    #[arg(short = 'o', long = "out", value_name = "DIR")]
    pub out: PathBuf,
    /// Print nothing but errors
    #[arg(short, long)]
    pub quiet: bool,
    /// The outputs already in the folder, hashed ahead from [`OutDir::check`] on, for
    /// the set [`OutDir::begin`] opens.
    #[arg(skip)]
    ahead: std::cell::RefCell<crate::output::set::Ahead>,
}

impl OutDir {
    /// Refuses the run, before anything is written, if one of the files `names` in the
    /// output folder is an input; starts hashing those already there, which the commit
    /// checks before it replaces them ([`crate::output::set::hash_ahead`]).
    pub fn check(&self, names: &[&str], inputs: &[&Path]) -> Result<()> {
        let outputs: Vec<PathBuf> = names.iter().map(|n| self.out.join(n)).collect();
        crate::output::check_outputs(&outputs, inputs)?;
        self.ahead.replace(crate::output::set::hash_ahead(outputs));
        Ok(())
    }

    /// Opens the output folder (created if missing) as one set of outputs: locked
    /// against other runs, written in a staging folder, published at [`OutDir::commit`].
    /// `inputs` are the files given; the files `frameworks` read besides
    /// ([`Framework::files_read`]) are inputs too: no output is written over any.
    pub fn begin(&self, inputs: &[&Path], frameworks: &[&Framework]) -> Result<OutputSet> {
        let read: Vec<PathBuf> = frameworks.iter().flat_map(|f| f.files_read()).collect();
        let all: Vec<&Path> = inputs
            .iter()
            .copied()
            .chain(read.iter().map(PathBuf::as_path))
            .collect();
        Ok(OutputSet::begin(&self.out, &all)?.with_hashes_ahead(self.ahead.take()))
    }

    /// Publishes the set with `manifest` as its commit record; says what was cleaned up.
    pub fn commit(&self, set: OutputSet, manifest: &impl serde::Serialize) -> Result<()> {
        let manifest = serde_json::to_value(manifest).map_err(|e| Error::Data {
            file: self.out.join(crate::output::set::MANIFEST).display().to_string(),
            kind: ErrorKind::Internal,
            message: e.to_string(),
        })?;
        commit_set(set, manifest, self.quiet)
    }
}

/// Publishes `set` with `manifest`; says (unless `quiet`) what opening the folder and
/// the commit cleaned up.
pub fn commit_set(set: OutputSet, manifest: serde_json::Value, quiet: bool) -> Result<()> {
    let opened = set.notes().to_vec();
    let committed = set.commit(manifest)?;
    if !quiet {
        for text in opened.iter().chain(&committed.notes) {
            note(text);
        }
        for path in &committed.removed {
            note(&crate::output::set::removed_note(path));
        }
    }
    Ok(())
}

/// Checks the `--sensitivity` and `--compare` folders a command reads (the files of
/// `compare` it reads are `compare_files`) against this framework and data; returns
/// them, locked shared while they live, and the warnings for other data.
pub fn other_runs(
    sensitivity: Option<&Path>,
    compare: Option<&Path>,
    compare_files: &[&str],
    framework_file: &str,
    framework_sha: &str,
    data_shas: &[String],
) -> Result<(Vec<Folder>, Vec<String>)> {
    let mut folders = Vec::new();
    let mut warnings = Vec::new();
    let reads = [
        ("sensitivity", sensitivity, &["uncertainty.csv"][..], &["sobol.csv"][..]),
        ("compare", compare, compare_files, &[][..]),
    ];
    for (option, dir, needs, optional) in reads {
        if let Some(d) = dir {
            let folder = check_folder(
                d,
                option,
                framework_file,
                framework_sha,
                Some(data_shas),
                needs,
                optional,
            )?;
            warnings.extend(folder.warning.clone());
            folders.push(folder);
        }
    }
    Ok((folders, warnings))
}

/// How CSV files look.
#[derive(Args, Debug)]
pub struct CsvStyle {
    /// Excel-friendly CSV: UTF-8 BOM, ';' delimiter, decimal comma
    #[arg(long)]
    pub excel: bool,
}

impl CsvStyle {
    pub fn style(&self) -> crate::output::csv::Style {
        crate::output::csv::Style { excel: self.excel }
    }
}

/// Data layout on the command line.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum LayoutArg {
    Wide,
    Long,
    /// A World Bank download (WDI bulk/API, DataBank): a row per country and indicator, a column per year
    Wdi,
}

/// Inputs shared by the subcommands that read data.
#[derive(Args, Debug)]
pub struct DataArgs {
    /// Data file (CSV, Parquet, xlsx/xls/ods); repeat to join several on unit + period; `-` reads stdin
    #[arg(short = 'd', long = "data", value_name = "FILE")]
    pub data: Vec<PathBuf>,
    /// Data layout (default: the framework's data.layout, else detected)
    #[arg(long, value_enum)]
    pub layout: Option<LayoutArg>,
    /// CSV field delimiter, e.g. ';' or '\t' (default: detected from the header)
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<String>,
    /// Read decimal commas in numeric CSV cells (3,5 = 3.5)
    #[arg(long)]
    pub decimal_comma: bool,
    /// The character grouping thousands in numeric cells: ',' '.' ' ' or "'" (default: the framework's data.thousands, else none)
    #[arg(long, value_name = "CHAR")]
    pub thousands: Option<String>,
    /// Text encoding of CSV files, e.g. windows-1252, latin1, windows-1251, utf-16le (default: from the byte-order mark, UTF-8 if valid, else windows-1252)
    #[arg(long, value_name = "NAME")]
    pub encoding: Option<String>,
    /// Sheet of a workbook to read (default: the first)
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
}

impl DataArgs {
    pub fn options(&self) -> Result<LoadOptions> {
        let delimiter = parse_delimiter(self.delimiter.as_deref())?;
        let thousands =
            match self.thousands.as_deref() {
                None => None,
                Some(t) => Some(data::thousands_separator(t).ok_or_else(|| {
                    Error::argument("thousands", format!("{}, found `{t}`", data::THOUSANDS_EXPECTED))
                })?),
            };
        if let Some(label) = &self.encoding {
            crate::input::named_encoding(label)?;
        }
        Ok(LoadOptions {
            layout: self.layout.map(|l| match l {
                LayoutArg::Wide => Layout::Wide,
                LayoutArg::Long => Layout::Long,
                LayoutArg::Wdi => Layout::Wdi,
            }),
            delimiter,
            decimal_comma: self.decimal_comma,
            thousands,
            encoding: self.encoding.clone(),
            sheet: self.sheet.clone(),
            ..LoadOptions::default()
        })
    }

    /// The sources, reading stdin for `-`.
    pub fn sources(&self) -> Result<Vec<Source>> {
        let mut out = Vec::new();
        for path in &self.data {
            if path.as_os_str() == "-" {
                if out.iter().any(|s| matches!(s, Source::Bytes { .. })) {
                    return Err(Error::argument("data", "`-` (standard input) can be given once"));
                }
                let how = crate::data::reading(&self.options()?)?;
                let bytes = crate::input::file::read_stdin(how)?;
                out.push(Source::Bytes {
                    name: "<stdin>".into(),
                    bytes,
                });
            } else {
                out.push(Source::File(path.clone()));
            }
        }
        Ok(out)
    }

    /// The input files (data and framework), which no output may overwrite.
    pub fn inputs_with<'a>(&'a self, framework: &'a Path) -> Vec<&'a Path> {
        let mut inputs: Vec<&Path> = self.data.iter().map(PathBuf::as_path).collect();
        inputs.push(framework);
        inputs
    }

    /// Loads the data; how each file was read, where it matters, goes to stderr.
    pub fn load(&self, fw: &Framework) -> Result<Panel> {
        let panel = data::load(fw, &self.sources()?, &self.options()?)?;
        for text in panel.sources.iter().flat_map(|s| &s.notes) {
            note(text);
        }
        Ok(panel)
    }
}

/// `--delimiter`: one character, or `\t` / `tab`.
pub fn parse_delimiter(text: Option<&str>) -> Result<Option<u8>> {
    match text {
        None => Ok(None),
        Some("\\t") | Some("tab") => Ok(Some(b'\t')),
        Some(d) if d.len() == 1 => Ok(Some(d.as_bytes()[0])),
        Some(d) => Err(Error::Argument {
            name: "delimiter".into(),
            message: format!("expected one character (or \\t), found `{d}`"),
        }),
    }
}

/// `--period` (or another option naming a period): a year, quarter or month.
pub fn parse_period(option: &str, text: &str) -> Result<crate::period::Period> {
    crate::period::Period::parse(text).ok_or_else(|| Error::argument(option, crate::period::Period::expected(text)))
}

/// The command-line flag of a library option: `samples_from` is `--samples-from`.
pub fn flag(option: &str) -> String {
    match option {
        "data" => "-d/--data".into(),
        _ => format!("--{}", option.replace('_', "-")),
    }
}

/// One problem as the terminal shows it: a bad option value names its flag, and a
/// message's "option `name`" is the flag `--name`.
pub fn describe(problem: &Error) -> String {
    let text = match problem {
        Error::Argument { name, message } => format!("{}: {message}", flag(name)),
        other => other.to_string(),
    };
    with_flags(&text)
}

/// A library note as the terminal shows it: "option `name`" is the flag `--name`.
pub fn note(text: &str) {
    say_line(&format!("note: {}", with_flags(text)));
}

/// Writes a line to stderr, [`terminal_safe`]. A closed stderr (`2>&1 | head`) is not
/// an error and not a panic: the line is dropped.
pub fn say_line(text: &str) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{}", terminal_safe(text));
}

/// Text as it may reach a terminal: control characters (an escape sequence's ESC, a
/// carriage return that overwrites the line, a bell) and the bidirectional overrides
/// that reorder what is shown are written out as `\u{1b}`; line feeds and tabs stay.
/// Names, labels and messages come from files others made: none may drive the
/// terminal.
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
    };
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if unsafe_char(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `text` with every "option `name`" written as the flag `--name`.
fn with_flags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("option `") {
        let name_start = at + "option `".len();
        let Some(len) = rest[name_start..].find('`') else { break };
        let name = &rest[name_start..name_start + len];
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
            out.push_str(&rest[..name_start]);
            rest = &rest[name_start..];
            continue;
        }
        out.push_str(&rest[..at]);
        out.push_str(&flag(name));
        rest = &rest[name_start + len + 1..];
    }
    out.push_str(rest);
    out
}

/// A closed stdout (`riskscore explain ... | head`) is not an error.
pub fn is_broken_pipe(e: &Error) -> bool {
    matches!(e, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
}

/// Writes text to stdout, reporting a closed pipe as an `Io` error.
pub fn print(text: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(terminal_safe(text).as_bytes())
        .and_then(|_| out.flush())
        .map_err(|e| Error::io("<stdout>", "cannot write", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cannot_drive_the_terminal() {
        assert_eq!(terminal_safe("KAZ\tUZB\n"), "KAZ\tUZB\n");
        assert_eq!(
            terminal_safe("\u{1b}[2J\u{1b}]0;pwned\u{7}"),
            "\\u{1b}[2J\\u{1b}]0;pwned\\u{7}"
        );
        assert_eq!(terminal_safe("a\rb\u{9b}c"), "a\\u{d}b\\u{9b}c");
        assert_eq!(terminal_safe("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(terminal_safe("Kunduz, Хатлон"), "Kunduz, Хатлон");
    }

    #[test]
    fn library_options_are_shown_as_flags() {
        assert_eq!(flag("samples_from"), "--samples-from");
        assert_eq!(flag("data"), "-d/--data");
        let e = Error::argument("period", "no unit is scored in period 2016");
        assert_eq!(describe(&e), "--period: no unit is scored in period 2016");
        let e = Error::Data {
            file: "d.csv".into(),
            kind: ErrorKind::BadTable,
            message: "found `2,5` (for decimal commas use option `decimal_comma`); or option `Bad` stays".into(),
        };
        assert_eq!(
            describe(&e),
            "d.csv: found `2,5` (for decimal commas use --decimal-comma); or option `Bad` stays"
        );
    }
}

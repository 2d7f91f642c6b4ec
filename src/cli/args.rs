//! The command-line arguments the subcommands share (framework and data, output
//! folder, CSV style) and the parsers of the option values they share.

use super::runs::commit_set;
use super::terminal::note;
use crate::data::{self, LoadOptions, Panel, Source};
use crate::error::ErrorKind;
use crate::framework::{Framework, Layout};
use crate::output::set::OutputSet;
use crate::{Error, Result};
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};

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

//! Loading data into a [`Panel`]: CSV, Parquet or a workbook (xlsx, xls, ods), wide,
//! long or as the World Bank distributes it, one or more files.
//!
//! polars reads the files (CSV with every column as text, so that each cell is
//! parsed here and a bad one is reported with its file, row and column; Parquet with
//! its own types). Several files are joined on unit + period (an outer join: a
//! unit-period in any file is in the panel). Only the columns the framework needs
//! are parsed as numbers; other columns are ignored.
//!
//! Missing values: an empty cell, and by default `NA`, `N/A`, `n/a`, `na`, `n.a.`,
//! `NaN`, `nan`, `null`, `NULL`, `None`, `..` (the World Bank's marker), `.`, `-` and
//! `#N/A` (Excel's); `[data] missing` replaces the set. `[data] thousands` reads
//! numbers grouped in thousands (`1,234`, `15 500`). Rows are counted as a
//! spreadsheet shows them: the header is row 1, the first data row is row 2.
//!
//! # World Bank files (`layout = "wdi"`)
//! WDI bulk and API downloads (`Country Name, Country Code, Indicator Name, Indicator
//! Code, 1960, ..., 2023`) and DataBank exports (`Series Name, Series Code, 2018
//! [YR2018], ...`): one row per country and indicator, a column per year. The unit is
//! `Country Code`, the indicator its code (`NY.GDP.MKTP.KD.ZG`: a framework
//! indicator's `column`), the period the year. The World Bank's regional and income
//! aggregates (`WLD`, `ECS`, `LMC`, ...) are left out. When other files are loaded
//! too, a World Bank file adds its values to their units and periods only (it holds
//! every country and every year since 1960); on its own, its countries and years
//! with values are the panel.

mod cells;
pub mod neighbours;
mod panel;
pub(crate) mod read;
mod rows;
mod source;
mod world_bank;

use crate::error::{list_ids, suggest, Error, Result};
use crate::framework::{Framework, Layout};
use rows::*;

pub use crate::input::numbers::{thousands_separator, NumberFormat, THOUSANDS_EXPECTED};
pub use panel::Panel;
pub use read::Table;
pub(crate) use source::reading;
pub use source::{LoadOptions, Source, SourceInfo};

/// What [`load`] reads of a framework, as a key: frameworks with equal keys load the
/// same panel from the same files and options. It holds the `[data]` table, the unit
/// and period columns, and the columns the indicators, denominators, derived columns
/// and group imputation need (each with what needs it, as messages name it); `load`
/// reads nothing else of the framework (keep the two in step).
pub(crate) fn request_key(framework: &Framework) -> String {
    format!(
        "{:?}",
        (
            &framework.data,
            &framework.index.unit_column,
            &framework.index.period_column,
            framework.required_columns(),
            framework.label_columns(),
        )
    )
}

/// Loads every source and joins them into one panel of the framework's units and
/// periods, with the columns it needs; every problem of the files at once.
///
/// ```
/// use riskscore::{load, Framework, LoadOptions, Source};
///
/// let fw = Framework::from_path("indicators/central_asia.toml".as_ref())?;
/// let csv = "iso3,country,year,incidents\nTJK,Tajikistan,2022,3\n";
/// let source = Source::Bytes { name: "mine.csv".into(), bytes: csv.as_bytes().to_vec() };
/// let err = load(&fw, &[source], &LoadOptions::default()).unwrap_err();
/// assert!(err.to_string().contains("missing column `claimed_unverified_attacks`"));
/// # Ok::<(), riskscore::Error>(())
/// ```
pub fn load(framework: &Framework, given: &[Source], options: &LoadOptions) -> Result<Panel> {
    if given.is_empty() {
        return Err(Error::argument("data", "no data file given: pass one or more"));
    }
    // The framework's own `[data] sources` come after the files given, each with the
    // layout and sheet it names.
    let given_count = given.len();
    let sources: Vec<(Source, Option<Layout>, Option<&str>)> = given
        .iter()
        .map(|s| (s.clone(), options.layout, options.sheet.as_deref()))
        .chain(
            framework
                .data
                .sources
                .iter()
                .map(|s| (Source::File(s.path.clone()), s.layout, s.sheet.as_deref())),
        )
        .collect();
    let mut needed = framework.required_columns();
    for (column, by) in &options.extra_columns {
        if !needed.iter().any(|(c, _)| c == column) {
            needed.push((column.clone(), by.clone()));
        }
    }
    let label_columns = framework.label_columns();
    let numbers = number_format(framework, options);
    let reading = Reading {
        framework,
        options,
        needed: &needed,
        numbers: &numbers,
    };
    let mut infos = Vec::new();
    let mut tables = Vec::new();
    for (i, (source, layout, sheet)) in sources.iter().enumerate() {
        // Files given may be pipes; the framework's own sources are files.
        let (table, layout, info) = reading.source(source, *layout, *sheet, i < given_count)?;
        infos.push(info);
        tables.push((table, layout));
    }
    Error::from_problems(missing_columns(&tables, needed.iter().chain(&label_columns)))?;
    let mut files = Vec::new();
    for ((mut table, layout), info) in tables.into_iter().zip(infos.iter_mut()) {
        files.push(match layout {
            Layout::Wide => wide_rows(framework, &mut table, &needed, &label_columns, &numbers)?,
            Layout::Long => long_rows(framework, &table, &needed, &numbers)?,
            Layout::Wdi => world_bank::rows(&table, &needed, &numbers, &mut info.notes)?,
        });
    }
    let mut panel = join(files, &mut infos)?;
    panel.sources = infos;
    attach_neighbours(framework, &mut panel)?;
    check_joined(&panel, &needed, &label_columns)?;
    Ok(panel)
}

/// How the framework and the options say numbers are written.
fn number_format(framework: &Framework, options: &LoadOptions) -> NumberFormat {
    NumberFormat {
        decimal_comma: options.decimal_comma,
        thousands: options.thousands.or(framework.data.thousands),
        missing: framework
            .data
            .missing
            .clone()
            .unwrap_or_else(|| crate::input::numbers::MISSING.iter().map(|m| m.to_string()).collect()),
    }
}

/// What reading each source needs.
struct Reading<'a> {
    framework: &'a Framework,
    options: &'a LoadOptions,
    needed: &'a [(String, String)],
    numbers: &'a NumberFormat,
}

impl Reading<'_> {
    /// Reads one source (hashed while it is parsed) as a table, with its layout (named
    /// or detected) and what the manifest says of it; `pipes`: it may be a pipe.
    fn source(
        &self,
        source: &Source,
        layout: Option<Layout>,
        sheet: Option<&str>,
        pipes: bool,
    ) -> Result<(Table, Layout, SourceInfo)> {
        let (framework, options) = (self.framework, self.options);
        let (bytes, name) = match source {
            Source::File(path) => {
                let how = crate::input::file::Reading {
                    pipes,
                    ..reading(options)?
                };
                (crate::input::file::read(path, "data file", how)?, source.name())
            }
            Source::Bytes { name, bytes } => (bytes.clone(), name.clone()),
        };
        // Read as numbers while the file is parsed: the needed columns and the long
        // layout's values.
        let numeric: Vec<&str> = self
            .needed
            .iter()
            .map(|(c, _)| c.as_str())
            .chain(std::iter::once(framework.data.value_column.as_str()))
            .collect();
        // The file is hashed while it is read.
        let (sha256, table) = std::thread::scope(|scope| {
            let hash = scope.spawn(|| crate::hash::sha256_hex(&bytes));
            let table = read::read_table(&name, &bytes, options, sheet, &numeric, self.numbers);
            (hash.join().unwrap_or_default(), table)
        });
        drop(bytes);
        let table = table?;
        let named = layout.or(framework.data.layout);
        let layout = named.unwrap_or_else(|| detect_layout(framework, &table, self.needed));
        let mut notes = table.notes.clone();
        if named.is_none() && layout == Layout::Wdi {
            notes.push(format!(
                "{name}: a World Bank download (layout detected; option `layout` names it)"
            ));
        }
        let info = SourceInfo {
            file: name,
            sha256,
            rows: table.rows(),
            layout,
            format: table.format,
            encoding: table.encoding.clone(),
            sheet: table.sheet.clone(),
            notes,
        };
        Ok((table, layout, info))
    }
}

/// Every needed column that no file has (a long or World Bank file may hold any), each
/// with the columns the first file has.
fn missing_columns<'a>(tables: &[(Table, Layout)], needed: impl Iterator<Item = &'a (String, String)>) -> Vec<Error> {
    let mut missing = Vec::new();
    for (column, by) in needed {
        let found = tables.iter().any(|(t, layout)| match layout {
            Layout::Wide => t.has_column(column),
            Layout::Long | Layout::Wdi => true,
        });
        if found {
            continue;
        }
        let (t, _) = &tables[0];
        missing.push(Error::MissingColumn {
            file: tables
                .iter()
                .map(|(t, _)| t.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            column: column.clone(),
            needed_by: by.clone(),
            hint: match (&t.sheet, t.sheets.len()) {
                (Some(sheet), n) if n > 1 => format!(
                    " (sheet `{sheet}` has {}; the workbook's sheets are {}: choose one with option `sheet`)",
                    list_ids(t.column_names()),
                    list_ids(t.sheets.iter().map(String::as_str))
                ),
                _ => format!(
                    " (the file has {}){}",
                    list_ids(t.column_names()),
                    suggest(column, t.column_names())
                ),
            },
        });
    }
    missing
}

/// The neighbours `[data] neighbours` names, on the panel's units.
fn attach_neighbours(framework: &Framework, panel: &mut Panel) -> Result<()> {
    match &framework.data.neighbours {
        Some(crate::framework::Neighbours::File(path)) => {
            let (graph, info) = neighbours::read(path, &panel.units)?;
            panel.neighbours = graph;
            panel.sources.push(info);
        }
        Some(crate::framework::Neighbours::GridQueen { rings }) => {
            panel.neighbours = neighbours::grid_queen(&panel.units, *rings, &panel.source_names())?;
        }
        Some(crate::framework::Neighbours::Coordinates { file, reach, weights }) => {
            let (graph, info) = neighbours::from_coordinates(file, &panel.units, *reach, *weights)?;
            panel.neighbours = graph;
            panel.sources.push(info);
        }
        None => {}
    }
    Ok(())
}

/// Refuses a joined panel without a label column or a needed indicator (long files may
/// not hold every needed indicator).
fn check_joined(panel: &Panel, needed: &[(String, String)], label_columns: &[(String, String)]) -> Result<()> {
    for (column, by) in label_columns {
        if !panel.labels.contains_key(column) {
            return Err(Error::MissingColumn {
                file: panel.source_names(),
                column: column.clone(),
                needed_by: by.clone(),
                hint: " (a text column of a wide-layout file, one group name per row)".into(),
            });
        }
    }
    for (column, by) in needed {
        if !panel.columns.contains_key(column) {
            return Err(Error::MissingColumn {
                file: panel
                    .sources
                    .iter()
                    .map(|s| s.file.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                column: column.clone(),
                needed_by: by.clone(),
                hint: " (no row of the long-format or World Bank data names this indicator)".into(),
            });
        }
    }
    Ok(())
}

/// World Bank if the file has its columns; long if it has the indicator and value
/// columns but not the needed columns; else wide.
fn detect_layout(framework: &Framework, table: &Table, needed: &[(String, String)]) -> Layout {
    if world_bank::is_world_bank(table) && !table.has_column(&framework.index.unit_column) {
        return Layout::Wdi;
    }
    let has_long = table.has_column(&framework.data.indicator_column) && table.has_column(&framework.data.value_column);
    let has_any_needed = needed.iter().any(|(c, _)| table.has_column(c));
    if has_long && !has_any_needed {
        Layout::Long
    } else {
        Layout::Wide
    }
}

#[cfg(test)]
mod tests;

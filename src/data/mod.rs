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
pub(crate) mod read;
mod world_bank;

use crate::error::{list_ids, suggest, visible, Error, Result};
use crate::framework::{Framework, Layout};
use crate::period::Period;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Hash maps keyed by units and periods, with foldhash (the standard SipHash was 9 % of
/// scoring a 65,000-cell panel; these keys come from the user's own files, read once).
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
type HashSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;
use std::path::PathBuf;

pub use crate::input::numbers::{thousands_separator, NumberFormat, THOUSANDS_EXPECTED};
pub use crate::input::scan::sniff_delimiter;
pub use read::Table;

/// Where to read one data file from.
#[derive(Debug, Clone)]
pub enum Source {
    File(PathBuf),
    /// Bytes already read (stdin), with the name to show in messages.
    Bytes {
        name: String,
        bytes: Vec<u8>,
    },
}

impl Source {
    /// `-` means standard input, read by the caller; anything else is a path.
    pub fn name(&self) -> String {
        match self {
            Source::File(p) => p.display().to_string(),
            Source::Bytes { name, .. } => name.clone(),
        }
    }
}

/// How the input layer reads the data files: text named UTF-16 may hold NUL bytes.
pub fn reading(options: &LoadOptions) -> Result<crate::input::file::Reading> {
    let named = options
        .encoding
        .as_deref()
        .map(crate::input::named_encoding)
        .transpose()?;
    Ok(crate::input::file::Reading {
        utf16: named.is_some_and(|e| e == encoding_rs::UTF_16LE || e == encoding_rs::UTF_16BE),
        pipes: false,
    })
}

/// How to read the files.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Overrides the framework's `data.layout` and auto-detection.
    pub layout: Option<Layout>,
    /// CSV field delimiter; detected from the header line when `None`.
    pub delimiter: Option<u8>,
    /// Read `3,5` as 3.5 in numeric cells.
    pub decimal_comma: bool,
    /// The thousands separator of numeric cells (overrides `[data] thousands`).
    pub thousands: Option<char>,
    /// The text encoding of CSV files (a WHATWG label); detected when `None`.
    pub encoding: Option<String>,
    /// The sheet of a workbook to read; the first when `None`.
    pub sheet: Option<String>,
    /// Columns to read besides the framework's (column, what needs it), e.g. a backtest outcome.
    pub extra_columns: Vec<(String, String)>,
}

/// What was read from one file, for the manifest.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SourceInfo {
    pub file: String,
    pub sha256: String,
    pub rows: usize,
    pub layout: Layout,
    pub format: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// How the file was read, where the user should know (a fallback encoding, a
    /// sheet chosen among several, rows left out).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Unit x period grid of numeric columns; cell `p * units.len() + u`.
#[derive(Debug, Clone)]
pub struct Panel {
    pub units: Vec<String>,
    /// Sorted, all of one kind.
    pub periods: Vec<Period>,
    /// Whether the data has a row for the cell.
    pub present: Vec<bool>,
    pub columns: BTreeMap<String, Vec<f64>>,
    /// Text columns per cell (the unit groups of group imputation); `None` = blank.
    pub labels: BTreeMap<String, Vec<Option<String>>>,
    pub sources: Vec<SourceInfo>,
    /// Per unit: (neighbour unit, weight), from `[data] neighbours` (else empty).
    pub neighbours: Vec<Vec<(usize, f64)>>,
}

impl Panel {
    pub fn n_units(&self) -> usize {
        self.units.len()
    }

    pub fn cell(&self, period: usize, unit: usize) -> usize {
        period * self.units.len() + unit
    }

    /// The period's ordinals, for time arithmetic.
    pub fn ordinals(&self) -> Vec<i64> {
        self.periods.iter().map(|p| p.ordinal).collect()
    }

    pub fn unit_index(&self, unit: &str) -> Option<usize> {
        self.units.iter().position(|u| u == unit)
    }

    /// The files the panel was read from, for messages: `a.csv, b.csv`.
    pub fn source_names(&self) -> String {
        self.sources
            .iter()
            .map(|s| s.file.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn period_index(&self, period: &Period) -> Option<usize> {
        self.periods.iter().position(|p| p == period)
    }
}

/// The rows of one file, keyed by unit and period, with its numeric columns.
struct FileRows {
    name: String,
    /// Adds values to the other files' unit-periods only (a World Bank file).
    supplementary: bool,
    keys: Keys,
    columns: Vec<(String, Vec<f64>)>,
    labels: Vec<(String, Vec<Option<String>>)>,
}

/// A file's rows as unit-period keys: the units, each once in order of first appearance,
/// and each row's unit (a number into them) and period. A unit's name is kept once, not
/// once per row (a grid-month table repeats 64,818 names twelve times).
#[derive(Debug, Default)]
struct Keys {
    units: Vec<String>,
    rows: Vec<(usize, Period)>,
}

impl Keys {
    /// Keys of rows given as pairs.
    fn from_pairs(pairs: Vec<(String, Period)>) -> Keys {
        let mut keys = Keys::default();
        let mut index: HashMap<String, usize> = HashMap::default();
        for (unit, period) in pairs {
            let u = match index.get(&unit) {
                Some(&u) => u,
                None => {
                    keys.units.push(unit.clone());
                    index.insert(unit, keys.units.len() - 1);
                    keys.units.len() - 1
                }
            };
            keys.rows.push((u, period));
        }
        keys
    }

    fn len(&self) -> usize {
        self.rows.len()
    }

    fn iter(&self) -> impl Iterator<Item = (&str, Period)> + '_ {
        self.rows.iter().map(|&(u, p)| (self.units[u].as_str(), p))
    }
}

/// Loads every source and joins them into one panel.
/// What [`load`] reads of a framework, as a key: frameworks with equal keys load the
/// same panel from the same files and options. It holds the `[data]` table, the unit
/// and period columns, and the columns the indicators, denominators, derived columns
/// and group imputation need (each with what needs it, as messages name it); `load`
/// reads nothing else of the framework (keep the two in step).
pub fn request_key(framework: &Framework) -> String {
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
    let numbers = NumberFormat {
        decimal_comma: options.decimal_comma,
        thousands: options.thousands.or(framework.data.thousands),
        missing: framework
            .data
            .missing
            .clone()
            .unwrap_or_else(|| crate::input::numbers::MISSING.iter().map(|m| m.to_string()).collect()),
    };
    // Read as numbers while the file is parsed: the needed columns and the long layout's values.
    let numeric: Vec<&str> = needed
        .iter()
        .map(|(c, _)| c.as_str())
        .chain(std::iter::once(framework.data.value_column.as_str()))
        .collect();
    let mut files = Vec::new();
    let mut infos = Vec::new();
    let mut tables = Vec::new();
    for (i, (source, layout, sheet)) in sources.iter().enumerate() {
        let (bytes, name) = match source {
            Source::File(path) => {
                // Files given may be pipes; the framework's own sources are files.
                let given = i < given_count;
                let how = crate::input::file::Reading {
                    pipes: given,
                    ..reading(options)?
                };
                (crate::input::file::read(path, "data file", how)?, source.name())
            }
            Source::Bytes { name, bytes } => (bytes.clone(), name.clone()),
        };
        // The file is hashed while it is read.
        let (sha256, table) = std::thread::scope(|scope| {
            let hash = scope.spawn(|| hex(&Sha256::digest(&bytes)));
            let table = read::read_table(&name, &bytes, options, *sheet, &numeric, &numbers);
            (hash.join().unwrap_or_default(), table)
        });
        drop(bytes);
        let table = table?;
        let named = layout.or(framework.data.layout);
        let layout = named.unwrap_or_else(|| detect_layout(framework, &table, &needed));
        let mut notes = table.notes.clone();
        if named.is_none() && layout == Layout::Wdi {
            notes.push(format!(
                "{name}: a World Bank download (layout detected; option `layout` names it)"
            ));
        }
        infos.push(SourceInfo {
            file: name.clone(),
            sha256,
            rows: table.rows(),
            layout,
            format: table.format,
            encoding: table.encoding.clone(),
            sheet: table.sheet.clone(),
            notes,
        });
        tables.push((table, layout));
    }
    // A needed column must be in at least one file.
    let mut missing = Vec::new();
    for (column, by) in needed.iter().chain(&label_columns) {
        let found = tables.iter().any(|(t, layout)| match layout {
            Layout::Wide => t.has_column(column),
            Layout::Long | Layout::Wdi => true,
        });
        if !found {
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
    }
    Error::from_problems(missing)?;
    for ((mut table, layout), info) in tables.into_iter().zip(infos.iter_mut()) {
        files.push(match layout {
            Layout::Wide => wide_rows(framework, &mut table, &needed, &label_columns, &numbers)?,
            Layout::Long => long_rows(framework, &table, &needed, &numbers)?,
            Layout::Wdi => world_bank::rows(&table, &needed, &numbers, &mut info.notes)?,
        });
    }
    let mut panel = join(files, &mut infos)?;
    panel.sources = infos;
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
    for (column, by) in &label_columns {
        if !panel.labels.contains_key(column) {
            return Err(Error::MissingColumn {
                file: panel.source_names(),
                column: column.clone(),
                needed_by: by.clone(),
                hint: " (a text column of a wide-layout file, one group name per row)".into(),
            });
        }
    }
    // Long files may not hold every needed indicator.
    for (column, by) in &needed {
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
    Ok(panel)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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

/// The unit and period of every row; every empty unit and unreadable period is
/// reported, in row order. Each distinct unit name is looked up once per row and kept
/// once; each distinct period text is parsed once.
fn keys(framework: &Framework, table: &Table) -> Result<Keys> {
    let unit_column = &framework.index.unit_column;
    let period_column = &framework.index.period_column;
    let cell = |row: usize, column: &str, message: String| Error::Cell {
        file: table.name.clone(),
        row,
        column: column.to_string(),
        message,
    };
    table.with_text_cells(unit_column, "index.unit", |units| {
        table.with_text_cells(period_column, "index.period", |periods| {
            let mut keys = Keys {
                units: Vec::new(),
                rows: Vec::with_capacity(table.rows()),
            };
            let mut unit_number: HashMap<&str, usize> = HashMap::default();
            let mut parsed: HashMap<&str, Option<Period>> = HashMap::default();
            let mut last: Option<(&str, Option<Period>)> = None;
            let mut problems = Vec::new();
            let mut kind = None;
            for (i, (u, p)) in (&mut *units).zip(&mut *periods).enumerate() {
                let row = table.row_number(i);
                let unit = u.map(str::trim).filter(|s| !s.is_empty());
                if unit.is_none() {
                    problems.push(cell(row, unit_column, "empty unit: every row needs a unit code".into()));
                }
                let text = p.unwrap_or_default();
                let period = match last {
                    Some((t, period)) if t == text => period,
                    _ => *parsed.entry(text).or_insert_with(|| Period::parse(text)),
                };
                last = Some((text, period));
                match period {
                    None => problems.push(cell(row, period_column, Period::expected(&visible(text)))),
                    Some(period) => match kind {
                        None => kind = Some((period.kind, row)),
                        Some((k, first)) if k != period.kind => problems.push(cell(
                            row,
                            period_column,
                            format!(
                                "period `{text}` is a {} but row {first} holds a {}: use one kind of period per data set",
                                period.kind.name(),
                                k.name()
                            ),
                        )),
                        _ => {}
                    },
                }
                if let (Some(unit), Some(period)) = (unit, period) {
                    let u = *unit_number.entry(unit).or_insert_with(|| {
                        keys.units.push(unit.to_string());
                        keys.units.len() - 1
                    });
                    keys.rows.push((u, period));
                }
            }
            Error::in_row_order(problems, crate::error::MAX_LISTED)?;
            Ok(keys)
        })
    })
}

/// Refuses a unit-period on two rows, naming every repeat and its first row. Each row
/// is placed by its unit number and period (one kind in a file, see [`keys`]) on a table
/// of first rows when the panel is not much sparser than the file, else in a hash map.
fn check_duplicates(table: &Table, keys: &Keys) -> Result<()> {
    let mut periods: Vec<Period> = keys.rows.iter().map(|&(_, p)| p).collect();
    periods.sort_unstable();
    periods.dedup();
    let n_units = keys.units.len();
    let cells = n_units.saturating_mul(periods.len());
    // Row index + 1 of the first row of each cell; 0 for none yet.
    let mut dense: Vec<usize> = if cells <= 4 * keys.len() + 1024 {
        vec![0; cells]
    } else {
        Vec::new()
    };
    let mut sparse: HashMap<usize, usize> = HashMap::default();
    let mut problems = Vec::new();
    let mut last: Option<(Period, usize)> = None;
    for (i, &(u, p)) in keys.rows.iter().enumerate() {
        let k = match last {
            Some((q, k)) if q == p => k,
            _ => periods.partition_point(|q| *q < p),
        };
        last = Some((p, k));
        let slot = k * n_units + u;
        let first = match dense.get_mut(slot) {
            Some(first) if *first == 0 => {
                *first = i + 1;
                None
            }
            Some(first) => Some(*first - 1),
            None => match sparse.entry(slot) {
                std::collections::hash_map::Entry::Occupied(first) => Some(*first.get()),
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(i);
                    None
                }
            },
        };
        if let Some(first) = first {
            problems.push(Error::DuplicateRow {
                file: table.name.clone(),
                row: table.row_number(i),
                unit: keys.units[u].clone(),
                period: p.to_string(),
                first: format!("row {}", table.row_number(first)),
            });
        }
    }
    Error::in_row_order(problems, crate::error::MAX_LISTED)
}

fn wide_rows(
    framework: &Framework,
    table: &mut Table,
    needed: &[(String, String)],
    label_columns: &[(String, String)],
    numbers: &NumberFormat,
) -> Result<FileRows> {
    let keys = keys(framework, table)?;
    check_duplicates(table, &keys)?;
    let mut labels = Vec::new();
    for (column, by) in label_columns.iter().filter(|(c, _)| table.has_column(c)) {
        let text = table.text_column(column, by)?;
        let cleaned = text
            .into_iter()
            .map(|t| t.map(|t| t.trim().to_string()).filter(|t| !t.is_empty()))
            .collect();
        labels.push((column.clone(), cleaned));
    }
    // Every bad cell is reported, in row order.
    let mut columns = Vec::new();
    let mut problems = Vec::new();
    for (column, _) in needed {
        if !table.has_column(column) {
            continue;
        }
        match table.take_numeric_column(column, numbers) {
            Ok(values) => columns.push((column.clone(), values)),
            Err(e) => problems.extend(e.into_problems()),
        }
    }
    Error::in_row_order(problems, crate::error::MAX_LISTED)?;
    Ok(FileRows {
        name: table.name.clone(),
        supplementary: false,
        keys,
        columns,
        labels,
    })
}

fn long_rows(
    framework: &Framework,
    table: &Table,
    needed: &[(String, String)],
    numbers: &NumberFormat,
) -> Result<FileRows> {
    let keys = keys(framework, table)?;
    let spec = &framework.data;
    let names = table.text_column(&spec.indicator_column, "data.indicator_column")?;
    let values = table.numeric_column(&spec.value_column, numbers)?;
    let wanted: HashMap<&str, usize> = needed.iter().enumerate().map(|(i, (c, _))| (c.as_str(), i)).collect();
    let mut row_of: HashMap<(String, Period), usize> = HashMap::default();
    let mut out_keys = Vec::new();
    let mut cells: Vec<Vec<f64>> = vec![Vec::new(); needed.len()];
    let mut first_row: HashMap<(usize, usize), usize> = HashMap::default();
    for (i, (unit, period)) in keys.iter().enumerate() {
        let Some(name) = names[i].as_deref().map(str::trim) else {
            continue;
        };
        let Some(&col) = wanted.get(name) else { continue };
        let key = (unit.to_string(), period);
        let r = *row_of.entry(key.clone()).or_insert_with(|| {
            out_keys.push(key.clone());
            for c in cells.iter_mut() {
                c.push(f64::NAN);
            }
            out_keys.len() - 1
        });
        if let Some(first) = first_row.insert((r, col), table.row_number(i)) {
            return Err(Error::DuplicateRow {
                file: table.name.clone(),
                row: table.row_number(i),
                unit: key.0,
                period: format!("{}` and indicator `{name}", key.1),
                first: format!("row {first}"),
            });
        }
        cells[col][r] = values[i];
    }
    let columns = needed
        .iter()
        .zip(cells)
        .filter(|(_, c)| c.iter().any(|v| !v.is_nan()) || !c.is_empty())
        .filter(|((name, _), _)| {
            // Keep only indicators named at least once in the file.
            first_row.keys().any(|&(_, col)| needed[col].0 == *name)
        })
        .map(|((name, _), c)| (name.clone(), c))
        .collect();
    Ok(FileRows {
        name: table.name.clone(),
        supplementary: false,
        keys: Keys::from_pairs(out_keys),
        columns,
        labels: Vec::new(),
    })
}

/// A file's rows placed on the panel's cells (`fill` where the file has no row).
fn spread<T: Clone>(values: Vec<T>, cell_of: &[usize], cells: usize, fill: T) -> Vec<T> {
    let mut full = vec![fill; cells];
    for (r, v) in values.into_iter().enumerate() {
        full[cell_of[r]] = v;
    }
    full
}

/// Supplementary files (World Bank downloads) keep only the unit-periods of the other
/// files, when there are others; a note says how many values were kept. A code the
/// other files spell in another case (`uzb` for the World Bank's `UZB`) is matched to
/// their spelling, and a note says so: never dropped unsaid.
fn restrict_supplementary(files: &mut [FileRows], infos: &mut [SourceInfo]) {
    // Nothing to restrict: no supplementary file, or no other file to restrict it to.
    if files.iter().all(|f| f.supplementary) || !files.iter().any(|f| f.supplementary) {
        return;
    }
    let main: HashSet<(String, Period)> = files
        .iter()
        .filter(|f| !f.supplementary)
        .flat_map(|f| f.keys.iter().map(|(u, p)| (u.to_string(), p)))
        .collect();
    let main_units: HashSet<&str> = main.iter().map(|(u, _)| u.as_str()).collect();
    // Upper-cased code -> the other files' spellings of it.
    let mut folded: HashMap<String, Vec<String>> = HashMap::default();
    for u in &main_units {
        let spellings = folded.entry(u.to_uppercase()).or_default();
        if !spellings.iter().any(|s| s == u) {
            spellings.push(u.to_string());
        }
    }
    let main_units: HashSet<String> = main_units.into_iter().map(str::to_string).collect();
    for (f, info) in files.iter_mut().zip(infos.iter_mut()) {
        if !f.supplementary {
            continue;
        }
        let mut renamed: std::collections::BTreeSet<(String, String)> = std::collections::BTreeSet::new();
        for u in f.keys.units.iter_mut() {
            if main_units.contains(u.as_str()) {
                continue;
            }
            if let Some([other]) = folded.get(&u.to_uppercase()).map(Vec::as_slice) {
                renamed.insert((u.clone(), other.clone()));
                *u = other.clone();
            }
        }
        if !renamed.is_empty() {
            let pairs: Vec<String> = renamed.iter().map(|(a, b)| format!("{a} as {b}")).collect();
            info.notes.push(format!(
                "{}: codes matched to the other files' spelling, which differs in case: {}",
                f.name,
                pairs.join(", ")
            ));
        }
        let keep: Vec<bool> = f.keys.iter().map(|(u, p)| main.contains(&(u.to_string(), p))).collect();
        let kept = keep.iter().filter(|&&k| k).count();
        if kept == f.keys.len() {
            continue;
        }
        let units: HashSet<&str> = f
            .keys
            .iter()
            .zip(&keep)
            .filter(|(_, &k)| k)
            .map(|((u, _), _)| u)
            .collect();
        info.notes.push(format!(
            "{}: kept {kept} of {} country-years with values, those of {} units the other files hold",
            f.name,
            f.keys.len(),
            units.len()
        ));
        let filter = |values: &mut Vec<f64>| {
            let mut i = 0;
            values.retain(|_| {
                i += 1;
                keep[i - 1]
            });
        };
        for (_, values) in f.columns.iter_mut() {
            filter(values);
        }
        let mut i = 0;
        f.keys.rows.retain(|_| {
            i += 1;
            keep[i - 1]
        });
    }
}

/// Outer join on unit + period.
fn join(mut files: Vec<FileRows>, infos: &mut [SourceInfo]) -> Result<Panel> {
    restrict_supplementary(&mut files, infos);
    let mut units: Vec<String> = Vec::new();
    let mut unit_index: HashMap<&str, usize> = HashMap::default();
    let mut periods: Vec<Period> = Vec::new();
    // Each file's rows as unit numbers (in order of first appearance).
    let mut unit_of: Vec<Vec<usize>> = Vec::with_capacity(files.len());
    for f in &files {
        // The file's unit numbers as the panel's, each looked up once.
        let mut panel_unit: Vec<Option<usize>> = vec![None; f.keys.units.len()];
        let numbers = f
            .keys
            .rows
            .iter()
            .map(|&(u, p)| {
                if periods.last() != Some(&p) {
                    periods.push(p);
                }
                *panel_unit[u].get_or_insert_with(|| {
                    let name = f.keys.units[u].as_str();
                    *unit_index.entry(name).or_insert_with(|| {
                        units.push(name.to_string());
                        units.len() - 1
                    })
                })
            })
            .collect();
        unit_of.push(numbers);
    }
    drop(unit_index);
    if units.is_empty() {
        return Err(Error::Data {
            file: files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", "),
            message: "no data rows: the file has a header but nothing under it".into(),
        });
    }
    periods.sort();
    periods.dedup();
    if let Some(w) = periods.windows(2).find(|w| w[0].kind != w[1].kind) {
        return Err(Error::Data {
            file: files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", "),
            message: format!(
                "the files mix periods of different kinds (`{}` and `{}`): use one kind of period",
                w[0], w[1]
            ),
        });
    }
    let n_units = units.len();
    let cells = n_units * periods.len();
    let mut present = vec![false; cells];
    let mut columns: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut labels: BTreeMap<String, Vec<Option<String>>> = BTreeMap::new();
    let mut owner: HashMap<String, String> = HashMap::default();
    for (f, unit_of) in files.into_iter().zip(unit_of) {
        let mut last: Option<(Period, usize)> = None;
        let cell_of: Vec<usize> = f
            .keys
            .rows
            .iter()
            .zip(unit_of)
            .map(|(&(_, p), u)| {
                let k = match last {
                    Some((q, k)) if q == p => k,
                    _ => periods.partition_point(|q| *q < p),
                };
                last = Some((p, k));
                k * n_units + u
            })
            .collect();
        for &c in &cell_of {
            present[c] = true;
        }
        let mut claim = |name: &str| -> Result<()> {
            if let Some(first) = owner.get(name) {
                return Err(Error::Data {
                    file: f.name.clone(),
                    message: format!("column `{name}` is also in {first}: each column may come from one file only"),
                });
            }
            owner.insert(name.to_string(), f.name.clone());
            Ok(())
        };
        for (name, _) in &f.columns {
            claim(name)?;
        }
        // The columns are laid out in parallel (a grid-month table has millions of cells).
        use rayon::prelude::*;
        let spread_out: Vec<(String, Vec<f64>)> = f
            .columns
            .into_par_iter()
            .map(|(name, values)| (name, spread(values, &cell_of, cells, f64::NAN)))
            .collect();
        columns.extend(spread_out);
        for (name, values) in f.labels {
            claim(&name)?;
            labels.insert(name, spread(values, &cell_of, cells, None));
        }
    }
    Ok(Panel {
        units,
        periods,
        present,
        columns,
        labels,
        sources: Vec::new(),
        neighbours: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRAMEWORK: &str = "[index]\nid = \"r\"\nunit = \"unit\"\nperiod = \"year\"\n[[indicator]]\nid = \"a\"\ngroup = \"r\"\n[[indicator]]\nid = \"b\"\ngroup = \"r\"\n";

    fn bytes(name: &str, text: &str) -> Source {
        Source::Bytes {
            name: name.into(),
            bytes: text.as_bytes().to_vec(),
        }
    }

    #[test]
    fn variants_that_change_only_the_model_ask_the_data_for_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.toml");
        let text = format!(
            "{}[[group]]\nid = \"g\"\n[[indicator]]\nid = \"c\"\ngroup = \"g\"\n\
             [[variant]]\nname = \"geometric\"\nset = {{ \"index.aggregation\" = \"geometric\" }}\n\
             [[variant]]\nname = \"no_g\"\nexclude = [\"g\"]\n\
             [[variant]]\nname = \"missing\"\nset = {{ \"data.missing\" = [\"..\"] }}\n",
            FRAMEWORK
        );
        std::fs::write(&path, text).unwrap();
        let vs = crate::variants::read_many(&[path]).unwrap();
        let key = |name: &str| request_key(&vs.iter().find(|v| v.name == name).unwrap().framework);
        assert_eq!(key("base"), key("geometric"));
        assert_ne!(key("base"), key("no_g"));
        assert_ne!(key("base"), key("missing"));
    }

    fn load_texts(files: &[(&str, &str)]) -> Result<Panel> {
        let fw = Framework::from_toml(FRAMEWORK, "f.toml").unwrap();
        let sources: Vec<Source> = files.iter().map(|(n, t)| bytes(n, t)).collect();
        load(&fw, &sources, &LoadOptions::default())
    }

    #[test]
    fn files_are_outer_joined_on_unit_and_period() {
        // a from one file, b from another; Y 2021 only in the second file.
        let panel = load_texts(&[
            ("one.csv", "unit,year,a\nX,2020,1\nY,2020,2\nX,2021,3\n"),
            ("two.csv", "unit,year,b\nX,2020,10\nY,2021,20\n"),
        ])
        .unwrap();
        assert_eq!(panel.units, ["X", "Y"]);
        assert_eq!(
            panel.periods.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
            ["2020", "2021"]
        );
        // Cells p * units + u: X2020, Y2020, X2021, Y2021.
        assert_eq!(panel.present, [true, true, true, true]);
        let a = &panel.columns["a"];
        let b = &panel.columns["b"];
        assert_eq!((a[0], a[1], a[2]), (1.0, 2.0, 3.0));
        assert!(a[3].is_nan());
        assert_eq!((b[0], b[3]), (10.0, 20.0));
        assert!(b[1].is_nan() && b[2].is_nan());
        assert_eq!(panel.cell(1, 0), 2);
        assert_eq!(panel.unit_index("Y"), Some(1));
        assert_eq!(panel.period_index(&Period::parse("2021").unwrap()), Some(1));
        assert_eq!(panel.sources.len(), 2);
    }

    #[test]
    fn a_column_comes_from_one_file_only() {
        let err = load_texts(&[
            ("one.csv", "unit,year,a,b\nX,2020,1,2\n"),
            ("two.csv", "unit,year,b\nX,2020,10\n"),
        ])
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "two.csv: column `b` is also in one.csv: each column may come from one file only"
        );
    }

    #[test]
    fn periods_of_one_kind_only() {
        let err = load_texts(&[
            ("one.csv", "unit,year,a\nX,2020,1\n"),
            ("two.csv", "unit,year,b\nX,2020-Q1,10\n"),
        ])
        .unwrap_err();
        assert!(
            err.to_string().contains("the files mix periods of different kinds"),
            "{err}"
        );
    }

    #[test]
    fn numbers_read_while_parsing_match_the_text_path() {
        // Plain numbers: parsed by polars as the file is read.
        let plain = load_texts(&[("a.csv", "unit,year,a,b\nX,2020,1.5,\nY,2020,2e3,-4\n")]).unwrap();
        assert_eq!(plain.columns["a"][..2], [1.5, 2000.0]);
        assert!(plain.columns["b"][0].is_nan());
        // A marker, a padded number, `inf`: the text path reads or refuses each as before.
        let marked = load_texts(&[("a.csv", "unit,year,a,b\nX,2020, 1.5 ,NA\nY,2020,2,n.a.\n")]).unwrap();
        assert_eq!(marked.columns["a"][..2], [1.5, 2.0]);
        assert!(marked.columns["b"][0].is_nan() && marked.columns["b"][1].is_nan());
        let err = load_texts(&[("a.csv", "unit,year,a,b\nX,2020,inf,1\n")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "a.csv: row 2, column `a`: expected a number, found `inf` (if `inf` marks a missing value, add it to `[data] missing`)"
        );
    }

    #[test]
    fn no_source_is_an_option_error() {
        let err = load_texts(&[]).unwrap_err();
        assert!(err.is_argument());
        assert_eq!(err.to_string(), "data: no data file given: pass one or more");
    }
}

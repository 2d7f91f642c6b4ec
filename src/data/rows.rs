//! A file's rows as the panel needs them: their unit-period keys (checked, interned per
//! file, repeats refused), the wide and long layouts' columns, and the outer join of
//! every file on unit and period.

use super::panel::Panel;
use super::read::Table;
use super::source::SourceInfo;
use crate::error::{visible, Error, ErrorKind, Result};
use crate::framework::Framework;
use crate::input::numbers::NumberFormat;
use crate::period::Period;
use std::collections::BTreeMap;

/// Hash maps keyed by units and periods, with foldhash (the standard SipHash was 9 % of
/// scoring a 65,000-cell panel; these keys come from the user's own files, read once).
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
type HashSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;

/// The rows of one file, keyed by unit and period, with its numeric columns.
pub(super) struct FileRows {
    pub(super) name: String,
    /// Adds values to the other files' unit-periods only (a World Bank file).
    pub(super) supplementary: bool,
    pub(super) keys: Keys,
    pub(super) columns: Vec<(String, Vec<f64>)>,
    pub(super) labels: Vec<(String, Vec<Option<String>>)>,
}

/// A file's rows as unit-period keys: the units, each once in order of first appearance,
/// and each row's unit (a number into them) and period. A unit's name is kept once, not
/// once per row (a grid-month table repeats 64,818 names twelve times).
#[derive(Debug, Default)]
pub(super) struct Keys {
    pub(super) units: Vec<String>,
    pub(super) rows: Vec<(usize, Period)>,
}

impl Keys {
    /// Keys of rows given as pairs.
    pub(super) fn from_pairs(pairs: Vec<(String, Period)>) -> Keys {
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

    pub(super) fn len(&self) -> usize {
        self.rows.len()
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = (&str, Period)> + '_ {
        self.rows.iter().map(|&(u, p)| (self.units[u].as_str(), p))
    }
}

/// The unit and period of every row; every empty unit and unreadable period is
/// reported, in row order. Each distinct unit name is looked up once per row and kept
/// once; each distinct period text is parsed once.
pub(super) fn keys(framework: &Framework, table: &Table) -> Result<Keys> {
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
pub(super) fn check_duplicates(table: &Table, keys: &Keys) -> Result<()> {
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
    for (i, (&(u, p), k)) in keys.rows.iter().zip(period_numbers(keys, &periods)).enumerate() {
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

pub(super) fn wide_rows(
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

pub(super) fn long_rows(
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
pub(super) fn spread<T: Clone>(values: Vec<T>, cell_of: &[usize], cells: usize, fill: T) -> Vec<T> {
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
pub(super) fn restrict_supplementary(files: &mut [FileRows], infos: &mut [SourceInfo]) {
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
pub(super) fn join(mut files: Vec<FileRows>, infos: &mut [SourceInfo]) -> Result<Panel> {
    restrict_supplementary(&mut files, infos);
    let names = || files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", ");
    let (units, unit_of, periods) = number_units(&files);
    if units.is_empty() {
        return Err(Error::Data {
            file: names(),
            kind: ErrorKind::NoRows,
            message: "no data rows: the file has a header but nothing under it".into(),
        });
    }
    if let Some(w) = periods.windows(2).find(|w| w[0].kind != w[1].kind) {
        return Err(Error::Data {
            file: names(),
            kind: ErrorKind::BadTable,
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
        let cell_of = cells_of(&f.keys, &unit_of, &periods, n_units);
        for &c in &cell_of {
            present[c] = true;
        }
        let mut claim = |name: &str| -> Result<()> {
            if let Some(first) = owner.get(name) {
                return Err(Error::Data {
                    file: f.name.clone(),
                    kind: ErrorKind::BadTable,
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

/// The panel's units (in order of first appearance over the files), each file's rows
/// as unit numbers of the panel (a file's unit looked up once), and the periods of
/// every file, sorted.
fn number_units(files: &[FileRows]) -> (Vec<String>, Vec<Vec<usize>>, Vec<Period>) {
    let mut units: Vec<String> = Vec::new();
    let mut unit_index: HashMap<&str, usize> = HashMap::default();
    let mut periods: Vec<Period> = Vec::new();
    let mut unit_of: Vec<Vec<usize>> = Vec::with_capacity(files.len());
    for f in files {
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
    periods.sort();
    periods.dedup();
    (units, unit_of, periods)
}

/// Each row's cell of the panel (period number x units + unit).
fn cells_of(keys: &Keys, unit_of: &[usize], periods: &[Period], n_units: usize) -> Vec<usize> {
    period_numbers(keys, periods)
        .zip(unit_of)
        .map(|(k, &u)| k * n_units + u)
        .collect()
}

/// Each row's period as its number in the sorted `periods`, found by search once per
/// run of rows of one period.
fn period_numbers<'a>(keys: &'a Keys, periods: &'a [Period]) -> impl Iterator<Item = usize> + 'a {
    let mut last: Option<(Period, usize)> = None;
    keys.rows.iter().map(move |&(_, p)| {
        let k = match last {
            Some((q, k)) if q == p => k,
            _ => periods.partition_point(|q| *q < p),
        };
        last = Some((p, k));
        k
    })
}

//! World Bank downloads (WDI bulk and API CSV or xlsx, DataBank exports): one row per
//! country and indicator, one column per year, reshaped to the panel's unit-period
//! rows. See the module docs of [`super`] for which rows are kept.

use super::read::Table;
use super::rows::{FileRows, Keys};
use crate::error::{visible, Error, Result};
use crate::input::numbers::NumberFormat;
use crate::period::Period;
use std::collections::HashMap;

/// The unit column of every World Bank layout.
const COUNTRY_CODE: &str = "Country Code";
/// The indicator column: WDI files say `Indicator Code`, DataBank exports `Series Code`.
const INDICATOR_CODES: [&str; 2] = ["Indicator Code", "Series Code"];

/// The World Bank's regional, income and lending-group aggregates (WDI 2024): rows
/// with these codes are no countries.
const AGGREGATES: &[&str] = &[
    "AFE", "AFW", "ARB", "CEB", "CSS", "EAP", "EAR", "EAS", "ECA", "ECS", "EMU", "EUU", "FCS", "HIC", "HPC", "IBD",
    "IBT", "IDA", "IDB", "IDX", "INX", "LAC", "LCN", "LDC", "LIC", "LMC", "LMY", "LTE", "MEA", "MIC", "MNA", "NAC",
    "OED", "OSS", "PRE", "PSS", "PST", "SAS", "SSA", "SSF", "SST", "TEA", "TEC", "TLA", "TMN", "TSA", "TSS", "UMC",
    "WLD",
];

/// The year of a World Bank year column, as the World Bank's files spell it: `2018`
/// (WDI), `2018 [YR2018]` (DataBank), `YR2018` (the API's codes), `2018.0` (a year
/// header a spreadsheet turned into a number). `None` for other columns.
fn year_of(column: &str) -> Option<Period> {
    match year_column(column) {
        YearColumn::Year(p) => Some(p),
        _ => None,
    }
}

/// What a column header is to the World Bank layout.
#[derive(Debug, PartialEq)]
enum YearColumn {
    Year(Period),
    /// Looks like a year column, but which year is unclear: why.
    Unclear(String),
    Other,
}

fn year_column(column: &str) -> YearColumn {
    let four_digits = |t: &str| t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit());
    let year = |t: &str| Period::parse(t).map_or(YearColumn::Other, YearColumn::Year);
    let c = column.trim();
    if let Some((y, code)) = c.split_once(' ') {
        let code_year = code.trim().strip_prefix("[YR").and_then(|r| r.strip_suffix(']'));
        return match code_year {
            Some(cy) if four_digits(y) && cy == y => year(y),
            Some(cy) if four_digits(y) && four_digits(cy) => YearColumn::Unclear(format!(
                "the year {y} and its code [YR{cy}] differ: which year do its values belong to?"
            )),
            _ => YearColumn::Other,
        };
    }
    let y = c.strip_prefix("YR").or_else(|| c.strip_suffix(".0")).unwrap_or(c);
    if four_digits(y) {
        year(y)
    } else {
        YearColumn::Other
    }
}

/// Whether the table has a World Bank layout's columns.
pub(super) fn is_world_bank(table: &Table) -> bool {
    table.has_column(COUNTRY_CODE)
        && INDICATOR_CODES.iter().any(|c| table.has_column(c))
        && table.column_names().any(|c| year_of(c).is_some())
}

/// A row picked: its index in the table, its country and its needed indicator.
type Picked<'a> = (usize, &'a str, usize);

/// The needed indicators' values per country and year with a value.
pub(super) fn rows(
    table: &Table,
    needed: &[(String, String)],
    numbers: &NumberFormat,
    notes: &mut Vec<String>,
) -> Result<FileRows> {
    if !table.has_column(COUNTRY_CODE) {
        return Err(missing(table, COUNTRY_CODE, "the World Bank layout's unit"));
    }
    let code_column = INDICATOR_CODES
        .into_iter()
        .find(|c| table.has_column(c))
        .ok_or_else(|| missing(table, INDICATOR_CODES[0], "the World Bank layout's indicator"))?;
    let years = year_columns(table)?;
    let units = table.text_column(COUNTRY_CODE, "the World Bank layout's unit")?;
    let codes = table.text_column(code_column, "the World Bank layout's indicator")?;
    let picked = pick_rows(table, needed, &units, &codes, notes)?;
    let (keys, columns) = values(table, needed, numbers, &years, &picked)?;
    Ok(FileRows {
        name: table.name.clone(),
        supplementary: true,
        keys: Keys::from_pairs(keys),
        columns,
        labels: Vec::new(),
    })
}

/// A column a World Bank file must have is not there.
fn missing(table: &Table, column: &str, needed_by: &str) -> Error {
    Error::MissingColumn {
        file: table.name.clone(),
        column: column.into(),
        needed_by: needed_by.into(),
        hint: " (a World Bank file has `Country Name`, `Country Code`, `Indicator Name`, `Indicator Code` and a column per year)".into(),
    }
}

/// The year columns and their periods: each year once, no header that only looks
/// like a year.
fn year_columns(table: &Table) -> Result<Vec<(String, Period)>> {
    let years: Vec<(String, Period)> = table
        .column_names()
        .filter_map(|c| year_of(c).map(|p| (c.to_string(), p)))
        .collect();
    let unclear: Vec<Error> = table
        .column_names()
        .filter_map(|c| match year_column(c) {
            YearColumn::Unclear(why) => Some(Error::Cell {
                file: table.name.clone(),
                row: 1,
                column: c.to_string(),
                message: format!("{why} Correct the header"),
            }),
            _ => None,
        })
        .collect();
    Error::from_problems(unclear)?;
    let mut seen: HashMap<Period, &str> = HashMap::new();
    for (name, period) in &years {
        if let Some(first) = seen.insert(*period, name) {
            return Err(Error::Cell {
                file: table.name.clone(),
                row: 1,
                column: name.clone(),
                message: format!("a second column for the year {period} (the first: `{first}`)"),
            });
        }
    }
    if years.is_empty() {
        return Err(missing(table, "1960", "the World Bank layout's years"));
    }
    Ok(years)
}

/// The rows to read, a needed indicator of a country, each once; the rows of World
/// Bank aggregates are left out (said in `notes`).
fn pick_rows<'a>(
    table: &Table,
    needed: &[(String, String)],
    units: &'a [Option<String>],
    codes: &[Option<String>],
    notes: &mut Vec<String>,
) -> Result<Vec<Picked<'a>>> {
    let wanted: HashMap<&str, usize> = needed.iter().enumerate().map(|(i, (c, _))| (c.as_str(), i)).collect();
    let mut problems = Vec::new();
    let mut first_row: HashMap<(&str, usize), usize> = HashMap::new();
    let mut picked = Vec::new();
    let mut aggregates = std::collections::BTreeSet::new();
    for (i, (unit, code)) in units.iter().zip(codes).enumerate() {
        let Some(&column) = code.as_deref().and_then(|c| wanted.get(c.trim())) else {
            continue;
        };
        let row = table.row_number(i);
        let Some(unit) = unit.as_deref().map(str::trim).filter(|u| !u.is_empty()) else {
            problems.push(Error::Cell {
                file: table.name.clone(),
                row,
                column: COUNTRY_CODE.into(),
                message: "empty country code: every row needs one".into(),
            });
            continue;
        };
        if AGGREGATES.contains(&unit) {
            aggregates.insert(unit);
            continue;
        }
        if let Some(first) = first_row.insert((unit, column), row) {
            problems.push(Error::DuplicateRow {
                file: table.name.clone(),
                row,
                unit: visible(unit),
                period: format!("(every year)` and indicator `{}", needed[column].0),
                first: format!("row {first}"),
            });
            continue;
        }
        picked.push((i, unit, column));
    }
    Error::in_row_order(problems, crate::error::MAX_LISTED)?;
    if !aggregates.is_empty() {
        notes.push(format!(
            "{}: left out the rows of World Bank aggregates ({}): they are no countries",
            table.name,
            aggregates.iter().copied().collect::<Vec<_>>().join(", ")
        ));
    }

    Ok(picked)
}

/// Every value of the picked rows, by country and year: the keys, and the columns of
/// the indicators present.
#[allow(clippy::type_complexity)]
fn values(
    table: &Table,
    needed: &[(String, String)],
    numbers: &NumberFormat,
    years: &[(String, Period)],
    picked: &[Picked],
) -> Result<(Vec<(String, Period)>, Vec<(String, Vec<f64>)>)> {
    let mut keys: Vec<(String, Period)> = Vec::new();
    let mut key_index: HashMap<(String, Period), usize> = HashMap::new();
    let mut cells: Vec<Vec<f64>> = vec![Vec::new(); needed.len()];
    let mut problems = Vec::new();
    for (name, period) in years {
        let values = match table.numeric_column(name, numbers) {
            Ok(v) => v,
            Err(e) => {
                problems.extend(e.into_problems());
                continue;
            }
        };
        for &(i, unit, column) in picked {
            let v = values[i];
            if v.is_nan() {
                continue;
            }
            let r = *key_index.entry((unit.to_string(), *period)).or_insert_with(|| {
                keys.push((unit.to_string(), *period));
                for c in cells.iter_mut() {
                    c.push(f64::NAN);
                }
                keys.len() - 1
            });
            cells[column][r] = v;
        }
    }
    Error::in_row_order(problems, crate::error::MAX_LISTED)?;
    let present: std::collections::HashSet<usize> = picked.iter().map(|&(_, _, c)| c).collect();
    let columns: Vec<(String, Vec<f64>)> = needed
        .iter()
        .zip(cells)
        .enumerate()
        .filter(|(c, _)| present.contains(c))
        .map(|(_, ((name, _), values))| (name.clone(), values))
        .collect();
    Ok((keys, columns))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_columns_of_both_layouts() {
        assert_eq!(year_of("2018").map(|p| p.to_string()).as_deref(), Some("2018"));
        assert_eq!(year_of("2018 [YR2018]").map(|p| p.to_string()).as_deref(), Some("2018"));
        assert_eq!(year_of("2018 [YR2019]"), None);
        for spelling in ["2018", "2018 [YR2018]", "YR2018", "2018.0", " 2018 "] {
            assert_eq!(
                year_of(spelling).map(|p| p.to_string()).as_deref(),
                Some("2018"),
                "{spelling}"
            );
        }
        assert_eq!(
            year_column("2022 [YR2021]"),
            YearColumn::Unclear(
                "the year 2022 and its code [YR2021] differ: which year do its values belong to?".into()
            )
        );
        for other in ["Country Code", "20188", "YR18", "2018 [x]", "Series Name"] {
            assert_eq!(year_column(other), YearColumn::Other, "{other}");
        }
        assert_eq!(year_of("Country Code"), None);
        assert_eq!(year_of(""), None);
        assert_eq!(year_of("20188"), None);
    }
}

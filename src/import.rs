//! Imports a COINr index: its `iData` and `iMeta` tables become a riskscore framework
//! (TOML) and a data file, so that a COINr user scores the same index without
//! rewriting it.
//!
//! What maps (COINr 1.1, `new_coin(iData, iMeta)`):
//! - iMeta rows of `Type = "Indicator"` -> `[[indicator]]` (`iCode` id, `iName` name,
//!   `Parent` group, `Weight`, `Direction` -1 -> `risk_down`, `Denominator`, `Unit`;
//!   `Target` with `n_dist2targ`); `Type = "Aggregate"` -> `[[group]]`, the one without
//!   a `Parent` -> `[index]`; `Group` and `Denominator` columns stay in the data.
//! - iData: `uCode` is the unit, `Time` the period (added as 1 when iData has none).
//! - The build steps, from COINr's function names: `Impute(f_i, use_group)`,
//!   `Treat()` (default or disabled, `winmax`), `Normalise(f_n, f_n_para)`,
//!   `Aggregate(f_ag)` (one function, or one per level). Ranks use min ties, as COINr.
//!
//! What does not map is listed in [`Imported::notes`].

use crate::error::ErrorKind;
use crate::error::{Error, Result};
use crate::framework::Framework;
use framework::write_framework;
use std::collections::HashMap;
pub use steps::Steps;
use tables::{problem, Csv, Meta};

/// An imported index.
#[derive(Debug)]
pub struct Imported {
    /// The framework, as TOML text (validated).
    pub framework: String,
    /// The data, as CSV text.
    pub data: String,
    /// What COINr states that riskscore reads differently or not at all.
    pub notes: Vec<String>,
}

/// Reads iMeta and iData (CSV text) and writes the framework and data.
pub fn coinr(idata_name: &str, idata: &str, imeta_name: &str, imeta: &str, steps: &Steps) -> Result<Imported> {
    let meta_csv = Csv::parse(imeta_name, imeta)?;
    let data_csv = Csv::parse(idata_name, idata)?;
    let mut problems = Vec::new();
    let meta = read_meta(&meta_csv, &mut problems);
    let Some(meta) = meta else {
        return Err(Error::from_problems(problems).unwrap_err());
    };
    check_data(&data_csv, &meta, steps, &mut problems);
    let (framework, notes) = write_framework(&meta_csv.name, &meta, steps, &data_csv, &mut problems);
    Error::from_problems(problems)?;
    Framework::from_toml(&framework, "framework.toml")?;
    Ok(Imported {
        framework,
        data: write_data(&data_csv),
        notes,
    })
}

/// The iMeta rows, checked: every problem is collected.
fn read_meta(csv: &Csv, problems: &mut Vec<Error>) -> Option<Vec<Meta>> {
    let required = ["iCode", "Type", "Parent"];
    let missing: Vec<&str> = required.iter().copied().filter(|c| csv.column(c).is_none()).collect();
    if !missing.is_empty() {
        problems.push(Error::Data {
            file: csv.name.clone(),
            kind: ErrorKind::BadTable,
            message: format!(
                "not a COINr iMeta table: no column {} (expected Level, iCode, iName, Direction, Weight, Unit, Target, Denominator, Parent, Type)",
                missing.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
            ),
        });
        return None;
    }
    let mut out = Vec::new();
    for (row, &r) in csv.rows.iter().zip(&csv.lines) {
        out.push(meta_row(csv, row, r, problems));
    }
    check_levels(csv, &out, problems);
    check_links(csv, &out, problems);
    check_index(csv, &out, problems);
    Some(out)
}

/// A cell's text in `row`; R's `NA` (as write.csv leaves it) is empty.
fn cell_text(csv: &Csv, row: &[String], name: &str) -> String {
    csv.column(name)
        .map(|i| row[i].trim())
        .filter(|t| *t != "NA")
        .unwrap_or_default()
        .to_string()
}

/// One iMeta row (on line `r`), its cells checked.
fn meta_row(csv: &Csv, row: &[String], r: usize, problems: &mut Vec<Error>) -> Meta {
    let get = |row: &[String], name: &str| cell_text(csv, row, name);
    let number = |name: &str, default: f64, problems: &mut Vec<Error>| {
        let text = get(row, name);
        if text.is_empty() {
            return default;
        }
        text.parse::<f64>().unwrap_or_else(|_| {
            problems.push(problem(
                &csv.name,
                r,
                name,
                format!("expected a number, found `{text}`"),
            ));
            default
        })
    };
    let kind = get(row, "Type");
    let is_tree = matches!(kind.as_str(), "Indicator" | "Aggregate");
    let level_text = get(row, "Level");
    let level = level_text.parse::<i64>().ok().filter(|l| *l >= 1);
    if is_tree && !level_text.is_empty() && level.is_none() {
        problems.push(problem(
            &csv.name,
            r,
            "Level",
            format!(
                "expected a whole number, 1 for indicators and one more for each aggregate above, found `{level_text}`"
            ),
        ));
    }
    let m = Meta {
        row: r,
        level,
        code: get(row, "iCode"),
        name: get(row, "iName"),
        direction: if is_tree {
            number("Direction", 1.0, problems)
        } else {
            1.0
        },
        weight: if is_tree { number("Weight", 1.0, problems) } else { 1.0 },
        unit: get(row, "Unit"),
        target: match get(row, "Target").as_str() {
            "" => None,
            _ => Some(number("Target", f64::NAN, problems)),
        },
        denominator: get(row, "Denominator"),
        parent: get(row, "Parent"),
        kind,
    };
    if m.code.is_empty() {
        problems.push(problem(&csv.name, r, "iCode", "empty iCode".into()));
    }
    match m.kind.as_str() {
        "Indicator" | "Aggregate" | "Group" | "Denominator" | "Other" => {}
        other => problems.push(problem(
            &csv.name,
            r,
            "Type",
            format!("unknown Type `{other}`: expected Indicator, Aggregate, Group, Denominator or Other"),
        )),
    }
    if is_tree && m.direction != 1.0 && m.direction != -1.0 {
        problems.push(problem(
            &csv.name,
            r,
            "Direction",
            format!("expected 1 or -1, found {}", m.direction),
        ));
    }
    if is_tree && !(m.weight.is_finite() && m.weight > 0.0) {
        problems.push(problem(
            &csv.name,
            r,
            "Weight",
            format!("expected a weight > 0, found {}", m.weight),
        ));
    }
    m
}

/// Indicators are on level 1, and a parent one level above its children.
fn check_levels(csv: &Csv, out: &[Meta], problems: &mut Vec<Error>) {
    let levels: HashMap<&str, i64> = out.iter().filter_map(|m| Some((m.code.as_str(), m.level?))).collect();
    for m in out
        .iter()
        .filter(|m| matches!(m.kind.as_str(), "Indicator" | "Aggregate"))
    {
        let Some(level) = m.level else { continue };
        if m.kind == "Indicator" && level != 1 {
            problems.push(problem(
                &csv.name,
                m.row,
                "Level",
                format!("indicator `{}` is at Level {level}: indicators are Level 1", m.code),
            ));
        }
        if let Some(&parent) = levels.get(m.parent.as_str()) {
            if parent != level + 1 {
                problems.push(problem(
                    &csv.name,
                    m.row,
                    "Level",
                    format!(
                        "`{}` is at Level {level} and its Parent `{}` at Level {parent}: a parent is one level above its children",
                        m.code, m.parent
                    ),
                ));
            }
        }
    }
}

/// iCodes are unique; parents are aggregates, denominators denominator rows.
fn check_links(csv: &Csv, out: &[Meta], problems: &mut Vec<Error>) {
    let kinds: HashMap<&str, &str> = out.iter().map(|m| (m.code.as_str(), m.kind.as_str())).collect();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for m in out {
        if let Some(first) = seen.insert(&m.code, m.row) {
            problems.push(problem(
                &csv.name,
                m.row,
                "iCode",
                format!("`{}` is also on row {first}: iCodes must be unique", m.code),
            ));
        }
        let in_tree = matches!(m.kind.as_str(), "Indicator" | "Aggregate");
        if !in_tree {
            continue;
        }
        if m.parent.is_empty() {
            if m.kind == "Indicator" {
                problems.push(problem(
                    &csv.name,
                    m.row,
                    "Parent",
                    format!("indicator `{}` has no Parent", m.code),
                ));
            }
        } else if kinds.get(m.parent.as_str()) != Some(&"Aggregate") {
            problems.push(problem(
                &csv.name,
                m.row,
                "Parent",
                format!("`{}` is not an Aggregate row of iMeta", m.parent),
            ));
        }
        if !m.denominator.is_empty() && kinds.get(m.denominator.as_str()) != Some(&"Denominator") {
            problems.push(problem(
                &csv.name,
                m.row,
                "Denominator",
                format!("`{}` is not a Denominator row of iMeta", m.denominator),
            ));
        }
    }
}

/// One aggregate without a parent: the index.
fn check_index(csv: &Csv, out: &[Meta], problems: &mut Vec<Error>) {
    let tops: Vec<&Meta> = out
        .iter()
        .filter(|m| m.kind == "Aggregate" && m.parent.is_empty())
        .collect();
    if tops.len() != 1 {
        problems.push(Error::Data {
            file: csv.name.clone(),
            kind: ErrorKind::BadTable,
            message: format!(
                "expected one Aggregate without a Parent (the index), found {}{}",
                tops.len(),
                if tops.is_empty() {
                    String::new()
                } else {
                    format!(
                        ": {}",
                        tops.iter()
                            .map(|m| format!("`{}`", m.code))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            ),
        });
    }
}

/// iData has uCode, every indicator, denominator and group column used.
fn check_data(data: &Csv, meta: &[Meta], steps: &Steps, problems: &mut Vec<Error>) {
    let mut need: Vec<(&str, String)> = vec![("uCode", "the unit code".into())];
    for m in meta.iter().filter(|m| m.kind == "Indicator") {
        need.push((&m.code, format!("indicator `{}`", m.code)));
        if !m.denominator.is_empty() {
            need.push((&m.denominator, format!("the denominator of `{}`", m.code)));
        }
    }
    if let Some(g) = &steps.use_group {
        need.push((g, "use_group".into()));
    }
    let mut reported = Vec::new();
    for (column, by) in need {
        if data.column(column).is_none() && !reported.contains(&column) {
            reported.push(column);
            problems.push(Error::MissingColumn {
                file: data.name.clone(),
                column: column.to_string(),
                needed_by: by,
                hint: String::new(),
            });
        }
    }
}

/// iData as CSV, with `Time = 1` added when it has no Time column. Text a spreadsheet
/// would run as a formula (a uCode `=1+1`) gets the leading `'` of every CSV riskscore
/// writes; numbers (`-5`) stay numbers.
fn write_data(data: &Csv) -> String {
    let add_time = data.column("Time").is_none();
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = data.header.clone();
    if add_time {
        header.push("Time".into());
    }
    let guard = |cell: &String| {
        if cell.trim().parse::<f64>().is_ok() {
            cell.clone()
        } else {
            crate::output::csv::escape_formula(cell)
        }
    };
    let _ = w.write_record(header.iter().map(guard));
    for row in &data.rows {
        let mut r: Vec<String> = row.iter().map(guard).collect();
        if add_time {
            r.push("1".into());
        }
        let _ = w.write_record(&r);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

mod framework;
mod steps;
mod tables;
#[cfg(test)]
mod tests;

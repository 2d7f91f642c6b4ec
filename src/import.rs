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
use std::collections::HashMap;
use std::fmt::Write as _;

/// The build steps to reproduce, named as in COINr.
#[derive(Debug, Clone)]
pub struct Steps {
    /// `Impute(f_i = ...)`: `i_mean`, `i_median`, `i_mean_grp`, `i_median_grp`, or none.
    pub impute: Option<String>,
    /// `use_group` of the group imputations.
    pub use_group: Option<String>,
    /// `Treat()` with its defaults (`false`: not run, or `disable = TRUE`).
    pub treat: bool,
    /// `Treat(global_specs = list(f1_para = list(winmax = k)))`.
    pub winmax: usize,
    /// `Normalise(global_specs = list(f_n = ...))`.
    pub normalise: String,
    /// Its `f_n_para` numbers (`l_u` of n_minmax, `m_sd` of n_zscore).
    pub normalise_para: Vec<f64>,
    /// `Aggregate(f_ag = ...)`: one function, or one per level from the lowest aggregate up.
    pub aggregate: Vec<String>,
    /// `Screen(unit_screen = "byNA", dat_thresh = T)`.
    pub screen: Option<f64>,
    /// `Screen(unit_screen = "byzeros", nonzero_thresh = T)` (with `screen`: "byNAandzeros").
    pub nonzero: Option<f64>,
}

impl Default for Steps {
    /// COINr's defaults for each step.
    fn default() -> Steps {
        Steps {
            impute: None,
            use_group: None,
            treat: true,
            winmax: 5,
            normalise: "n_minmax".into(),
            normalise_para: Vec::new(),
            aggregate: vec!["a_amean".into()],
            screen: None,
            nonzero: None,
        }
    }
}

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

/// One iMeta row.
struct Meta {
    row: usize,
    level: Option<i64>,
    code: String,
    name: String,
    direction: f64,
    weight: f64,
    unit: String,
    target: Option<f64>,
    denominator: String,
    parent: String,
    kind: String,
}

/// A CSV file as a header and text rows.
struct Csv {
    name: String,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    /// The line each row starts on (the header is line 1).
    lines: Vec<usize>,
}

impl Csv {
    fn parse(name: &str, text: &str) -> Result<Csv> {
        let table = crate::input::scan::read_table(text.as_bytes(), name, Some(b','))?;
        Ok(Csv {
            name: name.to_string(),
            header: table.header,
            lines: table.rows.iter().map(|(line, _)| *line).collect(),
            rows: table.rows.into_iter().map(|(_, cells)| cells).collect(),
        })
    }

    fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }
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

fn problem(file: &str, row: usize, column: &str, message: String) -> Error {
    Error::Cell {
        file: file.to_string(),
        row,
        column: column.to_string(),
        message,
    }
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

/// A TOML string literal.
fn quote(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// riskscore's name of a COINr aggregation function.
fn aggregation(name: &str) -> Option<String> {
    Some(match name {
        "a_amean" => "arithmetic".into(),
        "a_gmean" => "geometric".into(),
        "a_hmean" => "harmonic".into(),
        "a_copeland" => "copeland".into(),
        _ => {
            let p = name.strip_prefix("a_genmean(")?.strip_suffix(')')?;
            format!("genmean({})", p.parse::<f64>().ok()?)
        }
    })
}

/// The `[defaults]` lines of the normalisation, or why it cannot be expressed.
fn normalisation(steps: &Steps) -> std::result::Result<Vec<String>, String> {
    let para = |default: [f64; 2]| match steps.normalise_para.as_slice() {
        [a, b] => Ok([*a, *b]),
        [] => Ok(default),
        other => Err(format!(
            "`{}` takes two parameters, found {}",
            steps.normalise,
            other.len()
        )),
    };
    let pair = |p: [f64; 2]| format!("[{}, {}]", p[0], p[1]);
    let no_para = || {
        if steps.normalise_para.is_empty() {
            Ok(())
        } else {
            Err(format!("`{}` takes no parameters", steps.normalise))
        }
    };
    Ok(match steps.normalise.as_str() {
        "n_minmax" => vec!["normalise = \"minmax\"".into(), format!("range = {}", pair(para([0.0, 100.0])?))],
        "n_zscore" => vec!["normalise = \"zscore\"".into(), format!("mean_sd = {}", pair(para([0.0, 1.0])?))],
        "n_rank" => {
            no_para()?;
            vec!["normalise = \"rank\"".into(), "rank_ties = \"min\"".into()]
        }
        "n_borda" => {
            no_para()?;
            vec!["normalise = \"borda\"".into(), "rank_ties = \"min\"".into()]
        }
        "n_prank" => {
            no_para()?;
            vec![
                "normalise = \"percentile\"".into(),
                "range = [0, 1]".into(),
                "rank_ties = \"min\"".into(),
            ]
        }
        "n_dist2max" => {
            no_para()?;
            vec!["normalise = \"minmax\"".into(), "range = [0, 1]".into()]
        }
        "n_fracmax" => {
            no_para()?;
            vec!["normalise = \"fracmax\"".into()]
        }
        "n_dist2targ" => {
            no_para()?;
            vec!["normalise = \"dist2targ\"".into()]
        }
        // The reference unit and cap are written per indicator.
        "n_dist2ref" => match steps.normalise_para.as_slice() {
            [_] | [_, _] => vec!["normalise = \"dist2ref\"".into()],
            _ => return Err("`n_dist2ref` takes iref (the iData row of the reference unit) and optionally cap_max (0 or 1), e.g. 11,0".into()),
        },
        "n_scaled" => {
            return Err("COINr's `n_scaled` scales -x for direction -1 indicators, riskscore's `scaled` flips them as 100 - v: set normalise = \"scaled\" with goalposts by hand".into())
        }
        other => {
            return Err(format!(
                "COINr's `{other}` has no riskscore equivalent here: use n_minmax, n_zscore, n_rank, n_borda, n_prank, n_dist2max, n_fracmax or n_dist2targ, and set goalposts, scaled or dist2ref by hand"
            ))
        }
    })
}

/// What the import chose from COINr's steps: the index row, the aggregation per level,
/// the normalisation's lines, the imputation and the reference unit of n_dist2ref.
struct Choices<'a> {
    index: Option<&'a Meta>,
    levels: Vec<i64>,
    per_level: Vec<Option<String>>,
    normalise: Vec<String>,
    impute: Option<&'static str>,
    reference: Option<(String, bool)>,
}

impl Choices<'_> {
    /// The aggregation of aggregate `m`: the one given, or its level's.
    fn aggregation_of(&self, m: &Meta) -> String {
        let i = if self.per_level.len() == 1 {
            0
        } else {
            m.level
                .and_then(|l| self.levels.iter().position(|&x| x == l))
                .unwrap_or(0)
                .min(self.per_level.len() - 1)
        };
        self.per_level[i].clone().unwrap_or_else(|| "arithmetic".into())
    }
}

/// The framework TOML, and the notes on what does not carry over.
fn write_framework(
    imeta_name: &str,
    meta: &[Meta],
    steps: &Steps,
    data: &Csv,
    problems: &mut Vec<Error>,
) -> (String, Vec<String>) {
    let c = choices(meta, steps, data, problems);
    let mut t = String::new();
    write_index(&mut t, imeta_name, steps, &c);
    write_groups(&mut t, meta, &c);
    write_indicators(&mut t, imeta_name, meta, steps, &c, problems);
    (t, import_notes(meta, steps, data))
}

/// A bad value of option `name`.
fn arg(name: &str, message: String) -> Error {
    Error::Argument {
        name: name.to_string(),
        message,
    }
}

/// The aggregations per level, checked against the iMeta levels.
fn aggregations<'a>(
    meta: &'a [Meta],
    steps: &Steps,
    problems: &mut Vec<Error>,
) -> (Option<&'a Meta>, Vec<i64>, Vec<Option<String>>) {
    let index = meta.iter().find(|m| m.kind == "Aggregate" && m.parent.is_empty());
    // Aggregation per level, from the lowest aggregate level up (COINr's f_ag vector).
    let mut levels: Vec<i64> = meta
        .iter()
        .filter(|m| m.kind == "Aggregate")
        .filter_map(|m| m.level)
        .collect();
    levels.sort();
    levels.dedup();
    let per_level: Vec<Option<String>> = steps.aggregate.iter().map(|a| aggregation(a)).collect();
    if let Some(i) = per_level.iter().position(Option::is_none) {
        problems.push(arg(
            "aggregate",
            format!(
                "COINr's `{}` has no riskscore equivalent: use a_amean, a_gmean, a_hmean, a_copeland or a_genmean(p)",
                steps.aggregate[i]
            ),
        ));
    }
    if per_level.len() != 1 && per_level.len() != levels.len() {
        problems.push(arg(
            "aggregate",
            format!(
                "expected one aggregation or one per aggregate level ({} levels: {}), found {}",
                levels.len(),
                levels.iter().map(|l| l.to_string()).collect::<Vec<_>>().join(", "),
                per_level.len()
            ),
        ));
    }
    (index, levels, per_level)
}

/// What the import chose, every problem of the steps pushed to `problems`.
fn choices<'a>(meta: &'a [Meta], steps: &Steps, data: &Csv, problems: &mut Vec<Error>) -> Choices<'a> {
    let (index, levels, per_level) = aggregations(meta, steps, problems);
    let normalise = normalisation(steps).unwrap_or_else(|m| {
        problems.push(arg("normalise", m));
        Vec::new()
    });
    let impute = match steps.impute.as_deref() {
        None | Some("none") => None,
        Some("i_mean") => Some("mean"),
        Some("i_median") => Some("median"),
        Some("i_mean_grp") => Some("group_mean"),
        Some("i_median_grp") => Some("group_median"),
        Some(other) => {
            problems.push(arg(
                "impute",
                format!("COINr's `{other}` has no riskscore equivalent: use i_mean, i_median, i_mean_grp or i_median_grp (riskscore also has interpolate and locf over time)"),
            ));
            None
        }
    };
    if matches!(impute, Some("group_mean" | "group_median")) != steps.use_group.is_some() {
        problems.push(arg(
            "use_group",
            if steps.use_group.is_some() {
                "use_group is only used with i_mean_grp or i_median_grp".into()
            } else {
                "i_mean_grp and i_median_grp need use_group: the iData column of each unit's group".into()
            },
        ));
    }
    // n_dist2ref: iref is a row of iData (1-based), cap_max 0 or 1.
    let reference = if steps.normalise == "n_dist2ref" {
        let iref = steps.normalise_para.first().copied().unwrap_or(f64::NAN);
        let unit = data.column("uCode").and_then(|c| {
            (iref.fract() == 0.0 && iref >= 1.0)
                .then(|| data.rows.get(iref as usize - 1))
                .flatten()
                .map(|r| r[c].clone())
        });
        if unit.is_none() {
            problems.push(arg(
                "normalise_para",
                format!("iref {iref} is not a row of iData (1 to {})", data.rows.len()),
            ));
        }
        unit.map(|u| (u, steps.normalise_para.get(1).is_some_and(|&c| c != 0.0)))
    } else {
        None
    };
    for (name, value) in [("screen", steps.screen), ("nonzero_thresh", steps.nonzero)] {
        let Some(t) = value else { continue };
        if !(0.0..=1.0).contains(&t) {
            problems.push(arg(name, format!("expected a share between 0 and 1, found {t}")));
        }
    }
    Choices {
        index,
        levels,
        per_level,
        normalise,
        impute,
        reference,
    }
}

/// The file's comments, `[index]`, `[screen]` and `[defaults]`.
fn write_index(t: &mut String, imeta_name: &str, steps: &Steps, c: &Choices) {
    let _ = writeln!(t, "# Imported from COINr by `riskscore import coinr` ({imeta_name}).");
    let _ = writeln!(
        t,
        "# Steps: Denominate (iMeta) -> Impute {} -> Treat {} -> Normalise {}{} -> Aggregate {}.",
        steps.impute.as_deref().unwrap_or("none"),
        if steps.treat {
            format!("(winmax {})", steps.winmax)
        } else {
            "none".into()
        },
        steps.normalise,
        if steps.normalise_para.is_empty() {
            String::new()
        } else {
            format!(
                " ({})",
                steps
                    .normalise_para
                    .iter()
                    .map(|p| p.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        },
        steps.aggregate.join(", ")
    );
    let _ = writeln!(
        t,
        "# Directions: risk_up is COINr's 1 and risk_down its -1 (a higher score is \"more\" of the index)."
    );
    let _ = writeln!(
        t,
        "\n[index]\nid = {}",
        quote(c.index.map_or("index", |m| m.code.as_str()))
    );
    if let Some(m) = c.index.filter(|m| !m.name.is_empty()) {
        let _ = writeln!(t, "name = {}", quote(&m.name));
    }
    let _ = writeln!(
        t,
        "unit = \"uCode\"\nperiod = \"Time\"\nties = \"min\"          # COINr ranks ties at their lowest place"
    );
    if let Some(m) = c.index {
        let _ = writeln!(t, "aggregation = {}", quote(&c.aggregation_of(m)));
    }
    if steps.screen.is_some() || steps.nonzero.is_some() {
        let _ = writeln!(t, "\n[screen]                  # COINr Screen()");
        if c.impute.is_some() {
            let _ = writeln!(t, "on = \"imputed\"           # after Impute(), as COINr");
        }
    }
    if let Some(threshold) = steps.screen {
        let _ = writeln!(t, "unit_min_coverage = {threshold}   # dat_thresh");
    }
    if let Some(threshold) = steps.nonzero {
        let _ = writeln!(t, "unit_min_nonzero = {threshold}    # nonzero_thresh");
    }
    let _ = writeln!(t, "\n[defaults]");
    for line in &c.normalise {
        let _ = writeln!(t, "{line}");
    }
    if let Some(i) = c.impute {
        let _ = writeln!(t, "impute = {}", quote(i));
    }
    if let Some(g) = &steps.use_group {
        let _ = writeln!(t, "impute_group = {}", quote(g));
    }
    if steps.treat {
        let _ = writeln!(t, "winsorise = \"coinr\"      # COINr Treat(): winsorise, else log_CT");
        let _ = writeln!(t, "winsorise_max_points = {}", steps.winmax);
    }
}

/// The aggregate rows as `[[group]]`s, top-down: each after its parent.
fn write_groups(t: &mut String, meta: &[Meta], c: &Choices) {
    let mut groups: Vec<&Meta> = meta
        .iter()
        .filter(|m| m.kind == "Aggregate" && !m.parent.is_empty())
        .collect();
    groups.sort_by_key(|m| std::cmp::Reverse(m.level.unwrap_or(0)));
    for m in groups {
        let _ = writeln!(t, "\n[[group]]\nid = {}", quote(&m.code));
        if !m.name.is_empty() {
            let _ = writeln!(t, "name = {}", quote(&m.name));
        }
        let _ = writeln!(t, "parent = {}\nweight = {}", quote(&m.parent), m.weight);
        let _ = writeln!(t, "aggregation = {}", quote(&c.aggregation_of(m)));
    }
}

/// The indicator rows as `[[indicator]]`s.
fn write_indicators(
    t: &mut String,
    imeta_name: &str,
    meta: &[Meta],
    steps: &Steps,
    c: &Choices,
    problems: &mut Vec<Error>,
) {
    let dist2targ = steps.normalise == "n_dist2targ";
    for m in meta.iter().filter(|m| m.kind == "Indicator") {
        let _ = writeln!(t, "\n[[indicator]]\nid = {}", quote(&m.code));
        if !m.name.is_empty() {
            let _ = writeln!(t, "name = {}", quote(&m.name));
        }
        let _ = writeln!(t, "group = {}", quote(&m.parent));
        if !m.unit.is_empty() {
            let _ = writeln!(t, "units = {}", quote(&m.unit));
        }
        let _ = writeln!(t, "weight = {}", m.weight);
        if m.direction == -1.0 {
            let _ = writeln!(t, "direction = \"risk_down\"");
        }
        if !m.denominator.is_empty() {
            let _ = writeln!(t, "denominator = {}", quote(&m.denominator));
        }
        if let Some((unit, cap)) = &c.reference {
            let _ = writeln!(t, "reference_unit = {}", quote(unit));
            if *cap {
                let _ = writeln!(t, "cap = true");
            }
        }
        if dist2targ {
            match m.target {
                Some(target) if target.is_finite() => {
                    let _ = writeln!(t, "target = {target}");
                }
                _ => problems.push(problem(
                    imeta_name,
                    m.row,
                    "Target",
                    format!("n_dist2targ needs a Target for indicator `{}`", m.code),
                )),
            }
        }
    }
}

/// What does not carry over from COINr, for the user.
fn import_notes(meta: &[Meta], steps: &Steps, data: &Csv) -> Vec<String> {
    let mut notes = Vec::new();
    if data.column("Time").is_none() {
        notes.push("iData has no Time column: the data file gets Time = 1 for every row".into());
    }
    if meta.iter().any(|m| m.kind == "Other") {
        notes.push("iMeta rows of Type Other are kept in the data and not used".into());
    }
    if meta.iter().any(|m| m.target.is_some()) && steps.normalise != "n_dist2targ" {
        notes.push("iMeta Target is used only with n_dist2targ; it is not written".into());
    }
    notes
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

#[cfg(test)]
mod tests;

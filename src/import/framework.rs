//! The framework file an import writes: COINr's steps and iMeta as riskscore's TOML,
//! and notes on what does not carry over.

use super::steps::Steps;
use super::tables::{problem, Csv, Meta};
use crate::error::Error;
use std::fmt::Write as _;

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
pub(super) fn write_framework(
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

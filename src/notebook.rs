//! Jupyter notebook export (nbformat 4.5): markdown cells on the framework and the
//! method, and code cells that load a run's CSV outputs with pandas and redraw the
//! report's main charts with matplotlib.
//!
//! The CSVs are copied into a folder beside the notebook (`<name>_data/`), so the
//! notebook runs wherever it is moved with its folder.

use crate::framework::{Child, Framework};
use crate::output::compare::{VARIANTS_KEY_COLUMNS, VARIANT_PREFIXES};
use crate::output::sensitivity::{SOBOL_COLUMNS, UNCERTAINTY_COLUMNS};
use crate::output::tables::SCORES_COLUMNS;
use serde_json::{json, Value};

/// Which outputs the notebook loads (file names inside its data folder).
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub data_folder: String,
    /// What the units are, one and many ("cell", "cells"; see
    /// [`crate::places::noun_of`]), and how many there are.
    pub noun: (&'static str, &'static str),
    pub units: usize,
    pub uncertainty: bool,
    pub sobol: bool,
    pub variants: bool,
}

/// `text` as a Python string literal. A JSON string is one (JSON's escapes `\"`,
/// `\\`, `\n`, `\uXXXX` ... are Python's), so no name, path or label can end the
/// literal, start an escape of Python's own (`\N{..}`, `\x`) or become code.
fn py_str(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

/// Strings as a Python list literal (a JSON array of strings is one).
fn py_strs(texts: &[String]) -> String {
    serde_json::to_string(texts).unwrap_or_else(|_| "[]".into())
}

/// Text from a name or label inside markdown: no markup (`<`, `>`, `&` as entities,
/// so no HTML reaches the renderer) and on one line.
fn md(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '&' => "&amp;".to_string(),
            c if c.is_control() => " ".to_string(),
            c => c.to_string(),
        })
        .collect()
}

fn lines(text: &str) -> Vec<String> {
    let mut out: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
    if let Some(last) = out.last_mut() {
        if last.ends_with('\n') {
            last.pop();
        }
    }
    out
}

fn markdown(id: usize, text: &str) -> Value {
    json!({"cell_type": "markdown", "id": format!("cell-{id:02}"), "metadata": {}, "source": lines(text)})
}

fn code(id: usize, text: &str) -> Value {
    json!({
        "cell_type": "code",
        "id": format!("cell-{id:02}"),
        "metadata": {},
        "execution_count": null,
        "outputs": [],
        "source": lines(text),
    })
}

fn tree(fw: &Framework, child: Child, depth: usize, out: &mut String) {
    let pad = "  ".repeat(depth);
    match child {
        Child::Group(g) => {
            let group = &fw.groups[g];
            out.push_str(&format!(
                "{pad}- **{}** ({}): {} mean of its children\n",
                md(&group.id),
                md(&group.name),
                group.aggregation.name()
            ));
            for &c in &group.children {
                tree(fw, c, depth + 1, out);
            }
        }
        Child::Indicator(k) => {
            let ind = &fw.indicators[k];
            out.push_str(&format!(
                "{pad}- `{}`: {} (weight {}){}\n",
                md(&ind.id).replace('`', "'"),
                md(&ind.name),
                ind.weight,
                ind.source
                    .as_ref()
                    .map_or(String::new(), |s| format!("; source: {}", md(s)))
            ));
        }
    }
}

/// How many units the charts show at most: the highest-ranked in the last period.
const TOP: usize = 30;

/// The cells, as a template (`templates/notebook.jinja`).
const TEMPLATE: &str = include_str!("../templates/notebook.jinja");

/// What starts the line that starts a cell in the rendered template (before the cell's
/// type): a control character, which neither [`md`] nor [`py_str`] lets through.
const CELL_MARK: char = '\u{1e}';

/// The notebook as JSON.
pub fn build(fw: &Framework, framework_file: &str, framework_sha: &str, inputs: &Inputs) -> Value {
    let text = render(fw, framework_file, framework_sha, inputs);
    let mut cells = Vec::new();
    let mut current: Option<(&str, Vec<&str>)> = None;
    let finish = |cell: Option<(&str, Vec<&str>)>, cells: &mut Vec<Value>| {
        if let Some((kind, source)) = cell {
            let id = cells.len() + 1;
            let source = source.join("\n");
            cells.push(if kind == "markdown" {
                markdown(id, &source)
            } else {
                code(id, &source)
            });
        }
    };
    for line in text.split('\n') {
        match line.strip_prefix(CELL_MARK) {
            Some(kind) => finish(current.replace((kind, Vec::new())), &mut cells),
            None => {
                if let Some((_, source)) = current.as_mut() {
                    source.push(line);
                }
            }
        }
    }
    finish(current, &mut cells);
    json!({
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        },
        "cells": cells,
    })
}

/// The template rendered: the cells' text, one after another. Every name and label
/// enters the template here, escaped for where it goes: markdown text ([`md`]) or a
/// Python string literal ([`py_str`]); no raw name reaches it, and none can start a
/// line (both escapes keep text on one line), so none can start a cell.
fn render(fw: &Framework, framework_file: &str, framework_sha: &str, inputs: &Inputs) -> String {
    let mut framework_tree = String::new();
    tree(fw, Child::Group(0), 0, &mut framework_tree);
    let scale = fw
        .index
        .scale
        .map_or("the normalised scale".to_string(), |s| format!("{} to {}", s.lo, s.hi));
    let (one, many) = inputs.noun;
    // The charts show the highest-ranked units when there are many (65,000 cells).
    let shown = if inputs.units > TOP {
        format!(" (the {TOP} highest-ranked of {} {many})", inputs.units)
    } else {
        String::new()
    };
    let (change_title, change_meaning) = fw.change_meaning();
    let pillars: Vec<String> = fw.pillar_order().iter().map(|&g| fw.groups[g].id.clone()).collect();
    let md_values = json!({
        "index_name": md(&fw.index.name),
        "description": md(&fw.index.description.clone().unwrap_or_default()),
        "framework_file": md(framework_file).replace('`', "'"),
        "data_folder": md(&inputs.data_folder).replace('`', "'"),
        "scale": md(&scale),
        "classes": fw.index.classes.iter().map(|c| md(&c.label)).collect::<Vec<_>>().join(", "),
        // Lines of markdown, each escaped by `tree`.
        "tree": framework_tree.trim_end_matches('\n'),
        "one": md(one),
        "many": md(many),
        "shown": md(&shown),
        "change_meaning": md(change_meaning),
    });
    let py_values = json!({
        "data_folder": py_str(&inputs.data_folder),
        "one": py_str(one),
        "many": py_str(many),
        "index_name": py_str(&fw.index.name),
        "score_label": py_str(&format!("score ({scale})")),
        "pillars": py_strs(&pillars),
        "change_title": py_str(change_title),
    });
    let cell_marks = json!({
        "markdown": format!("{CELL_MARK}markdown"),
        "code": format!("{CELL_MARK}code"),
    });
    // The outputs' column names, as the writers define them.
    let [unit, period, score, rank, ..] = SCORES_COLUMNS;
    let [unc_unit, unc_period, nominal_rank, median_rank, q05_rank, q95_rank, ..] = UNCERTAINTY_COLUMNS;
    let [output, factor, s1, _, _, st, ..] = SOBOL_COLUMNS;
    let [variants_unit, variants_period] = VARIANTS_KEY_COLUMNS;
    let columns: serde_json::Map<String, Value> = [
        ("unit", unit),
        ("period", period),
        ("score", score),
        ("rank", rank),
        ("unc_unit", unc_unit),
        ("unc_period", unc_period),
        ("nominal_rank", nominal_rank),
        ("median_rank", median_rank),
        ("q05_rank", q05_rank),
        ("q95_rank", q95_rank),
        ("output", output),
        ("factor", factor),
        ("s1", s1),
        ("st", st),
        ("variants_unit", variants_unit),
        ("variants_period", variants_period),
        ("rank_prefix", VARIANT_PREFIXES[1]),
    ]
    .into_iter()
    .map(|(key, name)| (key.to_string(), Value::String(py_str(name))))
    .collect();
    let context = json!({
        "md": md_values,
        "py": py_values,
        "col": columns,
        "cell": cell_marks,
        "sha": &framework_sha[..framework_sha.len().min(16)],
        "top": TOP,
        "uncertainty": inputs.uncertainty,
        "sobol": inputs.sobol,
        "variants": inputs.variants,
    });
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.add_template("notebook", TEMPLATE)
        .and_then(|_| env.get_template("notebook")?.render(minijinja::value::Serde(&context)))
        .expect("templates/notebook.jinja renders (the notebook tests render it)")
}

/// Checks the nbformat 4 rules the notebook must meet (the JSON schema's required keys
/// and types, unique cell ids); returns the problems found.
pub fn check(nb: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    if nb["nbformat"] != 4 {
        problems.push("nbformat must be 4".to_string());
    }
    if nb["nbformat_minor"].as_u64().is_none_or(|m| m < 5) {
        problems.push("nbformat_minor must be >= 5 (cell ids)".into());
    }
    if !nb["metadata"].is_object() {
        problems.push("metadata must be an object".into());
    }
    let Some(cells) = nb["cells"].as_array() else {
        problems.push("cells must be an array".into());
        return problems;
    };
    let mut ids = std::collections::HashSet::new();
    for (i, c) in cells.iter().enumerate() {
        let id = c["id"].as_str().unwrap_or("");
        let valid_id = !id.is_empty()
            && id.len() <= 64
            && id
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_');
        if !valid_id || !ids.insert(id.to_string()) {
            problems.push(format!("cell {i}: id must be unique, 1-64 of [a-zA-Z0-9-_]"));
        }
        if !c["metadata"].is_object() {
            problems.push(format!("cell {i}: metadata must be an object"));
        }
        if !c["source"].as_array().is_some_and(|s| s.iter().all(Value::is_string)) {
            problems.push(format!("cell {i}: source must be a list of strings"));
        }
        match c["cell_type"].as_str() {
            Some("markdown") => {}
            Some("code") => {
                if !c["outputs"].is_array() {
                    problems.push(format!("cell {i}: a code cell needs outputs"));
                }
                if !(c["execution_count"].is_null() || c["execution_count"].is_u64()) {
                    problems.push(format!("cell {i}: execution_count must be null or a count"));
                }
            }
            other => problems.push(format!("cell {i}: unknown cell_type {other:?}")),
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notebook_meets_nbformat_4() {
        let fw = Framework::from_toml(
            "[index]\nid = \"r\"\nname = \"Risk\"\nunit = \"u\"\nperiod = \"year\"\n[[group]]\nid = \"a\"\n[[indicator]]\nid = \"x\"\ngroup = \"a\"\n",
            "fw.toml",
        )
        .unwrap();
        let nb = build(
            &fw,
            "fw.toml",
            "0123456789abcdef0123",
            &Inputs {
                data_folder: "run_data".into(),
                noun: ("cell", "cells"),
                units: 64_818,
                uncertainty: true,
                sobol: true,
                variants: false,
            },
        );
        assert_eq!(check(&nb), Vec::<String>::new());
        let cells = nb["cells"].as_array().unwrap();
        assert!(cells.iter().any(|c| c["source"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l.as_str().unwrap().contains("uncertainty.csv"))));
        assert!(!cells.iter().any(|c| c["source"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l.as_str().unwrap().contains("variants.csv"))));
        let mut broken = nb.clone();
        broken["cells"][1]["id"] = json!("cell-01");
        assert_eq!(
            check(&broken),
            vec!["cell 1: id must be unique, 1-64 of [a-zA-Z0-9-_]".to_string()]
        );
    }

    /// The committed, executed example notebook meets nbformat 4 too.
    #[test]
    fn committed_example_meets_nbformat_4() {
        let nb: Value = serde_json::from_str(include_str!("../notebooks-export/central_asia.ipynb")).unwrap();
        assert_eq!(check(&nb), Vec::<String>::new());
    }

    /// A name cannot start a cell of its own: the escapes keep it on its line.
    #[test]
    fn a_name_with_a_cell_mark_stays_text() {
        let plain = "[index]\nid = \"r\"\nname = \"Risk\"\nunit = \"u\"\nperiod = \"year\"\n[[group]]\nid = \"a\"\n[[indicator]]\nid = \"x\"\ngroup = \"a\"\n";
        let hostile = plain.replace(
            "name = \"Risk\"",
            "name = \"Risk\\n%%% code\\nimport os\\n%%% markdown\\u001ecode\"\ndescription = \"%%% code\\n\\u001ecode\\nimport os\"",
        );
        let inputs = Inputs {
            data_folder: "run_data\n%%% code".into(),
            noun: ("unit", "units"),
            units: 3,
            ..Default::default()
        };
        let build_of = |text: &str| {
            let fw = Framework::from_toml(text, "fw.toml").unwrap();
            build(&fw, "fw.toml", "0123456789abcdef", &inputs)
        };
        let (nb, safe) = (build_of(&hostile), build_of(plain));
        assert_eq!(check(&nb), Vec::<String>::new());
        assert_eq!(
            nb["cells"].as_array().unwrap().len(),
            safe["cells"].as_array().unwrap().len()
        );
        let all: String = nb["cells"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|c| {
                c["source"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|l| l.as_str().unwrap().to_string())
            })
            .collect();
        assert!(!all.contains("\nimport os"), "{all}");
        assert!(all.contains("# Risk %%% code import os %%% markdown code"), "{all}");
        assert!(all.contains("%%% code  code import os\n\nExported"), "{all}");
    }
}

//! Jupyter notebook export (nbformat 4.5): markdown cells on the framework and the
//! method, and code cells that load a run's CSV outputs with pandas and redraw the
//! report's main charts with matplotlib.
//!
//! The CSVs are copied into a folder beside the notebook (`<name>_data/`), so the
//! notebook runs wherever it is moved with its folder.

use crate::framework::{Child, Framework};
use crate::output::sensitivity::{SOBOL_COLUMNS, UNCERTAINTY_COLUMNS};
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

/// The notebook as JSON.
pub fn build(fw: &Framework, framework_file: &str, framework_sha: &str, inputs: &Inputs) -> Value {
    let mut cells = Vec::new();
    let mut id = 0;
    let mut push_md = |cells: &mut Vec<Value>, text: &str| {
        id += 1;
        cells.push(markdown(id, text));
    };
    let mut framework_tree = String::new();
    tree(fw, Child::Group(0), 0, &mut framework_tree);
    let scale = fw
        .index
        .scale
        .map_or("the normalised scale".to_string(), |s| format!("{} to {}", s.lo, s.hi));
    push_md(
        &mut cells,
        &format!(
            "# {}\n\n{}\n\nExported by `riskscore export-notebook` from `{}` (sha256 `{}`). \
             The cells below load the run's CSV outputs from `{}/` with pandas and redraw the main charts with matplotlib.",
            md(&fw.index.name),
            md(&fw.index.description.clone().unwrap_or_default()),
            md(framework_file).replace('`', "'"),
            &framework_sha[..framework_sha.len().min(16)],
            md(&inputs.data_folder).replace('`', "'")
        ),
    );
    push_md(
        &mut cells,
        &format!(
            "## The framework\n\nEach indicator is treated (winsorised, transformed), normalised so that a higher value \
             always means more risk, and aggregated up the tree with its weights; the index is scaled to {scale} and \
             classed ({}). Ranks: 1 = highest risk.\n\n{framework_tree}",
            fw.index.classes.iter().map(|c| md(&c.label)).collect::<Vec<_>>().join(", ")
        ),
    );
    let (one, many) = inputs.noun;
    // The charts show the highest-ranked units when there are many (65,000 cells).
    let shown = if inputs.units > TOP {
        format!(" (the {TOP} highest-ranked of {} {many})", inputs.units)
    } else {
        String::new()
    };
    let mut cells_code: Vec<(bool, String)> = vec![
        (
            false,
            format!(
                "import pandas as pd\nimport matplotlib\nmatplotlib.use(\"Agg\")\nimport matplotlib.pyplot as plt\n%matplotlib inline\n\n\ndef colours(n):\n    \"\"\"One colour per series, none repeated: tab10 up to ten, then evenly spaced hues.\"\"\"\n    cmap = plt.get_cmap(\"tab10\" if n <= 10 else \"hsv\")\n    return [cmap(i if n <= 10 else i / n) for i in range(n)]\n\n\nDATA = {}\nscores = pd.read_csv(f\"{{DATA}}/scores.csv\")\nlast = scores[\"period\"].max()\n# What the units are, and how many of them the charts show (the highest-ranked).\nONE, MANY = {}, {}\nTOP = {TOP}\nscores.head()",
                py_str(&inputs.data_folder),
                py_str(one),
                py_str(many)
            ),
        ),
        (true, format!("## Ranking in the last period\n\nScore, rank, class and pillar scores of every {one}.")),
        (
            false,
            "scores[scores[\"period\"] == last].sort_values(\"rank\")".into(),
        ),
        (true, format!("## Scores by {one} and period\n\nOne bar per period; {many} ordered by their rank in the last period{shown}.")),
        (
            false,
            format!(
                "order = scores[scores[\"period\"] == last].sort_values(\"rank\")[\"unit\"].tolist()[:TOP]\nwide = scores.pivot(index=\"unit\", columns=\"period\", values=\"score\").loc[order]\nax = wide.plot.bar(figsize=(10, 4), width=0.8)\nax.legend(title=\"period\", bbox_to_anchor=(1.01, 1), loc=\"upper left\")\nax.set_title({} + \": score by \" + ONE + \" and period\")\nax.set_xlabel(ONE + \" (ordered by rank in the last period)\")\nax.set_ylabel(\"score ({scale})\")\nplt.tight_layout()\nplt.show()",
                py_str(&fw.index.name)
            ),
        ),
        (true, "## Pillar breakdown\n\nPillar scores in the last period (darker = higher risk).".into()),
        (
            false,
            format!(
                "pillars = {}\nlatest = scores[scores[\"period\"] == last].set_index(\"unit\").loc[order, pillars]\nfig, ax = plt.subplots(figsize=(8, 0.45 * len(order) + 1.5))\nim = ax.imshow(latest.values, cmap=\"Reds\", aspect=\"auto\")\nax.set_xticks(range(len(pillars)), pillars)\nax.set_yticks(range(len(order)), order)\nfor i in range(len(order)):\n    for j in range(len(pillars)):\n        v = latest.values[i, j]\n        # White on the dark cells, black on the light ones.\n        ax.text(j, i, f\"{{v:.1f}}\", ha=\"center\", va=\"center\", fontsize=8, color=\"white\" if im.norm(v) > 0.6 else \"black\")\nax.set_title(f\"Pillar scores in {{last}}\")\nax.set_xlabel(\"pillar\")\nax.set_ylabel(ONE + \" (by rank)\")\nfig.colorbar(im, ax=ax, label=\"pillar score\")\nplt.tight_layout()\nplt.show()",
                py_strs(&fw.pillar_order().iter().map(|&g| fw.groups[g].id.clone()).collect::<Vec<_>>())
            ),
        ),
        (true, format!("## Trends\n\nEach {one}'s score over the periods{shown}. {}", fw.change_meaning().1)),
        (
            false,
            format!(
                "trend = scores.pivot(index=\"period\", columns=\"unit\", values=\"score\")[order]\n# Periods as labels, one tick each (not 2018.5).\ntrend.index = trend.index.astype(str)\nax = trend.plot(figsize=(10, 4), marker=\"o\", color=colours(len(order)))\nax.set_title(\"Score trends by \" + ONE + \" (\" + {} + \")\")\nax.set_xlabel(\"period\")\nax.set_ylabel(\"score\")\nax.legend(title=ONE, bbox_to_anchor=(1.01, 1), loc=\"upper left\")\nplt.tight_layout()\nplt.show()",
                py_str(fw.change_meaning().0)
            ),
        ),
    ];
    if inputs.uncertainty {
        cells_code.push((
            true,
            format!(
                "## How far can the ranks be trusted?\n\n`riskscore sensitivity` re-scored every {one} under many alternative \
                 modelling choices (Saltelli's design on a scrambled Sobol sequence). The dot is the median rank over those runs, \
                 the bar spans 5 % to 95 % of them, the cross is the nominal rank{shown}."
            ),
        ));
        cells_code.push((
            false,
            {
                // The column names are uncertainty.csv's own (`UNCERTAINTY_COLUMNS`).
                let [unit, period, nominal, median, q05, q95, ..] = UNCERTAINTY_COLUMNS;
                format!(
                    "unc = pd.read_csv(f\"{{DATA}}/uncertainty.csv\")\nunc = unc[unc[\"{period}\"] == unc[\"{period}\"].max()].sort_values(\"{nominal}\").head(TOP)\nx = range(len(unc))\nfig, ax = plt.subplots(figsize=(10, 4))\nax.errorbar(x, unc[\"{median}\"], yerr=[unc[\"{median}\"] - unc[\"{q05}\"], unc[\"{q95}\"] - unc[\"{median}\"]], fmt=\"o\", color=\"tab:red\", ecolor=\"black\", capsize=5, label=\"median, 5-95 %\")\nax.scatter(x, unc[\"{nominal}\"], marker=\"x\", color=\"tab:blue\", label=\"nominal\")\nax.set_xticks(list(x), unc[\"{unit}\"])\nax.invert_yaxis()\nax.set_title(\"Rank uncertainty\")\nax.set_xlabel(ONE + \" (by nominal rank)\")\nax.set_ylabel(\"rank (1 = highest risk)\")\nax.legend()\nplt.tight_layout()\nplt.show()"
                )
            },
        ));
    }
    if inputs.sobol {
        cells_code.push((
            true,
            "## Which choice moves the ranking most\n\nFirst-order (S1) and total (ST) Sobol indices of the mean absolute rank \
             shift: the share of its variance each modelling choice explains alone, and with its interactions \
             (Saltelli 2010, Jansen 1999)."
                .into(),
        ));
        cells_code.push((
            false,
            {
                // The column names are sobol.csv's own (`SOBOL_COLUMNS`).
                let [output, factor, s1, _, _, st, ..] = SOBOL_COLUMNS;
                format!(
                    "sobol = pd.read_csv(f\"{{DATA}}/sobol.csv\")\nshift = sobol[sobol[\"{output}\"].str.startswith(\"mean_abs_shift:\")]\nshift = shift[shift[\"{output}\"] == shift[\"{output}\"].max()].sort_values(\"{st}\", ascending=False)\nax = shift.set_index(\"{factor}\")[[\"{s1}\", \"{st}\"]].plot.bar(figsize=(10, 4))\nax.set_title(\"Sobol indices of the mean rank shift\")\nax.set_xlabel(\"factor (modelling choice)\")\nax.set_ylabel(\"share of variance\")\nplt.tight_layout()\nplt.show()"
                )
            },
        ));
    }
    if inputs.variants {
        cells_code.push((
            true,
            format!("## Variants compared\n\nThe rank of every {one} under each scoring variant (`riskscore compare`){shown}."),
        ));
        cells_code.push((
            false,
            "var = pd.read_csv(f\"{DATA}/variants.csv\")\nvar = var[var[\"period\"] == var[\"period\"].max()]\nranks = var.set_index(\"unit\")[[c for c in var.columns if c.startswith(\"rank_\")]]\nranks = ranks.sort_values(ranks.columns[0]).head(TOP)\n# Each variant's dot beside the others in its unit's column: equal ranks stay visible.\nk = len(ranks.columns)\nfig, ax = plt.subplots(figsize=(10, 4))\nfor j, (c, colour) in enumerate(zip(ranks.columns, colours(k))):\n    x = [i + (j - (k - 1) / 2) * 0.7 / k for i in range(len(ranks))]\n    ax.scatter(x, ranks[c], color=colour, label=c.removeprefix(\"rank_\"), s=30)\nax.set_xticks(range(len(ranks)), ranks.index)\nax.legend(title=\"variant\", bbox_to_anchor=(1.01, 1), loc=\"upper left\")\nax.invert_yaxis()\nax.set_title(\"Rank by variant\")\nax.set_xlabel(ONE)\nax.set_ylabel(\"rank (1 = highest risk)\")\nplt.tight_layout()\nplt.show()".into(),
        ));
    }
    for (is_md, text) in cells_code {
        id += 1;
        cells.push(if is_md { markdown(id, &text) } else { code(id, &text) });
    }
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
}

//! `[sensitivity]`: the sample size, seed, bootstrap and method, and each factor's
//! kind, targets and options ([`crate::framework::sensitivity`] holds the model).

use super::validator::Validator;
use crate::error::{list_ids, suggest, unknown};
use crate::framework::hierarchy::Child;
use crate::framework::model::Framework;
use crate::framework::schema::{RawFactor, RawSensitivity};
use crate::framework::sensitivity::*;
use crate::pipeline::aggregate::{self, Aggregation};
use crate::pipeline::impute;

pub(crate) fn validate(v: &mut Validator, raw: &RawSensitivity, fw: &Framework) -> Option<Sensitivity> {
    let before = v.problems.len();
    let samples = raw.samples.unwrap_or(1024);
    if let Err(message) = check_samples(samples) {
        v.problem("sensitivity.samples", message);
    }
    let bootstrap = raw.bootstrap.unwrap_or(100);
    if bootstrap == 1 {
        v.problem(
            "sensitivity.bootstrap",
            "expected 0 (no intervals) or at least 2 resamples, found 1",
        );
    }
    let confidence = raw.confidence.unwrap_or(0.95);
    if !(confidence > 0.0 && confidence < 1.0) {
        v.problem(
            "sensitivity.confidence",
            format!("expected a level between 0 and 1, found {confidence}"),
        );
    }
    let method = match raw.method.as_deref() {
        None | Some("sobol") => Method::Sobol,
        Some("montecarlo") => Method::MonteCarlo,
        Some(other) => {
            v.problem(
                "sensitivity.method",
                format!(
                    "unknown value `{other}`: expected one of `sobol`, `montecarlo`{}",
                    suggest(other, ["sobol", "montecarlo"])
                ),
            );
            Method::Sobol
        }
    };
    let period = v.period("sensitivity.period", &raw.period);
    let mut factors = Vec::new();
    if raw.factors.is_empty() {
        v.problem("sensitivity.factors", "no factors: list at least one uncertain choice, e.g. { kind = \"weight\", target = \"group:*\", range = [0.75, 1.25] }");
    }
    for (i, f) in raw.factors.iter().enumerate() {
        factor(v, f, i + 1, fw, &mut factors);
    }
    let mut seen = std::collections::HashSet::new();
    for f in &factors {
        if !seen.insert(f.name.clone()) {
            v.problem("sensitivity.factors", format!("factor `{}` is listed twice", f.name));
        }
    }
    check_impute_groups(v, fw, &factors);
    if v.problems.len() > before {
        return None;
    }
    Some(Sensitivity {
        samples,
        seed: raw.seed.unwrap_or(42),
        bootstrap,
        confidence,
        method,
        period,
        factors,
    })
}

fn options<T: Copy>(
    v: &mut Validator,
    key: &str,
    raw: &Option<Vec<String>>,
    names: &[&str],
    table: &[(&str, T)],
) -> Vec<T> {
    parsed_options(v, key, raw, names, |o| {
        table.iter().find(|(n, _)| *n == o).map(|(_, t)| *t)
    })
}

fn factor(v: &mut Validator, f: &RawFactor, n: usize, fw: &Framework, out: &mut Vec<Factor>) {
    let key = format!("sensitivity.factors[{n}]");
    if f.file.is_some() && f.kind != "weight_sets" {
        v.problem(format!("{key}.file"), format!("not used by kind `{}`", f.kind));
    }
    match f.kind.as_str() {
        "weight" => weight(v, f, &key, fw, out),
        "normalise" => normalise(v, f, &key, out),
        "aggregate" => aggregation(v, f, &key, fw, out),
        "exclude" => exclude(v, f, &key, fw, out),
        "impute" => imputation(v, f, &key, out),
        "treatment" => treatment(v, f, &key, out),
        "weight_sets" => weight_sets(v, f, &key, fw, out),
        other => {
            let kinds = [
                "weight",
                "normalise",
                "aggregate",
                "exclude",
                "impute",
                "treatment",
                "weight_sets",
            ];
            v.problem(format!("{key}.kind"), unknown("kind", other, kinds));
        }
    }
}

/// Options parsed one by one (each bad one reported, with the accepted forms).
fn parsed_options<T>(
    v: &mut Validator,
    key: &str,
    raw: &Option<Vec<String>>,
    forms: &[&str],
    parse: impl Fn(&str) -> Option<T>,
) -> Vec<T> {
    let Some(list) = raw else {
        v.problem(
            key,
            format!("needs options = [...], from {}", list_ids(forms.iter().copied())),
        );
        return Vec::new();
    };
    if list.is_empty() {
        v.problem(key, "options must not be empty");
    }
    list.iter()
        .filter_map(|o| {
            let parsed = parse(o);
            if parsed.is_none() {
                v.problem(key, unknown("option", o, forms.iter().copied()));
            }
            parsed
        })
        .collect()
}

/// Adds a factor; its Sobol group is its own name unless `group` is given.
fn push(out: &mut Vec<Factor>, f: &RawFactor, name: String, kind: FactorKind) {
    let group = f.group.clone().unwrap_or_else(|| name.clone());
    out.push(Factor { name, kind, group });
}

/// Keys given that this kind does not use.
fn unused(v: &mut Validator, f: &RawFactor, key: &str, names: &[(&str, bool)]) {
    for (k, present) in names {
        if *present {
            v.problem(format!("{key}.{k}"), format!("not used by kind `{}`", f.kind));
        }
    }
}

/// `kind = "weight"`: a multiplier range on the weights of the targets.
fn weight(v: &mut Validator, f: &RawFactor, key: &str, fw: &Framework, out: &mut Vec<Factor>) {
    let indicator_ids: Vec<&str> = fw.indicators.iter().map(|i| i.id.as_str()).collect();
    unused(
        v,
        f,
        key,
        &[
            ("options", f.options.is_some()),
            ("mode", f.mode.is_some()),
            ("targets", f.targets.is_some()),
        ],
    );
    let (lo, hi) = match f.range.as_deref() {
        Some([lo, hi]) if lo.is_finite() && hi.is_finite() && *lo > 0.0 && lo <= hi => (*lo, *hi),
        other => {
            v.problem(
                format!("{key}.range"),
                format!("expected range = [low, high] of weight multipliers with 0 < low <= high, found {other:?}"),
            );
            return;
        }
    };
    let target = f.target.as_deref().unwrap_or("group:*");
    let children = weight_targets(fw, target);
    if children.is_empty() {
        let ids = fw
            .groups
            .iter()
            .skip(1)
            .map(|g| g.id.as_str())
            .chain(indicator_ids.iter().copied());
        v.problem(
            format!("{key}.target"),
            format!(
                "`{target}` matches no group or indicator: use group:*, group:<id>, indicator:*, indicator:<id> or level:<depth>{}",
                suggest(target.rsplit(':').next().unwrap_or(target), ids)
            ),
        );
    }
    for child in children {
        push(
            out,
            f,
            format!("weight:{}", fw.child_id(child)),
            FactorKind::Weight { child, lo, hi },
        );
    }
}

/// `kind = "normalise"`: a choice among normalisation methods for every indicator.
fn normalise(v: &mut Validator, f: &RawFactor, key: &str, out: &mut Vec<Factor>) {
    unused(
        v,
        f,
        key,
        &[
            ("range", f.range.is_some()),
            ("target", f.target.is_some()),
            ("targets", f.targets.is_some()),
            ("mode", f.mode.is_some()),
        ],
    );
    let mut names: Vec<&str> = NORMALISE_CHOICES.iter().map(|(n, _)| *n).collect();
    names.extend(["minmax(l, u)", "zscore(m, s)"]);
    let options = parsed_options(v, &format!("{key}.options"), &f.options, &names, NormaliseChoice::parse);
    push(out, f, "normalise".into(), FactorKind::Normalise { options });
}

/// `kind = "aggregate"`: a choice among aggregations of one group.
fn aggregation(v: &mut Validator, f: &RawFactor, key: &str, fw: &Framework, out: &mut Vec<Factor>) {
    unused(
        v,
        f,
        key,
        &[
            ("range", f.range.is_some()),
            ("targets", f.targets.is_some()),
            ("mode", f.mode.is_some()),
        ],
    );
    let target = f.target.as_deref().unwrap_or(&fw.index.id);
    let group = if target == "*" {
        None
    } else {
        fw.groups.iter().position(|g| g.id == target)
    };
    if group.is_none() && target != "*" {
        v.problem(
            format!("{key}.target"),
            format!(
                "unknown group `{target}`{}",
                suggest(target, fw.groups.iter().map(|g| g.id.as_str()))
            ),
        );
        return;
    };
    let options = match &f.options {
        None => {
            v.problem(
                format!("{key}.options"),
                format!(
                    "needs options = [...], from {}",
                    list_ids(aggregate::NAMES.iter().copied())
                ),
            );
            Vec::new()
        }
        Some(list) => {
            if list.is_empty() {
                v.problem(format!("{key}.options"), "options must not be empty");
            }
            list.iter()
                .filter_map(|o| {
                    let parsed = Aggregation::parse(o);
                    if parsed.is_none() {
                        v.problem(
                            format!("{key}.options"),
                            unknown("option", o, aggregate::NAMES.iter().copied()),
                        );
                    }
                    parsed
                })
                .collect()
        }
    };
    let kind = match group {
        Some(group) => FactorKind::Aggregate { group, options },
        None => FactorKind::AggregateAll { options },
    };
    push(out, f, format!("aggregate:{target}"), kind);
}

/// `kind = "weight_sets"`: one of the pre-drawn weight sets in `file` (CSV with
/// columns `set`, `id` (or COINr's `iCode`) and `weight` (or `Weight`)).
fn weight_sets(v: &mut Validator, f: &RawFactor, key: &str, fw: &Framework, out: &mut Vec<Factor>) {
    unused(
        v,
        f,
        key,
        &[
            ("range", f.range.is_some()),
            ("target", f.target.is_some()),
            ("targets", f.targets.is_some()),
            ("mode", f.mode.is_some()),
            ("options", f.options.is_some()),
        ],
    );
    let Some(file) = &f.file else {
        v.problem(
            format!("{key}.file"),
            "needs file = \"<sets.csv>\": rows set, id, weight (relative to the framework file)",
        );
        return;
    };
    let path = std::path::Path::new(&v.file)
        .parent()
        .unwrap_or(std::path::Path::new(""))
        .join(file);
    match read_weight_sets(&path, fw) {
        Ok(sets) => push(
            out,
            f,
            "weight_sets".into(),
            FactorKind::WeightSets {
                file: path.display().to_string(),
                sets,
            },
        ),
        Err(problems) => {
            for p in problems {
                v.problem(format!("{key}.file"), p);
            }
        }
    }
}

/// The weight sets of a CSV, in first-seen order of `set`; ids of the index are
/// ignored (it has no weight), unknown ids are errors.
fn read_weight_sets(path: &std::path::Path, fw: &Framework) -> Result<Vec<Vec<(Child, f64)>>, Vec<String>> {
    let name = path.display().to_string();
    let bytes =
        crate::input::file::read(path, "weight sets file", Default::default()).map_err(|e| vec![e.to_string()])?;
    let table = crate::input::table::read_table(&bytes, &name, Some(b','))
        .map_err(|e| e.problems().iter().map(|p| p.to_string()).collect::<Vec<_>>())?;
    let header = &table.header;
    let col = |names: &[&str]| header.iter().position(|h| names.contains(&h.as_str()));
    let (Some(set_col), Some(id_col), Some(weight_col)) =
        (col(&["set"]), col(&["id", "iCode"]), col(&["weight", "Weight"]))
    else {
        return Err(vec![format!(
            "{name}: expected columns set, id (or iCode) and weight (or Weight), found {}",
            header.join(", ")
        )]);
    };
    let mut labels: Vec<String> = Vec::new();
    let mut sets: Vec<Vec<(Child, f64)>> = Vec::new();
    let mut problems = Vec::new();
    for (row, record) in &table.rows {
        let get = |c: usize| record[c].trim().to_string();
        let (label, id, weight) = (get(set_col), get(id_col), get(weight_col));
        if id == fw.index.id {
            continue;
        }
        let child = fw
            .groups
            .iter()
            .position(|g| g.id == id)
            .filter(|&g| g > 0)
            .map(Child::Group)
            .or_else(|| fw.indicators.iter().position(|k| k.id == id).map(Child::Indicator));
        let Some(child) = child else {
            problems.push(format!(
                "{name}: row {row}: `{id}` is not a group or indicator of the framework"
            ));
            continue;
        };
        let w = match weight.parse::<f64>() {
            Ok(w) if w.is_finite() && w > 0.0 => w,
            _ => {
                problems.push(format!("{name}: row {row}: expected a weight > 0, found `{weight}`"));
                continue;
            }
        };
        let s = match labels.iter().position(|l| *l == label) {
            Some(s) => s,
            None => {
                labels.push(label);
                sets.push(Vec::new());
                sets.len() - 1
            }
        };
        sets[s].push((child, w));
    }
    if sets.len() < 2 && problems.is_empty() {
        problems.push(format!("{name}: expected at least 2 weight sets, found {}", sets.len()));
    }
    if problems.len() > 20 {
        let more = problems.len() - 20;
        problems.truncate(20);
        problems.push(format!("... and {more} more"));
    }
    if problems.is_empty() {
        Ok(sets)
    } else {
        Err(problems)
    }
}

/// `kind = "exclude"`: indicators that may be left out, each or one at a time.
fn exclude(v: &mut Validator, f: &RawFactor, key: &str, fw: &Framework, out: &mut Vec<Factor>) {
    let indicator_ids: Vec<&str> = fw.indicators.iter().map(|i| i.id.as_str()).collect();
    unused(
        v,
        f,
        key,
        &[
            ("range", f.range.is_some()),
            ("options", f.options.is_some()),
            ("target", f.target.is_some()),
        ],
    );
    let targets = f.targets.clone().unwrap_or_default();
    if targets.is_empty() {
        v.problem(format!("{key}.targets"), "needs targets = [indicator ids]");
    }
    let mut found = Vec::new();
    for t in &targets {
        match fw.indicators.iter().position(|i| &i.id == t) {
            Some(k) => found.push(k),
            None => v.problem(
                format!("{key}.targets"),
                format!("unknown indicator `{t}`{}", suggest(t, indicator_ids.iter().copied())),
            ),
        }
    }
    match f.mode.as_deref().unwrap_or("each") {
        "each" => {
            for k in found {
                push(
                    out,
                    f,
                    format!("exclude:{}", fw.indicators[k].id),
                    FactorKind::Exclude { indicator: k },
                );
            }
        }
        "one_at_a_time" => {
            let options = std::iter::once(None).chain(found.into_iter().map(Some)).collect();
            push(out, f, "exclude".into(), FactorKind::ExcludeOne { options });
        }
        other => v.problem(
            format!("{key}.mode"),
            format!(
                "unknown value `{other}`: expected one of `each`, `one_at_a_time`{}",
                suggest(other, ["each", "one_at_a_time"])
            ),
        ),
    }
}

/// `kind = "impute"`: a choice among imputation methods for every indicator.
fn imputation(v: &mut Validator, f: &RawFactor, key: &str, out: &mut Vec<Factor>) {
    unused(
        v,
        f,
        key,
        &[
            ("range", f.range.is_some()),
            ("target", f.target.is_some()),
            ("targets", f.targets.is_some()),
            ("mode", f.mode.is_some()),
        ],
    );
    let options = options(v, &format!("{key}.options"), &f.options, impute::NAMES, impute::CHOICES);
    push(out, f, "impute".into(), FactorKind::Impute { options });
}

/// `kind = "treatment"`: the framework's treatment on or off.
fn treatment(v: &mut Validator, f: &RawFactor, key: &str, out: &mut Vec<Factor>) {
    unused(
        v,
        f,
        key,
        &[
            ("range", f.range.is_some()),
            ("target", f.target.is_some()),
            ("targets", f.targets.is_some()),
            ("mode", f.mode.is_some()),
        ],
    );
    let options = match &f.options {
        None => vec![TreatmentChoice::Framed, TreatmentChoice::Off],
        Some(_) => parsed_options(
            v,
            &format!("{key}.options"),
            &f.options,
            &["framed", "none", "winmax(k)"],
            TreatmentChoice::parse,
        ),
    };
    push(out, f, "treatment".into(), FactorKind::Treatment { options });
}

/// Groups and indicators a weight target names.
fn weight_targets(fw: &Framework, target: &str) -> Vec<Child> {
    let depth = |mut g: usize| {
        let mut d = 0;
        while let Some(p) = fw.groups[g].parent {
            d += 1;
            g = p;
        }
        d
    };
    let groups = (1..fw.groups.len()).map(Child::Group);
    let indicators = (0..fw.indicators.len()).map(Child::Indicator);
    match target.split_once(':') {
        Some(("group", "*")) => groups.collect(),
        Some(("indicator", "*")) => indicators.collect(),
        Some(("group", id)) => groups.filter(|c| fw.child_id(*c) == id).collect(),
        Some(("indicator", id)) => indicators.filter(|c| fw.child_id(*c) == id).collect(),
        Some(("level", n)) => match n.parse::<usize>() {
            Ok(n) => groups
                .filter(|c| matches!(c, Child::Group(g) if depth(*g) == n))
                .collect(),
            Err(_) => Vec::new(),
        },
        _ => groups.chain(indicators).filter(|c| fw.child_id(*c) == target).collect(),
    }
}

/// A run that imputes from the unit's group needs each indicator's `impute_group`.
fn check_impute_groups(v: &mut Validator, fw: &Framework, factors: &[Factor]) {
    for f in factors {
        let FactorKind::Impute { options } = &f.kind else {
            continue;
        };
        let Some(method) = options.iter().find(|o| o.needs_unit_group()) else {
            continue;
        };
        let lacking: Vec<&str> = fw
            .indicators
            .iter()
            .filter(|i| i.impute_group.is_none())
            .map(|i| i.id.as_str())
            .collect();
        if !lacking.is_empty() {
            let name = impute::CHOICES
                .iter()
                .find(|(_, m)| m == method)
                .map_or("", |(n, _)| *n);
            v.problem(
                "sensitivity.factors.impute.options".to_string(),
                format!(
                    "option `{name}` imputes from each unit's group, but {} set no impute_group: set it in [defaults], e.g. impute_group = \"region\"",
                    crate::error::list_ids(lacking.iter().copied())
                ),
            );
        }
    }
}

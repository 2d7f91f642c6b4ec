//! The audit's tables (`stats`, `correlations`, `cronbach`, `pca`, `effective_weights`,
//! `units`) and its summary for the terminal, from [`crate::audit::Audit`].
//!
//! - `stats`: per indicator, n, availability, share of zeros, unique values, min, max,
//!   mean, sd, skewness, kurtosis and the four flags;
//! - `correlations`: per indicator and sibling, parent or index, and per group and its
//!   parent: n, Pearson and Spearman with p-values, and the flag;
//! - `cronbach`: per group and data set (raw, treated, normalised), items, n, alpha;
//! - `pca`: per group, one row per component (eigenvalue, explained, cumulative) and
//!   one per child (its first-component eigenvector entry, COINr's and prcomp's
//!   "loading", and its loading `eigenvector x sqrt(eigenvalue)`);
//! - `effective_weights`: per indicator, nominal weight, correlation with the index,
//!   importance;
//! - `units`: per unit, availability and its strongest and weakest indicators.

use super::table::{Cell, Table};
use crate::audit::Audit;

fn header(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn num(v: f64) -> Cell {
    Cell::Exact(v)
}

/// The files the audit writes.
pub const FILES: &[&str] = &[
    "stats.csv",
    "correlations.csv",
    "cronbach.csv",
    "pca.csv",
    "effective_weights.csv",
    "units.csv",
    "manifest.json",
];

/// Every table of the audit, in the order they are written.
pub fn tables(a: &Audit) -> Vec<Table<'_>> {
    vec![
        stats(a),
        correlations(a),
        cronbach(a),
        pca(a),
        effective_weights(a),
        units(a),
    ]
}

fn table<'a>(name: &'static str, header: Vec<String>, rows: impl Iterator<Item = Vec<Cell>> + 'a) -> Table<'a> {
    Table {
        name,
        header,
        rows: rows.into(),
    }
}

fn stats(a: &Audit) -> Table<'_> {
    let head = header(&[
        "indicator",
        "group",
        "n",
        "availability",
        "zeros",
        "unique",
        "min",
        "max",
        "mean",
        "sd",
        "skewness",
        "kurtosis",
        "outlier",
        "low_availability",
        "many_zeros",
        "few_unique",
    ]);
    table(
        "stats",
        head,
        a.stats.iter().map(|s| {
            vec![
                Cell::Text(s.indicator.clone()),
                Cell::Text(s.group.clone()),
                Cell::Int(s.n as i64),
                Cell::Num(s.availability, 4),
                Cell::Num(s.zeros, 4),
                Cell::Int(s.unique as i64),
                num(s.min),
                num(s.max),
                num(s.mean),
                num(s.sd),
                num(s.skewness),
                num(s.kurtosis),
                Cell::Bool(s.outlier),
                Cell::Bool(s.low_availability),
                Cell::Bool(s.many_zeros),
                Cell::Bool(s.few_unique),
            ]
        }),
    )
}

fn correlations(a: &Audit) -> Table<'_> {
    let head = header(&[
        "indicator",
        "with_kind",
        "with",
        "n",
        "pearson",
        "pearson_p",
        "spearman",
        "spearman_p",
        "flag",
    ]);
    table(
        "correlations",
        head,
        a.correlations.iter().map(|c| {
            vec![
                Cell::Text(c.indicator.clone()),
                Cell::Text(c.with_kind.into()),
                Cell::Text(c.with.clone()),
                Cell::Int(c.n as i64),
                num(c.pearson),
                num(c.pearson_p),
                num(c.spearman),
                num(c.spearman_p),
                Cell::Text(c.flag.into()),
            ]
        }),
    )
}

fn cronbach(a: &Audit) -> Table<'_> {
    table(
        "cronbach",
        header(&["group", "data", "items", "n", "alpha"]),
        a.cronbach.iter().map(|c| {
            vec![
                Cell::Text(c.group.clone()),
                Cell::Text(c.data.into()),
                Cell::Int(c.items as i64),
                Cell::Int(c.n as i64),
                num(c.alpha),
            ]
        }),
    )
}

fn pca(a: &Audit) -> Table<'_> {
    let mut rows = Vec::new();
    for p in &a.pca {
        let mut cumulative = 0.0;
        for (j, (&ev, &ex)) in p.eigenvalues.iter().zip(&p.explained).enumerate() {
            cumulative += ex;
            rows.push(vec![
                Cell::Text(p.group.clone()),
                Cell::Int(p.n as i64),
                Cell::Int(j as i64 + 1),
                Cell::Empty,
                num(ev),
                num(ex),
                num(cumulative),
                Cell::Empty,
                Cell::Empty,
            ]);
        }
        for ((id, l), v) in p.loadings.iter().zip(&p.eigenvector) {
            rows.push(vec![
                Cell::Text(p.group.clone()),
                Cell::Int(p.n as i64),
                Cell::Int(1),
                Cell::Text(id.clone()),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                num(*v),
                num(*l),
            ]);
        }
    }
    let head = header(&[
        "group",
        "n",
        "component",
        "child",
        "eigenvalue",
        "explained",
        "cumulative",
        "eigenvector",
        "loading",
    ]);
    table("pca", head, rows.into_iter())
}

fn effective_weights(a: &Audit) -> Table<'_> {
    table(
        "effective_weights",
        header(&["indicator", "nominal_weight", "corr_with_index", "importance"]),
        a.effective.iter().map(|e| {
            vec![
                Cell::Text(e.indicator.clone()),
                num(e.nominal),
                num(e.corr_with_index),
                num(e.importance),
            ]
        }),
    )
}

fn units(a: &Audit) -> Table<'_> {
    let list = |v: &[(String, f64)]| {
        v.iter()
            .map(|(id, x)| format!("{id} ({x:.1})"))
            .collect::<Vec<_>>()
            .join("; ")
    };
    table(
        "units",
        header(&["unit", "availability", "strongest", "weakest"]),
        a.profiles.iter().map(move |u| {
            vec![
                Cell::Text(u.unit.clone()),
                Cell::Num(u.availability, 4),
                Cell::Text(list(&u.strongest)),
                Cell::Text(list(&u.weakest)),
            ]
        }),
    )
}

/// What a reader should look at first: the flagged indicators and correlations,
/// alpha and the first component's share per group, nominal weight vs importance.
pub fn summary(framework_file: &str, a: &Audit) -> String {
    let mut t = format!("audit of {} in {} ({} units)\n", framework_file, a.period, a.units);
    for s in &a.stats {
        let mut flags = Vec::new();
        if s.outlier {
            flags.push(format!("outliers (skew {:.2}, kurtosis {:.2})", s.skewness, s.kurtosis));
        }
        if s.low_availability {
            flags.push(format!("availability {:.0}%", 100.0 * s.availability));
        }
        if s.many_zeros {
            flags.push(format!("{:.0}% zeros", 100.0 * s.zeros));
        }
        if s.few_unique {
            flags.push(format!("{} unique values", s.unique));
        }
        if !flags.is_empty() {
            t.push_str(&format!("  {:<28} {}\n", s.indicator, flags.join(", ")));
        }
    }
    for c in a.correlations.iter().filter(|c| !c.flag.is_empty()) {
        if c.with_kind == "sibling" && c.indicator > c.with {
            continue;
        }
        t.push_str(&format!(
            "  {:<28} {} with {} `{}` (r = {:.2}, p = {:.3})\n",
            c.indicator, c.flag, c.with_kind, c.with, c.pearson, c.pearson_p
        ));
    }
    t.push_str("  group                          alpha  PC1 share\n");
    for c in a.cronbach.iter().filter(|c| c.data == "normalised") {
        let pc1 = a
            .pca
            .iter()
            .find(|p| p.group == c.group)
            .map_or(f64::NAN, |p| p.explained[0]);
        let alpha = if c.alpha.is_nan() {
            "-".to_string()
        } else {
            format!("{:.2}", c.alpha)
        };
        let pc1 = if pc1.is_nan() {
            "-".to_string()
        } else {
            format!("{:.0}%", 100.0 * pc1)
        };
        t.push_str(&format!("  {:<28} {alpha:>7} {pc1:>10}\n", c.group));
    }
    t.push_str("  indicator                    nominal  importance\n");
    for e in &a.effective {
        // An indicator that is constant over the units correlates with nothing.
        let importance = if e.importance.is_nan() {
            "constant".to_string()
        } else {
            format!("{:.1}%", 100.0 * e.importance)
        };
        t.push_str(&format!(
            "  {:<28} {:>6.1}% {importance:>11}\n",
            e.indicator,
            100.0 * e.nominal
        ));
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_list_names_every_table() {
        let a = Audit {
            period: crate::period::Period::parse("2022").unwrap(),
            units: 0,
            stats: Vec::new(),
            correlations: Vec::new(),
            cronbach: Vec::new(),
            pca: Vec::new(),
            effective: Vec::new(),
            profiles: Vec::new(),
        };
        let mut names: Vec<String> = tables(&a).iter().map(|t| format!("{}.csv", t.name)).collect();
        names.push("manifest.json".into());
        assert_eq!(names, FILES);
    }

    #[test]
    fn a_constant_indicator_has_no_importance() {
        let a = Audit {
            period: crate::period::Period::parse("2022").unwrap(),
            units: 3,
            stats: Vec::new(),
            correlations: Vec::new(),
            cronbach: vec![crate::audit::Cronbach {
                group: "g".into(),
                data: "normalised",
                items: 2,
                n: 3,
                alpha: f64::NAN,
            }],
            pca: Vec::new(),
            effective: vec![crate::audit::EffectiveWeight {
                indicator: "flat".into(),
                nominal: 0.5,
                corr_with_index: f64::NAN,
                importance: f64::NAN,
            }],
            profiles: Vec::new(),
        };
        let text = summary("f.toml", &a);
        assert!(
            text.contains("  g                                  -          -\n"),
            "{text}"
        );
        assert!(
            text.contains("  flat                           50.0%    constant\n"),
            "{text}"
        );
        assert!(!text.contains("NaN"), "{text}");
    }
}

//! The tables of `backtest` and its summary for the terminal.
//!
//! - `backtest`: per forecaster (variant or baseline), step and origin period (and
//!   `all`, pooled): the outcome period, n, positives, the pairs with a probability,
//!   then each metric of [`METRIC_NAMES`] with `_lo` and `_hi` bounds, and a note;
//! - `ranking`: per step, the forecasters from best to worst (pooled rows);
//! - `skill`: per step, every variant against every baseline: the difference of each
//!   metric (variant minus baseline) with its interval, and the verdict on average
//!   precision;
//! - `reliability`: per step and forecaster, the ten bins of predicted probability;
//! - `forecasts`: the long table, one row per unit, origin, step and forecaster.

use super::table::{Cell, Table};
use crate::backtest::{self, Backtest, Estimate, Row, Verdict, METRIC_NAMES, VERDICT_METRIC};

/// Decimals of the metrics in the tables.
const DECIMALS: usize = 6;

fn est(e: Estimate) -> [Cell; 3] {
    [
        Cell::Num(e.value, DECIMALS),
        Cell::Num(e.lo, DECIMALS),
        Cell::Num(e.hi, DECIMALS),
    ]
}

/// The first columns of `backtest.csv`, in order (the metrics and `note` follow).
pub const BACKTEST_COLUMNS: [&str; 8] = [
    "variant",
    "kind",
    "step",
    "period",
    "outcome_period",
    "n",
    "positives",
    "n_probability",
];

/// The columns of `forecasts.csv`, in order (the report reads them by these names).
pub const FORECASTS_COLUMNS: [&str; 10] = [
    "unit",
    "period",
    "step",
    "outcome_period",
    "variant",
    "kind",
    "score",
    "probability",
    "outcome",
    "event",
];

fn strings(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// Every forecaster's skill per origin and pooled.
pub fn backtest(bt: &Backtest) -> Table<'_> {
    let mut header = strings(&BACKTEST_COLUMNS);
    for m in METRIC_NAMES {
        header.extend([m.to_string(), format!("{m}_lo"), format!("{m}_hi")]);
    }
    header.push("note".into());
    let table_rows = bt.rows.iter().map(|r| {
        let mut cells = vec![
            Cell::Text(r.forecaster.clone()),
            Cell::Text(r.kind.as_str().into()),
            Cell::Int(r.step),
            Cell::Text(r.period.map_or("all".into(), |p| p.to_string())),
            r.outcome_period.map_or(Cell::Empty, |p| Cell::Text(p.to_string())),
            Cell::Int(r.n as i64),
            Cell::Int(r.positives as i64),
            Cell::Int(r.with_probability as i64),
        ];
        for e in r.metrics {
            cells.extend(est(e));
        }
        cells.push(Cell::Text(r.note.clone()));
        cells
    });
    Table {
        name: "backtest",
        header,
        rows: table_rows.into(),
    }
}

/// Per step, the forecasters from best to worst ([`backtest::ranking`]).
pub fn ranking(bt: &Backtest) -> Table<'_> {
    let mut header = strings(&["step", "rank", "variant", "kind"]);
    header.extend(METRIC_NAMES.iter().map(|m| m.to_string()));
    header.push("n".into());
    let rank_rows = bt.steps.iter().flat_map(move |&step| {
        backtest::ranking(&bt.rows, step)
            .into_iter()
            .enumerate()
            .map(move |(i, r)| {
                let mut cells = vec![
                    Cell::Int(step),
                    Cell::Int(i as i64 + 1),
                    Cell::Text(r.forecaster.clone()),
                    Cell::Text(r.kind.as_str().into()),
                ];
                cells.extend(r.metrics.iter().map(|e| Cell::Num(e.value, DECIMALS)));
                cells.push(Cell::Int(r.n as i64));
                cells
            })
    });
    Table {
        name: "ranking",
        header,
        rows: rank_rows.into(),
    }
}

/// The word of a verdict in `skill.csv`.
pub fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Beats => "beats",
        Verdict::NoBetter => "no_better",
        Verdict::Worse => "worse",
        Verdict::NoInterval => "no_interval",
        Verdict::Undefined => "undefined",
    }
}

/// Every variant against every baseline, per step.
pub fn skill(bt: &Backtest) -> Table<'_> {
    let mut header = strings(&["step", "variant", "baseline", "n"]);
    for m in METRIC_NAMES {
        header.extend([format!("{m}_diff"), format!("{m}_lo"), format!("{m}_hi")]);
    }
    header.push(format!("verdict_{}", METRIC_NAMES[VERDICT_METRIC]));
    let rows = bt.skill.iter().map(|s| {
        let mut cells = vec![
            Cell::Int(s.step),
            Cell::Text(s.variant.clone()),
            Cell::Text(s.baseline.clone()),
            Cell::Int(s.n as i64),
        ];
        for e in s.difference {
            cells.extend(est(e));
        }
        cells.push(Cell::Text(verdict_word(s.verdict(VERDICT_METRIC)).into()));
        cells
    });
    Table {
        name: "skill",
        header,
        rows: rows.into(),
    }
}

/// The reliability tables: per step and forecaster, ten bins.
pub fn reliability(bt: &Backtest) -> Table<'_> {
    let header = strings(&[
        "step",
        "variant",
        "kind",
        "bin_lo",
        "bin_hi",
        "n",
        "mean_predicted",
        "observed_rate",
    ]);
    let rows = bt.reliability.iter().flat_map(|r| {
        r.bins.iter().map(move |b| {
            vec![
                Cell::Int(r.step),
                Cell::Text(r.forecaster.clone()),
                Cell::Text(r.kind.as_str().into()),
                Cell::Num(b.lo, 1),
                Cell::Num(b.hi, 1),
                Cell::Int(b.n as i64),
                Cell::Num(b.mean_predicted, DECIMALS),
                Cell::Num(b.observed, DECIMALS),
            ]
        })
    });
    Table {
        name: "reliability",
        header,
        rows: rows.into(),
    }
}

/// The long table: unit, origin, step, outcome period, forecaster, its forecast and
/// probability, the outcome and whether it is an event.
pub fn forecasts(bt: &Backtest, threshold: f64) -> Table<'_> {
    let header = strings(&FORECASTS_COLUMNS);
    let rows = bt.forecasts.iter().map(move |f| {
        let (name, kind) = &bt.forecasters[f.forecaster];
        vec![
            Cell::Text(bt.units[f.unit].clone()),
            Cell::Text(f.origin.to_string()),
            Cell::Int(f.step),
            Cell::Text(f.target.to_string()),
            Cell::Text(name.clone()),
            Cell::Text(kind.as_str().into()),
            Cell::Exact(f.score),
            Cell::Exact(f.p),
            Cell::Exact(f.outcome),
            Cell::Int(i64::from(f.outcome > threshold)),
        ]
    });
    Table {
        name: "forecasts",
        header,
        rows: rows.into(),
    }
}

/// What the backtest asked, per step the ranking as a text table, and a verdict line
/// per variant.
pub fn summary(bt: &Backtest, outcome: &str, threshold: f64, top_k: usize) -> String {
    let fmt = |e: Estimate| {
        if e.value.is_nan() {
            format!("{:<18}", "  -")
        } else if e.lo.is_nan() {
            format!("{:>6.3}{:12}", e.value, "")
        } else {
            format!("{:>6.3} [{:>4.2},{:>5.2}]", e.value, e.lo, e.hi)
        }
    };
    let columns = [
        (0, "spearman".to_string()),
        (2, "auroc".to_string()),
        (3, "avg precision".to_string()),
        (4, "brier".to_string()),
        (5, "log loss".to_string()),
        (6, format!("precision@{top_k}")),
    ];
    let width = bt
        .forecasters
        .iter()
        .map(|(n, _)| n.chars().count())
        .max()
        .unwrap_or(0)
        .max(8);
    let mut text = String::new();
    for &step in &bt.steps {
        let ranking: Vec<&Row> = backtest::ranking(&bt.rows, step);
        let pooled = ranking.iter().map(|r| r.n).max().unwrap_or(0);
        text.push_str(&format!(
            "backtest: forecast at t vs `{outcome}` at t+{step} ({pooled} unit-periods pooled; event: > {threshold}; 95 % bootstrap intervals over units)\n{:<4} {:<width$} {:<8}",
            "rank", "forecast", "kind"
        ));
        for (_, name) in &columns {
            text.push_str(&format!(" {name:<18}"));
        }
        text.push('\n');
        for (i, r) in ranking.iter().enumerate() {
            text.push_str(&format!("{:<4} {:<width$} {:<8}", i + 1, r.forecaster, r.kind.as_str()));
            for (m, _) in &columns {
                text.push_str(&format!(" {}", fmt(r.metrics[*m])));
            }
            text.push('\n');
        }
        for (_, name, line) in bt.verdicts.iter().filter(|v| v.0 == step) {
            text.push_str(&format!("{name}: {line}\n"));
        }
    }
    text
}

/// Per forecaster, the steps and origins where a note holds.
type Where<'a> = Vec<(&'a str, Vec<String>)>;

/// The notes of the rows, each said once: the forecasters with the same note at the
/// same steps and origins on one line ("every forecast, t+1 2018: ...").
pub fn notes(bt: &Backtest) -> Vec<String> {
    // Per note: per forecaster, where (step and origin) it holds, in order.
    let mut by_note: Vec<(&str, Where)> = Vec::new();
    for r in bt.rows.iter().filter(|r| !r.note.is_empty()) {
        let at = format!("t+{} {}", r.step, r.period.map_or("all".into(), |p| p.to_string()));
        let i = match by_note.iter().position(|(n, _)| *n == r.note) {
            Some(i) => i,
            None => {
                by_note.push((&r.note, Vec::new()));
                by_note.len() - 1
            }
        };
        let who = &mut by_note[i].1;
        match who.iter_mut().find(|(f, _)| *f == r.forecaster) {
            Some((_, at_list)) => at_list.push(at),
            None => who.push((&r.forecaster, vec![at])),
        }
    }
    let all: Vec<&str> = bt.forecasters.iter().map(|(n, _)| n.as_str()).collect();
    let mut out = Vec::new();
    for (note, who) in by_note {
        // Forecasters with the same places share a line.
        let mut lines: Vec<(&Vec<String>, Vec<&str>)> = Vec::new();
        for (forecaster, at) in &who {
            match lines.iter_mut().find(|(a, _)| *a == at) {
                Some((_, names)) => names.push(forecaster),
                None => lines.push((at, vec![forecaster])),
            }
        }
        for (at, names) in lines {
            let others: Vec<&str> = all.iter().copied().filter(|n| !names.contains(n)).collect();
            let who = if others.is_empty() && names.len() > 1 {
                "every forecast".to_string()
            } else if !others.is_empty() && others.len() <= 2 && names.len() > 2 {
                format!("every forecast but {}", others.join(", "))
            } else {
                names.join(", ")
            };
            out.push(format!("{who}, {}: {note}", places(at)));
        }
    }
    out
}

/// `t+1 2018, 2019; t+2 2018` from `t+1 2018`, `t+1 2019`, `t+2 2018`.
fn places(at: &[String]) -> String {
    let mut steps: Vec<(&str, Vec<&str>)> = Vec::new();
    for a in at {
        let (step, period) = a.split_once(' ').unwrap_or((a, ""));
        match steps.iter_mut().find(|(s, _)| *s == step) {
            Some((_, periods)) => periods.push(period),
            None => steps.push((step, vec![period])),
        }
    }
    steps
        .iter()
        .map(|(s, p)| format!("{s} {}", p.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}

//! The tables of `backtest` (`backtest`, `ranking`) and its summary for the terminal.
//!
//! - `backtest`: per variant and period (and `all`, pooled): the outcome period, n,
//!   positives, then Spearman, Kendall tau-b, AUROC, Brier and precision at k, each
//!   with `_lo` and `_hi` bounds, and a note;
//! - `ranking`: the variants from best to worst (pooled rows), with each measure.

use super::csv::Cell;
use super::tables::Table;
use crate::backtest::{Estimate, Row};

fn est(e: Estimate) -> [Cell; 3] {
    [Cell::Num(e.value, 4), Cell::Num(e.lo, 4), Cell::Num(e.hi, 4)]
}

/// Every variant's skill per period and pooled.
pub fn backtest(rows: &[Row]) -> Table<'_> {
    let mut header: Vec<String> = ["variant", "period", "outcome_period", "n", "positives"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for m in ["spearman", "kendall_tau_b", "auroc", "brier", "precision_at_k"] {
        header.extend([m.to_string(), format!("{m}_lo"), format!("{m}_hi")]);
    }
    header.push("note".into());
    let table_rows = rows.iter().map(|r| {
        let mut cells = vec![
            Cell::Text(r.variant.clone()),
            Cell::Text(r.period.map_or("all".into(), |p| p.to_string())),
            r.outcome_period.map_or(Cell::Empty, |p| Cell::Text(p.to_string())),
            Cell::Int(r.n as i64),
            Cell::Int(r.positives as i64),
        ];
        for e in [r.spearman, r.kendall_tau_b, r.auroc, r.brier, r.precision_at_k] {
            cells.extend(est(e));
        }
        cells.push(Cell::Text(r.note.clone()));
        cells
    });
    Table {
        name: "backtest",
        header,
        rows: Box::new(table_rows),
    }
}

/// The variants from best to worst ([`crate::backtest::ranking`]).
pub fn ranking<'a>(ranking: &'a [&'a Row]) -> Table<'a> {
    let header: Vec<String> = [
        "rank",
        "variant",
        "spearman",
        "kendall_tau_b",
        "auroc",
        "brier",
        "precision_at_k",
        "n",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let rank_rows = ranking.iter().enumerate().map(|(i, r)| {
        vec![
            Cell::Int(i as i64 + 1),
            Cell::Text(r.variant.clone()),
            Cell::Num(r.spearman.value, 4),
            Cell::Num(r.kendall_tau_b.value, 4),
            Cell::Num(r.auroc.value, 4),
            Cell::Num(r.brier.value, 4),
            Cell::Num(r.precision_at_k.value, 4),
            Cell::Int(r.n as i64),
        ]
    });
    Table {
        name: "ranking",
        header,
        rows: Box::new(rank_rows),
    }
}

/// What the backtest asked, and the ranking as a text table.
pub fn summary(ranking: &[&Row], outcome: &str, horizon: i64, threshold: f64, top_k: usize) -> String {
    let fmt = |e: Estimate| {
        if e.value.is_nan() {
            "      -        ".to_string()
        } else if e.lo.is_nan() {
            format!("{:>6.3}         ", e.value)
        } else {
            format!("{:>6.3} [{:>5.2},{:>5.2}]", e.value, e.lo, e.hi)
        }
    };
    let pooled = ranking.first().map_or(0, |r| r.n);
    let mut text = format!(
        "backtest: score at t vs `{}` at t+{} ({} unit-periods pooled; binary: > {}; 95 % bootstrap intervals over units)\n{:<4} {:<18} {:<22} {:<22} {:<22} {:<22} {:<22}\n",
        outcome, horizon, pooled, threshold, "rank", "variant", "spearman", "kendall tau-b", "auroc", "brier", format!("precision@{}", top_k)
    );
    for (i, r) in ranking.iter().enumerate() {
        text.push_str(&format!(
            "{:<4} {:<18} {:<22} {:<22} {:<22} {:<22} {:<22}\n",
            i + 1,
            r.variant,
            fmt(r.spearman),
            fmt(r.kendall_tau_b),
            fmt(r.auroc),
            fmt(r.brier),
            fmt(r.precision_at_k)
        ));
    }
    text
}

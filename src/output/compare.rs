//! The tables of `compare` (`variants`, `agreement`) and its summary for the terminal,
//! from [`crate::compare::Comparison`].
//!
//! - `variants`: unit, period, then `score_<v>`, `rank_<v>`, `class_<v>` per variant;
//! - `agreement`: per period and pair of variants: n, Spearman and Kendall tau-b of the
//!   scores, mean and max absolute rank shift, share of class changes, top-k overlap.

use super::table::{Cell, Table};
use crate::compare::Comparison;

/// The first columns of `variants.csv`.
pub const VARIANTS_KEY_COLUMNS: [&str; 2] = ["unit", "period"];

/// The prefixes of each variant's columns in `variants.csv`: `score_<v>`, `rank_<v>`,
/// `class_<v>` (the report and the notebook find the variants by them).
pub const VARIANT_PREFIXES: [&str; 3] = ["score_", "rank_", "class_"];

/// Every unit-period's score, rank and class under each variant.
pub fn variants(cmp: &Comparison) -> Table<'_> {
    let mut header: Vec<String> = VARIANTS_KEY_COLUMNS.map(String::from).to_vec();
    for n in &cmp.names {
        header.extend(VARIANT_PREFIXES.map(|p| format!("{p}{n}")));
    }
    let rows = cmp.rows.iter().map(|((p, u), row)| {
        let mut cells = vec![Cell::Text(u.clone()), Cell::Text(p.to_string())];
        for v in row {
            match v {
                Some((s, r, c)) => cells.extend([
                    Cell::Exact(*s),
                    Cell::rank(*r),
                    c.clone().map_or(Cell::Empty, Cell::Text),
                ]),
                None => cells.extend([Cell::Empty, Cell::Empty, Cell::Empty]),
            }
        }
        cells
    });
    Table {
        name: "variants",
        header,
        rows: rows.into(),
    }
}

/// How far each pair of variants agrees, per period.
pub fn agreement(cmp: &Comparison) -> Table<'_> {
    let header: Vec<String> = [
        "period",
        "variant_a",
        "variant_b",
        "n",
        "spearman",
        "kendall_tau_b",
        "mean_abs_rank_shift",
        "max_abs_rank_shift",
        "class_change_share",
        "top_k_overlap",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let rows = cmp.agreement.iter().map(|a| {
        vec![
            Cell::Text(a.period.to_string()),
            Cell::Text(a.a.clone()),
            Cell::Text(a.b.clone()),
            Cell::Int(a.n as i64),
            Cell::Num(a.spearman, 4),
            Cell::Num(a.kendall_tau_b, 4),
            Cell::Num(a.mean_abs_rank_shift, 4),
            Cell::Num(a.max_abs_rank_shift, 1),
            Cell::Num(a.class_change_share, 4),
            Cell::Num(a.top_k_overlap, 4),
        ]
    });
    Table {
        name: "agreement",
        header,
        rows: rows.into(),
    }
}

/// The agreement of every pair in the last period, as a text table (empty without one).
pub fn summary(cmp: &Comparison, top_k: usize) -> String {
    let Some(last) = cmp.agreement.iter().map(|a| a.period).max() else {
        return String::new();
    };
    let mut text = format!(
        "agreement in {last} (rho, tau-b: of the scores; shift: |rank difference|; top-{}: overlap)\n{:<18} {:<18} {:>4} {:>7} {:>7} {:>11} {:>9} {:>14} {:>7}\n",
        top_k, "variant a", "variant b", "n", "rho", "tau_b", "mean shift", "max shift", "class changes", "top-k"
    );
    for a in cmp.agreement.iter().filter(|a| a.period == last) {
        text.push_str(&format!(
            "{:<18} {:<18} {:>4} {:>7.3} {:>7.3} {:>11.2} {:>9.0} {:>13.0}% {:>6.0}%\n",
            a.a,
            a.b,
            a.n,
            a.spearman,
            a.kendall_tau_b,
            a.mean_abs_rank_shift,
            a.max_abs_rank_shift,
            100.0 * a.class_change_share,
            100.0 * a.top_k_overlap
        ));
    }
    text
}

//! The output tables, built once from [`Results`] and written as CSV or xlsx sheets.
//!
//! - `scores`: unit, period, score, rank, class, coverage, imputed, then one column
//!   per group (pillar and sub-pillar) in tree order, named by group id.
//! - `indicators` (long): unit, period, indicator, raw, treated, normalised, imputed.
//! - `ranks`: unit, period, then the rank of the index and of every group within its
//!   period (1 = highest score; ties as `index.ties`), named by id.
//! - `data_<step>` (on request, COINr's `dsets`): unit, period, one column per
//!   indicator, the values after a step: denominated (per capita), imputed, treated,
//!   normalised.
//! - `screening`: what screening dropped (what, id, period, coverage, threshold).

use super::table::{Cell, Rows, Table};
use crate::framework::Framework;
use crate::pipeline::rank::{rank_descending, RankScratch};
use crate::score::Results;

/// The number of units, the scored cells (unit-periods, period-major) and the
/// periods' text: what the per-cell tables are made of.
fn scored(res: &Results) -> (usize, Vec<usize>, Vec<String>) {
    let periods = res.periods.iter().map(ToString::to_string).collect();
    (res.n_units(), res.scored_cells().collect(), periods)
}

/// The first columns of `scores.csv`, in order (the pillars' ids follow); the notebook
/// reads them by these names.
pub const SCORES_COLUMNS: [&str; 7] = ["unit", "period", "score", "rank", "class", "coverage", "imputed"];

/// Per unit and period: index score, rank, class and pillar scores.
pub fn scores<'a>(fw: &'a Framework, res: &'a Results) -> Table<'a> {
    let pillars = fw.pillar_order();
    let mut header: Vec<String> = SCORES_COLUMNS.iter().map(|s| s.to_string()).collect();
    header.extend(pillars.iter().map(|&g| fw.groups[g].id.clone()));
    let (n, cells, periods) = scored(res);
    let rows = Rows::numbered(cells.len(), move |i| {
        let c = cells[i];
        let mut row = vec![
            Cell::Text(res.units[c % n].clone()),
            Cell::Text(periods[c / n].clone()),
            Cell::Exact(res.score(c)),
            Cell::rank(res.rank[c]),
            res.class[c].map_or(Cell::Empty, |k| Cell::Text(fw.index.classes[k].label.clone())),
            Cell::Num(res.coverage[c], 4),
            Cell::Int(res.imputed_count[c] as i64),
        ];
        row.extend(pillars.iter().map(|&g| Cell::Exact(res.group_scores[g][c])));
        row
    });
    Table {
        name: "scores",
        header,
        rows,
    }
}

/// Long table of every indicator value on its way into the index.
pub fn indicators<'a>(fw: &'a Framework, res: &'a Results) -> Table<'a> {
    let header = ["unit", "period", "indicator", "raw", "treated", "normalised", "imputed"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let (n, cells, periods) = scored(res);
    let kept: Vec<usize> = (0..fw.indicators.len()).filter(|&k| res.kept[k]).collect();
    let rows = Rows::numbered(cells.len() * kept.len(), move |i| {
        let (c, k) = (cells[i / kept.len()], kept[i % kept.len()]);
        vec![
            Cell::Text(res.units[c % n].clone()),
            Cell::Text(periods[c / n].clone()),
            Cell::Text(fw.indicators[k].id.clone()),
            Cell::Exact(res.raw[k][c]),
            Cell::Exact(res.treated[k][c]),
            Cell::Exact(res.normalised[k][c]),
            Cell::Bool(res.imputed[k][c]),
        ]
    });
    Table {
        name: "indicators",
        header,
        rows,
    }
}

/// What screening dropped.
pub fn screening(res: &Results) -> Table<'_> {
    let header = ["what", "id", "period", "coverage", "threshold"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let rows = res.screening.iter().map(|s| {
        vec![
            Cell::Text(s.what.to_string()),
            Cell::Text(s.id.clone()),
            Cell::Text(s.period.clone()),
            Cell::Num(s.coverage, 4),
            Cell::Num(s.threshold, 4),
        ]
    });
    Table {
        name: "screening",
        header,
        rows: rows.into(),
    }
}

/// Per unit and period: the rank of the index and of every group within the period.
pub fn ranks<'a>(fw: &'a Framework, res: &'a Results) -> Table<'a> {
    let mut groups = vec![0];
    groups.extend(fw.pillar_order());
    let mut header = vec!["unit".to_string(), "period".to_string()];
    header.extend(groups.iter().map(|&g| fw.groups[g].id.clone()));
    let n = res.n_units();
    let mut ranks = vec![vec![f64::NAN; res.scored.len()]; groups.len()];
    let mut scratch = RankScratch::default();
    for p in 0..res.periods.len() {
        let cells: Vec<usize> = (p * n..(p + 1) * n).filter(|&c| res.scored[c]).collect();
        let mut out = vec![f64::NAN; cells.len()];
        for (i, &g) in groups.iter().enumerate() {
            let scores: Vec<f64> = cells.iter().map(|&c| res.group_scores[g][c]).collect();
            rank_descending(&scores, fw.index.ties, &mut scratch, &mut out);
            for (&c, &r) in cells.iter().zip(&out) {
                ranks[i][c] = r;
            }
        }
    }
    let (_, cells, periods) = scored(res);
    let rows = Rows::numbered(cells.len(), move |i| {
        let c = cells[i];
        let mut row = vec![Cell::Text(res.units[c % n].clone()), Cell::Text(periods[c / n].clone())];
        row.extend(ranks.iter().map(|r| Cell::rank(r[c])));
        row
    });
    Table {
        name: "ranks",
        header,
        rows,
    }
}

/// The wide data set after one step (`data_<step>`): one column per kept indicator.
pub fn step<'a>(fw: &'a Framework, res: &'a Results, name: &'static str, values: &'a [Vec<f64>]) -> Table<'a> {
    let kept: Vec<usize> = (0..fw.indicators.len()).filter(|&k| res.kept[k]).collect();
    let mut header = vec!["unit".to_string(), "period".to_string()];
    header.extend(kept.iter().map(|&k| fw.indicators[k].id.clone()));
    let (n, cells, periods) = scored(res);
    let rows = Rows::numbered(cells.len(), move |i| {
        let c = cells[i];
        let mut row = vec![Cell::Text(res.units[c % n].clone()), Cell::Text(periods[c / n].clone())];
        row.extend(kept.iter().map(|&k| Cell::Exact(values[k][c])));
        row
    });
    Table { name, header, rows }
}

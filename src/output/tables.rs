//! The output tables, built once from [`Results`] and written as CSV or xlsx sheets.
//!
//! - `scores`: unit, period, score, rank, class, coverage, imputed, then one column
//!   per group (pillar and sub-pillar) in tree order, named by group id.
//! - `indicators` (long): unit, period, indicator, raw, treated, normalised, imputed.
//! - `screening`: what screening dropped (what, id, period, coverage, threshold).

use super::csv::Cell;
use crate::framework::Framework;
use crate::score::Results;

/// A table: its name (file stem / sheet name), header and rows (lazily built).
pub struct Table<'a> {
    pub name: &'static str,
    pub header: Vec<String>,
    pub rows: Box<dyn Iterator<Item = Vec<Cell>> + 'a>,
}

/// Per unit and period: index score, rank, class and pillar scores.
pub fn scores<'a>(fw: &'a Framework, res: &'a Results) -> Table<'a> {
    let pillars = fw.pillar_order();
    let mut header: Vec<String> = ["unit", "period", "score", "rank", "class", "coverage", "imputed"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    header.extend(pillars.iter().map(|&g| fw.groups[g].id.clone()));
    let n = res.n_units();
    let rows = res.scored_cells().map(move |c| {
        let mut row = vec![
            Cell::Text(res.units[c % n].clone()),
            Cell::Text(res.periods[c / n].to_string()),
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
        rows: Box::new(rows),
    }
}

/// Long table of every indicator value on its way into the index.
pub fn indicators<'a>(fw: &'a Framework, res: &'a Results) -> Table<'a> {
    let header = ["unit", "period", "indicator", "raw", "treated", "normalised", "imputed"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let n = res.n_units();
    let rows = res.scored_cells().flat_map(move |c| {
        fw.indicators
            .iter()
            .enumerate()
            .filter(|(k, _)| res.kept[*k])
            .map(move |(k, ind)| {
                vec![
                    Cell::Text(res.units[c % n].clone()),
                    Cell::Text(res.periods[c / n].to_string()),
                    Cell::Text(ind.id.clone()),
                    Cell::Exact(res.raw[k][c]),
                    Cell::Exact(res.treated[k][c]),
                    Cell::Exact(res.normalised[k][c]),
                    Cell::Bool(res.imputed[k][c]),
                ]
            })
    });
    Table {
        name: "indicators",
        header,
        rows: Box::new(rows),
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
        rows: Box::new(rows),
    }
}

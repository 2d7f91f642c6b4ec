//! The table `events` writes: one row per unit and period (every period from the
//! first to the last), the unit and period columns, the unit's own columns (a cell's
//! row, column and centre), then one column per indicator; whole counts as integers.

use super::table::{Cell, Table};
use crate::events::EventTable;
use crate::period::PeriodKind;

/// The unit-period table of an aggregated event log; `kind` names the period column.
pub fn table(table: &EventTable, kind: PeriodKind) -> Table<'_> {
    let mut header = vec![table.unit_header.clone(), kind.name().to_string()];
    header.extend(table.unit_columns.iter().map(|(name, _)| name.clone()));
    header.extend(table.columns.iter().cloned());
    let n = table.units.len();
    let rows = (0..table.periods.len()).flat_map(move |p| {
        (0..n).map(move |u| {
            let mut row = vec![
                Cell::Text(table.units[u].clone()),
                Cell::Text(table.periods[p].to_string()),
            ];
            row.extend(table.unit_columns.iter().map(|(_, values)| Cell::Exact(values[u])));
            row.extend(table.values.iter().map(|column| {
                let v = column[p * n + u];
                if v.fract() == 0.0 {
                    Cell::Int(v as i64)
                } else {
                    Cell::Num(v, 1)
                }
            }));
            row
        })
    });
    Table {
        name: "events",
        header,
        rows: rows.into(),
    }
}

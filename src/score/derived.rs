//! Step 1: the framework's derived columns, computed over the panel.

use crate::data::Panel;
use crate::error::ErrorKind;
use crate::error::{Error, Result};
use crate::framework::Framework;
use crate::pipeline::derive::{self, TimeGrid};
use std::borrow::Cow;
use std::collections::BTreeMap;

pub(super) fn missing_column(fw: &Framework, column: &str, by: &str) -> Error {
    Error::MissingColumn {
        file: fw.file.clone(),
        column: column.to_string(),
        needed_by: format!("`{by}`"),
        hint: String::new(),
    }
}

/// The panel's columns plus the framework's derived columns (in dependency order).
pub fn derived_columns(fw: &Framework, panel: &Panel) -> Result<BTreeMap<String, Vec<f64>>> {
    let ordinals = panel.ordinals();
    let grid = TimeGrid::new(panel.n_units(), &ordinals, &panel.present).with_neighbours(&panel.neighbours);
    Ok(with_derived(fw, panel, &grid)?
        .into_iter()
        .map(|(name, values)| (name, values.into_owned()))
        .collect())
}

pub(super) fn with_derived<'p>(
    fw: &Framework,
    panel: &'p Panel,
    grid: &TimeGrid,
) -> Result<BTreeMap<String, Cow<'p, [f64]>>> {
    let n_units = panel.n_units();
    let mut columns: BTreeMap<String, Cow<'p, [f64]>> = panel
        .columns
        .iter()
        .map(|(name, values)| (name.clone(), Cow::Borrowed(values.as_slice())))
        .collect();
    for d in &fw.derived {
        if columns.contains_key(&d.id) {
            return Err(Error::Framework {
                file: fw.file.clone(),
                key: format!("derived.{}.id", d.id),
                message: format!("`{}` is also a column of the data: rename the derived column", d.id),
            });
        }
        let inputs: Vec<&[f64]> = d
            .def
            .inputs()
            .iter()
            .map(|c| {
                columns
                    .get(*c)
                    .map(|v| v.as_ref())
                    .ok_or_else(|| missing_column(fw, c, &d.id))
            })
            .collect::<Result<_>>()?;
        let values = derive::compute(&d.def, d.missing, &inputs, grid).map_err(|m| {
            let (p, u) = (m.cell / n_units, m.cell % n_units);
            if let derive::Derived::Neighbours { of, .. } = &d.def {
                return Error::Method {
                    context: format!("{}: derived `{}`, period {}", fw.file, d.id, panel.periods[p]),
                    kind: ErrorKind::MissingInput,
                    message: format!(
                        "needs `{of}` of neighbour `{}`, which is missing; set missing = \"zero\" or \"skip\" to allow this",
                        panel.units[u]
                    ),
                };
            }
            Error::Method {
                context: format!("{}: derived `{}`, unit `{}`, period {}", fw.file, d.id, panel.units[u], panel.periods[p]),
                kind: ErrorKind::MissingInput,
                message: format!(
                    "needs `{}` {} period(s) earlier ({}), which is missing; set missing = \"zero\" or \"skip\" to allow this",
                    d.def.inputs()[m.input],
                    m.back,
                    panel.periods[p].shifted(m.back)
                ),
            }
        })?;
        columns.insert(d.id.clone(), Cow::Owned(values));
    }

    Ok(columns)
}

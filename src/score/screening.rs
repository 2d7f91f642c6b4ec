//! Step 4: screening indicators and unit-periods by their data coverage (COINr's
//! `Screen`), and `screen.include`/`exclude`.

use crate::data::Panel;
use crate::error::ErrorKind;
use crate::error::{Error, Result};
use crate::framework::{validate, Framework};
use crate::pipeline::screen::{self, ScreenNote};

/// What screening kept.
pub(super) struct Screened {
    /// Cells scored before unit screening.
    pub(super) all_scored: Vec<usize>,
    pub(super) kept: Vec<bool>,
    pub(super) coverage: Vec<f64>,
    pub(super) notes: Vec<ScreenNote>,
}

/// Drops indicators and unit-periods below the coverage thresholds (`scored` loses
/// the unit-periods screened out).
/// Unit-periods are screened on `unit_values` (the imputed values with
/// `screen.on = "imputed"`; `None`: the raw values); indicators and the `coverage`
/// column on the raw values.
pub(super) fn screen_out<R: AsRef<[f64]>, V: AsRef<[f64]>>(
    fw: &Framework,
    panel: &Panel,
    raw: &[R],
    unit_values: Option<&[V]>,
    scored: &mut [bool],
) -> Result<Screened> {
    let n_units = panel.n_units();
    let all_scored: Vec<usize> = (0..scored.len()).filter(|&c| scored[c]).collect();
    let mut kept = vec![true; fw.indicators.len()];
    let mut notes = Vec::new();
    for (k, ind) in fw.indicators.iter().enumerate() {
        let cov = screen::indicator_coverage(raw[k].as_ref(), &all_scored);
        match fw.screen.indicator_min_coverage {
            Some(t) if cov < t => {
                kept[k] = false;
                notes.push(ScreenNote {
                    what: "indicator",
                    id: ind.id.clone(),
                    period: String::new(),
                    coverage: cov,
                    threshold: t,
                });
            }
            _ if cov == 0.0 => {
                return Err(Error::Method {
                    context: format!("{}: indicator `{}` (column `{}`)", fw.file, ind.id, ind.column),
                    kind: ErrorKind::NoValues,
                    message: format!(
                        "no unit has a value in any scored period ({} unit-periods); check the column, or drop the indicator with screen.indicator_min_coverage",
                        all_scored.len()
                    ),
                });
            }
            _ => {}
        }
    }
    validate::data::indicators_kept(fw, &kept)?;
    let unknown: Vec<Error> = fw
        .screen
        .include
        .iter()
        .map(|u| ("include", u))
        .chain(fw.screen.exclude.iter().map(|u| ("exclude", u)))
        .filter(|(_, u)| panel.unit_index(u).is_none())
        .map(|(key, u)| Error::Framework {
            file: fw.file.clone(),
            key: format!("screen.{key}"),
            message: format!(
                "unit `{u}` is not in the data{}",
                crate::error::suggest(u, panel.units.iter().map(String::as_str))
            ),
        })
        .collect();
    Error::from_problems(unknown)?;
    let coverage = screen::unit_coverages(raw, &kept, scored.len(), &all_scored);
    let screened = match unit_values {
        Some(values) => screen::unit_coverages(values, &kept, scored.len(), &all_scored),
        None => coverage.clone(),
    };
    for &c in &all_scored {
        let screened_coverage = screened[c];
        let unit = &panel.units[c % n_units];
        let note = |what, share, threshold| ScreenNote {
            what,
            id: unit.clone(),
            period: panel.periods[c / n_units].to_string(),
            coverage: share,
            threshold,
        };
        if fw.screen.exclude.contains(unit) {
            scored[c] = false;
            notes.push(note("unit_excluded", coverage[c], f64::NAN));
            continue;
        }
        if fw.screen.include.contains(unit) {
            continue;
        }
        if let Some(t) = fw.screen.unit_min_coverage.filter(|&t| screened_coverage < t) {
            scored[c] = false;
            notes.push(note("unit", screened_coverage, t));
        } else if let Some(t) = fw.screen.unit_min_nonzero {
            let share = match unit_values {
                Some(values) => screen::unit_nonzero(values, &kept, c),
                None => screen::unit_nonzero(raw, &kept, c),
            };
            if share < t {
                scored[c] = false;
                notes.push(note("unit_nonzero", share, t));
            }
        }
    }
    Ok(Screened {
        all_scored,
        kept,
        coverage,
        notes,
    })
}

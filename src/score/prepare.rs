//! Steps 5-8 for each indicator: imputation, winsorisation, transformation,
//! normalisation and direction, indicator by indicator on every core.

use super::results::Keep;
use crate::data::Panel;
use crate::error::ErrorKind;
use crate::error::{Error, Result};
use crate::framework::{Framework, Indicator, Scope};
use crate::pipeline::impute;
use crate::pipeline::normalise::{Direction, FitError, Normalise};
use rayon::prelude::*;

/// What one indicator needs from the run to be prepared.
pub(super) struct IndicatorContext<'a> {
    pub(super) fw: &'a Framework,
    pub(super) panel: &'a Panel,
    pub(super) scored: &'a [bool],
    pub(super) scopes: &'a [Vec<usize>],
    pub(super) ordinals: &'a [i64],
}

/// One indicator after imputation, treatment and normalisation.
pub(super) struct Prepared {
    pub(super) treated: Vec<f64>,
    pub(super) normalised: Vec<f64>,
    pub(super) imputed: Vec<bool>,
    pub(super) winsorised: usize,
    pub(super) warnings: Vec<String>,
}

impl Prepared {
    pub(super) fn dropped(n_cells: usize) -> Prepared {
        Prepared {
            treated: vec![f64::NAN; n_cells],
            normalised: vec![f64::NAN; n_cells],
            imputed: vec![false; n_cells],
            winsorised: 0,
            warnings: Vec::new(),
        }
    }
}

/// One indicator after imputation only.
pub(super) struct Imputed {
    pub(super) values: Vec<f64>,
    pub(super) flags: Vec<bool>,
    pub(super) warnings: Vec<String>,
}

impl AsRef<[f64]> for Imputed {
    fn as_ref(&self) -> &[f64] {
        &self.values
    }
}

/// Every indicator prepared, column by column.
pub(super) struct PreparedAll {
    pub(super) treated: Vec<Vec<f64>>,
    pub(super) normalised: Vec<Vec<f64>>,
    pub(super) imputed: Vec<Vec<bool>>,
    pub(super) winsorised: Vec<usize>,
    pub(super) warnings: Vec<String>,
}

impl IndicatorContext<'_> {
    /// Every indicator imputed (and nothing else), over this context's cells.
    pub(super) fn impute_all<R: AsRef<[f64]> + Sync>(&self, raw: &[R]) -> Result<Vec<Imputed>> {
        self.fw
            .indicators
            .par_iter()
            .zip(raw)
            .map(|(ind, raw)| self.impute(ind, raw.as_ref()))
            .collect()
    }

    /// One indicator imputed: over time, then within each scope.
    pub(super) fn impute(&self, ind: &Indicator, raw: &[f64]) -> Result<Imputed> {
        let mut out = Imputed {
            values: raw.to_vec(),
            flags: vec![false; raw.len()],
            warnings: Vec::new(),
        };
        self.impute_series(ind, &mut out.values, &mut out.flags);
        for scope in self.scopes.iter().filter(|_| ind.impute.is_cross_section()) {
            let mut gathered: Vec<f64> = scope.iter().map(|&c| out.values[c]).collect();
            let mut gathered_flags = vec![false; scope.len()];
            out.warnings
                .extend(self.impute_scope(ind, scope, &mut gathered, &mut gathered_flags)?);
            for (i, &c) in scope.iter().enumerate() {
                out.values[c] = gathered[i];
                out.flags[c] |= gathered_flags[i];
            }
        }
        Ok(out)
    }

    /// Fills a unit's series over time (interpolate, locf), in the scored cells.
    pub(super) fn impute_series(&self, ind: &Indicator, values: &mut [f64], flags: &mut [bool]) {
        if !ind.impute.is_time_series() {
            return;
        }
        let (panel, ordinals) = (self.panel, self.ordinals);
        let n_units = panel.n_units();
        let mut series = vec![f64::NAN; ordinals.len()];
        let mut filled = vec![false; ordinals.len()];
        for u in 0..n_units {
            // The unit's periods in the data (scored or history), in time order.
            let cells: Vec<usize> = (0..ordinals.len())
                .map(|p| p * n_units + u)
                .filter(|&c| panel.present[c])
                .collect();
            let ords: Vec<i64> = cells.iter().map(|&c| ordinals[c / n_units]).collect();
            series.clear();
            series.extend(cells.iter().map(|&c| values[c]));
            filled.clear();
            filled.resize(cells.len(), false);
            impute::fill_series(ind.impute, &ords, &mut series, &mut filled);
            for (i, &c) in cells.iter().enumerate() {
                if self.scored[c] {
                    values[c] = series[i];
                    flags[c] = filled[i];
                }
            }
        }
    }

    /// Fills a scope's missing values from its units (mean, median, by group); a
    /// warning when one stays missing.
    pub(super) fn impute_scope(
        &self,
        ind: &Indicator,
        scope: &[usize],
        gathered: &mut [f64],
        flags: &mut [bool],
    ) -> Result<Option<String>> {
        if !ind.impute.is_cross_section() {
            return Ok(None);
        }
        let groups = unit_groups(self.fw, self.panel, ind, scope, gathered)?;
        impute::fill_cross_section(ind.impute, gathered, &groups, flags);
        Ok((0..scope.len()).find(|&i| gathered[i].is_nan()).map(|i| {
            format!(
                "indicator `{}`: {} has no value to impute from ({}): left missing",
                ind.id,
                cell_name(self.panel, scope[i]),
                match &ind.impute_group {
                    Some(col) => format!("no unit of its `{col}` group has one"),
                    None => "no unit has one".to_string(),
                }
            )
        }))
    }

    /// Prepares the kept indicators (independent of each other: in parallel), from
    /// their imputed values where these are given.
    pub(super) fn prepare_all<R: AsRef<[f64]> + Sync>(
        &self,
        raw: &[R],
        kept: &[bool],
        pre_imputed: Option<Vec<Imputed>>,
        keep: Keep,
    ) -> Result<PreparedAll> {
        let n_cells = self.scored.len();
        let pre_imputed: Vec<Option<Imputed>> = match pre_imputed {
            Some(all) => all.into_iter().map(Some).collect(),
            None => (0..raw.len()).map(|_| None).collect(),
        };
        // Every indicator's problem, in indicator order (not the order threads meet them).
        let outcomes: Vec<Result<Prepared>> = self
            .fw
            .indicators
            .par_iter()
            .zip(pre_imputed)
            .enumerate()
            .map(|(k, (ind, imputed))| {
                if kept[k] {
                    let mut prepared = self.prepare(ind, raw[k].as_ref(), imputed)?;
                    if keep == Keep::Scores {
                        prepared.treated = Vec::new();
                    }
                    Ok(prepared)
                } else {
                    Ok(Prepared::dropped(n_cells))
                }
            })
            .collect();
        let mut prepared = Vec::with_capacity(outcomes.len());
        let mut problems = Vec::new();
        for outcome in outcomes {
            match outcome {
                Ok(p) => prepared.push(p),
                Err(e) => problems.extend(e.into_problems()),
            }
        }
        Error::from_problems(problems)?;
        let mut all = PreparedAll {
            treated: Vec::with_capacity(prepared.len()),
            normalised: Vec::with_capacity(prepared.len()),
            imputed: Vec::with_capacity(prepared.len()),
            winsorised: Vec::with_capacity(prepared.len()),
            warnings: Vec::new(),
        };
        for p in prepared {
            all.treated.push(p.treated);
            all.normalised.push(p.normalised);
            all.imputed.push(p.imputed);
            all.winsorised.push(p.winsorised);
            all.warnings.extend(p.warnings);
        }
        Ok(all)
    }

    /// Steps 5-8 for one indicator: impute, winsorise, transform, normalise, direction.
    pub(super) fn prepare(&self, ind: &Indicator, raw: &[f64], imputed: Option<Imputed>) -> Result<Prepared> {
        let IndicatorContext { fw, panel, scopes, .. } = *self;
        let n_units = panel.n_units();
        let mut normalised = vec![f64::NAN; raw.len()];
        let mut winsorised = 0;
        let Imputed {
            mut values,
            flags,
            mut warnings,
        } = match imputed {
            Some(i) => i,
            None => self.impute(ind, raw)?,
        };
        for scope in scopes {
            let treated = self.treat(ind, scope, &mut values)?;
            winsorised += treated.changed;
            // The rank methods apply risk_down by ranking -x (see `Normalise::flip`).
            let negate = ind.direction == Direction::RiskDown && ind.normalise.negates_first();
            let signed = |x: f64| if negate { -x } else { x };
            let reference: Vec<f64> = scope.iter().map(|&c| signed(values[c])).collect();
            let period_label = match fw.index.scope {
                Scope::Period => format!("period {}", panel.periods[scope[0] / n_units]),
                Scope::Panel => "all periods".to_string(),
            };
            let context = || format!("{}: indicator `{}`, {period_label}", fw.file, ind.id);
            check_log_ct(ind, &treated, &context)?;
            let normalise = self.normalisation(ind, scope, &reference, &context)?;
            let fit = match normalise.fit(&reference, |x| ind.transform.apply_or_nan(treated.map(x))) {
                Ok(fit) => fit,
                Err(FitError::NoValues) => {
                    warnings.push(format!(
                        "indicator `{}` has no value in {period_label}: left out of those scores",
                        ind.id
                    ));
                    continue;
                }
                Err(e) => return Err(fit_error(ind, e, &treated, context())),
            };
            if fit.degenerate {
                warnings.push(format!(
                    "indicator `{}` has the same value for every unit in {period_label}: it cannot separate them and sits mid-range",
                    ind.id
                ));
            }
            for &c in scope {
                let v = fit.fitted.apply(signed(values[c]));
                normalised[c] = match ind.direction {
                    Direction::RiskUp => v,
                    Direction::RiskDown => ind.normalise.flip(v),
                };
            }
        }
        Ok(Prepared {
            treated: values,
            normalised,
            imputed: flags,
            winsorised,
            warnings,
        })
    }

    /// Winsorises the scope's values and transforms them, in `values`.
    fn treat(&self, ind: &Indicator, scope: &[usize], values: &mut [f64]) -> Result<crate::pipeline::treat::Treated> {
        let mut gathered: Vec<f64> = scope.iter().map(|&c| values[c]).collect();
        let treated = ind.winsorise.apply(&mut gathered);
        for (i, &c) in scope.iter().enumerate() {
            values[c] = ind.transform.apply(gathered[i]).map_err(|x| {
                cell_error(
                    self.fw,
                    self.panel,
                    (&ind.id, c),
                    ErrorKind::OutsideDomain,
                    format!(
                        "transform {} needs {}, found {x}",
                        ind.transform.name(),
                        ind.transform.domain()
                    ),
                )
            })?;
        }
        Ok(treated)
    }

    /// The indicator's normalisation in this scope: dist2ref's with the reference unit's
    /// value, which must be there.
    fn normalisation(
        &self,
        ind: &Indicator,
        scope: &[usize],
        reference: &[f64],
        context: &dyn Fn() -> String,
    ) -> Result<Normalise> {
        let panel = self.panel;
        let n_units = panel.n_units();
        match &ind.reference_unit {
            Some(r) if matches!(ind.normalise, Normalise::DistToRef { .. }) => {
                let value = scope
                    .iter()
                    .position(|&c| panel.units[c % n_units] == *r)
                    .map(|i| reference[i])
                    .filter(|v| !v.is_nan());
                let Some(value) = value else {
                    return Err(Error::Method {
                        context: context(),
                        kind: ErrorKind::MissingReference,
                        message: format!(
                            "dist2ref measures against reference_unit `{r}`, which has no value here{}",
                            if panel.unit_index(r).is_none() {
                                format!(
                                    "; `{r}` is not a unit of the data{}",
                                    crate::error::suggest(r, panel.units.iter().map(String::as_str))
                                )
                            } else {
                                String::new()
                            }
                        ),
                    });
                };
                Ok(ind.normalise.with_reference(value))
            }
            _ => Ok(ind.normalise),
        }
    }
}

/// Refuses goalposts or a target outside the log_CT that COINr winsorisation fell back to.
fn check_log_ct(
    ind: &Indicator,
    treated: &crate::pipeline::treat::Treated,
    context: &dyn Fn() -> String,
) -> Result<()> {
    let Some((min, a)) = treated.log_ct else {
        return Ok(());
    };
    for (name, x) in ind.normalise.raw_bounds() {
        if !ind.transform.apply_or_nan(treated.map(x)).is_finite() {
            return Err(Error::Method {
                context: context(),
                kind: ErrorKind::OutsideDomain,
                message: format!(
                    "winsorise = \"coinr\" fell back to log_CT (ln(x - {} + {})), and the {name} {x} lies outside it; lower the bound, or use winsorise = \"skew_kurtosis\"",
                    short(min),
                    short(a)
                ),
            });
        }
    }
    Ok(())
}

/// The error of a normalisation that cannot be fitted.
fn fit_error(ind: &Indicator, e: FitError, treated: &crate::pipeline::treat::Treated, context: String) -> Error {
    match e {
        FitError::ZeroVariance { value, n } => Error::Method {
            context,
            kind: ErrorKind::ZeroVariance,
            message: format!("z-score needs values that vary, but all {n} values are {value} (standard deviation 0); use normalise = \"minmax\" or another method"),
        },
        FitError::NonPositiveMax { max } => Error::Method {
            context,
            kind: ErrorKind::NonPositiveMaximum,
            message: format!(
                "{} needs a positive maximum, found {max}{}",
                if ind.normalise == Normalise::FracMax { "fracmax" } else { "distance_to_max" },
                if treated.log_ct.is_some() { " (after winsorise = \"coinr\" fell back to log_CT, whose values can be <= 0)" } else { "" }
            ),
        },
        FitError::NoValues => unreachable!("no values is a warning, not an error"),
    }
}

/// Each scope cell's unit group for `group_mean` / `group_median` (empty for other
/// methods); an error names a cell to fill whose group is blank.
pub(super) fn unit_groups<'p>(
    fw: &Framework,
    panel: &'p Panel,
    ind: &Indicator,
    scope: &[usize],
    values: &[f64],
) -> Result<Vec<Option<&'p str>>> {
    let Some(column) = ind.impute_group.as_ref().filter(|_| ind.impute.needs_unit_group()) else {
        return Ok(Vec::new());
    };
    let labels = &panel.labels[column];
    let groups: Vec<Option<&str>> = scope.iter().map(|&c| labels[c].as_deref()).collect();
    if let Some(i) = (0..scope.len()).find(|&i| values[i].is_nan() && groups[i].is_none()) {
        return Err(cell_error(
            fw,
            panel,
            (&ind.id, scope[i]),
            ErrorKind::MissingInput,
            format!(
                "the value is missing and is to be imputed from the unit's group, but its `{column}` is blank; fill in the group or choose another impute method"
            ),
        ));
    }
    Ok(groups)
}

/// A number for a message: plain, or in exponent form when tiny or huge.
pub(super) fn short(x: f64) -> String {
    if x != 0.0 && (x.abs() < 1e-6 || x.abs() >= 1e15) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// "unit `X`, period P", for messages.
fn cell_name(panel: &Panel, cell: usize) -> String {
    let n = panel.n_units();
    format!("unit `{}`, period {}", panel.units[cell % n], panel.periods[cell / n])
}

pub(super) fn cell_error(
    fw: &Framework,
    panel: &Panel,
    (indicator, cell): (&str, usize),
    kind: ErrorKind,
    message: String,
) -> Error {
    let n = panel.n_units();
    Error::Method {
        kind,
        context: format!(
            "{}: indicator `{indicator}`, unit `{}`, period {}",
            fw.file,
            panel.units[cell % n],
            panel.periods[cell / n]
        ),
        message,
    }
}

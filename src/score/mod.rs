//! Runs the pipeline: a validated [`Framework`] applied to a [`Panel`] gives [`Results`].
//!
//! Steps, in order (each documented in its module under [`crate::pipeline`]):
//! derive columns -> pick the scored unit-periods -> raw indicator values
//! (per capita) -> screen -> impute (mean, median, interpolate, locf) -> treat
//! (winsorise, transform) -> normalise (+ direction) -> impute (row_mean) ->
//! aggregate up the tree -> scale -> classify -> rank.
//!
//! The index scale: with `scale = [lo, hi]` and `scale_from = "nominal"`, a score s on
//! the normalised range [a, b] becomes `lo + (hi - lo)(s - a)/(b - a)` for the index
//! and every pillar; with `"observed"`, the index alone is mapped from each period's
//! lowest and highest score.

mod derived;
mod prepare;
mod results;
mod screening;
pub mod weights;

use crate::error::ErrorKind;
pub use derived::derived_columns;
use derived::*;
use prepare::*;
pub use results::{Keep, Results, Stage};
use screening::*;

use crate::data::Panel;
use crate::error::{Error, Result};
use crate::framework::{validate, Child, Framework, ScaleFrom, Scope, ScreenOn};
use crate::period::Period;
use crate::pipeline::aggregate::Aggregation;
use crate::pipeline::classify::classify;
use crate::pipeline::derive::TimeGrid;
use crate::pipeline::impute::{self, Impute};
use crate::pipeline::rank::{rank_descending, RankScratch};
use crate::pipeline::treat::{Transform, Winsorise};
use crate::plan::{NonPositive, Scratch, Tree};
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Scores every unit-period of the panel with the framework.
pub fn score(fw: &Framework, panel: &Panel) -> Result<Results> {
    score_keeping(fw, panel, Keep::All)
}

/// [`score`], keeping what `keep` says of the per-indicator values.
pub fn score_keeping(fw: &Framework, panel: &Panel, keep: Keep) -> Result<Results> {
    if fw.groups.iter().any(|g| g.weights.is_data_driven()) {
        let all = |fw: &Framework, panel: &Panel| score_with_weights(fw, panel, Keep::All);
        let (resolved_fw, resolved, notes) = weights::resolve(fw, panel, all)?;
        let mut res = score_with_weights(&resolved_fw, panel, keep)?;
        res.warnings.extend(notes);
        res.resolved_weights = resolved;
        return Ok(res);
    }
    score_with_weights(fw, panel, keep)
}

/// Scores with the weights as they stand in the framework.
fn score_with_weights(fw: &Framework, panel: &Panel, keep: Keep) -> Result<Results> {
    let n_units = panel.n_units();
    let ordinals = panel.ordinals();
    let grid = TimeGrid::new(n_units, &ordinals, &panel.present).with_neighbours(&panel.neighbours);
    // 1. Derived columns.
    let columns = with_derived(fw, panel, &grid)?;
    // 2. Scored cells: in the data and in the period range.
    let mut scored = scored_cells(fw, panel)?;
    // 3. Raw indicator values (per capita where asked).
    let raw = raw_values(fw, panel, &columns, &scored)?;
    // 4. Screening: `scored` is final from here on.
    // With `screen.on = "imputed"` (COINr's Impute -> Screen), units are screened on
    // their values after imputation over every candidate unit-period.
    let pre_imputed = match fw.screen.on {
        ScreenOn::Raw => None,
        ScreenOn::Imputed => {
            let by_period = scopes_by_period(&scored, n_units, panel.periods.len());
            let scopes = normalisation_scopes(fw, panel, &by_period)?;
            let context = IndicatorContext {
                fw,
                panel,
                scored: &scored,
                scopes: &scopes,
                ordinals: &ordinals,
            };
            Some(context.impute_all(&raw)?)
        }
    };
    let screened = match &pre_imputed {
        Some(p) => screen_out(fw, panel, &raw, Some(p), &mut scored)?,
        None => screen_out(fw, panel, &raw, None::<&[Vec<f64>]>, &mut scored)?,
    };
    let by_period = scopes_by_period(&scored, n_units, panel.periods.len());
    let scopes = normalisation_scopes(fw, panel, &by_period)?;
    // 5-8. Impute, treat, normalise each indicator.
    let context = IndicatorContext {
        fw,
        panel,
        scored: &scored,
        scopes: &scopes,
        ordinals: &ordinals,
    };
    let mut prepared = context.prepare_all(&raw, &screened.kept, pre_imputed, keep)?;
    // 9. Group-mean imputation, on the normalised scale.
    impute_group_means(fw, &screened, &scored, &mut prepared);
    // 10. Aggregate up the tree, period by period, with the compiled plan.
    let aggregated = aggregate(fw, panel, &by_period, &prepared.normalised)?;
    // 11. Scale.
    let group_scores = scale(fw, &by_period, &aggregated);
    // 12. Classify and rank.
    let (rank, class) = classify_and_rank(fw, &by_period, &group_scores[0], scored.len());
    let mut imputed_count = vec![0; scored.len()];
    for flags in &prepared.imputed {
        for (count, &flag) in imputed_count.iter_mut().zip(flags) {
            *count += usize::from(flag);
        }
    }
    let (raw, treated, normalised, imputed) = match keep {
        Keep::All => (
            raw.into_iter().map(Cow::into_owned).collect(),
            prepared.treated,
            prepared.normalised,
            prepared.imputed,
        ),
        Keep::Scores => (Vec::new(), Vec::new(), Vec::new(), Vec::new()),
    };
    Ok(Results {
        units: panel.units.clone(),
        periods: panel.periods.clone(),
        scored,
        raw,
        treated,
        normalised,
        imputed,
        kept: screened.kept,
        group_scores,
        aggregated,
        rank,
        class,
        coverage: screened.coverage,
        imputed_count,
        screening: screened.notes,
        warnings: prepared.warnings,
        winsorised: prepared.winsorised,
        resolved_weights: Vec::new(),
        framework_sha256: fw.sha256.clone(),
    })
}

/// Refuses results that were not scored with `fw` (another framework's results would
/// index its groups, indicators and classes out of range), or that kept only the
/// scores where `needs_values`.
pub(crate) fn check_results(fw: &Framework, res: &Results, needs_values: bool) -> Result<()> {
    if res.framework_sha256 != fw.sha256 || res.group_scores.len() != fw.groups.len() {
        return Err(Error::argument(
            "results",
            format!("these results were scored with another framework than `{}`", fw.file),
        ));
    }
    if needs_values && res.raw.len() != fw.indicators.len() {
        return Err(Error::argument(
            "results",
            "the run kept only the scores (Keep::Scores), and this needs the indicators' values",
        ));
    }
    Ok(())
}

/// The indicator values after imputation and before treatment (COINr's "Imputed" data
/// set): the run again with winsorisation and transforms off. (`row_mean` fills are on
/// the normalised scale, so they are in the normalised values only.)
pub fn imputed_values(fw: &Framework, panel: &Panel) -> Result<Vec<Vec<f64>>> {
    let mut untreated = fw.clone();
    for ind in &mut untreated.indicators {
        ind.winsorise = Winsorise::None;
        ind.transform = Transform::None;
    }
    Ok(score(&untreated, panel)?.treated)
}

/// Cells in the data and in the framework's period range.
fn scored_cells(fw: &Framework, panel: &Panel) -> Result<Vec<bool>> {
    let n_units = panel.n_units();
    validate::data::period_bounds(fw, panel.periods[0])?;
    let in_range =
        |p: &Period| fw.index.first_period.is_none_or(|f| *p >= f) && fw.index.last_period.is_none_or(|l| *p <= l);
    let scored: Vec<bool> = (0..panel.present.len())
        .map(|c| panel.present[c] && in_range(&panel.periods[c / n_units]))
        .collect();
    if !scored.iter().any(|&s| s) {
        return Err(Error::Data {
            file: panel.source_names(),
            kind: ErrorKind::NothingToScore,
            message: format!(
                "no unit-period to score: the data's periods run {} to {}, outside index.first_period/last_period",
                panel.periods[0],
                panel.periods[panel.periods.len() - 1]
            ),
        });
    }
    Ok(scored)
}

/// Each indicator's column over the cells, divided by its denominator where it has one
/// (`multiplier x / denominator`); the column itself, borrowed, where it has none.
fn raw_values<'c>(
    fw: &Framework,
    panel: &Panel,
    columns: &'c BTreeMap<String, Cow<'_, [f64]>>,
    scored: &[bool],
) -> Result<Vec<Cow<'c, [f64]>>> {
    let mut raw = Vec::with_capacity(fw.indicators.len());
    for ind in &fw.indicators {
        let values = columns
            .get(&ind.column)
            .ok_or_else(|| missing_column(fw, &ind.column, &ind.id))?;
        let Some(d) = &ind.denominator else {
            raw.push(Cow::Borrowed(values.as_ref()));
            continue;
        };
        let mut v = values.to_vec();
        let den = columns.get(d).ok_or_else(|| missing_column(fw, d, &ind.id))?;
        for c in 0..v.len() {
            if !scored[c] || v[c].is_nan() || den[c].is_nan() {
                v[c] = if den[c].is_nan() { f64::NAN } else { v[c] };
                continue;
            }
            if den[c] == 0.0 {
                return Err(cell_error(
                    fw,
                    panel,
                    (&ind.id, c),
                    ErrorKind::BadDenominator,
                    format!("denominator `{d}` is 0, so the per-capita value is undefined"),
                ));
            }
            let per_capita = ind.multiplier * v[c] / den[c];
            if !per_capita.is_finite() {
                return Err(cell_error(
                    fw,
                    panel,
                    (&ind.id, c),
                    ErrorKind::BadDenominator,
                    format!(
                        "the per-capita value {} x `{}` / `{d}` = {} x {} / {} is too large to represent; check the denominator",
                        short(ind.multiplier),
                        ind.column,
                        short(ind.multiplier),
                        short(v[c]),
                        short(den[c])
                    ),
                ));
            }
            v[c] = per_capita;
        }
        raw.push(Cow::Owned(v));
    }
    Ok(raw)
}

/// The cells each normalisation fits over: each period's, or the whole panel's.
fn normalisation_scopes(fw: &Framework, panel: &Panel, by_period: &[Vec<usize>]) -> Result<Vec<Vec<usize>>> {
    let scopes: Vec<Vec<usize>> = match fw.index.scope {
        Scope::Period => by_period.to_vec(),
        Scope::Panel => vec![by_period.concat()].into_iter().filter(|s| !s.is_empty()).collect(),
    };
    if scopes.is_empty() {
        return Err(Error::Data {
            file: panel.source_names(),
            kind: ErrorKind::NothingToScore,
            message: "every unit-period was screened out by screen.unit_min_coverage: lower the threshold".into(),
        });
    }
    Ok(scopes)
}

/// Fills a missing normalised value with the mean of the unit's other indicators in the
/// same group, for the indicators that ask for `row_mean`.
fn impute_group_means(fw: &Framework, screened: &Screened, scored: &[bool], prepared: &mut PreparedAll) {
    for g in &fw.groups {
        let members: Vec<usize> = g
            .children
            .iter()
            .filter_map(|c| match c {
                Child::Indicator(k) if screened.kept[*k] => Some(*k),
                _ => None,
            })
            .collect();
        if !members.iter().any(|&k| fw.indicators[k].impute == Impute::RowMean) {
            continue;
        }
        for &c in &screened.all_scored {
            if !scored[c] {
                continue;
            }
            let mut row: Vec<f64> = members.iter().map(|&k| prepared.normalised[k][c]).collect();
            let mut flags = vec![false; members.len()];
            impute::fill_row_mean(&mut row, &mut flags);
            for (i, &k) in members.iter().enumerate() {
                if flags[i] && fw.indicators[k].impute == Impute::RowMean {
                    prepared.normalised[k][c] = row[i];
                    prepared.imputed[k][c] = true;
                }
            }
        }
    }
}

/// Every group's score per cell (before `index.scale`), one period at a time.
fn aggregate(
    fw: &Framework,
    panel: &Panel,
    by_period: &[Vec<usize>],
    normalised: &[Vec<f64>],
) -> Result<Vec<Vec<f64>>> {
    let tree = Tree::compile(fw);
    // The periods are aggregated in parallel, each into its own block of groups x units;
    // the first problem in period order is the one reported.
    let evaluated: Vec<Result<Vec<f64>>> = by_period
        .par_iter()
        .map_init(Scratch::default, |scratch, scope| {
            let u = scope.len();
            let mut values = vec![f64::NAN; fw.indicators.len() * u];
            for (k, column) in normalised.iter().enumerate() {
                for (i, &c) in scope.iter().enumerate() {
                    values[k * u + i] = column[c];
                }
            }
            let mut groups = vec![f64::NAN; fw.groups.len() * u];
            tree.evaluate(&tree.weights, &tree.aggregation, &values, u, scratch, &mut groups)
                .map_err(|bad| non_positive(fw, panel, bad, scope[bad.unit]))?;
            Ok(groups)
        })
        .collect();
    let mut group_scores = vec![vec![f64::NAN; panel.present.len()]; fw.groups.len()];
    for (scope, groups) in by_period.iter().zip(evaluated) {
        let (groups, u) = (groups?, scope.len());
        for (g, scores) in group_scores.iter_mut().enumerate() {
            for (i, &c) in scope.iter().enumerate() {
                scores[c] = groups[g * u + i];
            }
        }
    }
    Ok(group_scores)
}

/// A value a geometric, harmonic or BoD aggregation cannot take, in cell `c`.
fn non_positive(fw: &Framework, panel: &Panel, bad: NonPositive, c: usize) -> Error {
    let n_units = panel.n_units();
    let group = &fw.groups[bad.group];
    Error::Method {
        context: format!(
            "{}: group `{}`, unit `{}`, period {}",
            fw.file,
            group.id,
            panel.units[c % n_units],
            panel.periods[c / n_units]
        ),
        kind: ErrorKind::NonPositiveValue,
        message: if group.aggregation == Aggregation::Bod {
            format!(
                "bod aggregation needs values >= 0, but `{}` is {}; normalise it onto a non-negative range",
                fw.child_id(bad.child),
                bad.value
            )
        } else {
            format!(
                "{} aggregation needs values > 0, but `{}` is {}; normalise with range = [1, 100] or set geometric_range",
                group.aggregation.name(),
                fw.child_id(bad.child),
                bad.value
            )
        },
    }
}

/// The scores on `index.scale`: every group from the nominal range, or the index alone
/// from each period's lowest and highest score.
fn scale(fw: &Framework, by_period: &[Vec<usize>], aggregated: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let mut group_scores = aggregated.to_vec();
    if let Some(scale) = fw.index.scale {
        match scale.from {
            ScaleFrom::Nominal => group_scores.iter_mut().for_each(|scores| scale.apply(scores)),
            ScaleFrom::Observed => {
                for scope in by_period {
                    let mut index: Vec<f64> = scope.iter().map(|&c| group_scores[0][c]).collect();
                    scale.apply(&mut index);
                    for (&c, v) in scope.iter().zip(index) {
                        group_scores[0][c] = v;
                    }
                }
            }
        }
    }
    group_scores
}

/// Per cell: the index's rank within its period (1 = highest risk) and its class.
fn classify_and_rank(
    fw: &Framework,
    by_period: &[Vec<usize>],
    index: &[f64],
    n_cells: usize,
) -> (Vec<f64>, Vec<Option<usize>>) {
    let mut class = vec![None; n_cells];
    let mut rank = vec![f64::NAN; n_cells];
    let mut order = RankScratch::default();
    for scope in by_period {
        let scores: Vec<f64> = scope.iter().map(|&c| index[c]).collect();
        let mut ranks = vec![f64::NAN; scope.len()];
        rank_descending(&scores, fw.index.ties, &mut order, &mut ranks);
        for (i, &c) in scope.iter().enumerate() {
            rank[c] = ranks[i];
            class[c] = classify(&fw.index.classes, scores[i]);
        }
    }
    (rank, class)
}

/// Scored cells grouped by period (always, for ranks and Copeland).
fn scopes_by_period(scored: &[bool], n_units: usize, n_periods: usize) -> Vec<Vec<usize>> {
    (0..n_periods)
        .map(|p| {
            (p * n_units..(p + 1) * n_units)
                .filter(|&c| scored[c])
                .collect::<Vec<_>>()
        })
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests;

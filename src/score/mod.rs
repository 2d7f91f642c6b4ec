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

pub mod weights;

use crate::data::Panel;
use crate::error::{Error, Result};
use crate::framework::{validate, Child, Framework, Indicator, ScaleFrom, Scope, ScreenOn};
use crate::period::Period;
use crate::pipeline::aggregate::Aggregation;
use crate::pipeline::classify::classify;
use crate::pipeline::derive::{self, TimeGrid};
use crate::pipeline::impute::{self, Impute};
use crate::pipeline::normalise::{Direction, FitError, Normalise};
use crate::pipeline::rank::{rank_descending, RankScratch};
use crate::pipeline::screen::{self, ScreenNote};
use crate::pipeline::treat::{Transform, Winsorise};
use crate::plan::{NonPositive, Scratch, Tree};
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Everything scoring produced, cell by cell (`p * units + u`, as in the panel).
#[derive(Debug, Clone)]
pub struct Results {
    pub units: Vec<String>,
    pub periods: Vec<Period>,
    /// Whether the cell was scored (in the data, in the period range, not screened out).
    pub scored: Vec<bool>,
    /// Per indicator: value before imputation (after per-capita scaling).
    pub raw: Vec<Vec<f64>>,
    /// Per indicator: after imputation, winsorisation and transform.
    pub treated: Vec<Vec<f64>>,
    /// Per indicator: normalised, direction applied, group-mean imputed.
    pub normalised: Vec<Vec<f64>>,
    pub imputed: Vec<Vec<bool>>,
    /// Per indicator: kept after screening.
    pub kept: Vec<bool>,
    /// Per group (0 = index): score, on the output scale.
    pub group_scores: Vec<Vec<f64>>,
    /// Per group: score as its parent aggregated it (before `index.scale`).
    pub aggregated: Vec<Vec<f64>>,
    pub rank: Vec<f64>,
    pub class: Vec<Option<usize>>,
    pub coverage: Vec<f64>,
    pub imputed_count: Vec<usize>,
    pub screening: Vec<ScreenNote>,
    pub warnings: Vec<String>,
    /// Per indicator and cell: how many values winsorisation changed, in total.
    pub winsorised: Vec<usize>,
    /// Weights chosen from the data (`weights = "pca"` / `"optimised"`), per group.
    pub resolved_weights: Vec<weights::Resolved>,
}

impl Results {
    pub fn n_units(&self) -> usize {
        self.units.len()
    }

    /// The index score of a cell.
    pub fn score(&self, cell: usize) -> f64 {
        self.group_scores[0][cell]
    }

    /// Scored cells in output order: by period, then unit as first seen in the data.
    pub fn scored_cells(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.scored.len()).filter(|&c| self.scored[c])
    }
}

/// What a run keeps of the per-indicator values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// `raw`, `treated`, `normalised` and `imputed`, for every indicator and cell.
    All,
    /// None of them (left empty): for a caller that reads only the scores, ranks,
    /// classes and screening. The run then holds the panel, the normalised values and
    /// a few indicators' other values at a time (the raw values are the panel's own
    /// columns where no denominator divides them).
    Scores,
}

/// Scores every unit-period of the panel with the framework.
pub fn score(fw: &Framework, panel: &Panel) -> Result<Results> {
    score_keeping(fw, panel, Keep::All)
}

/// [`score`], keeping what `keep` says of the per-indicator values.
pub fn score_keeping(fw: &Framework, panel: &Panel, keep: Keep) -> Result<Results> {
    if fw.groups.iter().any(|g| g.weights.from_data()) {
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
    })
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
                    &ind.id,
                    c,
                    format!("denominator `{d}` is 0, so the per-capita value is undefined"),
                ));
            }
            let per_capita = ind.multiplier * v[c] / den[c];
            if !per_capita.is_finite() {
                return Err(cell_error(
                    fw,
                    panel,
                    &ind.id,
                    c,
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

/// What screening kept.
struct Screened {
    /// Cells scored before unit screening.
    all_scored: Vec<usize>,
    kept: Vec<bool>,
    coverage: Vec<f64>,
    notes: Vec<ScreenNote>,
}

/// Drops indicators and unit-periods below the coverage thresholds (`scored` loses
/// the unit-periods screened out).
/// Unit-periods are screened on `unit_values` (the imputed values with
/// `screen.on = "imputed"`; `None`: the raw values); indicators and the `coverage`
/// column on the raw values.
fn screen_out<R: AsRef<[f64]>, V: AsRef<[f64]>>(
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

/// The cells each normalisation fits over: each period's, or the whole panel's.
fn normalisation_scopes(fw: &Framework, panel: &Panel, by_period: &[Vec<usize>]) -> Result<Vec<Vec<usize>>> {
    let scopes: Vec<Vec<usize>> = match fw.index.scope {
        Scope::Period => by_period.to_vec(),
        Scope::Panel => vec![by_period.concat()].into_iter().filter(|s| !s.is_empty()).collect(),
    };
    if scopes.is_empty() {
        return Err(Error::Data {
            file: panel.source_names(),
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

/// What one indicator needs from the run to be prepared.
struct IndicatorContext<'a> {
    fw: &'a Framework,
    panel: &'a Panel,
    scored: &'a [bool],
    scopes: &'a [Vec<usize>],
    ordinals: &'a [i64],
}

/// One indicator after imputation, treatment and normalisation.
struct Prepared {
    treated: Vec<f64>,
    normalised: Vec<f64>,
    imputed: Vec<bool>,
    winsorised: usize,
    warnings: Vec<String>,
}

impl Prepared {
    fn dropped(n_cells: usize) -> Prepared {
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
struct Imputed {
    values: Vec<f64>,
    flags: Vec<bool>,
    warnings: Vec<String>,
}

impl AsRef<[f64]> for Imputed {
    fn as_ref(&self) -> &[f64] {
        &self.values
    }
}

/// Every indicator prepared, column by column.
struct PreparedAll {
    treated: Vec<Vec<f64>>,
    normalised: Vec<Vec<f64>>,
    imputed: Vec<Vec<bool>>,
    winsorised: Vec<usize>,
    warnings: Vec<String>,
}

impl IndicatorContext<'_> {
    /// Every indicator imputed (and nothing else), over this context's cells.
    fn impute_all<R: AsRef<[f64]> + Sync>(&self, raw: &[R]) -> Result<Vec<Imputed>> {
        self.fw
            .indicators
            .par_iter()
            .zip(raw)
            .map(|(ind, raw)| self.impute(ind, raw.as_ref()))
            .collect()
    }

    /// One indicator imputed: over time, then within each scope.
    fn impute(&self, ind: &Indicator, raw: &[f64]) -> Result<Imputed> {
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
    fn impute_series(&self, ind: &Indicator, values: &mut [f64], flags: &mut [bool]) {
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
    fn impute_scope(
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
    fn prepare_all<R: AsRef<[f64]> + Sync>(
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
    fn prepare(&self, ind: &Indicator, raw: &[f64], imputed: Option<Imputed>) -> Result<Prepared> {
        let IndicatorContext { fw, panel, scopes, .. } = *self;
        let n_units = panel.n_units();
        let n_cells = raw.len();
        let mut normalised = vec![f64::NAN; n_cells];
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
            let mut gathered: Vec<f64> = scope.iter().map(|&c| values[c]).collect();
            let treated = ind.winsorise.apply(&mut gathered);
            winsorised += treated.changed;
            for (i, &c) in scope.iter().enumerate() {
                let t = ind.transform.apply(gathered[i]).map_err(|x| {
                    cell_error(
                        fw,
                        panel,
                        &ind.id,
                        c,
                        format!(
                            "transform {} needs {}, found {x}",
                            ind.transform.name(),
                            ind.transform.domain()
                        ),
                    )
                })?;
                values[c] = t;
            }
            // The rank methods apply risk_down by ranking -x (see `Normalise::flip`).
            let negate = ind.direction == Direction::RiskDown && ind.normalise.negates_first();
            let signed = |x: f64| if negate { -x } else { x };
            let reference: Vec<f64> = scope.iter().map(|&c| signed(values[c])).collect();
            let period_label = match fw.index.scope {
                Scope::Period => format!("period {}", panel.periods[scope[0] / n_units]),
                Scope::Panel => "all periods".to_string(),
            };
            if treated.log_ct.is_some() {
                for (name, x) in ind.normalise.raw_bounds() {
                    if !ind.transform.apply_or_nan(treated.map(x)).is_finite() {
                        return Err(Error::Method {
                            context: format!("{}: indicator `{}`, {period_label}", fw.file, ind.id),
                            message: format!(
                                "winsorise = \"coinr\" fell back to log_CT (ln(x - {} + {})), and the {name} {x} lies outside it; lower the bound, or use winsorise = \"skew_kurtosis\"",
                                short(treated.log_ct.unwrap_or_default().0),
                                short(treated.log_ct.unwrap_or_default().1)
                            ),
                        });
                    }
                }
            }
            let normalise = match &ind.reference_unit {
                Some(r) if matches!(ind.normalise, Normalise::DistToRef { .. }) => {
                    let value = scope
                        .iter()
                        .position(|&c| panel.units[c % n_units] == *r)
                        .map(|i| reference[i])
                        .filter(|v| !v.is_nan());
                    let Some(value) = value else {
                        return Err(Error::Method {
                            context: format!("{}: indicator `{}`, {period_label}", fw.file, ind.id),
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
                    ind.normalise.with_reference(value)
                }
                _ => ind.normalise,
            };
            let fit = match normalise.fit(&reference, |x| ind.transform.apply_or_nan(treated.map(x)))
            {
                    Ok(fit) => fit,
                    Err(FitError::NoValues) => {
                        warnings.push(format!("indicator `{}` has no value in {period_label}: left out of those scores", ind.id));
                        continue;
                    }
                    Err(FitError::ZeroVariance { value, n }) => {
                        return Err(Error::Method {
                            context: format!("{}: indicator `{}`, {period_label}", fw.file, ind.id),
                            message: format!("z-score needs values that vary, but all {n} values are {value} (standard deviation 0); use normalise = \"minmax\" or another method"),
                        })
                    }
                    Err(FitError::NonPositiveMax { max }) => {
                        return Err(Error::Method {
                            context: format!("{}: indicator `{}`, {period_label}", fw.file, ind.id),
                            message: format!(
                                "{} needs a positive maximum, found {max}{}",
                                if ind.normalise == Normalise::FracMax { "fracmax" } else { "distance_to_max" },
                                if treated.log_ct.is_some() { " (after winsorise = \"coinr\" fell back to log_CT, whose values can be <= 0)" } else { "" }
                            ),
                        })
                    }
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
}

/// Each scope cell's unit group for `group_mean` / `group_median` (empty for other
/// methods); an error names a cell to fill whose group is blank.
fn unit_groups<'p>(
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
            &ind.id,
            scope[i],
            format!(
                "the value is missing and is to be imputed from the unit's group, but its `{column}` is blank; fill in the group or choose another impute method"
            ),
        ));
    }
    Ok(groups)
}

/// "unit `X`, period P", for messages.
fn cell_name(panel: &Panel, cell: usize) -> String {
    let n = panel.n_units();
    format!("unit `{}`, period {}", panel.units[cell % n], panel.periods[cell / n])
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

fn missing_column(fw: &Framework, column: &str, by: &str) -> Error {
    Error::MissingColumn {
        file: fw.file.clone(),
        column: column.to_string(),
        needed_by: format!("`{by}`"),
        hint: String::new(),
    }
}

/// A number for a message: plain, or in exponent form when tiny or huge.
fn short(x: f64) -> String {
    if x != 0.0 && (x.abs() < 1e-6 || x.abs() >= 1e15) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

fn cell_error(fw: &Framework, panel: &Panel, indicator: &str, cell: usize, message: String) -> Error {
    let n = panel.n_units();
    Error::Method {
        context: format!(
            "{}: indicator `{indicator}`, unit `{}`, period {}",
            fw.file,
            panel.units[cell % n],
            panel.periods[cell / n]
        ),
        message,
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

fn with_derived<'p>(fw: &Framework, panel: &'p Panel, grid: &TimeGrid) -> Result<BTreeMap<String, Cow<'p, [f64]>>> {
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
                    message: format!(
                        "needs `{of}` of neighbour `{}`, which is missing; set missing = \"zero\" or \"skip\" to allow this",
                        panel.units[u]
                    ),
                };
            }
            Error::Method {
                context: format!("{}: derived `{}`, unit `{}`, period {}", fw.file, d.id, panel.units[u], panel.periods[p]),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{self, Source};

    fn load(framework: &str, csv: &str) -> (Framework, Panel) {
        let fw = Framework::from_toml(framework, "t.toml").unwrap();
        let source = Source::Bytes {
            name: "t.csv".into(),
            bytes: csv.as_bytes().to_vec(),
        };
        let panel = data::load(&fw, &[source], &Default::default()).unwrap();
        (fw, panel)
    }

    /// The error scoring `csv` with `framework` gives.
    fn fails(framework: &str, csv: &str) -> Error {
        let (fw, panel) = load(framework, csv);
        score(&fw, &panel).unwrap_err()
    }

    fn run(framework: &str, csv: &str) -> (Framework, Results) {
        let (fw, panel) = load(framework, csv);
        let res = score(&fw, &panel).unwrap();
        (fw, res)
    }

    const TWO: &str = "[index]\nid = \"r\"\nunit = \"u\"\nperiod = \"t\"\n[[group]]\nid = \"g\"\n[[indicator]]\nid = \"a\"\ngroup = \"g\"\n[[indicator]]\nid = \"b\"\ngroup = \"g\"\nIMPUTE\n";

    #[test]
    fn row_mean_fills_from_the_units_other_indicators() {
        let (_, res) = run(
            &TWO.replace("IMPUTE", "impute = \"row_mean\""),
            "u,t,a,b\nX,1,0,0\nY,1,10,\nZ,1,20,4\n",
        );
        // normalised a = (0, 50, 100); b = (0, -, 100); Y's b <- 50 (its a)
        let b = 1;
        assert_eq!(res.normalised[b][1], 50.0);
        assert!(res.imputed[b][1]);
        assert_eq!(res.imputed_count[1], 1);
        assert!(res.raw[b][1].is_nan());
        assert_eq!(res.score(1), 50.0);
    }

    #[test]
    fn a_scores_only_run_gives_the_same_scores_and_keeps_no_values() {
        // A denominator (owned raw values), row-mean imputation (normalised values
        // changed after fitting) and a screened-out unit-period.
        let text = TWO
            .replace("IMPUTE", "impute = \"row_mean\"\ndenominator = \"pop\"")
            .replace("period = \"t\"", "period = \"t\"\n[screen]\nunit_min_coverage = 0.5");
        let csv = "u,t,a,b,pop\nX,1,0,0,2\nY,1,10,,4\nZ,1,20,4,5\nW,1,,,1\nX,2,3,1,2\nY,2,5,2,4\nZ,2,1,,5\nW,2,2,2,1\n";
        let (fw, panel) = load(&text, csv);
        let all = score_keeping(&fw, &panel, Keep::All).unwrap();
        let scores = score_keeping(&fw, &panel, Keep::Scores).unwrap();
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&all.group_scores[0]), bits(&scores.group_scores[0]));
        assert_eq!(bits(&all.rank), bits(&scores.rank));
        assert_eq!(bits(&all.coverage), bits(&scores.coverage));
        assert_eq!(all.imputed_count, scores.imputed_count);
        assert_eq!(all.scored, scores.scored);
        assert!(!all.scored[3], "W in period 1 is screened out");
        assert_eq!(all.raw[1][2], 4.0 / 5.0, "b of Z over its population");
        assert_eq!(all.treated.len(), 2);
        assert!(scores.raw.is_empty() && scores.treated.is_empty());
        assert!(scores.normalised.is_empty() && scores.imputed.is_empty());
    }

    #[test]
    fn geometric_means_check_the_values_not_the_range() {
        // [0, 100] indicators; the group's arithmetic means are all 50 > 0, so a
        // geometric index over them is fine (COINr checks values, as here).
        let text = TWO
            .replace("IMPUTE", "")
            .replace("period = \"t\"", "period = \"t\"\naggregation = \"geometric\"");
        let (_, res) = run(&text, "u,t,a,b\nX,1,0,20\nY,1,10,10\nZ,1,20,0\n");
        assert!((res.score(0) - 50.0).abs() < 1e-12);
        // A geometric group over an indicator that is 0 for X: the unit, period and
        // child are named.
        let text = TWO
            .replace("IMPUTE", "")
            .replace("id = \"g\"\n", "id = \"g\"\naggregation = \"geometric\"\n");
        let err = fails(&text, "u,t,a,b\nX,1,0,20\nY,1,10,10\nZ,1,20,0\n");
        assert_eq!(
            err.to_string(),
            "t.toml: group `g`, unit `X`, period 1: geometric aggregation needs values > 0, but `a` is 0; normalise with range = [1, 100] or set geometric_range"
        );
    }

    #[test]
    fn screening_by_zeros_and_forced_units() {
        let text = TWO.replace(
            "IMPUTE",
            "[screen]\nunit_min_nonzero = 0.5\ninclude = [\"Z\"]\nexclude = [\"W\"]",
        );
        // X: 1 of 2 values non-zero (0.5, kept); Y: none (dropped); Z: none but forced
        // in; W: forced out.
        let (_, res) = run(&text, "u,t,a,b\nX,1,0,2\nY,1,0,0\nZ,1,0,0\nW,1,5,5\n");
        assert_eq!(res.scored, [true, false, true, false]);
        let notes: Vec<(&str, &str)> = res.screening.iter().map(|n| (n.what, n.id.as_str())).collect();
        assert_eq!(notes, [("unit_nonzero", "Y"), ("unit_excluded", "W")]);
        assert_eq!(res.screening[0].coverage, 0.0);
        let err = fails(&text.replace("[\"W\"]", "[\"V\"]"), "u,t,a,b\nX,1,0,2\nW,1,5,5\n");
        let problems: Vec<String> = err.problems().iter().map(|p| p.to_string()).collect();
        assert_eq!(
            problems,
            [
                "t.toml: key `screen.include`: unit `Z` is not in the data",
                "t.toml: key `screen.exclude`: unit `V` is not in the data"
            ]
        );
    }

    #[test]
    fn log_ct_maps_goalposts_and_targets_and_fracmax_names_itself() {
        // b (8 ones, 8 twos, 4 threes, 15, 60, 60) still fails the skew/kurtosis test
        // after one pass (both 60s to 15, count 2 >= max_points 1): log_CT of the
        // originals, min 1, a = 0.01 (60 - 1) = 0.59. Goalposts [1, 60] map to
        // [ln 0.59, ln 59.59], so x = 1 scores 0 and x = 60 scores 100.
        let b_values: Vec<&str> = ["1"; 8]
            .into_iter()
            .chain(["2"; 8])
            .chain(["3"; 4])
            .chain(["15", "60", "60"])
            .collect();
        let data: String = std::iter::once("u,t,a,b\n".to_string())
            .chain(b_values.iter().enumerate().map(|(i, b)| format!("U{i:02},1,{i},{b}\n")))
            .collect();
        let data = data.as_str();
        let text = TWO.replace(
            "IMPUTE",
            "winsorise = \"coinr\"\nwinsorise_max_points = 1\nnormalise = \"goalposts\"\ngoalposts = [1, 60]",
        );
        let (_, res) = run(&text, data);
        let b = 1;
        assert!((res.treated[b][0] - 0.59f64.ln()).abs() < 1e-12);
        assert!(res.normalised[b][0].abs() < 1e-9 && (res.normalised[b][22] - 100.0).abs() < 1e-9);
        // A target below min - a has no log: the error says so.
        let bad = TWO.replace(
            "IMPUTE",
            "winsorise = \"coinr\"\nwinsorise_max_points = 1\nnormalise = \"dist2targ\"\ntarget = -20",
        );
        let err = fails(&bad, data);
        assert_eq!(
            err.to_string(),
            "t.toml: indicator `b`, period 1: winsorise = \"coinr\" fell back to log_CT (ln(x - 1 + 0.59)), and the target -20 lies outside it; lower the bound, or use winsorise = \"skew_kurtosis\""
        );
        let frac = TWO.replace("IMPUTE", "normalise = \"fracmax\"");
        let err = fails(&frac, "u,t,a,b\nA,1,1,-1\nB,1,2,-2\n");
        assert_eq!(
            err.to_string(),
            "t.toml: indicator `b`, period 1: fracmax needs a positive maximum, found -1"
        );
    }

    #[test]
    fn screening_after_imputation_sees_the_filled_values() {
        // Y lacks b: before imputation its coverage is 50 % and it is screened out;
        // after imputation (COINr's Impute -> Screen) it is complete and scored.
        let text = TWO.replace("IMPUTE", "impute = \"mean\"\n[screen]\nunit_min_coverage = 1.0");
        let data = "u,t,a,b\nX,1,0,0\nY,1,10,\nZ,1,20,4\n";
        let (_, before) = run(&text, data);
        assert_eq!(before.scored, [true, false, true]);
        let (_, after) = run(
            &text.replace("unit_min_coverage = 1.0", "unit_min_coverage = 1.0\non = \"imputed\""),
            data,
        );
        assert_eq!(after.scored, [true, true, true]);
        // b's mean over X, Y, Z's present values: (0 + 4)/2 = 2, flagged as imputed.
        assert_eq!(after.treated[1][1], 2.0);
        assert!(after.imputed[1][1] && after.coverage[1] == 0.5);
    }

    #[test]
    fn distance_to_a_reference_unit() {
        let text = TWO.replace(
            "IMPUTE",
            "normalise = \"dist2ref\"\nreference_unit = \"Y\"\n[[indicator]]\nid = \"c\"\ngroup = \"g\"\nnormalise = \"dist2ref\"\nreference_unit = \"Y\"\ndirection = \"risk_down\"",
        );
        let (_, res) = run(&text, "u,t,a,b,c\nX,1,0,0,2\nY,1,10,4,4\nZ,1,20,8,10\n");
        // b: (x - 0)/(4 - 0) -> 0, 1, 2; c (risk_down): (10 - x)/(10 - 4) -> 4/3, 1, 0
        assert_eq!(res.normalised[1][2], 2.0);
        assert!((res.normalised[2][0] - 4.0 / 3.0).abs() < 1e-15);
        assert_eq!(res.normalised[2][1], 1.0);
        let err = fails(
            &text.replace("reference_unit = \"Y\"", "reference_unit = \"YY\""),
            "u,t,a,b,c\nX,1,0,0,2\nY,1,10,4,4\n",
        );
        // Both indicators' problems, in indicator order (threads meet them in any order).
        assert_eq!(
            err.to_string(),
            "t.toml: indicator `b`, period 1: dist2ref measures against reference_unit `YY`, which has no value here; `YY` is not a unit of the data; did you mean `Y`?\n\
             t.toml: indicator `c`, period 1: dist2ref measures against reference_unit `YY`, which has no value here; `YY` is not a unit of the data; did you mean `Y`?"
        );
    }

    #[test]
    fn interpolation_runs_over_periods_before_normalising() {
        let (_, res) = run(
            &TWO.replace("IMPUTE", "impute = \"interpolate\""),
            "u,t,a,b\nX,2020,0,0\nX,2021,0,\nX,2022,0,20\nY,2020,1,10\nY,2021,1,10\nY,2022,1,10\n",
        );
        // X's b in 2021 = (0 + 20)/2 = 10: equal to Y's, so b normalises to mid-range.
        let cell = 2; // period 2021 (index 1) * 2 units + X (0)
        assert_eq!(res.treated[1][cell], 10.0);
        assert!(res.imputed[1][cell]);
        assert_eq!(res.normalised[1][cell], 50.0);
        assert!(res
            .warnings
            .iter()
            .any(|w| w.contains("same value for every unit in period 2021")));
    }

    #[test]
    fn panel_normalisation_compares_over_time() {
        let text = TWO
            .replace("IMPUTE", "")
            .replace("period = \"t\"", "period = \"t\"\nnormalise_over = \"panel\"");
        let (_, res) = run(&text, "u,t,a,b\nX,2020,0,0\nY,2020,10,10\nX,2021,20,20\nY,2021,40,40\n");
        // min 0, max 40 over both years: X 2021 = 50, Y 2020 = 25
        assert_eq!(res.score(2), 50.0);
        assert_eq!(res.score(1), 25.0);
    }
}

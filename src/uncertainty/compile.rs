//! Compiling the analysis: the periods and cells analysed, each factor as an action on
//! the compiled plan, one normalised matrix per data-stage choice (imputation,
//! treatment, normalisation) and period, and the groups that no factor touches,
//! evaluated once per choice.

use super::action::{Action, StageChoice};
use super::settings::Settings;
use crate::data::Panel;
use crate::error::ErrorKind;
use crate::error::{Error, Result};
use crate::framework::sensitivity::{Factor, FactorKind, Method, NormaliseChoice, Sensitivity, TreatmentChoice};
use crate::framework::{Child, Framework};
use crate::pipeline::aggregate::Aggregation;
use crate::pipeline::impute::Impute;
use crate::pipeline::treat::{Transform, Winsorise};
use crate::plan::{Fixed, Scratch, Tree};
use crate::score::{score, Results};
use rayon::prelude::*;

/// Everything the runs share, compiled once.
pub(super) struct Compiled<'a> {
    pub(super) fw: &'a Framework,
    pub(super) panel: &'a Panel,
    pub(super) tree: Tree,
    /// Periods analysed (panel indices) and, per period, its scored cells.
    pub(super) periods: Vec<usize>,
    pub(super) cells: Vec<Vec<usize>>,
    /// Outputs per run (every scored unit-period) and the most units in a period.
    pub(super) n_out: usize,
    pub(super) max_units: usize,
    pub(super) actions: Vec<Action>,
    /// Per factor: its Sobol group; the groups with their factors.
    pub(super) group_of: Vec<usize>,
    pub(super) sobol_groups: Vec<(String, Vec<usize>)>,
    /// Per data-stage combination, per period: the normalised values `[k * U + i]`.
    pub(super) matrices: Vec<Vec<Vec<f64>>>,
    /// Per data-stage combination, per period: the groups no factor touches.
    pub(super) fixed: Vec<Vec<FixedStage>>,
    /// Per group: computed in every run (a factor touches it or a descendant).
    pub(super) dynamic: Vec<bool>,
    treatment_options: usize,
    normalise_options: usize,
}

/// The sample: N and the number of runs.
pub(super) struct Design {
    pub(super) n: usize,
    pub(super) runs: usize,
}

/// What does not vary between runs of one data-stage choice, for one period.
pub(super) struct FixedStage {
    pub(super) groups: Vec<f64>,
    pub(super) logs: Vec<f64>,
    pub(super) log_ok: Vec<bool>,
    /// Per child slot: its given values have no missing value ([`Fixed::complete`]).
    pub(super) complete: Vec<bool>,
}

impl<'a> Compiled<'a> {
    pub(super) fn new(
        fw: &'a Framework,
        panel: &'a Panel,
        nominal: &Results,
        sens: &Sensitivity,
        settings: &Settings,
    ) -> Result<Compiled<'a>> {
        let (periods, cells) = periods_and_cells(panel, nominal, settings)?;
        let tree = Tree::compile(fw);
        let factors = actions(sens, &tree);
        let stages = stages(&factors);
        let matrices = matrices(fw, panel, &cells, &stages)?;
        let dynamic = dynamic_groups(fw, &tree, &factors.actions);
        let fixed = fixed_stages(fw, &tree, &cells, &matrices, &dynamic)?;
        let sobol_groups = sens.groups();
        let mut group_of = vec![0; factors.actions.len()];
        for (g, (_, members)) in sobol_groups.iter().enumerate() {
            for &i in members {
                group_of[i] = g;
            }
        }
        Ok(Compiled {
            fw,
            panel,
            tree,
            periods,
            n_out: cells.iter().map(Vec::len).sum(),
            max_units: cells.iter().map(Vec::len).max().unwrap_or(0),
            cells,
            actions: factors.actions,
            group_of,
            sobol_groups,
            matrices,
            fixed,
            dynamic,
            treatment_options: factors.treatment_options.len(),
            normalise_options: factors.normalise_options.len(),
        })
    }

    /// The factors' names, in the framework's order.
    pub(super) fn factor_names(&self) -> Vec<String> {
        self.fw
            .sensitivity
            .as_ref()
            .map_or_else(Vec::new, |s| s.factors.iter().map(|f| f.name.clone()).collect())
    }

    /// Sobol groups (d factors may share one).
    pub(super) fn n_groups(&self) -> usize {
        self.sobol_groups.len()
    }

    /// The index of a data-stage choice among the precomputed matrices.
    pub(super) fn combo(&self, s: StageChoice) -> usize {
        (s.impute * self.treatment_options + s.treatment) * self.normalise_options + s.normalise
    }

    /// N and the run count: from the settings, or from a given sample matrix.
    pub(super) fn design(&self, settings: &Settings) -> Result<Design> {
        let d = self.actions.len();
        let n_groups = self.n_groups();
        let (n, runs) = match (&settings.samples_from, settings.method) {
            (Some(rows), Method::Sobol) => {
                let runs = rows.len() / d;
                if !runs.is_multiple_of(n_groups + 2) {
                    return Err(Error::Argument {
                        name: "samples_from".into(),
                        message: format!(
                            "the file has {runs} rows of factor values; a Saltelli design needs a multiple of d + 2 = {} (A, A_B^1..A_B^d, B per sample)",
                            n_groups + 2
                        ),
                    });
                }
                (runs / (n_groups + 2), runs)
            }
            (Some(rows), Method::MonteCarlo) => (rows.len() / d, rows.len() / d),
            (None, Method::Sobol) => (settings.samples, settings.samples * (n_groups + 2)),
            (None, Method::MonteCarlo) => (settings.samples, settings.samples),
        };

        Ok(Design { n, runs })
    }
}

/// The periods analysed (every scored one, or the one asked for) and their scored cells.
fn periods_and_cells(panel: &Panel, nominal: &Results, settings: &Settings) -> Result<(Vec<usize>, Vec<Vec<usize>>)> {
    let n_units = panel.n_units();
    let mut periods: Vec<usize> = (0..panel.periods.len())
        .filter(|&p| (0..n_units).any(|u| nominal.scored[p * n_units + u]))
        .collect();
    if let Some(want) = settings.period {
        match periods.iter().find(|&&p| panel.periods[p] == want) {
            Some(&p) => periods = vec![p],
            None => {
                return Err(Error::Argument {
                    name: "period".into(),
                    message: format!(
                        "no unit is scored in period {want}; scored periods: {}",
                        periods
                            .iter()
                            .map(|&p| panel.periods[p].to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                })
            }
        }
    }
    let cells: Vec<Vec<usize>> = periods
        .iter()
        .map(|&p| {
            (p * n_units..(p + 1) * n_units)
                .filter(|&c| nominal.scored[c])
                .collect()
        })
        .collect();
    Ok((periods, cells))
}

/// The factors as actions on the plan, with the data-stage options they sample.
struct Factors {
    actions: Vec<Action>,
    impute_options: Vec<Option<Impute>>,
    treatment_options: Vec<TreatmentChoice>,
    normalise_options: Vec<Option<NormaliseChoice>>,
}

fn actions(sens: &Sensitivity, tree: &Tree) -> Factors {
    let slot_of = |child: Child| tree.children.iter().position(|&c| c == child).unwrap_or(0);
    let mut impute_options: Vec<Option<Impute>> = vec![None];
    let mut treatment_options = vec![TreatmentChoice::Framed];
    let mut normalise_options: Vec<Option<NormaliseChoice>> = vec![None];
    let actions: Vec<Action> = sens
        .factors
        .iter()
        .map(|f: &Factor| match &f.kind {
            FactorKind::Weight { child, lo, hi } => Action::Weight {
                slot: slot_of(*child),
                lo: *lo,
                hi: *hi,
            },
            FactorKind::Aggregate { group, options } => Action::Aggregate {
                group: *group,
                options: options.clone(),
            },
            FactorKind::Exclude { indicator } => Action::Exclude {
                slot: slot_of(Child::Indicator(*indicator)),
            },
            FactorKind::ExcludeOne { options } => Action::ExcludeOne {
                slots: options
                    .iter()
                    .map(|o| o.map(|k| slot_of(Child::Indicator(k))))
                    .collect(),
            },
            FactorKind::Impute { options } => {
                impute_options = options.iter().copied().map(Some).collect();
                Action::Impute { n: options.len() }
            }
            FactorKind::Treatment { options } => {
                treatment_options = options.clone();
                Action::Treatment { n: options.len() }
            }
            FactorKind::AggregateAll { options } => Action::AggregateAll {
                options: options.clone(),
            },
            FactorKind::WeightSets { sets, .. } => Action::WeightSets {
                sets: sets
                    .iter()
                    .map(|set| set.iter().map(|&(child, w)| (slot_of(child), w)).collect())
                    .collect(),
            },
            FactorKind::Normalise { options } => {
                normalise_options = options.iter().copied().map(Some).collect();
                Action::Normalise { n: options.len() }
            }
        })
        .collect();
    Factors {
        actions,
        impute_options,
        treatment_options,
        normalise_options,
    }
}

/// Every data-stage combination: (imputation, treatment off, normalisation).
fn stages(f: &Factors) -> Vec<Stage> {
    f.impute_options
        .iter()
        .flat_map(|&imp| {
            let normalise_options = &f.normalise_options;
            f.treatment_options
                .iter()
                .flat_map(move |&t| normalise_options.iter().map(move |&norm| (imp, t, norm)))
        })
        .collect()
}

/// One data-stage combination: imputation, treatment, normalisation.
type Stage = (Option<Impute>, TreatmentChoice, Option<NormaliseChoice>);

/// One normalised matrix per data-stage combination and period: values[k * U + i].
fn matrices(fw: &Framework, panel: &Panel, cells: &[Vec<usize>], stages: &[Stage]) -> Result<Vec<Vec<Vec<f64>>>> {
    stages
        .par_iter()
        .map(|&(imp, treatment, norm)| -> Result<Vec<Vec<f64>>> {
            let res = score(&stage_variant(fw, imp, treatment, norm), panel)?;
            Ok(cells
                .iter()
                .map(|cs| {
                    let u = cs.len();
                    let mut m = vec![f64::NAN; fw.indicators.len() * u];
                    for (k, column) in res.normalised.iter().enumerate() {
                        for (i, &c) in cs.iter().enumerate() {
                            m[k * u + i] = column[c];
                        }
                    }
                    m
                })
                .collect())
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect::<Result<_>>()
}

/// Groups some factor touches (and their ancestors) are computed in every run; the
/// others are fixed for a data-stage choice and computed once ([`fixed_stages`]).
fn dynamic_groups(fw: &Framework, tree: &Tree, actions: &[Action]) -> Vec<bool> {
    let group_of_slot = |slot: usize| {
        (0..tree.n_groups())
            .find(|&g| tree.offsets[g] <= slot && slot < tree.offsets[g + 1])
            .unwrap_or(0)
    };
    let mut dynamic = vec![false; tree.n_groups()];
    for action in actions {
        match action {
            Action::Weight { slot, .. } | Action::Exclude { slot } => dynamic[group_of_slot(*slot)] = true,
            Action::ExcludeOne { slots } => slots.iter().flatten().for_each(|&s| dynamic[group_of_slot(s)] = true),
            Action::Aggregate { group, .. } => dynamic[*group] = true,
            Action::AggregateAll { .. } => dynamic.iter_mut().for_each(|d| *d = true),
            Action::WeightSets { sets } => sets
                .iter()
                .flatten()
                .for_each(|&(s, _)| dynamic[group_of_slot(s)] = true),
            Action::Impute { .. } | Action::Treatment { .. } | Action::Normalise { .. } => {}
        }
    }
    for &g in &tree.post_order {
        if dynamic[g] {
            let mut at = g;
            while let Some(p) = fw.groups[at].parent {
                dynamic[p] = true;
                at = p;
            }
        }
    }
    dynamic[0] = true;
    dynamic
}

/// Per data-stage combination and period: the fixed groups' scores, their logs and
/// which child slots are complete.
fn fixed_stages(
    fw: &Framework,
    tree: &Tree,
    cells: &[Vec<usize>],
    matrices: &[Vec<Vec<f64>>],
    dynamic: &[bool],
) -> Result<Vec<Vec<FixedStage>>> {
    let fixed_groups: Vec<bool> = dynamic.iter().map(|d| !d).collect();
    let mut fixed: Vec<Vec<FixedStage>> = Vec::with_capacity(matrices.len());
    let mut scratch = Scratch::default();
    for per_period in matrices {
        let mut out = Vec::with_capacity(per_period.len());
        for (pi, m) in per_period.iter().enumerate() {
            let u = cells[pi].len();
            let mut groups = vec![f64::NAN; tree.n_groups() * u];
            let only_fixed = Fixed {
                compute: Some(&fixed_groups),
                ..Fixed::default()
            };
            tree.evaluate_partial(&tree.weights, &tree.aggregation, m, u, &mut scratch, &mut groups, only_fixed)
                .map_err(|bad| Error::Method {
                    context: format!("{}: sensitivity, group `{}`", fw.file, fw.groups[bad.group].id),
                    kind: ErrorKind::NonPositiveValue,
                    message: format!(
                        "{} aggregation met {} = {} under one of the data-stage choices; set geometric_range = [1, 100] on `{}`",
                        tree.aggregation[bad.group].name(),
                        fw.child_id(bad.child),
                        bad.value,
                        fw.groups[bad.group].id
                    ),
                })?;
            let (logs, log_ok) = tree.fixed_logs(m, &groups, dynamic, u);
            let no_nan = |x: &[f64]| !x.iter().any(|v| v.is_nan());
            let complete = tree
                .children
                .iter()
                .map(|&child| match child {
                    Child::Indicator(k) => no_nan(&m[k * u..(k + 1) * u]),
                    Child::Group(h) => !dynamic[h] && no_nan(&groups[h * u..(h + 1) * u]),
                })
                .collect();
            out.push(FixedStage {
                groups,
                logs,
                log_ok,
                complete,
            });
        }
        fixed.push(out);
    }
    Ok(fixed)
}

/// The framework with one data-stage combination applied to every indicator.
fn stage_variant(
    fw: &Framework,
    impute: Option<Impute>,
    treatment: TreatmentChoice,
    normalise: Option<NormaliseChoice>,
) -> Framework {
    let mut v = fw.clone();
    for ind in &mut v.indicators {
        if let Some(i) = impute {
            ind.impute = i;
        }
        match treatment {
            TreatmentChoice::Framed => {}
            TreatmentChoice::Off => {
                ind.winsorise = Winsorise::None;
                ind.transform = Transform::None;
            }
            TreatmentChoice::Winmax(k) => {
                if let Winsorise::SkewKurtosis { max_points, .. } | Winsorise::TwoStage { max_points, .. } =
                    &mut ind.winsorise
                {
                    *max_points = k;
                }
            }
        }
        if let Some(n) = normalise {
            ind.normalise = n.for_indicator(&ind.normalise);
        }
    }
    // Only the normalised values are used: aggregate plainly so no run-specific
    // aggregation can fail here.
    for g in &mut v.groups {
        g.aggregation = Aggregation::Arithmetic;
    }
    v.index.scale = None;
    v
}

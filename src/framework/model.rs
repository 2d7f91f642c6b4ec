//! The validated framework: the analyst's declarative model of the index, with every
//! id resolved to an index, the hierarchy checked, derived columns in dependency order;
//! and what later code asks of it (ids, weights, the columns and files it reads).

use super::data_spec::{DataSpec, Neighbours};
use super::derived::DerivedColumn;
use super::hierarchy::{Child, Group, Indicator};
use super::index::{Index, ScaleFrom, Scope};
use super::screen::Screen;
use super::sensitivity;
use crate::error::{Error, Result};
use std::collections::HashSet;

/// A validated framework.
#[derive(Debug, Clone)]
pub struct Framework {
    /// The file it came from, as given by the user (for messages).
    pub(crate) file: String,
    /// SHA-256 of the text it was read from (hex), for manifests.
    pub(crate) sha256: String,
    pub(crate) index: Index,
    pub(crate) data: DataSpec,
    pub(crate) screen: Screen,
    /// In dependency order.
    pub(crate) derived: Vec<DerivedColumn>,
    pub(crate) groups: Vec<Group>,
    pub(crate) indicators: Vec<Indicator>,
    /// Groups with children before parents (the index last).
    pub(crate) post_order: Vec<usize>,
    /// Uncertain factors for `riskscore sensitivity`, if the file has a `[sensitivity]` block.
    pub(crate) sensitivity: Option<sensitivity::Sensitivity>,
}

impl Framework {
    /// What a change of score over time means under the framework's settings: a title
    /// suffix for the charts that compare periods, and a sentence for their readings.
    pub(crate) fn change_meaning(&self) -> (&'static str, &'static str) {
        use crate::pipeline::normalise::Normalise;
        let observed = self.index.scale.is_some_and(|s| s.from == ScaleFrom::Observed);
        let fixed = self.indicators.iter().all(|i| {
            matches!(
                i.normalise,
                Normalise::Goalposts { .. } | Normalise::DistToTarget { .. }
            )
        });
        match self.index.scope {
            Scope::Panel if !observed => (
                "levels, normalised over all periods",
                "Scores are normalised over all periods together (`normalise_over = \"panel\"`): a change is a change in the level of risk.",
            ),
            Scope::Period if fixed && !observed => (
                "levels: fixed goalposts",
                "Every indicator is normalised to fixed goalposts: a change is a change in the level of risk.",
            ),
            _ => (
                "position within each period",
                "Scores are normalised within each period (`normalise_over = \"period\"`): a change is a change of a place's position among the places scored, not of its level of risk, and a place whose attacks rose can keep its score. To follow levels over time, set `normalise_over = \"panel\"` or fixed goalposts.",
            ),
        }
    }

    /// The file it came from, as given (for messages).
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The index's id and name (`[index] id`, `name`).
    pub fn index_id(&self) -> &str {
        &self.index.id
    }

    /// The index's display name.
    pub fn index_name(&self) -> &str {
        &self.index.name
    }

    /// The groups' ids: the index first, then pillars and sub-pillars in file order.
    pub fn group_ids(&self) -> Vec<&str> {
        self.groups.iter().map(|g| g.id.as_str()).collect()
    }

    /// The indicators' ids, in file order.
    pub fn indicator_ids(&self) -> Vec<&str> {
        self.indicators.iter().map(|i| i.id.as_str()).collect()
    }

    /// The risk classes' labels, from the lowest scores up (`[[index.classes]]`).
    pub fn class_labels(&self) -> Vec<&str> {
        self.index.classes.iter().map(|c| c.label.as_str()).collect()
    }

    /// The files a run of this framework reads besides the data and the framework
    /// given: `[data] sources`, the `[data] neighbours` table, the weight sets of
    /// `[sensitivity]`. No output may be written over them.
    pub(crate) fn files_read(&self) -> Vec<std::path::PathBuf> {
        let mut files: Vec<std::path::PathBuf> = self.data.sources.iter().map(|s| s.path.clone()).collect();
        match &self.data.neighbours {
            Some(Neighbours::File(path)) | Some(Neighbours::Coordinates { file: path, .. }) => files.push(path.clone()),
            _ => {}
        }
        if let Some(sens) = &self.sensitivity {
            for f in &sens.factors {
                if let sensitivity::FactorKind::WeightSets { file, .. } = &f.kind {
                    files.push(std::path::PathBuf::from(file));
                }
            }
        }
        files
    }

    /// Group ids except the index, in tree order (pre-order), for output columns.
    pub(crate) fn pillar_order(&self) -> Vec<usize> {
        let mut out = Vec::new();
        fn walk(fw: &Framework, g: usize, out: &mut Vec<usize>) {
            for child in &fw.groups[g].children {
                if let Child::Group(c) = child {
                    out.push(*c);
                    walk(fw, *c, out);
                }
            }
        }
        walk(self, 0, &mut out);
        out
    }

    /// Data columns the framework reads (not produced by a derived column), each
    /// with what needs it, in first-use order.
    pub fn required_columns(&self) -> Vec<(String, String)> {
        let produced: HashSet<&str> = self.derived.iter().map(|d| d.id.as_str()).collect();
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        let mut need = |column: &str, by: String| {
            if !produced.contains(column) && seen.insert(column.to_string()) {
                out.push((column.to_string(), by));
            }
        };
        for ind in &self.indicators {
            need(&ind.column, format!("indicator `{}`", ind.id));
            if let Some(d) = &ind.denominator {
                need(d, format!("indicator `{}` (denominator)", ind.id));
            }
        }
        for d in &self.derived {
            for input in d.def.inputs() {
                need(input, format!("derived `{}`", d.id));
            }
        }
        out
    }

    /// Text columns the data must provide (column, what needs it): the unit groups of
    /// `group_mean` / `group_median` imputation.
    pub(crate) fn label_columns(&self) -> Vec<(String, String)> {
        let factor_needs_group = self.sensitivity.as_ref().is_some_and(|s| {
            s.factors.iter().any(|f| match &f.kind {
                sensitivity::FactorKind::Impute { options } => options.iter().any(|o| o.needs_unit_group()),
                _ => false,
            })
        });
        let mut out: Vec<(String, String)> = Vec::new();
        for ind in &self.indicators {
            if !(ind.impute.needs_unit_group() || factor_needs_group) {
                continue;
            }
            if let Some(col) = &ind.impute_group {
                if !out.iter().any(|(c, _)| c == col) {
                    out.push((col.clone(), format!("indicator `{}` (impute_group)", ind.id)));
                }
            }
        }
        out
    }

    /// The product of normalised weights from the index down to each indicator
    /// (its nominal share of the index when every child is present).
    pub(crate) fn effective_weights(&self) -> Vec<f64> {
        let mut out = vec![0.0; self.indicators.len()];
        fn walk(fw: &Framework, g: usize, share: f64, out: &mut [f64]) {
            let total: f64 = fw.groups[g].children.iter().map(|c| fw.child_weight(*c)).sum();
            for &child in &fw.groups[g].children {
                let s = share * fw.child_weight(child) / total;
                match child {
                    Child::Group(c) => walk(fw, c, s, out),
                    Child::Indicator(k) => out[k] = s,
                }
            }
        }
        walk(self, 0, 1.0, &mut out);
        out
    }

    /// The `[sensitivity]` block, or the error naming its absence.
    pub(crate) fn sensitivity(&self) -> Result<&sensitivity::Sensitivity> {
        self.sensitivity.as_ref().ok_or_else(|| Error::Framework {
            file: self.file.clone(),
            key: "sensitivity".into(),
            message:
                "the framework has no [sensitivity] block: add one with the uncertain factors (see docs/sensitivity.md)"
                    .into(),
        })
    }

    /// A child's weight within its parent.
    pub(crate) fn child_weight(&self, child: Child) -> f64 {
        match child {
            Child::Group(g) => self.groups[g].weight,
            Child::Indicator(k) => self.indicators[k].weight,
        }
    }

    /// A child's id.
    pub(crate) fn child_id(&self, child: Child) -> &str {
        match child {
            Child::Group(g) => &self.groups[g].id,
            Child::Indicator(k) => &self.indicators[k].id,
        }
    }
}

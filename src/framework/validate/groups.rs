//! `[[group]]` and the hierarchy: ids, parents, cycles, children, weighting methods.
//! (Whether geometric and harmonic means see positive values is checked on the values
//! when scoring, naming the unit, period and child.)

use super::index::IndexSettings;
use super::validator::Validator;
use crate::error::suggest;
use crate::framework::hierarchy::{Child, Group, Indicator, WeightMethod};
use crate::framework::model::Framework;
use crate::framework::schema::RawFramework;
use std::collections::HashMap;

/// Group ids resolved to indices (0 = the index).
pub(super) struct GroupIds<'a> {
    pub(super) index: HashMap<&'a str, usize>,
    pub(super) names: Vec<&'a str>,
}

impl Validator {
    /// Ids: the index, groups and indicators share one namespace.
    pub(super) fn ids(&mut self, raw: &RawFramework, index_id: &str) {
        let mut ids: HashMap<String, String> = HashMap::new();
        ids.insert(index_id.to_string(), "index.id".into());
        for (i, g) in raw.group.iter().enumerate() {
            self.unique_id(&mut ids, &g.id, &format!("group[{}].id", i + 1));
        }
        for (i, ind) in raw.indicator.iter().enumerate() {
            self.unique_id(&mut ids, &ind.id, &format!("indicator[{}].id", i + 1));
        }
    }

    /// Groups: the index first, then the file's groups in order, with their parents.
    pub(super) fn groups<'a>(&mut self, raw: &'a RawFramework, index: &'a IndexSettings) -> (Vec<Group>, GroupIds<'a>) {
        let index_range = self.pair("index.geometric_range", &raw.index.geometric_range);
        let mut groups = vec![Group {
            id: index.id.clone(),
            name: raw.index.name.clone().unwrap_or_else(|| index.id.clone()),
            parent: None,
            weight: 1.0,
            aggregation: index.aggregation,
            geometric_range: index_range,
            children: Vec::new(),
            weights: self.weight_method("index.weights", raw.index.weights.as_deref()),
        }];
        let mut group_index: HashMap<&str, usize> = HashMap::new();
        group_index.insert(index.id.as_str(), 0);
        for g in &raw.group {
            group_index.entry(g.id.as_str()).or_insert(groups.len());
            let key = format!("group.{}", g.id);
            let weight = self.positive_weight(&format!("{key}.weight"), g.weight);
            let aggregation = self.aggregation(
                &format!("{key}.aggregation"),
                g.aggregation.as_deref(),
                index.default_aggregation,
            );
            let geometric_range = self.pair(&format!("{key}.geometric_range"), &g.geometric_range);
            let weights = self.weight_method(&format!("{key}.weights"), g.weights.as_deref());
            groups.push(Group {
                id: g.id.clone(),
                name: g.name.clone().unwrap_or_else(|| g.id.clone()),
                parent: None,
                weight,
                aggregation,
                geometric_range,
                children: Vec::new(),
                weights,
            });
        }
        let group_names: Vec<&str> = group_index.keys().copied().collect();
        for (i, g) in raw.group.iter().enumerate() {
            let parent = g.parent.as_deref().unwrap_or(&index.id);
            match group_index.get(parent) {
                Some(&p) if p == i + 1 => {
                    self.problem(format!("group.{}.parent", g.id), "a group cannot be its own parent")
                }
                Some(&p) => groups[i + 1].parent = Some(p),
                None => self.problem(
                    format!("group.{}.parent", g.id),
                    format!(
                        "unknown group `{parent}`{}",
                        suggest(parent, group_names.iter().copied())
                    ),
                ),
            }
        }
        self.check_cycles(&groups);
        (
            groups,
            GroupIds {
                index: group_index,
                names: group_names,
            },
        )
    }

    /// Links children to groups (in file order: sub-groups first as declared, then
    /// indicators) and returns the groups in post-order (children before parents).
    pub(super) fn children(
        &mut self,
        groups: &mut [Group],
        indicators: &[Indicator],
        no_indicators: bool,
    ) -> Vec<usize> {
        for g in 1..groups.len() {
            if let Some(p) = groups[g].parent {
                groups[p].children.push(Child::Group(g));
            }
        }
        for (k, ind) in indicators.iter().enumerate() {
            groups[ind.group].children.push(Child::Indicator(k));
        }
        if no_indicators {
            self.problem(
                "indicator",
                "the framework has no indicators: add at least one [[indicator]]",
            );
        }
        let mut post_order = Vec::new();
        if self.problems.is_empty() {
            for g in groups.iter() {
                if g.children.is_empty() {
                    let key = if g.parent.is_none() {
                        "index".to_string()
                    } else {
                        format!("group.{}", g.id)
                    };
                    self.problem(
                        key,
                        format!("group `{}` has no indicators or sub-groups under it", g.id),
                    );
                }
            }
            post_order_walk(groups, 0, &mut post_order);
        }
        post_order
    }

    /// Data-driven weights need at least 2 children, and optimised weights a row-wise mean.
    pub(super) fn check_weight_methods(&mut self, fw: &Framework) {
        for (g, group) in fw.groups.iter().enumerate() {
            let method = group.weights;
            if !method.is_data_driven() {
                continue;
            }
            let key = if g == 0 {
                "index.weights".to_string()
            } else {
                format!("group.{}.weights", group.id)
            };
            if group.children.len() < 2 {
                self.problem(
                    &key,
                    format!(
                        "`{}` weights need at least 2 children; `{}` has {}",
                        if method == WeightMethod::Pca {
                            "pca"
                        } else {
                            "optimised"
                        },
                        group.id,
                        group.children.len()
                    ),
                );
            } else if method == WeightMethod::Optimised && group.aggregation.is_columnwise() {
                self.problem(
                    &key,
                    format!(
                        "optimised weights need an arithmetic, geometric, harmonic or genmean aggregation; `{}` uses {}",
                        group.id,
                        group.aggregation.name()
                    ),
                );
            }
        }
    }

    /// Every chain of parents must end at the index, at most [`MAX_DEPTH`] groups
    /// below it. One walk up from each group, each group visited once (linear in the
    /// number of groups, however deep the nesting).
    fn check_cycles(&mut self, groups: &[Group]) {
        const NEW: u8 = 0;
        const ON_PATH: u8 = 1;
        const DONE: u8 = 2;
        let mut state = vec![NEW; groups.len()];
        let mut position = vec![0usize; groups.len()];
        // Levels below the index: a pillar is 1.
        let mut depth = vec![0usize; groups.len()];
        for start in 1..groups.len() {
            let mut path: Vec<usize> = Vec::new();
            let mut at = start;
            let base = loop {
                if at == 0 {
                    break Some(0);
                }
                match state[at] {
                    DONE => break Some(depth[at]),
                    ON_PATH => {
                        let mut cycle = path[position[at]..].to_vec();
                        cycle.push(at);
                        let names: Vec<&str> = cycle.iter().map(|&g| groups[g].id.as_str()).collect();
                        self.problem(
                            format!("group.{}.parent", groups[at].id),
                            format!(
                                "the groups form a cycle: {} (every chain of parents must end at the index)",
                                names.join(" -> ")
                            ),
                        );
                        break None;
                    }
                    _ => {}
                }
                state[at] = ON_PATH;
                position[at] = path.len();
                path.push(at);
                match groups[at].parent {
                    Some(p) => at = p,
                    // An unknown parent is reported where it is read.
                    None => break Some(0),
                }
            };
            let mut level = base.unwrap_or(0);
            for &g in path.iter().rev() {
                level += 1;
                depth[g] = level;
                state[g] = DONE;
            }
        }
        if let Some((g, &deepest)) = depth.iter().enumerate().max_by_key(|&(_, d)| *d) {
            if deepest > MAX_DEPTH {
                self.problem(
                    format!("group.{}.parent", groups[g].id),
                    format!(
                        "group `{}` is {deepest} levels below the index; at most {MAX_DEPTH} are allowed (a risk framework has a handful: pillars, sub-pillars, components)",
                        groups[g].id
                    ),
                );
            }
        }
    }
}

/// The deepest nesting of groups below the index (a pillar is level 1). Walks over the
/// tree (weights, reports, notebooks) recurse once per level.
pub const MAX_DEPTH: usize = 64;

/// `weights = "equal"`: every child of the group weighs 1.
pub(super) fn equal_weights(groups: &mut [Group], indicators: &mut [Indicator]) {
    for g in 0..groups.len() {
        if groups[g].weights == WeightMethod::Equal {
            for c in groups[g].children.clone() {
                match c {
                    Child::Indicator(k) => indicators[k].weight = 1.0,
                    Child::Group(h) => groups[h].weight = 1.0,
                }
            }
        }
    }
}

fn post_order_walk(groups: &[Group], g: usize, out: &mut Vec<usize>) {
    for child in &groups[g].children {
        if let Child::Group(c) = child {
            post_order_walk(groups, *c, out);
        }
    }
    out.push(g);
}

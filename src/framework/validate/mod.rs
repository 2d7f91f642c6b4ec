//! Checks a parsed framework file ([`super::schema::RawFramework`]) and resolves it
//! into a [`Framework`]: one file per section (index, groups, indicators, derived
//! columns, sensitivity, variants) and, in `data.rs`, the checks that need the data.
//!
//! Every problem is collected, not just the first, so `riskscore validate` reports
//! them all at once. Keys in messages are written as `indicator.<id>.<key>`,
//! `group.<id>.<key>`, `derived.<id>.<key>` or `index.<key>`.
//!
//! This file is the entry point; [`Validator`], the shared base every section's checks
//! are methods of, is in `validator.rs`, and the `[data]` section's checks in
//! `data_spec.rs`.

pub(crate) mod data;
mod data_spec;
mod derived;
mod groups;
mod index;
mod indicators;
pub(crate) mod sensitivity;
mod validator;
pub(crate) mod variants;

use super::data_spec::DataSpec;
use super::index::Index;
use super::model::Framework;
use super::schema::RawFramework;
use crate::error::{Error, Result};
use validator::Validator;

/// Checks the parsed file `file` and resolves it into a framework.
pub(super) fn framework(raw: RawFramework, file: &str) -> Result<Framework> {
    let mut v = Validator::new(file);
    let settings = v.index(&raw);
    v.ids(&raw, &settings.id);
    let (mut groups, group_index) = v.groups(&raw, &settings);
    let mut indicators = v.indicators(&raw, &group_index);
    let post_order = v.children(&mut groups, &indicators, raw.indicator.is_empty());
    let derived = v.derived(&raw.derived);
    v.neighbours_given(&raw, &derived);
    groups::equal_weights(&mut groups, &mut indicators);
    let mut fw = Framework {
        file: v.file.clone(),
        sha256: String::new(),
        index: Index {
            id: settings.id.clone(),
            name: raw.index.name.clone().unwrap_or(settings.id),
            description: raw.index.description.clone(),
            unit_column: raw.index.unit.clone(),
            period_column: raw.index.period.clone(),
            scale: None,
            classes: settings.classes,
            ties: settings.ties,
            first_period: settings.first_period,
            last_period: settings.last_period,
            scope: settings.scope,
        },
        data: DataSpec {
            layout: settings.layout,
            missing: raw.data.missing.clone(),
            thousands: v.thousands(raw.data.thousands.as_deref()),
            indicator_column: raw.data.indicator_column.clone().unwrap_or_else(|| "indicator".into()),
            value_column: raw.data.value_column.clone().unwrap_or_else(|| "value".into()),
            neighbours: raw.data.neighbours.as_ref().and_then(|n| v.neighbours_source(n)),
            sources: v.sources(raw.data.sources.as_deref().unwrap_or_default()),
        },
        screen: settings.screen,
        derived,
        groups,
        indicators,
        post_order,
        sensitivity: None,
    };
    // The checks below read the whole resolved tree: only once it is sound.
    if v.problems.is_empty() {
        v.check_weight_methods(&fw);
        if let Some(raw_sensitivity) = &raw.sensitivity {
            fw.sensitivity = sensitivity::validate(&mut v, raw_sensitivity, &fw);
        }
        fw.index.scale = v.scale(settings.scale, settings.scale_from, &fw);
    }
    Error::from_problems(v.problems)?;
    Ok(fw)
}

#[cfg(test)]
mod tests;

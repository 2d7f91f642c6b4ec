//! The shared base of validation: [`Validator`] collects every problem, keyed by where
//! it is in the file, and parses the values many sections share (named choices,
//! weights, ranges, periods, shares, unique ids).

use crate::error::{unknown, Error};
use crate::framework::data_spec::Layout;
use crate::framework::hierarchy::{WeightMethod, WEIGHT_NAMES};
use crate::framework::schema::PeriodValue;
use crate::period::Period;
use crate::pipeline::aggregate::{self, Aggregation};
use std::collections::HashMap;

/// A path named in the framework file, relative to that file's folder.
pub(super) fn beside(framework: &str, path: &str) -> std::path::PathBuf {
    std::path::Path::new(framework)
        .parent()
        .unwrap_or(std::path::Path::new(""))
        .join(path)
}

/// Collects problems while validating.
pub(crate) struct Validator {
    pub(super) file: String,
    pub(crate) problems: Vec<Error>,
}

fn pick<T: Copy>(value: &str, options: &[(&str, T)]) -> Option<T> {
    options.iter().find(|(n, _)| *n == value).map(|(_, t)| *t)
}

impl Validator {
    pub(super) fn new(file: &str) -> Self {
        Validator {
            file: file.to_string(),
            problems: Vec::new(),
        }
    }

    /// A layout name.
    pub(crate) fn layout(&mut self, key: &str, value: &str) -> Layout {
        self.choice(
            key,
            Some(value),
            Layout::Wide,
            &["wide", "long", "wdi"],
            &[("wide", Layout::Wide), ("long", Layout::Long), ("wdi", Layout::Wdi)],
        )
    }

    pub(crate) fn problem(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Error::Framework {
            file: self.file.clone(),
            key: key.into(),
            message: message.into(),
        });
    }

    /// Parses a named choice, or reports what was expected and the nearest name.
    pub(crate) fn choice<T: Copy>(
        &mut self,
        key: &str,
        value: Option<&str>,
        default: T,
        names: &[&str],
        options: &[(&str, T)],
    ) -> T {
        let Some(value) = value else { return default };
        match pick(value, options) {
            Some(t) => t,
            None => {
                self.problem(key, unknown("value", value, names.iter().copied()));
                default
            }
        }
    }

    /// A weighting method name, or `expert`.
    pub(crate) fn weight_method(&mut self, key: &str, value: Option<&str>) -> WeightMethod {
        let Some(value) = value else {
            return WeightMethod::Expert;
        };
        WeightMethod::parse(value).unwrap_or_else(|| {
            self.problem(key, unknown("value", value, WEIGHT_NAMES.iter().copied()));
            WeightMethod::Expert
        })
    }

    /// An aggregation name (including `genmean(p)`), or the default.
    pub(crate) fn aggregation(&mut self, key: &str, value: Option<&str>, default: Aggregation) -> Aggregation {
        let Some(value) = value else { return default };
        match Aggregation::parse(value) {
            Some(a) => a,
            None => {
                self.problem(key, unknown("value", value, aggregate::NAMES.iter().copied()));
                default
            }
        }
    }

    pub(crate) fn positive_weight(&mut self, key: &str, weight: Option<f64>) -> f64 {
        let w = weight.unwrap_or(1.0);
        if !(w.is_finite() && w > 0.0) {
            self.problem(key, format!("weight must be a finite number > 0, found {w}"));
            return 1.0;
        }
        w
    }

    pub(crate) fn pair(&mut self, key: &str, value: &Option<Vec<f64>>) -> Option<(f64, f64)> {
        let v = value.as_ref()?;
        if v.len() != 2 || !v.iter().all(|x| x.is_finite()) || v[0] >= v[1] {
            self.problem(
                key,
                format!("expected two finite numbers [low, high] with low < high, found {v:?}"),
            );
            return None;
        }
        Some((v[0], v[1]))
    }

    pub(crate) fn period(&mut self, key: &str, value: &Option<PeriodValue>) -> Option<Period> {
        let v = value.as_ref()?;
        let parsed = Period::parse(&v.to_string());
        if parsed.is_none() {
            self.problem(
                key,
                format!("expected a period such as 2018, \"2018-Q1\" or \"2018-03\", found `{v}`"),
            );
        }
        parsed
    }

    pub(crate) fn share(&mut self, key: &str, value: Option<f64>) -> Option<f64> {
        let v = value?;
        if !(0.0..=1.0).contains(&v) {
            self.problem(key, format!("expected a share between 0 and 1, found {v}"));
            return None;
        }
        Some(v)
    }

    pub(crate) fn unique_id(&mut self, ids: &mut HashMap<String, String>, id: &str, key: &str) {
        if id.trim().is_empty() {
            self.problem(key, "id must not be empty");
        } else if let Some(first) = ids.get(id) {
            self.problem(key, format!("duplicate id `{id}` (already used at {first})"));
        } else {
            ids.insert(id.to_string(), key.to_string());
        }
    }
}

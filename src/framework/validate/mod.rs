//! Checks a parsed framework file ([`super::schema::RawFramework`]) and resolves it
//! into a [`Framework`]: one file per section (index, groups, indicators, derived
//! columns, sensitivity, variants) and, in `data.rs`, the checks that need the data.
//!
//! Every problem is collected, not just the first, so `riskscore validate` reports
//! them all at once. Keys in messages are written as `indicator.<id>.<key>`,
//! `group.<id>.<key>`, `derived.<id>.<key>` or `index.<key>`.

pub(crate) mod data;
mod derived;
mod groups;
mod index;
mod indicators;
pub(crate) mod sensitivity;
pub(crate) mod variants;

use super::schema::{PeriodValue, RawCoordinates, RawFramework};
use super::{DataSpec, Framework, Index, WeightMethod, WEIGHT_NAMES};
use crate::error::{unknown, Error, Result};
use crate::period::Period;
use crate::pipeline::aggregate::{self, Aggregation};
use std::collections::HashMap;

/// A path named in the framework file, relative to that file's folder.
fn beside(framework: &str, path: &str) -> std::path::PathBuf {
    std::path::Path::new(framework)
        .parent()
        .unwrap_or(std::path::Path::new(""))
        .join(path)
}

/// Collects problems while validating.
pub(crate) struct Validator {
    file: String,
    pub(crate) problems: Vec<Error>,
}

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

fn pick<T: Copy>(value: &str, options: &[(&str, T)]) -> Option<T> {
    options.iter().find(|(n, _)| *n == value).map(|(_, t)| *t)
}

impl Validator {
    fn new(file: &str) -> Self {
        Validator {
            file: file.to_string(),
            problems: Vec::new(),
        }
    }

    /// `data.sources`: paths, or tables `{ file, layout, sheet }`.
    fn sources(&mut self, raw: &[super::schema::RawSource]) -> Vec<super::SourceSpec> {
        use super::schema::RawSource;
        raw.iter()
            .map(|source| match source {
                RawSource::Path(path) => super::SourceSpec {
                    path: beside(&self.file, path),
                    layout: None,
                    sheet: None,
                },
                RawSource::Spec(spec) => super::SourceSpec {
                    path: beside(&self.file, &spec.file),
                    layout: spec.layout.as_deref().map(|l| self.layout("data.sources.layout", l)),
                    sheet: spec.sheet.clone(),
                },
            })
            .collect()
    }

    /// A layout name.
    pub(crate) fn layout(&mut self, key: &str, value: &str) -> super::Layout {
        use super::Layout;
        self.choice(
            key,
            Some(value),
            Layout::Wide,
            &["wide", "long", "wdi"],
            &[("wide", Layout::Wide), ("long", Layout::Long), ("wdi", Layout::Wdi)],
        )
    }

    /// `data.thousands`: one of `,` `.` space `'`.
    fn thousands(&mut self, value: Option<&str>) -> Option<char> {
        let value = value?;
        let separator = crate::input::numbers::thousands_separator(value);
        if separator.is_none() {
            self.problem(
                "data.thousands",
                format!("{}, found `{value}`", crate::input::numbers::THOUSANDS_EXPECTED),
            );
        }
        separator
    }

    /// `[data] neighbours`: `grid:queen`, `grid:queen:K` (K rings of PRIO-GRID cells),
    /// the path of a contiguity table, or a table of coordinates with its rule.
    fn neighbours_source(&mut self, raw: &toml::Value) -> Option<crate::framework::Neighbours> {
        use crate::framework::{Neighbours, MAX_RINGS};
        let key = "data.neighbours";
        let value = match raw {
            toml::Value::String(value) if !value.trim().is_empty() => value.trim(),
            toml::Value::Table(table) => return self.coordinates_table(table),
            other => {
                let found = match other {
                    toml::Value::String(_) => "an empty text".to_string(),
                    v => format!("a {}", v.type_str()),
                };
                self.problem(
                    key,
                    format!("expected the path of a contiguity table, `grid:queen`, or a table such as {{ units = \"centres.csv\", within_km = 150 }}, found {found}"),
                );
                return None;
            }
        };
        let lower = value.to_ascii_lowercase();
        let Some(kind) = lower.strip_prefix("grid:") else {
            return Some(Neighbours::File(beside(&self.file, value)));
        };
        let rings = match kind.split_once(':') {
            None if kind == "queen" => Some(1),
            Some(("queen", k)) => k.parse::<u32>().ok().filter(|k| (1..=MAX_RINGS).contains(k)),
            _ => None,
        };
        if rings.is_none() {
            self.problem(
                "data.neighbours",
                format!(
                    "expected `grid:queen` (the 8 PRIO-GRID cells around each cell), `grid:queen:K` (K rings, 1 to {MAX_RINGS}) or the path of a contiguity table, found `{value}`"
                ),
            );
        }
        rings.map(|rings| Neighbours::GridQueen { rings })
    }

    /// The table of `[data] neighbours`: every key checked for its name and type.
    fn coordinates_table(
        &mut self,
        table: &toml::map::Map<String, toml::Value>,
    ) -> Option<crate::framework::Neighbours> {
        const KEYS: [&str; 5] = ["units", "within_km", "nearest", "weights", "scale_km"];
        let mut c = RawCoordinates::default();
        let mut fine = true;
        for (name, value) in table {
            let key = format!("data.neighbours.{name}");
            let number = value.as_float().or_else(|| value.as_integer().map(|i| i as f64));
            let ok = match name.as_str() {
                "units" => value.as_str().map(|v| c.units = v.to_string()).is_some(),
                "within_km" => number.map(|v| c.within_km = Some(v)).is_some(),
                "scale_km" => number.map(|v| c.scale_km = Some(v)).is_some(),
                "nearest" => value.as_integer().map(|v| c.nearest = Some(v)).is_some(),
                "weights" => value.as_str().map(|v| c.weights = Some(v.to_string())).is_some(),
                other => {
                    self.problem(key.clone(), unknown("key", other, KEYS));
                    fine = false;
                    continue;
                }
            };
            if !ok {
                let expected = match name.as_str() {
                    "units" => "the path of a CSV of unit, lat, lon",
                    "nearest" => "a whole number of neighbours",
                    "weights" => "\"equal\", \"inverse_distance\" or \"exponential\"",
                    _ => "a distance in km",
                };
                self.problem(key, format!("expected {expected}, found a {}", value.type_str()));
                fine = false;
            }
        }
        if c.units.trim().is_empty() {
            self.problem(
                "data.neighbours.units",
                "a table of neighbours needs `units`, the path of a CSV of unit, lat, lon",
            );
            fine = false;
        }
        let neighbours = self.coordinates(&c);
        neighbours.filter(|_| fine)
    }

    /// `[data] neighbours = { units = "centres.csv", within_km = 150 }` (or `nearest =
    /// 5`), with `weights = "inverse_distance"` or `"exponential"` and `scale_km`.
    fn coordinates(&mut self, c: &RawCoordinates) -> Option<crate::framework::Neighbours> {
        use crate::places::distance::{DistanceWeights, Reach};
        let key = "data.neighbours";
        let reach = match (c.within_km, c.nearest) {
            (Some(d), None) if d.is_finite() && d > 0.0 => Some(Reach::WithinKm(d)),
            (None, Some(k)) if k >= 1 => Some(Reach::Nearest(k as usize)),
            (Some(d), None) => {
                self.problem(
                    format!("{key}.within_km"),
                    format!("expected a distance in km above 0, found {d}"),
                );
                None
            }
            (None, Some(k)) => {
                self.problem(
                    format!("{key}.nearest"),
                    format!("expected 1 or more neighbours, found {k}"),
                );
                None
            }
            _ => {
                self.problem(
                    key,
                    "give one rule of neighbours: `within_km = 150` (every place within 150 km) or `nearest = 5` (the 5 nearest)",
                );
                None
            }
        };
        let weights = match (c.weights.as_deref().unwrap_or("equal"), c.scale_km) {
            ("equal", None) => Some(DistanceWeights::Equal),
            ("inverse_distance", None) => Some(DistanceWeights::InverseDistance),
            ("exponential", Some(s)) if s.is_finite() && s > 0.0 => Some(DistanceWeights::Exponential { scale_km: s }),
            ("exponential", _) => {
                self.problem(
                    format!("{key}.scale_km"),
                    "exponential weights exp(-d / scale_km) need `scale_km`, a distance in km above 0",
                );
                None
            }
            ("equal" | "inverse_distance", Some(_)) => {
                self.problem(
                    format!("{key}.scale_km"),
                    "only exponential weights have a scale: set `weights = \"exponential\"` or leave `scale_km` out",
                );
                None
            }
            (other, _) => {
                self.problem(
                    format!("{key}.weights"),
                    unknown("weights", other, ["equal", "inverse_distance", "exponential"]),
                );
                None
            }
        };
        Some(crate::framework::Neighbours::Coordinates {
            file: beside(&self.file, &c.units),
            reach: reach?,
            weights: weights?,
        })
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

#[cfg(test)]
mod tests;

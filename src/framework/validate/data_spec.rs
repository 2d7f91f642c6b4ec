//! The `[data]` section's own checks: the data files it names (`sources`), the
//! thousands separator, and where the neighbours of `neighbours` derived columns come
//! from (`grid:queen`, a contiguity table, or a table of coordinates and its rule).

use super::validator::{beside, Validator};
use crate::error::unknown;
use crate::framework::data_spec::{Neighbours, SourceSpec, MAX_RINGS};
use crate::framework::schema::{RawCoordinates, RawSource};

impl Validator {
    /// `data.sources`: paths, or tables `{ file, layout, sheet }`.
    pub(super) fn sources(&mut self, raw: &[RawSource]) -> Vec<SourceSpec> {
        raw.iter()
            .map(|source| match source {
                RawSource::Path(path) => SourceSpec {
                    path: beside(&self.file, path),
                    layout: None,
                    sheet: None,
                },
                RawSource::Spec(spec) => SourceSpec {
                    path: beside(&self.file, &spec.file),
                    layout: spec.layout.as_deref().map(|l| self.layout("data.sources.layout", l)),
                    sheet: spec.sheet.clone(),
                },
            })
            .collect()
    }

    /// `data.thousands`: one of `,` `.` space `'`.
    pub(super) fn thousands(&mut self, value: Option<&str>) -> Option<char> {
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
    pub(super) fn neighbours_source(&mut self, raw: &toml::Value) -> Option<Neighbours> {
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
    fn coordinates_table(&mut self, table: &toml::map::Map<String, toml::Value>) -> Option<Neighbours> {
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
    fn coordinates(&mut self, c: &RawCoordinates) -> Option<Neighbours> {
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
        Some(Neighbours::Coordinates {
            file: beside(&self.file, &c.units),
            reach: reach?,
            weights: weights?,
        })
    }
}

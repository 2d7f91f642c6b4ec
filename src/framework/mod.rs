//! The framework: the analyst's declarative model of the index.
//!
//! A framework file (TOML) is parsed into [`schema::RawFramework`] and then
//! validated once into a [`Framework`]: every key checked, every id resolved to an
//! index, the hierarchy checked for cycles and empty groups, derived columns put in
//! dependency order. Later code never looks up an id by string in a loop.
//!
//! Validation collects every problem it finds, so `riskscore validate` can report
//! them all at once. Keys in messages are written as `indicator.<id>.<key>`,
//! `group.<id>.<key>`, `derived.<id>.<key>` or `index.<key>`.

pub mod schema;
pub mod sensitivity;

use crate::error::{list_ids, suggest, unknown, Error, Result};
use crate::period::Period;
use crate::pipeline::aggregate::{self, Aggregation};
use crate::pipeline::classify::Class;
use crate::pipeline::derive::{self, Derived, Missing, NeighbourStat, Rolling};
use crate::pipeline::impute::{self, Impute};
use crate::pipeline::normalise::{self, Direction, Normalise};
use crate::pipeline::rank::{self, Ties};
use crate::pipeline::treat::{self, Transform, Winsorise};
use schema::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// Over which values normalisation, treatment and mean/median imputation are fitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Each period on its own (default): scores compare units within a period.
    Period,
    /// All scored periods together: scores are also comparable over time.
    Panel,
}

/// How the index is mapped onto `index.scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScaleFrom {
    /// The theoretical range of the normalised scale (e.g. [0, 100]) maps to the scale.
    Nominal,
    /// Each period's lowest and highest index map to the scale's ends.
    Observed,
}

/// Data layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// One row per unit and period, one column per indicator.
    Wide,
    /// Columns unit, period, indicator, value.
    Long,
}

/// The index itself and options that apply to all of it.
#[derive(Debug, Clone)]
pub struct Index {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub unit_column: String,
    pub period_column: String,
    /// Target scale and the nominal range it is mapped from (for `Nominal`).
    pub scale: Option<Scale>,
    pub classes: Vec<Class>,
    pub ties: Ties,
    pub first_period: Option<Period>,
    pub last_period: Option<Period>,
    pub scope: Scope,
}

/// A linear map of the index (and pillar scores, for nominal scaling) onto [lo, hi].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    pub lo: f64,
    pub hi: f64,
    pub from: ScaleFrom,
    /// The normalised range mapped from (nominal scaling only).
    pub nominal: Option<(f64, f64)>,
}

impl Scale {
    /// Maps scores onto [lo, hi]: pointwise from the nominal range, or from the
    /// slice's own lowest and highest value (`observed`; all equal -> the midpoint).
    /// NaN stays NaN.
    pub fn apply(&self, values: &mut [f64]) {
        let (a, b) = match (self.from, self.nominal) {
            (ScaleFrom::Nominal, Some(range)) => range,
            _ => {
                let present = values.iter().copied().filter(|v| !v.is_nan());
                let (min, max) = present.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
                if max <= min || max.is_nan() {
                    let mid = (self.lo + self.hi) / 2.0;
                    values.iter_mut().filter(|v| !v.is_nan()).for_each(|v| *v = mid);
                    return;
                }
                (min, max)
            }
        };
        for v in values.iter_mut() {
            *v = self.lo + (self.hi - self.lo) * (*v - a) / (b - a);
        }
    }
}

/// Where a data layout comes from.
#[derive(Debug, Clone)]
pub struct DataSpec {
    pub layout: Option<Layout>,
    pub indicator_column: String,
    pub value_column: String,
    /// Contiguity table for `neighbours` derived columns (resolved against the
    /// framework file's folder).
    pub neighbours: Option<std::path::PathBuf>,
}

/// Screening thresholds (shares in [0, 1]).
#[derive(Debug, Clone, Default)]
pub struct Screen {
    pub unit_min_coverage: Option<f64>,
    pub indicator_min_coverage: Option<f64>,
}

/// A derived column.
#[derive(Debug, Clone)]
pub struct DerivedColumn {
    pub id: String,
    pub def: Derived,
    pub missing: Missing,
}

/// A child of a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Child {
    Group(usize),
    Indicator(usize),
}

/// A node of the hierarchy; `groups[0]` is the index.
#[derive(Debug, Clone)]
pub struct Group {
    pub id: String,
    pub name: String,
    pub parent: Option<usize>,
    pub weight: f64,
    pub aggregation: Aggregation,
    /// Before a geometric or harmonic mean, each child is min-max rescaled across the
    /// period's units to this range (so a zero or negative value cannot occur).
    pub geometric_range: Option<(f64, f64)>,
    pub children: Vec<Child>,
    /// How the children's weights are set (`crate::weights`).
    pub weights: WeightMethod,
}

/// An indicator and how it is treated on its way into the index.
#[derive(Debug, Clone)]
pub struct Indicator {
    pub id: String,
    pub name: String,
    pub group: usize,
    pub column: String,
    pub units: Option<String>,
    pub source: Option<String>,
    pub direction: Direction,
    pub weight: f64,
    pub denominator: Option<String>,
    pub multiplier: f64,
    pub impute: Impute,
    pub winsorise: Winsorise,
    pub transform: Transform,
    pub normalise: Normalise,
}

/// A validated framework.
#[derive(Debug, Clone)]
pub struct Framework {
    /// The file it came from, as given by the user (for messages).
    pub file: String,
    pub index: Index,
    pub data: DataSpec,
    pub screen: Screen,
    /// In dependency order.
    pub derived: Vec<DerivedColumn>,
    pub groups: Vec<Group>,
    pub indicators: Vec<Indicator>,
    /// Groups with children before parents (the index last).
    pub post_order: Vec<usize>,
    /// Uncertain factors for `riskscore sensitivity`, if the file has a `[sensitivity]` block.
    pub sensitivity: Option<sensitivity::Sensitivity>,
}

impl Framework {
    /// Reads and validates a framework file.
    pub fn from_path(path: &Path) -> Result<Framework> {
        Framework::read(path).map(|(fw, _)| fw)
    }

    /// Reads and validates a framework file, also returning its bytes (for the
    /// manifest's hash), reading the file once.
    pub fn read(path: &Path) -> Result<(Framework, Vec<u8>)> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, "cannot read framework file", e))?;
        let file = path.display().to_string();
        let text = std::str::from_utf8(&bytes).map_err(|e| Error::Toml {
            file: file.clone(),
            message: format!("the file is not UTF-8 text: {e}"),
        })?;
        let fw = Framework::from_toml(text, &file)?;
        Ok((fw, bytes))
    }

    /// Parses and validates framework text; `file` names it in messages.
    pub fn from_toml(text: &str, file: &str) -> Result<Framework> {
        let raw: RawFramework = toml::from_str(text).map_err(|e| Error::Toml {
            file: file.to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
        Validator::new(file).run(raw)
    }

    /// Group ids except the index, in tree order (pre-order), for output columns.
    pub fn pillar_order(&self) -> Vec<usize> {
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

    /// The product of normalised weights from the index down to each indicator
    /// (its nominal share of the index when every child is present).
    pub fn effective_weights(&self) -> Vec<f64> {
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
    pub fn sensitivity(&self) -> Result<&sensitivity::Sensitivity> {
        self.sensitivity.as_ref().ok_or_else(|| Error::Framework {
            file: self.file.clone(),
            key: "sensitivity".into(),
            message: "the framework has no [sensitivity] block: add one with the uncertain factors (see the README)"
                .into(),
        })
    }

    /// A child's weight within its parent.
    pub fn child_weight(&self, child: Child) -> f64 {
        match child {
            Child::Group(g) => self.groups[g].weight,
            Child::Indicator(k) => self.indicators[k].weight,
        }
    }

    /// A child's id.
    pub fn child_id(&self, child: Child) -> &str {
        match child {
            Child::Group(g) => &self.groups[g].id,
            Child::Indicator(k) => &self.indicators[k].id,
        }
    }
}

/// How a group's children are weighted: as written, equally, or from the data
/// (fitted by [`crate::score::weights`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WeightMethod {
    Expert,
    Equal,
    Pca,
    Optimised,
}

/// Weighting names accepted in framework files.
pub const WEIGHT_NAMES: &[&str] = &["expert", "equal", "pca", "optimised"];

impl WeightMethod {
    pub fn parse(name: &str) -> Option<WeightMethod> {
        Some(match name {
            "expert" => WeightMethod::Expert,
            "equal" => WeightMethod::Equal,
            "pca" => WeightMethod::Pca,
            "optimised" | "optimized" => WeightMethod::Optimised,
            _ => return None,
        })
    }

    /// Whether the weights come from the data.
    pub fn from_data(&self) -> bool {
        matches!(self, WeightMethod::Pca | WeightMethod::Optimised)
    }
}

/// Collects problems while validating.
pub(crate) struct Validator {
    file: String,
    pub(crate) problems: Vec<Error>,
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

    pub(crate) fn problem(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Error::Framework {
            file: self.file.clone(),
            key: key.into(),
            message: message.into(),
        });
    }

    /// Parses a named choice, or reports what was expected and the nearest name.
    fn choice<T: Copy>(
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
    fn weight_method(&mut self, key: &str, value: Option<&str>) -> WeightMethod {
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

    fn positive_weight(&mut self, key: &str, weight: Option<f64>) -> f64 {
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

    fn run(mut self, raw: RawFramework) -> Result<Framework> {
        let index_id = raw.index.id.trim().to_string();
        if index_id.is_empty() {
            self.problem("index.id", "must not be empty");
        }
        let defaults = &raw.defaults;
        let default_aggregation = self.aggregation(
            "defaults.aggregation",
            defaults.aggregation.as_deref(),
            Aggregation::Arithmetic,
        );
        let index_aggregation = self.aggregation(
            "index.aggregation",
            raw.index.aggregation.as_deref(),
            default_aggregation,
        );
        let ties = self.choice(
            "index.ties",
            raw.index.ties.as_deref(),
            Ties::Average,
            rank::NAMES,
            &[("average", Ties::Average), ("min", Ties::Min)],
        );
        let scope = self.choice(
            "index.normalise_over",
            raw.index.normalise_over.as_deref(),
            Scope::Period,
            &["period", "panel"],
            &[("period", Scope::Period), ("panel", Scope::Panel)],
        );
        let scale_from = self.choice(
            "index.scale_from",
            raw.index.scale_from.as_deref(),
            ScaleFrom::Nominal,
            &["nominal", "observed"],
            &[("nominal", ScaleFrom::Nominal), ("observed", ScaleFrom::Observed)],
        );
        let scale_pair = self.pair("index.scale", &raw.index.scale);
        let classes = self.classes(&raw.index.classes);
        let first_period = self.period("index.first_period", &raw.index.first_period);
        let last_period = self.period("index.last_period", &raw.index.last_period);
        if let (Some(a), Some(b)) = (first_period, last_period) {
            if a > b {
                self.problem("index.last_period", format!("{b} is before index.first_period {a}"));
            }
        }
        let layout = match raw.data.layout.as_deref() {
            None | Some("auto") => None,
            Some(l) => Some(self.choice(
                "data.layout",
                Some(l),
                Layout::Wide,
                &["wide", "long", "auto"],
                &[("wide", Layout::Wide), ("long", Layout::Long)],
            )),
        };
        let screen = Screen {
            unit_min_coverage: self.share("screen.unit_min_coverage", raw.screen.unit_min_coverage),
            indicator_min_coverage: self.share("screen.indicator_min_coverage", raw.screen.indicator_min_coverage),
        };

        // Ids: the index, groups and indicators share one namespace.
        let mut ids: HashMap<String, String> = HashMap::new();
        ids.insert(index_id.clone(), "index.id".into());
        for (i, g) in raw.group.iter().enumerate() {
            self.unique_id(&mut ids, &g.id, &format!("group[{}].id", i + 1));
        }
        for (i, ind) in raw.indicator.iter().enumerate() {
            self.unique_id(&mut ids, &ind.id, &format!("indicator[{}].id", i + 1));
        }

        // Groups: index first, then the file's groups in order.
        let index_range = self.pair("index.geometric_range", &raw.index.geometric_range);
        let mut groups = vec![Group {
            id: index_id.clone(),
            name: raw.index.name.clone().unwrap_or_else(|| index_id.clone()),
            parent: None,
            weight: 1.0,
            aggregation: index_aggregation,
            geometric_range: index_range,
            children: Vec::new(),
            weights: self.weight_method("index.weights", raw.index.weights.as_deref()),
        }];
        let mut group_index: HashMap<&str, usize> = HashMap::new();
        group_index.insert(index_id.as_str(), 0);
        for g in &raw.group {
            group_index.entry(g.id.as_str()).or_insert(groups.len());
            let key = format!("group.{}", g.id);
            let weight = self.positive_weight(&format!("{key}.weight"), g.weight);
            let aggregation = self.aggregation(
                &format!("{key}.aggregation"),
                g.aggregation.as_deref(),
                default_aggregation,
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
            let parent = g.parent.as_deref().unwrap_or(&index_id);
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

        // Indicators.
        let mut indicators = Vec::new();
        for ind in &raw.indicator {
            if let Some(i) = self.indicator(ind, defaults, &group_index, &group_names) {
                indicators.push(i);
            }
        }

        // Children, in file order: sub-groups first as declared, then indicators.
        for g in 1..groups.len() {
            if let Some(p) = groups[g].parent {
                groups[p].children.push(Child::Group(g));
            }
        }
        for (k, ind) in indicators.iter().enumerate() {
            groups[ind.group].children.push(Child::Indicator(k));
        }
        if raw.indicator.is_empty() {
            self.problem(
                "indicator",
                "the framework has no indicators: add at least one [[indicator]]",
            );
        }
        let mut post_order = Vec::new();
        if self.problems.is_empty() {
            for g in &groups {
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
            post_order_walk(&groups, 0, &mut post_order);
        }

        let derived = self.derived(&raw.derived);
        if raw.data.neighbours.is_none() {
            if let Some(d) = derived.iter().find(|d| matches!(d.def, Derived::Neighbours { .. })) {
                self.problem(
                    format!("derived.{}.kind", d.id),
                    "kind `neighbours` needs a contiguity table: set [data] neighbours = \"borders.csv\" (columns unit, neighbour, optional weight; the path is relative to the framework file)",
                );
            }
        }

        // `weights = "equal"`: every child of the group weighs 1.
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
        let mut fw = Framework {
            file: self.file.clone(),
            index: Index {
                id: index_id.clone(),
                name: raw.index.name.clone().unwrap_or(index_id),
                description: raw.index.description.clone(),
                unit_column: raw.index.unit.clone(),
                period_column: raw.index.period.clone(),
                scale: None,
                classes,
                ties,
                first_period,
                last_period,
                scope,
            },
            data: DataSpec {
                layout,
                indicator_column: raw.data.indicator_column.clone().unwrap_or_else(|| "indicator".into()),
                value_column: raw.data.value_column.clone().unwrap_or_else(|| "value".into()),
                neighbours: raw.data.neighbours.as_ref().map(|n| {
                    std::path::Path::new(&self.file)
                        .parent()
                        .unwrap_or(std::path::Path::new(""))
                        .join(n)
                }),
            },
            screen,
            derived,
            groups,
            indicators,
            post_order,
            sensitivity: None,
        };
        if self.problems.is_empty() {
            self.check_positivity(&fw);
            if let Some(raw_sensitivity) = &raw.sensitivity {
                fw.sensitivity = sensitivity::validate(&mut self, raw_sensitivity, &fw);
            }
            if let Some((lo, hi)) = scale_pair {
                let nominal = match scale_from {
                    ScaleFrom::Observed => None,
                    ScaleFrom::Nominal => {
                        let b = bounds(&fw, Child::Group(0));
                        if b.is_none() {
                            self.problem(
                                "index.scale",
                                "nominal scaling needs every indicator on a bounded scale (minmax, goalposts or percentile) and no copeland aggregation; set index.scale_from = \"observed\" to map each period's lowest and highest score instead",
                            );
                        }
                        b
                    }
                };
                fw.index.scale = Some(Scale {
                    lo,
                    hi,
                    from: scale_from,
                    nominal,
                });
            }
        }
        Error::from_problems(self.problems)?;
        Ok(fw)
    }

    fn share(&mut self, key: &str, value: Option<f64>) -> Option<f64> {
        let v = value?;
        if !(0.0..=1.0).contains(&v) {
            self.problem(key, format!("expected a share between 0 and 1, found {v}"));
            return None;
        }
        Some(v)
    }

    fn unique_id(&mut self, ids: &mut HashMap<String, String>, id: &str, key: &str) {
        if id.trim().is_empty() {
            self.problem(key, "id must not be empty");
        } else if let Some(first) = ids.get(id) {
            self.problem(key, format!("duplicate id `{id}` (already used at {first})"));
        } else {
            ids.insert(id.to_string(), key.to_string());
        }
    }

    fn classes(&mut self, raw: &[RawClass]) -> Vec<Class> {
        let mut out = Vec::new();
        let mut last = f64::NEG_INFINITY;
        for (i, c) in raw.iter().enumerate() {
            let key = format!("index.classes[{}]", i + 1);
            let is_last = i + 1 == raw.len();
            match (c.below, is_last) {
                (Some(b), _) if !b.is_finite() || b <= last => self.problem(
                    &key,
                    format!("cut-off `below = {b}` must be finite and greater than the previous class's ({last})"),
                ),
                (Some(b), _) => last = b,
                (None, false) => self.problem(
                    &key,
                    format!(
                        "class `{}` has no `below`: only the last (highest) class may omit it",
                        c.label
                    ),
                ),
                (None, true) => {}
            }
            out.push(Class {
                label: c.label.clone(),
                below: c.below,
            });
        }
        if let Some(c) = raw.last() {
            if c.below.is_some() {
                self.problem(
                    format!("index.classes[{}]", raw.len()),
                    format!(
                        "the last class `{}` must not have `below` (it takes every higher score)",
                        c.label
                    ),
                );
            }
        }
        out
    }

    fn check_cycles(&mut self, groups: &[Group]) {
        let mut reported = HashSet::new();
        for start in 1..groups.len() {
            let mut path = vec![start];
            let mut at = start;
            while let Some(p) = groups[at].parent {
                if p == 0 {
                    break;
                }
                if let Some(pos) = path.iter().position(|&g| g == p) {
                    let mut cycle: Vec<usize> = path[pos..].to_vec();
                    let min = *cycle.iter().min().unwrap_or(&p);
                    if reported.insert(min) {
                        cycle.push(p);
                        let names: Vec<&str> = cycle.iter().map(|&g| groups[g].id.as_str()).collect();
                        self.problem(
                            format!("group.{}.parent", groups[p].id),
                            format!(
                                "the groups form a cycle: {} (every chain of parents must end at the index)",
                                names.join(" -> ")
                            ),
                        );
                    }
                    break;
                }
                path.push(p);
                at = p;
            }
        }
    }

    fn indicator(
        &mut self,
        ind: &RawIndicator,
        defaults: &RawDefaults,
        group_index: &HashMap<&str, usize>,
        group_names: &[&str],
    ) -> Option<Indicator> {
        let key = format!("indicator.{}", ind.id);
        let group = match group_index.get(ind.group.as_str()) {
            Some(&g) => Some(g),
            None => {
                self.problem(
                    format!("{key}.group"),
                    format!(
                        "unknown group `{}`{}",
                        ind.group,
                        suggest(&ind.group, group_names.iter().copied())
                    ),
                );
                None
            }
        };
        let weight = self.positive_weight(&format!("{key}.weight"), ind.weight);
        let direction = self.choice(
            &format!("{key}.direction"),
            ind.direction.as_deref().or(defaults.direction.as_deref()),
            Direction::RiskUp,
            &["risk_up", "risk_down"],
            &[("risk_up", Direction::RiskUp), ("risk_down", Direction::RiskDown)],
        );
        let impute = self.choice(
            &format!("{key}.impute"),
            ind.impute.as_deref().or(defaults.impute.as_deref()),
            Impute::None,
            impute::NAMES,
            &[
                ("none", Impute::None),
                ("mean", Impute::Mean),
                ("median", Impute::Median),
                ("group_mean", Impute::GroupMean),
                ("interpolate", Impute::Interpolate),
                ("locf", Impute::Locf),
            ],
        );
        let transform = self.choice(
            &format!("{key}.transform"),
            ind.transform.as_deref().or(defaults.transform.as_deref()),
            Transform::None,
            treat::TRANSFORM_NAMES,
            &[
                ("none", Transform::None),
                ("log", Transform::Log),
                ("log1p", Transform::Log1p),
                ("sqrt", Transform::Sqrt),
            ],
        );
        let winsorise_name = ind
            .winsorise
            .as_deref()
            .or(defaults.winsorise.as_deref())
            .unwrap_or("none");
        let winsorise = match winsorise_name {
            "none" => Winsorise::None,
            "quantile" => {
                let p = ind.winsorise_p.or(defaults.winsorise_p).unwrap_or(0.05);
                if !(p > 0.0 && p < 0.5) {
                    self.problem(
                        format!("{key}.winsorise_p"),
                        format!("expected a share between 0 and 0.5 (exclusive), found {p}"),
                    );
                }
                Winsorise::Quantile { p }
            }
            "skew_kurtosis" => Winsorise::SkewKurtosis {
                max_points: ind.winsorise_max_points.or(defaults.winsorise_max_points).unwrap_or(5),
                skew: ind.skew_threshold.or(defaults.skew_threshold).unwrap_or(2.0),
                kurtosis: ind.kurtosis_threshold.or(defaults.kurtosis_threshold).unwrap_or(3.5),
            },
            "coinr" => Winsorise::TwoStage {
                max_points: ind.winsorise_max_points.or(defaults.winsorise_max_points).unwrap_or(5),
                skew: ind.skew_threshold.or(defaults.skew_threshold).unwrap_or(2.0),
                kurtosis: ind.kurtosis_threshold.or(defaults.kurtosis_threshold).unwrap_or(3.5),
            },
            other => {
                self.problem(
                    format!("{key}.winsorise"),
                    unknown("value", other, treat::WINSORISE_NAMES.iter().copied()),
                );
                Winsorise::None
            }
        };
        let range = match ind.range.as_ref().or(defaults.range.as_ref()) {
            Some(r) => self
                .pair(&format!("{key}.range"), &Some(r.clone()))
                .unwrap_or((0.0, 100.0)),
            None => (0.0, 100.0),
        };
        let normalise_name = ind
            .normalise
            .as_deref()
            .or(defaults.normalise.as_deref())
            .unwrap_or("minmax");
        let normalise = match normalise_name {
            "minmax" => Normalise::MinMax {
                lo: range.0,
                hi: range.1,
            },
            "goalposts" => match self.pair(&format!("{key}.goalposts"), &ind.goalposts) {
                Some((min, max)) => {
                    let (tmin, tmax) = (transform.apply_or_nan(min), transform.apply_or_nan(max));
                    if !(tmin.is_finite() && tmax.is_finite()) {
                        self.problem(
                            format!("{key}.goalposts"),
                            format!(
                                "goalposts [{min}, {max}] are outside the domain of transform `{}` ({})",
                                transform.name(),
                                transform.domain()
                            ),
                        );
                    }
                    Normalise::Goalposts {
                        min,
                        max,
                        lo: range.0,
                        hi: range.1,
                    }
                }
                None => {
                    if ind.goalposts.is_none() {
                        self.problem(
                            format!("{key}.goalposts"),
                            "normalise = \"goalposts\" needs goalposts = [low, high] in the indicator's raw units",
                        );
                    }
                    Normalise::None
                }
            },
            "zscore" => Normalise::ZScore,
            "rank" => Normalise::Rank,
            "percentile" => Normalise::Percentile,
            "distance_to_max" => Normalise::DistanceToMax,
            "fracmax" => Normalise::FracMax,
            "borda" => Normalise::Borda,
            "mpi_scaled" => Normalise::MpiScaled,
            "dist2targ" => match ind.target {
                Some(t) if t.is_finite() && transform.apply_or_nan(t).is_finite() => Normalise::DistToTarget {
                    target: t,
                    cap: ind.cap.unwrap_or(false),
                    down: direction == Direction::RiskDown,
                },
                Some(t) => {
                    self.problem(
                        format!("{key}.target"),
                        format!(
                            "target {t} is not a finite value in the domain of transform `{}`",
                            transform.name()
                        ),
                    );
                    Normalise::None
                }
                None => {
                    self.problem(
                        format!("{key}.target"),
                        "normalise = \"dist2targ\" needs target = <value in the indicator's raw units>",
                    );
                    Normalise::None
                }
            },
            "scaled" => match self.pair(&format!("{key}.goalposts"), &ind.goalposts) {
                Some((l, u)) => Normalise::Scaled { l, u },
                None => {
                    if ind.goalposts.is_none() {
                        self.problem(
                            format!("{key}.goalposts"),
                            "normalise = \"scaled\" needs goalposts = [l, u]: 100 (x - l)/(u - l)",
                        );
                    }
                    Normalise::None
                }
            },
            "none" => Normalise::None,
            other => {
                self.problem(
                    format!("{key}.normalise"),
                    unknown("value", other, normalise::NAMES.iter().copied()),
                );
                Normalise::None
            }
        };
        if matches!(winsorise, Winsorise::TwoStage { .. })
            && matches!(normalise_name, "goalposts" | "scaled" | "dist2targ")
        {
            self.problem(
                format!("{key}.winsorise"),
                format!("winsorise = \"coinr\" may log-transform the values, so `{normalise_name}` bounds in raw units would no longer apply: use minmax, zscore, rank, ... or winsorise = \"skew_kurtosis\""),
            );
        }
        for (given, name) in [(ind.target.is_some(), "target"), (ind.cap.is_some(), "cap")] {
            if given && normalise_name != "dist2targ" {
                self.problem(
                    format!("{key}.{name}"),
                    format!(
                        "`{name}` is only used with normalise = \"dist2targ\" (this indicator uses `{normalise_name}`)"
                    ),
                );
            }
        }
        if ind.goalposts.is_some() && !matches!(normalise_name, "goalposts" | "scaled") {
            self.problem(
                format!("{key}.goalposts"),
                format!(
                    "goalposts are only used with normalise = \"goalposts\" (this indicator uses `{normalise_name}`)"
                ),
            );
        }
        let multiplier = ind.multiplier.unwrap_or(1.0);
        if !(multiplier.is_finite() && multiplier != 0.0) {
            self.problem(
                format!("{key}.multiplier"),
                format!("expected a finite non-zero number, found {multiplier}"),
            );
        }
        if ind.multiplier.is_some() && ind.denominator.is_none() {
            self.problem(format!("{key}.multiplier"), "multiplier is only used with a denominator (e.g. denominator = \"population\", multiplier = 1e6 for per million)");
        }
        Some(Indicator {
            id: ind.id.clone(),
            name: ind.name.clone().unwrap_or_else(|| ind.id.clone()),
            group: group?,
            column: ind.column.clone().unwrap_or_else(|| ind.id.clone()),
            units: ind.units.clone(),
            source: ind.source.clone(),
            direction,
            weight,
            denominator: ind.denominator.clone(),
            multiplier,
            impute,
            winsorise,
            transform,
            normalise,
        })
    }

    fn derived(&mut self, raw: &[RawDerived]) -> Vec<DerivedColumn> {
        let mut defs: Vec<DerivedColumn> = Vec::new();
        let mut seen = HashSet::new();
        for d in raw {
            let key = format!("derived.{}", d.id);
            if !seen.insert(d.id.clone()) {
                self.problem(format!("{key}.id"), format!("duplicate derived column `{}`", d.id));
                continue;
            }
            if let Some(def) = self.derived_one(d, &key) {
                let missing = self.choice(
                    &format!("{key}.missing"),
                    d.missing.as_deref(),
                    Missing::Missing,
                    derive::MISSING_NAMES,
                    &[
                        ("missing", Missing::Missing),
                        ("zero", Missing::Zero),
                        ("skip", Missing::Skip),
                        ("error", Missing::Error),
                    ],
                );
                defs.push(DerivedColumn {
                    id: d.id.clone(),
                    def,
                    missing,
                });
            }
        }
        // Dependency order (Kahn); what remains is a cycle.
        let ids: HashMap<&str, usize> = defs.iter().enumerate().map(|(i, d)| (d.id.as_str(), i)).collect();
        let mut order = Vec::new();
        let mut done = vec![false; defs.len()];
        loop {
            let ready: Vec<usize> = (0..defs.len())
                .filter(|&i| !done[i])
                .filter(|&i| defs[i].def.inputs().iter().all(|c| ids.get(c).is_none_or(|&j| done[j])))
                .collect();
            if ready.is_empty() {
                break;
            }
            for i in ready {
                done[i] = true;
                order.push(i);
            }
        }
        let stuck: Vec<&str> = (0..defs.len())
            .filter(|&i| !done[i])
            .map(|i| defs[i].id.as_str())
            .collect();
        if !stuck.is_empty() {
            self.problem(
                format!("derived.{}", stuck[0]),
                format!("derived columns depend on each other in a cycle: {}", list_ids(stuck)),
            );
        }
        order.into_iter().map(|i| defs[i].clone()).collect()
    }

    fn derived_one(&mut self, d: &RawDerived, key: &str) -> Option<Derived> {
        let mut used: Vec<&str> = vec!["id", "kind", "description", "missing"];
        let of = |v: &mut Self, used: &mut Vec<&str>| -> Option<String> {
            used.push("of");
            if d.of.is_none() {
                v.problem(
                    format!("{key}.of"),
                    format!("kind `{}` needs `of` = the column it is computed from", d.kind),
                );
            }
            d.of.clone()
        };
        let window = |v: &mut Self, used: &mut Vec<&str>| -> Option<usize> {
            used.push("window");
            match d.window {
                Some(w) if w >= 1 => Some(w),
                Some(w) => {
                    v.problem(
                        format!("{key}.window"),
                        format!("expected a whole number of periods >= 1, found {w}"),
                    );
                    None
                }
                None => {
                    v.problem(
                        format!("{key}.window"),
                        format!("kind `{}` needs `window` = number of periods", d.kind),
                    );
                    None
                }
            }
        };
        let def = match d.kind.as_str() {
            "weighted_sum" => {
                used.push("terms");
                match &d.terms {
                    Some(t) if !t.is_empty() => {
                        for (col, a) in t {
                            if !a.is_finite() {
                                self.problem(
                                    format!("{key}.terms.{col}"),
                                    format!("expected a finite coefficient, found {a}"),
                                );
                            }
                        }
                        Some(Derived::WeightedSum {
                            terms: t
                                .iter()
                                .map(|(c, a)| (c.clone(), *a))
                                .collect::<BTreeMap<_, _>>()
                                .into_iter()
                                .collect(),
                        })
                    }
                    _ => {
                        self.problem(
                            format!("{key}.terms"),
                            "kind `weighted_sum` needs terms = { column = coefficient, ... }",
                        );
                        None
                    }
                }
            }
            "ratio" => {
                used.extend(["denominator", "multiplier"]);
                let of = of(self, &mut used);
                if d.denominator.is_none() {
                    self.problem(
                        format!("{key}.denominator"),
                        "kind `ratio` needs `denominator` = a column name",
                    );
                }
                let multiplier = d.multiplier.unwrap_or(1.0);
                if !(multiplier.is_finite() && multiplier != 0.0) {
                    self.problem(
                        format!("{key}.multiplier"),
                        format!("expected a finite non-zero number, found {multiplier}"),
                    );
                }
                Some(Derived::Ratio {
                    of: of?,
                    denominator: d.denominator.clone()?,
                    multiplier,
                })
            }
            "lag" | "change" => {
                used.push("periods");
                let of = of(self, &mut used);
                let periods = d.periods.unwrap_or(1);
                if periods < 1 {
                    self.problem(
                        format!("{key}.periods"),
                        format!("expected a whole number of periods >= 1, found {periods}"),
                    );
                }
                if d.kind == "lag" {
                    Some(Derived::Lag { of: of?, periods })
                } else {
                    used.push("relative");
                    Some(Derived::Change {
                        of: of?,
                        periods,
                        relative: d.relative.unwrap_or(false),
                    })
                }
            }
            "rolling" => {
                used.push("stat");
                let of = of(self, &mut used);
                let window = window(self, &mut used);
                let stat = self.choice(
                    &format!("{key}.stat"),
                    d.stat.as_deref(),
                    Rolling::Mean,
                    &["mean", "sum"],
                    &[("mean", Rolling::Mean), ("sum", Rolling::Sum)],
                );
                Some(Derived::Rolling {
                    of: of?,
                    window: window?,
                    stat,
                })
            }
            "decayed_sum" => {
                used.extend(["weights", "divisor"]);
                let of = of(self, &mut used);
                let weights = d.weights.clone().unwrap_or_default();
                if weights.is_empty() || !weights.iter().all(|w| w.is_finite()) {
                    self.problem(format!("{key}.weights"), "kind `decayed_sum` needs weights = [current, one back, two back, ...], finite numbers (GTI: [16, 8, 4, 2, 1])");
                }
                let divisor = d.divisor.unwrap_or(1.0);
                if !(divisor.is_finite() && divisor != 0.0) {
                    self.problem(
                        format!("{key}.divisor"),
                        format!("expected a finite non-zero number, found {divisor}"),
                    );
                }
                Some(Derived::DecayedSum {
                    of: of?,
                    weights,
                    divisor,
                })
            }
            "neighbours" => {
                let of = of(self, &mut used);
                used.push("stat");
                let stat = self.choice(
                    &format!("{key}.stat"),
                    d.stat.as_deref(),
                    NeighbourStat::Mean,
                    derive::NEIGHBOUR_STATS,
                    &[
                        ("mean", NeighbourStat::Mean),
                        ("max", NeighbourStat::Max),
                        ("sum", NeighbourStat::Sum),
                        ("weighted_sum", NeighbourStat::WeightedSum),
                        ("weighted_mean", NeighbourStat::WeightedMean),
                    ],
                );
                Some(Derived::Neighbours { of: of?, stat })
            }
            "trend" => {
                let of = of(self, &mut used);
                let window = window(self, &mut used);
                if window == Some(1) {
                    self.problem(format!("{key}.window"), "a trend needs a window of at least 2 periods");
                }
                Some(Derived::Trend {
                    of: of?,
                    window: window?,
                })
            }
            other => {
                self.problem(
                    format!("{key}.kind"),
                    unknown("kind", other, derive::KIND_NAMES.iter().copied()),
                );
                return None;
            }
        };
        // Keys given but not used by this kind are mistakes worth naming.
        let given = [
            ("of", d.of.is_some()),
            ("terms", d.terms.is_some()),
            ("denominator", d.denominator.is_some()),
            ("multiplier", d.multiplier.is_some()),
            ("periods", d.periods.is_some()),
            ("relative", d.relative.is_some()),
            ("window", d.window.is_some()),
            ("stat", d.stat.is_some()),
            ("weights", d.weights.is_some()),
            ("divisor", d.divisor.is_some()),
        ];
        for (name, present) in given {
            if present && !used.contains(&name) {
                self.problem(format!("{key}.{name}"), format!("not used by kind `{}`", d.kind));
            }
        }
        def
    }

    /// Geometric and harmonic means need positive children: check it statically.
    fn check_positivity(&mut self, fw: &Framework) {
        for g in &fw.groups {
            if !g.aggregation.needs_positive() || g.geometric_range.is_some() {
                continue;
            }
            for &child in &g.children {
                let low = lower_bound(fw, child);
                if low.is_none_or(|l| l <= 0.0) {
                    let key = if g.parent.is_none() {
                        "index.aggregation".to_string()
                    } else {
                        format!("group.{}.aggregation", g.id)
                    };
                    let what = match low {
                        Some(l) => format!("can be as low as {l}"),
                        None => "is not bounded below".to_string(),
                    };
                    let fix = match child {
                        Child::Indicator(_) => "normalise it with range = [1, 100]",
                        Child::Group(_) => "normalise its indicators with range = [1, 100]",
                    };
                    self.problem(
                        key,
                        format!(
                            "{} aggregation needs values > 0, but `{}` {what}: {fix} (in [defaults] or per indicator)",
                            g.aggregation.name(),
                            fw.child_id(child)
                        ),
                    );
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

/// The range a child's values can take, if bounded (means stay within their inputs).
fn bounds(fw: &Framework, child: Child) -> Option<(f64, f64)> {
    match child {
        Child::Indicator(k) => fw.indicators[k].normalise.bounds().map(|(a, b)| (a.min(b), a.max(b))),
        Child::Group(g) => {
            match fw.groups[g].aggregation {
                Aggregation::Copeland | Aggregation::Mpi { .. } => return None,
                Aggregation::Bod => return Some((0.0, 1.0)),
                _ => {}
            }
            let mut out: Option<(f64, f64)> = None;
            for &c in &fw.groups[g].children {
                let (lo, hi) = bounds(fw, c)?;
                out = Some(match out {
                    None => (lo, hi),
                    Some((a, b)) => (a.min(lo), b.max(hi)),
                });
            }
            out
        }
    }
}

/// The lowest value a child can take, if bounded below.
pub(crate) fn lower_bound(fw: &Framework, child: Child) -> Option<f64> {
    match child {
        Child::Indicator(k) => match fw.indicators[k].normalise {
            Normalise::Rank => Some(1.0),
            n => n.bounds().map(|(a, b)| a.min(b)),
        },
        Child::Group(g) => {
            match fw.groups[g].aggregation {
                Aggregation::Copeland | Aggregation::Mpi { .. } => return None,
                Aggregation::Bod => return Some(0.0),
                _ => {}
            }
            let mut low = f64::INFINITY;
            for &c in &fw.groups[g].children {
                low = low.min(lower_bound(fw, c)?);
            }
            Some(low)
        }
    }
}

#[cfg(test)]
mod tests;

//! The framework: the analyst's declarative model of the index.
//!
//! A framework file (TOML) is parsed into [`schema::RawFramework`] and then
//! validated once into a [`Framework`]: every key checked, every id resolved to an
//! index, the hierarchy checked for cycles and empty groups, derived columns put in
//! dependency order. Later code never looks up an id by string in a loop.
//!
//! This file is the model; [`validate`] checks a parsed file section by section and
//! builds it, collecting every problem so `riskscore validate` can report them all.

pub mod schema;
pub mod sensitivity;
pub(crate) mod validate;

use crate::error::{Error, Result};
use crate::period::Period;
use crate::pipeline::aggregate::Aggregation;
use crate::pipeline::classify::Class;
use crate::pipeline::derive::{Derived, Missing};
use crate::pipeline::impute::Impute;
use crate::pipeline::normalise::{Direction, Normalise};
use crate::pipeline::rank::Ties;
use crate::pipeline::treat::{Transform, Winsorise};
use schema::*;
use std::collections::HashSet;
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
#[non_exhaustive]
pub enum Layout {
    /// One row per unit and period, one column per indicator.
    Wide,
    /// Columns unit, period, indicator, value.
    Long,
    /// A World Bank download: `Country Name, Country Code, Indicator Name, Indicator
    /// Code` (or DataBank's `Series Name, Series Code`) and one column per year.
    Wdi,
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
    /// Data files every run reads besides the ones it is given (e.g. World Bank
    /// downloads), resolved against the framework file's folder.
    pub sources: Vec<SourceSpec>,
    /// Cells read as missing in numeric columns (`None`: the default set,
    /// [`crate::input::numbers::MISSING`]).
    pub missing: Option<Vec<String>>,
    /// The thousands separator of numeric cells, if they are grouped.
    pub thousands: Option<char>,
    pub indicator_column: String,
    pub value_column: String,
    /// Where the neighbours of `neighbours` derived columns come from.
    pub neighbours: Option<Neighbours>,
}

/// The neighbours of each unit, for `neighbours` derived columns (`[data] neighbours`).
#[derive(Debug, Clone, PartialEq)]
pub enum Neighbours {
    /// A contiguity table, `unit,neighbour[,weight]` per row (resolved against the
    /// framework file's folder).
    File(std::path::PathBuf),
    /// The units are PRIO-GRID cell ids; a cell's neighbours are the cells within
    /// `rings` rows and columns (`grid:queen` = 1 ring, `grid:queen:2` = 2), weight 1.
    GridQueen { rings: u32 },
    /// A table of `unit,lat,lon` (resolved against the framework file's folder): the
    /// places within a distance or the nearest, weighted by distance.
    Coordinates {
        file: std::path::PathBuf,
        reach: crate::places::distance::Reach,
        weights: crate::places::distance::DistanceWeights,
    },
}

/// The most rings of `grid:queen:K`: 10 rings are 440 cells, a square of 5.5 degrees.
pub const MAX_RINGS: u32 = 10;

/// A data file the framework names, and how to read it where that is not detected.
#[derive(Debug, Clone)]
pub struct SourceSpec {
    pub path: std::path::PathBuf,
    pub layout: Option<Layout>,
    pub sheet: Option<String>,
}

/// Screening thresholds (shares in [0, 1]).
#[derive(Debug, Clone, Default)]
pub struct Screen {
    pub unit_min_coverage: Option<f64>,
    pub indicator_min_coverage: Option<f64>,
    /// A unit-period needs this share of non-zero values among its present ones.
    pub unit_min_nonzero: Option<f64>,
    /// Units always scored, whatever their coverage (COINr `Force`).
    pub include: Vec<String>,
    /// Units never scored.
    pub exclude: Vec<String>,
    /// Which values the unit thresholds look at.
    pub on: ScreenOn,
}

/// `screen.on`: the unit thresholds look at the values before imputation (`raw`,
/// the default) or after it (`imputed`, COINr's order Impute -> Screen).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ScreenOn {
    #[default]
    Raw,
    Imputed,
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
    /// How the children's weights are set ([`WeightMethod`]; fitted by `crate::score::weights`).
    pub weights: WeightMethod,
}

/// An indicator and how it is treated on its way into the index.
#[derive(Debug, Clone)]
pub struct Indicator {
    pub id: String,
    pub name: String,
    pub group: usize,
    pub column: String,
    /// The unit of measure, for the reader of the framework file.
    #[allow(dead_code)]
    pub units: Option<String>,
    pub source: Option<String>,
    pub direction: Direction,
    pub weight: f64,
    pub denominator: Option<String>,
    pub multiplier: f64,
    pub impute: Impute,
    /// `group_mean` / `group_median`: the data column naming each unit's group.
    pub impute_group: Option<String>,
    pub winsorise: Winsorise,
    pub transform: Transform,
    pub normalise: Normalise,
    /// `dist2ref`: the unit whose value is the target.
    pub reference_unit: Option<String>,
}

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

    /// Reads and validates a framework file.
    pub fn from_path(path: &Path) -> Result<Framework> {
        Framework::read(path).map(|(fw, _)| fw)
    }

    /// Reads and validates a framework file, also returning its bytes (for the
    /// manifest's hash), reading the file once.
    pub(crate) fn read(path: &Path) -> Result<(Framework, Vec<u8>)> {
        let bytes = crate::input::file::read(path, "framework file", Default::default())?;
        let file = path.display().to_string();
        let text = std::str::from_utf8(&bytes).map_err(|e| Error::Toml {
            file: file.clone(),
            message: format!("the file is not UTF-8 text: {e}"),
        })?;
        let fw = Framework::from_toml(text, &file)?;
        Ok((fw, bytes))
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

    /// Parses and validates framework text; `file` names it in messages.
    ///
    /// ```
    /// use riskscore::Framework;
    ///
    /// let text = "[index]\nid = \"r\"\nname = \"Risk\"\nunit = \"u\"\nperiod = \"year\"\n\
    ///             [[group]]\nid = \"a\"\n[[indicator]]\nid = \"x\"\ngroup = \"a\"\n";
    /// let fw = Framework::from_toml(text, "mine.toml")?;
    /// assert_eq!(fw.indicator_ids(), ["x"]);
    /// assert_eq!(fw.group_ids(), ["r", "a"]);
    /// let bad = Framework::from_toml(&text.replace("group = \"a\"", "group = \"b\""), "mine.toml");
    /// assert!(bad.unwrap_err().to_string().starts_with("mine.toml: "));
    /// # Ok::<(), riskscore::Error>(())
    /// ```
    pub fn from_toml(text: &str, file: &str) -> Result<Framework> {
        let raw: RawFramework = toml::from_str(text).map_err(|e| Error::Toml {
            file: file.to_string(),
            message: crate::error::short_lines(&with_nearest_field(e.to_string().trim_end())),
        })?;
        let mut fw = validate::framework(raw, file)?;
        fw.sha256 = crate::output::manifest::sha256_hex(text.as_bytes());
        Ok(fw)
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

/// serde's "unknown field `x`, expected one of `a`, `b`, ..." with the nearest field
/// named: "did you mean `a`?".
fn with_nearest_field(message: &str) -> String {
    let Some(rest) = message.split("unknown field `").nth(1) else {
        return message.to_string();
    };
    let Some((given, expected)) = rest.split_once('`') else {
        return message.to_string();
    };
    let fields: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    let hint = crate::error::suggest(given, fields.iter().copied());
    if hint.is_empty() {
        message.to_string()
    } else {
        format!("{message}{hint}")
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
    pub fn is_data_driven(&self) -> bool {
        matches!(self, WeightMethod::Pca | WeightMethod::Optimised)
    }
}

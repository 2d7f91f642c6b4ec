//! The outputs of a scoring run, written into a folder as one set ([`super::set`]):
//! `scores.csv`, `ranks.csv`, `screening.csv` and `manifest.json`, and as asked the
//! long indicator table, the data set after each step, Parquet copies and a workbook.
//! `riskscore score` writes them with [`write_tables`]; a library caller with
//! [`write_scores`].

use super::manifest::Manifest;
use super::set::OutputSet;
use super::{csv, tables, xlsx};
use crate::data::Panel;
use crate::error::{Error, ErrorKind, Result};
use crate::framework::Framework;
use crate::score::{self, Keep, Results};
use std::path::{Path, PathBuf};

/// The `steps` files and their table names, in pipeline order.
const STEPS: [(&str, &str); 4] = [
    ("data_denominated.csv", "data_denominated"),
    ("data_imputed.csv", "data_imputed"),
    ("data_treated.csv", "data_treated"),
    ("data_normalised.csv", "data_normalised"),
];

/// Whether and how the long table of every indicator value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum IndicatorTable {
    /// Left out (a large panel: it has a row per unit, period and indicator).
    None,
    /// `indicators.csv` (and the workbook's sheet).
    #[default]
    Csv,
    /// `indicators.parquet` (typed columns, LZ4).
    Parquet,
}

/// What a scoring run writes besides `scores.csv`, `ranks.csv`, `screening.csv` and
/// `manifest.json`. The default is the command's: the long indicator table as CSV,
/// nothing else, CSV with a comma and a decimal point.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ScoreOutputs {
    /// The long table of every indicator value (raw, treated, normalised).
    pub indicators: IndicatorTable,
    /// Parquet copies of the other tables beside their CSVs.
    pub parquet: bool,
    /// The data set after each step, wide (COINr's dsets): `data_denominated.csv`,
    /// `data_imputed.csv`, `data_treated.csv`, `data_normalised.csv`.
    pub steps: bool,
    /// `scores.xlsx`: every table as a sheet.
    pub xlsx: bool,
    /// Excel-friendly CSV: UTF-8 BOM, `;` between fields, a decimal comma.
    pub excel: bool,
}

impl ScoreOutputs {
    /// The files the outputs are, in the folder.
    pub fn file_names(&self) -> Vec<String> {
        let mut files: Vec<String> = ["scores.csv", "ranks.csv", "screening.csv", "manifest.json"]
            .map(String::from)
            .to_vec();
        match self.indicators {
            IndicatorTable::Csv => files.push("indicators.csv".into()),
            IndicatorTable::Parquet => files.push("indicators.parquet".into()),
            IndicatorTable::None => {}
        }
        if self.steps {
            files.extend(STEPS.iter().map(|(file, _)| file.to_string()));
        }
        if self.parquet {
            let parquet: Vec<String> = files
                .iter()
                .filter_map(|f| f.strip_suffix(".csv"))
                // The long table is Parquet by `indicators` alone.
                .filter(|&stem| stem != "indicators")
                .map(|stem| format!("{stem}.parquet"))
                .collect();
            files.extend(parquet);
        }
        if self.xlsx {
            files.push("scores.xlsx".into());
        }
        files
    }

    /// What a run must keep of the per-indicator values for these outputs.
    pub fn keep(&self) -> Keep {
        if self.indicators != IndicatorTable::None || self.steps || self.xlsx {
            Keep::All
        } else {
            Keep::Scores
        }
    }

    /// The options as the manifest records them.
    pub(crate) fn manifest_options(&self, fw: &Framework) -> serde_json::Map<String, serde_json::Value> {
        let serde_json::Value::Object(map) = serde_json::json!({
            "excel": self.excel,
            "indicators": format!("{:?}", self.indicators).to_lowercase(),
            "parquet": self.parquet,
            "xlsx": self.xlsx,
            "steps": self.steps,
            "normalise_over": fw.index.scope,
            "ties": fw.index.ties,
        }) else {
            unreachable!("a JSON object")
        };
        map
    }
}

/// Writes the tables `outputs` asks for into `set` (not the manifest); returns their
/// final paths. The run must have kept what they need ([`ScoreOutputs::keep`]).
pub(crate) fn write_tables(
    set: &mut OutputSet,
    fw: &Framework,
    panel: &Panel,
    results: &Results,
    outputs: &ScoreOutputs,
) -> Result<Vec<PathBuf>> {
    score::check_results(fw, results, outputs.keep() == Keep::All)?;
    let imputed = if outputs.steps {
        score::imputed_values(fw, panel)?
    } else {
        Vec::new()
    };
    let style = csv::Style { excel: outputs.excel };
    let make_tables = || {
        let mut all = vec![tables::scores(fw, results), tables::ranks(fw, results)];
        if outputs.indicators != IndicatorTable::None {
            all.push(tables::indicators(fw, results));
        }
        if outputs.steps {
            let values = [&results.raw, &imputed, &results.treated, &results.normalised];
            for ((_, name), v) in STEPS.iter().zip(values) {
                all.push(tables::step(fw, results, name, v));
            }
        }
        all.push(tables::screening(results));
        all
    };
    let mut written = Vec::new();
    for table in make_tables() {
        let path = if table.name == "indicators" && outputs.indicators == IndicatorTable::Parquet {
            set.write_parquet(table)?
        } else {
            set.write_csv(table, style)?
        };
        written.push(path);
    }
    if outputs.parquet {
        for table in make_tables().into_iter().filter(|t| t.name != "indicators") {
            written.push(set.write_parquet(table)?);
        }
    }
    if outputs.xlsx {
        let staged = set.stage("scores.xlsx")?;
        let classes: Vec<String> = fw.index.classes.iter().map(|c| c.label.clone()).collect();
        xlsx::write_workbook(&staged, make_tables(), &classes)?;
        written.push(set.final_path("scores.xlsx"));
    }
    written.push(set.final_path(super::set::MANIFEST));
    Ok(written)
}

/// What [`write_scores`] wrote.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Written {
    /// The files of the set, as they are now in the folder.
    pub files: Vec<PathBuf>,
    /// What a user should know: what an interrupted run left and was cleaned up, the
    /// previous run's files that this one removed.
    pub notes: Vec<String>,
}

/// Writes the outputs of a scoring run into `dir` (made if missing) as one set: they
/// appear together with their manifest, or the folder keeps the previous run's. No
/// output is written over an input (the framework, the files it reads, the data);
/// another run writing into `dir` at the same time is refused
/// ([`ErrorKind::Busy`]).
///
/// ```
/// use riskscore::{load, score, write_scores, Framework, ScoreOutputs, Source};
///
/// let fw = Framework::from_path("indicators/central_asia.toml".as_ref())?;
/// let panel = load(&fw, &[Source::File("datasets/central_asia.csv".into())], &Default::default())?;
/// let results = score(&fw, &panel)?;
/// let dir = tempfile::tempdir().unwrap();
/// let written = write_scores(dir.path(), &fw, &panel, &results, &ScoreOutputs::default())?;
/// assert!(written.files.iter().any(|f| f.ends_with("scores.csv")));
/// assert!(dir.path().join("manifest.json").is_file());
/// # Ok::<(), riskscore::Error>(())
/// ```
pub fn write_scores(
    dir: &Path,
    fw: &Framework,
    panel: &Panel,
    results: &Results,
    outputs: &ScoreOutputs,
) -> Result<Written> {
    let started = std::time::Instant::now();
    score::check_results(fw, results, outputs.keep() == Keep::All)?;
    let names = outputs.file_names();
    let targets: Vec<PathBuf> = names.iter().map(|n| dir.join(n)).collect();
    let mut inputs: Vec<PathBuf> = fw.files_read();
    inputs.push(PathBuf::from(&fw.file));
    inputs.extend(panel.sources.iter().map(|s| PathBuf::from(&s.file)));
    let input_refs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
    super::inputs::check_outputs(&targets, &input_refs)?;
    let mut set = OutputSet::begin(dir, &input_refs)?;
    let files = write_tables(&mut set, fw, panel, results, outputs)?;
    let manifest = Manifest::new(
        "score",
        fw,
        panel.sources.clone(),
        results,
        serde_json::Value::Object(outputs.manifest_options(fw)),
        files.iter().map(|p| p.display().to_string()).collect(),
        started.elapsed().as_secs_f64(),
    );
    let manifest = serde_json::to_value(&manifest).map_err(|e| Error::Data {
        file: dir.join(super::set::MANIFEST).display().to_string(),
        kind: ErrorKind::Internal,
        message: e.to_string(),
    })?;
    let mut notes = set.notes().to_vec();
    let committed = set.commit(manifest)?;
    notes.extend(committed.notes);
    notes.extend(committed.removed.iter().map(|p| super::set::removed_note(p)));
    Ok(Written { files, notes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_follow_the_options() {
        let mut o = ScoreOutputs::default();
        assert_eq!(
            o.file_names(),
            [
                "scores.csv",
                "ranks.csv",
                "screening.csv",
                "manifest.json",
                "indicators.csv"
            ]
        );
        assert_eq!(o.keep(), Keep::All);
        o.parquet = true;
        assert!(!o.file_names().contains(&"indicators.parquet".to_string()));
        o.parquet = false;
        o.indicators = IndicatorTable::None;
        assert_eq!(o.keep(), Keep::Scores);
        o.parquet = true;
        o.xlsx = true;
        assert_eq!(
            o.file_names(),
            [
                "scores.csv",
                "ranks.csv",
                "screening.csv",
                "manifest.json",
                "scores.parquet",
                "ranks.parquet",
                "screening.parquet",
                "scores.xlsx"
            ]
        );
    }

    /// Results that kept only the scores cannot feed the tables of indicator values:
    /// an error, not a panic, and nothing is written.
    #[test]
    fn outputs_that_need_values_the_run_did_not_keep_are_refused() {
        let (fw, _) = crate::test_support::small_example();
        let source = crate::data::Source::Bytes {
            name: "small.csv".into(),
            bytes: include_bytes!("../../tests/fixtures/small.csv").to_vec(),
        };
        let panel = crate::data::load(&fw, &[source], &Default::default()).unwrap();
        let lean = score::score_keeping(&fw, &panel, Keep::Scores).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let err = write_scores(dir.path(), &fw, &panel, &lean, &ScoreOutputs::default()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Argument);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing written");
        let scores_only = ScoreOutputs {
            indicators: IndicatorTable::None,
            ..Default::default()
        };
        let written = write_scores(dir.path(), &fw, &panel, &lean, &scores_only).unwrap();
        assert_eq!(written.files.len(), 4);
        assert!(dir.path().join("scores.csv").is_file());
    }
}

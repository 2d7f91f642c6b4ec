//! `manifest.json`: what produced the outputs, so a run can be traced and repeated.

use crate::data::SourceInfo;
use crate::framework::Framework;
use crate::score::Results;
use serde::Serialize;

/// The manifest written beside the outputs.
#[derive(Debug, Serialize)]
pub struct Manifest {
    pub riskscore_version: &'static str,
    pub command: String,
    pub created_utc: String,
    pub elapsed_seconds: f64,
    pub framework: FrameworkInfo,
    pub data: Vec<SourceInfo>,
    pub counts: Counts,
    pub options: serde_json::Value,
    pub outputs: Vec<String>,
    pub screening: Vec<crate::pipeline::screen::ScreenNote>,
    pub warnings: Vec<String>,
    /// Weights chosen from the data (`weights = "pca"` / `"optimised"`).
    pub resolved_weights: Vec<crate::score::weights::Resolved>,
}

#[derive(Debug, Serialize)]
pub struct FrameworkInfo {
    pub file: String,
    pub sha256: String,
    pub index: String,
    pub groups: usize,
    pub indicators: usize,
    pub derived: usize,
}

#[derive(Debug, Serialize)]
pub struct Counts {
    pub units: usize,
    pub periods: usize,
    pub scored_unit_periods: usize,
    pub indicators_kept: usize,
    pub imputed_values: usize,
}

impl Manifest {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        command: &str,
        fw: &Framework,
        sources: Vec<SourceInfo>,
        res: &Results,
        options: serde_json::Value,
        outputs: Vec<String>,
        elapsed_seconds: f64,
    ) -> Manifest {
        let scored: Vec<usize> = res.scored_cells().collect();
        // Which units and periods have a scored cell, marked (not hashed: a grid-month
        // panel has 778,000 cells).
        let n = res.n_units();
        let (mut units, mut periods) = (vec![false; n], vec![false; res.periods.len()]);
        for &c in &scored {
            units[c % n] = true;
            periods[c / n] = true;
        }
        let count = |marks: &[bool]| marks.iter().filter(|&&m| m).count();
        Manifest {
            riskscore_version: env!("CARGO_PKG_VERSION"),
            command: command.to_string(),
            created_utc: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            elapsed_seconds,
            framework: FrameworkInfo {
                file: fw.file.clone(),
                sha256: fw.sha256.clone(),
                index: fw.index.id.clone(),
                groups: fw.groups.len() - 1,
                indicators: fw.indicators.len(),
                derived: fw.derived.len(),
            },
            data: sources,
            counts: Counts {
                units: count(&units),
                periods: count(&periods),
                scored_unit_periods: scored.len(),
                indicators_kept: res.kept.iter().filter(|&&k| k).count(),
                imputed_values: scored.iter().map(|&c| res.imputed_count[c]).sum(),
            },
            options,
            outputs,
            screening: res.screening.clone(),
            resolved_weights: res.resolved_weights.clone(),
            warnings: res.warnings.clone(),
        }
    }
}

/// What [`check_folder`] found in a folder's manifest. While it lives, the folder is
/// locked shared: no riskscore run can write into it.
pub struct Folder {
    /// The SHA-256 of the data files that made it, sorted.
    pub data: Vec<String>,
    /// Set when they are not `data_shas`.
    pub warning: Option<String>,
    _reader: super::set::Reader,
}

/// The command whose output folder the option `option` takes.
fn command_of(option: &str) -> &str {
    match option {
        "scores" => "score",
        other => other,
    }
}

/// Checks that an output folder given to another command (`--scores`, `--sensitivity`,
/// `--compare`) was made from this framework, by the SHA-256 in its `manifest.json`:
/// another framework is an error naming both files; a folder of another command is an
/// error; other data than `data_shas` (when given) a warning. The files `needs` must
/// be the run's own (listed in the manifest with their SHA-256), and so must those of
/// `optional` that are present.
pub fn check_folder(
    dir: &std::path::Path,
    option: &str,
    framework_file: &str,
    framework_sha: &str,
    data_shas: Option<&[String]>,
    needs: &[&str],
    optional: &[&str],
) -> crate::Result<Folder> {
    let argument = |message: String| crate::Error::Argument {
        name: option.to_string(),
        message,
    };
    let reader = super::set::Reader::open(dir, &argument)?;
    let m = &reader.manifest;
    // `compare` lists one framework per variant; the others one framework.
    let frameworks: Vec<(String, String)> = match m["variants"].as_array() {
        Some(vs) => vs
            .iter()
            .map(|v| {
                (
                    v["framework"].as_str().unwrap_or("").to_string(),
                    v["sha256"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect(),
        None => vec![(
            m["framework"]["file"].as_str().unwrap_or("").to_string(),
            m["framework"]["sha256"].as_str().unwrap_or("").to_string(),
        )],
    };
    if !frameworks.iter().any(|(_, sha)| sha == framework_sha) {
        let (file, sha) = &frameworks[0];
        return Err(argument(format!(
            "`{}` was made from framework `{file}` (SHA-256 {}...), not from `{framework_file}` ({}...): run `riskscore {}` with this framework, or pass its folder",
            dir.display(),
            sha.get(..12).unwrap_or(sha),
            framework_sha.get(..12).unwrap_or(framework_sha),
            m["command"].as_str().unwrap_or(option)
        )));
    }
    let command = m["command"].as_str().unwrap_or("?");
    if command != command_of(option) {
        return Err(argument(format!(
            "`{}` holds the outputs of `riskscore {command}`, not of `riskscore {}`: pass the output folder of `riskscore {}`",
            dir.display(),
            command_of(option),
            command_of(option)
        )));
    }
    let present: Vec<&str> = optional
        .iter()
        .copied()
        .filter(|n| reader.has(n) || dir.join(n).exists())
        .collect();
    let all: Vec<&str> = needs.iter().copied().chain(present).collect();
    reader.verify(&all, &argument)?;
    let mut theirs: Vec<String> = m["data"]
        .as_array()
        .map(|d| {
            d.iter()
                .filter_map(|s| s["sha256"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    theirs.sort();
    let differ = data_shas.is_some_and(|ours| {
        let mut ours = ours.to_vec();
        ours.sort();
        ours != theirs
    });
    Ok(Folder {
        warning: differ.then(|| {
            format!(
                "`{}` was made from other data than this run's (the SHA-256 of its data files differ): its results may not match these scores",
                dir.display()
            )
        }),
        data: theirs,
        _reader: reader,
    })
}

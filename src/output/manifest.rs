//! `manifest.json`: what produced the outputs, so a run can be traced and repeated.

use crate::data::SourceInfo;
use crate::framework::Framework;
use crate::score::Results;
use serde::Serialize;
use sha2::{Digest, Sha256};

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

/// SHA-256 of bytes as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

impl Manifest {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        command: &str,
        fw: &Framework,
        framework_bytes: &[u8],
        sources: Vec<SourceInfo>,
        res: &Results,
        options: serde_json::Value,
        outputs: Vec<String>,
        elapsed_seconds: f64,
    ) -> Manifest {
        let scored: Vec<usize> = res.scored_cells().collect();
        Manifest {
            riskscore_version: env!("CARGO_PKG_VERSION"),
            command: command.to_string(),
            created_utc: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            elapsed_seconds,
            framework: FrameworkInfo {
                file: fw.file.clone(),
                sha256: sha256_hex(framework_bytes),
                index: fw.index.id.clone(),
                groups: fw.groups.len() - 1,
                indicators: fw.indicators.len(),
                derived: fw.derived.len(),
            },
            data: sources,
            counts: Counts {
                units: scored
                    .iter()
                    .map(|c| c % res.n_units())
                    .collect::<std::collections::HashSet<_>>()
                    .len(),
                periods: scored
                    .iter()
                    .map(|c| c / res.n_units())
                    .collect::<std::collections::HashSet<_>>()
                    .len(),
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

/// What [`check_folder`] found in a folder's manifest.
pub struct Folder {
    /// The SHA-256 of the data files that made it, sorted.
    pub data: Vec<String>,
    /// Set when they are not `data_shas`.
    pub warning: Option<String>,
}

/// Checks that an output folder given to another command (`--scores`, `--sensitivity`,
/// `--compare`) was made from this framework, by the SHA-256 in its `manifest.json`:
/// another framework is an error naming both files; other data than `data_shas` (when
/// given) a warning.
pub fn check_folder(
    dir: &std::path::Path,
    option: &str,
    framework_file: &str,
    framework_sha: &str,
    data_shas: Option<&[String]>,
) -> crate::Result<Folder> {
    let argument = |message: String| crate::Error::Argument {
        name: option.to_string(),
        message,
    };
    let path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&path).map_err(|_| {
        argument(format!(
            "`{}` has no manifest.json: pass an output folder of riskscore (it says which framework and data made it)",
            dir.display()
        ))
    })?;
    let m: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| argument(format!("`{}` is not a riskscore manifest: {e}", path.display())))?;
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
    })
}

/// The files a folder's previous run of `command` wrote, by name, as its
/// `manifest.json` lists them (none if the folder has no manifest or another command's).
pub fn previous_outputs(dir: &std::path::Path, command: &str) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(dir.join("manifest.json")) else {
        return Vec::new();
    };
    let Ok(m) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Vec::new();
    };
    if m["command"].as_str() != Some(command) {
        return Vec::new();
    }
    m["outputs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|o| o.as_str())
        .filter_map(|o| std::path::Path::new(o).file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .collect()
}

/// Removes the previous run's outputs (`previous`, names in `dir`) that this run did
/// not write again, so that no stale file (an old `scores.xlsx` beside new CSVs) passes
/// for this run's. Returns the files removed.
pub fn remove_stale(
    dir: &std::path::Path,
    previous: &[String],
    written: &[std::path::PathBuf],
) -> crate::Result<Vec<std::path::PathBuf>> {
    let now: Vec<&std::ffi::OsStr> = written.iter().filter_map(|p| p.file_name()).collect();
    let mut removed = Vec::new();
    for name in previous {
        let path = dir.join(name);
        if now.contains(&std::ffi::OsStr::new(name)) || !path.is_file() {
            continue;
        }
        std::fs::remove_file(&path).map_err(|e| crate::Error::io(&path, "cannot remove a stale output", e))?;
        removed.push(path);
    }
    Ok(removed)
}

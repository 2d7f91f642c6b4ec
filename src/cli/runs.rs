//! The output folders of runs: publishing this run's set of outputs, and checking the
//! folders of other runs a command reads.

use super::terminal::note;
use crate::output::manifest::{check_folder, Folder};
use crate::output::set::OutputSet;
use crate::Result;
use std::path::Path;

/// Publishes `set` with `manifest`; says (unless `quiet`) what opening the folder and
/// the commit cleaned up.
pub fn commit_set(set: OutputSet, manifest: serde_json::Value, quiet: bool) -> Result<()> {
    let opened = set.notes().to_vec();
    let committed = set.commit(manifest)?;
    if !quiet {
        for text in opened.iter().chain(&committed.notes) {
            note(text);
        }
        for path in &committed.removed {
            note(&crate::output::set::removed_note(path));
        }
    }
    Ok(())
}

/// Checks the `--sensitivity` and `--compare` folders a command reads (the files of
/// `compare` it reads are `compare_files`) against this framework and data; returns
/// them, locked shared while they live, and the warnings for other data.
pub fn other_runs(
    sensitivity: Option<&Path>,
    compare: Option<&Path>,
    compare_files: &[&str],
    framework_file: &str,
    framework_sha: &str,
    data_shas: &[String],
) -> Result<(Vec<Folder>, Vec<String>)> {
    let mut folders = Vec::new();
    let mut warnings = Vec::new();
    let reads = [
        ("sensitivity", sensitivity, &["uncertainty.csv"][..], &["sobol.csv"][..]),
        ("compare", compare, compare_files, &[][..]),
    ];
    for (option, dir, needs, optional) in reads {
        if let Some(d) = dir {
            let folder = check_folder(
                d,
                option,
                framework_file,
                framework_sha,
                Some(data_shas),
                needs,
                optional,
            )?;
            warnings.extend(folder.warning.clone());
            folders.push(folder);
        }
    }
    Ok((folders, warnings))
}

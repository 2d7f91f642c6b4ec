//! An output folder of another run, open for reading: its lock held shared and its
//! manifest read.

use super::lock::{busy, lock};
use super::names::{COMMIT, MANIFEST};
use crate::error::{Error, Result};
use std::fs::{self, File};
use std::path::{Path, PathBuf};

/// An output folder of another run, open for reading: its lock held shared (no run
/// can write into it meanwhile) and its manifest read.
pub struct Reader {
    pub(super) dir: PathBuf,
    pub(super) _lock: Option<File>,
    /// The folder's `manifest.json`.
    pub manifest: serde_json::Value,
}

impl Reader {
    /// Opens `dir` and reads its manifest, the folder's lock held shared.
    /// `describe` turns a problem into the caller's error (it names the option).
    pub fn open(dir: &Path, describe: &dyn Fn(String) -> Error) -> Result<Reader> {
        // A folder whose lock cannot be made (read-only) has no writer.
        // A reader never replays a journal (it does not know the run's inputs, and
        // the folder may be another's): the next run into the folder does.
        if fs::symlink_metadata(dir.join(COMMIT)).is_ok() {
            return Err(describe(format!(
                "`{}`: a run was interrupted while publishing its outputs there; its files may be of two runs: run the command that made the folder again",
                dir.display()
            )));
        }
        let lock = match lock(dir, false) {
            Ok(Some(l)) => Some(l),
            Ok(None) => return Err(busy(dir)),
            Err(_) => None,
        };
        let path = dir.join(MANIFEST);
        let no_manifest = || {
            describe(format!(
                "`{}` has no manifest.json: pass an output folder of riskscore (it says which framework and data made it)",
                dir.display()
            ))
        };
        if !fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
            return Err(no_manifest());
        }
        let text = crate::input::file::read(&path, "manifest", Default::default()).map_err(|_| no_manifest())?;
        let manifest = serde_json::from_slice(&text)
            .map_err(|e| describe(format!("`{}` is not a riskscore manifest: {e}", path.display())))?;
        Ok(Reader {
            dir: dir.to_path_buf(),
            _lock: lock,
            manifest,
        })
    }

    /// Checks that the files `names` are the ones this folder's manifest records:
    /// listed, regular files, with the same SHA-256.
    pub fn verify(&self, names: &[&str], describe: &dyn Fn(String) -> Error) -> Result<()> {
        let command = self.manifest["command"].as_str().unwrap_or("?");
        let Some(hashes) = self.manifest["output_sha256"].as_object() else {
            return Err(describe(format!(
                "`{}`: its manifest.json has no output hashes (it was written by an older riskscore, or not by riskscore): run `riskscore {command}` again",
                self.dir.display()
            )));
        };
        let mut problems = Vec::new();
        for name in names {
            let path = self.dir.join(name);
            let Some(want) = hashes.get(*name).and_then(|v| v.as_str()) else {
                if path.exists() {
                    problems.push(describe(format!(
                        "`{}` is not part of the run that manifest.json records (`riskscore {command}`): it was left by another run",
                        path.display()
                    )));
                } else {
                    problems.push(describe(format!(
                        "`{}` has no {name}: the run that manifest.json records (`riskscore {command}`) did not write it",
                        self.dir.display()
                    )));
                }
                continue;
            };
            if !fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
                problems.push(describe(format!(
                    "`{}` is not a file riskscore wrote (a link, a pipe or a folder)",
                    path.display()
                )));
                continue;
            }
            match crate::hash::sha256_file(&path) {
                Ok(sha) if sha == want => {}
                Ok(_) => problems.push(describe(format!(
                    "`{}` changed after riskscore wrote it (its SHA-256 differs from manifest.json's): run `riskscore {command}` again",
                    path.display()
                ))),
                Err(e) => problems.push(Error::io(&path, "cannot read", e)),
            }
        }
        Error::from_problems(problems)
    }

    /// Whether the manifest lists `name` among the run's outputs.
    pub fn has(&self, name: &str) -> bool {
        self.manifest["output_sha256"].get(name).is_some()
    }
}

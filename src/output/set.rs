//! An output folder as one transaction: a run's files appear together, or not at all.
//!
//! A run ([`OutputSet::begin`]) takes an advisory lock on the folder
//! (`.riskscore.lock`), so two runs into one folder are never interleaved: the second
//! is refused at once. It writes every file into a staging folder inside the output
//! folder (`.riskscore-staging-<pid>-<n>`). [`OutputSet::commit`] then:
//!
//! 1. takes every staged file's SHA-256 (hashed as it was written, or read back) and
//!    writes `manifest.json` into the staging folder: `output_sha256` names each
//!    output's SHA-256, `output_mac` signs that list with the user's key
//!    ([`super::key`]);
//! 2. checks every file in the way of an output: it must be the previous run's output,
//!    unchanged (named with its SHA-256 in the previous manifest's signed list), else
//!    the run is refused naming it;
//! 3. decides which files of the previous run to remove: those its signed list names,
//!    that still hash to what it recorded (a user's edit is kept), that this run does
//!    not write again, and that are not inputs of this run. A manifest without a
//!    signed list is *foreign*: nothing it lists is removed;
//! 4. writes a signed journal (what to publish over which SHA-256, what to remove)
//!    into the staging folder and renames the staging folder to `.riskscore-commit`:
//!    this rename is the commit;
//! 5. rolls the journal forward: renames each file into the output folder,
//!    `manifest.json` last, removes the previous run's stale files, then the journal.
//!
//! A run that fails or is killed before step 4 leaves the previous set whole; its
//! staging folder is removed by the next run (or at once, on an error). A run killed
//! during step 5 is finished by the next run into the folder, which replays the
//! journal only when it is signed. Readers ([`Reader::open`]) take the lock shared,
//! refuse a folder whose publication was interrupted (they replay nothing), and check
//! each file they read against the manifest's SHA-256.
//!
//! The method is a redo log, as databases write them (write-ahead logging; see
//! C. Mohan et al., "ARIES", ACM TODS 17(1), 1992, for the general technique).

mod hashes;
mod lock;
mod names;
mod reader;

use crate::error::ErrorKind;
use hashes::*;
pub use hashes::{hash_ahead, Ahead};
use lock::{busy, lock};
pub use names::{COMMIT, LOCK, MANIFEST, STAGING};
use names::{JOURNAL, JOURNAL_MAC};
pub use reader::Reader;

use super::{csv, parquet};
use crate::error::{Error, Result};
use crate::hash::sha256_file;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A run's output folder, open for writing; see the module docs.
pub struct OutputSet {
    dir: PathBuf,
    staging: PathBuf,
    /// Held for the life of the set: the folder's exclusive lock.
    _lock: File,
    inputs: Vec<PathBuf>,
    staged: Vec<String>,
    /// The SHA-256 of the staged files written by [`OutputSet::write`] (hashed as they
    /// were written); the others are read back at the commit.
    written: std::collections::HashMap<String, String>,
    /// The files written by [`OutputSet::write`] being synced to disk, each on its own
    /// thread while the run goes on; the commit waits for them all.
    syncing: Vec<(PathBuf, std::thread::JoinHandle<std::io::Result<()>>)>,
    /// The files this set will write over, hashed ahead ([`hash_ahead`]).
    ahead: Ahead,
    notes: Vec<String>,
    committed: bool,
}

/// What a commit did beside publishing the files.
#[derive(Debug, Default)]
pub struct Committed {
    /// The previous run's files that this run removed (it did not write them again).
    pub removed: Vec<PathBuf>,
    /// What a user should know: leftovers cleaned up, a foreign manifest, files kept.
    pub notes: Vec<String>,
}

impl OutputSet {
    /// Opens `dir` (created if missing) for a run whose inputs are `inputs`: locks it,
    /// finishes or removes what an interrupted run left, and makes a staging folder.
    pub fn begin(dir: &Path, inputs: &[&Path]) -> Result<OutputSet> {
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, "cannot create output folder", e))?;
        let lock = lock(dir, true)?.ok_or_else(|| busy(dir))?;
        let inputs: Vec<PathBuf> = inputs.iter().filter_map(|p| p.canonicalize().ok()).collect();
        let prepared = recover(dir, &inputs, By::Writer).and_then(|mut notes| {
            notes.extend(remove_leftovers(dir)?);
            Ok((notes, new_staging(dir)?))
        });
        let (notes, staging) = match prepared {
            Ok(p) => p,
            Err(e) => {
                // The lock is held: its file goes with it.
                let _ = fs::remove_file(dir.join(LOCK));
                return Err(e);
            }
        };
        Ok(OutputSet {
            dir: dir.to_path_buf(),
            staging,
            _lock: lock,
            inputs,
            staged: Vec::new(),
            written: std::collections::HashMap::new(),
            syncing: Vec::new(),
            ahead: Ahead::default(),
            notes,
            committed: false,
        })
    }

    /// The set with the hashes of the files it will write over, taken ahead.
    pub fn with_hashes_ahead(mut self, ahead: Ahead) -> OutputSet {
        self.ahead = ahead;
        self
    }

    /// Where the file `name` will be once the set is committed.
    pub fn final_path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Notes from opening the folder (an interrupted run's leftovers removed).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// The staging path of `name`, for a writer that takes a path; the file is part of
    /// the set once written there. Refuses a name that is an input of the run.
    pub fn stage(&mut self, name: &str) -> Result<PathBuf> {
        check_name(name)?;
        let target = self.dir.join(name);
        if is_input(&target, &self.inputs) {
            return Err(Error::Data {
                file: target.display().to_string(),
                kind: ErrorKind::OutputInTheWay,
                message: "this output would overwrite an input file: choose another output path".into(),
            });
        }
        if !self.staged.iter().any(|s| s == name) {
            self.staged.push(name.to_string());
        }
        Ok(self.staging.join(name))
    }

    /// Writes the file `name` into the set; returns its final path.
    pub fn write(
        &mut self,
        name: &str,
        write: impl FnOnce(&mut (dyn Write + Send)) -> std::io::Result<()>,
    ) -> Result<PathBuf> {
        let path = self.stage(name)?;
        let target = self.final_path(name);
        let (file, sha) = write_unsynced(&path, &target, write)?;
        // Synced on a thread of its own while the run goes on; here if none can start.
        let file = Arc::new(file);
        let syncing = Arc::clone(&file);
        match std::thread::Builder::new().spawn(move || syncing.sync_all()) {
            Ok(handle) => self.syncing.push((target.clone(), handle)),
            Err(_) => file.sync_all().map_err(|e| Error::io(&target, "cannot write", e))?,
        }
        self.written.insert(name.to_string(), sha);
        Ok(target)
    }

    /// Writes `table` as `<name>.csv`; returns its final path.
    pub fn write_csv(&mut self, table: super::table::Table<'_>, style: csv::Style) -> Result<PathBuf> {
        let name = format!("{}.csv", table.name);
        self.write(&name, |w| csv::write_table(w, style, &table.header, table.rows))
    }

    /// Writes `table` as `<name>.parquet`; returns its final path.
    pub fn write_parquet(&mut self, table: super::table::Table<'_>) -> Result<PathBuf> {
        let name = format!("{}.parquet", table.name);
        self.write(&name, |w| {
            parquet::write_table(w, table.name, &table.header, table.rows.into_iter())
        })
    }

    /// Publishes the set with `manifest` (a JSON object; `output_sha256` is added) as
    /// its commit record, and removes the previous run's stale files.
    pub fn commit(mut self, mut manifest: serde_json::Value) -> Result<Committed> {
        for (shown, syncing) in self.syncing.drain(..) {
            let synced = syncing
                .join()
                .unwrap_or_else(|_| Err(std::io::Error::other("the sync failed")));
            synced.map_err(|e| Error::io(&shown, "cannot write", e))?;
        }
        let mut hashes = serde_json::Map::new();
        for name in &self.staged {
            let sha = match self.written.remove(name) {
                Some(sha) => sha,
                None => {
                    let staged = self.staging.join(name);
                    sync(&staged, &self.dir.join(name))?;
                    sha256_file(&staged).map_err(|e| Error::io(self.dir.join(name), "cannot read back", e))?
                }
            };
            hashes.insert(name.clone(), serde_json::Value::String(sha));
        }
        if let Some(object) = manifest.as_object_mut() {
            if let Some(mac) = super::key::sign("manifest", &listing(&hashes)) {
                object.insert("output_mac".into(), serde_json::Value::String(mac));
            }
            object.insert("output_sha256".into(), serde_json::Value::Object(hashes));
        }
        let manifest_path = self.stage(MANIFEST)?;
        let text = serde_json::to_string_pretty(&manifest).map_err(|e| Error::Data {
            file: self.dir.join(MANIFEST).display().to_string(),
            kind: ErrorKind::Internal,
            message: e.to_string(),
        })?;
        write_synced(&manifest_path, text.as_bytes(), &self.dir.join(MANIFEST))?;

        let mut committed = Committed::default();
        let (previous, signed) = previous_outputs(&self.dir).unzip();
        let signed = signed.unwrap_or(false);
        let mut publish: Vec<&String> = self.staged.iter().filter(|n| *n != MANIFEST).collect();
        let manifest_name = MANIFEST.to_string();
        publish.push(&manifest_name);
        // A list vouches for files to write over only when it is signed (a forged one
        // could name a user's file with its true SHA-256); without any key, nothing is
        // signed, and a run's own list vouches for its own outputs.
        let vouching = previous.as_ref().filter(|_| signed || !super::key::available());
        let hashes = std::mem::take(&mut self.ahead).join().unwrap_or_default();
        let replaces = replaced_files(&self.dir, &publish, vouching, &hashes)?;
        let (remove, notes) = stale_files(
            &self.dir,
            &self.staged,
            &self.inputs,
            previous.as_ref().filter(|_| signed),
            &hashes,
        );
        committed.notes.extend(notes);
        let journal = serde_json::json!({
            "publish": publish.iter().zip(&replaces).map(|(n, r)| serde_json::json!({"name": n, "replaces": r})).collect::<Vec<_>>(),
            "remove": remove.iter().map(|(n, s)| serde_json::json!({"name": n, "sha256": s})).collect::<Vec<_>>(),
        });
        let journal_path = self.staging.join(JOURNAL);
        let journal = journal.to_string();
        write_synced(&journal_path, journal.as_bytes(), &self.dir)?;
        if let Some(mac) = super::key::sign("journal", journal.as_bytes()) {
            write_synced(&self.staging.join(JOURNAL_MAC), mac.as_bytes(), &self.dir)?;
        }
        let commit = self.dir.join(COMMIT);
        fs::rename(&self.staging, &commit).map_err(|e| Error::io(&self.dir, "cannot commit the outputs in", e))?;
        self.committed = true;
        sync_dir(&self.dir);
        let rolled = roll_forward(&self.dir, &self.inputs, By::Committer, &hashes)?;
        committed.removed = rolled.removed;
        committed.notes.extend(rolled.notes);
        Ok(committed)
    }
}

impl Drop for OutputSet {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
        // Removed while it is held, so the folder keeps no file of the lock's. (Readers
        // leave theirs: another reader may hold it.)
        let _ = fs::remove_file(self.dir.join(LOCK));
    }
}

/// A plain file name: no folder, not hidden, not `..`.
fn check_name(name: &str) -> Result<()> {
    if plain_name(name) {
        Ok(())
    } else {
        Err(Error::Data {
            file: name.to_string(),
            kind: ErrorKind::OutputInTheWay,
            message: "an output name must be a plain file name".into(),
        })
    }
}

/// Whether `path` is one of the run's `inputs` (canonical paths).
fn is_input(path: &Path, inputs: &[PathBuf]) -> bool {
    path.canonicalize().is_ok_and(|c| inputs.contains(&c))
}

fn plain_name(name: &str) -> bool {
    !name.is_empty() && !name.starts_with('.') && !name.contains(['/', '\\', '\0'])
}

/// Makes the run's staging folder.
fn new_staging(dir: &Path) -> Result<PathBuf> {
    let pid = std::process::id();
    for n in 0..1000u32 {
        let path = dir.join(format!("{STAGING}{pid}-{n}"));
        match fs::create_dir(&path) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(Error::io(dir, "cannot create a staging folder in", e)),
        }
    }
    Err(Error::io(
        dir,
        "cannot create a staging folder in",
        std::io::Error::other("too many staging folders"),
    ))
}

/// Finishes a commit that was interrupted (under the exclusive lock). `inputs` are the
/// current run's: never replaced nor removed.
fn recover(dir: &Path, inputs: &[PathBuf], by: By) -> Result<Vec<String>> {
    if fs::symlink_metadata(dir.join(COMMIT)).is_err() {
        return Ok(Vec::new());
    }
    let rolled = roll_forward(dir, inputs, by, &Hashes::default())?;
    let mut notes: Vec<String> = rolled
        .replayed
        .then(|| {
            format!(
                "finished publishing the outputs of an interrupted run in {}",
                dir.display()
            )
        })
        .into_iter()
        .collect();
    notes.extend(rolled.notes);
    notes.extend(rolled.removed.iter().map(|p| removed_note(p)));
    Ok(notes)
}

/// The previous run's outputs and their SHA-256, from the folder's `manifest.json`,
/// and whether the list is signed by this user's riskscore ([`super::key`]): `None`
/// when there is no manifest, or it lists no output hashes.
fn previous_outputs(dir: &Path) -> Option<(serde_json::Map<String, serde_json::Value>, bool)> {
    let path = dir.join(MANIFEST);
    if !fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
        return None;
    }
    let bytes = crate::input::file::read(&path, "manifest", Default::default()).ok()?;
    let previous: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    if !(previous["riskscore_version"].is_string() && previous["command"].is_string()) {
        return None;
    }
    let hashes = previous["output_sha256"].as_object()?.clone();
    let signed = previous["output_mac"]
        .as_str()
        .is_some_and(|mac| super::key::verify("manifest", &listing(&hashes), mac));
    Some((hashes, signed))
}

/// What a manifest's signature covers: its outputs' names and SHA-256, sorted, one
/// `name NUL sha256 LF` each.
fn listing(hashes: &serde_json::Map<String, serde_json::Value>) -> Vec<u8> {
    let mut pairs: Vec<(&String, &str)> = hashes.iter().map(|(n, s)| (n, s.as_str().unwrap_or(""))).collect();
    pairs.sort();
    let mut out = Vec::new();
    for (name, sha) in pairs {
        out.extend_from_slice(name.as_bytes());
        out.push(0);
        out.extend_from_slice(sha.as_bytes());
        out.push(b'\n');
    }
    out
}

/// Per file to publish, the SHA-256 of the file it replaces (`null` if none). A file
/// in the way must be the previous run's, unchanged (its name and SHA-256 in the
/// previous manifest): riskscore never writes over bytes it did not write, nor over a
/// link or a folder. `manifest.json` itself is always replaced (a foreign one is
/// noted by [`stale_files`]).
fn replaced_files(
    dir: &Path,
    publish: &[&String],
    previous: Option<&serde_json::Map<String, serde_json::Value>>,
    hashes: &Hashes,
) -> Result<Vec<Option<String>>> {
    use rayon::prelude::*;
    // The files in the way are hashed in parallel (a grid-month run replaces 125 MB).
    let mut shas: Vec<Option<std::io::Result<String>>> = publish
        .par_iter()
        .map(|name| {
            let target = dir.join(name);
            let regular = fs::symlink_metadata(&target).is_ok_and(|m| m.is_file());
            regular.then(|| hashes.sha(&target))
        })
        .collect();
    let mut problems = Vec::new();
    let mut replaces = Vec::new();
    for (name, sha) in publish.iter().zip(shas.iter_mut()) {
        let target = dir.join(name);
        let Ok(meta) = fs::symlink_metadata(&target) else {
            replaces.push(None);
            continue;
        };
        let in_the_way = |why: &str| Error::Data {
            file: target.display().to_string(),
            kind: ErrorKind::OutputInTheWay,
            message: format!("{why}: move it, or choose another output folder"),
        };
        if !meta.is_file() {
            problems.push(in_the_way("a link or folder is in the way of this output"));
            replaces.push(None);
            continue;
        }
        let sha = match sha.take() {
            Some(sha) => sha,
            None => hashes.sha(&target),
        }
        .map_err(|e| Error::io(&target, "cannot read", e))?;
        let vouched = previous.and_then(|p| p.get(name.as_str())).and_then(|v| v.as_str()) == Some(sha.as_str());
        if name.as_str() != MANIFEST && !vouched {
            problems.push(in_the_way(
                "this file is in the way, and riskscore did not write it (it is not in the folder's manifest.json, or has changed since)",
            ));
        }
        replaces.push(Some(sha));
    }
    Error::from_problems(problems)?;
    Ok(replaces)
}

/// The note for a stale file removed.
pub fn removed_note(path: &Path) -> String {
    format!(
        "removed {}: the previous run in this folder wrote it, this one did not",
        path.display()
    )
}

/// Removes what runs killed before their commit left (under the exclusive lock):
/// staging folders, and temporary files of [`super::write_atomic`] whose process is
/// gone.
fn remove_leftovers(dir: &Path) -> Result<Vec<String>> {
    let mut notes = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(notes);
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        let Ok(kind) = entry.file_type() else { continue };
        if name.starts_with(STAGING) && kind.is_dir() {
            fs::remove_dir_all(&path).map_err(|e| Error::io(&path, "cannot remove the leftovers", e))?;
            notes.push(format!(
                "removed {}: the unfinished outputs of an interrupted run",
                path.display()
            ));
        } else if kind.is_file() && super::atomic::is_orphan_temp(&name) {
            fs::remove_file(&path).map_err(|e| Error::io(&path, "cannot remove the leftovers", e))?;
            notes.push(format!(
                "removed {}: a temporary file of an interrupted run",
                path.display()
            ));
        }
    }
    Ok(notes)
}

/// The previous run's files to remove, with their SHA-256, and notes on those kept.
fn stale_files(
    dir: &Path,
    staged: &[String],
    inputs: &[PathBuf],
    previous: Option<&serde_json::Map<String, serde_json::Value>>,
    hashed: &Hashes,
) -> (Vec<(String, String)>, Vec<String>) {
    let mut notes = Vec::new();
    let path = dir.join(MANIFEST);
    if fs::symlink_metadata(&path).is_err() {
        return (Vec::new(), notes);
    }
    let Some(hashes) = previous else {
        notes.push(format!(
            "{} was not written by this user's riskscore (it records no signed output hashes): it is replaced, and no file it lists is removed",
            path.display()
        ));
        return (Vec::new(), notes);
    };
    let mut remove = Vec::new();
    for (name, sha) in hashes {
        let Some(sha) = sha.as_str() else { continue };
        if !plain_name(name) || name == MANIFEST || staged.contains(name) {
            continue;
        }
        let file = dir.join(name);
        let Ok(meta) = fs::symlink_metadata(&file) else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        if is_input(&file, inputs) {
            notes.push(format!(
                "kept {}: the previous run wrote it, and this run reads it",
                file.display()
            ));
            continue;
        }
        match hashed.sha(&file) {
            Ok(now) if now == sha => remove.push((name.clone(), sha.to_string())),
            _ => notes.push(format!(
                "kept {}: the previous run wrote it, but it has changed since",
                file.display()
            )),
        }
    }
    (remove, notes)
}

/// Who finishes a commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum By {
    /// The run that wrote the journal, at once: no signature needed.
    Committer,
    /// A later run into the folder.
    Writer,
}

/// What [`roll_forward`] did.
struct Rolled {
    /// Whether the journal was replayed (an unsigned one is removed unplayed).
    replayed: bool,
    /// The previous run's files removed.
    removed: Vec<PathBuf>,
    /// What was not done, and why.
    notes: Vec<String>,
}

/// Publishes the committed folder's files and removes the stale ones its journal
/// names; safe to run again after an interruption.
///
/// The journal may not be riskscore's (a folder from elsewhere can hold a forged
/// one): a file is published only over nothing, or over the file whose SHA-256 the
/// journal recorded; a file is removed only when its SHA-256 is the one recorded; an
/// input of the run is never touched, and neither is a link.
fn roll_forward(dir: &Path, inputs: &[PathBuf], by: By, hashes: &Hashes) -> Result<Rolled> {
    let commit = dir.join(COMMIT);
    if !fs::symlink_metadata(&commit).is_ok_and(|m| m.is_dir()) {
        return Err(Error::Data {
            file: commit.display().to_string(),
            kind: ErrorKind::OutputInTheWay,
            message: "is not a folder riskscore made (a link or a file): remove it".into(),
        });
    }
    let read = |name: &str| -> Option<Vec<u8>> {
        let path = commit.join(name);
        fs::symlink_metadata(&path).ok().filter(|m| m.is_file())?;
        crate::input::file::read(&path, "journal", Default::default()).ok()
    };
    let bytes = read(JOURNAL);
    let signed = match (&bytes, read(JOURNAL_MAC)) {
        _ if by == By::Committer => true,
        (Some(body), Some(mac)) => {
            std::str::from_utf8(&mac).is_ok_and(|m| super::key::verify("journal", body, m.trim()))
        }
        _ => false,
    };
    let journal: Option<serde_json::Value> = bytes.and_then(|b| serde_json::from_slice(&b).ok()).filter(|_| signed);
    let mut notes = Vec::new();
    let Some(journal) = journal else {
        // Not this user's riskscore's (a folder from elsewhere), or not whole: nothing
        // of it is published or removed; the writer, whose run replaces the folder's
        // set, removes it.
        fs::remove_dir_all(&commit).map_err(|e| Error::io(&commit, "cannot remove", e))?;
        notes.push(format!(
            "removed {}: an interrupted publication not signed by this user's riskscore; nothing of it was published or removed",
            commit.display()
        ));
        return Ok(Rolled {
            replayed: false,
            removed: Vec::new(),
            notes,
        });
    };
    let regular = |path: &Path| fs::symlink_metadata(path).is_ok_and(|m| m.is_file());
    for entry in journal["publish"].as_array().into_iter().flatten() {
        let Some(name) = entry["name"].as_str().filter(|n| plain_name(n)) else {
            continue;
        };
        let from = commit.join(name);
        if !regular(&from) {
            continue;
        }
        let to = dir.join(name);
        let safe = match fs::symlink_metadata(&to) {
            Err(_) => true,
            Ok(meta) => {
                meta.is_file()
                    && !is_input(&to, inputs)
                    && entry["replaces"]
                        .as_str()
                        .is_some_and(|want| hashes.sha(&to).is_ok_and(|h| h == want))
            }
        };
        if safe {
            fs::rename(&from, &to).map_err(|e| Error::io(&to, "cannot publish", e))?;
        } else {
            notes.push(format!(
                "not published: {}: the file there is not the one the run replaced",
                to.display()
            ));
        }
    }
    sync_dir(dir);
    let mut removed = Vec::new();
    for entry in journal["remove"].as_array().into_iter().flatten() {
        let (Some(name), Some(sha)) = (entry["name"].as_str(), entry["sha256"].as_str()) else {
            continue;
        };
        let file = dir.join(name);
        if plain_name(name) && regular(&file) && !is_input(&file, inputs) && hashes.sha(&file).is_ok_and(|h| h == sha) {
            fs::remove_file(&file).map_err(|e| Error::io(&file, "cannot remove a stale output", e))?;
            removed.push(file);
        }
    }
    fs::remove_dir_all(&commit).map_err(|e| Error::io(&commit, "cannot remove", e))?;
    sync_dir(dir);
    Ok(Rolled {
        replayed: true,
        removed,
        notes,
    })
}

/// Writes a staged file (`path`; errors name `shown`, its final path), durably;
/// returns its SHA-256, hashed as it was written.
pub fn write_file(
    path: &Path,
    shown: &Path,
    write: impl FnOnce(&mut (dyn Write + Send)) -> std::io::Result<()>,
) -> Result<String> {
    let (file, sha) = write_unsynced(path, shown, write)?;
    file.sync_all().map_err(|e| Error::io(shown, "cannot write", e))?;
    Ok(sha)
}

/// [`write_file`] without the sync: the file, for the caller to sync, and its SHA-256.
fn write_unsynced(
    path: &Path,
    shown: &Path,
    write: impl FnOnce(&mut (dyn Write + Send)) -> std::io::Result<()>,
) -> Result<(File, String)> {
    let io = |e: std::io::Error| Error::io(shown, "cannot write", e);
    let file = File::create(path).map_err(io)?;
    let mut buffered = std::io::BufWriter::new(crate::hash::Hashing::new(file));
    write(&mut buffered).map_err(io)?;
    Ok(buffered.into_inner().map_err(|e| io(e.into_error()))?.finish())
}

fn write_synced(path: &Path, bytes: &[u8], shown: &Path) -> Result<()> {
    let mut file = File::create(path).map_err(|e| Error::io(shown, "cannot write", e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| Error::io(shown, "cannot write", e))
}

fn sync(path: &Path, shown: &Path) -> Result<()> {
    File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| Error::io(shown, "cannot write", e))
}

/// Makes a folder's renames durable (best effort: not every platform can).
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests;

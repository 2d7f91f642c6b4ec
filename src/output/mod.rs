//! Writers: spreadsheet-safe CSV, Parquet, an xlsx workbook and the run manifest.
//!
//! An output folder is written as one set ([`set`]): its files appear together, or
//! the previous run's stay. A single file (`events -o TABLE.csv`, a notebook) is
//! written to a temporary file beside it and renamed over the target when complete
//! ([`write_atomic`]), so a reader never sees half a file.

pub mod audit;
pub mod backtest;
pub mod compare;
pub mod csv;
pub mod events;
pub mod key;
pub mod manifest;
pub mod parquet;
pub mod score_set;
pub mod sensitivity;
pub mod set;
pub mod table;
pub mod tables;
pub mod xlsx;

use crate::error::ErrorKind;
use crate::error::{Error, Result};
use crate::hash::Hashing;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `path` atomically: temp file in the same folder, then rename. Returns the
/// SHA-256 of what was written.
pub fn write_atomic(path: &Path, write: impl FnOnce(&mut (dyn Write + Send)) -> std::io::Result<()>) -> Result<String> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let prefix = format!("{TEMP_PREFIX}{}-", std::process::id());
    let mut tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, "cannot create a temporary file in the output folder", e))?;
    let sha = {
        let mut buffered = std::io::BufWriter::new(Hashing::new(tmp.as_file_mut()));
        write(&mut buffered).map_err(|e| Error::io(path, "cannot write", e))?;
        let hashing = buffered
            .into_inner()
            .map_err(|e| Error::io(path, "cannot write", e.into_error()))?;
        hashing.finish().1
    };
    // Temporary files are created private (0600); an output is an ordinary 0644 file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644))
            .map_err(|e| Error::io(path, "cannot set permissions of", e))?;
    }
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::io(path, "cannot write", e))?;
    tmp.persist(path)
        .map_err(|e| Error::io(path, "cannot replace", e.error))?;
    Ok(sha)
}

/// The prefix of [`write_atomic`]'s temporary files, followed by the process id.
const TEMP_PREFIX: &str = ".riskscore-";

/// Whether `name` is a temporary file of [`write_atomic`] whose process has ended (a
/// run killed while writing): `.riskscore-<pid>-<random>.tmp`, or without a pid (older
/// versions). Only Linux can tell whether a process lives; elsewhere none is.
pub fn is_orphan_temp(name: &str) -> bool {
    let Some(middle) = name.strip_prefix(TEMP_PREFIX).and_then(|n| n.strip_suffix(".tmp")) else {
        return false;
    };
    if !cfg!(target_os = "linux") {
        return false;
    }
    match middle.split_once('-').and_then(|(pid, _)| pid.parse::<u32>().ok()) {
        Some(pid) => pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists(),
        None => true,
    }
}

/// Writes a value as pretty JSON, atomically.
pub fn write_json(path: &Path, value: &impl serde::Serialize) -> Result<()> {
    let json = serde_json::to_string_pretty(value).map_err(|e| Error::Data {
        file: path.display().to_string(),
        kind: ErrorKind::Internal,
        message: e.to_string(),
    })?;
    write_atomic(path, |w| w.write_all(json.as_bytes())).map(drop)
}

/// Refuses to write an output over one of the inputs.
/// Checks every output path against every input, all at once: run it before writing
/// anything, so a refused run leaves no partial output.
pub fn check_outputs(outputs: &[PathBuf], inputs: &[&Path]) -> Result<()> {
    Error::from_problems(
        outputs
            .iter()
            .filter_map(|o| check_not_input(o, inputs).err())
            .collect(),
    )
}

pub fn check_not_input(output: &Path, inputs: &[&Path]) -> Result<()> {
    let Ok(out) = output.canonicalize() else {
        return Ok(());
    };
    for input in inputs {
        if input.canonicalize().is_ok_and(|i| i == out) {
            return Err(Error::Data {
                file: output.display().to_string(),
                kind: ErrorKind::OutputInTheWay,
                message: "this output would overwrite an input file: choose another output path".into(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.csv");
        write_atomic(&path, |w| w.write_all(b"old")).unwrap();
        let failed = write_atomic(&path, |w| {
            w.write_all(b"half")?;
            Err(std::io::Error::other("disk full"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        // no temp file left behind
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    /// The hash taken as the bytes are written is the file's: SHA-256("abc") from
    /// FIPS 180-2, appendix B.1.
    #[test]
    fn an_output_is_hashed_as_it_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.csv");
        let sha = write_atomic(&path, |w| w.write_all(b"a").and_then(|()| w.write_all(b"bc"))).unwrap();
        assert_eq!(sha, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(crate::input::file::sha256_file(&path).unwrap(), sha);
    }

    #[test]
    fn refuses_to_overwrite_inputs() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("scores.csv");
        std::fs::write(&input, "data").unwrap();
        let err = check_not_input(&input, &[input.as_path()]).unwrap_err();
        assert!(err
            .to_string()
            .ends_with("this output would overwrite an input file: choose another output path"));
    }
}

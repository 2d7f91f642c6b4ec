//! A single file written atomically: to a temporary file beside it, renamed over the
//! target when complete, so a reader never sees half a file; and the temporary files
//! of a run killed while writing, told from a live run's.

use crate::error::{Error, ErrorKind, Result};
use crate::hash::Hashing;
use std::io::Write;
use std::path::Path;

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
        assert_eq!(crate::hash::sha256_file(&path).unwrap(), sha);
    }
}

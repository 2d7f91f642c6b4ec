//! An output folder's lock: exclusive for the run writing into it, shared for a
//! reader, never waited for (a held lock is an error that says so).

use super::names::LOCK;
use crate::error::{Error, Result};
use std::fs::{self, File};
use std::path::Path;

/// The error of a folder another run holds.
pub(super) fn busy(dir: &Path) -> Error {
    Error::Busy { dir: dir.to_path_buf() }
}

/// Locks `dir`'s lock file, exclusive or shared, without waiting: `None` when another
/// process holds it. A writer removes the file when it is done (its `Drop`), so a lock
/// taken on a file that has meanwhile been removed is taken again on the new one (the
/// usual check of the path against the open file).
pub(super) fn lock(dir: &Path, exclusive: bool) -> Result<Option<File>> {
    let path = dir.join(LOCK);
    loop {
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .or_else(|_| File::open(&path))
            .map_err(|e| Error::io(&path, "cannot open the lock file", e))?;
        let locked = if exclusive {
            file.try_lock()
        } else {
            file.try_lock_shared()
        };
        match locked {
            Ok(()) if same_file(&file, &path) => return Ok(Some(file)),
            Ok(()) => continue,
            Err(fs::TryLockError::WouldBlock) => return Ok(None),
            Err(fs::TryLockError::Error(e)) => return Err(Error::io(&path, "cannot lock", e)),
        }
    }
}

/// Whether the open `file` is the one at `path` now.
fn same_file(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        true
    }
}

//! The SHA-256 of the files a commit writes over, each taken once and checked again by the
//! file's fingerprint where the filesystem allows it.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

/// What a file was when it was hashed: its device, inode, size, and change and
/// modification times, taken from the open file. On a local filesystem every write to a
/// file moves its change time, which a user cannot set, so a file with the same
/// fingerprint later holds the same bytes, unless it was written again within one tick
/// of the clock that stamps it: a fingerprint is therefore taken only of a file that did
/// not change while it was hashed and was last changed a second or more before. Only
/// filesystems whose change times the kernel keeps give one (Linux: ext2-4, xfs, btrfs,
/// tmpfs, f2fs, zfs); on others (NFS answers metadata from a cache, FUSE mounts such as
/// sshfs report the modification time as the change time, FAT keeps none) a file is
/// hashed every time it is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Fingerprint {
    pub(super) device: u64,
    pub(super) inode: u64,
    pub(super) len: u64,
    pub(super) changed: (i64, i64),
    pub(super) modified: (i64, i64),
}

impl Fingerprint {
    #[cfg(target_os = "linux")]
    pub(super) fn of(file: &File) -> Option<Fingerprint> {
        use std::os::fd::AsRawFd;
        use std::os::unix::fs::MetadataExt;
        /// `statfs` magic numbers of the filesystems whose change times are kept.
        const LOCAL: [u32; 7] = [
            0xEF53,
            0x5846_5342,
            0x9123_683E,
            0x0102_1994,
            0xF2F5_2010,
            0x2FC1_2FC1,
            0x8584_58F6,
        ];
        // SAFETY: `statfs` is plain data (all zeros is a value of it); fstatfs writes one
        // into it for a descriptor that stays open for the call.
        let mut fs: libc::statfs = unsafe { std::mem::zeroed() };
        if unsafe { libc::fstatfs(file.as_raw_fd(), &mut fs) } != 0 || !LOCAL.contains(&(fs.f_type as u32)) {
            return None;
        }
        let meta = file.metadata().ok()?;
        Some(Fingerprint {
            device: meta.dev(),
            inode: meta.ino(),
            len: meta.len(),
            changed: (meta.ctime(), meta.ctime_nsec()),
            modified: (meta.mtime(), meta.mtime_nsec()),
        })
    }

    #[cfg(not(target_os = "linux"))]
    pub(super) fn of(_: &File) -> Option<Fingerprint> {
        None
    }

    /// Whether the file was last changed at least a second before `now` (Unix seconds).
    pub(super) fn settled(&self, now: i64) -> bool {
        self.changed.0 < now - 1
    }
}

/// The outputs a run will write over, being hashed ahead on a thread of their own
/// ([`hash_ahead`]); given to the run's set ([`OutputSet::with_hashes_ahead`](super::OutputSet::with_hashes_ahead)).
#[derive(Debug, Default)]
pub struct Ahead(Option<std::thread::JoinHandle<Hashes>>);

impl Ahead {
    /// The hashes, once every file is hashed (none if no thread could be started).
    pub(super) fn join(self) -> Option<Hashes> {
        self.0.and_then(|hashing| hashing.join().ok())
    }
}

/// Starts hashing, on a thread of its own, the files at `paths` that a run will write
/// over (the previous run's outputs), while the run computes: its commit then checks
/// each by its fingerprint instead of reading it. Nothing depends on it but speed: a
/// file not hashed ahead, or changed since, is hashed at the commit (and if no thread
/// can be started, every file is).
pub fn hash_ahead(paths: Vec<PathBuf>) -> Ahead {
    let hashing = std::thread::Builder::new().spawn(move || {
        let hashes = Hashes::default();
        for path in paths
            .iter()
            .filter(|p| fs::symlink_metadata(p).is_ok_and(|m| m.is_file()))
        {
            let _ = hashes.sha(path);
        }
        hashes
    });
    Ahead(hashing.ok())
}

/// The SHA-256s of the output folder's files taken during one run's commit (and ahead
/// of it, [`hash_ahead`]), each kept with the file's [`Fingerprint`]: checking a file
/// again before it is replaced (the commit checks twice, before and after its journal
/// is written) reads its metadata, not its bytes, when the file is as it was.
#[derive(Debug, Default)]
pub struct Hashes {
    pub(super) seen: std::sync::Mutex<std::collections::HashMap<PathBuf, (Fingerprint, String)>>,
}

impl Hashes {
    /// The SHA-256 of the file at `path` (not followed if it is a link: an error), as
    /// lowercase hex. The file is opened once: its fingerprint and, unless it is as it
    /// was when last hashed, its bytes are read from that one handle.
    pub(super) fn sha(&self, path: &Path) -> std::io::Result<String> {
        let file = open_no_follow(path)?;
        let before = Fingerprint::of(&file);
        let known = self.seen.lock().ok().and_then(|seen| {
            seen.get(path)
                .filter(|(f, _)| Some(*f) == before)
                .map(|(_, sha)| sha.clone())
        });
        if let Some(sha) = known {
            return Ok(sha);
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let sha = crate::hash::sha256_reader(&file)?;
        if let Some(f) = before.filter(|f| f.settled(now) && Some(*f) == Fingerprint::of(&file)) {
            if let Ok(mut seen) = self.seen.lock() {
                seen.insert(path.to_path_buf(), (f, sha.clone()));
            }
        }
        Ok(sha)
    }
}

/// Opens `path` for reading; a symbolic link is an error, not followed.
pub(super) fn open_no_follow(path: &Path) -> std::io::Result<File> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc_no_follow());
    }
    options.open(path)
}

/// `O_NOFOLLOW`.
#[cfg(target_os = "linux")]
pub(super) fn libc_no_follow() -> i32 {
    libc::O_NOFOLLOW
}

#[cfg(all(unix, not(target_os = "linux")))]
pub(super) fn libc_no_follow() -> i32 {
    0
}

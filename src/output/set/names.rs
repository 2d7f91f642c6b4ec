//! The names of an output folder's own files: its lock, the staging and committed
//! folders of a run being published, the journal and the manifest.

/// The lock file every run and reader of an output folder locks.
pub const LOCK: &str = ".riskscore.lock";
/// The committed staging folder, while its files are being published.
pub const COMMIT: &str = ".riskscore-commit";
/// The prefix of a run's staging folder.
pub const STAGING: &str = ".riskscore-staging-";
/// The journal inside the committed folder.
pub(super) const JOURNAL: &str = "journal.json";
/// The journal's signature ([`crate::output::key`]).
pub(super) const JOURNAL_MAC: &str = "journal.mac";
/// The commit record of an output folder.
pub const MANIFEST: &str = "manifest.json";

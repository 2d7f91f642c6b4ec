//! The user's key, which tells the manifests and journals riskscore wrote from those
//! that came with a folder from elsewhere.
//!
//! A folder's `manifest.json` and a commit's journal say which files riskscore may
//! remove or write over. Anyone can write such a file: one forged into a folder a
//! user later writes into could name the user's files. So riskscore signs what it
//! writes with a key only it reads, and acts on a manifest's list of files to remove,
//! or on a journal, only when the signature holds.
//!
//! # Formula
//! `mac = HMAC-SHA256(key, purpose || 0x00 || message)` as lowercase hex, with a
//! 32-byte random key (RFC 2104; SHA-256 from FIPS 180-4).
//!
//! The key is the file `$RISKSCORE_KEY_FILE`, else `$XDG_STATE_HOME/riskscore/key`,
//! else `~/.local/state/riskscore/key`: 32 random bytes, made on first use (mode 0600,
//! created whole by a hard link, so that concurrent first runs agree on one key).
//! Without a home or a writable one there is no key: no manifest is then trusted for
//! removals, and riskscore removes nothing.
//!
//! ## References
//! H. Krawczyk, M. Bellare, R. Canetti (1997), "HMAC: Keyed-Hashing for Message
//! Authentication", RFC 2104; test vectors: RFC 4231.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The signature of `message` for `purpose`, or `None` when there is no key.
pub fn sign(purpose: &str, message: &[u8]) -> Option<String> {
    key().map(|k| mac_hex(k, purpose, message))
}

/// Whether `mac` is the signature of `message` for `purpose` under the user's key.
pub fn verify(purpose: &str, message: &[u8], mac: &str) -> bool {
    let Some(k) = key() else { return false };
    let Ok(bytes) = hex_bytes(mac) else { return false };
    let mut m = keyed(k, purpose);
    m.update(message);
    m.verify_slice(&bytes).is_ok()
}

fn keyed(key: &[u8], purpose: &str) -> Hmac<Sha256> {
    // HMAC takes keys of any length.
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes keys of any length");
    m.update(purpose.as_bytes());
    m.update(&[0]);
    m
}

fn mac_hex(key: &[u8], purpose: &str, message: &[u8]) -> String {
    let mut m = keyed(key, purpose);
    m.update(message);
    m.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

fn hex_bytes(text: &str) -> Result<Vec<u8>, ()> {
    if !text.len().is_multiple_of(2) {
        return Err(());
    }
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or(())
        })
        .collect()
}

fn key() -> Option<&'static [u8]> {
    static KEY: OnceLock<Option<Vec<u8>>> = OnceLock::new();
    KEY.get_or_init(|| load_or_make(&path()?)).as_deref()
}

/// Where the key lives (see the module docs).
fn path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("RISKSCORE_KEY_FILE").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let state = std::env::var_os("XDG_STATE_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local").join("state")))?;
    Some(state.join("riskscore").join("key"))
}

/// Reads the key at `path`, or makes it: written whole under a temporary name, then
/// linked into place (a link fails if another process made the key first: its key
/// is read).
fn load_or_make(path: &std::path::Path) -> Option<Vec<u8>> {
    if let Some(bytes) = read_key(path) {
        return (bytes.len() == 32).then_some(bytes);
    }
    let dir = path.parent()?;
    std::fs::create_dir_all(dir).ok()?;
    let fresh = random_bytes()?;
    let tmp = tempfile::Builder::new().prefix(".key-").tempfile_in(dir).ok()?;
    std::fs::write(tmp.path(), &fresh).ok()?;
    match std::fs::hard_link(tmp.path(), path) {
        Ok(()) => Some(fresh),
        Err(_) => read_key(path).filter(|b| b.len() == 32),
    }
}

/// At most 33 bytes of the key file (a key is 32): `None` if it cannot be read.
fn read_key(path: &std::path::Path) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path).ok()?.take(33).read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

/// Whether there is a key: without one nothing is signed, so nothing can be verified.
pub fn available() -> bool {
    key().is_some()
}

/// 32 bytes from the system's random source.
fn random_bytes() -> Option<Vec<u8>> {
    use std::io::Read;
    let mut bytes = vec![0u8; 32];
    std::fs::File::open("/dev/urandom").ok()?.read_exact(&mut bytes).ok()?;
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231, test case 2 (key "Jefe"), with the purpose as the message's start.
    #[test]
    fn hmac_sha256_matches_rfc_4231() {
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(b"Jefe").unwrap();
        m.update(b"what do ya want for nothing?");
        let hex: String = m.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        // The purpose is part of what is signed: one purpose's mac is no other's.
        assert_ne!(mac_hex(b"k", "manifest", b"x"), mac_hex(b"k", "journal", b"x"));
        assert_eq!(mac_hex(b"k", "a", b"b"), mac_hex(b"k", "a", b"b"));
    }

    #[test]
    fn concurrent_first_runs_agree_on_one_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state").join("key");
        let keys: Vec<Option<Vec<u8>>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8).map(|_| s.spawn(|| load_or_make(&path))).collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(keys.iter().all(|k| k.as_ref().is_some_and(|k| k.len() == 32)));
        assert!(keys.windows(2).all(|w| w[0] == w[1]));
        assert_eq!(std::fs::read(&path).unwrap(), keys[0].clone().unwrap());
        assert_eq!(hex_bytes("0aff").unwrap(), [10, 255]);
        assert!(hex_bytes("0g").is_err() && hex_bytes("abc").is_err());
    }
}

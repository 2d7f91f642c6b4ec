//! SHA-256 digests: of a byte slice, and of what passes through a writer.
//!
//! A bottom module (no crate imports): the framework, the shard files and the output
//! writers all hash, and none of them should reach into another for it. SHA-256 is
//! FIPS 180-4 (NIST 2015), computed by the `sha2` crate; digests print as lowercase hex.

use sha2::{Digest, Sha256};
use std::io::Write;

/// SHA-256 of bytes as lowercase hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes).into())
}

/// 32 digest bytes as 64 lowercase hex digits.
fn hex(digest: &[u8; 32]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A writer that hashes (SHA-256) the bytes it passes on: an output's hash costs no
/// second read of it.
pub(crate) struct Hashing<W> {
    inner: W,
    hasher: Sha256,
}

impl<W: Write> Hashing<W> {
    pub(crate) fn new(inner: W) -> Self {
        Hashing {
            inner,
            hasher: Sha256::new(),
        }
    }

    /// The writer, and the SHA-256 of what was written (lowercase hex).
    pub(crate) fn finish(self) -> (W, String) {
        let (inner, digest) = self.finish_bytes();
        (inner, hex(&digest))
    }

    /// The writer, and the SHA-256 of what was written.
    pub(crate) fn finish_bytes(self) -> (W, [u8; 32]) {
        (self.inner, self.hasher.finalize().into())
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// FIPS 180-4's example "abc" (NIST's published digest).
    const ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    #[test]
    fn digest_of_abc_is_nists() {
        assert_eq!(sha256_hex(b"abc"), ABC);
    }

    #[test]
    fn the_writer_hashes_what_it_passes_on() {
        let mut w = Hashing::new(Vec::new());
        w.write_all(b"a").unwrap();
        w.write_all(b"bc").unwrap();
        let (inner, digest) = w.finish();
        assert_eq!(inner, b"abc");
        assert_eq!(digest, ABC);
    }
}

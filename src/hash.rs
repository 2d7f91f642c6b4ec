//! SHA-256 digests: of a byte slice, and of what passes through a writer.
//!
//! A bottom module (no crate imports), and the one place that hashes: input files,
//! frameworks, shard files and outputs are all hashed here. SHA-256 is FIPS 180-4
//! (NIST 2015), computed by the `sha2` crate; digests print as lowercase hex.

use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::Path;

/// SHA-256 of bytes as lowercase hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes).into())
}

/// The SHA-256 of what `reader` gives to its end, read in blocks, as lowercase hex.
pub(crate) fn sha256_reader(mut reader: impl Read) -> std::io::Result<String> {
    let mut hashing = Hashing::new(std::io::sink());
    std::io::copy(&mut reader, &mut hashing)?;
    Ok(hashing.finish().1)
}

/// The SHA-256 of the file at `path`, read in blocks, as lowercase hex.
pub(crate) fn sha256_file(path: &Path) -> std::io::Result<String> {
    sha256_reader(std::fs::File::open(path)?)
}

/// 32 digest bytes as 64 lowercase hex digits.
fn hex(digest: &[u8; 32]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A writer or a reader that hashes (SHA-256) the bytes it passes on: an output's (or
/// a shard file's) hash costs no second read of it.
pub(crate) struct Hashing<W> {
    inner: W,
    hasher: Sha256,
}

impl<W> Hashing<W> {
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

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
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

    #[test]
    fn the_reader_hashes_what_it_passes_on() {
        let mut r = Hashing::new(&b"abc"[..]);
        let mut first = [0u8; 1];
        r.read_exact(&mut first).unwrap();
        let mut rest = Vec::new();
        r.read_to_end(&mut rest).unwrap();
        assert_eq!((first[0], rest.as_slice()), (b'a', &b"bc"[..]));
        assert_eq!(r.finish().1, ABC);
        assert_eq!(sha256_reader(&b"abc"[..]).unwrap(), ABC);
    }
}

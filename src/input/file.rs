//! Every input file is read here, with its limits checked while it is read, before
//! memory grows with what a hostile or broken file holds:
//!
//! - a folder or a device (`/dev/zero`, a terminal) is refused by its kind, before a
//!   byte is read; a pipe (`<(...)`, a FIFO) or standard input is read up to
//!   [`MAX_STREAM_BYTES`];
//! - in text (any file that is not Parquet or a workbook, by its first bytes) a line
//!   longer than [`MAX_LINE_BYTES`] stops the read at once, naming its row: no row of
//!   a data table, framework or list is that long, and a file that never ends a line
//!   (`/dev/zero`, a binary file, a quote never closed on a one-line file) would
//!   otherwise be read whole before the parser refused it;
//! - text holding a NUL byte is not text (unless it is UTF-16, by its byte-order mark
//!   or as named).

use crate::error::ErrorKind;
use crate::error::{Error, Result};
use std::io::Read;
use std::path::Path;

/// The longest line of a text input: 1 MiB.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// The most read from a pipe or standard input: 2 GiB (save more to a file).
pub const MAX_STREAM_BYTES: u64 = 2 << 30;

/// Bytes read and checked at a time.
const BLOCK: usize = 4 << 20;

/// How a file is read.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reading {
    /// The text is named UTF-16 (NUL bytes are part of its characters).
    pub utf16: bool,
    /// A pipe may be read (a file given on the command line: `<(...)`). A file named
    /// inside another file (a framework's sources) must be a regular file: a pipe
    /// nobody writes to would be waited on for ever.
    pub pipes: bool,
}

/// Reads the input file `path` whole (see the module docs); `what` says what it is in
/// messages ("data file", "neighbours table").
pub fn read(path: &Path, what: &'static str, how: Reading) -> Result<Vec<u8>> {
    let stream = if how.pipes {
        check_kind(path, what)?
    } else {
        check_regular(path, what)?;
        false
    };
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, open_action(what), e))?;
    let size = if stream {
        0
    } else {
        file.metadata().map_or(0, |m| m.len() as usize)
    };
    read_from(file, &path.display().to_string(), stream, size, how).map_err(|e| e.into_error(path, what))
}

/// Reads standard input whole, as [`read`] reads a pipe.
pub fn read_stdin(how: Reading) -> Result<Vec<u8>> {
    read_from(std::io::stdin().lock(), "<stdin>", true, 0, how)
        .map_err(|e| e.into_error(Path::new("<stdin>"), "standard input"))
}

/// Refuses a folder or a device; returns whether `path` is a stream (not a regular
/// file): a pipe, a socket.
pub fn check_kind(path: &Path, what: &str) -> Result<bool> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, open_action(what), e))?;
    let kind = meta.file_type();
    if kind.is_file() {
        return Ok(false);
    }
    if kind.is_dir() {
        return Err(Error::Data {
            file: path.display().to_string(),
            kind: ErrorKind::NotAFile,
            message: format!("is a folder: expected {}", with_article(what)),
        });
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_char_device() || kind.is_block_device() {
            return Err(Error::Data {
                file: path.display().to_string(),
                kind: ErrorKind::NotAFile,
                message: format!("is a device, not a file: expected {}", with_article(what)),
            });
        }
    }
    Ok(true)
}

/// Refuses anything but a regular file: for inputs read more than once (event logs)
/// and files named inside other files (a framework's sources), where a pipe nobody
/// writes to would be waited on for ever.
pub fn check_regular(path: &Path, what: &str) -> Result<()> {
    if check_kind(path, what)? {
        return Err(Error::Data {
            file: path.display().to_string(),
            kind: ErrorKind::NotAFile,
            message: format!("is a pipe, not a file: expected {} saved to a file", with_article(what)),
        });
    }
    Ok(())
}

/// "a data file", "an event log".
fn with_article(what: &str) -> String {
    let vowel = what.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {what}", if vowel { "an" } else { "a" })
}

fn open_action(what: &str) -> &'static str {
    match what {
        "data file" => "cannot read data file",
        "framework file" => "cannot read framework file",
        "neighbours table" => "cannot read the neighbours table ([data] neighbours)",
        "weight sets file" => "cannot read weight sets",
        _ => "cannot read",
    }
}

/// Why a read stopped.
enum Stop {
    Io(std::io::Error),
    Limit(Error),
}

impl Stop {
    fn into_error(self, path: &Path, what: &'static str) -> Error {
        match self {
            Stop::Io(e) => Error::io(path, open_action(what), e),
            Stop::Limit(e) => e,
        }
    }
}

/// Reads `reader` to its end in blocks, checking each block as it comes.
fn read_from(mut reader: impl Read, name: &str, stream: bool, size: usize, how: Reading) -> Result<Vec<u8>, Stop> {
    let mut bytes: Vec<u8> = Vec::with_capacity(size.saturating_add(1));
    let mut check: Option<TextCheck> = None;
    let mut checked = 0;
    loop {
        if bytes.len() == bytes.capacity() {
            bytes.reserve((bytes.len() / 2).clamp(1 << 16, 64 << 20));
        }
        // At most a block per read, so that a line over the limit stops the read
        // after a block, not after the file (appended without zeroing the space first).
        let n = match reader.by_ref().take(BLOCK as u64).read_to_end(&mut bytes) {
            Ok(n) => n,
            Err(e) => return Err(Stop::Io(e)),
        };
        // A read that gave less than a block met the end (a terminal's end of input is
        // taken once: reading on would wait for another).
        let end = n < BLOCK;
        // The container is told by the first 4 bytes.
        if check.is_none() && (bytes.len() >= 4 || end) {
            check = Some(TextCheck::new(&bytes, how));
        }
        if let Some(c) = check.as_mut() {
            c.feed(name, &bytes[checked..], checked).map_err(Stop::Limit)?;
            checked = bytes.len();
        }
        if stream && bytes.len() as u64 > MAX_STREAM_BYTES {
            return Err(Stop::Limit(Error::Data {
                file: name.into(),
                kind: ErrorKind::TooLarge,
                message: format!(
                    "more than {} GiB from a pipe: save it to a file and pass the file",
                    MAX_STREAM_BYTES >> 30
                ),
            }));
        }
        if end {
            return Ok(bytes);
        }
    }
}

/// The checks on text, block by block.
struct TextCheck {
    text: bool,
    nul_allowed: bool,
    /// Bytes since the last line feed.
    line: usize,
    /// Line feeds so far.
    lines: usize,
}

impl TextCheck {
    fn new(head: &[u8], how: Reading) -> TextCheck {
        let text = super::container::container(head) == super::container::Container::Csv;
        let utf16_bom = head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]);
        TextCheck {
            text,
            nul_allowed: how.utf16 || utf16_bom,
            line: 0,
            lines: 0,
        }
    }

    /// Checks `block`, which starts at byte `offset` of the file.
    fn feed(&mut self, name: &str, block: &[u8], offset: usize) -> Result<()> {
        if !self.text {
            return Ok(());
        }
        if !self.nul_allowed {
            if let Some(at) = memchr::memchr(0, block) {
                let row = self.lines + memchr::memchr_iter(b'\n', &block[..at]).count() + 1;
                return Err(Error::Row {
                    file: name.into(),
                    row,
                    message: format!(
                        "not a text file: byte {} is NUL (a binary file? if it is UTF-16 text without a byte-order mark, name it with option `encoding`)",
                        offset + at + 1
                    ),
                });
            }
        }
        let Some(first) = memchr::memchr(b'\n', block) else {
            self.line += block.len();
            return self.check_line(name, self.lines + 1);
        };
        self.line += first;
        self.check_line(name, self.lines + 1)?;
        // The lines after the first that end in the block: each is shorter than the
        // limit when a line feed lies in every stretch of the limit's length, found by
        // jumping a limit ahead and looking back (not by visiting every line).
        let last = memchr::memrchr(b'\n', block).unwrap_or(first);
        let mut start = first + 1;
        while last.saturating_sub(start) > MAX_LINE_BYTES {
            match memchr::memrchr(b'\n', &block[start..=start + MAX_LINE_BYTES]) {
                Some(at) => start += at + 1,
                None => {
                    self.line = MAX_LINE_BYTES + 1;
                    let before = memchr::memchr_iter(b'\n', &block[..start]).count();
                    return self.check_line(name, self.lines + before + 1);
                }
            }
        }
        self.lines += memchr::memchr_iter(b'\n', block).count();
        self.line = block.len() - last - 1;
        self.check_line(name, self.lines + 1)
    }

    /// Refuses the current line, row `row`, when it is longer than the limit.
    fn check_line(&self, name: &str, row: usize) -> Result<()> {
        if self.line <= MAX_LINE_BYTES {
            return Ok(());
        }
        Err(Error::Row {
            file: name.into(),
            row,
            message: format!(
                "the line is longer than {} MiB: no row of a table is; is this a text (CSV) file, or is a quote (\") never closed?",
                MAX_LINE_BYTES >> 20
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_bytes(bytes: &[u8], stream: bool) -> Result<Vec<u8>> {
        read_from(bytes, "t.csv", stream, 0, Reading::default())
            .map_err(|e| e.into_error(Path::new("t.csv"), "data file"))
    }

    #[test]
    fn a_long_line_between_short_ones_is_found_with_its_row() {
        // 1,000 short lines, a line of the limit (allowed), 10 short lines, one over it.
        let mut text = b"a,1\n".repeat(1000);
        text.extend(std::iter::repeat_n(b'x', MAX_LINE_BYTES));
        text.extend(b"\n".iter().chain(&b"b,2\n".repeat(10)));
        assert_eq!(read_bytes(&text, false).unwrap(), text);
        text.extend(std::iter::repeat_n(b'y', MAX_LINE_BYTES + 1));
        text.extend(b"\nc,3\n".repeat(3));
        let err = read_bytes(&text, false).unwrap_err().to_string();
        assert!(
            err.starts_with("t.csv: row 1012: the line is longer than 1 MiB"),
            "{err}"
        );
        // Across blocks: the long line starts in one block and ends in the next.
        let mut text = b"a,1\n".repeat(BLOCK / 4 - 10);
        text.extend(std::iter::repeat_n(b'z', MAX_LINE_BYTES + 1));
        text.push(b'\n');
        let err = read_bytes(&text, false).unwrap_err().to_string();
        assert!(err.starts_with(&format!("t.csv: row {}:", BLOCK / 4 - 9)), "{err}");
    }

    #[test]
    fn the_end_of_input_is_read_once() {
        // A terminal gives its end of input once; a second read would wait for another.
        struct Terminal(Vec<&'static [u8]>);
        impl Read for Terminal {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let next = self.0.pop().expect("read again after the end of input");
                buf[..next.len()].copy_from_slice(next);
                Ok(next.len())
            }
        }
        let typed = Terminal(vec![b"", b"B,2\n", b"unit,x\nA,1\n"]);
        let bytes = read_from(typed, "<stdin>", true, 0, Reading::default())
            .map_err(|e| e.into_error(Path::new("-"), "data file"));
        assert_eq!(bytes.unwrap(), b"unit,x\nA,1\nB,2\n");
    }

    #[test]
    fn text_is_read_whole() {
        let text = b"unit,year\nAFG,2020\n".repeat(50_000);
        assert_eq!(read_bytes(&text, false).unwrap(), text);
        assert_eq!(read_bytes(b"", true).unwrap(), b"");
    }

    #[test]
    fn a_line_over_the_limit_stops_the_read_naming_its_row() {
        let mut text = b"unit,year\nAFG,2020\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', MAX_LINE_BYTES + 1));
        let err = read_bytes(&text, false).unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.csv: row 3: the line is longer than 1 MiB: no row of a table is; is this a text (CSV) file, or is a quote (\") never closed?"
        );
        // Exactly the limit is a line.
        let mut text = vec![b'x'; MAX_LINE_BYTES];
        text.push(b'\n');
        assert!(read_bytes(&text, false).is_ok());
    }

    #[test]
    fn a_file_that_never_ends_is_refused_after_one_line() {
        // /dev/zero as a reader: NUL bytes without end.
        let err = read_from(std::io::repeat(0), "/dev/zero", true, 0, Reading::default())
            .map_err(|e| e.into_error(Path::new("/dev/zero"), "data file"))
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("/dev/zero: row 1: not a text file: byte 1 is NUL"),
            "{err}"
        );
        let err = read_from(std::io::repeat(b'a'), "<stdin>", true, 0, Reading::default())
            .map_err(|e| e.into_error(Path::new("<stdin>"), "data file"))
            .unwrap_err();
        assert!(err.to_string().contains("longer than 1 MiB"), "{err}");
    }

    #[test]
    fn utf16_and_binary_containers_are_not_checked_as_text() {
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("a,b\n".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert!(read_bytes(&utf16, false).is_ok());
        let named = read_from(
            &b"a\0,\0b\0"[..],
            "t.csv",
            false,
            0,
            Reading {
                utf16: true,
                pipes: false,
            },
        );
        assert!(named.is_ok());
        let mut parquet = b"PAR1".to_vec();
        parquet.extend(vec![0u8; 3 * MAX_LINE_BYTES]);
        assert!(read_bytes(&parquet, false).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_folders_are_refused_by_their_kind() {
        let err = read(Path::new("/dev/zero"), "data file", Reading::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "/dev/zero: is a device, not a file: expected a data file"
        );
        assert_eq!(err.kind(), crate::ErrorKind::NotAFile);
        let dir = tempfile::tempdir().unwrap();
        let err = read(dir.path(), "neighbours table", Reading::default()).unwrap_err();
        assert!(err.to_string().ends_with(": is a folder: expected a neighbours table"));
    }
}

//! One pass over a CSV event log: the file is read once, in blocks, and each block is
//! hashed (SHA-256, on its own thread), checked to be UTF-8, and parsed into frames of
//! the needed columns as text, each row with its number in the file (`ROW`). The
//! frames are handed on as they are made, so memory holds a few frames, not the log.
//!
//! A cell is missing (null) when empty. A row with more cells than the header is an
//! error naming the row; a short row has its last cells missing (as polars reads it).

use super::ROW;
use crate::error::{Error, Result};
use polars::prelude::*;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::PathBuf;
use std::sync::mpsc;

/// Rows per frame handed on (a few in unit tests, so that small logs span frames).
const FRAME_ROWS: usize = if cfg!(test) { 50 } else { 100_000 };
/// Bytes read at a time (and hashed as a block).
const READ_BYTES: usize = 1 << 20;

/// A CSV log read in one pass (see the module docs).
#[derive(Debug, Clone)]
pub(super) struct CsvPass {
    pub(super) path: PathBuf,
    pub(super) separator: u8,
    /// Bytes of a byte-order mark to skip.
    pub(super) bom: usize,
    /// Skip the row under the header (HXL hashtags).
    pub(super) hxl: bool,
    /// Hash the file (false when it is a UTF-8 copy: the original was hashed).
    pub(super) hash: bool,
    /// Column names are read in lower case (see `source::lowercase_headers`).
    pub(super) lowercase: bool,
    /// The file was taken for UTF-8 because its first bytes are: bytes further on
    /// that are not make it read again as Windows-1252 (named UTF-8 or with a UTF-8
    /// byte-order mark, they are an error).
    pub(super) fallback: bool,
}

/// What the pass found about the file itself.
pub(super) struct PassReport {
    /// SHA-256 of the file (`None` when not asked for).
    pub(super) sha256: Option<String>,
    /// The offset of the first byte that is not UTF-8 (the pass stopped there).
    pub(super) not_utf8_at: Option<u64>,
}

/// Reads the log: `columns` are the names of the columns to keep; `frame` gets each
/// frame in file order (called on another thread).
pub(super) fn read(
    pass: &CsvPass,
    name: &str,
    columns: &[String],
    frame: impl FnMut(DataFrame) -> Result<()> + Send,
) -> Result<PassReport> {
    let io = |e: std::io::Error| Error::io(&pass.path, "cannot read the event log", e);
    let mut file = std::fs::File::open(&pass.path).map_err(io)?;
    let mut skip = vec![0u8; pass.bom];
    file.read_exact(&mut skip).map_err(io)?;
    std::thread::scope(|scope| {
        let (blocks, to_hash) = mpsc::sync_channel::<Vec<u8>>(8);
        let hasher = pass.hash.then(|| {
            scope.spawn(move || {
                let mut hasher = Sha256::new();
                hasher.update(&skip);
                for block in to_hash {
                    hasher.update(&block);
                }
                format!("{:x}", hasher.finalize())
            })
        });
        let (frames, to_use) = mpsc::sync_channel::<DataFrame>(2);
        let user = scope.spawn(move || {
            let mut frame = frame;
            for f in to_use {
                frame(f)?;
            }
            Ok::<(), Error>(())
        });
        let mut tee = Tee {
            file,
            blocks: pass.hash.then_some(blocks),
            utf8: Utf8Check::default(),
        };
        let parsed = parse(&mut tee, pass, name, columns, &frames);
        drop(frames);
        drop(tee.blocks.take());
        let used = user.join().map_err(|_| Error::Data {
            file: name.into(),
            message: "the aggregation stopped unexpectedly".into(),
        })?;
        let sha256 = hasher.map(|h| h.join().unwrap_or_default());
        // Not UTF-8: the rows parsed are not used; the caller reads it again as
        // another encoding (or reports it, when it was named UTF-8).
        let not_utf8_at = tee.utf8.invalid.or_else(|| tee.utf8.finish());
        if not_utf8_at.is_none() {
            parsed?;
            used?;
        }
        Ok(PassReport { sha256, not_utf8_at })
    })
}

/// Parses the records coming through `tee` into frames sent to `frames`.
fn parse(
    tee: &mut Tee,
    pass: &CsvPass,
    name: &str,
    columns: &[String],
    frames: &mpsc::SyncSender<DataFrame>,
) -> Result<()> {
    // Rows end at a line feed, a carriage return before it dropped (as polars reads).
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(pass.separator)
        .has_headers(false)
        .flexible(true)
        .terminator(::csv::Terminator::Any(b'\n'))
        .buffer_capacity(READ_BYTES)
        .from_reader(tee);
    let mut record = ::csv::ByteRecord::new();
    let csv_error = |e: ::csv::Error| Error::Data {
        file: name.into(),
        message: format!("cannot read the event log: {e}"),
    };
    // The header, and the HXL row under it.
    let mut header = Vec::new();
    if reader.read_byte_record(&mut record).map_err(csv_error)? {
        header = (0..record.len())
            .map(|i| {
                let cell = String::from_utf8_lossy(cell(&record, i).unwrap_or_default());
                if pass.lowercase {
                    cell.to_lowercase()
                } else {
                    cell.into_owned()
                }
            })
            .collect();
    }
    let width = header.len();
    let mut missing = Vec::new();
    let columns: Vec<(usize, String)> = columns
        .iter()
        .filter_map(|c| match header.iter().position(|h| h == c) {
            Some(at) => Some((at, c.clone())),
            None => {
                missing.push(format!("`{c}`"));
                None
            }
        })
        .collect();
    if !missing.is_empty() {
        return Err(Error::Data {
            file: name.into(),
            message: format!("the header names no column {}", missing.join(", ")),
        });
    }
    let columns = &columns[..];
    if pass.hxl {
        reader.read_byte_record(&mut record).map_err(csv_error)?;
    }
    let mut row = 2 + IdxSize::from(pass.hxl);
    let mut block = Frame::new(columns);
    let mut sent = false;
    while reader.read_byte_record(&mut record).map_err(csv_error)? {
        if reader.get_ref().utf8.invalid.is_some() {
            return Ok(());
        }
        if record.len() > width {
            return Err(Error::Row {
                file: name.into(),
                row: row as usize,
                message: format!(
                    "{} cells, the header names {width} columns (a delimiter or quote out of place?)",
                    record.len()
                ),
            });
        }
        block.push(&record, row, columns).map_err(|column| Error::Cell {
            file: name.into(),
            row: row as usize,
            column,
            message: "not UTF-8 text".into(),
        })?;
        row += 1;
        if block.rows.len() == FRAME_ROWS {
            let full = std::mem::replace(&mut block, Frame::new(columns));
            sent = true;
            if frames.send(full.finish(name)?).is_err() {
                // The receiver stopped on an error of its own, which it reports.
                return Ok(());
            }
        }
    }
    // The last rows; an empty frame for a log of no rows (the sums need one frame).
    if (!block.rows.is_empty() || !sent) && reader.get_ref().utf8.invalid.is_none() {
        let _ = frames.send(block.finish(name)?);
    }
    Ok(())
}

/// Cell `at` of a record; the last cell without the carriage return of a CRLF line end.
fn cell(record: &::csv::ByteRecord, at: usize) -> Option<&[u8]> {
    let cell = record.get(at)?;
    if at + 1 == record.len() {
        Some(cell.strip_suffix(b"\r").unwrap_or(cell))
    } else {
        Some(cell)
    }
}

/// The cells of up to [`FRAME_ROWS`] rows, column by column.
struct Frame {
    rows: Vec<IdxSize>,
    cells: Vec<StringChunkedBuilder>,
}

impl Frame {
    fn new(columns: &[(usize, String)]) -> Frame {
        Frame {
            rows: Vec::with_capacity(FRAME_ROWS),
            cells: columns
                .iter()
                .map(|(_, c)| StringChunkedBuilder::new(c.as_str().into(), FRAME_ROWS))
                .collect(),
        }
    }

    /// Adds a record; `Err(column)` when a kept cell is not UTF-8.
    fn push(
        &mut self,
        record: &::csv::ByteRecord,
        row: IdxSize,
        columns: &[(usize, String)],
    ) -> std::result::Result<(), String> {
        for ((at, name), cells) in columns.iter().zip(&mut self.cells) {
            match cell(record, *at) {
                None | Some(b"") => cells.append_null(),
                Some(bytes) => cells.append_value(std::str::from_utf8(bytes).map_err(|_| name.clone())?),
            }
        }
        self.rows.push(row);
        Ok(())
    }

    fn finish(self, name: &str) -> Result<DataFrame> {
        let mut all = vec![Column::new(ROW.into(), self.rows)];
        all.extend(self.cells.into_iter().map(|b| b.finish().into_column()));
        DataFrame::new_infer_height(all).map_err(|e| Error::Data {
            file: name.into(),
            message: format!("cannot read the event log: {e}"),
        })
    }
}

/// The file as the CSV reader reads it: each read is checked to be UTF-8 and sent to
/// the hashing thread.
struct Tee {
    file: std::fs::File,
    blocks: Option<mpsc::SyncSender<Vec<u8>>>,
    utf8: Utf8Check,
}

impl Read for Tee {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read(buf)?;
        self.utf8.feed(&buf[..n]);
        if let Some(blocks) = &self.blocks {
            // The hashing thread ends only when the channel closes.
            let _ = blocks.send(buf[..n].to_vec());
        }
        Ok(n)
    }
}

/// Checks that a byte stream fed in blocks is UTF-8, a sequence cut by a block's end
/// carried into the next.
#[derive(Default)]
pub(super) struct Utf8Check {
    /// Bytes of a sequence the last block ended in (at most 3).
    carry: Vec<u8>,
    /// Offset of the first byte not yet known to be valid.
    offset: u64,
    /// Offset of the first byte that is not UTF-8.
    pub(super) invalid: Option<u64>,
}

impl Utf8Check {
    pub(super) fn feed(&mut self, bytes: &[u8]) {
        if self.invalid.is_some() {
            return;
        }
        let mut start = 0;
        while !self.carry.is_empty() {
            let Some(&b) = bytes.get(start) else { return };
            self.carry.push(b);
            start += 1;
            match std::str::from_utf8(&self.carry) {
                Ok(_) => {
                    self.offset += self.carry.len() as u64;
                    self.carry.clear();
                }
                Err(e) if e.error_len().is_none() && self.carry.len() < 4 => {}
                Err(_) => {
                    self.invalid = Some(self.offset);
                    return;
                }
            }
        }
        let rest = &bytes[start..];
        match std::str::from_utf8(rest) {
            Ok(_) => self.offset += rest.len() as u64,
            Err(e) if e.error_len().is_none() => {
                self.offset += e.valid_up_to() as u64;
                self.carry.extend_from_slice(&rest[e.valid_up_to()..]);
            }
            Err(e) => self.invalid = Some(self.offset + e.valid_up_to() as u64),
        }
    }

    /// At the end of the stream: the offset of a sequence left incomplete.
    pub(super) fn finish(&mut self) -> Option<u64> {
        if self.invalid.is_none() && !self.carry.is_empty() {
            self.invalid = Some(self.offset);
        }
        self.invalid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(bytes: &[u8], block: usize) -> Option<u64> {
        let mut c = Utf8Check::default();
        for b in bytes.chunks(block) {
            c.feed(b);
        }
        c.finish()
    }

    #[test]
    fn utf8_is_checked_across_block_ends() {
        let text = "Tōshkent, Душанбе, Kabul 🌍 end".as_bytes();
        for block in 1..8 {
            assert_eq!(check(text, block), None, "block {block}");
        }
        // Windows-1252 é (0xE9) then an ASCII byte: invalid at its offset.
        let bad = b"abc\xE9d";
        for block in 1..6 {
            assert_eq!(check(bad, block), Some(3), "block {block}");
        }
        // A sequence cut by the end of the stream.
        assert_eq!(check(&"ab🌍".as_bytes()[..4], 2), Some(2));
    }
}

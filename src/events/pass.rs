//! One pass over a CSV event log. The file is read once, in blocks of whole records;
//! each block is hashed (SHA-256) and checked to be UTF-8 on one thread, and parsed on
//! the others into a frame of the needed columns as text, each row with its number in
//! the file (`ROW`), and the hash of each row's event id. The frames are handed on in
//! file order as they are made, so memory holds a few blocks, not the log.
//!
//! A block ends at a line feed with an even number of quotes before it (counted from
//! the block's start, itself such a point): for a file whose quotes open and close
//! fields, the end of a record. Whether it was is checked, not assumed: a block whose
//! parse ends inside a record (a quote out of place) has that record read again with
//! the next block, from the record's start, so that every block is parsed as one pass
//! over the file would parse it.
//!
//! A cell is missing (null) when empty. A row with more cells than the header is an
//! error naming the row; a short row has its last cells missing (as polars reads it).

use super::derive::{Derived, Memo, Values};
use super::model::ROW;
use crate::error::ErrorKind;
use crate::error::{Error, Result};
use crate::input::scan::{self, Dialect, LineEnds, Record};
use polars::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::hash::BuildHasher;
use std::io::{Read, Seek};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};

/// Bytes read per block (a few thousand in unit tests, so that small logs span blocks).
const BLOCK_BYTES: usize = if cfg!(test) { 4096 } else { 8 << 20 };
/// Rows per frame handed on: blocks are gathered up to this (each frame costs a
/// query; a few rows in unit tests, so that small logs span frames).
const FRAME_ROWS: usize = if cfg!(test) { 50 } else { 250_000 };

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
    /// Whether two rows have event ids of the same hash (a candidate duplicate, which a
    /// query confirms); false when no id column was named.
    pub(super) repeated_ids: bool,
}

/// What each block's parse needs to know of the header.
struct Layout<'a> {
    separator: u8,
    /// Cells in the header.
    width: usize,
    /// The kept columns: (position in the header, name).
    columns: &'a [(usize, String)],
    /// The position of the event id column, when its hashes are asked for.
    id: Option<usize>,
    /// The columns computed as the rows are read, with the positions of their inputs.
    derived: Vec<(Vec<usize>, &'a Derived)>,
}

/// What to read of the log.
pub(super) struct Wanted<'a> {
    /// The columns to keep as text.
    pub(super) columns: &'a [String],
    /// The columns to compute from cells as the rows are read.
    pub(super) derived: &'a [Derived],
    /// The column whose repeated values [`PassReport::repeated_ids`] tells.
    pub(super) id: Option<&'a str>,
}

/// Reads the log; `frame` gets each frame in file order (on the calling thread).
pub(super) fn read(
    pass: &CsvPass,
    name: &str,
    wanted: &Wanted,
    frame: impl FnMut(DataFrame) -> Result<()>,
) -> Result<PassReport> {
    read_blocks(pass, name, wanted, frame, BLOCK_BYTES)
}

/// [`read`] in blocks of about `block_bytes`.
fn read_blocks(
    pass: &CsvPass,
    name: &str,
    wanted: &Wanted,
    mut frame: impl FnMut(DataFrame) -> Result<()>,
    block_bytes: usize,
) -> Result<PassReport> {
    let io = |e: std::io::Error| Error::io(&pass.path, "cannot read the event log", e);
    let (header, body_start) = read_header(pass)?;
    let (kept, derived) = wanted_columns(&header, wanted, name)?;
    let layout = Layout {
        separator: pass.separator,
        width: header.len(),
        columns: &kept,
        id: wanted.id.and_then(|c| header.iter().position(|h| h == c)),
        derived,
    };
    let mut file = std::fs::File::open(&pass.path).map_err(io)?;
    let first_row = 2 + usize::from(pass.hxl);
    let stop = AtomicBool::new(false);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 4);
    std::thread::scope(|scope| {
        let (to_check, checked) = mpsc::channel::<Arc<Block>>();
        let (jobs, to_parse) = mpsc::channel::<Arc<Block>>();
        let (results, parsed) = mpsc::channel::<(Arc<Block>, Parsed)>();
        let stop = &stop;
        let layout = &layout;
        let checker = scope.spawn(move || {
            let mut hasher = pass.hash.then(Sha256::new);
            let mut utf8 = crate::input::utf8::Utf8Check::default();
            for block in checked {
                let new = &block.data[block.hash_from..];
                utf8.feed(new);
                if utf8.invalid.is_some() {
                    stop.store(true, Ordering::Relaxed);
                }
                if let Some(h) = &mut hasher {
                    h.update(new);
                }
            }
            (hasher.map(|h| format!("{:x}", h.finalize())), utf8.finish())
        });
        let to_parse = Arc::new(Mutex::new(to_parse));
        for _ in 0..workers {
            let (to_parse, results) = (Arc::clone(&to_parse), results.clone());
            scope.spawn(move || {
                let mut local = Local::new(layout);
                loop {
                    let next = to_parse.lock().map(|r| r.recv());
                    let Ok(Ok(block)) = next else { break };
                    let region = &block.data[block.parse_from..block.cut];
                    let p = parse(region, block.eof, layout, &mut local);
                    if results.send((Arc::clone(&block), p)).is_err() {
                        break;
                    }
                }
            });
        }
        drop((results, to_parse));
        let splitter =
            scope.spawn(move || split(&mut file, body_start, block_bytes, workers + 4, stop, &to_check, &jobs));
        let consumed = consume(parsed, layout, name, first_row, stop, &mut frame);
        if consumed.is_err() {
            stop.store(true, Ordering::Relaxed);
        }
        let split = splitter.join().map_err(|_| Error::Data {
            file: name.into(),
            kind: ErrorKind::Internal,
            message: "reading the event log stopped unexpectedly".into(),
        })?;
        let (sha256, not_utf8_at) = checker.join().unwrap_or_default();
        // Not UTF-8: the rows parsed are not used; the caller reads it again as
        // another encoding (or reports it, when it was named UTF-8).
        let repeated_ids = match not_utf8_at {
            None => {
                split.map_err(io)?;
                consumed?
            }
            Some(_) => false,
        };
        Ok(PassReport {
            sha256,
            not_utf8_at,
            repeated_ids,
        })
    })
}

/// Where the wanted columns and the inputs of each derived value are in `header`;
/// every column the header lacks is named in one error.
#[allow(clippy::type_complexity)]
fn wanted_columns<'w>(
    header: &[String],
    wanted: &'w Wanted,
    name: &str,
) -> Result<(Vec<(usize, String)>, Vec<(Vec<usize>, &'w Derived)>)> {
    let position = |c: &str| header.iter().position(|h| h == c);
    let mut missing = Vec::new();
    let mut find = |c: &String| match position(c) {
        Some(at) => Some(at),
        None => {
            missing.push(format!("`{c}`"));
            None
        }
    };
    let kept: Vec<(usize, String)> = wanted
        .columns
        .iter()
        .filter_map(|c| find(c).map(|at| (at, c.clone())))
        .collect();
    let derived: Vec<(Vec<usize>, &Derived)> = wanted
        .derived
        .iter()
        .map(|d| {
            debug_assert!(d.inputs.len() <= MAX_INPUTS, "more inputs than MAX_INPUTS");
            (d.inputs.iter().filter_map(&mut find).collect(), d)
        })
        .collect();
    if !missing.is_empty() {
        return Err(Error::Data {
            file: name.into(),
            kind: ErrorKind::MissingColumn,
            message: format!("the header names no column {}", missing.join(", ")),
        });
    }
    Ok((kept, derived))
}

/// The header's cell texts and the offset of the first byte after the header (and
/// after the HXL row under it, when `pass.hxl`). Rows end at a line feed, a carriage
/// return before it dropped (as polars reads). The head of the file is read, twice as
/// much each time, until the rows needed are whole.
fn read_header(pass: &CsvPass) -> Result<(Vec<String>, u64)> {
    use crate::input::scan::{Dialect, LineEnds};
    use crate::input::table::head_records;
    let io = |e: std::io::Error| Error::io(&pass.path, "cannot read the event log", e);
    let mut file = std::fs::File::open(&pass.path).map_err(io)?;
    file.seek(std::io::SeekFrom::Start(pass.bom as u64)).map_err(io)?;
    let dialect = Dialect {
        delimiter: pass.separator,
        line_ends: LineEnds::LineFeed,
    };
    let wanted = 1 + usize::from(pass.hxl);
    let mut head = Vec::new();
    let (records, end) = loop {
        let want = (2 * head.len()).max(1 << 16);
        let got = (&mut file)
            .take((want - head.len()) as u64)
            .read_to_end(&mut head)
            .map_err(io)?;
        let eof = head.len() < want || got == 0;
        let (records, end) = head_records(&head, eof, dialect, wanted);
        if records.len() == wanted || eof {
            break (records, end);
        }
    };
    let header = records
        .first()
        .map(|record| {
            let last = record.len().saturating_sub(1);
            record
                .iter()
                .enumerate()
                .map(|(i, cell)| {
                    let cell = if i == last { strip_cr(cell) } else { cell };
                    let cell = String::from_utf8_lossy(cell);
                    if pass.lowercase {
                        cell.to_lowercase()
                    } else {
                        cell.into_owned()
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    Ok((header, pass.bom as u64 + end as u64))
}

/// An error of the log `name` that the reader or polars reported.
fn read_error(name: &str, e: impl std::fmt::Display) -> Error {
    Error::Data {
        file: name.into(),
        kind: ErrorKind::Unreadable,
        message: format!("cannot read the event log: {e}"),
    }
}

/// The last cell of a line without the carriage return of a CRLF line end.
fn strip_cr(cell: &[u8]) -> &[u8] {
    cell.strip_suffix(b"\r").unwrap_or(cell)
}

/// Bytes of the file read at once, shared by the checking thread and a parsing one;
/// its buffer goes back to the pool when both are done with it.
struct Block {
    data: Vec<u8>,
    /// Bytes before this are the last block's unparsed end (hashed with it).
    hash_from: usize,
    /// Bytes to parse: `data[parse_from..cut]` (before `parse_from`: the header).
    parse_from: usize,
    cut: usize,
    /// The block ends the file.
    eof: bool,
    seq: usize,
    pool: mpsc::Sender<Vec<u8>>,
}

impl Drop for Block {
    fn drop(&mut self) {
        // The reading thread may be gone (it stopped early): the buffer is freed.
        let _ = self.pool.send(std::mem::take(&mut self.data));
    }
}

/// Reads the file into blocks of whole records (see the module docs), handed to the
/// checking thread and to the parsing ones: each `block_bytes` read and the unparsed end
/// of the last; at most `buffers` blocks are alive at once.
fn split(
    file: &mut std::fs::File,
    body_start: u64,
    block_bytes: usize,
    buffers: usize,
    stop: &AtomicBool,
    to_check: &mpsc::Sender<Arc<Block>>,
    to_parse: &mpsc::Sender<Arc<Block>>,
) -> std::io::Result<()> {
    let (pool, reuse) = mpsc::channel::<Vec<u8>>();
    let mut made = 0;
    let mut carry: Vec<u8> = Vec::new();
    let mut skip = body_start as usize;
    for seq in 0.. {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let mut data = match reuse.try_recv() {
            Ok(data) => data,
            Err(_) if made < buffers => {
                made += 1;
                Vec::with_capacity(block_bytes + block_bytes / 8)
            }
            Err(_) => match reuse.recv() {
                Ok(data) => data,
                Err(_) => break,
            },
        };
        data.clear();
        data.extend_from_slice(&carry);
        let hash_from = data.len();
        let mut eof = false;
        let mut cut = None;
        let mut parse_from = 0;
        let mut want = data.len() + block_bytes;
        while cut.is_none() && !eof {
            file.by_ref().take((want - data.len()) as u64).read_to_end(&mut data)?;
            eof = data.len() < want;
            if skip > 0 {
                parse_from = skip.min(data.len());
            }
            cut = if eof {
                Some(data.len())
            } else {
                block_end(&data[parse_from..]).map(|c| parse_from + c)
            };
            want = data.len() + block_bytes;
        }
        let cut = cut.unwrap_or(data.len());
        skip -= parse_from;
        carry.clear();
        carry.extend_from_slice(&data[cut..]);
        let block = Arc::new(Block {
            data,
            hash_from,
            parse_from,
            cut,
            eof,
            seq,
            pool: pool.clone(),
        });
        if to_check.send(Arc::clone(&block)).is_err() || to_parse.send(block).is_err() || eof {
            break;
        }
    }
    Ok(())
}

/// Where a block of `bytes` (from a record's start) ends: after the last line feed
/// with an even number of quotes before it, else after the last line feed (a quote
/// out of place, or a quoted cell longer than a block: the parse tells which);
/// `None` when there is no line feed.
fn block_end(bytes: &[u8]) -> Option<usize> {
    let last = memchr::memrchr(b'\n', bytes)?;
    let quotes = memchr::memchr_iter(b'"', bytes).count();
    let mut end = bytes.len();
    let mut after = 0;
    while let Some(at) = memchr::memrchr(b'\n', &bytes[..end]) {
        after += memchr::memchr_iter(b'"', &bytes[at + 1..end]).count();
        if (quotes - after).is_multiple_of(2) {
            return Some(at + 1);
        }
        end = at;
    }
    Some(last + 1)
}

/// A block parsed: its rows' kept cells, with rows numbered from 0 in the block.
struct Parsed {
    cells: Vec<StringChunkedBuilder>,
    /// The derived columns' values.
    values: Vec<Values>,
    rows: usize,
    /// Per row: the hash of its event id (when asked for).
    ids: Vec<u64>,
    /// The first row in error (numbered in the block) and what is wrong.
    error: Option<(usize, RowError)>,
    /// Where the record the block ended in starts, when it ended inside one (a quote
    /// out of place: the block's end was no record's end).
    open_from: Option<usize>,
}

enum RowError {
    /// A row with this many cells, more than the header.
    Wide(usize),
    /// A kept cell in this column is not UTF-8.
    NotUtf8(String),
}

/// What a parsing thread keeps from one block to the next: the record reader's buffers
/// and what each derived column remembers.
struct Local {
    reader: scan::Reader,
    memos: Vec<Memo>,
}

impl Local {
    fn new(layout: &Layout) -> Local {
        Local {
            reader: scan::Reader::default(),
            memos: layout.derived.iter().map(|_| Memo::default()).collect(),
        }
    }
}

/// Parses `bytes`, which start at a record's start; `eof`: they end the file.
fn parse(bytes: &[u8], eof: bool, layout: &Layout, local: &mut Local) -> Parsed {
    let capacity = bytes.len() / 256 + 1;
    let mut p = Parsed {
        cells: layout
            .columns
            .iter()
            .map(|(_, c)| StringChunkedBuilder::new(c.as_str().into(), capacity))
            .collect(),
        values: layout.derived.iter().map(|(_, d)| d.values(capacity)).collect(),
        rows: 0,
        ids: Vec::with_capacity(if layout.id.is_some() { capacity } else { 0 }),
        error: None,
        open_from: None,
    };
    let ids = foldhash::fast::FixedState::with_seed(0x5eed);
    // Checked once: then each cell is a slice of the text (a block that is not UTF-8
    // has its cells checked one by one, and the pass reports the file).
    let whole = simdutf8::basic::from_utf8(bytes).ok();
    let Local { reader, memos } = local;
    let dialect = Dialect {
        delimiter: layout.separator,
        line_ends: LineEnds::LineFeed,
    };
    let ended = reader.read(bytes, eof, dialect, |record| {
        if let Err(e) = p.push(record, whole, layout, &ids, memos) {
            p.error = Some((p.rows, e));
            return false;
        }
        true
    });
    if let scan::Ended::Read { open_from } = ended {
        p.open_from = open_from;
    }
    p
}

/// Cell `at` of a record; the last cell without the carriage return of a CRLF line end.
fn cell<'a>(record: &'a Record, at: usize) -> Option<&'a [u8]> {
    let cell = record.get(at)?;
    Some(if at + 1 == record.len() { strip_cr(cell) } else { cell })
}

/// [`cell`] as text (`whole`: see [`Record::get_str`]); `Err` when it is not UTF-8.
fn cell_text<'a>(record: &'a Record, at: usize, whole: Option<&'a str>) -> Option<std::result::Result<&'a str, ()>> {
    let text = record.get_str(at, whole)?.map_err(|_| ());
    Some(if at + 1 == record.len() {
        text.map(|t| t.strip_suffix('\r').unwrap_or(t))
    } else {
        text
    })
}

/// The most input columns of a derived column (ACLED's four actor columns).
const MAX_INPUTS: usize = 4;

impl Parsed {
    fn push(
        &mut self,
        record: &Record,
        whole: Option<&str>,
        layout: &Layout,
        ids: &impl BuildHasher,
        memos: &mut [Memo],
    ) -> std::result::Result<(), RowError> {
        if record.len() > layout.width {
            return Err(RowError::Wide(record.len()));
        }
        // A cell missing or empty is `None`.
        let text = |at: usize, name: &str| match cell_text(record, at, whole) {
            None | Some(Ok("")) => Ok(None),
            Some(Ok(text)) => Ok(Some(text)),
            Some(Err(())) => Err(RowError::NotUtf8(name.to_string())),
        };
        let mut cells = [None; MAX_INPUTS];
        for (((inputs, d), memo), values) in layout.derived.iter().zip(memos.iter_mut()).zip(&mut self.values) {
            for (i, (at, name)) in inputs.iter().zip(&d.inputs).enumerate() {
                cells[i] = text(*at, name)?;
            }
            d.push(&cells[..inputs.len()], memo, values);
        }
        for ((at, name), cells) in layout.columns.iter().zip(&mut self.cells) {
            match text(*at, name)? {
                None => cells.append_null(),
                Some(text) => cells.append_value(text),
            }
        }
        if let Some(at) = layout.id {
            self.ids.push(ids.hash_one(cell(record, at).unwrap_or_default()));
        }
        self.rows += 1;
        Ok(())
    }

    /// The frame, its rows numbered from `first`.
    fn finish(self, first: usize, layout: &Layout, name: &str) -> Result<DataFrame> {
        let rows: Vec<IdxSize> = (first..first + self.rows).map(|r| r as IdxSize).collect();
        let mut all = vec![Column::new(ROW.into(), rows)];
        all.extend(self.cells.into_iter().map(|b| b.finish().into_column()));
        all.extend(
            self.values
                .into_iter()
                .zip(layout.derived.iter())
                .map(|(v, (_, d))| v.into_column(&d.name)),
        );
        DataFrame::new_infer_height(all).map_err(|e| read_error(name, e))
    }
}

/// Takes the parsed blocks in file order: numbers their rows, reads again a record a
/// block ended inside (with the next block), and hands each frame to `frame`. Returns
/// whether two event ids had the same hash.
fn consume(
    parsed: mpsc::Receiver<(Arc<Block>, Parsed)>,
    layout: &Layout,
    name: &str,
    first_row: usize,
    stop: &AtomicBool,
    frame: &mut impl FnMut(DataFrame) -> Result<()>,
) -> Result<bool> {
    let mut waiting: BTreeMap<usize, (Arc<Block>, Parsed)> = BTreeMap::new();
    let mut next = 0;
    let mut rows = 0;
    let mut sent = false;
    // Blocks' rows gathered into a frame of about FRAME_ROWS (each frame is a query).
    let mut gathered: Option<DataFrame> = None;
    let mut ids: Vec<u64> = Vec::new();
    // The start of a record the last block ended inside, to read with this block.
    let mut open: Option<Vec<u8>> = None;
    let mut local = Local::new(layout);
    for (block, p) in parsed {
        waiting.insert(block.seq, (block, p));
        while let Some((block, p)) = waiting.remove(&next) {
            next += 1;
            if stop.load(Ordering::Relaxed) {
                return Ok(false);
            }
            let region = &block.data[block.parse_from..block.cut];
            let joined;
            let (p, read) = match open.take() {
                None => (p, region),
                Some(mut bytes) => {
                    bytes.extend_from_slice(region);
                    joined = bytes;
                    (parse(&joined, block.eof, layout, &mut local), &joined[..])
                }
            };
            open = p.open_from.map(|at| read[at..].to_vec());
            if let Some((at, error)) = &p.error {
                let row = first_row + rows + at;
                return Err(match error {
                    RowError::Wide(cells) => Error::Row {
                        file: name.into(),
                        row,
                        message: format!(
                            "{cells} cells, the header names {} columns (a delimiter or quote out of place?)",
                            layout.width
                        ),
                    },
                    RowError::NotUtf8(column) => Error::Cell {
                        file: name.into(),
                        row,
                        column: column.clone(),
                        message: "not UTF-8 text".into(),
                    },
                });
            }
            ids.extend_from_slice(&p.ids);
            let n = p.rows;
            if n > 0 {
                let df = p.finish(first_row + rows, layout, name)?;
                match &mut gathered {
                    None => gathered = Some(df),
                    Some(all) => {
                        all.vstack_mut_owned(df).map_err(|e| read_error(name, e))?;
                    }
                }
            }
            rows += n;
            if gathered.as_ref().is_some_and(|g| g.height() >= FRAME_ROWS) {
                frame(gathered.take().unwrap_or_default())?;
                sent = true;
            }
        }
    }
    if let Some(last) = gathered {
        frame(last)?;
    } else if !sent {
        // An empty frame for a log of no rows (the sums need one frame).
        frame(parse(&[], true, layout, &mut local).finish(first_row, layout, name)?)?;
    }
    ids.sort_unstable();
    Ok(ids.windows(2).any(|w| w[0] == w[1]))
}

#[cfg(test)]
mod blocks {
    use super::*;
    use proptest::prelude::*;

    /// Every frame's rows as (row number, cells), the error, and the repeated-id flag.
    type Read = (Vec<(u32, Vec<Option<String>>)>, Option<String>, bool);

    fn read_text(text: &str, block_bytes: usize) -> Read {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.csv");
        std::fs::write(&path, text).unwrap();
        let pass = CsvPass {
            path,
            separator: b',',
            bom: 0,
            hxl: false,
            hash: true,
            lowercase: false,
            fallback: false,
        };
        let columns = ["a".to_string(), "c".to_string()];
        let mut rows = Vec::new();
        let wanted = Wanted {
            columns: &columns,
            derived: &[],
            id: Some("a"),
        };
        let report = read_blocks(
            &pass,
            "log.csv",
            &wanted,
            |df| {
                let numbers = df.column(ROW).unwrap().idx().unwrap().clone();
                let cells: Vec<StringChunked> = columns
                    .iter()
                    .map(|c| df.column(c).unwrap().str().unwrap().clone())
                    .collect();
                for i in 0..df.height() {
                    let row = cells.iter().map(|c| c.get(i).map(String::from)).collect();
                    rows.push((numbers.get(i).unwrap(), row));
                }
                Ok(())
            },
            block_bytes,
        );
        match report {
            Ok(r) => {
                assert_eq!(r.sha256, Some(format!("{:x}", Sha256::digest(text.as_bytes()))));
                (rows, None, r.repeated_ids)
            }
            Err(e) => (Vec::new(), Some(e.to_string()), false),
        }
    }

    #[test]
    fn quoted_line_feeds_and_stray_quotes_read_as_one_pass_reads_them() {
        let text = "a,b,c\n1,\"x\ny\",2\n\n2,5\" tall,\"q\"\"\"\n3,\"open\n,\n4,b,c\r\n";
        let one = read_text(text, 1 << 20);
        assert_eq!(one.0.len(), 3, "{one:?}");
        assert_eq!(one.0[1], (3, vec![Some("2".into()), Some("q\"".into())]));
        for block in 1..text.len() {
            assert_eq!(read_text(text, block), one, "block {block}");
        }
        let wide = read_text("a,b,c\n1,2,3\n2,3,4,5\n", 4);
        assert_eq!(
            wide.1.as_deref(),
            Some("log.csv: row 3: 4 cells, the header names 3 columns (a delimiter or quote out of place?)")
        );
        assert!(read_text("a,b,c\n1,,\n2,,\n1,,\n", 3).2);
        assert!(!read_text("a,b,c\n1,,\n2,,\n3,,\n", 3).2);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn blocks_read_as_one_pass(
            cells in proptest::collection::vec("[a\"\n,\r ]{0,6}", 0..40),
            block in 1usize..40,
        ) {
            let mut text = "a,b,c\n".to_string();
            for (i, cell) in cells.iter().enumerate() {
                text.push_str(cell);
                text.push(if i % 3 == 2 { '\n' } else { ',' });
            }
            prop_assert_eq!(read_text(&text, block), read_text(&text, 1 << 20));
        }
    }
}

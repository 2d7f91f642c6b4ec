//! The CSV scanner every table reader uses (data files and event logs): records of a
//! CSV text, cut as csv-core cuts them (the reader the `csv` crate is built on),
//! without copying cells that need no unescaping. csv-core reads a byte at a time
//! through a state machine and copies every cell; here the cells' ends are found 64
//! bytes at a time ([`cuts`]), or, from a quote out of place on, with one `memchr`
//! search per cell, and most cells are slices of the text.
//!
//! The rules, those of csv-core's reader (`csv_core::Reader`, quoting on, quote `"`,
//! doubled quotes inside quoted cells, no escape or comment character), with the row
//! ends of [`LineEnds`] (a line feed; or a line feed or a carriage return, csv-core's
//! default):
//! - at a row's start, row ends are skipped (blank lines are no rows);
//! - a cell starting with `"` is quoted: it runs to the next `"` not doubled,
//!   delimiters and row ends inside it included, and `""` stands for `"`; after the
//!   closing quote, bytes up to the next delimiter or row end belong to the cell;
//! - any other cell runs to the next delimiter or row end (a quote in it is a quote);
//! - a row end ends the row (with [`LineEnds::LineFeed`], a carriage return is part
//!   of the last cell);
//! - at the end of the file, the row begun is a row (an open quote included).
//!
//! Unit tests check both ways against csv-core itself, with both kinds of row ends,
//! on random texts and on generated logs.
//!
//! A file's delimiter, unless named, is the most frequent of `,` `;` tab `|` in its
//! header line ([`sniff_delimiter`]).

/// Where a cell's bytes are: in the text, or in the record's scratch buffer (a cell
/// with doubled quotes, or with bytes after its closing quote).
#[derive(Debug, Clone, Copy)]
struct Cell {
    start: usize,
    end: usize,
    copied: bool,
}

/// The delimiters a CSV may use.
pub(crate) const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// The most frequent of `,` `;` tab `|` in the header line, outside quotes.
pub fn sniff_delimiter(bytes: &[u8]) -> u8 {
    let header = bytes.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let mut counts = DELIMITERS.map(|d| (d, 0usize));
    let mut quoted = false;
    for &b in header {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            if let Some(c) = counts.iter_mut().find(|(d, _)| *d == b) {
                c.1 += 1;
            }
        }
    }
    counts
        .iter()
        .max_by_key(|(_, n)| *n)
        .filter(|(_, n)| *n > 0)
        .map_or(b',', |(d, _)| *d)
}

/// A delimiter as a message names it: `,` or tab.
pub fn delimiter_name(d: u8) -> String {
    if d == b'\t' {
        "tab".to_string()
    } else {
        format!("`{}`", d as char)
    }
}

/// What ends a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineEnds {
    /// A line feed; a carriage return before it stays in the row's last cell
    /// (csv-core's `Terminator::Any(b'\n')`).
    LineFeed,
    /// A line feed or a carriage return (csv-core's default `Terminator::CRLF`): a
    /// `\r\n` ends the row, and a lone `\r` does too.
    Any,
}

/// How a text is cut: its delimiter and its row ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dialect {
    pub delimiter: u8,
    pub line_ends: LineEnds,
}

impl Dialect {
    /// Whether `b` ends a row.
    fn ends_row(self, b: u8) -> bool {
        b == b'\n' || (b == b'\r' && self.line_ends == LineEnds::Any)
    }

    /// Whether `b` ends a cell: the delimiter or a row end.
    fn ends_cell(self, b: u8) -> bool {
        b == self.delimiter || self.ends_row(b)
    }

    /// Where the first cell end in `text` is.
    fn find_end(self, text: &[u8]) -> Option<usize> {
        match self.line_ends {
            LineEnds::LineFeed => memchr::memchr2(self.delimiter, b'\n', text),
            LineEnds::Any => memchr::memchr3(self.delimiter, b'\n', b'\r', text),
        }
    }
}

/// One record: its cells, in order.
pub(crate) struct Record<'a> {
    text: &'a [u8],
    scratch: &'a [u8],
    cells: &'a [Cell],
    start: usize,
    end: usize,
}

impl Record<'_> {
    pub(crate) fn len(&self) -> usize {
        self.cells.len()
    }

    /// Where the record starts in the text (its first byte, after the row ends before it).
    pub(crate) fn start(&self) -> usize {
        self.start
    }

    /// Where the next record's reading starts: after this one's row end.
    pub(crate) fn end(&self) -> usize {
        self.end
    }

    /// Whether every cell is empty or spaces (a blank row).
    pub(crate) fn is_blank(&self) -> bool {
        (0..self.len()).all(|i| self.get(i).is_some_and(|c| c.iter().all(u8::is_ascii_whitespace)))
    }

    /// How many bytes its cells hold as read, plus one per cell (the length the `csv`
    /// crate's record has with its field ends, by which a runaway row is told).
    pub(crate) fn weight(&self) -> usize {
        self.cells.iter().map(|c| c.end - c.start + 1).sum()
    }

    /// Cell `at` as text: `whole` is the text read, when it is known to be UTF-8 (a
    /// cell not copied is then a slice of it: cells start and end at ASCII bytes).
    pub(crate) fn get_str<'s>(
        &'s self,
        at: usize,
        whole: Option<&'s str>,
    ) -> Option<Result<&'s str, std::str::Utf8Error>> {
        let c = self.cells.get(at)?;
        match whole.filter(|_| !c.copied).and_then(|w| w.get(c.start..c.end)) {
            Some(text) => Some(Ok(text)),
            None => self.get(at).map(std::str::from_utf8),
        }
    }

    /// Cell `at` as csv-core gives it.
    pub(crate) fn get(&self, at: usize) -> Option<&[u8]> {
        let c = self.cells.get(at)?;
        Some(if c.copied {
            &self.scratch[c.start..c.end]
        } else {
            &self.text[c.start..c.end]
        })
    }
}

/// The file line each record starts on, as the records of one text come in order: the
/// text's first line is `first`, and a record's line is that plus the line feeds before
/// its start (counted once, from the last record on).
pub(crate) struct Lines {
    line: usize,
    counted: usize,
}

impl Lines {
    pub(crate) fn from(first: usize) -> Lines {
        Lines {
            line: first,
            counted: 0,
        }
    }

    /// The line `record` of `text` starts on; records are asked for in text order.
    pub(crate) fn of(&mut self, text: &[u8], record: &Record) -> usize {
        self.line += memchr::memchr_iter(b'\n', &text[self.counted..record.start()]).count();
        self.counted = record.start();
        self.line
    }
}

/// How a text ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Ended {
    /// `record` asked to stop.
    Stopped,
    /// Every record was read; `open_from`: the text ended inside a record, which
    /// starts there (never at the end of the file).
    Read { open_from: Option<usize> },
}

/// Reads records, keeping its buffers from one text to the next.
#[derive(Default)]
pub(crate) struct Reader {
    /// Where the cells of the text's regular part end ([`cuts`]).
    cuts: Vec<u32>,
    cells: Vec<Cell>,
    scratch: Vec<u8>,
}

impl Reader {
    /// Reads the records of `text` (which starts at a record's start) as `dialect`
    /// cuts them, calling `record` on each until it returns false; `eof`: the text
    /// ends the file (its last record may lack a row end).
    pub(crate) fn read(
        &mut self,
        text: &[u8],
        eof: bool,
        dialect: Dialect,
        record: impl FnMut(&Record) -> bool,
    ) -> Ended {
        let indexed = u32::try_from(text.len()).is_ok();
        self.read_with(text, eof, dialect, indexed, record)
    }

    /// [`Reader::read`]: with `indexed`, the records of the text's regular part are cut
    /// at the positions [`cuts`] finds; the record that reaches past it (the last one,
    /// or the one with a quote out of place) and every record after it are read a cell
    /// at a time, each cell's end found by one `memchr` search, as csv-core reads them.
    /// Both give the same records on a regular text (a unit test checks it).
    fn read_with(
        &mut self,
        text: &[u8],
        eof: bool,
        dialect: Dialect,
        mut indexed: bool,
        mut record: impl FnMut(&Record) -> bool,
    ) -> Ended {
        let n = text.len();
        if indexed {
            cuts(text, dialect, &mut self.cuts);
        }
        let (cuts, cells, scratch) = (&self.cuts, &mut self.cells, &mut self.scratch);
        // The next cut not before `pos`, when `indexed`.
        let mut next = 0;
        let mut pos = 0;
        'records: loop {
            let begin = pos;
            while pos < n && dialect.ends_row(text[pos]) {
                pos += 1;
            }
            let start = pos;
            if pos == n {
                return Ended::Read { open_from: None };
            }
            while indexed && cuts.get(next).is_some_and(|&c| (c as usize) < pos) {
                next += 1;
            }
            cells.clear();
            scratch.clear();
            // Each cell: where it ends (a delimiter, a line feed, or the end of the text).
            loop {
                let end = if text.get(pos) == Some(&b'"') {
                    match quoted(text, pos + 1, eof, dialect, scratch) {
                        Some((cell, end)) => {
                            cells.push(cell);
                            end
                        }
                        None => return Ended::Read { open_from: Some(begin) },
                    }
                } else {
                    let end = if indexed {
                        cuts.get(next).map_or(n, |&c| c as usize)
                    } else {
                        dialect.find_end(&text[pos..]).map_or(n, |i| pos + i)
                    };
                    cells.push(Cell {
                        start: pos,
                        end,
                        copied: false,
                    });
                    end
                };
                if indexed {
                    while cuts.get(next).is_some_and(|&c| (c as usize) < end) {
                        next += 1;
                    }
                    // The record runs past the regular part (or to the end of the text):
                    // it and the rest are read a cell at a time.
                    if cuts.get(next).is_none_or(|&c| c as usize != end) {
                        indexed = false;
                        pos = begin;
                        continue 'records;
                    }
                    next += 1;
                } else if end == n {
                    if !eof {
                        return Ended::Read { open_from: Some(begin) };
                    }
                    pos = n;
                    break;
                }
                pos = end + 1;
                if dialect.ends_row(text[end]) {
                    break;
                }
            }
            let r = Record {
                text,
                scratch,
                cells,
                start,
                end: pos,
            };
            if !record(&r) {
                return Ended::Stopped;
            }
        }
    }
}

/// Finds where the cells of `text`'s regular part end, 64 bytes at a time, into `out`:
/// every delimiter and row end outside quotes, in order. A text is regular up to its
/// first quote out of place: one that opens quotes (an odd-numbered quote) other than
/// at a cell's start or right after a closing quote (a doubled quote). On a regular
/// text, the quotes' parity tells what is quoted exactly as csv-core's reader does
/// (simdjson's and simdcsv's method: Langdale and Lemire 2019, "Parsing gigabytes of
/// JSON per second"); past a quote out of place, csv-core takes quotes as literal text
/// and the parity no longer holds, so the cuts stop before it.
fn cuts(text: &[u8], dialect: Dialect, out: &mut Vec<u32>) {
    out.clear();
    // All ones when the chunk starts inside quotes.
    let mut inside = 0u64;
    // Bit 0: the byte before the chunk ended a cell or closed quotes (the text starts
    // a record).
    let mut after = 1u64;
    let mut padded = [0u8; 64];
    for (k, chunk) in text.chunks(64).enumerate() {
        let chunk: &[u8; 64] = match chunk.try_into() {
            Ok(whole) => whole,
            Err(_) => {
                padded[..chunk.len()].copy_from_slice(chunk);
                &padded
            }
        };
        let (quotes, mut ends) = masks(chunk, dialect);
        // Bits past the text's end (a zero delimiter would match the padding).
        let valid = if text.len() - 64 * k >= 64 {
            u64::MAX
        } else {
            (1 << (text.len() - 64 * k)) - 1
        };
        ends &= valid;
        let quoted = prefix_xor(quotes) ^ inside;
        inside = ((quoted as i64) >> 63) as u64;
        let opening = quotes & quoted;
        let closing = quotes & !quoted;
        ends &= !quoted;
        let starts = (ends | closing) << 1 | after;
        after = (ends | closing) >> 63;
        let misplaced = opening & !starts;
        if misplaced != 0 {
            ends &= (1 << misplaced.trailing_zeros()) - 1;
        }
        while ends != 0 {
            out.push((64 * k) as u32 + ends.trailing_zeros());
            ends &= ends - 1;
        }
        if misplaced != 0 {
            return;
        }
    }
}

/// `x` with each bit the parity of the bits up to it: bit i is set when an odd number of
/// `x`'s bits 0..=i are (a quote mask becomes the mask of the quoted bytes, opening
/// quotes in, closing quotes out).
fn prefix_xor(mut x: u64) -> u64 {
    for shift in [1, 2, 4, 8, 16, 32] {
        x ^= x << shift;
    }
    x
}

/// The masks of the quotes, and of the delimiters and row ends, in `chunk` (bit i:
/// byte i).
#[cfg(target_arch = "x86_64")]
fn masks(chunk: &[u8; 64], dialect: Dialect) -> (u64, u64) {
    use std::arch::x86_64::{__m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8};
    let (mut quotes, mut ends) = (0u64, 0u64);
    // A carriage return that ends no row is looked for as a line feed (found twice).
    let carriage_return = match dialect.line_ends {
        LineEnds::Any => b'\r',
        LineEnds::LineFeed => b'\n',
    };
    // SAFETY: SSE2 is part of x86_64; each load reads the 16 bytes of `part`.
    unsafe {
        let quote = _mm_set1_epi8(b'"' as i8);
        let (delimiter, line_feed) = (_mm_set1_epi8(dialect.delimiter as i8), _mm_set1_epi8(b'\n' as i8));
        let carriage_return = _mm_set1_epi8(carriage_return as i8);
        for (k, part) in chunk.chunks_exact(16).enumerate() {
            let v = _mm_loadu_si128(part.as_ptr().cast::<__m128i>());
            let q = _mm_movemask_epi8(_mm_cmpeq_epi8(v, quote)) as u16 as u64;
            let e = _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(v, delimiter), _mm_cmpeq_epi8(v, line_feed)),
                _mm_cmpeq_epi8(v, carriage_return),
            );
            quotes |= q << (16 * k);
            ends |= (_mm_movemask_epi8(e) as u16 as u64) << (16 * k);
        }
    }
    (quotes, ends)
}

/// The masks of the quotes, and of the delimiters and row ends, in `chunk` (bit i:
/// byte i).
#[cfg(not(target_arch = "x86_64"))]
fn masks(chunk: &[u8; 64], dialect: Dialect) -> (u64, u64) {
    scalar_masks(chunk, dialect)
}

/// [`masks`] a byte at a time.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn scalar_masks(chunk: &[u8; 64], dialect: Dialect) -> (u64, u64) {
    chunk.iter().enumerate().fold((0, 0), |(q, e), (i, &b)| {
        (q | u64::from(b == b'"') << i, e | u64::from(dialect.ends_cell(b)) << i)
    })
}

/// A quoted cell whose text starts at `from` (after its opening quote): the cell and
/// where it ends (the delimiter or row end after it, or the end of the text).
/// `None`: the text ends inside the quotes and may go on (at the end of the file, an
/// open quote runs to the end).
fn quoted(text: &[u8], from: usize, eof: bool, dialect: Dialect, scratch: &mut Vec<u8>) -> Option<(Cell, usize)> {
    let n = text.len();
    let start = scratch.len();
    let mut copied = false;
    // The cell's bytes not yet copied start here (after the last doubled quote).
    let mut segment = from;
    // Where the cell's text ends, and where the cell ends (after its closing quote).
    let (text_end, end) = loop {
        let Some(i) = memchr::memchr(b'"', &text[segment..]) else {
            if !eof {
                return None;
            }
            break (n, n);
        };
        let quote = segment + i;
        match text.get(quote + 1) {
            Some(b'"') => {
                // A doubled quote: one quote in the cell.
                scratch.extend_from_slice(&text[segment..=quote]);
                copied = true;
                segment = quote + 2;
            }
            Some(&c) if !dialect.ends_cell(c) => {
                // Bytes after the closing quote: part of the cell, up to the end.
                scratch.extend_from_slice(&text[segment..quote]);
                let end = dialect.find_end(&text[quote + 1..]).map_or(n, |i| quote + 1 + i);
                scratch.extend_from_slice(&text[quote + 1..end]);
                let cell = Cell {
                    start,
                    end: scratch.len(),
                    copied: true,
                };
                return Some((cell, end));
            }
            // The closing quote, then a delimiter, a row end or the end of the text.
            _ => break (quote, quote + 1),
        }
    };
    let cell = if copied {
        scratch.extend_from_slice(&text[segment..text_end]);
        Cell {
            start,
            end: scratch.len(),
            copied: true,
        }
    } else {
        Cell {
            start: from,
            end: text_end,
            copied: false,
        }
    };
    Some((cell, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_delimiters() {
        assert_eq!(sniff_delimiter(b"a;b;c\n1;2;3"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\n"), b'\t');
        assert_eq!(sniff_delimiter(b"\"a;b\",c,d\n"), b',');
        assert_eq!(sniff_delimiter(b"single\n"), b',');
    }

    use proptest::prelude::*;

    const LF: Dialect = Dialect {
        delimiter: b',',
        line_ends: LineEnds::LineFeed,
    };
    const ANY: Dialect = Dialect {
        delimiter: b',',
        line_ends: LineEnds::Any,
    };

    /// Records and how the text ended, by [`Reader::read`].
    fn ours(text: &[u8], eof: bool) -> (Vec<Vec<Vec<u8>>>, Option<usize>) {
        ours_as(text, eof, LF)
    }

    fn ours_as(text: &[u8], eof: bool, dialect: Dialect) -> (Vec<Vec<Vec<u8>>>, Option<usize>) {
        let mut rows = Vec::new();
        let ended = Reader::default().read(text, eof, dialect, |r| {
            rows.push((0..r.len()).map(|i| r.get(i).unwrap().to_vec()).collect());
            true
        });
        match ended {
            Ended::Read { open_from } => (rows, open_from),
            Ended::Stopped => unreachable!(),
        }
    }

    /// Records and how the text ended, by csv-core: the offset after the last record
    /// when bytes other than line feeds follow it.
    fn csv_core(text: &[u8], eof: bool) -> (Vec<Vec<Vec<u8>>>, Option<usize>) {
        csv_core_as(text, eof, LF)
    }

    fn csv_core_as(text: &[u8], eof: bool, dialect: Dialect) -> (Vec<Vec<Vec<u8>>>, Option<usize>) {
        let mut reader = csv_core::ReaderBuilder::new()
            .delimiter(dialect.delimiter)
            .terminator(match dialect.line_ends {
                LineEnds::LineFeed => csv_core::Terminator::Any(b'\n'),
                LineEnds::Any => csv_core::Terminator::CRLF,
            })
            .build();
        let (mut out, mut ends) = (vec![0u8; 8], vec![0usize; 2]);
        let (mut at, mut nout, mut nend, mut after_last) = (0, 0, 0, 0);
        let mut rows = Vec::new();
        loop {
            let (result, nin, o, e) = reader.read_record(&text[at..], &mut out[nout..], &mut ends[nend..]);
            (at, nout, nend) = (at + nin, nout + o, nend + e);
            match result {
                csv_core::ReadRecordResult::InputEmpty if at == text.len() && !eof => break,
                csv_core::ReadRecordResult::InputEmpty => {}
                csv_core::ReadRecordResult::OutputFull => out.resize(out.len() * 2, 0),
                csv_core::ReadRecordResult::OutputEndsFull => ends.resize(ends.len() * 2, 0),
                csv_core::ReadRecordResult::Record => {
                    let mut start = 0;
                    rows.push(
                        ends[..nend]
                            .iter()
                            .map(|&end| {
                                let cell = out[start..end].to_vec();
                                start = end;
                                cell
                            })
                            .collect(),
                    );
                    (nout, nend, after_last) = (0, 0, at);
                }
                csv_core::ReadRecordResult::End => break,
            }
        }
        let open = text[after_last..].iter().any(|&b| !dialect.ends_row(b));
        (rows, open.then_some(after_last))
    }

    #[test]
    fn cells_are_cut_as_csv_core_cuts_them() {
        let text = b"a,\"b,\n\"\"c\"\"\",d\n\n\"x\"y\"z,5\" tall\r\n,\n\"open";
        let (rows, open) = ours(text, false);
        assert_eq!(open, Some(34));
        assert_eq!(
            rows,
            vec![
                vec![b"a".to_vec(), b"b,\n\"c\"".to_vec(), b"d".to_vec()],
                vec![b"xy\"z".to_vec(), b"5\" tall\r".to_vec()],
                vec![b"".to_vec(), b"".to_vec()],
            ]
        );
        assert_eq!((rows, open), csv_core(text, false));
        let (rows, open) = ours(text, true);
        assert_eq!((open, rows.last().unwrap().clone()), (None, vec![b"open".to_vec()]));
    }

    #[test]
    fn prefix_xor_gives_the_parity_up_to_each_bit() {
        // Quotes at bytes 0 and 3: bytes 0-2 are quoted.
        assert_eq!(prefix_xor(0b1001), 0b0111);
        assert_eq!(prefix_xor(1 << 63), 1 << 63);
        assert_eq!(prefix_xor(1), u64::MAX);
        let mut x = 0x8421_0000_f0f0_1234_u64;
        for _ in 0..100 {
            let naive = (0..64).fold(0u64, |acc, i| {
                acc | u64::from((x & (u64::MAX >> (63 - i))).count_ones() % 2 == 1) << i
            });
            assert_eq!(prefix_xor(x), naive, "{x:#x}");
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        }
    }

    #[test]
    fn cuts_are_the_delimiters_and_line_feeds_outside_quotes_before_a_quote_out_of_place() {
        let mut out = Vec::new();
        // 0123456789012 3 4567890123
        // a,"b,""c""",d\n\n"x"y,5\n
        cuts(b"a,\"b,\"\"c\"\"\",d\n\n\"x\"y,5\n", LF, &mut out);
        assert_eq!(out, [1, 11, 13, 14, 19, 21]);
        // The quote after `b` is out of place: cuts stop before it.
        cuts(b"a,b\"c,d\ne", LF, &mut out);
        assert_eq!(out, [1]);
        // Across chunks: a quoted cell over the 64-byte boundary.
        let text = format!("{},\"{}\n,{}\",z\n", "a".repeat(60), "b".repeat(10), "c".repeat(70));
        cuts(text.as_bytes(), LF, &mut out);
        let n = text.len() as u32;
        assert_eq!(out, [60, n - 3, n - 1]);
    }

    proptest! {
        #[test]
        fn the_sse2_masks_are_the_byte_masks(chunk in proptest::collection::vec(
            proptest::sample::select(vec![b'a', b'"', b',', b'\n', b'\r', b';', 0, 0x80]), 64),
            delimiter in proptest::sample::select(vec![b',', b';', 0]),
            any_end in any::<bool>(),
        ) {
            let chunk: [u8; 64] = chunk.try_into().unwrap();
            let line_ends = if any_end { LineEnds::Any } else { LineEnds::LineFeed };
            let dialect = Dialect { delimiter, line_ends };
            prop_assert_eq!(masks(&chunk, dialect), scalar_masks(&chunk, dialect));
        }
    }

    /// A text of records most of whose cells are well quoted: plain cells, quoted cells
    /// with delimiters, line feeds and doubled quotes, blank lines, CRLF ends, and now
    /// and then a quote out of place.
    fn logs() -> impl Strategy<Value = String> {
        let cell = prop_oneof![
            4 => "[a \r]{0,12}",
            2 => "[a,\n ]{0,20}".prop_map(|t| format!("\"{t}\"")),
            1 => "[a,\n\"]{0,20}".prop_map(|t| format!("\"{}\"", t.replace('"', "\"\""))),
            1 => "[a\",\n\r]{0,6}",
        ];
        let record = proptest::collection::vec(cell, 1..8).prop_map(|cells| cells.join(","));
        let end = prop_oneof!["\n", "\r\n", "\n\n"];
        proptest::collection::vec((record, end), 0..12)
            .prop_map(|rows| rows.into_iter().map(|(r, e)| r + &e).collect::<String>())
    }

    /// Records and how the text ended, read a cell at a time from its start.
    fn cell_by_cell(text: &[u8], eof: bool, dialect: Dialect) -> (Vec<Vec<Vec<u8>>>, Option<usize>) {
        let mut rows = Vec::new();
        let ended = Reader::default().read_with(text, eof, dialect, false, |r| {
            rows.push((0..r.len()).map(|i| r.get(i).unwrap().to_vec()).collect());
            true
        });
        match ended {
            Ended::Read { open_from } => (rows, open_from),
            Ended::Stopped => unreachable!(),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        #[test]
        fn logs_read_as_csv_core_reads_them(text in logs(), cut in any::<proptest::sample::Index>(), eof in any::<bool>(), any_end in any::<bool>()) {
            let text = text.as_bytes();
            // Also cut anywhere, as a block may end.
            let text = if eof { text } else { &text[..cut.index(text.len() + 1)] };
            let dialect = if any_end { ANY } else { LF };
            let expected = csv_core_as(text, eof, dialect);
            prop_assert_eq!(&ours_as(text, eof, dialect), &expected);
            prop_assert_eq!(&cell_by_cell(text, eof, dialect), &expected);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn random_texts_read_as_csv_core_reads_them(text in "[a\",\n\r]{0,24}", eof in any::<bool>()) {
            prop_assert_eq!(ours(text.as_bytes(), eof), csv_core(text.as_bytes(), eof));
            prop_assert_eq!(ours_as(text.as_bytes(), eof, ANY), csv_core_as(text.as_bytes(), eof, ANY));
        }

        #[test]
        fn record_starts_and_weights_are_those_of_the_text(text in "[a\",\n\r]{0,24}") {
            let text = text.as_bytes();
            let mut seen = Vec::new();
            Reader::default().read(text, true, ANY, |r| {
                seen.push((r.start(), r.weight(), (0..r.len()).map(|i| r.get(i).unwrap().len() + 1).sum::<usize>()));
                true
            });
            let mut last = 0;
            for (start, weight, cells) in seen {
                // A record starts after row ends, not before the one before it.
                prop_assert!(start >= last && (start == 0 || ANY.ends_row(text[start - 1])));
                prop_assert!(start < text.len());
                // The cells' bytes as read (unescaped), and an end each.
                prop_assert_eq!(weight, cells);
                last = start + 1;
            }
        }
    }
}

//! Records of a CSV text, cut as csv-core cuts them (the reader the `csv` crate is
//! built on, with a line feed ending a row), without copying cells that need no
//! unescaping. csv-core reads a byte at a time through a state machine and copies
//! every cell; here a cell is found with one `memchr` search for its end, and most
//! cells are slices of the text.
//!
//! The rules, those of csv-core's reader (`csv_core::Reader`, quoting on, quote `"`,
//! doubled quotes inside quoted cells, no escape or comment character):
//! - at a row's start, line feeds are skipped (blank lines are no rows);
//! - a cell starting with `"` is quoted: it runs to the next `"` not doubled,
//!   delimiters and line feeds inside it included, and `""` stands for `"`; after the
//!   closing quote, bytes up to the next delimiter or line feed belong to the cell;
//! - any other cell runs to the next delimiter or line feed (a quote in it is a quote);
//! - a line feed ends the row; a carriage return is part of the last cell;
//! - at the end of the file, the row begun is a row (an open quote included).
//!
//! A unit test checks these against csv-core itself, on random texts.

/// Where a cell's bytes are: in the text, or in the record's scratch buffer (a cell
/// with doubled quotes, or with bytes after its closing quote).
#[derive(Debug, Clone, Copy)]
struct Cell {
    start: usize,
    end: usize,
    copied: bool,
}

/// One record: its cells, in order.
pub(super) struct Record<'a> {
    text: &'a [u8],
    scratch: &'a [u8],
    cells: &'a [Cell],
}

impl Record<'_> {
    pub(super) fn len(&self) -> usize {
        self.cells.len()
    }

    /// Cell `at` as text: `whole` is the text read, when it is known to be UTF-8 (a
    /// cell not copied is then a slice of it: cells start and end at ASCII bytes).
    pub(super) fn get_str<'s>(
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
    pub(super) fn get(&self, at: usize) -> Option<&[u8]> {
        let c = self.cells.get(at)?;
        Some(if c.copied {
            &self.scratch[c.start..c.end]
        } else {
            &self.text[c.start..c.end]
        })
    }
}

/// How a text ended.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Ended {
    /// `record` asked to stop.
    Stopped,
    /// Every record was read; `open_from`: the text ended inside a record, which
    /// starts there (never at the end of the file).
    Read { open_from: Option<usize> },
}

/// Reads the records of `text` (which starts at a record's start) with delimiter
/// `delimiter`, calling `record` on each until it returns false; `eof`: the text
/// ends the file (its last record may lack a line feed).
pub(super) fn read(text: &[u8], eof: bool, delimiter: u8, mut record: impl FnMut(&Record) -> bool) -> Ended {
    let n = text.len();
    let mut cells: Vec<Cell> = Vec::with_capacity(32);
    let mut scratch: Vec<u8> = Vec::new();
    let mut pos = 0;
    loop {
        let begin = pos;
        while pos < n && text[pos] == b'\n' {
            pos += 1;
        }
        if pos == n {
            return Ended::Read { open_from: None };
        }
        cells.clear();
        scratch.clear();
        // Each cell: where it ends (a delimiter, a line feed, or the end of the text).
        loop {
            let end = if text.get(pos) == Some(&b'"') {
                match quoted(text, pos + 1, eof, delimiter, &mut scratch) {
                    Some((cell, end)) => {
                        cells.push(cell);
                        end
                    }
                    None => return Ended::Read { open_from: Some(begin) },
                }
            } else {
                let end = memchr::memchr2(delimiter, b'\n', &text[pos..]).map_or(n, |i| pos + i);
                cells.push(Cell {
                    start: pos,
                    end,
                    copied: false,
                });
                end
            };
            if end == n {
                if !eof {
                    return Ended::Read { open_from: Some(begin) };
                }
                pos = n;
                break;
            }
            pos = end + 1;
            if text[end] == b'\n' {
                break;
            }
        }
        let r = Record {
            text,
            scratch: &scratch,
            cells: &cells,
        };
        if !record(&r) {
            return Ended::Stopped;
        }
    }
}

/// A quoted cell whose text starts at `from` (after its opening quote): the cell and
/// where it ends (the delimiter or line feed after it, or the end of the text).
/// `None`: the text ends inside the quotes and may go on (at the end of the file, an
/// open quote runs to the end).
fn quoted(text: &[u8], from: usize, eof: bool, delimiter: u8, scratch: &mut Vec<u8>) -> Option<(Cell, usize)> {
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
            Some(&c) if c != delimiter && c != b'\n' => {
                // Bytes after the closing quote: part of the cell, up to the end.
                scratch.extend_from_slice(&text[segment..quote]);
                let end = memchr::memchr2(delimiter, b'\n', &text[quote + 1..]).map_or(n, |i| quote + 1 + i);
                scratch.extend_from_slice(&text[quote + 1..end]);
                let cell = Cell {
                    start,
                    end: scratch.len(),
                    copied: true,
                };
                return Some((cell, end));
            }
            // The closing quote, then a delimiter, a line feed or the end of the text.
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
    use proptest::prelude::*;

    /// Records and how the text ended, by [`read`].
    fn ours(text: &[u8], eof: bool) -> (Vec<Vec<Vec<u8>>>, Option<usize>) {
        let mut rows = Vec::new();
        let ended = read(text, eof, b',', |r| {
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
        let mut reader = csv_core::ReaderBuilder::new()
            .delimiter(b',')
            .terminator(csv_core::Terminator::Any(b'\n'))
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
        let open = text[after_last..].iter().any(|&b| b != b'\n');
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

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn random_texts_read_as_csv_core_reads_them(text in "[a\",\n\r]{0,24}", eof in any::<bool>()) {
            prop_assert_eq!(ours(text.as_bytes(), eof), csv_core(text.as_bytes(), eof));
        }
    }
}

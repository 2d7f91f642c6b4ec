//! Small tables read whole, with the scanner of [`super::scan`]: the side files of a
//! framework (weight sets, neighbours, coordinates), other commands' outputs, COINr's
//! tables, lists of cells, and the head of an event log.

use super::scan::{sniff_delimiter, Dialect, LineEnds, Lines, Reader};

/// The first `n` records of `text`, each as its cells' bytes, and where the record
/// after the last one starts: for reading a header (and the row under it) from the head
/// of a file. `eof`: the text is the whole file. Fewer than `n` records when the text
/// ended first, or ended inside the `n`-th (then read a longer head).
pub(crate) fn head_records(text: &[u8], eof: bool, dialect: Dialect, n: usize) -> (Vec<Vec<Vec<u8>>>, usize) {
    let mut records = Vec::new();
    let mut end = 0;
    if n > 0 {
        Reader::default().read(text, eof, dialect, |record| {
            records.push(
                (0..record.len())
                    .map(|j| record.get(j).unwrap_or_default().to_vec())
                    .collect(),
            );
            end = record.end();
            records.len() < n
        });
    }
    (records, end)
}

/// A small table read whole: its header and its rows as text, each row with the line it
/// starts on (the header is line 1). For the side files of a framework, other
/// commands' outputs and tables given beside the data.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct TextTable {
    pub header: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
}

/// Reads `bytes` (named `file` in messages) as a table: a UTF-8 byte-order mark is
/// skipped, the delimiter is `delimiter` or sniffed from the header, rows end at `\n`
/// or `\r`, blank lines are skipped. Every row of another width than the header, and
/// every row with a cell that is not UTF-8, is refused naming its line (all at once:
/// the first [`crate::error::MAX_LISTED`], and how many more).
pub(crate) fn read_table(bytes: &[u8], file: &str, delimiter: Option<u8>) -> crate::error::Result<TextTable> {
    use crate::error::Error;
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let dialect = Dialect {
        delimiter: delimiter.unwrap_or_else(|| sniff_delimiter(text)),
        line_ends: LineEnds::Any,
    };
    let mut table: Option<TextTable> = None;
    // The first problems, and how many more (a hostile file may have millions).
    let (mut problems, mut more) = (Vec::new(), 0);
    let mut lines = Lines::from(1);
    Reader::default().read(text, true, dialect, |record| {
        let line = lines.of(text, record);
        let mut refuse = |message: String| {
            if problems.len() < crate::error::MAX_LISTED {
                problems.push(Error::Row {
                    file: file.to_string(),
                    row: line,
                    message,
                });
            } else {
                more += 1;
            }
        };
        let cells: std::result::Result<Vec<String>, usize> = (0..record.len())
            .map(|j| match record.get_str(j, None) {
                Some(Ok(cell)) => Ok(cell.to_string()),
                _ => Err(j),
            })
            .collect();
        let cells = match cells {
            Ok(cells) => cells,
            Err(j) => {
                refuse(format!("cannot read the row: field {} is not UTF-8 text", j + 1));
                if table.is_none() {
                    // The header, read as far as it goes: the rows are measured by it.
                    let header = (0..record.len())
                        .map(|j| String::from_utf8_lossy(record.get(j).unwrap_or_default()).into_owned())
                        .collect();
                    table = Some(TextTable {
                        header,
                        rows: Vec::new(),
                    });
                }
                return true;
            }
        };
        match &mut table {
            None => {
                table = Some(TextTable {
                    header: cells,
                    rows: Vec::new(),
                })
            }
            Some(t) if cells.len() != t.header.len() => refuse(format!(
                "cannot read the row: it has {} fields, the header {}",
                cells.len(),
                t.header.len()
            )),
            Some(t) => t.rows.push((line, cells)),
        }
        true
    });
    if more > 0 {
        problems.push(Error::More { count: more });
    }
    Error::in_row_order(problems, crate::error::MAX_LISTED)?;
    Ok(table.unwrap_or_default())
}

/// The records of `bytes` as text, of any width, each with the line it starts on: a
/// byte-order mark skipped, the delimiter sniffed; a cell that is not UTF-8 is read
/// with replacement characters (for lists of ids, where such a cell is reported as an
/// id that is not one).
pub(crate) fn read_records(bytes: &[u8]) -> Vec<(usize, Vec<String>)> {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let dialect = Dialect {
        delimiter: sniff_delimiter(text),
        line_ends: LineEnds::Any,
    };
    let mut records = Vec::new();
    let mut lines = Lines::from(1);
    Reader::default().read(text, true, dialect, |record| {
        let line = lines.of(text, record);
        let cells = (0..record.len())
            .map(|j| String::from_utf8_lossy(record.get(j).unwrap_or_default()).into_owned())
            .collect();
        records.push((line, cells));
        true
    });
    records
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_tables_are_read_whole_with_their_lines() {
        let t = read_table(b"\xEF\xBB\xBFset;id;w\r\n\r\na;\"x;y\";1\nb;z;2", "w.csv", None).unwrap();
        assert_eq!(t.header, ["set", "id", "w"]);
        assert_eq!(
            t.rows,
            [
                (3, vec!["a".to_string(), "x;y".into(), "1".into()]),
                (4, vec!["b".to_string(), "z".into(), "2".into()])
            ]
        );
        assert_eq!(read_table(b"", "e.csv", None).unwrap(), TextTable::default());
    }

    #[test]
    fn every_bad_row_of_a_small_table_is_named() {
        let e = read_table(b"a,b\n1\n2,\xff\n3,4,5\n6,7\n", "t.csv", Some(b',')).unwrap_err();
        let said: Vec<String> = e.problems().iter().map(|p| p.to_string()).collect();
        assert_eq!(
            said,
            [
                "t.csv: row 2: cannot read the row: it has 1 fields, the header 2",
                "t.csv: row 3: cannot read the row: field 2 is not UTF-8 text",
                "t.csv: row 4: cannot read the row: it has 3 fields, the header 2",
            ]
        );
        assert_eq!(e.kind(), crate::ErrorKind::Many);
        assert_eq!(e.problems()[0].kind(), crate::ErrorKind::BadRow);
    }

    #[test]
    fn a_header_that_is_not_utf8_still_measures_the_rows() {
        let e = read_table(b"a,\xff\n1,2\n3\n", "h.csv", Some(b',')).unwrap_err();
        let said: Vec<String> = e.problems().iter().map(|p| p.to_string()).collect();
        assert_eq!(
            said,
            [
                "h.csv: row 1: cannot read the row: field 2 is not UTF-8 text",
                "h.csv: row 3: cannot read the row: it has 1 fields, the header 2",
            ]
        );
        let many: Vec<u8> = std::iter::once(&b"a,b\n"[..])
            .chain(std::iter::repeat_n(&b"1\n"[..], 80))
            .flatten()
            .copied()
            .collect();
        let e = read_table(&many, "m.csv", Some(b',')).unwrap_err();
        // 50 kept (said once, as one mistake repeated), 30 counted.
        let said: Vec<String> = e.problems().iter().map(|p| p.to_string()).collect();
        assert_eq!(
            said,
            [
                "m.csv: 50 rows (2, 3, 4, 5, 6, ...); row 2: cannot read the row: it has 1 fields, the header 2",
                "... and 30 more problems",
            ]
        );
    }

    #[test]
    fn records_of_any_width_keep_their_lines() {
        let r = read_records(b"gid\n\n1,2\n\"3\n\"\n\xff\n");
        let lines: Vec<usize> = r.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [1, 3, 4, 6]);
        assert_eq!(r[1].1, ["1", "2"]);
        assert_eq!(r[2].1, ["3\n"]);
        assert_eq!(r[3].1, ["\u{fffd}"]);
    }

    #[test]
    fn a_head_gives_whole_records_only_unless_it_is_the_file() {
        let d = Dialect {
            delimiter: b',',
            line_ends: LineEnds::LineFeed,
        };
        let (records, end) = head_records(b"a,b\r\n#x,#y\n1,2", false, d, 2);
        assert_eq!(
            records,
            [
                vec![b"a".to_vec(), b"b\r".to_vec()],
                vec![b"#x".to_vec(), b"#y".to_vec()]
            ]
        );
        assert_eq!(end, 11, "after the second row's line feed");
        let (records, _) = head_records(b"a,\"b\nc", false, d, 1);
        assert!(records.is_empty(), "the header is not whole yet");
        let (records, end) = head_records(b"a,\"b\nc", true, d, 1);
        assert_eq!(records.len(), 1);
        assert_eq!(end, 6, "the end of the text");
    }
}

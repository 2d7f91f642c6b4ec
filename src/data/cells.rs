//! A CSV file's cells, read in one pass: the shape is checked (every row as many fields
//! as the header, no two columns of one name, no runaway row), blank rows are skipped,
//! and each cell goes straight into its column: the columns the caller reads as numbers
//! are parsed as they come, the others are kept as text (one string per column).
//!
//! A numeric column with a cell that is no number is read again as text after the
//! pass, so that [`super::read::Table::numeric_column`] can report every bad cell with
//! its row, and a column that was only thought numeric stays usable as text.

use crate::error::ErrorKind;
use crate::error::{visible, Error, Result, MAX_LISTED};
use crate::input::numbers::NumberFormat;
use crate::input::scan::{self, Dialect, LineEnds, Lines, Record};
use crate::input::scan::{delimiter_name, DELIMITERS};
use rayon::prelude::*;

/// A row longer than this is no row: most likely a quote that is never closed.
pub(super) const MAX_ROW_BYTES: usize = 1 << 20;

/// Columns with the same name, each pair an error.
pub(super) fn check_header(name: &str, names: &[String]) -> Vec<Error> {
    let mut problems = Vec::new();
    let mut first_of: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (j, n) in names.iter().enumerate() {
        if let Some(&first) = first_of.get(n.as_str()) {
            problems.push(Error::Data {
                file: name.into(),
                kind: ErrorKind::BadTable,
                message: format!(
                    "columns {} and {} are both named `{}`: rename one",
                    first + 1,
                    j + 1,
                    visible(n)
                ),
            });
        } else {
            first_of.insert(n, j);
        }
    }
    problems
}

/// Why a row has the wrong number of fields, as far as can be told.
pub(super) fn field_count(record: &[&[u8]], expected: usize, separator: u8) -> String {
    let found = record.len();
    let mut message = format!("expected {expected} fields (as the header has), found {found}");
    if record.iter().any(|f| f.contains(&b'\n')) {
        message.push_str(": a quote (\") opened in it closes only on a later line");
        return message;
    }
    let line: Vec<u8> = record.join(&separator);
    let other = DELIMITERS
        .into_iter()
        .find(|&d| d != separator && line.split(|&b| b == d).count() == expected);
    match other {
        Some(d) => message.push_str(&format!(
            " (the header is split by {}, this row by {}: use one delimiter)",
            delimiter_name(separator),
            delimiter_name(d)
        )),
        None => message.push_str(&format!(
            " (fields split by {0}; a text value with {0} in it must be quoted)",
            delimiter_name(separator)
        )),
    }
    message
}

/// One text column: its cells end to end, and where each ends. An empty cell is missing.
#[derive(Debug, Default)]
pub struct TextColumn {
    text: String,
    ends: Vec<usize>,
}

impl TextColumn {
    fn push(&mut self, cell: &str) {
        self.text.push_str(cell);
        self.ends.push(self.text.len());
    }

    /// Cell `i`; `None` when it is empty.
    pub fn get(&self, i: usize) -> Option<&str> {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        let cell = &self.text[start..self.ends[i]];
        (!cell.is_empty()).then_some(cell)
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = Option<&str>> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }
}

/// One column as read.
#[derive(Debug)]
pub enum CsvColumn {
    /// Parsed as the caller's number format; NaN for a missing cell.
    Numbers(Vec<f64>),
    Text(TextColumn),
}

/// A CSV file's header, columns and, per data row, its row number in the file as a
/// spreadsheet shows it (the header is row 1; blank rows are skipped, so numbers may
/// jump).
pub struct CsvCells {
    pub header: Vec<String>,
    pub columns: Vec<CsvColumn>,
    pub rows: Vec<usize>,
}

/// How a numeric cell is read: plain numbers straight away, anything else as
/// [`NumberFormat::parse`] reads it.
struct NumberReader<'a> {
    format: &'a NumberFormat,
    /// A cell that reads as a finite number is that number: no decimal comma, no
    /// thousands separator, no missing marker that is itself a finite number.
    plain: bool,
}

impl<'a> NumberReader<'a> {
    fn new(format: &'a NumberFormat) -> Self {
        let plain = !format.decimal_comma
            && format.thousands.is_none()
            && !format
                .missing
                .iter()
                .any(|m| fast_float2::parse::<f64, _>(m.trim()).is_ok_and(f64::is_finite));
        NumberReader { format, plain }
    }

    /// The cell's value (NaN when missing); `None` when it is no number.
    fn read(&self, cell: &[u8]) -> Option<f64> {
        if self.plain {
            if let Ok(v) = fast_float2::parse::<f64, _>(cell) {
                if v.is_finite() {
                    return Some(v);
                }
            }
        }
        self.format.parse(&field_text(cell))
    }
}

/// A field as text. The file was checked to be UTF-8 and the fields are split at ASCII
/// bytes, so this does not fail; should it, the bytes are read lossily.
fn field_text(field: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(field) {
        Ok(text) => text.into(),
        Err(_) => String::from_utf8_lossy(field),
    }
}

/// Bytes of the body per piece, at least: a piece ends at the first line end after
/// them (a few bytes in unit tests, so that small files span pieces).
const PIECE_BYTES: usize = if cfg!(test) { 16 } else { 1 << 20 };

/// Reads the CSV text `bytes` (UTF-8, without any preamble; `skipped_lines` lines sat
/// above it in the file). `numeric` names the columns parsed as numbers. Every problem
/// of shape is reported, in row order.
///
/// The rows under the header are read in pieces in parallel when no quote is among
/// them: every line end then ends a row, so each piece starts at a row's start and
/// its rows' numbers are its first line's number plus their own. With a quote, a
/// line end may sit inside a quoted value, and the rows are read in one piece.
pub fn read(
    name: &str,
    bytes: &[u8],
    separator: u8,
    skipped_lines: usize,
    numeric: &[&str],
    numbers: &NumberFormat,
) -> Result<CsvCells> {
    read_split(name, bytes, separator, skipped_lines, numeric, numbers, true)
}

/// [`read`]; `split` false reads the rows in one piece whatever the file holds.
fn read_split(
    name: &str,
    bytes: &[u8],
    separator: u8,
    skipped_lines: usize,
    numeric: &[&str],
    numbers: &NumberFormat,
    split: bool,
) -> Result<CsvCells> {
    let numbers = NumberReader::new(numbers);
    let dialect = Dialect {
        delimiter: separator,
        line_ends: LineEnds::Any,
    };
    let (header, start) = match first_row(name, bytes, dialect, skipped_lines) {
        Ok(Some((header, end))) => (header, end),
        Ok(None) => (Vec::new(), bytes.len()),
        Err(problem) => return Err(problem),
    };
    let mut problems = check_header(name, &header);
    let first_line = 1 + memchr::memchr_iter(b'\n', &bytes[..start]).count();
    let body = &bytes[start..];
    let pieces = if !split || body.contains(&b'"') {
        vec![(body, first_line)]
    } else {
        split_lines(body, first_line)
    };
    // Each numeric column is one vector; each piece writes its rows into its own
    // stretch of it (as long as the piece can have rows), and the stretches are
    // closed up after. Text columns are kept per piece and joined.
    let numeric_at: Vec<Option<usize>> = header
        .iter()
        .scan(0, |next, n| {
            Some(numeric.contains(&n.as_str()).then(|| {
                *next += 1;
                *next - 1
            }))
        })
        .collect();
    let bounds: Vec<usize> = pieces.iter().map(|(piece, _)| row_bound(piece)).collect();
    let total: usize = bounds.iter().sum();
    let mut numbers_read: Vec<Vec<f64>> = (0..numeric_at.iter().flatten().count())
        .map(|_| vec![f64::NAN; total])
        .collect();
    let slots = stretches(&mut numbers_read, &bounds);
    let read_piece = |((piece, line), slots): (&(&[u8], usize), Vec<&mut [f64]>)| {
        Piece::read(name, piece, dialect, line + skipped_lines, &numeric_at, &numbers, slots)
    };
    let read: Vec<Piece> = if pieces.len() > 1 {
        pieces.par_iter().zip(slots).map(read_piece).collect()
    } else {
        pieces.iter().zip(slots).map(read_piece).collect()
    };
    let (rows, texts, mut not_numbers) = close_up(read, numeric_at.len(), &bounds, &mut numbers_read, &mut problems);
    let mut numbers_read = numbers_read.into_iter();
    let mut columns: Vec<CsvColumn> = numeric_at
        .iter()
        .zip(texts)
        .map(|(at, text)| match at {
            Some(_) => {
                let mut values = numbers_read.next().unwrap_or_default();
                values.truncate(rows.len());
                CsvColumn::Numbers(values)
            }
            None => CsvColumn::Text(text),
        })
        .collect();
    if let [only] = &header[..] {
        problems.splice(0..0, one_column(name, only, bytes, separator, !rows.is_empty()));
    }
    Error::in_row_order(problems, MAX_LISTED)?;
    not_numbers.sort_unstable();
    for &j in &not_numbers {
        columns[j] = CsvColumn::Text(TextColumn::default());
    }
    if !not_numbers.is_empty() {
        scan::Reader::default().read(body, true, dialect, |record| {
            if !record.is_blank() {
                for &j in &not_numbers {
                    if let (CsvColumn::Text(text), Some(field)) = (&mut columns[j], record.get(j)) {
                        text.push(&field_text(field));
                    }
                }
            }
            true
        });
    }
    Ok(CsvCells { header, columns, rows })
}

/// Each numeric column cut into one stretch per piece (`bounds`: at most how many rows
/// each piece holds), for the pieces to write their numbers into on their threads.
fn stretches<'c>(columns: &'c mut [Vec<f64>], bounds: &[usize]) -> Vec<Vec<&'c mut [f64]>> {
    let mut slots: Vec<Vec<&mut [f64]>> = bounds.iter().map(|_| Vec::new()).collect();
    for column in columns.iter_mut() {
        let mut rest: &mut [f64] = column;
        for (k, &n) in bounds.iter().enumerate() {
            let (stretch, tail) = std::mem::take(&mut rest).split_at_mut(n);
            slots[k].push(stretch);
            rest = tail;
        }
    }
    slots
}

/// The pieces' rows one after another (`width` columns): their row numbers, text columns and the
/// columns that held a cell that is no number; each piece's numbers are moved up to
/// follow the rows before it. The pieces' problems go to `problems`; after a problem
/// only problems are kept, and a piece that stopped the reading ends it.
fn close_up(
    read: Vec<Piece>,
    width: usize,
    bounds: &[usize],
    numbers_read: &mut [Vec<f64>],
    problems: &mut Vec<Error>,
) -> (Vec<usize>, Vec<TextColumn>, Vec<usize>) {
    let mut rows = Vec::with_capacity(read.iter().map(|p| p.rows.len()).sum());
    let mut texts: Vec<TextColumn> = (0..width).map(|_| TextColumn::default()).collect();
    let mut not_numbers: Vec<usize> = Vec::new();
    for (k, piece) in read.into_iter().enumerate() {
        problems.extend(piece.problems);
        if piece.stopped {
            break;
        }
        if !problems.is_empty() {
            continue;
        }
        let from: usize = bounds[..k].iter().sum();
        if from != rows.len() {
            for column in numbers_read.iter_mut() {
                column.copy_within(from..from + piece.rows.len(), rows.len());
            }
        }
        rows.extend(piece.rows);
        for (text, part) in texts.iter_mut().zip(piece.texts) {
            text.append(part);
        }
        for j in piece.not_numbers {
            if !not_numbers.contains(&j) {
                not_numbers.push(j);
            }
        }
    }
    (rows, texts, not_numbers)
}

/// A header of one column, `only`, over rows that hold another delimiter: the fields
/// are probably split by that one (the problem, if so).
fn one_column(name: &str, only: &str, bytes: &[u8], separator: u8, has_rows: bool) -> Option<Error> {
    let other = DELIMITERS
        .into_iter()
        .find(|&d| d != separator && has_rows && bytes.contains(&d))?;
    Some(Error::Data {
        file: name.into(),
        kind: ErrorKind::BadTable,
        message: format!(
            "the header is one column, `{}`: are the fields split by {}? set option `delimiter`",
            visible(only),
            delimiter_name(other)
        ),
    })
}

/// `body` cut after line ends into pieces of about [`PIECE_BYTES`], each with the
/// number of its first line (`first_line` being the body's).
fn split_lines(body: &[u8], first_line: usize) -> Vec<(&[u8], usize)> {
    let mut pieces = Vec::new();
    let (mut start, mut line) = (0, first_line);
    while start < body.len() {
        let end = match memchr::memchr(b'\n', &body[(start + PIECE_BYTES).min(body.len())..]) {
            Some(at) => start + PIECE_BYTES + at + 1,
            None => body.len(),
        };
        pieces.push((&body[start..end], line));
        line += memchr::memchr_iter(b'\n', &body[start..end]).count();
        start = end;
    }
    pieces
}

/// The first row that is not blank, as text, and where the rows under it start; `None`
/// when every row is blank. Read from the start of `bytes` a block at a time, growing,
/// so that the rest of a large file is not scanned for it.
fn first_row(name: &str, bytes: &[u8], dialect: Dialect, skipped_lines: usize) -> Result<Option<(Vec<String>, usize)>> {
    let mut reader = scan::Reader::default();
    let mut block = 1 << 16;
    loop {
        let eof = block >= bytes.len();
        let text = &bytes[..block.min(bytes.len())];
        let mut found: Option<Result<(Vec<String>, usize)>> = None;
        reader.read(text, eof, dialect, |record| {
            let row = Lines::from(skipped_lines + 1).of(text, record);
            if let Some(problem) = runaway(name, bytes, record, row) {
                found = Some(Err(problem));
                return false;
            }
            if record.is_blank() {
                return true;
            }
            let cells = (0..record.len()).map(|j| field_text(record.get(j).unwrap_or_default()).into_owned());
            found = Some(Ok((cells.collect(), record.end())));
            false
        });
        match found {
            Some(row) => return row.map(Some),
            None if eof => return Ok(None),
            None => block *= 4,
        }
    }
}

/// A row too long to be one ([`MAX_ROW_BYTES`]), which stops the reading: row `row`
/// of the file, read from `bytes`.
fn runaway(name: &str, bytes: &[u8], record: &Record, row: usize) -> Option<Error> {
    let length = record.weight();
    (length > MAX_ROW_BYTES).then(|| Error::Row {
        file: name.into(),
        row,
        // The scanner drops the quote itself: look for one in the file.
        message: if bytes.contains(&b'"') {
            format!("the row is {length} bytes long: a quote (\") opened in it is probably never closed")
        } else {
            format!("the row is {length} bytes long, longer than any row of a data table: is this a CSV file?")
        },
    })
}

/// At most how many rows a piece holds: a row ends at `\n`, `\r\n` or a lone `\r`
/// (as the parser reads them), and the last may have no end.
fn row_bound(piece: &[u8]) -> usize {
    let newlines = memchr::memchr_iter(b'\n', piece).count();
    let lone_returns = memchr::memchr_iter(b'\r', piece)
        .filter(|&i| piece.get(i + 1) != Some(&b'\n'))
        .count();
    let unended = !piece.is_empty() && !piece.ends_with(b"\n") && !piece.ends_with(b"\r");
    newlines + lone_returns + usize::from(unended)
}

/// The rows of one piece of the body.
struct Piece {
    /// The text columns' cells (empty for the numeric columns).
    texts: Vec<TextColumn>,
    rows: Vec<usize>,
    problems: Vec<Error>,
    /// A runaway row (an unclosed quote) ended the reading.
    stopped: bool,
    not_numbers: Vec<usize>,
}

impl Piece {
    /// Reads the piece's rows (its first line is line `first_line` of the file); the
    /// numbers of numeric column `j` go to `numbers[numeric_at[j]]`, one per row, from
    /// its start.
    fn read(
        name: &str,
        bytes: &[u8],
        dialect: Dialect,
        first_line: usize,
        numeric_at: &[Option<usize>],
        reader_of_numbers: &NumberReader,
        mut numbers: Vec<&mut [f64]>,
    ) -> Piece {
        let width = numeric_at.len();
        let mut piece = Piece {
            texts: numeric_at.iter().map(|_| TextColumn::default()).collect(),
            rows: Vec::new(),
            problems: Vec::new(),
            stopped: false,
            not_numbers: Vec::new(),
        };
        let mut lines = Lines::from(first_line);
        scan::Reader::default().read(bytes, true, dialect, |record| {
            let row = lines.of(bytes, record);
            if let Some(problem) = runaway(name, bytes, record, row) {
                piece.problems.push(problem);
                piece.stopped = true;
                return false;
            }
            if record.is_blank() {
                return true;
            }
            if record.len() != width {
                let cells: Vec<&[u8]> = (0..record.len()).filter_map(|j| record.get(j)).collect();
                piece.problems.push(Error::Row {
                    file: name.into(),
                    row,
                    message: field_count(&cells, width, dialect.delimiter),
                });
                return true;
            }
            if !piece.problems.is_empty() {
                // The file is refused: only its shape is checked from here on.
                return true;
            }
            let i = piece.rows.len();
            piece.rows.push(row);
            for (j, at) in numeric_at.iter().enumerate() {
                let field = record.get(j).unwrap_or_default();
                let Some(at) = *at else {
                    piece.texts[j].push(&field_text(field));
                    continue;
                };
                numbers[at][i] = match reader_of_numbers.read(field) {
                    Some(v) => v,
                    None => {
                        if !piece.not_numbers.contains(&j) {
                            piece.not_numbers.push(j);
                        }
                        f64::NAN
                    }
                };
            }
            true
        });
        piece
    }
}

impl TextColumn {
    /// The cells of the next piece, after these.
    fn append(&mut self, next: TextColumn) {
        let offset = self.text.len();
        self.text.push_str(&next.text);
        self.ends.extend(next.ends.iter().map(|e| e + offset));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(text: &str, numeric: &[&str]) -> Result<CsvCells> {
        read("d.csv", text.as_bytes(), b',', 0, numeric, &NumberFormat::default())
    }

    #[test]
    fn columns_are_numbers_or_text_and_blank_rows_keep_the_file_row_numbers() {
        let c = cells(
            "unit,year,a,b\nX,2020,1.5,\n\n, ,\nY,2021,NA,\"q,\"\"r\"\"\"\r\n",
            &["a"],
        )
        .unwrap();
        assert_eq!(c.header, ["unit", "year", "a", "b"]);
        assert_eq!(c.rows, [2, 5]);
        let CsvColumn::Numbers(a) = &c.columns[2] else {
            panic!("a is numeric")
        };
        assert_eq!(a[0], 1.5);
        assert!(a[1].is_nan());
        let CsvColumn::Text(b) = &c.columns[3] else {
            panic!("b is text")
        };
        assert_eq!(b.iter().collect::<Vec<_>>(), [None, Some("q,\"r\"")]);
        let CsvColumn::Text(unit) = &c.columns[0] else {
            panic!("unit is text")
        };
        assert_eq!(unit.iter().collect::<Vec<_>>(), [Some("X"), Some("Y")]);
    }

    #[test]
    fn a_header_alone_has_its_columns_and_no_rows() {
        for text in ["unit,a\n", "unit,a", "\n\nunit,a\r\n\r\n"] {
            let c = cells(text, &["a"]).unwrap();
            assert_eq!((c.header.len(), c.columns.len(), c.rows.len()), (2, 2, 0), "{text:?}");
        }
    }

    #[test]
    fn a_numeric_column_with_text_in_it_is_read_as_text() {
        let c = cells("unit,a\nX,1\nY,n.d.\n\nZ,3\n", &["a"]).unwrap();
        let CsvColumn::Text(a) = &c.columns[1] else {
            panic!("a falls back to text")
        };
        assert_eq!(a.iter().collect::<Vec<_>>(), [Some("1"), Some("n.d."), Some("3")]);
    }

    #[test]
    fn plain_numbers_read_as_the_number_format_reads_them() {
        let plain = NumberFormat::default();
        let reader = NumberReader::new(&plain);
        assert!(reader.plain);
        for cell in [
            "1.5", "-0", "1e-3", " 2 ", "+4", ".5", "1,5", "inf", "NaN", "NA", "", "1_0", "0x10",
        ] {
            let (ours, theirs) = (reader.read(cell.as_bytes()), plain.parse(cell));
            assert_eq!(ours.map(f64::to_bits), theirs.map(f64::to_bits), "{cell:?}");
        }
        // A missing marker that is a number turns the shortcut off.
        let own = NumberFormat {
            missing: vec!["-999".into()],
            ..NumberFormat::default()
        };
        let reader = NumberReader::new(&own);
        assert!(!reader.plain);
        assert!(reader.read(b"-999").unwrap().is_nan());
        let comma = NumberFormat {
            decimal_comma: true,
            ..NumberFormat::default()
        };
        assert!(!NumberReader::new(&comma).plain);
    }

    /// The cells as text, to compare two reads.
    fn shown(c: &CsvCells) -> Vec<Vec<String>> {
        c.columns
            .iter()
            .map(|column| match column {
                CsvColumn::Numbers(values) => values.iter().map(|v| format!("{:?}", v.to_bits())).collect(),
                CsvColumn::Text(text) => text.iter().map(|t| format!("{t:?}")).collect(),
            })
            .collect()
    }

    /// The header, row numbers and cells the `csv` crate reads (csv-core's default row
    /// ends), blank rows left out, as the reader before the scanner read them: a row's
    /// number is the line of its first byte (the parser leaves the `\n` of a `\r\n`
    /// to the next read, so those at its position are counted in).
    #[allow(clippy::type_complexity)]
    fn by_the_csv_crate(text: &str) -> (Vec<String>, Vec<usize>, Vec<Vec<String>>) {
        let mut reader = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut record = ::csv::ByteRecord::new();
        let (mut header, mut rows, mut cells) = (None, Vec::new(), Vec::new());
        while reader.read_byte_record(&mut record).unwrap() {
            if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                continue;
            }
            let fields: Vec<String> = record.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect();
            if header.is_none() {
                header = Some(fields);
                continue;
            }
            let position = record.position().unwrap();
            let start = position.byte() as usize;
            let ends = text.as_bytes()[start..]
                .iter()
                .take_while(|&&b| b == b'\r' || b == b'\n');
            rows.push(position.line() as usize + ends.filter(|&&b| b == b'\n').count());
            cells.push(fields);
        }
        (header.unwrap_or_default(), rows, cells)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1000))]
        /// The scanner reads a file as the `csv` crate does: the same header, rows, row
        /// numbers and cells, whatever the quotes and line ends, in pieces or in one.
        #[test]
        fn files_read_as_the_csv_crate_reads_them(
            rows in proptest::collection::vec(
                proptest::collection::vec("[a1 ]{0,3}|\"[a,\r\n\"]{0,5}\"|[a\"]{1,3}", 2..=2),
                0..12,
            ),
            ends in proptest::collection::vec(proptest::sample::select(vec!["\n", "\r\n", "\r", "\n\n", "\r\n\r\n"]), 12),
        ) {
            let mut text = String::from("u,v\n");
            for (row, end) in rows.iter().zip(&ends) {
                text.push_str(&row.join(","));
                text.push_str(end);
            }
            let (header, numbers, fields) = by_the_csv_crate(&text);
            for split in [true, false] {
                let read = read_split("d.csv", text.as_bytes(), b',', 0, &[], &NumberFormat::default(), split);
                let Ok(read) = read else {
                    // Refused only for a row of another length than the header.
                    proptest::prop_assert!(fields.iter().any(|f| f.len() != header.len()), "{:?}", read.err());
                    continue;
                };
                proptest::prop_assert!(fields.iter().all(|f| f.len() == header.len()));
                proptest::prop_assert_eq!(&read.header, &header);
                proptest::prop_assert_eq!(&read.rows, &numbers);
                let ours: Vec<Vec<String>> = (0..read.rows.len())
                    .map(|i| read.columns.iter().map(|c| match c {
                        CsvColumn::Text(t) => t.get(i).unwrap_or_default().to_string(),
                        CsvColumn::Numbers(_) => unreachable!(),
                    }).collect())
                    .collect();
                proptest::prop_assert_eq!(ours, fields.clone());
            }
        }
    }

    proptest::proptest! {
        /// Read in pieces (of 16 bytes in tests), a file gives what one piece gives:
        /// cells, row numbers, and every problem with its row.
        #[test]
        fn pieces_read_as_one(
            rows in proptest::collection::vec(
                (proptest::sample::select(vec!["A", "B", "", " "]), -1e6f64..1e6, proptest::sample::select(vec!["", "NA", "x", "1e3"]), 0..6usize),
                0..40,
            ),
            crlf in proptest::bool::ANY,
        ) {
            let end = if crlf { "\r\n" } else { "\n" };
            let mut text = format!("unit,a,b{end}");
            for (unit, a, b, shape) in &rows {
                match shape {
                    0 => text.push_str(end),
                    1 => text.push_str(&format!("{unit},{a}{end}")),
                    _ => text.push_str(&format!("{unit},{a},{b}{end}")),
                }
            }
            let plain = NumberFormat::default();
            for numeric in [&["a"][..], &["a", "b"][..]] {
                let split = read_split("d.csv", text.as_bytes(), b',', 3, numeric, &plain, true);
                let one = read_split("d.csv", text.as_bytes(), b',', 3, numeric, &plain, false);
                match (split, one) {
                    (Ok(split), Ok(one)) => {
                        proptest::prop_assert_eq!(&split.rows, &one.rows);
                        proptest::prop_assert_eq!(shown(&split), shown(&one));
                    }
                    (Err(split), Err(one)) => proptest::prop_assert_eq!(split.to_string(), one.to_string()),
                    (split, one) => proptest::prop_assert!(false, "{:?} vs {:?}", split.err(), one.err()),
                }
            }
        }

        /// The shortcut for plain numbers reads every cell as the number format does.
        #[test]
        fn plain_cells_read_as_the_number_format_reads_them(cell in "[0-9eE.,+\\- naifNA]{0,8}") {
            let plain = NumberFormat::default();
            let reader = NumberReader::new(&plain);
            proptest::prop_assert_eq!(reader.read(cell.as_bytes()).map(f64::to_bits), plain.parse(&cell).map(f64::to_bits));
        }
    }

    #[test]
    fn every_row_of_the_wrong_length_is_reported() {
        let err = cells("unit,a\nX,1\nY,2,3\nZ\n", &["a"]).err().unwrap();
        let problems = err.problems();
        assert_eq!(problems.len(), 2);
        assert!(problems[0].to_string().starts_with("d.csv: row 3: expected 2 fields"));
        assert!(problems[1].to_string().starts_with("d.csv: row 4: expected 2 fields"));
        // With Windows line ends, the same rows (the parser alone names the line above).
        let err = cells("unit,a\r\nX,1\r\nY,2,3\r\n\r\nZ\r\n", &["a"]).err().unwrap();
        let rows: Vec<String> = err.problems().iter().map(|p| p.to_string()[..12].to_string()).collect();
        assert_eq!(rows, ["d.csv: row 3", "d.csv: row 5"]);
        let ok = cells("unit,a\r\n\r\nX,1\r\nY,2\r\n", &["a"]).unwrap();
        assert_eq!(ok.rows, [3, 4]);
    }
}

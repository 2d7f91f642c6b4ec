//! A CSV file's cells, read in one pass: the shape is checked (every row as many fields
//! as the header, no two columns of one name, no runaway row), blank rows are skipped,
//! and each cell goes straight into its column: the columns the caller reads as numbers
//! are parsed as they come, the others are kept as text (one string per column).
//!
//! A numeric column with a cell that is no number is read again as text after the
//! pass, so that [`super::read::Table::numeric_column`] can report every bad cell with
//! its row, and a column that was only thought numeric stays usable as text.

use super::read::{check_header, field_count, is_blank, NumberFormat, DELIMITERS, MAX_LISTED, MAX_ROW_BYTES};
use crate::error::{visible, Error, Result};
use rayon::prelude::*;

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

fn csv_reader(bytes: &[u8], separator: u8) -> ::csv::Reader<&[u8]> {
    ::csv::ReaderBuilder::new()
        .delimiter(separator)
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
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
    let mut reader = csv_reader(bytes, separator);
    let mut record = ::csv::ByteRecord::new();
    // The header: the first row that is not blank.
    let header: Vec<String> = loop {
        match read_row(name, bytes, &mut reader, &mut record, skipped_lines) {
            Row::Record(_) if is_blank(&record) => continue,
            Row::Record(_) => break record.iter().map(|f| field_text(f).into_owned()).collect(),
            Row::End => break Vec::new(),
            Row::Stop(problem) => return Err(problem),
        }
    };
    let mut problems = check_header(name, &header);
    let start = reader.position().byte() as usize;
    let first_line = reader.position().line() as usize;
    let body = &bytes[start.min(bytes.len())..];
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
    let mut slots: Vec<Vec<&mut [f64]>> = pieces.iter().map(|_| Vec::new()).collect();
    for column in numbers_read.iter_mut() {
        let mut rest: &mut [f64] = column;
        for (k, &n) in bounds.iter().enumerate() {
            let (stretch, tail) = std::mem::take(&mut rest).split_at_mut(n);
            slots[k].push(stretch);
            rest = tail;
        }
    }
    let read_piece = |((piece, line), slots): (&(&[u8], usize), Vec<&mut [f64]>)| {
        Piece::read(
            name,
            piece,
            separator,
            line - 1 + skipped_lines,
            &numeric_at,
            &numbers,
            slots,
        )
    };
    let read: Vec<Piece> = if pieces.len() > 1 {
        pieces.par_iter().zip(slots).map(read_piece).collect()
    } else {
        pieces.iter().zip(slots).map(read_piece).collect()
    };
    let mut rows = Vec::with_capacity(read.iter().map(|p| p.rows.len()).sum());
    let mut texts: Vec<TextColumn> = numeric_at.iter().map(|_| TextColumn::default()).collect();
    let mut not_numbers: Vec<usize> = Vec::new();
    for (k, piece) in read.into_iter().enumerate() {
        problems.extend(piece.problems);
        if piece.stopped {
            break;
        }
        if !problems.is_empty() {
            continue;
        }
        // Close up the stretch: the piece's rows follow the rows before it.
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
        if let Some(other) = DELIMITERS
            .into_iter()
            .find(|&d| d != separator && !rows.is_empty() && bytes.contains(&d))
        {
            problems.insert(
                0,
                Error::Data {
                    file: name.into(),
                    message: format!(
                        "the header is one column, `{}`: are the fields split by {}? set option `delimiter`",
                        visible(only),
                        delimiter_name(other)
                    ),
                },
            );
        }
    }
    Error::in_row_order(problems, MAX_LISTED)?;
    not_numbers.sort_unstable();
    for &j in &not_numbers {
        columns[j] = CsvColumn::Text(TextColumn::default());
    }
    if !not_numbers.is_empty() {
        let mut reader = csv_reader(body, separator);
        while reader.read_byte_record(&mut record).unwrap_or(false) {
            if is_blank(&record) {
                continue;
            }
            for &j in &not_numbers {
                if let (CsvColumn::Text(text), Some(field)) = (&mut columns[j], record.get(j)) {
                    text.push(&field_text(field));
                }
            }
        }
    }
    Ok(CsvCells { header, columns, rows })
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

/// The line a record starts on. The parser ends a row at `\r` and leaves the `\n` of
/// a `\r\n` to the next read, so the position it gives may sit before that `\n` (and
/// name the line above): the line ends at the position are counted in.
fn record_line(bytes: &[u8], position: &::csv::Position) -> usize {
    let start = (position.byte() as usize).min(bytes.len());
    let ends = bytes[start..].iter().take_while(|&&b| b == b'\r' || b == b'\n');
    position.line() as usize + ends.filter(|&&b| b == b'\n').count()
}

/// What reading one row gave.
enum Row {
    /// A row, in the record (blank or not).
    Record(usize),
    End,
    /// A row that ends the reading: an error from the parser, or a runaway row.
    Stop(Error),
}

/// Reads the next row; its number is its line in `bytes` plus `line_offset`.
fn read_row(
    name: &str,
    bytes: &[u8],
    reader: &mut ::csv::Reader<&[u8]>,
    record: &mut ::csv::ByteRecord,
    line_offset: usize,
) -> Row {
    match reader.read_byte_record(record) {
        Ok(false) => Row::End,
        Ok(true) => {
            let row = record.position().map_or(0, |p| record_line(bytes, p)) + line_offset;
            let length = record.as_slice().len() + record.len();
            if length <= MAX_ROW_BYTES {
                return Row::Record(row);
            }
            Row::Stop(Error::Row {
                file: name.into(),
                row,
                // The parser drops the quote itself: look for one in the file.
                message: if bytes.contains(&b'"') {
                    format!("the row is {length} bytes long: a quote (\") opened in it is probably never closed")
                } else {
                    format!("the row is {length} bytes long, longer than any row of a data table: is this a CSV file?")
                },
            })
        }
        Err(e) => Row::Stop(Error::Row {
            file: name.into(),
            row: e.position().map_or(0, |p| p.line() as usize + line_offset),
            message: format!("cannot read the row: {}", visible(&e.to_string())),
        }),
    }
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
    /// A row ended the reading (see [`Row::Stop`]).
    stopped: bool,
    not_numbers: Vec<usize>,
}

impl Piece {
    /// Reads the piece's rows; the numbers of numeric column `j` go to
    /// `numbers[numeric_at[j]]`, one per row, from its start.
    fn read(
        name: &str,
        bytes: &[u8],
        separator: u8,
        line_offset: usize,
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
        let mut reader = csv_reader(bytes, separator);
        let mut record = ::csv::ByteRecord::new();
        loop {
            let row = match read_row(name, bytes, &mut reader, &mut record, line_offset) {
                Row::Record(row) => row,
                Row::End => break,
                Row::Stop(problem) => {
                    piece.problems.push(problem);
                    piece.stopped = true;
                    break;
                }
            };
            if is_blank(&record) {
                continue;
            }
            if record.len() != width {
                piece.problems.push(Error::Row {
                    file: name.into(),
                    row,
                    message: field_count(&record, width, separator),
                });
                continue;
            }
            if !piece.problems.is_empty() {
                // The file is refused: only its shape is checked from here on.
                continue;
            }
            let i = piece.rows.len();
            piece.rows.push(row);
            for (j, (field, at)) in record.iter().zip(numeric_at).enumerate() {
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
        }
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

/// A delimiter as a message names it: `,` or tab.
pub fn delimiter_name(d: u8) -> String {
    if d == b'\t' {
        "tab".to_string()
    } else {
        format!("`{}`", d as char)
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

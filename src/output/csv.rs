//! Spreadsheet-safe CSV.
//!
//! - Header row, RFC 4180 quoting (the `csv` crate quotes fields with delimiters,
//!   quotes or line breaks).
//! - Numbers never in exponent notation; missing = empty cell. Scores and values are
//!   written exactly: the shortest decimal that reads back as the same double (so
//!   2.6e-05 is `0.000026` and 68.37777777777777 keeps every digit); summaries use
//!   fixed decimals.
//! - Text cells that start with `=`, `+`, `-`, `@`, tab or carriage return get a
//!   leading `'` so a spreadsheet shows them as text instead of running a formula
//!   (OWASP "CSV injection"). Numbers are never prefixed: `-0.5` stays a number.
//! - Excel style (`--excel`): UTF-8 BOM, `;` delimiter and decimal comma.

use std::io::Write;

use super::table::{Cell, Rows};

/// CSV flavour.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Style {
    /// UTF-8 BOM, `;` delimiter, decimal comma.
    pub excel: bool,
}

/// Prefixes text a spreadsheet would read as a formula.
pub fn escape_formula(text: &str) -> String {
    if reads_as_formula(text) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

fn reads_as_formula(text: &str) -> bool {
    matches!(text.chars().next(), Some('=' | '+' | '-' | '@' | '\t' | '\r'))
}

/// Fixed-point number text; `-0.000` is written as `0.000`.
#[cfg(test)]
pub fn format_number(v: f64, decimals: usize, decimal_comma: bool) -> String {
    let mut s = String::new();
    push_number(&mut s, v, decimals, decimal_comma);
    s
}

/// `format_number` appended to `out`: the value rounded to `decimals` places, as
/// Rust's `{:.N}` rounds it (the exact binary value, half to even), `-0.000` as
/// `0.000`.
///
/// Fast path: with `s = v * 10^N` below 2^40 in size, the product is within
/// 2^-13 of the exact `v * 10^N`, so unless its fraction lies within 10^-3 of one half,
/// `round(s)` is the correctly rounded last digit; the integer is then printed with
/// its decimal point put in. Every other value (halves, large ones) goes to `{:.N}`.
fn push_number(out: &mut String, v: f64, decimals: usize, decimal_comma: bool) {
    use std::fmt::Write as _;
    if v.is_nan() {
        return;
    }
    let start = out.len();
    const POWERS: [f64; 10] = [1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
    let scaled = POWERS.get(decimals).map(|p| (v * p).abs());
    match scaled {
        Some(s) if s < (1u64 << 40) as f64 && ((s.fract() - 0.5).abs() > 1e-3) => {
            let r = s.round() as u64;
            if r != 0 && v < 0.0 {
                out.push('-');
            }
            let unit = 10u64.pow(decimals as u32);
            let mut digits = itoa::Buffer::new();
            out.push_str(digits.format(r / unit));
            if decimals > 0 {
                out.push(if decimal_comma { ',' } else { '.' });
                let fraction = digits.format(r % unit);
                out.extend(std::iter::repeat_n('0', decimals - fraction.len()));
                out.push_str(fraction);
            }
            return;
        }
        _ => {
            let _ = write!(out, "{v:.decimals$}");
        }
    }
    if out[start..].starts_with('-') && out[start + 1..].bytes().all(|c| c == b'0' || c == b'.') {
        out.remove(start);
    }
    if decimal_comma {
        if let Some(dot) = out[start..].find('.') {
            out.replace_range(start + dot..start + dot + 1, ",");
        }
    }
}

/// The shortest decimal that reads back as `v`, never in exponent notation; `-0` is
/// written as `0`.
///
/// Digits from Ryu (Adams 2018, the `ryu` crate), which picks, as Rust's `Display`
/// does, the shortest digit string that reads back as `v` and of those the closest to
/// it. The two differ only where two shortest strings are equally close (`v` exactly
/// halfway, as 75286131215632.125 between `.12` and `.13`): Ryu takes the even digit,
/// `Display` the upper. That needs `v`'s exact decimal to have one digit more than
/// Ryu's, which [`exact_fraction_digits`] tells; such values, and those Ryu writes
/// with an exponent (outside 1e-5..1e15), go to `Display`. A trailing `.0` is dropped.
fn push_exact(out: &mut String, v: f64, decimal_comma: bool) {
    use std::fmt::Write as _;
    if v.is_nan() {
        return;
    }
    let v = if v == 0.0 { 0.0 } else { v };
    let start = out.len();
    let magnitude = v.abs();
    if v.is_finite() && (magnitude == 0.0 || (1e-5..1e15).contains(&magnitude)) {
        let mut buffer = ryu::Buffer::new();
        let text = buffer.format_finite(v);
        let text = text.strip_suffix(".0").unwrap_or(text);
        let digits = text.find('.').map_or(0, |dot| text.len() - dot - 1);
        if exact_fraction_digits(v) == digits + 1 {
            let _ = write!(out, "{v}");
        } else {
            out.push_str(text);
        }
    } else {
        // Rust's `Display` for f64 is the shortest round-trip decimal without exponent.
        let _ = write!(out, "{v}");
    }
    if decimal_comma {
        if let Some(dot) = out[start..].find('.') {
            out.replace_range(start + dot..start + dot + 1, ",");
        }
    }
}

/// How many digits the exact decimal value of finite `v` has after the point: `v` is
/// `M * 2^e` with `M` odd, and `2^-k` has exactly `k` (0.5, 0.25, 0.125, ...).
fn exact_fraction_digits(v: f64) -> usize {
    let bits = v.to_bits();
    let field = ((bits >> 52) & 0x7ff) as i64;
    let fraction = bits & ((1 << 52) - 1);
    let (mantissa, exponent) = if field == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1 << 52), field - 1075)
    };
    if mantissa == 0 {
        return 0;
    }
    (-(exponent + i64::from(mantissa.trailing_zeros()))).max(0) as usize
}

/// `v` rounded to single precision, as the double nearest the shortest decimal of that
/// single: what a value computed in `f32` is worth writing. `8.823319435119629` (the
/// `f32` 8.823319 widened) is 8.823319, which [`Cell::Exact`] then writes as such.
pub fn single_precision(v: f64) -> f64 {
    if !v.is_finite() {
        return v;
    }
    let single = v as f32;
    let mut buffer = ryu::Buffer::new();
    buffer.format_finite(single).parse().unwrap_or(v)
}

/// Exact number text (see [`Cell::Exact`]).
#[cfg(test)]
pub fn format_exact(v: f64, decimal_comma: bool) -> String {
    let mut s = String::new();
    push_exact(&mut s, v, decimal_comma);
    s
}

/// Sets `out` to a cell's text.
fn render_cell(out: &mut String, cell: &Cell, style: Style) {
    use std::fmt::Write as _;
    out.clear();
    match cell {
        Cell::Text(t) => {
            if reads_as_formula(t) {
                out.push('\'');
            }
            out.push_str(t);
        }
        Cell::Num(v, d) => push_number(out, *v, *d, style.excel),
        Cell::Exact(v) => push_exact(out, *v, style.excel),
        Cell::Int(i) => out.push_str(itoa::Buffer::new().format(*i)),
        Cell::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        Cell::Empty => {}
    }
}

/// Rows per block rendered by one thread in [`write_table`].
const BLOCK_ROWS: usize = 1024;

/// Appends one field as the `csv` crate writes it (RFC 4180, its `QuoteStyle::Necessary`):
/// in quotes, with each quote doubled, when it holds the delimiter, a quote or a line
/// break (`\r` or `\n`); as it is otherwise.
fn push_field(out: &mut Vec<u8>, field: &[u8], delimiter: u8) {
    let special = |b: &u8| *b == delimiter || matches!(*b, b'"' | b'\r' | b'\n');
    if !field.iter().any(special) {
        out.extend_from_slice(field);
        return;
    }
    out.push(b'"');
    for part in field.split_inclusive(|&b| b == b'"') {
        out.extend_from_slice(part);
        if part.ends_with(b"\"") {
            out.push(b'"');
        }
    }
    out.push(b'"');
}

/// Appends one record and its `\n`. A record whose fields are all empty and that has no
/// delimiter (one empty field) is written `""`, as the `csv` crate writes it, so that
/// the line is not read as blank.
fn push_record<'c>(out: &mut Vec<u8>, fields: impl Iterator<Item = &'c [u8]>, delimiter: u8) {
    let start = out.len();
    for (i, field) in fields.enumerate() {
        if i > 0 {
            out.push(delimiter);
        }
        push_field(out, field, delimiter);
    }
    end_record(out, start);
}

/// Ends the record begun at `start` (see [`push_record`]).
fn end_record(out: &mut Vec<u8>, start: usize) {
    if out.len() == start {
        out.extend_from_slice(b"\"\"");
    }
    out.push(b'\n');
}

/// CSV text of `rows` (and of `header` first if `with_header`); a row of another
/// length than the header is an error. Text cells are quoted where they need it; a
/// number or a boolean never needs it (digits, a sign, a decimal point or comma, `inf`,
/// `true`: the decimal comma comes with the `;` delimiter), and is written as it is.
fn render_rows<R: std::borrow::Borrow<Vec<Cell>>>(
    rows: impl Iterator<Item = R>,
    header: &[String],
    delimiter: u8,
    style: Style,
    with_header: bool,
) -> std::io::Result<Vec<u8>> {
    // Room for the rows as most are (a number is at most about 20 bytes), so that the
    // text is not copied as it grows.
    let mut out = Vec::with_capacity(rows.size_hint().0 * header.len() * 20);
    if with_header {
        let escaped: Vec<String> = header.iter().map(|h| escape_formula(h)).collect();
        push_record(&mut out, escaped.iter().map(|h| h.as_bytes()), delimiter);
    }
    let mut field = String::new();
    for row in rows {
        let row = row.borrow();
        if row.len() != header.len() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("a row has {} fields, the header {}", row.len(), header.len()),
            ));
        }
        let start = out.len();
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                out.push(delimiter);
            }
            render_cell(&mut field, cell, style);
            match cell {
                Cell::Text(_) => push_field(&mut out, field.as_bytes(), delimiter),
                _ => out.extend_from_slice(field.as_bytes()),
            }
        }
        end_record(&mut out, start);
    }
    Ok(out)
}

/// Writes a header and rows. Blocks of rows are rendered to text in parallel (rows
/// given by number are also made there) and written in order; a batch is written
/// while the next one is rendered.
pub fn write_table<'r>(
    out: &mut (dyn Write + Send),
    style: Style,
    header: &[String],
    rows: impl Into<Rows<'r>>,
) -> std::io::Result<()> {
    use rayon::prelude::*;
    if style.excel {
        out.write_all(b"\xEF\xBB\xBF")?;
    }
    let delimiter = if style.excel { b';' } else { b',' };
    out.write_all(&render_rows(
        std::iter::empty::<Vec<Cell>>(),
        header,
        delimiter,
        style,
        true,
    )?)?;
    // Rows are taken a batch at a time, rendered in parallel blocks and written in
    // order: memory holds two batches, however long the table (10 million indicator rows).
    let batch = BLOCK_ROWS * 4 * rayon::current_num_threads().max(1);
    let write = |out: &mut (dyn Write + Send), blocks: Vec<std::io::Result<Vec<u8>>>| {
        blocks.into_iter().try_for_each(|block| out.write_all(&block?))
    };
    let mut rendered: Vec<std::io::Result<Vec<u8>>> = Vec::new();
    match rows.into() {
        Rows::Numbered { count, row } => {
            for start in (0..count).step_by(batch) {
                let end = (start + batch).min(count);
                let render = || {
                    (start..end)
                        .into_par_iter()
                        .step_by(BLOCK_ROWS)
                        .map(|from| {
                            let rows = (from..(from + BLOCK_ROWS).min(end)).map(&row);
                            render_rows(rows, header, delimiter, style, false)
                        })
                        .collect()
                };
                let done = std::mem::take(&mut rendered);
                let (written, next) = rayon::join(|| write(&mut *out, done), render);
                written?;
                rendered = next;
            }
        }
        Rows::Each(mut rows) => loop {
            let chunk: Vec<Vec<Cell>> = rows.by_ref().take(batch).collect();
            if chunk.is_empty() {
                break;
            }
            let render = || {
                chunk
                    .par_chunks(BLOCK_ROWS)
                    .map(|b| render_rows(b.iter(), header, delimiter, style, false))
                    .collect()
            };
            let done = std::mem::take(&mut rendered);
            let (written, next) = rayon::join(|| write(&mut *out, done), render);
            written?;
            rendered = next;
        },
    }
    write(out, rendered)?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(style: Style, rows: Vec<Vec<Cell>>) -> String {
        let mut buf = Vec::new();
        write_table(&mut buf, style, &["unit".into(), "score".into()], rows.into_iter()).unwrap();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn exact_numbers_round_trip_without_exponent() {
        for (v, text) in [
            (2.6e-5, "0.000026"),
            (68.37777777777777, "68.37777777777777"),
            (1e21, "1000000000000000000000"),
            (-0.0, "0"),
            (0.1 + 0.2, "0.30000000000000004"),
            (5.0, "5"),
        ] {
            assert_eq!(format_exact(v, false), text);
            assert_eq!(format_exact(v, false).parse::<f64>().unwrap(), v);
        }
        assert_eq!(format_exact(2.5, true), "2,5");
        assert_eq!(format_exact(f64::NAN, false), "");
    }

    /// Values of every size and sign, with many digits or few.
    fn sample_values() -> Vec<f64> {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let mut values = Vec::new();
        for _ in 0..200_000 {
            let exponent: i32 = rng.random_range(-9..25);
            let v: f64 = rng.random::<f64>() * 10f64.powi(exponent);
            let dyadic = (v * 2048.0).round() / 2048.0;
            values.extend([v, -v, (v * 1e4).round() / 1e4, (v * 8.0).round() / 8.0, dyadic]);
        }
        values.extend([
            0.5,
            1.5,
            2.5,
            -0.5,
            0.125,
            0.00005,
            0.00015,
            1e15,
            1e16,
            9.999999999999999e14,
            1e-5,
            9.99999e-6,
        ]);
        values.extend([f64::MAX, f64::MIN_POSITIVE, 5e-324, -0.0, 0.0, 1.0 / 3.0, 2.0 / 3.0]);
        values
    }

    #[test]
    fn single_precision_values_are_written_with_their_own_digits() {
        assert_eq!(format_exact(single_precision(8.823319435119629), false), "8.823319");
        assert_eq!(format_exact(single_precision(f64::from(0.1f32)), false), "0.1");
        assert_eq!(format_exact(single_precision(1e-7), false), "0.0000001");
        assert_eq!(format_exact(single_precision(123456789.0), false), "123456790");
        assert!(single_precision(f64::NAN).is_nan());
        for v in sample_values().into_iter().filter(|v| v.abs() < 1e30) {
            let s = single_precision(v);
            assert_eq!(s as f32, v as f32, "{v:e}");
        }
    }

    #[test]
    fn exact_fraction_digits_of_binary_fractions() {
        assert_eq!(exact_fraction_digits(0.5), 1);
        assert_eq!(exact_fraction_digits(0.125), 3);
        assert_eq!(exact_fraction_digits(-3.0), 0);
        assert_eq!(exact_fraction_digits(1e20), 0);
        assert_eq!(exact_fraction_digits(0.0), 0);
        assert_eq!(exact_fraction_digits(524288.0 + 1.0 / 2048.0), 11);
        assert_eq!(exact_fraction_digits(5e-324), 1074);
    }

    #[test]
    fn exact_numbers_are_those_of_display() {
        // Halfway between two shortest strings, Display takes the upper one.
        assert_eq!(format_exact(75_286_131_215_632.0 + 0.125, false), "75286131215632.13");
        assert_eq!(
            format_exact(524288.0 + 1.0 / 2048.0, false),
            format!("{}", 524288.0 + 1.0 / 2048.0)
        );
        for v in sample_values() {
            let want = format!("{}", if v == 0.0 { 0.0 } else { v });
            assert_eq!(format_exact(v, false), want, "{v:e}");
        }
    }

    #[test]
    fn fixed_numbers_are_those_of_format() {
        // The reference: Rust's `{:.N}`, with `-0.00` written as `0.00`.
        let reference = |v: f64, d: usize| {
            let s = format!("{v:.d$}");
            if s.starts_with('-') && s[1..].bytes().all(|c| c == b'0' || c == b'.') {
                s[1..].to_string()
            } else {
                s
            }
        };
        for v in sample_values() {
            for d in [0, 1, 2, 4, 9, 12] {
                assert_eq!(format_number(v, d, false), reference(v, d), "{v:e} to {d}");
            }
        }
        // Halves round to even on the exact binary value: 0.125 is exact, 0.15 is not.
        assert_eq!(format_number(0.125, 2, false), "0.12");
        assert_eq!(format_number(0.375, 2, false), "0.38");
        assert_eq!(format_number(2.5, 0, false), "2");
        assert_eq!(format_number(0.15, 1, false), "0.1");
        assert_eq!(format_number(-0.00004, 4, false), "0.0000");
        assert_eq!(format_number(-1.23456, 4, true), "-1,2346");
    }

    #[test]
    fn blocks_of_rows_come_out_in_order() {
        // Two whole batches and a part of a third, each of several blocks.
        let n = 2 * BLOCK_ROWS * 4 * rayon::current_num_threads().max(1) + 3 * BLOCK_ROWS + 7;
        let rows: Vec<Vec<Cell>> = (0..n)
            .map(|i| vec![Cell::Int(i as i64), Cell::Num(i as f64 / 4.0, 2)])
            .collect();
        let want: String = std::iter::once("unit,score\n".to_string())
            .chain((0..n).map(|i| format!("{i},{:.2}\n", i as f64 / 4.0)))
            .collect();
        assert_eq!(render(Style::default(), rows), want);
    }

    #[test]
    fn rows_by_number_are_written_as_rows_one_after_another() {
        let n = 3 * BLOCK_ROWS * 4 * rayon::current_num_threads().max(1) + 5;
        let row = |i: usize| vec![Cell::Text(format!("u{i}")), Cell::Exact(i as f64 / 3.0)];
        let mut by_number = Vec::new();
        write_table(
            &mut by_number,
            Style::default(),
            &["unit".into(), "score".into()],
            Rows::numbered(n, row),
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(by_number).unwrap(),
            render(Style::default(), (0..n).map(row).collect())
        );
    }

    #[test]
    fn a_row_of_the_wrong_length_is_an_error() {
        let mut buf = Vec::new();
        let err = write_table(
            &mut buf,
            Style::default(),
            &["a".into(), "b".into()],
            vec![vec![Cell::Int(1)]].into_iter(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("a row has 1 fields, the header 2"), "{err}");
    }

    #[test]
    fn formula_cells_are_escaped_but_numbers_are_not() {
        let out = render(
            Style::default(),
            vec![
                vec![Cell::Text("=HYPERLINK(\"x\")".into()), Cell::Num(-0.5, 3)],
                vec![Cell::Text("+1".into()), Cell::Num(1e-9, 3)],
                vec![Cell::Text("@SUM(A1)".into()), Cell::Num(1e20, 1)],
                vec![Cell::Text("a,b".into()), Cell::Empty],
            ],
        );
        assert_eq!(
            out,
            "unit,score\n\"'=HYPERLINK(\"\"x\"\")\",-0.500\n'+1,0.000\n'@SUM(A1),100000000000000000000.0\n\"a,b\",\n"
        );
    }

    #[test]
    fn excel_style_has_bom_semicolons_and_decimal_commas() {
        let out = render(
            Style { excel: true },
            vec![vec![Cell::Text("UZB".into()), Cell::Num(1.25, 2)]],
        );
        assert_eq!(out, "\u{feff}unit;score\nUZB;1,25\n");
    }

    use proptest::prelude::*;

    proptest! {
        /// Rows come out as the `csv` crate writes them (RFC 4180, quotes where needed),
        /// in both styles, one-field rows and empty fields included.
        #[test]
        fn rows_are_written_as_the_csv_crate_writes_them(
            rows in proptest::collection::vec(
                proptest::collection::vec(
                    proptest::prop_oneof![
                        "[a;,\"\r\n =+]{0,4}".prop_map(Cell::Text),
                        (-1e3f64..1e3).prop_map(Cell::Exact),
                        (-1e3f64..1e3).prop_map(|v| Cell::Num(v, 2)),
                        proptest::prelude::any::<i64>().prop_map(Cell::Int),
                        proptest::prelude::any::<bool>().prop_map(Cell::Bool),
                        proptest::strategy::Just(Cell::Empty),
                    ],
                    1..=1,
                ),
                0..6,
            ),
            width in 1..4usize,
            excel in proptest::prelude::any::<bool>(),
        ) {
            let style = Style { excel };
            let delimiter = if excel { b';' } else { b',' };
            let rows: Vec<Vec<Cell>> = rows.iter().map(|r| r.iter().cycle().take(width).cloned().collect()).collect();
            let header: Vec<String> = (0..width).map(|i| format!("h{i}")).collect();
            let ours = render_rows(rows.iter(), &header, delimiter, style, true).unwrap();
            let mut theirs = ::csv::WriterBuilder::new().delimiter(delimiter).from_writer(Vec::new());
            theirs.write_record(&header).unwrap();
            let mut text = String::new();
            for row in &rows {
                let fields: Vec<String> = row.iter().map(|c| {
                    render_cell(&mut text, c, style);
                    text.clone()
                }).collect();
                theirs.write_record(&fields).unwrap();
            }
            prop_assert_eq!(String::from_utf8(ours).unwrap(), String::from_utf8(theirs.into_inner().unwrap()).unwrap());
        }
    }

    #[test]
    fn ranks_print_whole_or_half() {
        assert_eq!(Cell::rank(3.0), Cell::Int(3));
        assert_eq!(Cell::rank(2.5), Cell::Num(2.5, 1));
        assert_eq!(Cell::rank(f64::NAN), Cell::Empty);
    }
}

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

/// CSV flavour.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Style {
    /// UTF-8 BOM, `;` delimiter, decimal comma.
    pub excel: bool,
}

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    /// A number printed with this many decimals (NaN = empty).
    Num(f64, usize),
    /// A number printed exactly: the shortest decimal that round-trips (NaN = empty).
    Exact(f64),
    /// A count or id.
    Int(i64),
    Bool(bool),
    Empty,
}

impl Cell {
    /// A rank: whole numbers without decimals, average ties with one (2.5).
    pub fn rank(r: f64) -> Cell {
        if r.is_nan() {
            Cell::Empty
        } else if r.fract() == 0.0 {
            Cell::Int(r as i64)
        } else {
            Cell::Num(r, 1)
        }
    }
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
pub fn format_number(v: f64, decimals: usize, decimal_comma: bool) -> String {
    let mut s = String::new();
    push_number(&mut s, v, decimals, decimal_comma);
    s
}

/// [`format_number`] appended to `out`.
fn push_number(out: &mut String, v: f64, decimals: usize, decimal_comma: bool) {
    use std::fmt::Write as _;
    if v.is_nan() {
        return;
    }
    let start = out.len();
    let _ = write!(out, "{v:.decimals$}");
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
fn push_exact(out: &mut String, v: f64, decimal_comma: bool) {
    use std::fmt::Write as _;
    if v.is_nan() {
        return;
    }
    let start = out.len();
    // Rust's `Display` for f64 is the shortest round-trip decimal without exponent.
    let _ = write!(out, "{}", if v == 0.0 { 0.0 } else { v });
    if decimal_comma {
        if let Some(dot) = out[start..].find('.') {
            out.replace_range(start + dot..start + dot + 1, ",");
        }
    }
}

/// Exact number text (see [`Cell::Exact`]).
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
        Cell::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Cell::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        Cell::Empty => {}
    }
}

/// Rows per block rendered by one thread in [`write_table`].
const BLOCK_ROWS: usize = 1024;

/// Writes a header and rows. Blocks of rows are rendered to text in parallel and
/// written in order.
pub fn write_table(
    out: &mut dyn Write,
    style: Style,
    header: &[String],
    rows: impl Iterator<Item = Vec<Cell>>,
) -> std::io::Result<()> {
    use rayon::prelude::*;
    if style.excel {
        out.write_all(b"\xEF\xBB\xBF")?;
    }
    let delimiter = if style.excel { b';' } else { b',' };
    let render = |rows: &[Vec<Cell>], with_header: bool| -> std::io::Result<Vec<u8>> {
        let mut w = ::csv::WriterBuilder::new().delimiter(delimiter).from_writer(Vec::new());
        if with_header {
            w.write_record(header.iter().map(|h| escape_formula(h)))?;
        }
        let mut fields = vec![String::new(); header.len()];
        for row in rows {
            if row.len() != header.len() {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("a row has {} fields, the header {}", row.len(), header.len()),
                ));
            }
            for (field, cell) in fields.iter_mut().zip(row) {
                render_cell(field, cell, style);
            }
            w.write_record(&fields)?;
        }
        w.into_inner().map_err(|e| e.into_error())
    };
    out.write_all(&render(&[], true)?)?;
    // Rows are taken a batch at a time, rendered in parallel blocks and written in
    // order: memory holds one batch, however long the table (10 million indicator rows).
    let batch = BLOCK_ROWS * 4 * rayon::current_num_threads().max(1);
    let mut rows = rows;
    loop {
        let chunk: Vec<Vec<Cell>> = rows.by_ref().take(batch).collect();
        if chunk.is_empty() {
            break;
        }
        let blocks: Vec<std::io::Result<Vec<u8>>> = chunk.par_chunks(BLOCK_ROWS).map(|b| render(b, false)).collect();
        for block in blocks {
            out.write_all(&block?)?;
        }
    }
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

    #[test]
    fn ranks_print_whole_or_half() {
        assert_eq!(Cell::rank(3.0), Cell::Int(3));
        assert_eq!(Cell::rank(2.5), Cell::Num(2.5, 1));
        assert_eq!(Cell::rank(f64::NAN), Cell::Empty);
    }
}

//! Spreadsheet-safe CSV.
//!
//! - Header row, RFC 4180 quoting (the `csv` crate quotes fields with delimiters,
//!   quotes or line breaks).
//! - Numbers with fixed decimals and never in exponent notation; missing = empty cell.
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
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

/// Fixed-point number text; `-0.000` is written as `0.000`.
pub fn format_number(v: f64, decimals: usize, decimal_comma: bool) -> String {
    if v.is_nan() {
        return String::new();
    }
    let mut s = format!("{v:.decimals$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s.remove(0);
    }
    if decimal_comma {
        s = s.replace('.', ",");
    }
    s
}

/// Writes a header and rows.
pub fn write_table(
    out: &mut dyn Write,
    style: Style,
    header: &[String],
    rows: impl Iterator<Item = Vec<Cell>>,
) -> std::io::Result<()> {
    if style.excel {
        out.write_all(b"\xEF\xBB\xBF")?;
    }
    let mut w = ::csv::WriterBuilder::new()
        .delimiter(if style.excel { b';' } else { b',' })
        .from_writer(out);
    let header: Vec<String> = header.iter().map(|h| escape_formula(h)).collect();
    w.write_record(&header)?;
    let mut record: Vec<String> = Vec::new();
    for row in rows {
        record.clear();
        record.extend(row.into_iter().map(|cell| match cell {
            Cell::Text(t) => escape_formula(&t),
            Cell::Num(v, d) => format_number(v, d, style.excel),
            Cell::Int(i) => i.to_string(),
            Cell::Bool(b) => b.to_string(),
            Cell::Empty => String::new(),
        }));
        w.write_record(&record)?;
    }
    w.flush()?;
    Ok(())
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

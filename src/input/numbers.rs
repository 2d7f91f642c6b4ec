//! How numbers are written in a file's numeric cells: the missing markers, a decimal
//! comma, a thousands separator ([`NumberFormat`]), and what an option or a framework
//! key may name as the separator. Used by every reader of data files and by the
//! framework's checks.

use crate::error::visible;

/// Values read as missing in numeric cells unless `[data] missing` says otherwise:
/// R's and pandas' markers, the World Bank's `..`, Excel's `#N/A`, and the `n.a.`,
/// `-`, `.` and `None` of statistical yearbooks and Python exports. An empty cell is
/// always missing.
pub const MISSING: &[&str] = &[
    "NA", "N/A", "n/a", "na", "n.a.", "NaN", "nan", "null", "NULL", "None", "..", ".", "-", "#N/A",
];

/// The characters that may group thousands: `,` `.` space `'`.
pub const THOUSANDS: [char; 4] = [',', '.', ' ', '\''];

/// A thousands separator as an option or a framework key gives it: one of [`THOUSANDS`].
pub fn thousands_separator(text: &str) -> Option<char> {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if THOUSANDS.contains(&c) => Some(c),
        _ => None,
    }
}

/// What [`thousands_separator`] expects, for messages.
pub const THOUSANDS_EXPECTED: &str = "expected one of \",\" \".\" \" \" \"'\" (the character that groups thousands)";

/// How numbers are written in a file's numeric cells.
#[derive(Debug, Clone)]
pub struct NumberFormat {
    /// `3,5` is 3.5.
    pub decimal_comma: bool,
    /// The thousands separator, if numbers are grouped (`1,234`, `15 500`, `1.234,5`).
    pub thousands: Option<char>,
    /// Cells read as missing (besides the empty cell).
    pub missing: Vec<String>,
}

impl Default for NumberFormat {
    fn default() -> Self {
        NumberFormat {
            decimal_comma: false,
            thousands: None,
            missing: MISSING.iter().map(|m| m.to_string()).collect(),
        }
    }
}

/// Spaces that group digits: the space, the no-break space and the narrow no-break
/// space (what French, Russian and Excel's locale formats write).
const SPACES: [char; 3] = [' ', '\u{a0}', '\u{202f}'];

impl NumberFormat {
    /// Parses one numeric cell; `Some(NaN)` for a missing marker, `None` if it is no number.
    ///
    /// With a thousands separator, groups must be whole: `1,234,567` and `-1,234.5`
    /// read, `12,34` does not (a typo, or a decimal comma).
    pub fn parse(&self, text: &str) -> Option<f64> {
        let t = text.trim_matches(|c: char| c.is_whitespace());
        if t.is_empty() || self.missing.iter().any(|m| m == t) {
            return Some(f64::NAN);
        }
        let (decimal, other) = if self.decimal_comma { (',', '.') } else { ('.', ',') };
        let ungrouped;
        let t = match self.thousands {
            Some(sep) => {
                ungrouped = ungroup(t, sep, decimal)?;
                ungrouped.as_str()
            }
            None => t,
        };
        if t.contains(other) {
            return None;
        }
        let parsed = if self.decimal_comma {
            t.replace(',', ".").parse::<f64>().ok()
        } else {
            t.parse::<f64>().ok()
        };
        parsed.filter(|v| v.is_finite())
    }

    /// Which options would read `cell`, if any, as " (...)" for a message.
    pub(crate) fn hint(&self, cell: &str) -> String {
        let t = cell.trim();
        let reads = |f: NumberFormat| f.parse(t).is_some_and(|v| !v.is_nan());
        let mut ways = Vec::new();
        for sep in [',', '.', ' ', '\''] {
            let with = NumberFormat {
                thousands: Some(sep),
                ..self.clone()
            };
            if Some(sep) != self.thousands && reads(with) {
                let shown = if sep == '\'' {
                    "\"'\"".to_string()
                } else {
                    format!("\"{sep}\"")
                };
                ways.push(format!(
                    "if numbers are grouped in thousands, set `[data] thousands = {shown}`"
                ));
                break;
            }
        }
        let comma = NumberFormat {
            decimal_comma: true,
            thousands: None,
            ..self.clone()
        };
        if !self.decimal_comma && reads(comma) {
            ways.push("for decimal commas use option `decimal_comma`".into());
        }
        if ways.is_empty() && !t.chars().any(|c| c.is_ascii_digit()) {
            ways.push(format!(
                "if `{}` marks a missing value, add it to `[data] missing`",
                visible(t)
            ));
        }
        if ways.is_empty() {
            String::new()
        } else {
            format!(" ({})", ways.join("; "))
        }
    }
}

/// `t` without its thousands separators, if they group whole thousands before the
/// decimal mark; `None` if a separator sits anywhere else.
fn ungroup(t: &str, sep: char, decimal: char) -> Option<String> {
    let is_sep = |c: char| c == sep || (sep == ' ' && SPACES.contains(&c));
    if !t.chars().any(is_sep) {
        return Some(t.to_string());
    }
    let (int, frac) = match t.find(decimal) {
        Some(i) => (&t[..i], &t[i..]),
        None => (t, ""),
    };
    if frac.chars().any(is_sep) {
        return None;
    }
    let digits = int.trim_start_matches(['-', '+']);
    let sign = &int[..int.len() - digits.len()];
    let groups: Vec<&str> = digits.split(is_sep).collect();
    let whole = !groups[0].is_empty()
        && groups[0].len() <= 3
        && groups[1..].iter().all(|g| g.len() == 3)
        && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit()));
    whole.then(|| format!("{sign}{}{frac}", groups.concat()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_missing_markers() {
        let plain = NumberFormat::default();
        let comma = NumberFormat {
            decimal_comma: true,
            ..NumberFormat::default()
        };
        assert_eq!(plain.parse(" 3.5 "), Some(3.5));
        for marker in ["NA", "", "..", "#N/A", "n.a.", "-", "na", "None", "."] {
            assert!(plain.parse(marker).unwrap().is_nan(), "{marker}");
        }
        assert_eq!(comma.parse("3,5"), Some(3.5));
        assert_eq!(plain.parse("3,5"), None);
        assert_eq!(comma.parse("1.234,5"), None);
        assert_eq!(plain.parse("abc"), None);
        assert_eq!(plain.parse("inf"), None);
        assert_eq!(plain.parse("-5"), Some(-5.0));
        // A set of markers of one's own: `-` is then no longer missing.
        let own = NumberFormat {
            missing: vec!["n/d".into()],
            ..NumberFormat::default()
        };
        assert!(own.parse("n/d").unwrap().is_nan());
        assert_eq!(own.parse("-"), None);
    }

    #[test]
    fn thousands_separators_group_whole_thousands() {
        let with = |sep: char, decimal_comma: bool| NumberFormat {
            decimal_comma,
            thousands: Some(sep),
            ..NumberFormat::default()
        };
        assert_eq!(with(',', false).parse("1,234,567.25"), Some(1_234_567.25));
        assert_eq!(with(',', false).parse("-1,234"), Some(-1234.0));
        assert_eq!(with(',', false).parse("999"), Some(999.0));
        assert_eq!(with(',', false).parse("12,34"), None);
        assert_eq!(with(',', false).parse("1234,567"), None);
        assert_eq!(with('.', true).parse("1.234,5"), Some(1234.5));
        assert_eq!(with(' ', false).parse("15 500"), Some(15500.0));
        // No-break and narrow no-break spaces, as locale formats write them.
        assert_eq!(with(' ', true).parse("15\u{a0}500,5"), Some(15500.5));
        assert_eq!(with(' ', false).parse("1\u{202f}000"), Some(1000.0));
        assert_eq!(with('\'', false).parse("1'000'000"), Some(1e6));
    }

    #[test]
    fn a_bad_cell_says_which_option_would_read_it() {
        let plain = NumberFormat::default();
        assert_eq!(
            plain.hint("1,234"),
            " (if numbers are grouped in thousands, set `[data] thousands = \",\"`; for decimal commas use option `decimal_comma`)"
        );
        assert_eq!(
            plain.hint("15 500"),
            " (if numbers are grouped in thousands, set `[data] thousands = \" \"`)"
        );
        assert_eq!(plain.hint("2,5"), " (for decimal commas use option `decimal_comma`)");
        assert_eq!(
            plain.hint("n.d."),
            " (if `n.d.` marks a missing value, add it to `[data] missing`)"
        );
        assert_eq!(plain.hint("12x"), "");
    }
}

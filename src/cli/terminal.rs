//! What reaches the terminal: lines to stderr (`say!`, notes, errors with their
//! flags) and text to stdout, with control characters written out.

use crate::{Error, Result};

/// `eprintln!` as the terminal should see it: through [`say_line`].
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::cli::terminal::say_line(&format!($($arg)*))
    };
}

/// The command-line flag of a library option: `samples_from` is `--samples-from`.
pub fn flag(option: &str) -> String {
    match option {
        "data" => "-d/--data".into(),
        _ => format!("--{}", option.replace('_', "-")),
    }
}

/// One problem as the terminal shows it: a bad option value names its flag, and a
/// message's "option `name`" is the flag `--name`.
pub fn describe(problem: &Error) -> String {
    let text = match problem {
        Error::Argument { name, message } => format!("{}: {message}", flag(name)),
        other => other.to_string(),
    };
    with_flags(&text)
}

/// A library note as the terminal shows it: "option `name`" is the flag `--name`.
pub fn note(text: &str) {
    say_line(&format!("note: {}", with_flags(text)));
}

/// Writes a line to stderr, [`terminal_safe`]. A closed stderr (`2>&1 | head`) is not
/// an error and not a panic: the line is dropped.
pub fn say_line(text: &str) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{}", terminal_safe(text));
}

/// Text as it may reach a terminal: control characters (an escape sequence's ESC, a
/// carriage return that overwrites the line, a bell) and the bidirectional overrides
/// that reorder what is shown are written out as `\u{1b}`; line feeds and tabs stay.
/// Names, labels and messages come from files others made: none may drive the
/// terminal.
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
    };
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if unsafe_char(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `text` with every "option `name`" written as the flag `--name`.
fn with_flags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("option `") {
        let name_start = at + "option `".len();
        let Some(len) = rest[name_start..].find('`') else { break };
        let name = &rest[name_start..name_start + len];
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
            out.push_str(&rest[..name_start]);
            rest = &rest[name_start..];
            continue;
        }
        out.push_str(&rest[..at]);
        out.push_str(&flag(name));
        rest = &rest[name_start + len + 1..];
    }
    out.push_str(rest);
    out
}

/// A closed stdout (`riskscore explain ... | head`) is not an error.
pub fn is_broken_pipe(e: &Error) -> bool {
    matches!(e, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
}

/// Writes text to stdout, reporting a closed pipe as an `Io` error.
pub fn print(text: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(terminal_safe(text).as_bytes())
        .and_then(|_| out.flush())
        .map_err(|e| Error::io("<stdout>", "cannot write", e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn names_cannot_drive_the_terminal() {
        assert_eq!(terminal_safe("KAZ\tUZB\n"), "KAZ\tUZB\n");
        assert_eq!(
            terminal_safe("\u{1b}[2J\u{1b}]0;pwned\u{7}"),
            "\\u{1b}[2J\\u{1b}]0;pwned\\u{7}"
        );
        assert_eq!(terminal_safe("a\rb\u{9b}c"), "a\\u{d}b\\u{9b}c");
        assert_eq!(terminal_safe("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(terminal_safe("Kunduz, Хатлон"), "Kunduz, Хатлон");
    }

    #[test]
    fn library_options_are_shown_as_flags() {
        assert_eq!(flag("samples_from"), "--samples-from");
        assert_eq!(flag("data"), "-d/--data");
        let e = Error::argument("period", "no unit is scored in period 2016");
        assert_eq!(describe(&e), "--period: no unit is scored in period 2016");
        let e = Error::Data {
            file: "d.csv".into(),
            kind: ErrorKind::BadTable,
            message: "found `2,5` (for decimal commas use option `decimal_comma`); or option `Bad` stays".into(),
        };
        assert_eq!(
            describe(&e),
            "d.csv: found `2,5` (for decimal commas use --decimal-comma); or option `Bad` stays"
        );
    }
}

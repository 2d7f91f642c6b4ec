//! Files as analysts download them, before any table logic: which container a file
//! is (CSV text, Parquet, a spreadsheet workbook) and which text encoding a CSV is in.
//!
//! # Containers
//! Told by the file's first bytes, whatever its name: `PAR1` is Parquet; a ZIP
//! archive (`PK\x03\x04`) is an Office Open XML workbook (`.xlsx`, `.xlsm`, `.xlsb`)
//! or an OpenDocument spreadsheet (`.ods`); an OLE2 compound file (`D0 CF 11 E0`) is
//! a legacy `.xls` workbook; anything else is CSV text. Workbooks are read by
//! [`workbook`].
//!
//! # Encodings
//! A CSV's encoding is, in this order: the one named by option `encoding` (any label
//! of the WHATWG Encoding Standard: `utf-8`, `windows-1252`, `latin1`, `cp1252`,
//! `windows-1251`, `utf-16le`, ...); the one its byte-order mark says (UTF-8, UTF-16
//! LE or BE); UTF-8 if every byte sequence is valid UTF-8; otherwise Windows-1252,
//! which is what Excel's "CSV" writes on a Western Windows and what the Global
//! Terrorism Database's CSV is in. Windows-1252 gives every byte a character, so the
//! fallback never fails: a file in another code page (Cyrillic Windows-1251, say)
//! must be named, and the run's notes and manifest say which encoding was used.
//!
//! ## References
//! WHATWG (2024) Encoding Standard, <https://encoding.spec.whatwg.org> (labels and
//! the Windows-1252 table). ECMA-376 (Office Open XML), OASIS OpenDocument 1.2.

mod container;
pub mod file;
pub mod numbers;
pub(crate) mod scan;
pub(crate) mod table;
pub(crate) mod utf8;
pub mod workbook;

use crate::error::{Error, Result};
pub use container::{container, Container};
use encoding_rs::Encoding;

/// The encoding named by option `encoding`.
pub fn named_encoding(label: &str) -> Result<&'static Encoding> {
    Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
        Error::argument(
            "encoding",
            format!("unknown encoding `{label}`: expected a name such as utf-8, windows-1252, latin1, windows-1251 or utf-16le"),
        )
    })
}

/// How the encoding of a text was settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    Named,
    ByteOrderMark,
    ValidUtf8,
    /// Not valid UTF-8: read as Windows-1252.
    Fallback,
}

/// A text's encoding and how it was settled.
#[derive(Debug, Clone, Copy)]
pub struct TextEncoding {
    pub encoding: &'static Encoding,
    pub settled: Settled,
    /// Bytes of the byte-order mark at the start (0 if none).
    pub bom: usize,
}

impl TextEncoding {
    /// The encoding's canonical name, lower case (`utf-8`, `windows-1252`).
    pub fn name(&self) -> String {
        self.encoding.name().to_ascii_lowercase()
    }

    /// A note for the user when the encoding was not plain UTF-8.
    pub fn note(&self, file: &str) -> Option<String> {
        match self.settled {
            Settled::Fallback => Some(format!(
                "{file}: not UTF-8 text: read as Windows-1252 (Excel's CSV on Windows); if it is in another code page, name it with option `encoding`"
            )),
            _ => None,
        }
    }
}

/// The encoding of `bytes` (see the module docs). `bytes` may be a sample cut short:
/// an incomplete sequence at its very end is not counted against UTF-8.
pub fn detect(bytes: &[u8], named: Option<&'static Encoding>) -> TextEncoding {
    let (bom_encoding, bom) = match Encoding::for_bom(bytes) {
        Some((e, n)) => (Some(e), n),
        None => (None, 0),
    };
    if let Some(encoding) = named {
        // A named UTF-8 or UTF-16 still skips its own byte-order mark.
        let bom = if bom_encoding == Some(encoding) { bom } else { 0 };
        return TextEncoding {
            encoding,
            settled: Settled::Named,
            bom,
        };
    }
    if let Some(encoding) = bom_encoding {
        return TextEncoding {
            encoding,
            settled: Settled::ByteOrderMark,
            bom,
        };
    }
    let valid = match std::str::from_utf8(bytes) {
        Ok(_) => true,
        // A sequence cut by the end of a sample is not an error of the file.
        Err(e) => e.error_len().is_none() && bytes.len() - e.valid_up_to() < 4,
    };
    TextEncoding {
        encoding: if valid {
            encoding_rs::UTF_8
        } else {
            encoding_rs::WINDOWS_1252
        },
        settled: if valid { Settled::ValidUtf8 } else { Settled::Fallback },
        bom: 0,
    }
}

/// The text as UTF-8 bytes (without a byte-order mark). A named UTF-8 that is not
/// valid is an error naming the row and the byte.
pub fn to_utf8<'a>(file: &str, bytes: &'a [u8], encoding: &TextEncoding) -> Result<std::borrow::Cow<'a, [u8]>> {
    let body = &bytes[encoding.bom..];
    if encoding.encoding == encoding_rs::UTF_8 {
        if let Err(e) = std::str::from_utf8(body) {
            return Err(invalid_utf8(file, body, e.valid_up_to()));
        }
        return Ok(body.into());
    }
    let (text, _) = encoding.encoding.decode_without_bom_handling(body);
    Ok(text.into_owned().into_bytes().into())
}

/// Invalid UTF-8 at byte `at` of `body`, as an error naming the row.
pub fn invalid_utf8(file: &str, body: &[u8], at: usize) -> Error {
    let row = body[..at].iter().filter(|&&b| b == b'\n').count() + 1;
    Error::Row {
        file: file.into(),
        row,
        message: format!(
            "byte 0x{:02X} is not UTF-8 text: the file is in another encoding; name it with option `encoding` (e.g. windows-1252)",
            body[at]
        ),
    }
}

/// Copies `reader` into `writer` as UTF-8, decoding from `encoding` block by block
/// (memory does not grow with the file). Returns the bytes read.
pub fn transcode(
    reader: &mut dyn std::io::Read,
    writer: &mut dyn std::io::Write,
    encoding: &'static Encoding,
) -> std::io::Result<u64> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut input = vec![0u8; 1 << 20];
    let mut output = String::with_capacity(3 << 20);
    let mut total = 0u64;
    loop {
        let n = reader.read(&mut input)?;
        let last = n == 0;
        total += n as u64;
        let mut start = 0;
        loop {
            output.clear();
            let (result, read, _) = decoder.decode_to_string(&input[start..n], &mut output, last);
            writer.write_all(output.as_bytes())?;
            start += read;
            if result == encoding_rs::CoderResult::InputEmpty {
                break;
            }
        }
        if last {
            return Ok(total);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_is_the_fallback_and_decodes_every_byte() {
        // "Côte d'Ivoire" and a right single quote as Excel writes them on Windows.
        let bytes = b"country_txt,summary\nC\xF4te d'Ivoire,It\x92s\n".to_vec();
        let enc = detect(&bytes, None);
        assert_eq!(enc.settled, Settled::Fallback);
        assert_eq!(enc.name(), "windows-1252");
        let text = String::from_utf8(to_utf8("g.csv", &bytes, &enc).unwrap().into_owned()).unwrap();
        assert_eq!(text, "country_txt,summary\nC\u{f4}te d'Ivoire,It\u{2019}s\n");
        assert!(enc.note("g.csv").unwrap().contains("read as Windows-1252"));
    }

    #[test]
    fn byte_order_marks_and_valid_utf8() {
        let utf8 = detect("\u{feff}a,b\n".as_bytes(), None);
        assert_eq!(
            (utf8.settled, utf8.bom, utf8.name()),
            (Settled::ByteOrderMark, 3, "utf-8".into())
        );
        let plain = detect("unit,ñ\n".as_bytes(), None);
        assert_eq!((plain.settled, plain.name()), (Settled::ValidUtf8, "utf-8".into()));
        // UTF-16 LE as Excel's "Unicode text" writes it.
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("a,b\n".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        let enc = detect(&utf16, None);
        assert_eq!(enc.name(), "utf-16le");
        assert_eq!(&to_utf8("u.csv", &utf16, &enc).unwrap()[..], b"a,b\n");
    }

    #[test]
    fn a_sample_cut_inside_a_character_is_still_utf8() {
        let text = "a,é".as_bytes();
        assert_eq!(detect(&text[..text.len() - 1], None).settled, Settled::ValidUtf8);
    }

    #[test]
    fn named_utf8_that_is_not_names_the_row_and_byte() {
        let named = detect(b"a\nb\n\xE9\n", Some(named_encoding("utf-8").unwrap()));
        let err = to_utf8("g.csv", b"a\nb\n\xE9\n", &named).unwrap_err();
        assert_eq!(
            err.to_string(),
            "g.csv: row 3: byte 0xE9 is not UTF-8 text: the file is in another encoding; name it with option `encoding` (e.g. windows-1252)"
        );
        assert_eq!(
            named_encoding("klingon").unwrap_err().to_string(),
            "encoding: unknown encoding `klingon`: expected a name such as utf-8, windows-1252, latin1, windows-1251 or utf-16le"
        );
        assert_eq!(named_encoding("cp1252").unwrap(), encoding_rs::WINDOWS_1252);
    }

    #[test]
    fn transcoding_in_blocks_keeps_every_character() {
        let source: Vec<u8> = (0..300_000).flat_map(|_| b"S\xE3o Tom\xE9,".to_vec()).collect();
        let mut out = Vec::new();
        let n = transcode(&mut source.as_slice(), &mut out, encoding_rs::WINDOWS_1252).unwrap();
        assert_eq!(n as usize, source.len());
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.matches("São Tomé,").count(), 300_000);
    }
}

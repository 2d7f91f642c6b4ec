//! Which container a file is, told by its first bytes whatever its name: `PAR1` is
//! Parquet; a ZIP archive (`PK\x03\x04`) is an Office Open XML workbook or an
//! OpenDocument spreadsheet; an OLE2 compound file (`D0 CF 11 E0`) a legacy `.xls`;
//! anything else CSV text (ECMA-376, OASIS OpenDocument 1.2, MS-CFB).

/// What kind of file the bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    Csv,
    Parquet,
    /// xlsx, xlsm, xlsb or ods (a ZIP archive).
    Zip,
    /// Legacy Excel 97-2003 `.xls`.
    Ole,
}

/// The container of a file from its first bytes.
pub fn container(head: &[u8]) -> Container {
    if head.starts_with(b"PAR1") {
        Container::Parquet
    } else if head.starts_with(b"PK\x03\x04") {
        Container::Zip
    } else if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        Container::Ole
    } else {
        Container::Csv
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containers_by_magic_bytes() {
        assert_eq!(container(b"PAR1...."), Container::Parquet);
        assert_eq!(container(b"PK\x03\x04rest"), Container::Zip);
        assert_eq!(container(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1]), Container::Ole);
        assert_eq!(container(b"a,b\n1,2\n"), Container::Csv);
    }
}

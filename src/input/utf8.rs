//! UTF-8 checked as a stream is read, block by block (an event log of gigabytes is
//! never held whole).

/// Checks that a byte stream fed in blocks is UTF-8, a sequence cut by a block's end
/// carried into the next.
#[derive(Default)]
pub(crate) struct Utf8Check {
    /// Bytes of a sequence the last block ended in (at most 3).
    carry: Vec<u8>,
    /// Offset of the first byte not yet known to be valid.
    offset: u64,
    /// Offset of the first byte that is not UTF-8.
    pub(crate) invalid: Option<u64>,
}

impl Utf8Check {
    pub(crate) fn feed(&mut self, bytes: &[u8]) {
        if self.invalid.is_some() {
            return;
        }
        let mut start = 0;
        while !self.carry.is_empty() {
            let Some(&b) = bytes.get(start) else { return };
            self.carry.push(b);
            start += 1;
            match simdutf8::compat::from_utf8(&self.carry) {
                Ok(_) => {
                    self.offset += self.carry.len() as u64;
                    self.carry.clear();
                }
                Err(e) if e.error_len().is_none() && self.carry.len() < 4 => {}
                Err(_) => {
                    self.invalid = Some(self.offset);
                    return;
                }
            }
        }
        let rest = &bytes[start..];
        match simdutf8::compat::from_utf8(rest) {
            Ok(_) => self.offset += rest.len() as u64,
            Err(e) if e.error_len().is_none() => {
                self.offset += e.valid_up_to() as u64;
                self.carry.extend_from_slice(&rest[e.valid_up_to()..]);
            }
            Err(e) => self.invalid = Some(self.offset + e.valid_up_to() as u64),
        }
    }

    /// At the end of the stream: the offset of a sequence left incomplete.
    pub(crate) fn finish(&mut self) -> Option<u64> {
        if self.invalid.is_none() && !self.carry.is_empty() {
            self.invalid = Some(self.offset);
        }
        self.invalid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(bytes: &[u8], block: usize) -> Option<u64> {
        let mut c = Utf8Check::default();
        for b in bytes.chunks(block) {
            c.feed(b);
        }
        c.finish()
    }

    #[test]
    fn utf8_is_checked_across_block_ends() {
        let text = "Tōshkent, Душанбе, Kabul 🌍 end".as_bytes();
        for block in 1..8 {
            assert_eq!(check(text, block), None, "block {block}");
        }
        // Windows-1252 é (0xE9) then an ASCII byte: invalid at its offset.
        let bad = b"abc\xE9d";
        for block in 1..6 {
            assert_eq!(check(bad, block), Some(3), "block {block}");
        }
        // A sequence cut by the end of the stream.
        assert_eq!(check(&"ab🌍".as_bytes()[..4], 2), Some(2));
    }
}

//! Finding ASCII letters in either case, 16 bytes at a time: where the words of the
//! default claim rules may start (`derive::count_claims`, `derive::count_negated`).
//! A byte folded to lower case by setting bit 5 (`b | 0x20`) equals a lower-case ASCII
//! letter exactly when the byte is that letter in either case; no other byte, and no
//! byte of a multi-byte UTF-8 character (all >= 0x80), folds onto a letter.

/// The first position from `from` on of a byte of `text` that is one of `letters`
/// (lower-case ASCII letters) in either case.
pub(super) fn find_any(text: &[u8], from: usize, letters: [u8; 3]) -> Option<usize> {
    find(text, from, 0, |a, _| matches(a, letters))
        .unwrap_or_else(|| (from..text.len()).find(|&i| letters.contains(&(text[i] | 0x20))))
}

/// The first position from `from` on of a byte of `text` that is `first` in either
/// case and has `last` in either case `gap` bytes after it (lower-case ASCII letters).
pub(super) fn find_pair(text: &[u8], from: usize, first: u8, gap: usize, last: u8) -> Option<usize> {
    find(text, from, gap, |a, b| matches(a, [first]) & matches(b, [last])).unwrap_or_else(|| {
        (from..text.len()).find(|&i| text[i] | 0x20 == first && text.get(i + gap).is_some_and(|b| b | 0x20 == last))
    })
}

/// The first position `i` from `from` on whose bit is set in `mask(window at i, window
/// at i + gap)` over 16-byte windows: the windows step by 16, and the last ones end at
/// the text's end (bits already looked at dropped); a position within `gap` of the end
/// is never found. `None` when the text is shorter than `16 + gap`.
fn find(text: &[u8], from: usize, gap: usize, mask: impl Fn(&[u8; 16], &[u8; 16]) -> u16) -> Option<Option<usize>> {
    let window = |at: usize| text.get(at..).and_then(<[u8]>::first_chunk::<16>);
    let last = text.len().checked_sub(16 + gap)?;
    let mut at = from;
    while at <= last {
        let (Some(a), Some(b)) = (window(at), window(at + gap)) else {
            break;
        };
        let found = mask(a, b);
        if found != 0 {
            return Some(Some(at + found.trailing_zeros() as usize));
        }
        at += 16;
    }
    if at >= last + 16 {
        return Some(None);
    }
    // The windows ending at the text's end; bits before `at` were looked at.
    let (Some(a), Some(b)) = (window(last), window(last + gap)) else {
        return None;
    };
    let found = mask(a, b) & (u16::MAX << (at - last));
    Some((found != 0).then(|| last + found.trailing_zeros() as usize))
}

/// Every position from `from` on that [`find_any`] finds, in order.
pub(super) fn any_of(text: &[u8], from: usize, letters: [u8; 3]) -> impl Iterator<Item = usize> + '_ {
    let mut from = from;
    std::iter::from_fn(move || {
        let at = find_any(text, from, letters)?;
        from = at + 1;
        Some(at)
    })
}

/// Every position [`find_pair`] finds, in order.
pub(super) fn pairs(text: &[u8], first: u8, gap: usize, last: u8) -> impl Iterator<Item = usize> + '_ {
    let mut from = 0;
    std::iter::from_fn(move || {
        let at = find_pair(text, from, first, gap, last)?;
        from = at + 1;
        Some(at)
    })
}

/// Bit i: byte i of `window`, folded to lower case, is one of `letters`.
#[cfg(target_arch = "x86_64")]
fn matches<const N: usize>(window: &[u8; 16], letters: [u8; N]) -> u16 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8, _mm_setzero_si128,
    };
    // SAFETY: SSE2 is part of x86_64; the load reads the 16 bytes of `window`.
    unsafe {
        let folded = _mm_or_si128(_mm_loadu_si128(window.as_ptr().cast::<__m128i>()), _mm_set1_epi8(0x20));
        let any = letters.iter().fold(_mm_setzero_si128(), |any, &letter| {
            _mm_or_si128(any, _mm_cmpeq_epi8(folded, _mm_set1_epi8(letter as i8)))
        });
        _mm_movemask_epi8(any) as u16
    }
}

/// Bit i: byte i of `window`, folded to lower case, is one of `letters`.
#[cfg(not(target_arch = "x86_64"))]
fn matches<const N: usize>(window: &[u8; 16], letters: [u8; N]) -> u16 {
    scalar_matches(window, letters)
}

/// [`matches()`] a byte at a time.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn scalar_matches<const N: usize>(window: &[u8; 16], letters: [u8; N]) -> u16 {
    window
        .iter()
        .enumerate()
        .fold(0, |m, (i, &b)| m | u16::from(letters.contains(&(b | 0x20))) << i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The positions a byte at a time.
    fn naive(text: &[u8], from: usize, letters: &[u8], then: Option<(usize, u8)>) -> Vec<usize> {
        (from..text.len())
            .filter(|&at| letters.contains(&text[at].to_ascii_lowercase()))
            .filter(|&at| then.is_none_or(|(gap, l)| text.get(at + gap).is_some_and(|b| b.to_ascii_lowercase() == l)))
            .collect()
    }

    #[test]
    fn letters_are_found_in_either_case() {
        let text = "No claim, CLAIMS; cLaIm at the end: claim".as_bytes();
        let claims: Vec<usize> = pairs(text, b'c', 4, b'm').collect();
        assert_eq!(claims, [3, 10, 18, 36]);
        assert_eq!(find_any(text, 1, *b"nwy"), Some(32));
        assert_eq!(find_any(text, 33, *b"nwy"), None);
        // Bytes of UTF-8 characters never fold onto letters: é is C3 A9, Ã is C3 83.
        assert_eq!(find_any("éÃ".as_bytes(), 0, *b"ccc"), None);
        assert_eq!(find_any(b"", 0, *b"ccc"), None);
        assert_eq!(find_any(b"abc", 5, *b"ccc"), None);
        assert_eq!(pairs(b"", b'c', 1, b'c').count(), 0);
    }

    proptest! {
        #[test]
        fn letters_are_found_as_a_byte_at_a_time_finds_them(
            text in proptest::collection::vec(proptest::sample::select(
                vec![b'c', b'C', b'm', b'M', b'n', b'W', b'y', b'a', b' ', 0xC3, 0x83, 0xA3, 0x43 ^ 0x80, 0]), 0..70),
            from in 0usize..72,
            gap in 1usize..12,
            letter in proptest::sample::select(vec![b'c', b'm', b'n']),
        ) {
            prop_assert_eq!(find_any(&text, from, *b"nwy"), naive(&text, from, b"nwy", None).first().copied());
            prop_assert_eq!(any_of(&text, from, *b"nwy").collect::<Vec<_>>(), naive(&text, from, b"nwy", None));
            prop_assert_eq!(
                find_pair(&text, from, letter, gap, b'm'),
                naive(&text, from, &[letter], Some((gap, b'm'))).first().copied()
            );
            prop_assert_eq!(pairs(&text, letter, gap, b'm').collect::<Vec<_>>(), naive(&text, 0, &[letter], Some((gap, b'm'))));
        }

        #[test]
        fn the_sse2_masks_are_the_byte_masks(window in proptest::array::uniform16(any::<u8>()), letter in b'a'..=b'z') {
            prop_assert_eq!(matches(&window, [letter, b'c', b'y']), scalar_matches(&window, [letter, b'c', b'y']));
            prop_assert_eq!(matches(&window, [letter]), scalar_matches(&window, [letter]));
        }
    }
}

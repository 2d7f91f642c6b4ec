//! A count of periods as a user writes it (`--horizon 3`, `mean:3`), bounded so that
//! no period arithmetic overflows.

/// The largest step ahead and the largest window of a baseline, in periods: far beyond
/// any panel, and small enough that no period arithmetic overflows.
pub(crate) const MAX_PERIODS: u64 = 100_000;

/// A count of periods written by a user (`3` in `--horizon 3` or `mean:3`): 1 to
/// [`MAX_PERIODS`], or what was expected ("expected 1 or more periods").
pub(crate) fn periods(text: &str) -> std::result::Result<u64, String> {
    let t = text.trim();
    match t.parse::<u64>() {
        Ok(k) if (1..=MAX_PERIODS).contains(&k) => Ok(k),
        Ok(0) => Err("expected 1 or more periods".into()),
        Ok(_) => Err(format!("expected at most {MAX_PERIODS} periods")),
        Err(_) if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) => {
            Err(format!("expected at most {MAX_PERIODS} periods"))
        }
        Err(_) => Err("expected a whole number of periods".into()),
    }
}

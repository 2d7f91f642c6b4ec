//! Per-row values computed from text cells: the period code of a date, the claim code
//! of an event's text, whether an actor matches, a cell as a number, whether a cell is
//! blank. A CSV log's pass computes them as it parses each block, on its parsing
//! threads, with caches of the texts seen (dates and actor names repeat); any other log
//! gets them by a polars map over the columns. The same [`Derived::push`] serves both,
//! so the two cannot differ.

use super::letters;
use crate::error::Result;
use polars::prelude::*;
use std::collections::HashMap;

/// Texts remembered per cache (and per parsing thread); past this, values are computed
/// without being remembered.
const CACHED: usize = 1 << 16;

/// What a derived column computes from its input cells.
#[derive(Clone)]
pub(super) enum Rule {
    /// The period code of a date ([`DateReader::code`]), from one cell (i64).
    Date(std::sync::Arc<DateReader>),
    /// The claim code ([`ClaimRules::code`]) of the cells joined by a space, a missing
    /// cell as empty text (u32).
    Claim(std::sync::Arc<ClaimRules>),
    /// Whether any present cell matches (bool).
    Matches(regex::Regex),
    /// The cell as a number (f64, null when it is none): spaces at either end
    /// stripped, then read by `fast_float2::parse`, as polars casts text to Float64.
    Number,
    /// Whether the cell is missing, empty or only spaces (bool).
    Blank,
}

/// A column computed per row from input columns (see the module docs).
#[derive(Clone)]
pub(super) struct Derived {
    pub(super) name: String,
    pub(super) inputs: Vec<String>,
    pub(super) rule: Rule,
    /// Messages cite the inputs' cells (they are kept as text for the scan that
    /// finds the rows in error).
    pub(super) inputs_cited: bool,
}

/// The values of a derived column, as they are computed.
pub(super) enum Values {
    F64(Vec<Option<f64>>),
    I64(Vec<i64>),
    U32(Vec<u32>),
    Bool(Vec<bool>),
}

/// What one thread remembers while computing a derived column: values by text, and a
/// buffer for joined cells.
#[derive(Default)]
pub(super) struct Memo {
    dates: HashMap<Box<str>, i64, foldhash::fast::RandomState>,
    matches: HashMap<Box<str>, bool, foldhash::fast::RandomState>,
    text: String,
}

impl Derived {
    /// An empty column of the right type for about `rows` values.
    pub(super) fn values(&self, rows: usize) -> Values {
        match self.rule {
            Rule::Date(_) => Values::I64(Vec::with_capacity(rows)),
            Rule::Claim(_) => Values::U32(Vec::with_capacity(rows)),
            Rule::Matches(_) | Rule::Blank => Values::Bool(Vec::with_capacity(rows)),
            Rule::Number => Values::F64(Vec::with_capacity(rows)),
        }
    }

    /// Computes the value of one row from its input cells (`None`: missing) and pushes
    /// it onto `values`.
    pub(super) fn push(&self, cells: &[Option<&str>], memo: &mut Memo, values: &mut Values) {
        let first = cells.first().copied().flatten();
        match (&self.rule, values) {
            (Rule::Date(reader), Values::I64(v)) => v.push(match first {
                None => DATE_UNREADABLE,
                Some(t) => remembered(&mut memo.dates, t, |t| reader.code(t)),
            }),
            (Rule::Claim(rules), Values::U32(v)) => v.push(match cells {
                [one] => rules.code(one.unwrap_or("")),
                _ => {
                    memo.text.clear();
                    for (i, c) in cells.iter().enumerate() {
                        if i > 0 {
                            memo.text.push(' ');
                        }
                        memo.text.push_str(c.unwrap_or(""));
                    }
                    rules.code(&memo.text)
                }
            }),
            (Rule::Matches(re), Values::Bool(v)) => v.push(
                cells
                    .iter()
                    .flatten()
                    .any(|t| remembered(&mut memo.matches, t, |t| re.is_match(t))),
            ),
            (Rule::Number, Values::F64(v)) => v.push(first.and_then(|t| fast_float2::parse(t.trim_matches(' ')).ok())),
            (Rule::Blank, Values::Bool(v)) => v.push(first.is_none_or(|t| t.bytes().all(|b| b == b' '))),
            _ => unreachable!("values made by Derived::values"),
        }
    }

    /// The polars expression computing the column from its inputs (for logs not read
    /// by a pass).
    pub(super) fn expr(&self) -> Expr {
        let this = self.clone();
        let inputs: Vec<Expr> = self.inputs.iter().map(|c| col(c.as_str())).collect();
        let dtype = self.values(0).dtype();
        inputs[0].clone().map_many(
            move |columns: &mut [Column]| {
                let texts = columns
                    .iter()
                    .map(|c| c.cast(&DataType::String))
                    .collect::<PolarsResult<Vec<_>>>()?;
                let texts = texts.iter().map(|c| c.str()).collect::<PolarsResult<Vec<_>>>()?;
                let rows = texts.first().map_or(0, |t| t.len());
                let mut values = this.values(rows);
                let mut memo = Memo::default();
                let mut cells = Vec::with_capacity(texts.len());
                for i in 0..rows {
                    cells.clear();
                    cells.extend(texts.iter().map(|t| t.get(i)));
                    this.push(&cells, &mut memo, &mut values);
                }
                let name = columns[0].name().clone();
                Ok(values.into_column(name.as_str()))
            },
            &inputs[1..],
            move |_, fields| Ok(Field::new(fields[0].name().clone(), dtype.clone())),
        )
    }
}

impl Values {
    fn dtype(&self) -> DataType {
        match self {
            Values::F64(_) => DataType::Float64,
            Values::I64(_) => DataType::Int64,
            Values::U32(_) => DataType::UInt32,
            Values::Bool(_) => DataType::Boolean,
        }
    }

    pub(super) fn into_column(self, name: &str) -> Column {
        match self {
            Values::F64(v) => Column::new(name.into(), v),
            Values::I64(v) => Column::new(name.into(), v),
            Values::U32(v) => Column::new(name.into(), v),
            Values::Bool(v) => Column::new(name.into(), v),
        }
    }
}

/// The value of `text`, from `memo` when it was computed before.
fn remembered<V: Copy>(
    memo: &mut HashMap<Box<str>, V, foldhash::fast::RandomState>,
    text: &str,
    compute: impl Fn(&str) -> V,
) -> V {
    if let Some(v) = memo.get(text) {
        return *v;
    }
    let v = compute(text);
    if memo.len() < CACHED {
        memo.insert(text.into(), v);
    }
    v
}

/// Dates read without a `date_format`: forms whose day, month and year cannot be
/// mistaken (ACLED's exports write the first two).
pub(super) const DATE_FORMATS: [&str; 3] = ["%Y-%m-%d", "%d %B %Y", "%d-%B-%Y"];

/// A date with slashes, read without a named format (see `rows::event_date`).
pub(super) const DATE_SLASHED: i64 = -1;
/// A date whose year is below 1000, read without a named format.
pub(super) const DATE_SHORT_YEAR: i64 = -2;
/// An empty cell, or text that is no date in the formats tried.
pub(super) const DATE_UNREADABLE: i64 = -3;

/// Reads dates into period ordinals (see [`Period`](crate::period::Period)).
pub(super) struct DateReader {
    /// The one format to read (`date_format`); [`DATE_FORMATS`] when `None`.
    pub(super) format: Option<String>,
    pub(super) kind: crate::period::PeriodKind,
}

impl DateReader {
    /// The period ordinal of the date `text` (>= 0), or one of the negative codes
    /// `DATE_SLASHED`, `DATE_SHORT_YEAR`, `DATE_UNREADABLE`. The whole text is tried
    /// first, then its first word (a time after the date is ignored).
    pub(super) fn code(&self, text: &str) -> i64 {
        use chrono::{Datelike, NaiveDate};
        let text = text.trim_matches(' ');
        let first_word = text.split(' ').next().unwrap_or("");
        let parse = |format: &str, text: &str| NaiveDate::parse_from_str(text, format).ok();
        let date = match &self.format {
            Some(format) => parse(format, text).or_else(|| parse(format, first_word)),
            None if text.contains('/') => return DATE_SLASHED,
            None => DATE_FORMATS
                .iter()
                .find_map(|f| parse(f, text))
                .or_else(|| parse(DATE_FORMATS[0], first_word)),
        };
        match date {
            None => DATE_UNREADABLE,
            // `22-04-21` is read as the year 22: a two-digit year. `0001-01-01` writes
            // its year in full: a date (the outlying dates' check names it).
            Some(d) if self.format.is_none() && d.year() < 1000 && !writes_a_full_year(text) => DATE_SHORT_YEAR,
            Some(d) if d.year() < 0 => DATE_UNREADABLE,
            Some(d) => self.kind.ordinal(i64::from(d.year()), i64::from(d.month())),
        }
    }
}

/// Whether `text` has a run of 4 digits or more: a year written in full.
fn writes_a_full_year(text: &str) -> bool {
    text.split(|c: char| !c.is_ascii_digit()).any(|run| run.len() >= 4)
}

/// The stems every phrasing of [`super::model::ACLED_UNVERIFIED`] ends in.
const UNVERIFIED_STEMS: &[&[u8]] = &[b"verif", b"confirm", b"corroborat"];

/// The ACLED claim rules, compiled once (the same regex engine polars uses).
pub(super) struct ClaimRules {
    claimed: regex::Regex,
    not_claimed: regex::Regex,
    unverified: regex::Regex,
    /// With the default claim pattern: its matches are counted by [`count_claims`].
    claims_by_hand: bool,
    /// With the default negated-claim pattern: its matches are counted by
    /// [`count_negated`].
    negations_by_hand: bool,
    /// With the default "not verified" pattern: every phrasing it reads ends in
    /// verified, confirmed, corroborated or confirmation, verification, corroboration,
    /// so a text without any of these stems does not match.
    unverified_needs: Option<&'static [&'static [u8]]>,
}

impl ClaimRules {
    pub(super) fn new(rules: &super::model::Rules) -> Result<ClaimRules> {
        let compile = super::model::compile_rule;
        Ok(ClaimRules {
            claimed: compile("acled_claimed", &rules.acled_claimed)?,
            not_claimed: compile("acled_not_claimed", &rules.acled_not_claimed)?,
            unverified: compile("acled_unverified", &rules.acled_unverified)?,
            claims_by_hand: rules.acled_claimed == super::model::ACLED_CLAIMED,
            negations_by_hand: rules.acled_not_claimed == super::model::ACLED_NOT_CLAIMED,
            unverified_needs: (rules.acled_unverified == super::model::ACLED_UNVERIFIED).then_some(UNVERIFIED_STEMS),
        })
    }

    /// 0: no claim; 1: claimed (more claim mentions than negated ones); 2: claimed and
    /// not verified. Most notes mention no claim: a scan for the word (with the default
    /// pattern) or one search tells them apart.
    pub(super) fn code(&self, text: &str) -> u32 {
        let claims = if self.claims_by_hand {
            count_claims(text)
        } else {
            self.claimed.find_iter(text).count()
        };
        // Only whether the negated mentions reach the mentions matters.
        let negated = |most| {
            if self.negations_by_hand {
                count_negated(text, most)
            } else {
                self.not_claimed.find_iter(text).take(most).count()
            }
        };
        if claims == 0 || negated(claims) == claims {
            return 0;
        }
        let may_match = self
            .unverified_needs
            .is_none_or(|stems| stems.iter().any(|stem| contains_ignoring_case(text.as_bytes(), stem)));
        if may_match && self.unverified.is_match(text) {
            2
        } else {
            1
        }
    }
}

/// The number of matches of the default claim pattern [`super::model::ACLED_CLAIMED`],
/// `(?i)\bclaim(s|ed|ing)?\b`, in `text`, as the regex crate counts them: each claim
/// mention ([`claim_at`]) with no word character before it. Matches cannot overlap,
/// since no suffix holds a c.
fn count_claims(text: &str) -> usize {
    letters::pairs(text.as_bytes(), b'c', 4, b'm')
        .filter(|&at| claim_at(text, at).is_some() && !word_before(text, at))
        .count()
}

/// Where the claim mention `claim(s|ed|ing)?\b` (case-insensitive) starting at byte
/// `at` ends: "claim" in any mix of cases, then either no word character, or s, ed or
/// ing and then no word character. Word characters are Unicode's (`\w`), as `\b` reads
/// them; only ASCII letters and the long s (ſ, for s) match these letters
/// case-insensitively (a unit test checks every character).
fn claim_at(text: &str, at: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    if !bytes.get(at..at + 5).is_some_and(|w| w.eq_ignore_ascii_case(b"claim")) {
        return None;
    }
    // The letters are ASCII: `at + 5` is a character boundary.
    let rest = &text[at + 5..];
    if !word_first(rest) {
        return Some(at + 5);
    }
    let suffix = match rest.as_bytes()[0] {
        b's' | b'S' => 1,
        _ if rest.starts_with('ſ') => 'ſ'.len_utf8(),
        b'e' | b'E' if rest.as_bytes().get(1).is_some_and(|b| b.eq_ignore_ascii_case(&b'd')) => 2,
        b'i' | b'I' if rest.as_bytes().get(1..3).is_some_and(|b| b.eq_ignore_ascii_case(b"ng")) => 3,
        _ => return None,
    };
    (!word_first(&rest[suffix..])).then_some(at + 5 + suffix)
}

/// Whether `text` starts with a word character (`\w`).
fn word_first(text: &str) -> bool {
    text.chars().next().is_some_and(regex_syntax::is_word_character)
}

/// Whether the character before byte `at` (a character boundary) is a word character.
fn word_before(text: &str, at: usize) -> bool {
    text[..at]
        .chars()
        .next_back()
        .is_some_and(regex_syntax::is_word_character)
}

/// The negations of [`super::model::ACLED_NOT_CLAIMED`] that are one word.
const NEGATIONS: [&[u8]; 8] = [
    b"no", b"not", b"never", b"nobody", b"none", b"neither", b"nor", b"without",
];

/// The number of matches, up to `most`, of the default negated-claim pattern
/// [`super::model::ACLED_NOT_CLAIMED`], `(?i)\b(no|not|never|nobody|none|neither|nor|without|yet
/// to)\b(\s+[\w'-]+){0,3}?\s+claim(s|ed|ing)?\b`, as the regex crate's `find_iter`
/// finds them: from the left, each search going on from the end of the last match.
fn count_negated(text: &str, most: usize) -> usize {
    let bytes = text.as_bytes();
    let (mut from, mut count) = (0, 0);
    while count < most {
        // Every negation starts with n, w or y (ASCII letters only match them).
        let found = letters::any_of(bytes, from, *b"nwy").find_map(|at| negated_at(text, at));
        let Some(end) = found else { break };
        count += 1;
        from = end;
    }
    count
}

/// Where a match of [`super::model::ACLED_NOT_CLAIMED`] starting at byte `at` ends. The
/// pattern's parts read each character one way, so the match is found without going
/// back: a negation that is a whole word (its letters in any case; "yet to" with one
/// space), then up to three times whitespace (`\s`) and a word of `[\w'-]`, the first
/// whitespace after which a claim mention ([`claim_at`]) follows ending the match
/// (the lazy `{0,3}?`). Whitespace and `[\w'-]` share no character, so each is read
/// whole.
fn negated_at(text: &str, at: usize) -> Option<usize> {
    if word_before(text, at) {
        return None;
    }
    // Where a run of characters of `class` from byte `from` ends.
    let run = |from: usize, class: fn(char) -> bool| {
        text[from..]
            .char_indices()
            .find(|&(_, c)| !class(c))
            .map_or(text.len(), |(i, _)| from + i)
    };
    let word_end = |from: usize| run(from, regex_syntax::is_word_character);
    let end = word_end(at);
    let word = &text.as_bytes()[at..end];
    let mut pos = if NEGATIONS.iter().any(|n| word.eq_ignore_ascii_case(n)) {
        end
    } else if word.eq_ignore_ascii_case(b"yet")
        && text.as_bytes().get(end) == Some(&b' ')
        && text
            .as_bytes()
            .get(end + 1..word_end(end + 1))
            .is_some_and(|w| w.eq_ignore_ascii_case(b"to"))
    {
        word_end(end + 1)
    } else {
        return None;
    };
    for words in 0..=3 {
        let after_space = run(pos, char::is_whitespace);
        if after_space == pos {
            return None;
        }
        if let Some(end) = claim_at(text, after_space) {
            return Some(end);
        }
        if words == 3 {
            return None;
        }
        pos = run(after_space, |c| {
            c == '\'' || c == '-' || regex_syntax::is_word_character(c)
        });
        if pos == after_space {
            return None;
        }
    }
    None
}

/// Whether `text` holds `word` (two or more lower-case ASCII letters) in any mix of
/// cases.
fn contains_ignoring_case(text: &[u8], word: &[u8]) -> bool {
    let last = word.len() - 1;
    letters::pairs(text, word[0], last, word[last])
        .any(|at| text.get(at..=at + last).is_some_and(|w| w.eq_ignore_ascii_case(word)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period::PeriodKind;

    #[test]
    fn numbers_and_blanks_read_as_polars_reads_them() {
        let texts = [
            Some(" 3 "),
            Some("3.5"),
            Some("1e3"),
            Some("inf"),
            Some("-Infinity"),
            Some("NaN"),
            Some(""),
            Some("   "),
            Some("x"),
            Some("+4"),
            Some("-0"),
            Some(" 2 3"),
            Some("0x10"),
            Some("1,5"),
            None,
            Some("\t4"),
            Some(".5"),
            Some("5."),
            Some("1_000"),
            Some("9007199254740993"),
        ];
        let frame = DataFrame::new_infer_height(vec![Column::new("c".into(), texts.to_vec())]).unwrap();
        let stripped = || col("c").str().strip_chars(lit(" "));
        let theirs = frame
            .lazy()
            .select([
                stripped().cast(DataType::Float64).alias("n"),
                col("c").is_null().or(stripped().eq(lit(""))).alias("b"),
            ])
            .collect()
            .unwrap();
        let ours = |rule: Rule| {
            let d = Derived {
                name: "x".into(),
                inputs: vec!["c".into()],
                rule,
                inputs_cited: true,
            };
            let (mut values, mut memo) = (d.values(texts.len()), Memo::default());
            for t in texts {
                d.push(&[t], &mut memo, &mut values);
            }
            values
        };
        let Values::F64(numbers) = ours(Rule::Number) else {
            unreachable!()
        };
        let expected: Vec<Option<f64>> = theirs.column("n").unwrap().f64().unwrap().iter().collect();
        assert_eq!(
            numbers.iter().map(|v| v.map(f64::to_bits)).collect::<Vec<_>>(),
            expected.iter().map(|v| v.map(f64::to_bits)).collect::<Vec<_>>(),
            "{numbers:?} vs polars {expected:?}"
        );
        let Values::Bool(blanks) = ours(Rule::Blank) else {
            unreachable!()
        };
        let expected: Vec<bool> = theirs
            .column("b")
            .unwrap()
            .bool()
            .unwrap()
            .iter()
            .map(|b| b.unwrap())
            .collect();
        assert_eq!(blanks, expected);
    }

    #[test]
    fn the_claim_letters_are_found_in_any_case_and_only_ascii_letters_match_them() {
        assert!(contains_ignoring_case(b"ISKP CLAIMED it", b"claim"));
        assert!(contains_ignoring_case(b"a cLaIm", b"claim"));
        assert!(!contains_ignoring_case(b"clai", b"claim"));
        assert!(!contains_ignoring_case(b"c laim, acclaim-", b"claimx"));
        // The scans may stand in for the default patterns only if no other character
        // matches their letters case-insensitively (the regex crate folds Unicode case:
        // K also matches the Kelvin sign, s the long s).
        // Every character the case-insensitive class `letters` matches.
        let matching = |letters: &str| -> String {
            let class = regex::Regex::new(&format!("(?i)^[{letters}]$")).unwrap();
            (0..=0x10FFFF)
                .filter_map(char::from_u32)
                .filter(|c| class.is_match(c.encode_utf8(&mut [0; 4])))
                .collect()
        };
        assert_eq!(matching("claimverfontb"), "ABCEFILMNORTVabcefilmnortv");
        // The claim suffixes' and the negations' other letters: the long s also
        // matches s.
        assert_eq!(matching("sedngywhu"), "DEGHNSUWYdeghnsuwyſ");
        // The default rules give the same codes with and without the scans.
        let rules = ClaimRules::new(&crate::events::model::Rules::default()).unwrap();
        assert!(rules.claims_by_hand && rules.negations_by_hand && rules.unverified_needs.is_some());
        let plain = ClaimRules {
            claims_by_hand: false,
            negations_by_hand: false,
            unverified_needs: None,
            ..ClaimRules::new(&crate::events::model::Rules::default()).unwrap()
        };
        for text in [
            "ISKP claimed responsibility. The claim could not be independently verified.",
            "IS-K claimed it; unconfirmed.",
            "IS-K claimed it, without independent CORROBORATION",
            "IS-K claimed it, not yet been Confirmed",
            "IS-K claimed it; it was verified later",
            "No group claimed the attack.",
            "IS-K CLAIMS it fired rockets",
            "clamour, acclaimed film",
            "",
        ] {
            assert_eq!(rules.code(text), plain.code(text), "{text}");
        }
    }

    proptest::proptest! {
        #[test]
        fn the_letter_scans_change_no_claim_code(
            words in proptest::collection::vec(proptest::sample::select(vec![
                "claim", "CLAIMED", "Claims", "acclaim", "no", "Not", "never", "yet", "to", "been",
                "unverified", "UNCONFIRMED", "could", "be", "independently", "Verified", "confirmation",
                "corroborated", "without", "can't", "cannot", "IS-K", "the", ",", ".", "claimé", "ſ",
            ]), 0..14),
        ) {
            static RULES: std::sync::LazyLock<(ClaimRules, ClaimRules)> = std::sync::LazyLock::new(|| {
                let rules = || ClaimRules::new(&crate::events::model::Rules::default()).unwrap();
                (rules(), ClaimRules { claims_by_hand: false, negations_by_hand: false, unverified_needs: None, ..rules() })
            });
            let text = words.join(" ");
            proptest::prop_assert_eq!(RULES.0.code(&text), RULES.1.code(&text), "{}", text);
        }
    }

    #[test]
    fn claims_are_counted_as_the_pattern_counts_them() {
        let cases = [
            ("ISKP claimed responsibility. The claim could not be verified.", 2),
            ("CLAIMS, Claiming, claimſ and cLaImEd", 4),
            (
                "acclaimed, claimant, claim_x, claim1, claimé, éclaim, claimsx, claimedly",
                0,
            ),
            ("claim-based (claim) «claim» claim's", 4),
            ("claimin claimings claime", 0),
            ("claim", 1),
            ("", 0),
        ];
        let claimed = regex::Regex::new(crate::events::model::ACLED_CLAIMED).unwrap();
        for (text, count) in cases {
            assert_eq!(claimed.find_iter(text).count(), count, "the pattern on {text}");
            assert_eq!(count_claims(text), count, "{text}");
        }
    }

    proptest::proptest! {
        #[test]
        fn claims_are_counted_as_the_pattern_counts_them_on_random_texts(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "claim", "CLAIM", "cLaIm", "s", "S", "ſ", "ed", "ED", "ing", "InG", "in", "e", "x", "_", "1", "é",
                "ß", "-", "'", " ", ".", "(", "c", "laim", "\u{301}", "\u{200d}", "🌍", "K",
            ]), 0..16),
        ) {
            static CLAIMED: std::sync::LazyLock<regex::Regex> =
                std::sync::LazyLock::new(|| regex::Regex::new(crate::events::model::ACLED_CLAIMED).unwrap());
            let text = parts.concat();
            proptest::prop_assert_eq!(count_claims(&text), CLAIMED.find_iter(&text).count(), "{}", text);
        }
    }

    #[test]
    fn negated_claims_are_counted_as_the_pattern_counts_them() {
        let cases = [
            ("No group claimed the attack; nobody has yet claimed it", 2),
            ("it was not independently or officially claimed", 1),
            ("it was not independently or very officially claimed", 0),
            ("has not yet been claimed", 1),
            ("no claim claim", 1),
            ("yet to claim, yet  to claim, yet\tto claim, yet tomorrow claims", 1),
            ("no-one claimed, no (claim), no, claim", 0),
            (
                "NOT\u{a0}CLAIMED, Neither\tclaimed, without\n  claim's, none o'er-the-top claims",
                4,
            ),
            ("nor claimſ, know claim, anon claim, noé claim, no claimé", 1),
            ("no 1 2 3 claim, no 1 2 3 4 claim", 1),
        ];
        let negated = regex::Regex::new(crate::events::model::ACLED_NOT_CLAIMED).unwrap();
        for (text, count) in cases {
            assert_eq!(negated.find_iter(text).count(), count, "the pattern on {text}");
            assert_eq!(count_negated(text, usize::MAX), count, "{text}");
            assert_eq!(count_negated(text, 1), count.min(1), "{text}");
        }
        // Whitespace is `\s` as the regex crate reads it, on every character.
        let space = regex::Regex::new(r"^\s$").unwrap();
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(space.is_match(c.encode_utf8(&mut [0; 4])), c.is_whitespace(), "{c:?}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        #[test]
        fn negated_claims_are_counted_as_the_pattern_counts_them_on_random_texts(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "no", "NOT", "Never", "nobody", "none", "neither", "nor", "without", "yet", "to", "yet to",
                "claim", "Claims", "claimed", "claiming", "claimx", "ſ", "group", "it", "o'er", "-", "'",
                " ", " ", "  ", "\t", "\u{a0}", "\n", ",", ".", "é", "_", "1", "n", "w", "y", "know",
            ]), 0..20),
        ) {
            static NEGATED: std::sync::LazyLock<regex::Regex> =
                std::sync::LazyLock::new(|| regex::Regex::new(crate::events::model::ACLED_NOT_CLAIMED).unwrap());
            let text = parts.concat();
            proptest::prop_assert_eq!(count_negated(&text, usize::MAX), NEGATED.find_iter(&text).count(), "{}", text);
        }
    }

    fn reader(format: Option<&str>, kind: PeriodKind) -> DateReader {
        DateReader {
            format: format.map(String::from),
            kind,
        }
    }

    #[test]
    fn dates_read_into_period_ordinals() {
        let year = reader(None, PeriodKind::Year);
        assert_eq!(year.code("2022-04-21"), 2022);
        assert_eq!(year.code(" 21 April 2022 "), 2022);
        assert_eq!(year.code("4 May 2022"), 2022);
        assert_eq!(year.code("21-April-2022"), 2022);
        assert_eq!(year.code("2022-04-21 00:00:00.000"), 2022);
        // Quarter 2022-Q2 is 4 * 2022 + 1; month 2022-04 is 12 * 2022 + 3.
        assert_eq!(reader(None, PeriodKind::Quarter).code("2022-04-21"), 8089);
        assert_eq!(reader(None, PeriodKind::Month).code("21 April 2022"), 24267);
        assert_eq!(reader(None, PeriodKind::Month).code("1 December 2021"), 24263);
    }

    #[test]
    fn ambiguous_and_unreadable_dates_get_their_codes() {
        let year = reader(None, PeriodKind::Year);
        assert_eq!(year.code("4/5/2022"), DATE_SLASHED);
        assert_eq!(year.code("22-04-21"), DATE_SHORT_YEAR);
        assert_eq!(year.code("21 April 22"), DATE_SHORT_YEAR);
        // Reported: `0001-01-01` was called a two-digit year; it is the year 1.
        assert_eq!(year.code("0001-01-01"), 1);
        assert_eq!(year.code("0999-12-31"), 999);
        assert_eq!(year.code("yesterday"), DATE_UNREADABLE);
        assert_eq!(year.code(""), DATE_UNREADABLE);
        assert_eq!(year.code("2022-02-30"), DATE_UNREADABLE);
        // A named format reads only that format, slashes and short years included.
        let named = reader(Some("%d/%m/%Y"), PeriodKind::Month);
        assert_eq!(named.code("4/5/2022"), 2022 * 12 + 4);
        assert_eq!(named.code("2022-05-04"), DATE_UNREADABLE);
        let short = reader(Some("%d-%b-%y"), PeriodKind::Year);
        assert_eq!(short.code("21-Apr-22"), 2022);
    }
}

//! Periods: years, quarters or months, with calendar arithmetic for lags.
//!
//! A period is read from text: `2022` (year), `2022-Q1` / `2022Q1` (quarter) or
//! `2022-03` (month). All periods of one data set must be of the same kind, so
//! "the previous period" is the calendar predecessor: a lag of one year from 2020
//! is 2019 even when 2019 is absent from the data (then the lag is missing).

use std::cmp::Ordering;
use std::fmt;

/// The granularity of a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PeriodKind {
    Year,
    Quarter,
    Month,
}

/// One period, stored as an ordinal so that `ordinal - k` is "k periods earlier".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    pub(crate) kind: PeriodKind,
    /// Year for years, `4 * year + quarter - 1` for quarters, `12 * year + month - 1` for months.
    pub(crate) ordinal: i64,
}

impl PeriodKind {
    /// The ordinal of the period of this kind that holds `month` (1-12) of `year`
    /// (see [`Period::ordinal`]): `year`, `4 year + (month - 1) / 3` or
    /// `12 year + month - 1`.
    pub(crate) fn ordinal(self, year: i64, month: i64) -> i64 {
        match self {
            PeriodKind::Year => year,
            PeriodKind::Quarter => 4 * year + (month - 1) / 3,
            PeriodKind::Month => 12 * year + month - 1,
        }
    }

    /// "year", "quarter" or "month".
    pub fn name(&self) -> &'static str {
        match self {
            PeriodKind::Year => "year",
            PeriodKind::Quarter => "quarter",
            PeriodKind::Month => "month",
        }
    }
}

impl Period {
    /// Year, quarter or month.
    pub fn kind(&self) -> PeriodKind {
        self.kind
    }

    /// The period of `kind` that holds today's date (UTC).
    pub fn now(kind: PeriodKind) -> Period {
        use chrono::Datelike;
        let today = chrono::Utc::now().date_naive();
        Period {
            kind,
            ordinal: kind.ordinal(i64::from(today.year()), i64::from(today.month())),
        }
    }

    /// Parses `2022`, `2022.0`, `2022-Q3`, `2022Q3`, `2022-07` or `2022-7`.
    pub fn parse(text: &str) -> Option<Period> {
        let t = text.trim();
        if let Ok(year) = t.parse::<i64>() {
            return Some(Period {
                kind: PeriodKind::Year,
                ordinal: year,
            });
        }
        // Spreadsheets and parquet floats write years as "2022.0".
        if let Some(year) = t.strip_suffix(".0").and_then(|y| y.parse::<i64>().ok()) {
            return Some(Period {
                kind: PeriodKind::Year,
                ordinal: year,
            });
        }
        let upper = t.to_ascii_uppercase();
        if let Some((year, quarter)) = upper.split_once('Q') {
            let year: i64 = year.trim_end_matches('-').parse().ok()?;
            let quarter: i64 = quarter.parse().ok()?;
            if (1..=4).contains(&quarter) {
                return Some(Period {
                    kind: PeriodKind::Quarter,
                    ordinal: 4 * year + quarter - 1,
                });
            }
            return None;
        }
        if let Some((year, month)) = t.split_once('-') {
            let year: i64 = year.parse().ok()?;
            let month: i64 = month.parse().ok()?;
            if (1..=12).contains(&month) {
                return Some(Period {
                    kind: PeriodKind::Month,
                    ordinal: 12 * year + month - 1,
                });
            }
        }
        None
    }

    /// What a period must look like, for a message about `text`.
    pub(crate) fn expected(text: &str) -> String {
        format!("expected a period such as 2022, 2022-Q1 or 2022-03, found `{text}`")
    }

    /// The period `k` steps earlier (`k` may be negative for later periods).
    pub fn shifted(self, k: i64) -> Period {
        Period {
            kind: self.kind,
            ordinal: self.ordinal - k,
        }
    }
}

impl Ord for Period {
    fn cmp(&self, other: &Self) -> Ordering {
        self.ordinal.cmp(&other.ordinal)
    }
}

impl PartialOrd for Period {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            PeriodKind::Year => write!(f, "{}", self.ordinal),
            PeriodKind::Quarter => write!(f, "{}-Q{}", self.ordinal.div_euclid(4), self.ordinal.rem_euclid(4) + 1),
            PeriodKind::Month => write!(
                f,
                "{}-{:02}",
                self.ordinal.div_euclid(12),
                self.ordinal.rem_euclid(12) + 1
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals_of_a_month_in_each_kind() {
        // April 2022: year 2022; Q2 = 4 * 2022 + 1 = 8089; month 12 * 2022 + 3 = 24267.
        assert_eq!(PeriodKind::Year.ordinal(2022, 4), 2022);
        assert_eq!(PeriodKind::Quarter.ordinal(2022, 4), 8089);
        assert_eq!(PeriodKind::Month.ordinal(2022, 4), 24267);
        let shown = |kind, month| {
            Period {
                kind,
                ordinal: kind.ordinal(2022, month),
            }
            .to_string()
        };
        assert_eq!(shown(PeriodKind::Quarter, 12), "2022-Q4");
        assert_eq!(shown(PeriodKind::Month, 1), "2022-01");
    }

    #[test]
    fn parses_and_prints_each_kind() {
        for (text, shown) in [
            ("2022", "2022"),
            ("2022.0", "2022"),
            ("2022-Q1", "2022-Q1"),
            ("2022q4", "2022-Q4"),
            ("2022-03", "2022-03"),
            ("2022-3", "2022-03"),
        ] {
            assert_eq!(Period::parse(text).unwrap().to_string(), shown, "{text}");
        }
        assert!(Period::parse("2022-Q5").is_none());
        assert!(Period::parse("2022-13").is_none());
        assert!(Period::parse("last year").is_none());
    }

    #[test]
    fn lags_cross_year_boundaries() {
        let q1 = Period::parse("2022-Q1").unwrap();
        assert_eq!(q1.shifted(1).to_string(), "2021-Q4");
        let jan = Period::parse("2022-01").unwrap();
        assert_eq!(jan.shifted(2).to_string(), "2021-11");
        let y = Period::parse("2022").unwrap();
        assert_eq!(y.shifted(4).to_string(), "2018");
    }
}

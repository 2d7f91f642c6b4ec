//! Checks of a valid framework that need the data: its period bounds against the
//! data's kind of period, and what screening leaves to score.

use crate::error::{Error, Result};
use crate::framework::model::Framework;
use crate::period::Period;

/// `index.first_period` and `index.last_period` must be periods of the data's kind
/// (`first` is the data's first period).
pub(crate) fn period_bounds(fw: &Framework, first: Period) -> Result<()> {
    for (key, bound) in [
        ("first_period", fw.index.first_period),
        ("last_period", fw.index.last_period),
    ] {
        if let Some(b) = bound {
            if b.kind != first.kind {
                return Err(Error::Framework {
                    file: fw.file.clone(),
                    key: format!("index.{key}"),
                    message: format!("`{b}` is not the same kind of period as the data's (e.g. `{first}`)"),
                });
            }
        }
    }
    Ok(())
}

/// `screen.indicator_min_coverage` must leave at least one indicator (`kept[k]`).
pub(crate) fn indicators_kept(fw: &Framework, kept: &[bool]) -> Result<()> {
    if kept.iter().any(|&k| k) {
        return Ok(());
    }
    Err(Error::Framework {
        file: fw.file.clone(),
        key: "screen.indicator_min_coverage".into(),
        message: "every indicator was screened out: lower the threshold".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period::PeriodKind;

    fn framework(extra: &str) -> Framework {
        let text = format!(
            "[index]\nid = \"r\"\nunit = \"u\"\nperiod = \"t\"\n{extra}[[indicator]]\nid = \"a\"\ngroup = \"r\"\n"
        );
        Framework::from_toml(&text, "t.toml").unwrap()
    }

    #[test]
    fn period_bounds_must_be_of_the_datas_kind() {
        let fw = framework("first_period = 2018\n");
        assert!(period_bounds(&fw, Period::parse("2019").unwrap()).is_ok());
        let quarter = Period::parse("2019-Q1").unwrap();
        assert_eq!(quarter.kind, PeriodKind::Quarter);
        assert_eq!(
            period_bounds(&fw, quarter).unwrap_err().to_string(),
            "t.toml: key `index.first_period`: `2018` is not the same kind of period as the data's (e.g. `2019-Q1`)"
        );
    }

    #[test]
    fn screening_must_leave_an_indicator() {
        let fw = framework("");
        assert!(indicators_kept(&fw, &[true]).is_ok());
        assert_eq!(
            indicators_kept(&fw, &[false]).unwrap_err().to_string(),
            "t.toml: key `screen.indicator_min_coverage`: every indicator was screened out: lower the threshold"
        );
    }
}

//! Naive forecasts every variant is set against, made from the outcome's own history.
//!
//! At origin t each baseline reads the outcome at periods up to t only, as derived on
//! the panel cut at t (the same cut the variants are scored on), for each unit u
//! (`y_u,p`: the outcome of u at period p; missing values are left out; "event": `y >
//! threshold`; the last k periods: periods p with `t - k < p <= t`):
//! - `persistence`: the last known value, `y_u,t` or, where it is missing, the latest
//!   `y_u,p` before t (last value carried forward; Hegre et al. 2019, ViEWS);
//! - `mean:k`: the mean of `y_u,p` over the last k periods (a moving average);
//! - `own_rate`: the share of u's periods up to t with an event (the unit's own history,
//!   ViEWS' "conflictology" as a frequency);
//! - `base_rate`: the share of all unit-periods up to t with an event: one probability
//!   for every unit at an origin (it ranks nobody: at one origin its AUROC is 0.5 and
//!   its average precision the share of events; pooled over origins whose rates differ,
//!   it ranks the origins);
//! - `any:k`: 1 if u had an event in the last k periods, else 0.
//!
//! ## References
//! Hegre et al. (2019) ViEWS: a political violence early-warning system, J. Peace
//! Research 56(2). Hegre et al. (2022) Forecasting fatalities, International
//! Interactions 48(4) (the prediction competition's benchmarks: zero, last value, moving
//! average, conflictology).

use crate::error::{suggest, Error, Result};
use crate::period::Period;

/// A naive forecast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Baseline {
    Persistence,
    Mean(usize),
    OwnRate,
    BaseRate,
    Any(usize),
}

/// The baselines of every backtest unless `--baselines` says otherwise.
pub(crate) const DEFAULT: &str = "persistence,mean:3,own_rate,base_rate,any:3";

const NAMES: [&str; 5] = ["persistence", "mean:K", "own_rate", "base_rate", "any:K"];

impl Baseline {
    /// The name in outputs and on the command line (`mean:3`).
    pub fn name(&self) -> String {
        match self {
            Baseline::Persistence => "persistence".into(),
            Baseline::Mean(k) => format!("mean:{k}"),
            Baseline::OwnRate => "own_rate".into(),
            Baseline::BaseRate => "base_rate".into(),
            Baseline::Any(k) => format!("any:{k}"),
        }
    }

    /// The range of the forecast when it is a probability or a 0/1 flag (mapped as is
    /// under `--calibration none`); counts have none.
    pub(crate) fn scale(&self) -> Option<(f64, f64)> {
        match self {
            Baseline::OwnRate | Baseline::BaseRate | Baseline::Any(_) => Some((0.0, 1.0)),
            Baseline::Persistence | Baseline::Mean(_) => None,
        }
    }

    /// A comma-separated list, names in any case (`none` alone for no baseline); every
    /// bad name is a problem of `--baselines`, the nearest name suggested.
    pub(crate) fn parse_list(text: &str) -> Result<Vec<Baseline>> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Error::argument(
                "baselines",
                format!("expected a list of baselines ({}), or none", NAMES.join(", ")),
            ));
        }
        if text.eq_ignore_ascii_case("none") {
            return Ok(Vec::new());
        }
        let mut out: Vec<Baseline> = Vec::new();
        let mut problems = Vec::new();
        for item in text.split(',').map(str::trim) {
            match Baseline::parse(&item.to_ascii_lowercase()) {
                Ok(b) if out.contains(&b) => {
                    problems.push(Error::argument("baselines", format!("`{}` is given twice", b.name())))
                }
                Ok(b) => out.push(b),
                Err(message) => problems.push(Error::argument("baselines", message)),
            }
        }
        Error::from_problems(problems)?;
        Ok(out)
    }

    fn parse(item: &str) -> std::result::Result<Baseline, String> {
        let (name, k) = match item.split_once(':') {
            Some((name, k)) => (name, Some(k)),
            None => (item, None),
        };
        let periods = |k: Option<&str>| -> std::result::Result<usize, String> {
            let Some(k) = k else {
                return Err(format!("`{name}` needs a number of periods: `{name}:3`"));
            };
            super::count::periods(k)
                .map(|k| k as usize)
                .map_err(|m| format!("`{item}`: {m} after `{name}:`, found `{k}`"))
        };
        let none = |b: Baseline| match k {
            None => Ok(b),
            Some(_) => Err(format!("`{item}`: `{name}` takes no number of periods")),
        };
        match name {
            "persistence" => none(Baseline::Persistence),
            "own_rate" => none(Baseline::OwnRate),
            "base_rate" => none(Baseline::BaseRate),
            "mean" => periods(k).map(Baseline::Mean),
            "any" => periods(k).map(Baseline::Any),
            "none" => Err("`none` stands alone (no baseline at all): leave it out of a list".into()),
            "" => Err("an empty baseline name (two commas, or a comma at an end)".into()),
            _ => Err(format!(
                "unknown baseline `{name}` (known: {}, or none){}",
                NAMES.join(", "),
                suggest(
                    name,
                    ["persistence", "mean", "own_rate", "base_rate", "any"].into_iter()
                )
            )),
        }
    }

    /// The forecast of every unit at origin `t` from the outcome `y` of the panel cut at
    /// t (cell `p * n_units + u`, periods `periods[..=t]`); NaN where the history is
    /// empty.
    pub(crate) fn forecasts(&self, y: &[f64], periods: &[Period], t: usize, threshold: f64) -> Vec<f64> {
        let n_units = y.len() / (t + 1);
        debug_assert_eq!(y.len(), (t + 1) * n_units);
        let now = periods[t].ordinal;
        let last = |k: usize| (0..=t).filter(move |&p| periods[p].ordinal > now - k as i64);
        let event = |v: f64| f64::from(u8::from(v > threshold));
        let mean_over = |u: usize, ps: &mut dyn Iterator<Item = usize>, f: &dyn Fn(f64) -> f64| {
            let (mut sum, mut n) = (0.0, 0usize);
            for p in ps {
                let v = y[p * n_units + u];
                if !v.is_nan() {
                    sum += f(v);
                    n += 1;
                }
            }
            if n == 0 {
                f64::NAN
            } else {
                sum / n as f64
            }
        };
        match *self {
            Baseline::Persistence => (0..n_units)
                .map(|u| {
                    (0..=t)
                        .rev()
                        .map(|p| y[p * n_units + u])
                        .find(|v| !v.is_nan())
                        .unwrap_or(f64::NAN)
                })
                .collect(),
            Baseline::Mean(k) => (0..n_units).map(|u| mean_over(u, &mut last(k), &|v| v)).collect(),
            Baseline::OwnRate => (0..n_units).map(|u| mean_over(u, &mut (0..=t), &event)).collect(),
            Baseline::Any(k) => (0..n_units)
                .map(|u| {
                    let share = mean_over(u, &mut last(k), &event);
                    if share.is_nan() {
                        f64::NAN
                    } else {
                        f64::from(u8::from(share > 0.0))
                    }
                })
                .collect(),
            Baseline::BaseRate => {
                let known: Vec<f64> = y.iter().copied().filter(|v| !v.is_nan()).collect();
                let rate = if known.is_empty() {
                    f64::NAN
                } else {
                    known.iter().map(|&v| event(v)).sum::<f64>() / known.len() as f64
                };
                vec![rate; n_units]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period::PeriodKind;

    fn years(ys: &[i64]) -> Vec<Period> {
        ys.iter()
            .map(|&y| Period {
                kind: PeriodKind::Year,
                ordinal: y,
            })
            .collect()
    }

    /// 2 units over 4 years (cell = period x 2 + unit): A 0, 3, NaN, 1; B 2, 0, 0, 0.
    /// Threshold 0.5 (events: A in 2019 and 2021, B in 2018).
    #[test]
    fn each_baseline_by_hand() {
        let y = [0.0, 2.0, 3.0, 0.0, f64::NAN, 0.0, 1.0, 0.0];
        let p = years(&[2018, 2019, 2020, 2021]);
        let at = |b: Baseline| b.forecasts(&y, &p, 3, 0.5);
        assert_eq!(at(Baseline::Persistence), [1.0, 0.0]);
        // Last 3 years 2019-2021: A (3 + 1) / 2 (2020 missing), B 0.
        assert_eq!(at(Baseline::Mean(3)), [2.0, 0.0]);
        // A: events in 2 of its 3 known years; B: 1 of 4.
        assert_eq!(at(Baseline::OwnRate), [2.0 / 3.0, 0.25]);
        // 3 events of 7 known unit-years, for both.
        assert_eq!(at(Baseline::BaseRate), [3.0 / 7.0, 3.0 / 7.0]);
        assert_eq!(at(Baseline::Any(3)), [1.0, 0.0]);
        assert_eq!(at(Baseline::Any(4)), [1.0, 1.0]);
        // At 2020, A's only value in the last year is missing; persistence carries its
        // 2019 value forward. Without any earlier value there is none.
        let cut = &y[..6];
        let a = Baseline::Any(1).forecasts(cut, &p, 2, 0.5);
        assert!(a[0].is_nan() && a[1] == 0.0);
        assert_eq!(Baseline::Persistence.forecasts(cut, &p, 2, 0.5), [3.0, 0.0]);
        let first = [f64::NAN, 1.0];
        assert!(Baseline::Persistence.forecasts(&first, &p, 0, 0.5)[0].is_nan());
    }

    /// The window counts periods by date, not by position: 2016 is not among the last
    /// 3 years of 2020 when the panel skips from 2016 to 2019.
    #[test]
    fn the_last_k_periods_are_periods_of_the_calendar() {
        let y = [9.0, 1.0, 2.0];
        let p = years(&[2016, 2019, 2020]);
        assert_eq!(Baseline::Mean(3).forecasts(&y, &p, 2, 0.0), [1.5]);
    }

    #[test]
    fn lists_are_read_and_bad_names_said_with_the_nearest() {
        let all = Baseline::parse_list(DEFAULT).unwrap();
        assert_eq!(all.iter().map(Baseline::name).collect::<Vec<_>>().join(","), DEFAULT);
        assert!(Baseline::parse_list("none").unwrap().is_empty());
        assert_eq!(
            Baseline::parse_list(" ").unwrap_err().to_string(),
            "baselines: expected a list of baselines (persistence, mean:K, own_rate, base_rate, any:K), or none"
        );
        assert_eq!(
            Baseline::parse_list("Persistence, MEAN:2").unwrap(),
            [Baseline::Persistence, Baseline::Mean(2)]
        );
        let err =
            Baseline::parse_list("persistance,mean:0,any,own_rate:2,mean:2,mean:2,none,mean:18446744073709551615")
                .unwrap_err();
        let messages: Vec<String> = err.problems().iter().map(|p| p.to_string()).collect();
        assert_eq!(
            messages,
            [
                "baselines: unknown baseline `persistance` (known: persistence, mean:K, own_rate, base_rate, any:K, or none); did you mean `persistence`?",
                "baselines: `mean:0`: expected 1 or more periods after `mean:`, found `0`",
                "baselines: `any` needs a number of periods: `any:3`",
                "baselines: `own_rate:2`: `own_rate` takes no number of periods",
                "baselines: `mean:2` is given twice",
                "baselines: `none` stands alone (no baseline at all): leave it out of a list",
                "baselines: `mean:18446744073709551615`: expected at most 100000 periods after `mean:`, found `18446744073709551615`",
            ]
        );
    }
}

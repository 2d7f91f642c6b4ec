//! Unit tests of the backtest, against hand-computed values and scikit-learn's.

use super::*;
use crate::data::Panel;
use crate::period::PeriodKind;
use crate::score::score;
use std::collections::BTreeMap;

const EMPTY: Estimate = Estimate {
    value: f64::NAN,
    lo: f64::NAN,
    hi: f64::NAN,
};

fn settings(outcome: &str, threshold: f64, top_k: usize, bootstrap: usize) -> Settings {
    Settings {
        outcome: outcome.into(),
        horizons: vec![1],
        threshold,
        top_k,
        bootstrap,
        seed: 1,
        baselines: Vec::new(),
        calibration: Calibration::None,
    }
}

#[test]
fn settings_no_metric_can_use_are_refused_by_name() {
    let s = Settings {
        threshold: f64::NAN,
        top_k: 0,
        bootstrap: usize::MAX,
        ..settings("y", 0.0, 1, 0)
    };
    let err = s.check(9, 1, Some(24_000_000_000)).unwrap_err();
    let messages: Vec<String> = err.problems().iter().map(|p| p.to_string()).collect();
    assert_eq!(
        messages,
        [
            "threshold: expected a finite number (the outcome above it counts as an event), found NaN",
            "top_k: expected 1 or more units (precision at k of the k highest scores)",
            "bootstrap: 18446744073709551615 resamples of 9 units need about 18446744073.7 GB of memory, and 24.0 GB is available: use fewer (1000 give 95 % intervals)",
        ]
    );
    // 1000 resamples of 9 units, one variant, 5 baselines, 2 steps: 1000 x (8 x 9
    // + 112 + 6 x 2 x 56) = 856,000 bytes.
    let fine = Settings {
        threshold: 0.0,
        top_k: 3,
        bootstrap: 1000,
        horizons: vec![1, 2],
        baselines: Baseline::parse_list(baselines::DEFAULT).unwrap(),
        ..s
    };
    assert_eq!(fine.bootstrap_memory(9, 1), 856_000);
    assert!(fine.check(9, 1, Some(856_000)).is_ok() && fine.check(9, 1, Some(855_999)).is_err());
}

#[test]
fn bootstraps_of_a_few_resamples_are_refused() {
    let s = Settings {
        bootstrap: 99,
        ..settings("y", 0.0, 1, 0)
    };
    assert_eq!(
        s.check(9, 1, None).unwrap_err().to_string(),
        "bootstrap: expected 0 (no intervals) or at least 100 resamples, found 99: the 2.5 and 97.5 % quantiles of fewer are the extremes of a few draws"
    );
    assert!(Settings {
        bootstrap: 100,
        ..s.clone()
    }
    .check(9, 1, None)
    .is_ok());
    assert!(Settings { bootstrap: 0, ..s }.check(9, 1, None).is_ok());
}

#[test]
fn horizons_are_read_as_a_number_a_range_or_a_list() {
    assert_eq!(parse_horizons("1").unwrap(), [1]);
    assert_eq!(parse_horizons("1..3").unwrap(), [1, 2, 3]);
    assert_eq!(parse_horizons("4, 1,2,2").unwrap(), [1, 2, 4]);
    let said = |t: &str| parse_horizons(t).unwrap_err().to_string();
    assert_eq!(said("0"), "horizon: expected 1 or more periods ahead, found 0");
    assert_eq!(
        said("100001"),
        "horizon: expected at most 100000 periods ahead, found 100001"
    );
    assert_eq!(
        said("99999999999999999999"),
        "horizon: expected at most 100000 periods ahead, found 99999999999999999999"
    );
    assert_eq!(
        said("-1"),
        "horizon: expected periods ahead as a number (`1`), a range (`1..3`) or a list (`1,2,4`), found `-1`"
    );
    assert_eq!(said("3..1"), "horizon: the range `3..1` runs backwards: write `1..3`");
    assert_eq!(
        said("1;2"),
        "horizon: expected periods ahead as a number (`1`), a range (`1..3`) or a list (`1,2,4`), found `1;2`"
    );
    assert_eq!(
        said("1,,2"),
        "horizon: expected periods ahead as a number (`1`), a range (`1..3`) or a list (`1,2,4`), found ``"
    );
}

/// 4 units over 3 years; x rises with the unit index, y (the outcome) follows x a
/// year later, except in 2021 where unit 0 jumps.
fn panel() -> Panel {
    panel_of(
        PeriodKind::Year,
        &[2019, 2020, 2021],
        &[1.0, 2.0, 3.0, 4.0, 1.0, 2.0, 3.0, 4.0, 1.0, 2.0, 3.0, 4.0],
        &[0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 2.0, 3.0, 5.0, 1.0, 2.0, 3.0],
    )
}

fn panel_of(kind: PeriodKind, ordinals: &[i64], x: &[f64], y: &[f64]) -> Panel {
    let n_units = x.len() / ordinals.len();
    let mut columns = BTreeMap::new();
    columns.insert("x".to_string(), x.to_vec());
    columns.insert("y".to_string(), y.to_vec());
    Panel {
        units: (0..n_units).map(|u| ((b'A' + u as u8) as char).to_string()).collect(),
        periods: ordinals.iter().map(|&ordinal| Period { kind, ordinal }).collect(),
        present: vec![true; x.len()],
        columns,
        labels: BTreeMap::new(),
        sources: Vec::new(),
        neighbours: Vec::new(),
    }
}

const FW: &str =
    "[index]\nid = \"r\"\nunit = \"u\"\nperiod = \"year\"\nscale = [0, 10]\n[[indicator]]\nid = \"x\"\ngroup = \"r\"\n";

fn fw() -> Framework {
    Framework::from_toml(FW, "fw.toml").unwrap()
}

#[test]
fn scores_at_t_against_outcomes_at_t_plus_one_by_hand() {
    let bt = run(&[("base".into(), fw(), panel())], &settings("y", 1.5, 2, 100)).unwrap();
    let rows = &bt.rows;
    // t = 2019 -> 2020 and 2020 -> 2021; 2021 has no next year.
    assert_eq!(rows.len(), 3);
    let r2019 = &rows[0];
    assert_eq!(r2019.period.unwrap().ordinal, 2019);
    assert_eq!(r2019.outcome_period.unwrap().ordinal, 2020);
    let m = |r: &Row, name: &str| r.metrics[METRIC_NAMES.iter().position(|n| *n == name).unwrap()];
    // Scores 0, 3.33, 6.67, 10 vs outcomes 0, 1, 2, 3: perfectly concordant.
    assert!((m(r2019, "spearman").value - 1.0).abs() < 1e-12);
    assert!((m(r2019, "kendall_tau_b").value - 1.0).abs() < 1e-12);
    // Positives (> 1.5): C and D, the two highest scores: AUROC 1, average precision
    // 1, precision@2 = 1.
    assert_eq!(r2019.positives, 2);
    assert!((m(r2019, "auroc").value - 1.0).abs() < 1e-12);
    assert!((m(r2019, "average_precision").value - 1.0).abs() < 1e-12);
    assert!((m(r2019, "precision_at_k").value - 1.0).abs() < 1e-12);
    // Brier with p = s / 10 (--calibration none): (0)² + (1/3)² + (2/3 - 1)² + 0 =
    // 2/9, / 4; log loss: -(ln 1 + ln(2/3) + ln(2/3) + ln 1) / 4.
    assert!((m(r2019, "brier").value - 2.0 / 36.0).abs() < 1e-12);
    assert!((m(r2019, "log_loss").value + 2.0 * (2.0f64 / 3.0).ln() / 4.0).abs() < 1e-12);
    // 2020 -> 2021: A's outcome 5 breaks the order: y = 5, 1, 2, 3 vs x = 1, 2, 3, 4:
    // tau_b = (3 concordant - 3 discordant) / 6 = 0. Positives A, C, D (x = 1, 3, 4):
    // thresholds 10 (D: P 1, R 1/3), 6.67 (C: P 1, R 2/3), 3.33 (B: P 2/3), 0 (A:
    // P 3/4, R 1): AP = 1/3 + 1/3 + 1/3 x 3/4 = 0.9167.
    assert!(m(&rows[1], "kendall_tau_b").value.abs() < 1e-12);
    assert!((m(&rows[1], "average_precision").value - 11.0 / 12.0).abs() < 1e-12);
    // Pooled row.
    assert!(rows[2].period.is_none());
    assert_eq!(rows[2].n, 8);
    assert!(m(&rows[2], "spearman").lo <= m(&rows[2], "spearman").value + 1e-9);
    assert!(bt.skill.is_empty() && bt.notes.is_empty());
    assert_eq!(bt.forecasts.len(), 8);
}

#[test]
fn horizon_beyond_the_data_and_missing_outcome_are_errors() {
    let mut s = settings("y", 0.0, 1, 0);
    s.horizons = vec![1, 5];
    let e = run(&[("base".into(), fw(), panel())], &s).unwrap_err().to_string();
    assert_eq!(e, "horizon: a horizon of 5 period(s) goes beyond the data: no scored period has its outcome period in the data (the last period is 2021)");
    s.horizons = vec![1];
    s.outcome = "z".into();
    let e = run(&[("base".into(), fw(), panel())], &s).unwrap_err().to_string();
    assert!(e.contains("no column or derived column `z`"), "{e}");
}

#[test]
fn no_look_ahead_with_panel_normalisation() {
    // normalise_over = "panel" fits min-max over every scored period: scored on the
    // whole panel, 2019's scores would see 2021's outlier (x = 100 for D). Cut at
    // 2019 they must not.
    let fw = Framework::from_toml(
        &FW.replace("scale = [0, 10]", "scale = [0, 10]\nnormalise_over = \"panel\""),
        "fw.toml",
    )
    .unwrap();
    let mut p = panel();
    p.columns.get_mut("x").unwrap()[11] = 100.0;
    let bt = run(&[("base".into(), fw.clone(), p.clone())], &settings("y", 0.5, 1, 0)).unwrap();
    let at_2019: Vec<f64> = bt
        .forecasts
        .iter()
        .filter(|f| f.origin.ordinal == 2019)
        .map(|f| f.score)
        .collect();
    // On 2019 alone: x = 1, 2, 3, 4 -> 0, 3.33, 6.67, 10.
    assert!(
        (at_2019[3] - 10.0).abs() < 1e-9 && (at_2019[1] - 10.0 / 3.0).abs() < 1e-9,
        "{at_2019:?}"
    );
    // Scored on the whole panel, 2019's D would be far below 10.
    let full = score(&fw, &p).unwrap();
    assert!(full.score(3) < 5.0, "{}", full.score(3));
}

#[test]
fn no_look_ahead_the_cut_panel_ends_at_t() {
    let p = panel();
    let cut = cut_at(&p, 1);
    assert_eq!(cut.periods.len(), 2);
    assert_eq!(cut.columns["x"].len(), 8);
}

/// Every baseline's forecast at origin t is the same whatever the outcome after t:
/// the outcomes of 2020 and 2021 changed, the forecasts made in 2019 stay; and they
/// are the values of the outcome's history by hand.
#[test]
fn baselines_see_no_outcome_after_their_origin() {
    let mut s = settings("y", 0.5, 1, 0);
    s.baselines = Baseline::parse_list(baselines::DEFAULT).unwrap();
    let p = panel_of(
        PeriodKind::Year,
        &[2018, 2019, 2020, 2021],
        &[1.0, 2.0, 3.0, 4.0].repeat(4),
        &[
            0.0, 1.0, 0.0, 2.0, 0.0, 0.0, 3.0, 1.0, 0.0, 1.0, 2.0, 3.0, 5.0, 1.0, 2.0, 3.0,
        ],
    );
    let made_in_2019 = |p: &Panel| -> Vec<(String, f64)> {
        let bt = run(&[("base".into(), fw(), p.clone())], &s).unwrap();
        bt.forecasts
            .iter()
            .filter(|f| f.origin.ordinal == 2019 && bt.forecasters[f.forecaster].1 == Kind::Baseline)
            .map(|f| (bt.forecasters[f.forecaster].0.clone(), f.score))
            .collect()
    };
    let before = made_in_2019(&p);
    let mut later = p.clone();
    for v in &mut later.columns.get_mut("y").unwrap()[8..] {
        *v = 100.0 - *v;
    }
    assert_eq!(made_in_2019(&later), before);
    // By hand at 2019 (y 2018: 0 1 0 2, 2019: 0 0 3 1; events > 0.5):
    let want: Vec<(String, f64)> = [
        ("persistence", [0.0, 0.0, 3.0, 1.0]),
        ("mean:3", [0.0, 0.5, 1.5, 1.5]),
        ("own_rate", [0.0, 0.5, 0.5, 1.0]),
        ("base_rate", [0.5; 4]),
        ("any:3", [0.0, 1.0, 1.0, 1.0]),
    ]
    .iter()
    .flat_map(|(name, v)| v.iter().map(|&x| (name.to_string(), x)))
    .collect();
    assert_eq!(before, want);
}

/// With Platt scaling, an origin's probabilities come from the logistic fit on the
/// earlier origins whose outcome was known then, and the first origin has none.
#[test]
fn probabilities_are_fitted_on_earlier_origins_only() {
    let mut s = settings("y", 0.5, 1, 0);
    s.calibration = Calibration::Platt;
    // 5 units over 4 years, x noisy against next year's y: no separation.
    let x = [
        1.0, 2.0, 3.0, 4.0, 5.0, 2.0, 1.0, 4.0, 3.0, 5.0, 1.0, 3.0, 2.0, 5.0, 4.0, 3.0, 1.0, 2.0, 5.0, 4.0,
    ];
    let y = [
        0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0,
    ];
    let p = panel_of(PeriodKind::Year, &[2018, 2019, 2020, 2021], &x, &y);
    let bt = run(&[("base".into(), fw(), p)], &s).unwrap();
    let at = |year: i64| -> Vec<&Forecast> { bt.forecasts.iter().filter(|f| f.origin.ordinal == year).collect() };
    assert!(at(2018).iter().all(|f| f.p.is_nan()));
    assert!(
        bt.rows[0]
            .note
            .contains("no probability: no earlier forecast whose outcome was known"),
        "{}",
        bt.rows[0].note
    );
    // 2020's fit: the pairs of 2018 and 2019 (outcomes of 2019 and 2020).
    let earlier: Vec<&Forecast> = at(2018).into_iter().chain(at(2019)).collect();
    let scores: Vec<f64> = earlier.iter().map(|f| f.score).collect();
    let positive: Vec<bool> = earlier.iter().map(|f| f.outcome > 0.5).collect();
    let fit = calibrate::fit(&scores, &positive);
    assert!(matches!(fit, calibrate::Fit::Logistic { .. }), "{fit:?}");
    for f in at(2020) {
        assert_eq!(f.p.to_bits(), fit.probability(f.score).to_bits());
    }
    let pooled = bt.rows.iter().find(|r| r.period.is_none()).unwrap();
    assert_eq!((pooled.n, pooled.with_probability), (15, 10));
    assert!(
        pooled.note.contains("over the 10 of 15 forecasts with a probability"),
        "{}",
        pooled.note
    );
}

/// A variant whose index is the outcome itself (min-max scaled in the origin's
/// year, the same order) forecasts as persistence does: every rank metric's
/// difference is 0 and it is "no better than persistence"; against the base rate
/// its AUROC is ahead by its AUROC - 0.5.
#[test]
fn skill_is_the_paired_difference_against_each_baseline() {
    let mut s = settings("y", 0.5, 2, 200);
    s.baselines = vec![Baseline::Persistence, Baseline::BaseRate];
    let y = [0.0, 1.0, 0.0, 2.0, 0.0, 3.0, 3.0, 0.0];
    let p = panel_of(PeriodKind::Year, &[2018, 2019], &y, &y);
    let bt = run(&[("base".into(), fw(), p)], &s).unwrap();
    let vs = |b: &str| bt.skill.iter().find(|k| k.baseline == b).unwrap();
    let persistence = vs("persistence");
    for m in [0, 1, 2, 3, 6] {
        assert_eq!(persistence.difference[m].value, 0.0, "{}", METRIC_NAMES[m]);
        assert_eq!((persistence.difference[m].lo, persistence.difference[m].hi), (0.0, 0.0));
    }
    assert_eq!(persistence.verdict(VERDICT_METRIC), Verdict::NoBetter);
    assert_eq!(persistence.n, 4);
    let base_rate = vs("base_rate");
    let auroc = bt
        .rows
        .iter()
        .find(|r| r.period.is_none() && r.forecaster == "base")
        .unwrap()
        .metrics[2]
        .value;
    assert!((base_rate.difference[2].value - (auroc - 0.5)).abs() < 1e-12);
    let line = verdict(&bt.skill, "base", 1);
    assert!(
        line.starts_with("no better than persistence on average precision: +0.000 [0.000, 0.000] (beats "),
        "{line}"
    );
}

/// Every forecaster is scored on the pairs all of them have: a unit with no outcome
/// at the first origin has no persistence forecast there, so it leaves every row;
/// the run says so, and a skill is the difference of the two rows, to the bit.
#[test]
fn every_forecast_is_scored_on_the_same_pairs() {
    let mut s = settings("y", 0.5, 1, 100);
    s.baselines = vec![Baseline::Persistence, Baseline::BaseRate];
    let y = [f64::NAN, 1.0, 0.0, 2.0, 0.0, 3.0, 3.0, 0.0, 1.0, 0.0, 2.0, 1.0];
    let x = [1.0, 2.0, 3.0, 4.0].repeat(3);
    let p = panel_of(PeriodKind::Year, &[2018, 2019, 2020], &x, &y);
    let bt = run(&[("base".into(), fw(), p)], &s).unwrap();
    assert_eq!(
        bt.notes,
        ["t+1: every forecast is scored on the 7 unit-periods all of them forecast; left out of each, where another has no forecast: `base` 1, `base_rate` 1"]
    );
    let pooled = |name: &str| {
        bt.rows
            .iter()
            .find(|r| r.period.is_none() && r.forecaster == name)
            .unwrap()
    };
    for b in ["persistence", "base_rate"] {
        assert_eq!(pooled(b).n, 7);
        let skill = bt.skill.iter().find(|k| k.baseline == b).unwrap();
        for (m, name) in METRIC_NAMES.iter().enumerate() {
            let want = pooled("base").metrics[m].value - pooled(b).metrics[m].value;
            assert_eq!(skill.difference[m].value.to_bits(), want.to_bits(), "{b} {name}");
        }
    }
}

#[test]
fn verdicts_name_the_strongest_baseline_not_beaten() {
    let skill = |baseline: &str, value: f64, lo: f64, hi: f64| {
        let mut difference = [EMPTY; METRICS];
        difference[VERDICT_METRIC] = Estimate { value, lo, hi };
        Skill {
            step: 1,
            variant: "v".into(),
            baseline: baseline.into(),
            n: 10,
            difference,
        }
    };
    let all = [skill("persistence", 0.12, 0.03, 0.2), skill("mean:3", 0.3, 0.1, 0.5)];
    assert_eq!(
        verdict(&all, "v", 1),
        "beats all 2 baselines on average precision; the closest, persistence: +0.120 [0.030, 0.200]"
    );
    let some = [
        skill("persistence", -0.02, -0.1, 0.05),
        skill("mean:3", 0.3, 0.1, 0.5),
        skill("any:3", 0.01, -0.05, 0.07),
    ];
    assert_eq!(
        verdict(&some, "v", 1),
        "no better than persistence on average precision: -0.020 [-0.100, 0.050] (beats 1 of 3: mean:3)"
    );
    let worse = [skill("persistence", -0.2, -0.3, -0.1)];
    assert_eq!(
        verdict(&worse, "v", 1),
        "worse than persistence on average precision: -0.200 [-0.300, -0.100]"
    );
    let none = [skill("persistence", 0.05, f64::NAN, f64::NAN)];
    assert_eq!(
        verdict(&none, "v", 1),
        "ahead of persistence on average precision: +0.050 (point values: no intervals)"
    );
    let points = [
        skill("persistence", 0.05, f64::NAN, f64::NAN),
        skill("mean:3", -0.01, f64::NAN, f64::NAN),
    ];
    assert_eq!(
        verdict(&points, "v", 1),
        "not ahead of mean:3 on average precision: -0.010 (ahead of 1 of 2: persistence) (point values: no intervals)"
    );
    let one = [skill("persistence", 0.12, 0.03, 0.2)];
    assert_eq!(
        verdict(&one, "v", 1),
        "beats persistence on average precision: +0.120 [0.030, 0.200]"
    );
    // Rounding noise is no skill: 1 - 2e-16 against 1.
    let noise = [
        skill("mean:3", 2e-16, 1e-16, 3e-16),
        skill("any:3", f64::NAN, f64::NAN, f64::NAN),
    ];
    assert_eq!(noise[0].verdict(VERDICT_METRIC), Verdict::NoBetter);
    assert_eq!(
        verdict(&noise, "v", 1),
        "no better than mean:3 on average precision: +0.000 [0.000, 0.000]; undefined against any:3"
    );
    assert_eq!(verdict(&none, "w", 1), "");
    // Lower is better for the Brier score: a negative difference beats.
    let mut brier = skill("persistence", 0.0, 0.0, 0.0);
    brier.difference[4] = Estimate {
        value: -0.05,
        lo: -0.08,
        hi: -0.01,
    };
    assert_eq!(brier.verdict(4), Verdict::Beats);
}

/// Monthly panels: the steps are months, and each step is read separately.
#[test]
fn monthly_panels_give_each_step_apart() {
    let mut s = settings("y", 0.5, 1, 0);
    s.horizons = vec![1, 2];
    s.baselines = vec![Baseline::Persistence];
    // 2 units over Jan-Apr 2020 (ordinals 12 x 2020 + month - 1).
    let months: Vec<i64> = (0..4).map(|m| 12 * 2020 + m).collect();
    let p = panel_of(
        PeriodKind::Month,
        &months,
        &[1.0, 2.0].repeat(4),
        &[0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0],
    );
    let fw = Framework::from_toml(&FW.replace("\"year\"", "\"month\""), "fw.toml").unwrap();
    let bt = run(&[("base".into(), fw, p)], &s).unwrap();
    let origins = |step: i64| -> Vec<String> {
        bt.rows
            .iter()
            .filter(|r| r.step == step && r.kind == Kind::Variant)
            .map(|r| {
                r.period
                    .map_or("all".into(), |p| format!("{p}->{}", r.outcome_period.unwrap()))
            })
            .collect()
    };
    assert_eq!(
        origins(1),
        ["2020-01->2020-02", "2020-02->2020-03", "2020-03->2020-04", "all"]
    );
    assert_eq!(origins(2), ["2020-01->2020-03", "2020-02->2020-04", "all"]);
    assert_eq!(bt.skill.len(), 2);
}

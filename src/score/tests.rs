//! Unit tests of the scoring run, against hand-computed values.

use super::*;
use crate::data::{self, Source};

fn load(framework: &str, csv: &str) -> (Framework, Panel) {
    let fw = Framework::from_toml(framework, "t.toml").unwrap();
    let source = Source::Bytes {
        name: "t.csv".into(),
        bytes: csv.as_bytes().to_vec(),
    };
    let panel = data::load(&fw, &[source], &Default::default()).unwrap();
    (fw, panel)
}

/// The error scoring `csv` with `framework` gives.
fn fails(framework: &str, csv: &str) -> Error {
    let (fw, panel) = load(framework, csv);
    score(&fw, &panel).unwrap_err()
}

fn run(framework: &str, csv: &str) -> (Framework, Results) {
    let (fw, panel) = load(framework, csv);
    let res = score(&fw, &panel).unwrap();
    (fw, res)
}

const TWO: &str = "[index]\nid = \"r\"\nunit = \"u\"\nperiod = \"t\"\n[[group]]\nid = \"g\"\n[[indicator]]\nid = \"a\"\ngroup = \"g\"\n[[indicator]]\nid = \"b\"\ngroup = \"g\"\nIMPUTE\n";

#[test]
fn row_mean_fills_from_the_units_other_indicators() {
    let (_, res) = run(
        &TWO.replace("IMPUTE", "impute = \"row_mean\""),
        "u,t,a,b\nX,1,0,0\nY,1,10,\nZ,1,20,4\n",
    );
    // normalised a = (0, 50, 100); b = (0, -, 100); Y's b <- 50 (its a)
    let b = 1;
    assert_eq!(res.normalised[b][1], 50.0);
    assert!(res.imputed[b][1]);
    assert_eq!(res.imputed_count[1], 1);
    assert!(res.raw[b][1].is_nan());
    assert_eq!(res.score(1), 50.0);
}

#[test]
fn a_scores_only_run_gives_the_same_scores_and_keeps_no_values() {
    // A denominator (owned raw values), row-mean imputation (normalised values
    // changed after fitting) and a screened-out unit-period.
    let text = TWO
        .replace("IMPUTE", "impute = \"row_mean\"\ndenominator = \"pop\"")
        .replace("period = \"t\"", "period = \"t\"\n[screen]\nunit_min_coverage = 0.5");
    let csv = "u,t,a,b,pop\nX,1,0,0,2\nY,1,10,,4\nZ,1,20,4,5\nW,1,,,1\nX,2,3,1,2\nY,2,5,2,4\nZ,2,1,,5\nW,2,2,2,1\n";
    let (fw, panel) = load(&text, csv);
    let all = score_keeping(&fw, &panel, Keep::All).unwrap();
    let scores = score_keeping(&fw, &panel, Keep::Scores).unwrap();
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&all.group_scores[0]), bits(&scores.group_scores[0]));
    assert_eq!(bits(&all.rank), bits(&scores.rank));
    assert_eq!(bits(&all.coverage), bits(&scores.coverage));
    assert_eq!(all.imputed_count, scores.imputed_count);
    assert_eq!(all.scored, scores.scored);
    assert!(!all.scored[3], "W in period 1 is screened out");
    assert_eq!(all.raw[1][2], 4.0 / 5.0, "b of Z over its population");
    assert_eq!(all.treated.len(), 2);
    assert!(scores.raw.is_empty() && scores.treated.is_empty());
    assert!(scores.normalised.is_empty() && scores.imputed.is_empty());
}

#[test]
fn geometric_means_check_the_values_not_the_range() {
    // [0, 100] indicators; the group's arithmetic means are all 50 > 0, so a
    // geometric index over them is fine (COINr checks values, as here).
    let text = TWO
        .replace("IMPUTE", "")
        .replace("period = \"t\"", "period = \"t\"\naggregation = \"geometric\"");
    let (_, res) = run(&text, "u,t,a,b\nX,1,0,20\nY,1,10,10\nZ,1,20,0\n");
    assert!((res.score(0) - 50.0).abs() < 1e-12);
    // A geometric group over an indicator that is 0 for X: the unit, period and
    // child are named.
    let text = TWO
        .replace("IMPUTE", "")
        .replace("id = \"g\"\n", "id = \"g\"\naggregation = \"geometric\"\n");
    let err = fails(&text, "u,t,a,b\nX,1,0,20\nY,1,10,10\nZ,1,20,0\n");
    assert_eq!(
        err.to_string(),
        "t.toml: group `g`, unit `X`, period 1: geometric aggregation needs values > 0, but `a` is 0; normalise with range = [1, 100] or set geometric_range"
    );
    assert_eq!(err.kind(), crate::ErrorKind::NonPositiveValue);
}

#[test]
fn screening_by_zeros_and_forced_units() {
    let text = TWO.replace(
        "IMPUTE",
        "[screen]\nunit_min_nonzero = 0.5\ninclude = [\"Z\"]\nexclude = [\"W\"]",
    );
    // X: 1 of 2 values non-zero (0.5, kept); Y: none (dropped); Z: none but forced
    // in; W: forced out.
    let (_, res) = run(&text, "u,t,a,b\nX,1,0,2\nY,1,0,0\nZ,1,0,0\nW,1,5,5\n");
    assert_eq!(res.scored, [true, false, true, false]);
    let notes: Vec<(&str, &str)> = res.screening.iter().map(|n| (n.what, n.id.as_str())).collect();
    assert_eq!(notes, [("unit_nonzero", "Y"), ("unit_excluded", "W")]);
    assert_eq!(res.screening[0].coverage, 0.0);
    let err = fails(&text.replace("[\"W\"]", "[\"V\"]"), "u,t,a,b\nX,1,0,2\nW,1,5,5\n");
    let problems: Vec<String> = err.problems().iter().map(|p| p.to_string()).collect();
    assert_eq!(
        problems,
        [
            "t.toml: key `screen.include`: unit `Z` is not in the data",
            "t.toml: key `screen.exclude`: unit `V` is not in the data"
        ]
    );
}

#[test]
fn log_ct_maps_goalposts_and_targets_and_fracmax_names_itself() {
    // b (8 ones, 8 twos, 4 threes, 15, 60, 60) still fails the skew/kurtosis test
    // after one pass (both 60s to 15, count 2 >= max_points 1): log_CT of the
    // originals, min 1, a = 0.01 (60 - 1) = 0.59. Goalposts [1, 60] map to
    // [ln 0.59, ln 59.59], so x = 1 scores 0 and x = 60 scores 100.
    let b_values: Vec<&str> = ["1"; 8]
        .into_iter()
        .chain(["2"; 8])
        .chain(["3"; 4])
        .chain(["15", "60", "60"])
        .collect();
    let data: String = std::iter::once("u,t,a,b\n".to_string())
        .chain(b_values.iter().enumerate().map(|(i, b)| format!("U{i:02},1,{i},{b}\n")))
        .collect();
    let data = data.as_str();
    let text = TWO.replace(
        "IMPUTE",
        "winsorise = \"coinr\"\nwinsorise_max_points = 1\nnormalise = \"goalposts\"\ngoalposts = [1, 60]",
    );
    let (_, res) = run(&text, data);
    let b = 1;
    assert!((res.treated[b][0] - 0.59f64.ln()).abs() < 1e-12);
    assert!(res.normalised[b][0].abs() < 1e-9 && (res.normalised[b][22] - 100.0).abs() < 1e-9);
    // A target below min - a has no log: the error says so.
    let bad = TWO.replace(
        "IMPUTE",
        "winsorise = \"coinr\"\nwinsorise_max_points = 1\nnormalise = \"dist2targ\"\ntarget = -20",
    );
    let err = fails(&bad, data);
    assert_eq!(
        err.to_string(),
        "t.toml: indicator `b`, period 1: winsorise = \"coinr\" fell back to log_CT (ln(x - 1 + 0.59)), and the target -20 lies outside it; lower the bound, or use winsorise = \"skew_kurtosis\""
    );
    assert_eq!(err.kind(), crate::ErrorKind::OutsideDomain);
    let frac = TWO.replace("IMPUTE", "normalise = \"fracmax\"");
    let err = fails(&frac, "u,t,a,b\nA,1,1,-1\nB,1,2,-2\n");
    assert_eq!(
        err.to_string(),
        "t.toml: indicator `b`, period 1: fracmax needs a positive maximum, found -1"
    );
    assert_eq!(err.kind(), crate::ErrorKind::NonPositiveMaximum);
}

#[test]
fn screening_after_imputation_sees_the_filled_values() {
    // Y lacks b: before imputation its coverage is 50 % and it is screened out;
    // after imputation (COINr's Impute -> Screen) it is complete and scored.
    let text = TWO.replace("IMPUTE", "impute = \"mean\"\n[screen]\nunit_min_coverage = 1.0");
    let data = "u,t,a,b\nX,1,0,0\nY,1,10,\nZ,1,20,4\n";
    let (_, before) = run(&text, data);
    assert_eq!(before.scored, [true, false, true]);
    let (_, after) = run(
        &text.replace("unit_min_coverage = 1.0", "unit_min_coverage = 1.0\non = \"imputed\""),
        data,
    );
    assert_eq!(after.scored, [true, true, true]);
    // b's mean over X, Y, Z's present values: (0 + 4)/2 = 2, flagged as imputed.
    assert_eq!(after.treated[1][1], 2.0);
    assert!(after.imputed[1][1] && after.coverage[1] == 0.5);
}

#[test]
fn distance_to_a_reference_unit() {
    let text = TWO.replace(
        "IMPUTE",
        "normalise = \"dist2ref\"\nreference_unit = \"Y\"\n[[indicator]]\nid = \"c\"\ngroup = \"g\"\nnormalise = \"dist2ref\"\nreference_unit = \"Y\"\ndirection = \"risk_down\"",
    );
    let (_, res) = run(&text, "u,t,a,b,c\nX,1,0,0,2\nY,1,10,4,4\nZ,1,20,8,10\n");
    // b: (x - 0)/(4 - 0) -> 0, 1, 2; c (risk_down): (10 - x)/(10 - 4) -> 4/3, 1, 0
    assert_eq!(res.normalised[1][2], 2.0);
    assert!((res.normalised[2][0] - 4.0 / 3.0).abs() < 1e-15);
    assert_eq!(res.normalised[2][1], 1.0);
    let err = fails(
        &text.replace("reference_unit = \"Y\"", "reference_unit = \"YY\""),
        "u,t,a,b,c\nX,1,0,0,2\nY,1,10,4,4\n",
    );
    // Both indicators' problems, in indicator order (threads meet them in any order).
    assert_eq!(
        err.to_string(),
        "t.toml: indicator `b`, period 1: dist2ref measures against reference_unit `YY`, which has no value here; `YY` is not a unit of the data; did you mean `Y`?\n\
         t.toml: indicator `c`, period 1: dist2ref measures against reference_unit `YY`, which has no value here; `YY` is not a unit of the data; did you mean `Y`?"
    );
}

#[test]
fn interpolation_runs_over_periods_before_normalising() {
    let (_, res) = run(
        &TWO.replace("IMPUTE", "impute = \"interpolate\""),
        "u,t,a,b\nX,2020,0,0\nX,2021,0,\nX,2022,0,20\nY,2020,1,10\nY,2021,1,10\nY,2022,1,10\n",
    );
    // X's b in 2021 = (0 + 20)/2 = 10: equal to Y's, so b normalises to mid-range.
    let cell = 2; // period 2021 (index 1) * 2 units + X (0)
    assert_eq!(res.treated[1][cell], 10.0);
    assert!(res.imputed[1][cell]);
    assert_eq!(res.normalised[1][cell], 50.0);
    assert!(res
        .warnings
        .iter()
        .any(|w| w.contains("same value for every unit in period 2021")));
}

#[test]
fn panel_normalisation_compares_over_time() {
    let text = TWO
        .replace("IMPUTE", "")
        .replace("period = \"t\"", "period = \"t\"\nnormalise_over = \"panel\"");
    let (_, res) = run(&text, "u,t,a,b\nX,2020,0,0\nY,2020,10,10\nX,2021,20,20\nY,2021,40,40\n");
    // min 0, max 40 over both years: X 2021 = 50, Y 2020 = 25
    assert_eq!(res.score(2), 50.0);
    assert_eq!(res.score(1), 25.0);
}

/// A caller tells the causes of a method's refusal apart by kind, not by message.
#[test]
fn method_errors_say_their_cause() {
    let zscore = TWO.replace("IMPUTE", "normalise = \"zscore\"");
    let err = fails(&zscore, "u,t,a,b\nA,1,1,5\nB,1,2,5\n");
    assert!(err.to_string().contains("z-score needs values that vary"), "{err}");
    assert_eq!(err.kind(), crate::ErrorKind::ZeroVariance);
    let frac = TWO.replace("IMPUTE", "normalise = \"fracmax\"");
    let err = fails(&frac, "u,t,a,b\nA,1,1,-1\nB,1,2,-2\n");
    assert_eq!(err.kind(), crate::ErrorKind::NonPositiveMaximum);
    let err = fails(&TWO.replace("IMPUTE", ""), "u,t,a,b\nA,1,1,\nB,1,2,\n");
    assert_eq!(err.kind(), crate::ErrorKind::NoValues, "{err}");
}

/// Results answer only to the framework that scored them, and a run that kept only
/// the scores cannot explain one: errors, not panics.
#[test]
fn results_answer_only_to_their_framework() {
    let (fw, res) = crate::test_support::small_example();
    let text = include_str!("../../tests/fixtures/small.toml");
    let other = Framework::from_toml(&format!("{text}\n# another file\n"), "other.toml").unwrap();
    let unit = res.units[0].clone();
    let period = res.periods[res.periods.len() - 1].to_string();
    assert!(crate::explain::explain(&fw, &res, &unit, &period).is_ok());
    let err = crate::explain::explain(&other, &res, &unit, &period).unwrap_err();
    assert_eq!(err.kind(), crate::ErrorKind::Argument);
    assert!(err.to_string().contains("another framework than `other.toml`"), "{err}");
    assert!(crate::compare::Scored::new("x", &other, &res).is_err());
    assert!(crate::compare::Scored::new("x", &fw, &res).is_ok());
    let source = crate::data::Source::Bytes {
        name: "small.csv".into(),
        bytes: include_bytes!("../../tests/fixtures/small.csv").to_vec(),
    };
    let panel = crate::data::load(&fw, &[source], &Default::default()).unwrap();
    let lean = score_keeping(&fw, &panel, Keep::Scores).unwrap();
    let err = crate::explain::explain(&fw, &lean, &unit, &period).unwrap_err();
    assert!(err.to_string().contains("kept only the scores"), "{err}");
}

//! `compare`, `backtest` and `bench`: scoring variants.

use super::*;

#[test]
fn compare_writes_variants_and_agreement() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cmp");
    let output = riskscore()
        .args([
            "compare",
            "-f",
            "indicators/central_asia.toml",
            "-d",
            "datasets/central_asia.csv",
            "--variants",
            "base,additive,no_recruitment",
            "-o",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("agreement in 2022"), "{stdout}");
    let variants = read(&out.join("variants.csv"));
    let lines: Vec<&str> = variants.lines().collect();
    assert_eq!(
        lines[0],
        "unit,period,score_base,rank_base,class_base,score_additive,rank_additive,class_additive,score_no_recruitment,rank_no_recruitment,class_no_recruitment"
    );
    assert_eq!(lines.len(), 1 + 45);
    // The base columns are exactly `score`'s.
    let (_d, scored) = score("indicators/central_asia.toml", &["datasets/central_asia.csv"], &[]);
    let scores = read(&scored.join("scores.csv"));
    let afg = scores.lines().find(|l| l.starts_with("AFG,2022,")).unwrap();
    let base: Vec<&str> = afg.split(',').take(5).collect();
    let row = lines.iter().find(|l| l.starts_with("AFG,2022,")).unwrap();
    assert_eq!(row.split(',').take(5).collect::<Vec<_>>(), base);
    let agreement = read(&out.join("agreement.csv"));
    let rows: Vec<&str> = agreement.lines().collect();
    assert_eq!(
        rows[0],
        "period,variant_a,variant_b,n,spearman,kendall_tau_b,mean_abs_rank_shift,max_abs_rank_shift,class_change_share,top_k_overlap"
    );
    // 5 periods x 3 pairs.
    assert_eq!(rows.len(), 1 + 5 * 3);
    assert!(rows.iter().any(|r| r.starts_with("2022,base,additive,9,")));
}

#[test]
fn compare_two_framework_files_and_unknown_variant() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cmp");
    // A second file next to the first (its [data] neighbours path is relative to it).
    let other = read(Path::new("indicators/central_asia.toml"))
        .replace("aggregation = \"geometric\"", "aggregation = \"arithmetic\"");
    let other_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("indicators/.test_other.toml");
    std::fs::write(&other_path, other).unwrap();
    let output = riskscore()
        .args([
            "compare",
            "-q",
            "-f",
            "indicators/central_asia.toml",
            "-f",
            "indicators/.test_other.toml",
            "--variants",
            "central_asia,.test_other",
            "-d",
            "datasets/central_asia.csv",
            "-o",
        ])
        .arg(&out)
        .output()
        .unwrap();
    std::fs::remove_file(&other_path).unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let variants = read(&out.join("variants.csv"));
    assert!(
        variants.starts_with("unit,period,score_central_asia,rank_central_asia,class_central_asia,score_.test_other,"),
        "{variants}"
    );
    // The same model as the `additive` variant.
    let agreement = read(&out.join("agreement.csv"));
    assert!(agreement.contains("2022,central_asia,.test_other,9,"), "{agreement}");
    let err = misuse(&[
        "compare",
        "-f",
        "indicators/central_asia.toml",
        "-d",
        "datasets/central_asia.csv",
        "--variants",
        "base,additve",
        "-o",
        &out.display().to_string(),
    ]);
    assert!(err.contains("error: --variants: unknown variant `additve`"), "{err}");
    assert!(err.contains("did you mean `additive`?"), "{err}");
}

#[test]
fn backtest_writes_metrics_and_ranking() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bt");
    let output = riskscore()
        .args([
            "backtest",
            "-f",
            "indicators/central_asia.toml",
            "-d",
            "datasets/central_asia.csv",
            "--variants",
            "base,additive",
            "--outcome",
            "terror_impact",
            "--bootstrap",
            "100",
            "-o",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = read(&out.join("backtest.csv"));
    let rows: Vec<&str> = text.lines().collect();
    assert!(rows[0].starts_with(
        "variant,kind,step,period,outcome_period,n,positives,n_probability,spearman,spearman_lo,spearman_hi,kendall_tau_b,"
    ));
    assert!(rows[0].contains(",average_precision,average_precision_lo,average_precision_hi,brier,brier_lo,brier_hi,log_loss,log_loss_lo,log_loss_hi,precision_at_k,"));
    // (2 variants + 5 baselines) x (4 periods 2018..2021 with an outcome year + pooled).
    assert_eq!(rows.len(), 1 + 7 * 5);
    // 2021's scores were fitted on 2018-2020's: 9 pairs, all with a probability.
    assert!(
        rows.iter().any(|r| r.starts_with("base,variant,1,2021,2022,9,")),
        "{text}"
    );
    assert!(rows.iter().any(|r| r.starts_with("additive,variant,1,all,,36,")));
    assert!(rows.iter().any(|r| r.starts_with("persistence,baseline,1,all,,36,")));
    assert!(rows.iter().any(|r| r.starts_with("base,variant,1,2018,2019,9,")
        && r.ends_with("no probability: no earlier forecast whose outcome was known to fit on")));
    let ranking = read(&out.join("ranking.csv"));
    assert_eq!(ranking.lines().count(), 8);
    assert!(ranking.starts_with(
        "step,rank,variant,kind,spearman,kendall_tau_b,auroc,average_precision,brier,log_loss,precision_at_k,n\n1,1,"
    ));
    let skill = read(&out.join("skill.csv"));
    // 2 variants x 5 baselines.
    assert_eq!(skill.lines().count(), 1 + 10);
    assert!(
        skill.lines().nth(1).unwrap().starts_with("1,base,persistence,36,"),
        "{skill}"
    );
    assert!(skill
        .lines()
        .all(|l| ["beats", "no_better", "worse", "verdict_average_precision"]
            .iter()
            .any(|v| l.ends_with(v))));
    // 7 forecasters x 10 bins; 7 x 36 forecasts.
    assert_eq!(read(&out.join("reliability.csv")).lines().count(), 1 + 70);
    let forecasts = read(&out.join("forecasts.csv"));
    assert_eq!(forecasts.lines().count(), 1 + 7 * 36);
    assert!(forecasts.starts_with("unit,period,step,outcome_period,variant,kind,score,probability,outcome,event\n"));
    // The terminal says each variant's verdict against the baselines.
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        said.contains("\nbase: ") && said.contains(" on average precision"),
        "{said}"
    );
    // The same seed gives the same intervals.
    let again = dir.path().join("bt2");
    riskscore()
        .args([
            "backtest",
            "-q",
            "-f",
            "indicators/central_asia.toml",
            "-d",
            "datasets/central_asia.csv",
            "--variants",
            "base,additive",
            "--outcome",
            "terror_impact",
            "--bootstrap",
            "100",
            "-o",
        ])
        .arg(&again)
        .assert()
        .success();
    assert_same_text(&read(&again.join("backtest.csv")), &text);
}

#[test]
fn backtest_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bt").display().to_string();
    let base = [
        "backtest",
        "-f",
        "indicators/central_asia.toml",
        "-d",
        "datasets/central_asia.csv",
        "-o",
        &out,
    ];
    let mut args = base.to_vec();
    args.extend(["--outcome", "atacks"]);
    let err = fails(&args);
    assert!(err.contains("missing column `atacks` (needed by --outcome)"), "{err}");
    let mut args = base.to_vec();
    args.extend(["--outcome", "incidents", "--horizon", "20"]);
    assert_eq!(
        misuse(&args),
        "error: --horizon: a horizon of 20 period(s) goes beyond the data: no scored period has its outcome period in the data (the last period is 2022)\n"
    );
    let mut args = base.to_vec();
    args.extend(["--outcome", "incidents", "--horizon", "1..5"]);
    assert_eq!(
        misuse(&args),
        "error: --horizon: a horizon of 5 period(s) goes beyond the data: no scored period has its outcome period in the data (the last period is 2022)\n"
    );
    // Bad steps and baselines are said together, before any data is read.
    let mut args = base.to_vec();
    args.extend([
        "--outcome",
        "incidents",
        "--horizon",
        "0",
        "--baselines",
        "persistance,mean:0",
    ]);
    assert_eq!(
        misuse(&args),
        "error: 3 problems found:\n  - --horizon: expected 1 or more periods ahead, found 0\n  - --baselines: unknown baseline `persistance` (known: persistence, mean:K, own_rate, base_rate, any:K, or none); did you mean `persistence`?\n  - --baselines: `mean:0`: expected 1 or more periods after `mean:`, found `0`\n"
    );
    let mut args = base.to_vec();
    args.extend(["--outcome", "incidents", "--horizon", "1..x"]);
    assert_eq!(
        misuse(&args),
        "error: --horizon: expected periods ahead as a number (`1`), a range (`1..3`) or a list (`1,2,4`), found `x`\n"
    );
    assert!(!std::path::Path::new(&out).exists(), "nothing is written");
    // Reported: NaN and inf thresholds and --top-k 0 gave metrics; u64::MAX resamples
    // panicked (capacity overflow, exit 101).
    let mut args = base.to_vec();
    args.extend([
        "--outcome",
        "incidents",
        "--threshold",
        "nan",
        "--top-k",
        "0",
        "--bootstrap",
        "18446744073709551615",
    ]);
    // The options are checked before the data is read; the memory of the resamples
    // once the units are known.
    assert_eq!(
        misuse(&args),
        "error: 2 problems found:\n  - --threshold: expected a finite number (the outcome above it counts as an event), found NaN\n  - --top-k: expected 1 or more units (precision at k of the k highest scores)\n"
    );
    let mut args = base.to_vec();
    args.extend(["--outcome", "incidents", "--bootstrap", "18446744073709551615"]);
    let err = misuse(&args);
    assert!(
        err.starts_with("error: --bootstrap: 18446744073709551615 resamples of 9 units need about "),
        "{err}"
    );
}

#[test]
fn bench_times_every_variant() {
    let output = riskscore()
        .args([
            "bench",
            "-f",
            "indicators/central_asia.toml",
            "-d",
            "datasets/central_asia.csv",
            "--repeat",
            "2",
            "--variants",
            "base,no_decay",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.starts_with("2 runs per variant after a warm-up; milliseconds\n"),
        "{stdout}"
    );
    assert!(stdout.lines().any(|l| l.starts_with("base ")), "{stdout}");
    assert!(stdout.lines().any(|l| l.starts_with("no_decay ")), "{stdout}");
}

/// `--baselines none --calibration none` is the backtest of the variants alone with
/// the index rescaled to [0, 1]: with the index scale 0-10, base's Brier score of
/// 2021 is that of p = score / 10, computed here from its own forecasts.
#[test]
fn backtest_without_baselines_or_calibration() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bt");
    riskscore()
        .args([
            "backtest",
            "-q",
            "-f",
            "indicators/central_asia.toml",
            "-d",
            "datasets/central_asia.csv",
            "--outcome",
            "incidents",
            "--variants",
            "base",
            "--baselines",
            "none",
            "--calibration",
            "none",
            "--bootstrap",
            "0",
            "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    let text = read(&out.join("backtest.csv"));
    assert_eq!(text.lines().count(), 1 + 5, "{text}");
    assert_eq!(read(&out.join("skill.csv")).lines().count(), 1);
    let forecasts = read(&out.join("forecasts.csv"));
    let (mut sum, mut n) = (0.0, 0);
    for line in forecasts.lines().skip(1).filter(|l| l.contains(",2021,1,2022,")) {
        let f: Vec<&str> = line.split(',').collect();
        let (score, p, event): (f64, f64, f64) = (f[6].parse().unwrap(), f[7].parse().unwrap(), f[9].parse().unwrap());
        assert!((p - (score / 10.0).clamp(0.0, 1.0)).abs() < 1e-12, "{line}");
        sum += (p - event) * (p - event);
        n += 1;
    }
    assert_eq!(n, 9);
    let row = text.lines().find(|l| l.starts_with("base,variant,1,2021,")).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let brier: f64 = row
        .split(',')
        .nth(header.iter().position(|h| *h == "brier").unwrap())
        .unwrap()
        .parse()
        .unwrap();
    assert!((brier - sum / 9.0).abs() < 1e-6, "{brier} vs {}", sum / 9.0);
}

/// The backtest's average precision, Platt probabilities, Brier score, log loss and
/// reliability bins against scikit-learn's own functions on the same forecasts
/// (`tests/fixtures/backtest/sklearn_check.py`), at two steps. Runs only when asked
/// (`cargo test -- --ignored`, as `.ci/run` does), and then fails without scikit-learn.
#[test]
#[ignore = "needs python3 with scikit-learn and pandas (pip install scikit-learn pandas); .ci/run runs it"]
fn backtest_metrics_equal_scikit_learns() {
    let dir = tempfile::tempdir().unwrap();
    for (outcome, threshold, horizon) in [("terror_impact", "0", "1"), ("incidents", "1", "1..2")] {
        let out = dir.path().join(outcome);
        riskscore()
            .args([
                "backtest",
                "-q",
                "-f",
                "indicators/central_asia.toml",
                "-d",
                "datasets/central_asia.csv",
                "--outcome",
                outcome,
                "--threshold",
                threshold,
                "--horizon",
                horizon,
                "--bootstrap",
                "100",
                "-o",
            ])
            .arg(&out)
            .assert()
            .success();
        let run = std::process::Command::new("python3")
            .arg("tests/fixtures/backtest/sklearn_check.py")
            .arg(&out)
            .arg(threshold)
            .output()
            .expect("python3 with scikit-learn and pandas is needed: pip install scikit-learn pandas");
        let said = String::from_utf8_lossy(&run.stdout);
        assert!(
            run.status.success() && said.contains("scikit-learn agrees"),
            "{said}{}",
            String::from_utf8_lossy(&run.stderr)
        );
    }
}

/// The real example of docs/variants.md: UCDP GED's Pakistan file to province-years,
/// then the backtest of `indicators/pakistan_provinces.toml` against more than 25
/// deaths next year. Persistence's pooled average precision is counted here from the
/// province table itself: last year's deaths ranked against next year's events.
#[test]
fn backtest_of_pakistans_provinces_from_ucdp() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("provinces.csv");
    riskscore()
        .args([
            "events",
            "-q",
            "-i",
            "datasets/ucdp_ged_pakistan_2015_2021.csv",
            "--unit",
            "admin1",
            "--actor",
            "^IS$",
            "-o",
        ])
        .arg(&table)
        .assert()
        .success();
    let out = dir.path().join("bt");
    let output = riskscore()
        .args(["backtest", "-f", "indicators/pakistan_provinces.toml", "-d"])
        .arg(&table)
        .args([
            "--outcome",
            "fatalities",
            "--threshold",
            "25",
            "--bootstrap",
            "100",
            "-o",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        said.contains("\nbase: ") && said.contains("\nnow_only: ") && said.contains("\nno_spillover: "),
        "{said}"
    );
    // Deaths per (province, year) from the table.
    let text = read(&table);
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (unit, year, deaths) = (col("admin1"), col("year"), col("fatalities"));
    let mut by: std::collections::HashMap<(String, i64), f64> = std::collections::HashMap::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        by.insert(
            (f[unit].to_string(), f[year].parse().unwrap()),
            f[deaths].parse().unwrap(),
        );
    }
    let units: std::collections::BTreeSet<String> = by.keys().map(|k| k.0.clone()).collect();
    assert_eq!(units.len(), 9);
    // Origins 2017-2020 (the framework scores from 2017; 2021 has no next year).
    let mut pairs: Vec<(f64, bool)> = Vec::new();
    for t in 2017..=2020 {
        for u in &units {
            pairs.push((by[&(u.clone(), t)], by[&(u.clone(), t + 1)] > 25.0));
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
    let events = pairs.iter().filter(|p| p.1).count() as f64;
    let (mut tp, mut seen, mut ap, mut j) = (0.0, 0.0, 0.0, 0);
    while j < pairs.len() {
        let mut end = j + 1;
        while end < pairs.len() && pairs[end].0 == pairs[j].0 {
            end += 1;
        }
        let before = tp;
        for p in &pairs[j..end] {
            tp += f64::from(u8::from(p.1));
            seen += 1.0;
        }
        ap += (tp - before) / events * (tp / seen);
        j = end;
    }
    let bt = read(&out.join("backtest.csv"));
    let header: Vec<&str> = bt.lines().next().unwrap().split(',').collect();
    let at = header.iter().position(|h| *h == "average_precision").unwrap();
    let row = bt
        .lines()
        .find(|l| l.starts_with("persistence,baseline,1,all,,36,"))
        .unwrap();
    let got: f64 = row.split(',').nth(at).unwrap().parse().unwrap();
    assert!((got - ap).abs() < 1e-6, "{got} vs {ap}");
}

/// A variant that derives the outcome otherwise than the first (central_asia's
/// `no_decay` changes `terror_impact_5y`) forecasts another outcome than the baselines:
/// it is backtested, but not set against them, and the run says so. A variant named as
/// a baseline is refused; so are a few resamples, with the other option problems.
#[test]
fn backtest_sets_against_the_baselines_only_what_they_forecast() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bt");
    let output = riskscore()
        .args([
            "backtest",
            "-f",
            "indicators/central_asia.toml",
            "-d",
            "datasets/central_asia.csv",
            "--variants",
            "base,no_decay",
            "--outcome",
            "terror_impact_5y",
            "--bootstrap",
            "0",
            "-o",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("note: variant `no_decay` has other units or derives `terror_impact_5y` otherwise than `base`, whose outcome the baselines forecast: it is not set against them"), "{err}");
    let skill = read(&out.join("skill.csv"));
    assert!(skill.lines().skip(1).all(|l| l.starts_with("1,base,")), "{skill}");
    assert!(read(&out.join("backtest.csv"))
        .lines()
        .any(|l| l.starts_with("no_decay,variant,1,all,")));
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(said.contains("\nbase: ") && !said.contains("\nno_decay: "), "{said}");

    let fw = write(
        dir.path(),
        "fw.toml",
        &std::fs::read_to_string("indicators/central_asia.toml")
            .unwrap()
            .replace("../datasets/", &format!("{}/datasets/", env!("CARGO_MANIFEST_DIR")))
            .replace("name = \"additive\"", "name = \"persistence\""),
    );
    let base = [
        "backtest",
        "-f",
        &fw,
        "-d",
        "datasets/central_asia.csv",
        "--outcome",
        "incidents",
    ];
    let mut args = base.to_vec();
    let o = dir.path().join("o").display().to_string();
    args.extend(["--variants", "base,persistence", "-o", &o]);
    assert_eq!(
        misuse(&args),
        "error: --baselines: `persistence` names a variant and a baseline: rename the variant, or leave the baseline out\n"
    );
    let mut args = base.to_vec();
    args.extend([
        "--bootstrap",
        "10",
        "--threshold",
        "inf",
        "--baselines",
        "none,mean:3",
        "-o",
        &o,
    ]);
    assert_eq!(
        misuse(&args),
        "error: 3 problems found:\n  - --baselines: `none` stands alone (no baseline at all): leave it out of a list\n  - --threshold: expected a finite number (the outcome above it counts as an event), found inf\n  - --bootstrap: expected 0 (no intervals) or at least 100 resamples, found 10: the 2.5 and 97.5 % quantiles of fewer are the extremes of a few draws\n"
    );
}

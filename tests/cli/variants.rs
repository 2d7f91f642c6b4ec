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
    assert!(rows[0]
        .starts_with("variant,period,outcome_period,n,positives,spearman,spearman_lo,spearman_hi,kendall_tau_b,"));
    // 2 variants x (4 periods 2018..2021 with an outcome year + pooled).
    assert_eq!(rows.len(), 1 + 2 * 5);
    assert!(rows.iter().any(|r| r.starts_with("base,2021,2022,9,")));
    assert!(rows.iter().any(|r| r.starts_with("additive,all,,36,")));
    let ranking = read(&out.join("ranking.csv"));
    assert_eq!(ranking.lines().count(), 3);
    assert!(ranking.starts_with("rank,variant,spearman,kendall_tau_b,auroc,brier,precision_at_k,n\n1,"));
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
    let err = misuse(&args);
    assert!(
        err.starts_with("error: 3 problems found:\n  - --threshold: expected a finite number (the outcome above it counts as an event), found NaN\n  - --top-k: expected 1 or more units (precision at k of the k highest scores)\n  - --bootstrap: 18446744073709551615 resamples of 9 units need about "),
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

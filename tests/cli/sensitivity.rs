//! `sensitivity`: intervals, indices, manifest, thread independence, the design options.

use super::*;

fn sensitivity(extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sa");
    riskscore()
        .args([
            "sensitivity",
            "-q",
            "-f",
            "indicators/central_asia.toml",
            "-d",
            "datasets/central_asia.csv",
            "-o",
        ])
        .arg(&out)
        .args(extra)
        .assert()
        .success();
    (dir, out)
}

#[test]
fn sensitivity_writes_intervals_indices_and_manifest() {
    let (_d, out) = sensitivity(&["--samples", "64", "--bootstrap", "20"]);
    let unc = read(&out.join("uncertainty.csv"));
    let lines: Vec<&str> = unc.lines().collect();
    assert_eq!(
        lines[0],
        "unit,period,nominal_rank,median_rank,q05_rank,q95_rank,mean_abs_shift,nominal_score,median_score,q05_score,q95_score"
    );
    assert_eq!(lines.len(), 1 + 9);
    // The nominal ranks are those of `score`, and the rows are in their order.
    assert!(lines[1].starts_with("AFG,2022,1,"), "{unc}");
    let ranks: Vec<f64> = lines[1..]
        .iter()
        .map(|l| l.split(',').nth(2).unwrap().parse().unwrap())
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{unc}");
    // The runs' scores are single precision, written with their own digits (at most 9
    // significant), the nominal score with a double's.
    for line in &lines[1..] {
        for q in line.split(',').skip(8) {
            let digits = q.bytes().filter(u8::is_ascii_digit).skip_while(|&b| b == b'0').count();
            assert!(digits <= 9, "{q} in {line}");
            assert_eq!(
                q.parse::<f32>().unwrap().to_string().parse::<f64>().unwrap(),
                q.parse::<f64>().unwrap(),
                "{q}"
            );
        }
    }
    let sobol = read(&out.join("sobol.csv"));
    let rows: Vec<&str> = sobol.lines().collect();
    assert_eq!(rows[0], "output,factor,s1,s1_lo,s1_hi,st,st_lo,st_hi");
    // (9 units + the period's mean shift) x 7 factor groups
    assert_eq!(rows.len(), 1 + 10 * 7);
    assert!(
        rows.iter()
            .any(|r| r.starts_with("mean_abs_shift:2022,pillar weights,")),
        "{sobol}"
    );
    let manifest: serde_json::Value = serde_json::from_str(&read(&out.join("manifest.json"))).unwrap();
    assert_eq!(manifest["model_runs"], 64 * 9);
    assert_eq!(manifest["samples_n"], 64);
    assert_eq!(manifest["factors_d"], 11);
    assert_eq!(manifest["seed"], 42);
}

#[test]
fn sensitivity_is_identical_on_one_and_two_threads() {
    let (_a, one) = sensitivity(&["--samples", "64", "--threads", "1"]);
    let (_b, two) = sensitivity(&["--samples", "64", "--threads", "2"]);
    for f in ["uncertainty.csv", "sobol.csv"] {
        assert_same_text(&read(&two.join(f)), &read(&one.join(f)));
    }
}

#[test]
fn sensitivity_monte_carlo_and_samples_from() {
    let (_d, out) = sensitivity(&["--samples", "50", "--method", "montecarlo"]);
    assert!(out.join("uncertainty.csv").exists());
    assert!(!out.join("sobol.csv").exists());
    // A user-supplied design: 2 samples x (7 groups + 2) runs of the 11 factors, all at
    // their midpoint, apart from one run.
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("w1,w2,w3,w4,w5,norm,agg,ex1,ex2,imp,treat\n");
    for r in 0..18 {
        let first = if r == 5 { "0.9" } else { "0.1" };
        text.push_str(&format!("{first},0.5,0.5,0.5,0.5,0.1,0.1,0.1,0.1,0.1,0.1\n"));
    }
    let samples = write(dir.path(), "s.csv", &text);
    let (_d, out) = sensitivity(&["--samples-from", &samples, "--bootstrap", "0"]);
    let manifest: serde_json::Value = serde_json::from_str(&read(&out.join("manifest.json"))).unwrap();
    assert_eq!(manifest["model_runs"], 18);
    let bad = write(
        dir.path(),
        "bad.csv",
        "a,b,c,d,e,f,g,h,i,j,k\n0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,1.5\n",
    );
    let err = fails(&[
        "sensitivity",
        "-f",
        "indicators/central_asia.toml",
        "-d",
        "datasets/central_asia.csv",
        "-o",
        &dir.path().join("x").display().to_string(),
        "--samples-from",
        &bad,
    ]);
    assert_eq!(
        err,
        format!("error: {bad}: row 2, column `k`: expected a number in [0, 1], found `1.5`\n")
    );
}

#[test]
fn sensitivity_errors_name_the_key() {
    let err = fails(&[
        "sensitivity",
        "-f",
        &fixture("small.toml"),
        "-d",
        &fixture("small.csv"),
        "-o",
        "/tmp/never",
    ]);
    assert_eq!(
        err,
        "error: tests/fixtures/small.toml: key `sensitivity`: the framework has no [sensitivity] block: add one with the uncertain factors (see docs/sensitivity.md)\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let fw = write(
        dir.path(),
        "s.toml",
        &format!(
            "{}\n[sensitivity]\nfactors = [{{ kind = \"wieght\" }}, {{ kind = \"weight\", target = \"group:c\", range = [0.5, 1.5] }}, {{ kind = \"exclude\", targets = [\"a3\"] }}]\n",
            read(Path::new(&fixture("small.toml")))
        ),
    );
    let err = fails(&["validate", "-f", &fw]);
    assert_eq!(
        err,
        format!(
            "error: 3 problems found:\n  - {fw}: key `sensitivity.factors[1].kind`: unknown kind `wieght`: expected one of `weight`, `normalise`, `aggregate`, `exclude`, `impute`, `treatment`, `weight_sets`; did you mean `weight`?\n  - {fw}: key `sensitivity.factors[2].target`: `group:c` matches no group or indicator: use group:*, group:<id>, indicator:*, indicator:<id> or level:<depth>\n  - {fw}: key `sensitivity.factors[3].targets`: unknown indicator `a3`; did you mean `a1`?\n"
        )
    );
}

#[test]
fn sensitivity_bad_period_and_design_size() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x").display().to_string();
    let base = [
        "sensitivity",
        "-f",
        "indicators/central_asia.toml",
        "-d",
        "datasets/central_asia.csv",
        "-o",
        &out,
    ];
    let mut args = base.to_vec();
    args.extend(["--period", "2016"]);
    assert_eq!(
        misuse(&args),
        "error: --period: no unit is scored in period 2016; scored periods: 2018, 2019, 2020, 2021, 2022\n"
    );
    let samples = write(
        dir.path(),
        "s.csv",
        &format!("{}\n{}\n", ["u"; 11].join(","), ["0.5"; 11].join(",")),
    );
    let mut args = base.to_vec();
    args.extend(["--samples-from", &samples]);
    assert_eq!(
        misuse(&args),
        "error: --samples-from: the file has 1 rows of factor values; a Saltelli design needs a multiple of d + 2 = 9 (A, A_B^1..A_B^d, B per sample)\n"
    );
    let mut args = base.to_vec();
    args.extend(["--samples", "100000"]);
    assert_eq!(
        misuse(&args),
        "error: --samples: expected 2 to 65536 (a power of 2 is best), found 100000\n"
    );
    // Reported: 100,000 threads hung; a billion resamples aborted on allocation.
    let mut args = base.to_vec();
    args.extend(["--threads", "100000"]);
    let err = misuse(&args);
    assert!(
        err.starts_with("error: --threads: expected 1 to ") && err.ends_with("cores), found 100000\n"),
        "{err}"
    );
    let mut args = base.to_vec();
    args.extend(["--bootstrap", "1000000000"]);
    let err = misuse(&args);
    assert!(
        err.starts_with(
            "error: --bootstrap: this analysis (N = 1024, 9216 runs, 1000000000 bootstrap resamples) needs about "
        ) && err.ends_with(" GB is available: use fewer bootstrap resamples\n"),
        "{err}"
    );
}

#[test]
fn coinr_style_factors_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "sets.csv", "set,id,weight\n1,a,2\n1,zz,1\n2,a,0\n");
    let fw = write(
        dir.path(),
        "s.toml",
        &format!(
            "{}\n[sensitivity]\nfactors = [{{ kind = \"normalise\", options = [\"minmax(1)\", \"zscore(10, 2)\"] }}, {{ kind = \"treatment\", options = [\"winmax(0)\"] }}, {{ kind = \"weight_sets\", file = \"sets.csv\" }}, {{ kind = \"weight_sets\" }}, {{ kind = \"aggregate\", target = \"*\", options = [\"arithmetic\"], file = \"x\" }}]\n",
            read(Path::new(&fixture("small.toml")))
        ),
    );
    let err = fails(&["validate", "-f", &fw]);
    let sets = dir.path().join("sets.csv").display().to_string();
    assert_eq!(
        err,
        format!(
            "error: 6 problems found:\n  - {fw}: key `sensitivity.factors[1].options`: unknown option `minmax(1)`: expected one of `minmax`, `zscore`, `rank`, `percentile`, `distance_to_max`, `minmax(l, u)`, `zscore(m, s)`; did you mean `minmax`?\n  - {fw}: key `sensitivity.factors[2].options`: unknown option `winmax(0)`: expected one of `framed`, `none`, `winmax(k)`; did you mean `winmax(k)`?\n  - {fw}: key `sensitivity.factors[3].file`: {sets}: row 3: `zz` is not a group or indicator of the framework\n  - {fw}: key `sensitivity.factors[3].file`: {sets}: row 4: expected a weight > 0, found `0`\n  - {fw}: key `sensitivity.factors[4].file`: needs file = \"<sets.csv>\": rows set, id, weight (relative to the framework file)\n  - {fw}: key `sensitivity.factors[5].file`: not used by kind `aggregate`\n"
        )
    );
}

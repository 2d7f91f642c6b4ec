//! COINr 1.1.14's own results on its ASEM example (tests/fixtures/coinr/, written by
//! COINr, see its README): `import coinr` + `score` must reproduce them at every
//! level, with COINr's ranks.

use super::{read, riskscore};
use std::collections::HashMap;
use std::path::Path;

/// Values and ranks keyed by (unit, code).
type Table = HashMap<(String, String), (f64, Option<f64>)>;

fn parse(text: &str) -> Vec<HashMap<String, String>> {
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(str::to_string).collect();
    lines
        .map(|l| header.iter().cloned().zip(l.split(',').map(str::to_string)).collect())
        .collect()
}

fn number(text: &str) -> f64 {
    text.parse().unwrap_or(f64::NAN)
}

/// COINr's long scores file: every unit x code with score and rank.
fn coinr_scores(variant: &str) -> Table {
    let text = read(Path::new(&format!("tests/fixtures/coinr/scores_{variant}.csv")));
    parse(&text)
        .into_iter()
        .map(|r| {
            (
                (r["uCode"].clone(), r["iCode"].clone()),
                (number(&r["Score"]), Some(number(&r["Rank"]))),
            )
        })
        .collect()
}

/// riskscore's scores, ranks and normalised indicators, keyed the same way.
fn our_scores(out: &Path) -> Table {
    let mut t = Table::new();
    let scores = parse(&read(&out.join("scores.csv")));
    let ranks = parse(&read(&out.join("ranks.csv")));
    for (s, r) in scores.iter().zip(&ranks) {
        for (code, value) in s {
            let code = if code == "score" { "Index" } else { code };
            if ["unit", "period", "rank", "class", "coverage", "imputed"].contains(&code) {
                continue;
            }
            let rank = r.get(code).map(|v| number(v));
            t.insert((s["unit"].clone(), code.to_string()), (number(value), rank));
        }
    }
    for row in parse(&read(&out.join("data_normalised.csv"))) {
        for (code, value) in &row {
            if code != "unit" && code != "period" {
                t.insert((row["unit"].clone(), code.clone()), (number(value), None));
            }
        }
    }
    t
}

/// Imports ASEM into `dir` with COINr's step arguments.
fn import(dir: &Path, steps: &[&str]) {
    riskscore()
        .args([
            "import",
            "coinr",
            "-q",
            "--idata",
            "datasets/asem/ASEM_iData.csv",
            "--imeta",
            "datasets/asem/ASEM_iMeta.csv",
            "-o",
        ])
        .arg(dir)
        .args(steps)
        .assert()
        .success();
}

/// Imports ASEM with COINr's step arguments, scores it, returns the output folder.
fn run(dir: &Path, steps: &[&str]) -> std::path::PathBuf {
    let imported = dir.join("imported");
    import(&imported, steps);
    let out = dir.join("out");
    riskscore()
        .args(["score", "-q", "--steps", "-f"])
        .arg(imported.join("framework.toml"))
        .arg("-d")
        .arg(imported.join("data.csv"))
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    out
}

/// Every COINr value has ours within 1e-9 (relative to its size past 1), and every
/// group rank is COINr's.
fn assert_reproduces(variant: &str, steps: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), steps);
    let ours = our_scores(&out);
    let theirs = coinr_scores(variant);
    let units = if variant == "f_impute_none" { 46 } else { 51 };
    assert_eq!(theirs.len(), units * 60, "{variant}");
    let mut problems = Vec::new();
    for (key, (value, rank)) in &theirs {
        let Some((v, r)) = ours.get(key) else {
            problems.push(format!("{key:?}: not in riskscore's outputs"));
            continue;
        };
        let same = (v.is_nan() && value.is_nan()) || (v - value).abs() <= 1e-9 * value.abs().max(1.0);
        if !same {
            problems.push(format!("{key:?}: riskscore {v}, COINr {value}"));
        }
        if let (Some(r), Some(rank)) = (r, rank) {
            if r != rank && !float_tie(&ours, &theirs, key) {
                problems.push(format!("{key:?}: rank {r}, COINr {rank}"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{variant}: {} differences, e.g. {:?}",
        problems.len(),
        &problems[..problems.len().min(5)]
    );
}

/// A tie that rounding breaks: another unit's score of the code is within 1e-12 of this
/// one's in COINr and in riskscore (e.g. 0.56 and 0.5599999999999999, both 28/50 as
/// means of percent ranks): the two tools sum in different orders and precisions (R's
/// `sum(w / sum(w) * x)` accumulates in long double), so which of the two ranks first
/// is rounding noise, not method.
fn float_tie(ours: &Table, theirs: &Table, key: &(String, String)) -> bool {
    let (unit, code) = key;
    let near = |a: f64, b: f64| (a - b).abs() <= 1e-12 * a.abs().max(b.abs());
    theirs.iter().any(|((u, c), (v, _))| {
        c == code
            && u != unit
            && near(*v, theirs[key].0)
            && match (ours.get(&(u.clone(), c.clone())), ours.get(key)) {
                (Some(a), Some(b)) => near(a.0, b.0),
                _ => false,
            }
    })
}

const CANONICAL: &[&str] = &["--impute", "i_mean_grp", "--use-group", "EurAsia_group"];

fn with(extra: &[&'static str]) -> Vec<&'static str> {
    CANONICAL.iter().chain(extra).copied().collect()
}

#[test]
fn canonical_build_matches_coinr_at_every_level() {
    assert_reproduces("a_canonical", CANONICAL);
    // With COINr's Screen(dat_thresh = 0.9) after imputation, which removes nobody.
    assert_reproduces("a_canonical", &with(&["--screen", "0.9"]));
}

#[test]
fn canonical_build_matches_coinr_after_every_step() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), CANONICAL);
    for (ours, theirs) in [
        ("data_denominated", "Denominated"),
        ("data_imputed", "Imputed"),
        ("data_treated", "Treated"),
        ("data_normalised", "Normalised"),
    ] {
        let got: HashMap<String, HashMap<String, String>> = parse(&read(&out.join(format!("{ours}.csv"))))
            .into_iter()
            .map(|r| (r["unit"].clone(), r))
            .collect();
        let want = parse(&read(Path::new(&format!(
            "tests/fixtures/coinr/canonical_dset_{theirs}.csv"
        ))));
        assert_eq!(want.len(), 51);
        let mut differ = Vec::new();
        for row in &want {
            for (code, value) in row.iter().filter(|(c, _)| *c != "uCode") {
                let (a, b) = (number(&got[&row["uCode"]][code]), number(value));
                let same = (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-9 * b.abs().max(1e-300);
                if !same {
                    differ.push(format!("{} {code}: {a} vs COINr {b}", row["uCode"]));
                }
            }
        }
        assert!(differ.is_empty(), "{ours}: {:?}", &differ[..differ.len().min(5)]);
    }
}

#[test]
fn the_shipped_asem_framework_is_the_imported_canonical_build() {
    let dir = tempfile::tempdir().unwrap();
    import(dir.path(), CANONICAL);
    assert_eq!(
        read(&dir.path().join("framework.toml")),
        read(Path::new("indicators/asem.toml"))
    );
}

#[test]
fn zscore_variant_matches_coinr() {
    assert_reproduces(
        "c_zscore_amean",
        &with(&["--normalise", "n_zscore", "--normalise-para", "0,1"]),
    );
}

#[test]
fn geometric_variant_matches_coinr() {
    assert_reproduces(
        "d1_minmax1_100_gmean_all",
        &with(&["--normalise-para", "1,100", "--aggregate", "a_gmean"]),
    );
}

#[test]
fn rank_variant_matches_coinr() {
    assert_reproduces("e_n_rank_amean", &with(&["--normalise", "n_rank"]));
}

#[test]
fn imputation_variants_match_coinr() {
    assert_reproduces("f_impute_i_median", &["--impute", "i_median"]);
    assert_reproduces("f_impute_i_mean_grp_EurAsia", CANONICAL);
}

#[test]
fn treatment_variants_match_coinr() {
    assert_reproduces("g_treat_none", &with(&["--no-treat"]));
    // winmax 1: eleven indicators fall back to log_CT.
    assert_reproduces("g_treat_winmax1", &with(&["--winmax", "1"]));
}

#[test]
fn geometric_top_level_on_zero_to_hundred_matches_coinr() {
    // The sub-indexes are > 0 although [0, 100] allows 0: the values are checked.
    assert_reproduces(
        "d2_minmax_gmean_top",
        &with(&["--aggregate", "a_amean,a_amean,a_gmean"]),
    );
}

#[test]
fn percent_rank_and_distance_to_a_reference_match_coinr() {
    assert_reproduces("e_n_prank_amean", &with(&["--normalise", "n_prank"]));
    // iref 11 = DEU, the 11th row of iData; cap_max = TRUE.
    assert_reproduces(
        "e_n_dist2ref_cap_amean",
        &with(&["--normalise", "n_dist2ref", "--normalise-para", "11,1"]),
    );
}

#[test]
fn no_imputation_with_screening_matches_coinr() {
    assert_reproduces("f_impute_none", &["--screen", "0.9"]);
}

/// `audit` of the canonical build against COINr's get_corr, get_cronbach and get_PCA.
#[test]
fn audit_matches_coinr_statistics() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("audit");
    riskscore()
        .args([
            "audit",
            "-q",
            "-f",
            "indicators/asem.toml",
            "-d",
            "datasets/asem/ASEM_iData.csv",
            "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9;
    // Every indicator, pillar and sub-index with its parent (Pearson, normalised and
    // aggregated data).
    let ours = parse(&read(&out.join("correlations.csv")));
    let theirs = parse(&read(Path::new("tests/fixtures/coinr/corr_with_parent.csv")));
    assert_eq!(theirs.len(), 49 + 8 + 2);
    for t in &theirs {
        let o = ours
            .iter()
            .find(|o| o["indicator"] == t["iCode"] && o["with_kind"] == "parent")
            .unwrap_or_else(|| panic!("no correlation of {} with its parent", t["iCode"]));
        assert_eq!(o["with"], t["Parent"]);
        assert!(
            close(number(&o["pearson"]), number(&t["Correlation"])),
            "{}: {} vs COINr {}",
            t["iCode"],
            o["pearson"],
            t["Correlation"]
        );
    }
    // Cronbach's alpha of every pillar on raw, treated and normalised data, and of the
    // sub-indexes and index on the aggregated scores.
    let ours = parse(&read(&out.join("cronbach.csv")));
    let mut checked = 0;
    for t in parse(&read(Path::new("tests/fixtures/coinr/cronbach.csv"))) {
        let data = match (t["dset"].as_str(), t["members_level"].as_str()) {
            ("Raw", _) => "raw",
            ("Treated", _) => "treated",
            ("Normalised", _) | ("Aggregated", "2") | ("Aggregated", "3") => "normalised",
            _ => continue, // the index over all 49 indicators: not a framework group
        };
        let o = ours
            .iter()
            .find(|o| o["group"] == t["group"] && o["data"] == data)
            .unwrap_or_else(|| panic!("no alpha of {} on {data}", t["group"]));
        assert!(
            close(number(&o["alpha"]), number(&t["alpha"])),
            "{} {data}: {} vs COINr {}",
            t["group"],
            o["alpha"],
            t["alpha"]
        );
        checked += 1;
    }
    assert_eq!(checked, 8 * 3 + 3);
    // First principal component of each pillar on normalised data: COINr prints the
    // eigenvector (prcomp), whose sign is arbitrary.
    let ours = parse(&read(&out.join("pca.csv")));
    for t in parse(&read(Path::new("tests/fixtures/coinr/pca_pc1_loadings.csv")))
        .iter()
        .filter(|t| t["dset"] == "Normalised")
    {
        let o = ours
            .iter()
            .find(|o| o["group"] == t["group"] && o["child"] == t["iCode"])
            .unwrap();
        let (a, b) = (number(&o["eigenvector"]), number(&t["PC1_loading"]));
        assert!(
            close(a.abs(), b.abs()),
            "{} {}: {a} vs COINr {b}",
            t["group"],
            t["iCode"]
        );
        assert_eq!(o["n"], t["n_rows_used"]);
        let explained = ours
            .iter()
            .find(|r| r["group"] == t["group"] && r["component"] == "1" && r["child"].is_empty())
            .unwrap();
        assert!(close(number(&explained["explained"]), number(&t["PC1_var_explained"])));
    }
}

/// COINr's uncertainty analysis of its sensitivity vignette (winmax 1-5, minmax
/// [1, 100] or z-score (10, 2), 100 noisy weight sets, arithmetic or geometric at every
/// level), replayed run by run from COINr's own design: the same rank intervals.
#[test]
fn uncertainty_analysis_replays_coinr_runs() {
    let dir = tempfile::tempdir().unwrap();
    let framework = read(Path::new("indicators/asem.toml"))
        + r#"
[sensitivity]
method = "montecarlo"
samples = 100
bootstrap = 0
factors = [
  { kind = "treatment", options = ["winmax(1)", "winmax(2)", "winmax(3)", "winmax(4)", "winmax(5)"] },
  { kind = "normalise", options = ["minmax(1, 100)", "zscore(10, 2)"] },
  { kind = "weight_sets", file = "sa_noisy_weights.csv" },
  { kind = "aggregate", target = "*", options = ["arithmetic", "geometric"] },
]
"#;
    std::fs::write(dir.path().join("asem_ua.toml"), framework).unwrap();
    std::fs::copy(
        "tests/fixtures/coinr/sa_noisy_weights.csv",
        dir.path().join("sa_noisy_weights.csv"),
    )
    .unwrap();
    // Each run's choices as the middle of its option's share of [0, 1).
    let mut samples = String::from("winmax,normalisation,weights,aggregation\n");
    for run in parse(&read(Path::new("tests/fixtures/coinr/sa_UA_N100_design.csv"))) {
        let middle = |i: f64, n: f64| (i + 0.5) / n;
        let u = [
            middle(number(&run["winmax"]) - 1.0, 5.0),
            middle(if run["normalisation"] == "n_minmax" { 0.0 } else { 1.0 }, 2.0),
            middle(number(&run["weight_set"]) - 1.0, 100.0),
            middle(if run["aggregation"] == "a_amean" { 0.0 } else { 1.0 }, 2.0),
        ];
        samples += &format!("{},{},{},{}\n", u[0], u[1], u[2], u[3]);
    }
    std::fs::write(dir.path().join("samples.csv"), samples).unwrap();
    let out = dir.path().join("out");
    riskscore()
        .args(["sensitivity", "-q", "-f"])
        .arg(dir.path().join("asem_ua.toml"))
        .args(["-d", "datasets/asem/ASEM_iData.csv", "--samples-from"])
        .arg(dir.path().join("samples.csv"))
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    // The weight sets are part of the run's inputs: named and hashed in the manifest.
    let manifest: serde_json::Value = serde_json::from_str(&read(&out.join("manifest.json"))).unwrap();
    let sets = &manifest["weight_sets"][0];
    assert!(
        sets["file"].as_str().unwrap().ends_with("sa_noisy_weights.csv"),
        "{sets}"
    );
    assert_eq!(sets["sha256"].as_str().unwrap().len(), 64);
    let ours: HashMap<String, HashMap<String, String>> = parse(&read(&out.join("uncertainty.csv")))
        .into_iter()
        .map(|r| (r["unit"].clone(), r))
        .collect();
    let theirs = parse(&read(Path::new("tests/fixtures/coinr/sa_UA_N100_RankStats.csv")));
    assert_eq!(theirs.len(), 51);
    for t in &theirs {
        let o = &ours[&t["uCode"]];
        for (coinr, mine) in [
            ("Nominal", "nominal_rank"),
            ("Median", "median_rank"),
            ("Q5", "q05_rank"),
            ("Q95", "q95_rank"),
        ] {
            assert!(
                (number(&t[coinr]) - number(&o[mine])).abs() < 1e-9,
                "{} {coinr}: COINr {}, riskscore {}",
                t["uCode"],
                t[coinr],
                o[mine]
            );
        }
    }
}

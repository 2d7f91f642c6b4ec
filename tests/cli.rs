//! Integration tests: run the real `riskscore` binary on files in datasets/ and
//! tests/fixtures/, in temporary output folders.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn riskscore() -> Command {
    let mut cmd = Command::cargo_bin("riskscore").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

fn fixture(name: &str) -> String {
    format!("tests/fixtures/{name}")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Compares texts and shows a line diff on failure.
fn assert_same_text(got: &str, expected: &str) {
    if got != expected {
        let mut diff = String::new();
        let (g, e): (Vec<&str>, Vec<&str>) = (got.lines().collect(), expected.lines().collect());
        for i in 0..g.len().max(e.len()) {
            let (a, b) = (
                g.get(i).copied().unwrap_or("<none>"),
                e.get(i).copied().unwrap_or("<none>"),
            );
            if a != b {
                diff.push_str(&format!("line {}:\n  got      {a}\n  expected {b}\n", i + 1));
            }
        }
        panic!("output differs from expected:\n{diff}");
    }
}

/// Runs `score` and returns the output folder.
fn score(framework: &str, data: &[&str], extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut cmd = riskscore();
    cmd.args(["score", "-q", "-f", framework, "-o"]).arg(&out);
    for d in data {
        cmd.args(["-d", d]);
    }
    cmd.args(extra).assert().success();
    (dir, out)
}

/// Runs a command expected to fail with exit 1 (bad input) and returns its stderr.
fn fails(args: &[&str]) -> String {
    exits_with(1, args)
}

/// Runs a command expected to fail with exit 2 (a bad option value) and returns its stderr.
fn misuse(args: &[&str]) -> String {
    exits_with(2, args)
}

fn exits_with(code: i32, args: &[&str]) -> String {
    let output = riskscore().args(args).output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(code),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stderr).unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn small_example_matches_hand_checked_scores() {
    let (_d, out) = score(&fixture("small.toml"), &[&fixture("small.csv")], &[]);
    assert_same_text(
        &read(&out.join("scores.csv")),
        &read(Path::new(&fixture("small_expected_scores.csv"))),
    );
}

#[test]
fn indicators_csv_is_long_with_every_stage() {
    let (_d, out) = score(&fixture("small.toml"), &[&fixture("small.csv")], &[]);
    let text = read(&out.join("indicators.csv"));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "unit,period,indicator,raw,treated,normalised,imputed");
    assert_eq!(lines[3], "X,2020,b1,5.000000,5.000000,50.000000,false");
    assert!(lines.contains(&"Y,2021,a2,,,,false"));
    assert_eq!(lines.len(), 1 + 6 * 3);
}

#[test]
fn long_layout_and_joined_files_give_the_same_scores() {
    let expected = read(Path::new(&fixture("small_expected_scores.csv")));
    let (_d, out) = score(&fixture("small.toml"), &[&fixture("small_long.csv")], &[]);
    assert_same_text(&read(&out.join("scores.csv")), &expected);
    let (_d, out) = score(
        &fixture("small.toml"),
        &[&fixture("small_part1.csv"), &fixture("small_part2.csv")],
        &[],
    );
    assert_same_text(&read(&out.join("scores.csv")), &expected);
}

#[test]
fn data_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    riskscore()
        .args(["score", "-q", "-f", &fixture("small.toml"), "-d", "-", "-o"])
        .arg(dir.path())
        .write_stdin(read(Path::new(&fixture("small.csv"))))
        .assert()
        .success();
    assert_same_text(
        &read(&dir.path().join("scores.csv")),
        &read(Path::new(&fixture("small_expected_scores.csv"))),
    );
    let manifest = read(&dir.path().join("manifest.json"));
    assert!(manifest.contains("\"file\": \"<stdin>\""), "{manifest}");
}

#[test]
fn parquet_input_gives_the_same_scores() {
    use polars::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let mut df = df!(
        "unit" => ["X", "Y", "Z", "X", "Y", "Z"],
        "year" => [2020i64, 2020, 2020, 2021, 2021, 2021],
        "a1" => [0.0, 5.0, 10.0, 1.0, 2.0, 3.0],
        "a2" => [Some(10.0), Some(20.0), Some(30.0), Some(1.0), None, Some(3.0)],
        "b1" => [5i64, 0, 10, 1, 2, 0],
    )
    .unwrap();
    let path = dir.path().join("small.parquet");
    ParquetWriter::new(std::fs::File::create(&path).unwrap())
        .finish(&mut df)
        .unwrap();
    let (_d, out) = score(&fixture("small.toml"), &[&path.display().to_string()], &[]);
    assert_same_text(
        &read(&out.join("scores.csv")),
        &read(Path::new(&fixture("small_expected_scores.csv"))),
    );
}

#[test]
fn excel_style_and_xlsx_workbook() {
    let (_d, out) = score(&fixture("small.toml"), &[&fixture("small.csv")], &["--excel", "--xlsx"]);
    let text = read(&out.join("scores.csv"));
    assert!(
        text.starts_with("\u{feff}unit;period;score;rank;class;coverage;imputed;a;b\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "\nY,2021;25,000000;2,5;low;0,6667;0;50,000000;0,000000\n"
                .replace("Y,", "Y;")
                .as_str()
        ),
        "{text}"
    );
    let xlsx = std::fs::read(out.join("scores.xlsx")).unwrap();
    assert_eq!(&xlsx[..2], b"PK", "xlsx is a zip container");
}

#[test]
fn gti_framework_reproduces_published_scores_2016_2022() {
    let (_d, out) = score("indicators/gti.toml", &["datasets/gti_central_asia.csv"], &[]);
    let published = read(Path::new("datasets/gti_central_asia.csv"));
    let ours = read(&out.join("scores.csv"));
    let mut checked = 0;
    for line in published.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (iso3, year, score): (&str, i32, f64) = (f[0], f[2].parse().unwrap(), f[7].parse().unwrap());
        if !(2016..=2022).contains(&year) {
            continue;
        }
        let row = ours
            .lines()
            .find(|l| l.starts_with(&format!("{iso3},{year},")))
            .unwrap_or_else(|| panic!("no score for {iso3} {year}"));
        let got: f64 = row.split(',').nth(2).unwrap().parse().unwrap();
        assert!(
            (got - score).abs() < 1e-3,
            "{iso3} {year}: ours {got}, published {score}"
        );
        checked += 1;
    }
    assert_eq!(checked, 9 * 7);
    // The DESIGN check value: Uzbekistan 2022, x = 6.4, GTI = 1.7309.
    let uzb = ours.lines().find(|l| l.starts_with("UZB,2022,")).unwrap();
    assert!(uzb.starts_with("UZB,2022,1.7308"), "{uzb}");
}

#[test]
fn central_asia_example_scores_every_country_and_year() {
    let (_d, out) = score(
        "indicators/central_asia.toml",
        &["datasets/central_asia.csv"],
        &["--xlsx"],
    );
    let text = read(&out.join("scores.csv"));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "unit,period,score,rank,class,coverage,imputed,threat,spillover,recruitment,economic,capacity"
    );
    assert_eq!(lines.len(), 1 + 9 * 5);
    for year in 2018..=2022 {
        let in_year: Vec<&&str> = lines
            .iter()
            .filter(|l| l.split(',').nth(1) == Some(&year.to_string()))
            .collect();
        assert_eq!(in_year.len(), 9, "{year}");
        for l in in_year {
            let score: f64 = l.split(',').nth(2).unwrap().parse().unwrap();
            assert!((0.0..=10.0).contains(&score), "{l}");
        }
    }
    let manifest: serde_json::Value = serde_json::from_str(&read(&out.join("manifest.json"))).unwrap();
    assert_eq!(manifest["counts"]["scored_unit_periods"], 45);
    assert_eq!(manifest["framework"]["indicators"], 15);
    // The contiguity table is an input, with its hash.
    assert_eq!(manifest["data"][1]["format"], "neighbours");
    assert_eq!(manifest["data"][0]["sha256"].as_str().unwrap().len(), 64);
    assert!(out.join("scores.xlsx").exists());
}

#[test]
fn validate_reports_ok_and_every_problem() {
    riskscore()
        .args([
            "validate",
            "-f",
            "indicators/central_asia.toml",
            "-d",
            "datasets/central_asia.csv",
        ])
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "framework indicators/central_asia.toml: ok (5 groups, 15 indicators, 6 derived columns)",
        ))
        .stdout(predicates::str::contains(
            "data datasets/central_asia.csv: ok (9 units, 11 periods 2012..2022, 45 unit-periods scored)",
        ));
    let dir = tempfile::tempdir().unwrap();
    let bad = read(Path::new(&fixture("small.toml")))
        .replace("id = \"a1\"\ngroup = \"a\"", "id = \"a1\"\ngroup = \"aa\"\nweight = -1")
        .replace("direction = \"risk_down\"", "direction = \"down\"");
    let fw = write(dir.path(), "bad.toml", &bad);
    let err = fails(&["validate", "-f", &fw]);
    assert_eq!(
        err,
        format!(
            "error: 3 problems found:\n  - {fw}: key `indicator.a1.group`: unknown group `aa`; did you mean `a`?\n  - {fw}: key `indicator.a1.weight`: weight must be a finite number > 0, found -1\n  - {fw}: key `indicator.b1.direction`: unknown value `down`: expected one of `risk_up`, `risk_down`\n"
        )
    );
}

#[test]
fn explain_breaks_a_score_down() {
    let out = riskscore()
        .args([
            "explain",
            "-f",
            &fixture("small.toml"),
            "-d",
            &fixture("small.csv"),
            "--unit",
            "Y",
            "--period",
            "2021",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("Y 2021: risk = 25.000 (rank 2.5 of 3, class low); coverage 67%\n"),
        "{text}"
    );
    assert!(
        text.contains("previous scored period 2020: score 75.000 (-50.000), rank 1 (down 1.5 places)"),
        "{text}"
    );
    assert!(
        text.contains("\n  a1               2.000      50.000   100.0%   100.0%      +0.000\n"),
        "{text}"
    );
    let err = misuse(&[
        "explain",
        "-f",
        &fixture("small.toml"),
        "-d",
        &fixture("small.csv"),
        "--unit",
        "W",
        "--period",
        "2021",
    ]);
    assert_eq!(err, "error: --unit: unknown unit `W`\n");
}

#[test]
fn formula_like_text_is_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(
        dir.path(),
        "d.csv",
        "unit,year,a1,a2,b1\n=cmd(),2020,1,2,3\n@x,2020,2,3,4\n",
    );
    let (_d, out) = score(&fixture("small.toml"), &[&data], &[]);
    let text = read(&out.join("scores.csv"));
    assert!(text.contains("\n'=cmd(),2020,"), "{text}");
    assert!(text.contains("\n'@x,2020,"), "{text}");
}

// ---- errors users will see, asserted exactly ----------------------------------------

#[test]
fn a_missing_data_flag_is_a_usage_error() {
    let err = misuse(&["score", "-f", &fixture("small.toml"), "-o", "/tmp/x"]);
    assert_eq!(err, "error: -d/--data: no data file given: pass one or more\n");
}

#[test]
fn tables_go_to_stdout_and_notes_to_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sa");
    let output = riskscore()
        .args([
            "sensitivity",
            "-f",
            "indicators/central_asia.toml",
            "-d",
            "datasets/central_asia.csv",
        ])
        .args(["--samples", "64", "--bootstrap", "0", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stdout.starts_with("period 2022: mean |rank shift| from nominal"),
        "{stdout}"
    );
    assert!(!stderr.contains("period 2022"), "{stderr}");
    assert!(stderr.contains("model runs (N = 64"), "{stderr}");
}

#[test]
fn error_missing_file() {
    let err = fails(&["score", "-f", "tests/fixtures/nope.toml", "-d", "x.csv", "-o", "/tmp/x"]);
    assert_eq!(
        err,
        "error: tests/fixtures/nope.toml: cannot read framework file: No such file or directory (os error 2)\n"
    );
    let err = fails(&[
        "validate",
        "-f",
        &fixture("small.toml"),
        "-d",
        "tests/fixtures/nope.csv",
    ]);
    assert_eq!(
        err,
        "error: tests/fixtures/nope.csv: cannot read data file: No such file or directory (os error 2)\n"
    );
}

#[test]
fn error_missing_column() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "d.csv", "unit,year,a1,a_2,b1\nX,2020,1,2,3\n");
    let err = fails(&["validate", "-f", &fixture("small.toml"), "-d", &data]);
    assert_eq!(
        err,
        format!("error: {data}: missing column `a2` (needed by indicator `a2`) (the file has `unit`, `year`, `a1`, `a_2`, `b1`); did you mean `a_2`?\n")
    );
}

#[test]
fn error_non_numeric_cell() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(
        dir.path(),
        "d.csv",
        "unit,year,a1,a2,b1\nX,2020,1,2,3\nY,2020,1,two,3\n",
    );
    let err = fails(&["validate", "-f", &fixture("small.toml"), "-d", &data]);
    assert_eq!(
        err,
        format!("error: {data}: row 3, column `a2`: expected a number, found `two`; write a missing value as an empty cell or NA\n")
    );
    let data = write(dir.path(), "e.csv", "unit,year,a1,a2,b1\nX,2020,1,\"2,5\",3\n");
    let err = fails(&["validate", "-f", &fixture("small.toml"), "-d", &data]);
    assert_eq!(
        err,
        format!("error: {data}: row 2, column `a2`: expected a number, found `2,5` (for decimal commas use --decimal-comma); write a missing value as an empty cell or NA\n")
    );
}

#[test]
fn error_duplicate_unit_period() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(
        dir.path(),
        "d.csv",
        "unit,year,a1,a2,b1\nX,2020,1,2,3\nY,2020,1,2,3\nX,2020,4,5,6\n",
    );
    let err = fails(&["validate", "-f", &fixture("small.toml"), "-d", &data]);
    assert_eq!(
        err,
        format!("error: {data}: row 4: duplicate unit `X` and period `2020` (first seen at row 2)\n")
    );
}

#[test]
fn error_bad_period() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(
        dir.path(),
        "d.csv",
        "unit,year,a1,a2,b1\nX,2020,1,2,3\nY,twenty,1,2,3\n",
    );
    let err = fails(&["validate", "-f", &fixture("small.toml"), "-d", &data]);
    assert_eq!(
        err,
        format!(
            "error: {data}: row 3, column `year`: expected a period such as 2022, 2022-Q1 or 2022-03, found `twenty`\n"
        )
    );
}

#[test]
fn error_unknown_group_id_suggests() {
    let dir = tempfile::tempdir().unwrap();
    let fw = write(
        dir.path(),
        "f.toml",
        &read(Path::new(&fixture("small.toml"))).replace("id = \"b1\"\ngroup = \"b\"", "id = \"b1\"\ngroup = \"bb\""),
    );
    let err = fails(&["validate", "-f", &fw]);
    assert_eq!(
        err,
        format!("error: {fw}: key `indicator.b1.group`: unknown group `bb`; did you mean `b`?\n")
    );
}

#[test]
fn error_hierarchy_cycle() {
    let dir = tempfile::tempdir().unwrap();
    let text = read(Path::new(&fixture("small.toml"))).replace(
        "[[group]]\nid = \"b\"\n",
        "[[group]]\nid = \"b\"\nparent = \"c\"\n[[group]]\nid = \"c\"\nparent = \"b\"\n",
    );
    let fw = write(dir.path(), "f.toml", &text);
    let err = fails(&["validate", "-f", &fw]);
    assert_eq!(
        err,
        format!("error: {fw}: key `group.b.parent`: the groups form a cycle: b -> c -> b (every chain of parents must end at the index)\n")
    );
}

#[test]
fn error_weight_not_positive() {
    let dir = tempfile::tempdir().unwrap();
    let fw = write(
        dir.path(),
        "f.toml",
        &read(Path::new(&fixture("small.toml")))
            .replace("[[group]]\nid = \"a\"\n", "[[group]]\nid = \"a\"\nweight = 0\n"),
    );
    let err = fails(&["validate", "-f", &fw]);
    assert_eq!(
        err,
        format!("error: {fw}: key `group.a.weight`: weight must be a finite number > 0, found 0\n")
    );
}

#[test]
fn error_indicator_missing_for_every_unit() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "d.csv", "unit,year,a1,a2,b1\nX,2020,1,,3\nY,2020,2,NA,4\n");
    let err = fails(&["validate", "-f", &fixture("small.toml"), "-d", &data]);
    assert_eq!(
        err,
        "error: tests/fixtures/small.toml: indicator `a2` (column `a2`): no unit has a value in any scored period (2 unit-periods); check the column, or drop the indicator with screen.indicator_min_coverage\n"
    );
}

#[test]
fn error_zero_variance_under_zscore() {
    let dir = tempfile::tempdir().unwrap();
    let fw = write(
        dir.path(),
        "f.toml",
        &read(Path::new(&fixture("small.toml"))).replace("id = \"a1\"\n", "id = \"a1\"\nnormalise = \"zscore\"\n"),
    );
    let data = write(dir.path(), "d.csv", "unit,year,a1,a2,b1\nX,2020,7,1,3\nY,2020,7,2,4\n");
    let err = fails(&["validate", "-f", &fw, "-d", &data]);
    assert_eq!(
        err,
        format!("error: {fw}: indicator `a1`, period 2020: z-score needs values that vary, but all 2 values are 7 (standard deviation 0); use normalise = \"minmax\" or another method\n")
    );
}

#[test]
fn error_log_of_non_positive_value() {
    let dir = tempfile::tempdir().unwrap();
    let fw = write(
        dir.path(),
        "f.toml",
        &read(Path::new(&fixture("small.toml"))).replace("id = \"a1\"\n", "id = \"a1\"\ntransform = \"log\"\n"),
    );
    let data = write(dir.path(), "d.csv", "unit,year,a1,a2,b1\nX,2020,7,1,3\nY,2020,0,2,4\n");
    let err = fails(&["validate", "-f", &fw, "-d", &data]);
    assert_eq!(
        err,
        format!("error: {fw}: indicator `a1`, unit `Y`, period 2020: transform log needs values > 0, found 0\n")
    );
}

#[test]
fn error_geometric_mean_of_values_that_can_be_zero() {
    let dir = tempfile::tempdir().unwrap();
    let fw = write(
        dir.path(),
        "f.toml",
        &read(Path::new(&fixture("small.toml"))).replace("aggregation = \"arithmetic\"", "aggregation = \"geometric\""),
    );
    let err = fails(&["validate", "-f", &fw]);
    assert_eq!(
        err,
        format!("error: 2 problems found:\n  - {fw}: key `index.aggregation`: geometric aggregation needs values > 0, but `a` can be as low as 0: normalise its indicators with range = [1, 100] (in [defaults] or per indicator)\n  - {fw}: key `index.aggregation`: geometric aggregation needs values > 0, but `b` can be as low as 0: normalise its indicators with range = [1, 100] (in [defaults] or per indicator)\n")
    );
}

#[test]
fn error_empty_data() {
    let dir = tempfile::tempdir().unwrap();
    let header_only = write(dir.path(), "h.csv", "unit,year,a1,a2,b1\n");
    let err = fails(&["validate", "-f", &fixture("small.toml"), "-d", &header_only]);
    assert_eq!(
        err,
        format!("error: {header_only}: no data rows: the file has a header but nothing under it\n")
    );
    let empty = write(dir.path(), "e.csv", "");
    let err = fails(&["validate", "-f", &fixture("small.toml"), "-d", &empty]);
    assert_eq!(
        err,
        format!("error: {empty}: the file is empty: expected a header row and data rows\n")
    );
}

#[test]
fn usage_errors_exit_2() {
    let out = riskscore().args(["score", "-f"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn outputs_never_overwrite_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "scores.csv", &read(Path::new(&fixture("small.csv"))));
    let err = fails(&[
        "score",
        "-f",
        &fixture("small.toml"),
        "-d",
        &data,
        "-o",
        &dir.path().display().to_string(),
    ]);
    assert_eq!(
        err,
        format!("error: {data}: this output would overwrite an input file: choose another output path\n")
    );
    assert_eq!(read(Path::new(&data)), read(Path::new(&fixture("small.csv"))));
}

#[test]
fn screening_drops_thin_unit_periods_and_reports_them() {
    let dir = tempfile::tempdir().unwrap();
    let fw = write(
        dir.path(),
        "f.toml",
        &format!(
            "{}\n[screen]\nunit_min_coverage = 0.9\n",
            read(Path::new(&fixture("small.toml")))
        ),
    );
    let (_d, out) = score(&fw, &[&fixture("small.csv")], &[]);
    assert_eq!(
        read(&out.join("screening.csv")),
        "what,id,period,coverage,threshold\nunit,Y,2021,0.6667,0.9000\n"
    );
    let scores = read(&out.join("scores.csv"));
    assert!(!scores.contains("\nY,2021,"), "{scores}");
    // X and Z in 2021 are normalised and ranked between themselves.
    assert!(scores.contains("\nZ,2021,100.000000,1,high,"), "{scores}");
}

#[test]
fn quarterly_periods_with_a_lag() {
    let dir = tempfile::tempdir().unwrap();
    let fw = write(
        dir.path(),
        "q.toml",
        "[index]\nid = \"r\"\nunit = \"unit\"\nperiod = \"quarter\"\nfirst_period = \"2022-Q1\"\n\n[[derived]]\nid = \"attacks_prev\"\nkind = \"lag\"\nof = \"attacks\"\n\n[[indicator]]\nid = \"prev\"\ngroup = \"r\"\ncolumn = \"attacks_prev\"\n",
    );
    let data = write(
        dir.path(),
        "q.csv",
        "unit,quarter,attacks\nA,2021-Q4,10\nB,2021-Q4,0\nA,2022-Q1,0\nB,2022-Q1,5\nA,2022-Q2,1\nB,2022-Q2,2\n",
    );
    let (_d, out) = score(&fw, &[&data], &[]);
    // 2022-Q1 is scored on 2021-Q4's attacks (A 10 > B 0); 2022-Q2 on 2022-Q1's (B 5 > A 0).
    assert_eq!(
        read(&out.join("scores.csv")),
        "unit,period,score,rank,class,coverage,imputed\nA,2022-Q1,100.000000,1,,1.0000,0\nB,2022-Q1,0.000000,2,,1.0000,0\nA,2022-Q2,0.000000,2,,1.0000,0\nB,2022-Q2,100.000000,1,,1.0000,0\n"
    );
}

#[test]
fn copeland_and_observed_scale() {
    let dir = tempfile::tempdir().unwrap();
    let text = read(Path::new(&fixture("small.toml"))).replace(
        "aggregation = \"arithmetic\"",
        "aggregation = \"copeland\"\nscale = [0, 10]\nscale_from = \"observed\"",
    );
    let fw = write(dir.path(), "c.toml", &text);
    let (_d, out) = score(&fw, &[&fixture("small.csv")], &[]);
    let scores = read(&out.join("scores.csv"));
    // 2020 pillars (X, Y, Z): A = (0, 50, 100), B = (50, 100, 0). Y beats X on both;
    // X-Z and Y-Z split one each (ties). Copeland: X -1, Y +1, Z 0 -> scaled 0, 10, 5.
    assert!(scores.contains("\nX,2020,0.000000,3,low,"), "{scores}");
    assert!(scores.contains("\nY,2020,10.000000,1,low,"), "{scores}");
    assert!(scores.contains("\nZ,2020,5.000000,2,low,"), "{scores}");
    // 2021: A = (0, 50, 100), B = (50, 0, 100): Z beats both (+2), X-Y split (-1 each).
    assert!(scores.contains("\nZ,2021,10.000000,1,low,"), "{scores}");
    assert!(scores.contains("\nX,2021,0.000000,2.5,low,"), "{scores}");
}

// ---- sensitivity ------------------------------------------------------------------

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
    // The nominal ranks are those of `score`.
    assert!(lines.iter().any(|l| l.starts_with("AFG,2022,1,")), "{unc}");
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
        "error: tests/fixtures/small.toml: key `sensitivity`: the framework has no [sensitivity] block: add one with the uncertain factors (see the README)\n"
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
            "error: 3 problems found:\n  - {fw}: key `sensitivity.factors[1].kind`: unknown kind `wieght`: expected one of `weight`, `normalise`, `aggregate`, `exclude`, `impute`, `treatment`; did you mean `weight`?\n  - {fw}: key `sensitivity.factors[2].target`: `group:c` matches no group or indicator: use group:*, group:<id>, indicator:*, indicator:<id> or level:<depth>\n  - {fw}: key `sensitivity.factors[3].targets`: unknown indicator `a3`; did you mean `a1`?\n"
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
}

#[test]
fn a_closed_stdout_is_not_an_error() {
    // `riskscore explain ... | head -0`: the reader is gone before anything is written.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("riskscore"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "explain",
            "-f",
            &fixture("small.toml"),
            "-d",
            &fixture("small.csv"),
            "--unit",
            "Y",
            "--period",
            "2021",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stderr.is_empty());
}

// ---- events --------------------------------------------------------------------------

#[test]
fn events_small_log_matches_the_hand_checked_table() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ind.csv");
    riskscore()
        .args([
            "events",
            "-q",
            "-i",
            &fixture("events_acled_small.csv"),
            "--actor",
            "Khorasan|ISKP",
            "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    assert_same_text(
        &read(&out),
        &read(Path::new(&fixture("events_acled_small.expected.csv"))),
    );
    let manifest: serde_json::Value = serde_json::from_str(&read(&dir.path().join("ind.manifest.json"))).unwrap();
    assert_eq!(manifest["report"]["rows"], 5);
    assert_eq!(manifest["report"]["format"], "acled");
    assert_eq!(manifest["input"]["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn events_to_indicators_to_scores() {
    // The README's path on the bundled example log.
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("events_indicators.csv");
    let output = riskscore()
        .args([
            "events",
            "-i",
            "datasets/events_example_acled.csv",
            "--actor",
            "Khorasan|ISKP|ISIS-K",
            "--first-period",
            "2014",
            "--last-period",
            "2022",
            "-o",
        ])
        .arg(&table)
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("acled log: 3000 rows, 3000 events aggregated into 9 units x 9 periods (2014..2022)"),
        "{stderr}"
    );
    let text = read(&table);
    assert_eq!(text.lines().count(), 1 + 9 * 9);
    let out = dir.path().join("scores");
    riskscore()
        .args(["score", "-q", "-f", "indicators/central_asia_events.toml", "-d"])
        .arg(&table)
        .args(["-d", "datasets/central_asia.csv", "-o"])
        .arg(&out)
        .assert()
        .success();
    let scores = read(&out.join("scores.csv"));
    assert_eq!(scores.lines().count(), 1 + 9 * 5);
    assert!(scores
        .lines()
        .next()
        .unwrap()
        .contains(",threat,spillover,recruitment,economic,capacity"));
}

#[test]
fn events_gtd_quarters_with_a_units_list() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("q.csv");
    let output = riskscore()
        .args([
            "events",
            "-i",
            &fixture("events_gtd_small.csv"),
            "--period",
            "quarter",
            "--units",
            "UZB,TJK,KGZ",
            "-o",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("note: 1 events with an unknown month (GTD imonth = 0) left out of the quarter table"),
        "{stderr}"
    );
    assert!(
        stderr.contains("note: events outside --units left out: AFG (2)"),
        "{stderr}"
    );
    let text = read(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0]
        .starts_with("iso3,quarter,incidents,verified,unverified,claimed,claimed_only,fatalities,injuries,hostages,"));
    // 2021-Q3 .. 2022-Q2 for the three listed units, zeros where nothing happened.
    assert_eq!(lines.len(), 1 + 4 * 3);
    assert!(lines[1].starts_with("UZB,2021-Q3,0,"), "{}", lines[1]);
    assert!(lines.iter().any(|l| l.starts_with("KGZ,2022-Q2,0,")));
}

#[test]
fn events_errors_name_file_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(
        dir.path(),
        "log.csv",
        "event_id_cnty,event_date,event_type,actor1,country,fatalities\nA1,2022-01-05,Battles,X,Uzbekistan,1\nA2,2022-02-30,Battles,X,Uzbekistn,-1\n",
    );
    let out = dir.path().join("o.csv").display().to_string();
    let err = fails(&["events", "-i", &log, "-o", &out]);
    assert_eq!(
        err,
        format!(
            "error: 3 problems found:\n  - {log}: row 3, column `fatalities`: a count cannot be negative (found `-1`)\n  - {log}: row 3, column `event_date`: expected a date like 2022-04-22 or 22 April 2022 (found `2022-02-30`)\n  - {log}: row 3, column `country`: unknown country name (expected an ISO 3166 name such as Uzbekistan; or take the units from a column of codes: option unit_column) (found `Uzbekistn`)\n"
        )
    );
    let bad = write(
        dir.path(),
        "bad.csv",
        "eventid,iyear,imonth,iday,country_txt,success,doubtterr\n1,2022,1,1,Uzbekistan,1,0\n",
    );
    let err = fails(&["events", "-i", &bad, "-o", &out]);
    assert!(
        err.contains("missing column `attacktype1_txt` (needed by events by type)"),
        "{err}"
    );
    assert!(err.contains("missing column `nkill` (needed by fatalities)"), "{err}");
    assert!(!Path::new(&out).exists(), "no output after an error");
    let good = write(
        dir.path(),
        "good.csv",
        &read(Path::new(&fixture("events_acled_small.csv"))),
    );
    let err = fails(&["events", "-i", &good, "-o", &good]);
    assert!(err.contains("would overwrite an input file"), "{err}");
}

#[test]
fn generated_example_logs_are_reproducible() {
    // datasets/README.md gives these commands; the same seed must give the same bytes.
    let dir = tempfile::tempdir().unwrap();
    for (format, rows, seed, file) in [
        ("acled", "3000", "20221", "events_example_acled.csv"),
        ("gtd", "2000", "20222", "events_example_gtd.csv"),
    ] {
        let out = dir.path().join(file);
        riskscore()
            .args([
                "generate-events",
                "--format",
                format,
                "--rows",
                rows,
                "--seed",
                seed,
                "--first-year",
                "2014",
                "--last-year",
                "2022",
                "-o",
            ])
            .arg(&out)
            .assert()
            .success();
        assert!(
            read(&out) == read(&Path::new("datasets").join(file)),
            "{file} differs from a regenerated copy"
        );
    }
}

#[test]
fn neighbours_need_a_contiguity_table() {
    let dir = tempfile::tempdir().unwrap();
    let base = read(Path::new(&fixture("small.toml")));
    let with_lag = format!("{base}\n[[derived]]\nid = \"n\"\nkind = \"neighbours\"\nof = \"a1\"\n");
    let fw = write(dir.path(), "n.toml", &with_lag);
    let err = fails(&["validate", "-f", &fw]);
    assert_eq!(
        err,
        format!("error: {fw}: key `derived.n.kind`: kind `neighbours` needs a contiguity table: set [data] neighbours = \"borders.csv\" (columns unit, neighbour, optional weight; the path is relative to the framework file)\n")
    );
    let fw = write(
        dir.path(),
        "m.toml",
        &with_lag.replacen("[[group]]", "[data]\nneighbours = \"nowhere.csv\"\n\n[[group]]", 1),
    );
    let err = fails(&["validate", "-f", &fw, "-d", &fixture("small.csv")]);
    assert!(
        err.contains("nowhere.csv: cannot read the neighbours table ([data] neighbours)"),
        "{err}"
    );
}

// ---- variants: compare, backtest, bench ------------------------------------------------

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
    std::fs::write("indicators/.test_other.toml", other).unwrap();
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
    std::fs::remove_file("indicators/.test_other.toml").unwrap();
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

// ---- audit ------------------------------------------------------------------------------

#[test]
fn audit_writes_every_table() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("audit");
    let output = riskscore()
        .args([
            "audit",
            "-f",
            "indicators/central_asia.toml",
            "-d",
            "datasets/central_asia.csv",
            "--period",
            "2022",
            "-o",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("covid_deaths                 availability 0%"),
        "{stdout}"
    );
    assert!(
        stdout.contains("collinear with sibling `neighbour_threat_mean`"),
        "{stdout}"
    );
    for (file, head) in [
        ("stats.csv", "indicator,group,n,availability,zeros,unique,min,max,mean,sd,skewness,kurtosis,outlier,low_availability,many_zeros,few_unique"),
        ("correlations.csv", "indicator,with_kind,with,n,pearson,pearson_p,spearman,spearman_p,flag"),
        ("cronbach.csv", "group,items,n,alpha"),
        ("pca.csv", "group,n,component,child,eigenvalue,explained,cumulative,loading"),
        ("effective_weights.csv", "indicator,nominal_weight,corr_with_index,importance"),
        ("units.csv", "unit,availability,strongest,weakest"),
    ] {
        let text = read(&out.join(file));
        assert_eq!(text.lines().next(), Some(head), "{file}");
    }
    let stats = read(&out.join("stats.csv"));
    assert_eq!(stats.lines().count(), 1 + 15);
    // Importances sum to 1.
    let eff = read(&out.join("effective_weights.csv"));
    let total: f64 = eff
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(3).unwrap().parse::<f64>().unwrap())
        .sum();
    assert!((total - 1.0).abs() < 1e-5, "{total}");
    let err = misuse(&[
        "audit",
        "-f",
        "indicators/central_asia.toml",
        "-d",
        "datasets/central_asia.csv",
        "--period",
        "2012",
        "-o",
        &out.display().to_string(),
    ]);
    assert!(
        err.starts_with("error: --period: no unit is scored in period 2012"),
        "{err}"
    );
}

#[test]
fn generalised_mean_benefit_of_the_doubt_and_new_normalisations() {
    // 2020, by hand: a1 fracmax [0, 0.5, 1]; a2 minmax [0, 50, 100]; group a =
    // genmean(2): X 0, Y sqrt((0.25 + 2500)/2) = 35.357, Z sqrt((1 + 10000)/2) = 70.714;
    // b1 risk_down minmax: X 50, Y 100, Z 0. Benefit of the doubt over (a, b): Y and Z
    // are each best on one pillar (1); X's best weights are Y's bound on b: 50/100 = 0.5.
    let dir = tempfile::tempdir().unwrap();
    let fw = read(Path::new(&fixture("small.toml")))
        .replace("aggregation = \"arithmetic\"", "aggregation = \"bod\"")
        .replace(
            "[[group]]\nid = \"a\"",
            "[[group]]\nid = \"a\"\naggregation = \"genmean(2)\"",
        )
        .replace(
            "id = \"a1\"\ngroup = \"a\"",
            "id = \"a1\"\ngroup = \"a\"\nnormalise = \"fracmax\"",
        );
    let path = write(dir.path(), "fw.toml", &fw);
    let (_d, out) = score(&path, &[&fixture("small.csv")], &[]);
    let scores = read(&out.join("scores.csv"));
    let row = |u: &str| {
        scores
            .lines()
            .find(|l| l.starts_with(&format!("{u},2020,")))
            .unwrap()
            .to_string()
    };
    assert!(row("X").starts_with("X,2020,0.500000,3,"), "{scores}");
    assert!(row("Y").starts_with("Y,2020,1.000000,1.5,"), "{scores}");
    assert!(row("Z").starts_with("Z,2020,1.000000,1.5,"), "{scores}");
    assert!(row("Y").contains(",35.357"), "{scores}");
    // dist2targ needs a target; target without dist2targ is named.
    let bad = fw.replace("normalise = \"fracmax\"", "normalise = \"dist2targ\"");
    let path = write(dir.path(), "bad.toml", &bad);
    let err = fails(&["validate", "-f", &path]);
    assert!(
        err.contains("key `indicator.a1.target`: normalise = \"dist2targ\" needs target"),
        "{err}"
    );
    let bad = fw.replace("normalise = \"fracmax\"", "target = 3");
    let path = write(dir.path(), "bad2.toml", &bad);
    let err = fails(&["validate", "-f", &path]);
    assert!(
        err.contains("key `indicator.a1.target`: `target` is only used with normalise = \"dist2targ\""),
        "{err}"
    );
}

#[test]
fn data_driven_weights_are_resolved_and_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let base = read(Path::new(&fixture("small.toml")));
    // PCA weights in group a, optimised weights at the index, equal weights override
    // what is written.
    let fw = base
        .replace(
            "aggregation = \"arithmetic\"",
            "aggregation = \"arithmetic\"\nweights = \"optimised\"",
        )
        .replace("[[group]]\nid = \"a\"", "[[group]]\nid = \"a\"\nweights = \"pca\"")
        .replace("[[group]]\nid = \"b\"", "[[group]]\nid = \"b\"\nweights = \"equal\"");
    let path = write(dir.path(), "w.toml", &fw);
    let (_d, out) = score(&path, &[&fixture("small.csv")], &[]);
    let manifest: serde_json::Value = serde_json::from_str(&read(&out.join("manifest.json"))).unwrap();
    let resolved = manifest["resolved_weights"].as_array().unwrap();
    assert_eq!(resolved.len(), 2, "{manifest}");
    assert_eq!(resolved[0]["group"], "a");
    assert_eq!(resolved[0]["method"], "pca");
    assert_eq!(resolved[1]["group"], "risk");
    assert_eq!(resolved[1]["method"], "optimised");
    for r in resolved {
        let total: f64 = r["weights"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p[1].as_f64().unwrap())
            .sum();
        assert!((total - 1.0).abs() < 1e-9, "{r}");
    }
    let bad = write(
        dir.path(),
        "bad.toml",
        &base.replace("[[group]]\nid = \"a\"", "[[group]]\nid = \"a\"\nweights = \"pcaa\""),
    );
    let err = fails(&["validate", "-f", &bad]);
    assert!(err.contains("key `group.a.weights`: unknown value `pcaa`: expected one of `expert`, `equal`, `pca`, `optimised`; did you mean `pca`?"), "{err}");
}

#[test]
fn events_period_range_must_match_the_period() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("q.csv").display().to_string();
    let err = misuse(&[
        "events",
        "-i",
        &fixture("events_gtd_small.csv"),
        "--period",
        "quarter",
        "--first-period",
        "2021",
        "-o",
        &out,
    ]);
    assert_eq!(
        err,
        "error: --first-period: expected a quarter period, as --period asks, found `2021` (a year)\n"
    );
    let err = misuse(&[
        "events",
        "-i",
        &fixture("events_gtd_small.csv"),
        "--last-period",
        "20x1",
        "-o",
        &out,
    ]);
    assert_eq!(
        err,
        "error: --last-period: expected a period such as 2022, 2022-Q1 or 2022-03, found `20x1`\n"
    );
    let err = misuse(&[
        "events",
        "-i",
        &fixture("events_gtd_small.csv"),
        "--delimiter",
        ";;",
        "-o",
        &out,
    ]);
    assert_eq!(err, "error: --delimiter: expected one character (or \\t), found `;;`\n");
}

// ---- report ------------------------------------------------------------------------------

#[test]
fn report_is_one_self_contained_page_with_every_chart() {
    let dir = tempfile::tempdir().unwrap();
    let sa = dir.path().join("sa");
    riskscore()
        .args([
            "sensitivity",
            "-q",
            "-f",
            "indicators/central_asia.toml",
            "-d",
            "datasets/central_asia.csv",
            "--samples",
            "64",
            "-o",
        ])
        .arg(&sa)
        .assert()
        .success();
    let cmp = dir.path().join("cmp");
    riskscore()
        .args([
            "compare",
            "-q",
            "-f",
            "indicators/central_asia.toml",
            "-d",
            "datasets/central_asia.csv",
            "-o",
        ])
        .arg(&cmp)
        .assert()
        .success();
    let out = dir.path().join("report");
    riskscore()
        .args([
            "report",
            "-q",
            "-f",
            "indicators/central_asia.toml",
            "-d",
            "datasets/central_asia.csv",
            "--xlsx",
            "--sensitivity",
        ])
        .arg(&sa)
        .arg("--compare")
        .arg(&cmp)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let html = read(&out.join("report.html"));
    for id in [
        "scores",
        "pillars",
        "trends",
        "coverage",
        "uncertainty",
        "sobol",
        "variants",
    ] {
        assert!(html.contains(&format!("data-chart=\"{id}\"")), "chart {id} missing");
    }
    assert_eq!(html.matches("<svg").count(), 7);
    assert_eq!(html.matches("<figcaption>").count(), 7);
    // Self-contained: no script, stylesheet link, image or font from elsewhere.
    for banned in ["<script", "<link", "<img", "@import", "url("] {
        assert!(!html.contains(banned), "{banned}");
    }
    let without_svg_ns = html.replace("http://www.w3.org/2000/svg", "");
    assert!(!without_svg_ns.contains("http://") && !without_svg_ns.contains("https://"));
    assert!(html.contains("<td class=\"text\">AFG</td>"));
    assert!(html.contains("\"command\": \"report\""));
    assert!(out.join("report.xlsx").metadata().unwrap().len() > 1000);
    // A folder that is not one.
    let err = misuse(&[
        "report",
        "-f",
        "indicators/central_asia.toml",
        "-d",
        "datasets/central_asia.csv",
        "--sensitivity",
        "nowhere",
        "-o",
        &out.display().to_string(),
    ]);
    assert_eq!(
        err,
        "error: --sensitivity: `nowhere` is not a folder (expected the output folder of `riskscore sensitivity`)\n"
    );
}

/// Runs the example's score, sensitivity and compare into `dir` (for the report tests).
fn example_runs(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let (s, sa, cmp) = (dir.join("score"), dir.join("sa"), dir.join("cmp"));
    for (cmd, out, extra) in [
        ("score", &s, vec![]),
        ("sensitivity", &sa, vec!["--samples", "64"]),
        ("compare", &cmp, vec![]),
    ] {
        riskscore()
            .args([
                cmd,
                "-q",
                "-f",
                "indicators/central_asia.toml",
                "-d",
                "datasets/central_asia.csv",
            ])
            .args(extra)
            .arg("-o")
            .arg(out)
            .assert()
            .success();
    }
    (s, sa, cmp)
}

/// Whether a Python with what notebook execution needs is on the machine.
fn python_with_notebook_tools() -> bool {
    std::process::Command::new("python3")
        .args(["-c", "import nbformat, nbclient, ipykernel, pandas, matplotlib"])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn exported_notebook_is_valid_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    let (s, sa, cmp) = example_runs(dir.path());
    let nb_path = dir.path().join("nb").join("run.ipynb");
    riskscore()
        .args(["export-notebook", "-f", "indicators/central_asia.toml", "--scores"])
        .arg(&s)
        .arg("--sensitivity")
        .arg(&sa)
        .arg("--compare")
        .arg(&cmp)
        .arg("-o")
        .arg(&nb_path)
        .assert()
        .success();
    let nb: serde_json::Value = serde_json::from_str(&read(&nb_path)).unwrap();
    assert_eq!(riskscore::notebook::check(&nb), Vec::<String>::new());
    for f in ["scores.csv", "uncertainty.csv", "sobol.csv", "variants.csv"] {
        assert!(dir.path().join("nb/run_data").join(f).is_file(), "{f}");
    }
    // The committed, executed example is valid too.
    let committed: serde_json::Value =
        serde_json::from_str(&read(Path::new("notebooks-export/central_asia.ipynb"))).unwrap();
    assert_eq!(riskscore::notebook::check(&committed), Vec::<String>::new());
    let outputs: usize = committed["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["outputs"].as_array())
        .map(Vec::len)
        .sum();
    assert!(outputs >= 6, "the committed notebook is executed ({outputs} outputs)");
    let err = misuse(&[
        "export-notebook",
        "-f",
        "indicators/central_asia.toml",
        "--scores",
        "datasets",
        "-o",
        &nb_path.display().to_string(),
    ]);
    assert_eq!(
        err,
        "error: --scores: `datasets` has no scores.csv (expected the output folder of `riskscore score`)\n"
    );
    if !python_with_notebook_tools() {
        eprintln!("skipped: executing the notebook needs python3 with nbformat, nbclient, ipykernel, pandas, matplotlib (pip install ...; .ci/run installs them)");
        return;
    }
    let run = std::process::Command::new("python3")
        .args(["notebooks-export/execute.py"])
        .arg(&nb_path)
        .arg("--check-only")
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
}

#[test]
fn report_renders_in_a_real_browser() {
    let chromium = ["chromium", "chromium-browser", "google-chrome"].into_iter().find(|b| {
        std::process::Command::new(b)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    let Some(chromium) = chromium else {
        eprintln!("skipped: no chromium on this machine (Debian: apt-get install chromium; .ci/run installs it)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (_, sa, cmp) = example_runs(dir.path());
    let out = dir.path().join("report");
    riskscore()
        .args([
            "report",
            "-q",
            "-f",
            "indicators/central_asia.toml",
            "-d",
            "datasets/central_asia.csv",
            "--sensitivity",
        ])
        .arg(&sa)
        .arg("--compare")
        .arg(&cmp)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let url = format!("file://{}", out.join("report.html").canonicalize().unwrap().display());
    let headless = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
    ];
    // The DOM after loading, with the browser's console log on stderr.
    let dom = std::process::Command::new(chromium)
        .args(headless)
        .args(["--enable-logging=stderr", "--v=0", "--dump-dom"])
        .arg(&url)
        .output()
        .unwrap();
    assert!(dom.status.success(), "{}", String::from_utf8_lossy(&dom.stderr));
    let html = String::from_utf8_lossy(&dom.stdout);
    for id in [
        "scores",
        "pillars",
        "trends",
        "coverage",
        "uncertainty",
        "sobol",
        "variants",
    ] {
        let at = html
            .find(&format!("data-chart=\"{id}\""))
            .unwrap_or_else(|| panic!("chart {id} not in the rendered page"));
        assert!(html[at..].contains("<svg"), "chart {id} has no SVG");
    }
    // The page has no script: any console message is a problem.
    let console = |stderr: &[u8]| -> Vec<String> {
        String::from_utf8_lossy(stderr)
            .lines()
            .filter(|l| l.contains("CONSOLE"))
            .map(str::to_string)
            .collect()
    };
    assert!(
        console(&dom.stderr).is_empty(),
        "console messages: {:?}",
        console(&dom.stderr)
    );
    // The check can fail: a page with a script error is caught.
    let bad = dir.path().join("bad.html");
    std::fs::write(
        &bad,
        "<html><body><script>console.error('boom'); throw new Error('bad');</script></body></html>",
    )
    .unwrap();
    let bad_run = std::process::Command::new(chromium)
        .args(headless)
        .args(["--enable-logging=stderr", "--v=0", "--dump-dom"])
        .arg(format!("file://{}", bad.display()))
        .output()
        .unwrap();
    assert_eq!(
        console(&bad_run.stderr).len(),
        2,
        "{}",
        String::from_utf8_lossy(&bad_run.stderr)
    );
    // A screenshot, kept in the test's folder.
    let shot = dir.path().join("report.png");
    let status = std::process::Command::new(chromium)
        .args(headless)
        .args(["--window-size=1000,3800", "--hide-scrollbars"])
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&url)
        .output()
        .unwrap();
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 50_000,
        "a blank or missing screenshot ({} bytes)",
        png.len()
    );
}

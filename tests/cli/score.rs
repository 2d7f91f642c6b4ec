//! `score`: hand-checked scores, layouts, formats, outputs and the scoring options.

use super::*;

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
    assert_eq!(lines[3], "X,2020,b1,5,5,50,false");
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
        text.contains("\nY,2021;25;2,5;low;0,6667;0;50;0\n".replace("Y,", "Y;").as_str()),
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
    // The World Bank files of `[data] sources` and the contiguity table are inputs,
    // with their hashes and the layouts they were read in.
    assert_eq!(manifest["data"][1]["layout"], "wdi");
    assert_eq!(
        manifest["data"][1]["file"],
        "indicators/../datasets/world_bank/wdi_central_asia.csv"
    );
    assert_eq!(manifest["data"][2]["layout"], "wdi");
    assert_eq!(manifest["data"][3]["format"], "neighbours");
    assert_eq!(manifest["data"][0]["sha256"].as_str().unwrap().len(), 64);
    assert!(out.join("scores.xlsx").exists());
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
    assert!(scores.contains("\nZ,2021,100,1,high,"), "{scores}");
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
        "unit,period,score,rank,class,coverage,imputed\nA,2022-Q1,100,1,,1.0000,0\nB,2022-Q1,0,2,,1.0000,0\nA,2022-Q2,0,2,,1.0000,0\nB,2022-Q2,100,1,,1.0000,0\n"
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
    assert!(scores.contains("\nX,2020,0,3,low,"), "{scores}");
    assert!(scores.contains("\nY,2020,10,1,low,"), "{scores}");
    assert!(scores.contains("\nZ,2020,5,2,low,"), "{scores}");
    // 2021: A = (0, 50, 100), B = (50, 0, 100): Z beats both (+2), X-Y split (-1 each).
    assert!(scores.contains("\nZ,2021,10,1,low,"), "{scores}");
    assert!(scores.contains("\nX,2021,0,2.5,low,"), "{scores}");
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
    assert!(row("X").starts_with("X,2020,0.5,3,"), "{scores}");
    assert!(row("Y").starts_with("Y,2020,1,1.5,"), "{scores}");
    assert!(row("Z").starts_with("Z,2020,1,1.5,"), "{scores}");
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

/// Reported: `score -d o/indicators.csv -o o` refused only after writing scores.csv.
#[test]
fn a_refused_run_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "indicators.csv", &read(Path::new(&fixture("small.csv"))));
    let folder = dir.path().display().to_string();
    let err = fails(&["score", "-f", &fixture("small.toml"), "-d", &data, "-o", &folder]);
    assert!(
        err.contains("indicators.csv: this output would overwrite an input file"),
        "{err}"
    );
    let mut left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    left.sort();
    assert_eq!(left, ["indicators.csv"]);
    // events: the table's manifest path is an input.
    let log = dir.path().join("log.manifest.json");
    std::fs::copy(fixture("events_acled_small.csv"), &log).unwrap();
    let out = dir.path().join("log.csv");
    let err = fails(&["events", "-i", log.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert!(
        err.contains("log.manifest.json: this output would overwrite an input file"),
        "{err}"
    );
    assert!(!out.exists(), "the table was written before the refusal");
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

/// Reported: a trailing blank line was an error ("empty unit"); Excel's `,,,,` rows too.
#[test]
fn blank_rows_are_skipped_and_row_numbers_stay_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(
        dir.path(),
        "d.csv",
        "unit,year,a1,a2,b1\nX,2020,1,2,3\n\n,,,,\nY,2020,4,5,6\nZ,2020,x,5,6\n  \n",
    );
    let err = fails(&["validate", "-f", &fixture("small.toml"), "-d", &data]);
    assert_eq!(
        err,
        format!("error: {data}: row 6, column `a1`: expected a number, found `x` (if `x` marks a missing value, add it to `[data] missing`)\n")
    );
    let data = write(
        dir.path(),
        "e.csv",
        "unit,year,a1,a2,b1\nX,2020,1,2,3\nY,2020,4,5,6\n\n,,,,\n",
    );
    let out = riskscore()
        .args(["validate", "-f", &fixture("small.toml"), "-d", &data])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("(2 units, 1 periods 2020..2020, 2 unit-periods scored)"));
}

/// A wrong delimiter makes the header one column: say which delimiter it has.
#[test]
fn a_one_column_header_names_the_delimiter() {
    let err = fails(&[
        "validate",
        "-f",
        &fixture("small.toml"),
        "-d",
        &fixture("small.csv"),
        "--delimiter",
        ";",
    ]);
    assert!(
        err.starts_with("error: tests/fixtures/small.csv: the header is one column, `unit,year,a1,a2,b1`: are the fields split by `,`? set --delimiter"),
        "{err}"
    );
}

#[test]
fn the_long_indicator_table_can_be_left_out() {
    let (_dir, out) = score(
        &fixture("small.toml"),
        &[&fixture("small.csv")],
        &["--indicators", "none", "--xlsx"],
    );
    assert!(!out.join("indicators.csv").exists());
    assert_same_text(
        &read(&out.join("scores.csv")),
        &read(Path::new(&fixture("small_expected_scores.csv"))),
    );
    let manifest: serde_json::Value = serde_json::from_str(&read(&out.join("manifest.json"))).unwrap();
    assert_eq!(manifest["options"]["indicators"], "none");
    let outputs = manifest["outputs"].to_string();
    assert!(
        !outputs.contains("indicators.csv") && outputs.contains("scores.xlsx"),
        "{outputs}"
    );
}

/// A Parquet output, read back.
fn read_parquet(path: &Path) -> polars::prelude::DataFrame {
    use polars::prelude::*;
    ParquetReader::new(std::fs::File::open(path).unwrap()).finish().unwrap()
}

#[test]
fn tables_can_be_written_as_parquet() {
    let (_csv_dir, csv_out) = score(&fixture("small.toml"), &[&fixture("small.csv")], &[]);
    let (_dir, out) = score(
        &fixture("small.toml"),
        &[&fixture("small.csv")],
        &["--indicators", "parquet", "--parquet"],
    );
    assert!(!out.join("indicators.csv").exists());
    for stem in ["scores", "ranks", "screening"] {
        assert!(out.join(format!("{stem}.csv")).exists(), "{stem}.csv");
        assert!(out.join(format!("{stem}.parquet")).exists(), "{stem}.parquet");
    }
    // The same values, typed: every number of indicators.csv is the f64 in the Parquet.
    let indicators = read_parquet(&out.join("indicators.parquet"));
    let expected = read(&csv_out.join("indicators.csv"));
    let mut lines = expected.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let names: Vec<&str> = indicators.get_column_names().iter().map(|c| c.as_str()).collect();
    assert_eq!(names, header);
    for (i, line) in lines.enumerate() {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(indicators.column("unit").unwrap().str().unwrap().get(i), Some(cells[0]));
        for (j, name) in ["raw", "treated", "normalised"].iter().enumerate() {
            let got = indicators.column(name).unwrap().f64().unwrap().get(i);
            let want = cells[3 + j].parse::<f64>().ok();
            assert_eq!(got, want, "row {i} {name}");
        }
        assert_eq!(
            indicators.column("imputed").unwrap().bool().unwrap().get(i),
            Some(cells[6] == "true"),
            "row {i}"
        );
    }
    let scores = read_parquet(&out.join("scores.parquet"));
    assert_eq!(scores.height(), read(&out.join("scores.csv")).lines().count() - 1);
    assert_eq!(
        scores.column("score").unwrap().dtype(),
        &polars::prelude::DataType::Float64
    );
    let manifest: serde_json::Value = serde_json::from_str(&read(&out.join("manifest.json"))).unwrap();
    assert_eq!(manifest["options"]["indicators"], "parquet");
    assert_eq!(manifest["options"]["parquet"], true);
    assert!(manifest["outputs"].to_string().contains("scores.parquet"));
}

/// Cell (row, col) of a sheet: its value and its number format.
fn workbook_cells(path: &Path, sheet: &str) -> (calamine::Range<calamine::Data>, calamine::StyleRange) {
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(path).unwrap();
    let values = book.worksheet_range(sheet).unwrap();
    let styles = book.worksheet_style(sheet).unwrap();
    (values, styles)
}

#[test]
fn workbook_shows_whole_numbers_as_whole_and_periods_as_numbers() {
    let (_d, out) = score(&fixture("small.toml"), &[&fixture("small.csv")], &["--xlsx"]);
    let (values, styles) = workbook_cells(&out.join("scores.xlsx"), "scores");
    let header: Vec<String> = (0..values.width())
        .map(|c| values.get((0, c)).unwrap().to_string())
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let format = |r: usize, c: usize| {
        styles
            .get((r as u32, c as u32))
            .and_then(|s| s.number_format.as_ref())
            .map(|f| f.format_code.clone())
            .unwrap_or_default()
    };
    // The period is a number on every sheet, shown without decimals; so are counts and
    // columns of whole numbers (this small example's scores); other numbers show three
    // decimals and keep every digit.
    assert_eq!(values.get((1, col("period"))), Some(&calamine::Data::Float(2020.0)));
    assert_eq!(format(1, col("period")), "0");
    assert_eq!(format(1, col("imputed")), "0");
    // Y and Z tie in 2021 (rank 2.5): the rank column shows one decimal.
    assert_eq!(format(1, col("rank")), "0.0");
    assert_eq!(format(1, col("score")), "0");
    assert_eq!(format(1, col("coverage")), "0.000");
    let scores = read(&out.join("scores.csv"));
    let first_score: f64 = scores
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .nth(2)
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(values.get((1, col("score"))), Some(&calamine::Data::Float(first_score)));
    let (indicators, _) = workbook_cells(&out.join("scores.xlsx"), "indicators");
    assert_eq!(indicators.get((1, 1)), Some(&calamine::Data::Float(2020.0)));
    // Every sheet's header row has an autofilter over its columns and rows.
    let bytes = std::fs::read(out.join("scores.xlsx")).unwrap();
    let sheet_xml = unzip_entry(&bytes, "xl/worksheets/sheet1.xml");
    assert!(
        sheet_xml.contains("<autoFilter ref=\"A1:"),
        "{}",
        &sheet_xml[..sheet_xml.len().min(400)]
    );
}

/// One entry of a ZIP archive, inflated (the xlsx's sheet XML).
fn unzip_entry(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut entry = archive.by_name(name).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut entry, &mut text).unwrap();
    text
}

#[test]
fn a_stale_workbook_of_the_previous_run_is_removed() {
    // `score --xlsx` then `score` into the same folder: the old scores.xlsx (and the
    // indicators.csv that `--indicators none` no longer writes) would pass for this
    // run's.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let run = |extra: &[&str]| {
        riskscore()
            .args(["score", "-f", &fixture("small.toml"), "-d", &fixture("small.csv"), "-o"])
            .arg(&out)
            .args(extra)
            .output()
            .unwrap()
    };
    assert!(run(&["--xlsx"]).status.success());
    assert!(out.join("scores.xlsx").exists() && out.join("indicators.csv").exists());
    // A file of the user's in the folder is not riskscore's to remove.
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let second = run(&["--indicators", "none"]);
    assert!(second.status.success());
    let stderr = String::from_utf8(second.stderr).unwrap();
    let removed = |name: &str| {
        format!(
            "note: removed {}: the previous run in this folder wrote it, this one did not\n",
            out.join(name).display()
        )
    };
    assert!(stderr.contains(&removed("indicators.csv")), "{stderr}");
    assert!(stderr.contains(&removed("scores.xlsx")), "{stderr}");
    assert!(!out.join("scores.xlsx").exists() && !out.join("indicators.csv").exists());
    assert!(out.join("notes.txt").exists() && out.join("scores.csv").exists());
}

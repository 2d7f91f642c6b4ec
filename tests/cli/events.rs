//! `events` and `generate-events`: event logs to indicator tables.

use super::*;

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
            "--keep-absent-units",
            "-o",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("note: 1 events with an unknown month (GTD imonth = 0) left out of the quarter table"),
        "{stderr}"
    );
    assert!(
        stderr.contains("note: 2 events outside --units left out: AFG (2)"),
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
        "event_id_cnty,event_date,event_type,actor1,country,fatalities\nA1,2022-01-05,Battles,X,Uzbekistan,1\nA2,2022-02-30,Battles,X,Uzbekistan,-1\nA3,2022-03-01,Battles,X,Uzbekistn,0\n",
    );
    let out = dir.path().join("o.csv").display().to_string();
    let err = fails(&["events", "-i", &log, "-o", &out]);
    assert_eq!(
        err,
        format!(
            "error: 3 problems found:\n  - {log}: row 3, column `fatalities`: a count cannot be negative (found `-1`)\n  - {log}: row 3, column `event_date`: expected a date like 2022-04-21 or 21 April 2022 (or name its format with --date-format) (found `2022-02-30`)\n  - {log}: row 4, column `country`: unknown country name `Uzbekistn` (1 event in the period range): expected an ISO 3166 name such as Uzbekistan, or units from a column of codes (--unit-column); events outside --units are left out; did you mean `Uzbekistan`?\n"
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

/// Reported: fatalities `inf` went into the table, `NaN` gave empty cells and `1e20`
/// became 9223372036854775807; a folder as the log said "no such file".
#[test]
fn counts_must_be_finite_and_exact() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o.csv").display().to_string();
    for (value, row) in [("inf", 3), ("NaN", 3), ("1e20", 3)] {
        let log = write(
            dir.path(),
            "log.csv",
            &format!("event_id_cnty,event_date,event_type,actor1,country,fatalities\nA1,2022-01-05,Battles,X,Uzbekistan,1\nA2,2022-01-06,Battles,X,Uzbekistan,{value}\n"),
        );
        let err = fails(&["events", "-i", &log, "-o", &out]);
        assert_eq!(
            err,
            format!("error: {log}: row {row}, column `fatalities`: expected a count: a finite number up to 9007199254740992 (2^53) (found `{value}`)\n")
        );
        assert!(!Path::new(&out).exists());
    }
    let folder = dir.path().display().to_string();
    let err = fails(&["events", "-i", &folder, "-o", &out]);
    assert_eq!(
        err,
        format!("error: {folder}: is a folder: expected an event log file (CSV or Parquet)\n")
    );
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

/// Reported: about 1 run in 10 showed one row's number with another row's value.
#[test]
fn an_error_shows_the_value_of_the_row_it_names() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("event_id_cnty,event_date,event_type,actor1,country,fatalities\n");
    for i in 0..40_000 {
        let row = i + 2;
        // Every row from 30,000 on is bad, its value naming its own row.
        let fatalities = if i >= 30_000 { format!("-{row}") } else { "1".into() };
        text.push_str(&format!("A{i},2022-01-05,Battles,X,Uzbekistan,{fatalities}\n"));
    }
    let log = write(dir.path(), "log.csv", &text);
    let out = dir.path().join("o.csv").display().to_string();
    for _ in 0..5 {
        let err = fails(&["events", "-i", &log, "-o", &out]);
        assert_eq!(
            err,
            format!("error: {log}: row 30002, column `fatalities`: a count cannot be negative (found `-30002`)\n")
        );
    }
}

/// Reported: `--units AFG,PKA` wrote PKA rows of zeros; PAK's events were only noted.
#[test]
fn a_unit_the_log_never_mentions_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o.csv").display().to_string();
    let err = misuse(&[
        "events",
        "-i",
        "datasets/events_example_acled.csv",
        "--units",
        "AFG,PKA",
        "-o",
        &out,
    ]);
    assert_eq!(
        err,
        "error: --units: no event of datasets/events_example_acled.csv is in unit `PKA` and it is no ISO 3166 country code; did you mean `PAK`? (to keep it as rows of zeros, set --keep-absent-units)\n"
    );
    assert!(!Path::new(&out).exists());
}

/// Reported: `--units UZB,MNG` (country codes, one without events in the log) was
/// refused; a region's countries without events are rows of zeros, with a note.
#[test]
fn a_country_without_events_is_rows_of_zeros() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o.csv");
    let stderr = succeeds(
        riskscore()
            .args([
                "events",
                "-i",
                "datasets/events_example_acled.csv",
                "--units",
                "AFG,MNG",
                "-o",
            ])
            .arg(&out),
    );
    assert!(
        stderr.starts_with("note: no event of datasets/events_example_acled.csv is in MNG: its rows are zeros\n"),
        "{stderr}"
    );
    let table = read(&out);
    let mongolia: Vec<&str> = table.lines().filter(|l| l.starts_with("MNG,")).collect();
    assert_eq!(mongolia.len(), 9);
    assert!(
        mongolia.iter().all(|l| l.split(',').skip(2).all(|v| v == "0")),
        "{table}"
    );
}

/// Reported: one typo date (9999, 1066) padded the table with thousands of periods of
/// zeros. Dates after today, or more than 30 years from the log's other dates, are
/// named with their rows; a range set by hand leaves them out.
#[test]
fn a_typo_date_is_named_not_padded() {
    let dir = tempfile::tempdir().unwrap();
    let log = read(Path::new(&fixture("events_acled_small.csv")))
        .replace("UZB1,2022-04-18", "UZB1,9999-04-18")
        .replace("AFG1,2022-01-05", "AFG1,1066-01-05");
    let log = write(dir.path(), "typo.csv", &log);
    let out = dir.path().join("o.csv").display().to_string();
    let err = fails(&["events", "-i", &log, "-o", &out]);
    let now = chrono::Utc::now().format("%Y");
    assert_eq!(
        err,
        format!(
            "error: 2 problems found:\n  - {log}: row 2: the event's date falls in 9999, after the current period ({now}): a typo? Correct the date, or leave such events out with --first-period/--last-period (the table would have a row per unit for every period up to it)\n  - {log}: row 3: the event's date falls in 1066, more than 30 years from the log's other dates (2021..2022): a typo? Correct the date, or leave such events out with --first-period/--last-period (the table would have a row per unit for every period up to it)\n"
        )
    );
    riskscore()
        .args([
            "events",
            "-q",
            "-i",
            &log,
            "--first-period",
            "2020",
            "--last-period",
            "2022",
            "-o",
            &out,
        ])
        .assert()
        .success();
    assert_eq!(
        read(Path::new(&out)).lines().filter(|l| l.starts_with("AFG,")).count(),
        3
    );
}

/// Reported: UCDP's own published file was refused (6 of its 1,120 events have `high`
/// below `best`). Read as published: the rows are noted with their first ids, `high`
/// is read as `best`; `--strict` refuses them.
#[test]
fn ucdp_as_published_is_read_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pak.csv");
    let log = "datasets/ucdp_ged_pakistan_2015_2021.csv";
    let stderr = succeeds(riskscore().args(["events", "-i", log, "-o"]).arg(&out));
    assert!(
        stderr.starts_with("note: 6 rows where the high estimate is below `best` (as in UCDP's own files), read as high = best; first event ids: 194769, 196562, 198857, 201246, 201472 (--strict refuses them)\n"),
        "{stderr}"
    );
    let manifest: serde_json::Value = serde_json::from_str(&read(&dir.path().join("pak.manifest.json"))).unwrap();
    assert_eq!(manifest["report"]["quirks"][0]["rows"], 6);
    let table = read(&out);
    let header: Vec<&str> = table.lines().next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    for line in table.lines().skip(1) {
        let cells: Vec<f64> = line.split(',').skip(2).map(|c| c.parse().unwrap()).collect();
        assert!(
            cells[col("fatalities_high") - 2] >= cells[col("fatalities") - 2],
            "{line}"
        );
    }
    // Events in no province are the unit `(none)`, noted: the provinces add up to the log.
    let stderr = succeeds(
        riskscore()
            .args(["events", "-i", log, "--unit-column", "adm_1", "-o"])
            .arg(&out),
    );
    assert!(
        stderr.starts_with("note: 12 events have no `adm_1`: their unit is `(none)` (--strict refuses them)\n"),
        "{stderr}"
    );
    let incidents: f64 = read(&out)
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(2).unwrap().parse::<f64>().unwrap())
        .sum();
    assert_eq!(incidents, 1120.0);
    let err = fails(&["events", "-i", log, "--strict", "-o", &out.display().to_string()]);
    assert!(
        err.starts_with(&format!(
            "error: {log}: row 244, column `high`: the high estimate is below `best` (found `12`)"
        )),
        "{err}"
    );
}

/// `generate-events` says what it wrote (and `-q` nothing); `events --help` names the
/// three formats and says that --actor is case-sensitive.
#[test]
fn generate_events_says_what_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("log.csv");
    let output = riskscore()
        .args(["generate-events", "--format", "ucdp", "--rows", "50", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.starts_with("ucdp log of 50 synthetic events (2018..2023, seed 1) in "),
        "{said}"
    );
    assert!(said.trim_end().ends_with(&format!("wrote {}", out.display())), "{said}");
    let quiet = riskscore()
        .args(["generate-events", "-q", "--format", "ucdp", "--rows", "50", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(quiet.stderr.is_empty() && quiet.stdout.is_empty());
    let help = riskscore().args(["events", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("ACLED, GTD or UCDP GED") && help.contains("Case-sensitive"),
        "{help}"
    );
}

//! Data files as analysts download them: World Bank layouts, workbooks, other
//! encodings, missing-value markers and thousands separators. The fixtures and their
//! hand-worked values are in tests/fixtures/sources/ (README.md there).

use super::{fails, fixture, misuse, read, riskscore, score, succeeds, write};
use rust_xlsxwriter::Workbook;

/// The data set as loaded (`--steps`' first file), as text.
fn loaded(out: &std::path::Path) -> String {
    read(&out.join("data_denominated.csv"))
}

/// The manifest's entry for data file `i`.
fn source(out: &std::path::Path, i: usize) -> serde_json::Value {
    let manifest: serde_json::Value = serde_json::from_str(&read(&out.join("manifest.json"))).unwrap();
    manifest["data"][i].clone()
}

#[test]
fn a_wdi_api_download_adds_its_values_to_our_own_units_and_years() {
    let api = fixture("sources/wdi_api.csv");
    let attacks = fixture("sources/attacks.csv");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let output = riskscore()
        .args([
            "score",
            "-f",
            &fixture("sources/wdi_attacks.toml"),
            "-d",
            &attacks,
            "-d",
            &api,
            "--steps",
            "-o",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.starts_with(&format!(
            "note: {api}: a World Bank download (layout detected; --layout names it)\n\
         note: {api}: left out the rows of World Bank aggregates (WLD): they are no countries\n\
         note: {api}: kept 6 of 12 country-years with values, those of 3 units the other files hold\n"
        )),
        "{stderr}"
    );
    // The 1960 column and TJK's inflation are empty; KAZ is not in attacks.csv.
    assert_eq!(
        loaded(&out),
        "unit,period,gdp_growth,inflation,attacks\n\
         KGZ,2020,-7.1,6.3,0\nTJK,2020,4.4,,1\nUZB,2020,1.6,12.9,0\n\
         KGZ,2021,5.5,11.9,1\nTJK,2021,9.4,,2\nUZB,2021,8,10.8,1\n"
    );
    let wdi = source(&out, 1);
    assert_eq!(
        (wdi["layout"].as_str(), wdi["format"].as_str(), wdi["encoding"].as_str()),
        (Some("wdi"), Some("csv"), Some("utf-8"))
    );
}

#[test]
fn a_databank_export_on_its_own_is_the_panel() {
    let (_dir, out) = score(
        &fixture("sources/wdi.toml"),
        &[&fixture("sources/wdi_databank.csv")],
        &["--steps"],
    );
    assert_eq!(
        loaded(&out),
        "unit,period,gdp_growth,inflation\n\
         KGZ,2019,4.6,1.1\nTJK,2019,7.4,\nUZB,2019,6.8,14.5\n\
         KGZ,2020,-7.1,6.3\nTJK,2020,4.4,\nUZB,2020,1.6,12.9\n\
         KGZ,2021,5.5,11.9\nTJK,2021,9.4,\nUZB,2021,8,10.8\n"
    );
}

#[test]
fn a_named_layout_that_does_not_fit_names_the_columns() {
    let err = fails(&[
        "validate",
        "-f",
        &fixture("sources/wdi_attacks.toml"),
        "-d",
        &fixture("sources/attacks.csv"),
        "--layout",
        "wdi",
    ]);
    assert_eq!(
        err,
        format!(
            "error: {}: missing column `Country Code` (needed by the World Bank layout's unit) (a World Bank file has `Country Name`, `Country Code`, `Indicator Name`, `Indicator Code` and a column per year)\n",
            fixture("sources/attacks.csv")
        )
    );
}

/// A workbook as COIN Tool users keep theirs: a notes sheet first, the data on `Data`,
/// a title row above the header.
fn coin_tool_workbook(dir: &std::path::Path) -> String {
    let mut book = Workbook::new();
    let notes = book.add_worksheet().set_name("Notes").unwrap();
    notes.write(0, 0, "Indicators of the small test index").unwrap();
    let data = book.add_worksheet().set_name("Data").unwrap();
    for (j, h) in ["unit", "year", "a1", "a2", "b1"].iter().enumerate() {
        data.write(1, j as u16, *h).unwrap();
    }
    let rows: [(&str, f64, &str, f64, f64); 3] = [
        ("X", 2020.0, "0", 10.0, 5.0),
        ("Y", 2020.0, "#N/A", 20.0, 0.0),
        ("Z", 2020.0, "10", 30.0, 10.0),
    ];
    for (i, (unit, year, a1, a2, b1)) in rows.iter().enumerate() {
        let r = i as u32 + 2;
        data.write(r, 0, *unit).unwrap();
        data.write(r, 1, *year).unwrap();
        match a1.parse::<f64>() {
            Ok(v) => data.write(r, 2, v).unwrap(),
            Err(_) => data.write(r, 2, *a1).unwrap(),
        };
        data.write(r, 3, *a2).unwrap();
        data.write(r, 4, *b1).unwrap();
    }
    let path = dir.join("index.xlsx");
    book.save(&path).unwrap();
    path.display().to_string()
}

#[test]
fn a_workbook_sheet_is_read_cell_by_cell() {
    let dir = tempfile::tempdir().unwrap();
    let xlsx = coin_tool_workbook(dir.path());
    let (_d, out) = score(&fixture("small.toml"), &[&xlsx], &["--sheet", "Data", "--steps"]);
    // Excel's #N/A is a missing value; numbers stay exact.
    assert_eq!(
        loaded(&out),
        "unit,period,a1,a2,b1\nX,2020,0,10,5\nY,2020,,20,0\nZ,2020,10,30,10\n"
    );
    let info = source(&out, 0);
    assert_eq!(
        (info["format"].as_str(), info["sheet"].as_str()),
        (Some("xlsx"), Some("Data"))
    );

    // The first sheet holds no header the framework can use: the message names it.
    let err = fails(&["validate", "-f", &fixture("small.toml"), "-d", &xlsx]);
    assert!(
        err.starts_with(&format!("error: 3 problems found:\n  - {xlsx}: missing column `a1` (needed by indicator `a1`) (sheet `Notes` has `Indicators of the small test index`; the workbook's sheets are `Notes`, `Data`: choose one with --sheet)\n")),
        "{err}"
    );
    let err = misuse(&["validate", "-f", &fixture("small.toml"), "-d", &xlsx, "--sheet", "data"]);
    assert_eq!(
        err,
        format!("error: --sheet: {xlsx} has no sheet `data` (its sheets: `Notes`, `Data`); did you mean `Data`?\n")
    );
}

#[test]
fn a_windows_1252_file_is_read_and_said_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.csv");
    // `Côte d'Ivoire` as Excel's CSV writes it on Windows: 0xF4 is `ô`.
    std::fs::write(
        &path,
        b"unit,year,a1,a2,b1,name\nX,2020,0,10,5,C\xF4te d'Ivoire\nY,2020,5,20,0,Y\nZ,2020,10,30,10,Z\n",
    )
    .unwrap();
    let data = path.display().to_string();
    let output = riskscore()
        .args(["score", "-f", &fixture("small.toml"), "-d", &data, "--steps", "-o"])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(String::from_utf8(output.stderr).unwrap().starts_with(&format!(
        "note: {data}: not UTF-8 text: read as Windows-1252 (Excel's CSV on Windows); if it is in another code page, name it with --encoding\n"
    )));
    assert_eq!(source(&dir.path().join("out"), 0)["encoding"], "windows-1252");

    // Named as UTF-8, the same file is refused at the row of the bad byte.
    let err = fails(&[
        "validate",
        "-f",
        &fixture("small.toml"),
        "-d",
        &data,
        "--encoding",
        "utf-8",
    ]);
    assert_eq!(
        err,
        format!("error: {data}: row 2: byte 0xF4 is not UTF-8 text: the file is in another encoding; name it with --encoding (e.g. windows-1252)\n")
    );
    let err = misuse(&[
        "validate",
        "-f",
        &fixture("small.toml"),
        "-d",
        &data,
        "--encoding",
        "cp-1252",
    ]);
    assert_eq!(
        err,
        "error: --encoding: unknown encoding `cp-1252`: expected a name such as utf-8, windows-1252, latin1, windows-1251 or utf-16le\n"
    );
}

#[test]
fn thousands_separators_and_missing_markers_are_options() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(
        dir.path(),
        "d.csv",
        "unit,year,a1,a2,b1\nX,2020,\"1,500\",10,5\nY,2020,n.d.,20,0\nZ,2020,\"12,000\",30,10\n",
    );
    let err = fails(&["validate", "-f", &fixture("small.toml"), "-d", &data]);
    assert_eq!(
        err,
        format!(
            "error: 3 problems found:\n  \
             - {data}: row 2, column `a1`: expected a number, found `1,500` (if numbers are grouped in thousands, set `[data] thousands = \",\"`; for decimal commas use --decimal-comma)\n  \
             - {data}: row 3, column `a1`: expected a number, found `n.d.` (if `n.d.` marks a missing value, add it to `[data] missing`)\n  \
             - {data}: row 4, column `a1`: expected a number, found `12,000` (if numbers are grouped in thousands, set `[data] thousands = \",\"`; for decimal commas use --decimal-comma)\n"
        )
    );
    let framework = std::fs::read_to_string(fixture("small.toml")).unwrap();
    let framework = framework.replace(
        "[[group]]\nid = \"a\"",
        "[data]\nthousands = \",\"\nmissing = [\"n.d.\", \"\"]\n\n[[group]]\nid = \"a\"",
    );
    let fw = write(dir.path(), "f.toml", &framework);
    let (_d, out) = score(&fw, &[&data], &["--steps"]);
    assert_eq!(
        loaded(&out),
        "unit,period,a1,a2,b1\nX,2020,1500,10,5\nY,2020,,20,0\nZ,2020,12000,30,10\n"
    );
    // The command line's --thousands reads the same without the framework key.
    let (_d, out) = score(
        &fixture("small.toml"),
        &[&write(
            dir.path(),
            "e.csv",
            "unit,year,a1,a2,b1\nX,2020,1 500,10,5\nY,2020,0,20,0\n",
        )],
        &["--thousands", " ", "--steps"],
    );
    assert_eq!(loaded(&out), "unit,period,a1,a2,b1\nX,2020,1500,10,5\nY,2020,0,20,0\n");

    let err = misuse(&[
        "validate",
        "-f",
        &fixture("small.toml"),
        "-d",
        &data,
        "--thousands",
        "_",
    ]);
    assert_eq!(
        err,
        "error: --thousands: expected one of \",\" \".\" \" \" \"'\" (the character that groups thousands), found `_`\n"
    );
    let bad = write(
        dir.path(),
        "g.toml",
        &framework.replace("thousands = \",\"", "thousands = \"k\""),
    );
    let err = fails(&["validate", "-f", &bad]);
    assert!(
        err.contains("key `data.thousands`: expected one of \",\" \".\" \" \" \"'\" (the character that groups thousands), found `k`"),
        "{err}"
    );
}

/// Runs `events` on `log` with `extra` options; returns (table, stderr, manifest).
fn events(log: &str, extra: &[&str]) -> (String, String, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ind.csv");
    let output = riskscore()
        .args(["events", "-i", log, "-o"])
        .arg(&out)
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "{stderr}");
    let manifest = serde_json::from_str(&read(&dir.path().join("ind.manifest.json"))).unwrap();
    (read(&out), stderr, manifest)
}

#[test]
fn acled_with_upper_case_headers_or_an_hxl_row_reads_as_the_export() {
    let expected = read(std::path::Path::new(&fixture("events_acled_small.expected.csv")));
    let (table, _, manifest) = events(&fixture("sources/acled_upper.csv"), &["--actor", "Khorasan|ISKP"]);
    assert_eq!(table, expected);
    assert_eq!(manifest["report"]["source"]["headers_lowercased"], true);
    let (table, _, manifest) = events(&fixture("sources/acled_hdx.csv"), &["--actor", "Khorasan|ISKP"]);
    assert_eq!(table, expected);
    assert_eq!(manifest["report"]["source"]["hxl_row"], true);
    // The hashtag row is not data: the events' rows keep the file's numbers (row 3 is
    // the first event).
    assert_eq!(manifest["report"]["rows"], 5);
}

#[test]
fn acled_from_a_regional_workbook_reads_as_the_export() {
    // The small log as an xlsx: upper-case headers, dates as date cells, counts as numbers.
    let csv = read(std::path::Path::new(&fixture("events_acled_small.csv")));
    let mut reader = ::csv::Reader::from_reader(csv.as_bytes());
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("Data").unwrap();
    for (j, h) in reader.headers().unwrap().iter().enumerate() {
        sheet.write(0, j as u16, h.to_uppercase()).unwrap();
    }
    let as_date = rust_xlsxwriter::Format::new().set_num_format("dd mmmm yyyy");
    for (i, record) in reader.records().enumerate() {
        let record = record.unwrap();
        for (j, cell) in record.iter().enumerate() {
            let (r, c) = (i as u32 + 1, j as u16);
            if j == 1 {
                let day = chrono::NaiveDate::parse_from_str(cell, "%Y-%m-%d")
                    .or_else(|_| chrono::NaiveDate::parse_from_str(cell, "%d %B %Y"))
                    .unwrap();
                use chrono::Datelike;
                let date =
                    rust_xlsxwriter::ExcelDateTime::from_ymd(day.year() as u16, day.month() as u8, day.day() as u8)
                        .unwrap();
                sheet.write_datetime_with_format(r, c, &date, &as_date).unwrap();
            } else if let Ok(v) = cell.parse::<f64>() {
                sheet.write(r, c, v).unwrap();
            } else if !cell.is_empty() {
                sheet.write(r, c, cell).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("acled_asia.xlsx");
    book.save(&path).unwrap();
    let (table, _, manifest) = events(path.to_str().unwrap(), &["--actor", "Khorasan|ISKP"]);
    assert_eq!(
        table,
        read(std::path::Path::new(&fixture("events_acled_small.expected.csv")))
    );
    assert_eq!(manifest["report"]["source"]["container"], "xlsx");
    assert_eq!(manifest["report"]["source"]["sheet"], "Data");
}

#[test]
fn gtd_in_windows_1252_with_historic_names() {
    let log = fixture("sources/gtd_windows1252.csv");
    let (table, stderr, manifest) = events(&log, &[]);
    assert!(stderr.starts_with(&format!(
        "note: {log}: not UTF-8 text: read as Windows-1252 (Excel's CSV on Windows); if it is in another code page, name it with --encoding\n\
         note: events at no country left out: International (1)\n"
    )), "{stderr}");
    assert_eq!(manifest["report"]["source"]["encoding"], "windows-1252");
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(
        lines[0],
        "iso3,year,incidents,verified,unverified,claimed,claimed_only,fatalities,injuries,hostages,type_armed_assault,type_bombing_explosion,type_hijacking,impact"
    );
    // 4 countries x 1985..2022; `Côte d'Ivoire` only matches when decoded right.
    assert_eq!(lines.len(), 1 + 4 * 38);
    let row = |unit: &str, year: &str| {
        lines
            .iter()
            .find(|l| l.starts_with(&format!("{unit},{year},")))
            .unwrap()
            .to_string()
    };
    assert_eq!(row("DEU", "1985"), "DEU,1985,1,1,0,1,0,2,5,0,0,1,0,9.5");
    assert_eq!(row("SUN", "1988"), "SUN,1988,1,1,0,0,0,1,0,0,1,0,0,4");
    assert_eq!(row("CIV", "2011"), "CIV,2011,1,1,0,0,0,3,1,0,1,0,0,10.5");
    assert_eq!(row("UZB", "2022"), "UZB,2022,1,0,1,1,1,0,0,0,0,1,0,0");

    // Named as UTF-8, the log is refused at the first byte that is not.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o.csv").display().to_string();
    let err = fails(&["events", "-i", &log, "-o", &out, "--encoding", "utf-8"]);
    assert_eq!(
        err,
        format!("error: {log}: row 2: byte 0x96 is not UTF-8 text: the file is in another encoding; name it with --encoding (e.g. windows-1252)\n")
    );
}

#[test]
fn ucdp_ged_from_the_command_line() {
    let (table, _, manifest) = events(&fixture("events_ucdp_small.csv"), &["--actor", "^IS$"]);
    assert_eq!(manifest["report"]["format"], "ucdp");
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(
        lines[0],
        "iso3,year,incidents,fatalities,fatalities_low,fatalities_high,civilian_deaths,actor_incidents,actor_fatalities,civilian_events,type_non_state,type_one_sided,type_state_based,impact"
    );
    assert!(lines.contains(&"PAK,2022,1,63,58,65,63,1,63,1,0,1,0,190"), "{table}");
}

#[test]
fn a_wdi_workbook_with_metadata_rows_and_sheets() {
    // As the World Bank's Excel download: sheet `Data` with three metadata rows above
    // the header, then the metadata sheets.
    let mut book = Workbook::new();
    let data = book.add_worksheet().set_name("Data").unwrap();
    data.write(0, 0, "Data Source").unwrap();
    data.write(0, 1, "World Development Indicators").unwrap();
    data.write(2, 0, "Last Updated Date").unwrap();
    data.write(2, 1, "2024-06-28").unwrap();
    let header = [
        "Country Name",
        "Country Code",
        "Indicator Name",
        "Indicator Code",
        "2020",
        "2021",
    ];
    for (j, h) in header.iter().enumerate() {
        data.write(3, j as u16, *h).unwrap();
    }
    let rows: [(&str, &str, &str, f64, f64); 3] = [
        ("Kyrgyz Republic", "KGZ", "NY.GDP.MKTP.KD.ZG", -7.1, 5.5),
        ("Kyrgyz Republic", "KGZ", "FP.CPI.TOTL.ZG", 6.3, 11.9),
        ("World", "WLD", "NY.GDP.MKTP.KD.ZG", -2.9, 6.2),
    ];
    for (i, (name, code, series, a, b)) in rows.iter().enumerate() {
        let r = i as u32 + 4;
        data.write(r, 0, *name).unwrap();
        data.write(r, 1, *code).unwrap();
        data.write(r, 3, *series).unwrap();
        data.write(r, 4, *a).unwrap();
        data.write(r, 5, *b).unwrap();
    }
    book.add_worksheet().set_name("Metadata - Countries").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("API_KGZ.xlsx");
    book.save(&path).unwrap();
    let (_d, out) = score(&fixture("sources/wdi.toml"), &[path.to_str().unwrap()], &["--steps"]);
    assert_eq!(
        loaded(&out),
        "unit,period,gdp_growth,inflation\nKGZ,2020,-7.1,6.3\nKGZ,2021,5.5,11.9\n"
    );
    let info = source(&out, 0);
    assert_eq!(
        (info["layout"].as_str(), info["sheet"].as_str()),
        (Some("wdi"), Some("Data"))
    );
}

#[test]
fn an_opendocument_spreadsheet_is_read_like_a_workbook() {
    // tests/fixtures/sources/small.ods (make_ods.py): small.csv's 2020 rows on sheet `Data`.
    let (_d, out) = score(&fixture("small.toml"), &[&fixture("sources/small.ods")], &["--steps"]);
    assert_eq!(
        loaded(&out),
        "unit,period,a1,a2,b1\nX,2020,0,10,5\nY,2020,5,20,0\nZ,2020,10,30,10\n"
    );
    let info = source(&out, 0);
    assert_eq!(
        (info["format"].as_str(), info["sheet"].as_str()),
        (Some("ods"), Some("Data"))
    );
}

#[test]
fn a_workbook_value_right_of_the_header_is_named() {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (j, h) in ["unit", "year", "a1", "a2", "b1"].iter().enumerate() {
        sheet.write(0, j as u16, *h).unwrap();
    }
    for (j, v) in ["X", "2020", "1", "2", "3"].iter().enumerate() {
        sheet.write(1, j as u16, *v).unwrap();
    }
    // A note typed two columns right of the table, on the sheet's row 3.
    sheet.write(2, 6, "check this").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.xlsx");
    book.save(&path).unwrap();
    let err = fails(&["validate", "-f", &fixture("small.toml"), "-d", path.to_str().unwrap()]);
    assert_eq!(
        err,
        format!(
            "error: {}: row 3: a value in column 7 lies right of the header's last column (5, `b1`)\n",
            path.display()
        )
    );
}

/// Reported: a DataBank header `2022 [YR2021]` dropped the year unsaid, and the
/// World Bank's other spellings (`YR2020`, `2020.0`) were not years.
#[test]
fn world_bank_year_headers_as_the_bank_spells_them() {
    let dir = tempfile::tempdir().unwrap();
    let databank = read(std::path::Path::new(&fixture("sources/wdi_databank.csv")));
    for (header, ok) in [
        ("2019,2020 [YR2020],YR2021", true),
        ("2019.0,2020.0,2021.0", true),
        ("2019 [YR2019],2020 [YR2020],2022 [YR2021]", false),
        ("2019,2020,2019.0", false),
    ] {
        let text = databank.replacen("2019 [YR2019],2020 [YR2020],2021 [YR2021]", header, 1);
        let file = write(dir.path(), "databank.csv", &text);
        if ok {
            let out = dir.path().join("out");
            riskscore()
                .args([
                    "score",
                    "-q",
                    "-f",
                    &fixture("sources/wdi.toml"),
                    "-d",
                    &file,
                    "--steps",
                    "-o",
                ])
                .arg(&out)
                .assert()
                .success();
            assert!(loaded(&out).contains("UZB,2021,8,10.8\n"), "{header}");
        } else {
            let err = fails(&["validate", "-f", &fixture("sources/wdi.toml"), "-d", &file]);
            let expected = if header.contains("[YR2021]") {
                "row 1, column `2022 [YR2021]`: the year 2022 and its code [YR2021] differ: which year do its values belong to? Correct the header"
            } else {
                "row 1, column `2019.0`: a second column for the year 2019 (the first: `2019`)"
            };
            assert_eq!(err, format!("error: {file}: {expected}\n"));
        }
    }
}

/// Reported: codes spelt in lower case in one file (`uzb`) lost the World Bank's values
/// for `UZB` with only a count. They are matched, and said so.
#[test]
fn codes_that_differ_in_case_are_matched_and_said_so() {
    let dir = tempfile::tempdir().unwrap();
    let attacks = read(std::path::Path::new(&fixture("sources/attacks.csv"))).replace("UZB", "uzb");
    let attacks = write(dir.path(), "attacks.csv", &attacks);
    let api = fixture("sources/wdi_api.csv");
    let out = dir.path().join("out");
    let stderr = succeeds(
        riskscore()
            .args([
                "score",
                "-f",
                &fixture("sources/wdi_attacks.toml"),
                "-d",
                &attacks,
                "-d",
                &api,
                "--steps",
                "-o",
            ])
            .arg(&out),
    );
    assert!(
        stderr.contains(&format!(
            "note: {api}: codes matched to the other files' spelling, which differs in case: UZB as uzb\n"
        )),
        "{stderr}"
    );
    assert!(loaded(&out).contains("uzb,2021,8,10.8,1\n"), "{}", loaded(&out));
}

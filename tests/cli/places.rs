//! Places smaller than countries: PRIO-GRID cells as units, and their neighbours.

use super::*;

const GRID_FW: &str = r#"[index]
id = "r"
unit = "cell"
period = "year"
aggregation = "arithmetic"

[data]
neighbours = "grid:queen"

[[derived]]
id = "x_around"
kind = "neighbours"
of = "x"
stat = "mean"

[[indicator]]
id = "x"
group = "r"

[[indicator]]
id = "x_around"
group = "r"
"#;

/// `[data] neighbours = "grid:queen"` on a 3 x 3 block of PRIO-GRID cells (x = 1..9,
/// row by row from the south-west): the corner's neighbours are x = 2, 4, 5 (mean
/// 11/3), an edge cell's x = 1, 3, 4, 5, 6 (19/5), the centre's the other 8 (mean 5);
/// with two rings every cell of the block neighbours every other.
#[test]
fn grid_cells_have_queen_neighbours_without_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let centre = 100 * 720 + 361;
    let mut data = String::from("cell,year,x\n");
    for (i, d) in [-721i64, -720, -719, -1, 0, 1, 719, 720, 721].iter().enumerate() {
        data.push_str(&format!("{},2020,{}\n", centre + d, i + 1));
    }
    let cells = write(dir.path(), "cells.csv", &data);
    for (neighbours, want) in [
        ("grid:queen", [11.0 / 3.0, 19.0 / 5.0, 5.0]),
        ("grid:queen:2", [44.0 / 8.0, 43.0 / 8.0, 5.0]),
    ] {
        let fw = write(dir.path(), "fw.toml", &GRID_FW.replace("grid:queen", neighbours));
        let out = dir.path().join("out");
        riskscore()
            .args(["score", "-q", "--steps", "-f", &fw, "-d", &cells, "-o"])
            .arg(&out)
            .assert()
            .success();
        let text = read(&out.join("data_treated.csv"));
        let around = |cell: i64| -> f64 {
            let line = text.lines().find(|l| l.starts_with(&format!("{cell},"))).unwrap();
            line.rsplit(',').next().unwrap().parse().unwrap()
        };
        let got = [around(centre - 721), around(centre - 720), around(centre)];
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-12, "{neighbours}: {got:?} vs {want:?}");
        }
    }
    // Bad kinds and units that are no cell ids are said, naming the key or the units.
    let fw = write(dir.path(), "fw.toml", &GRID_FW.replace("grid:queen", "grid:rook"));
    let err = fails(&["validate", "-f", &fw]);
    assert!(
        err.contains("key `data.neighbours`: expected `grid:queen` (the 8 PRIO-GRID cells around each cell), `grid:queen:K` (K rings, 1 to 10) or the path of a contiguity table, found `grid:rook`"),
        "{err}"
    );
    let fw = write(dir.path(), "fw.toml", GRID_FW);
    let countries = write(dir.path(), "countries.csv", "cell,year,x\nPAK,2020,1\nAFG,2020,2\n");
    let err = fails(&[
        "score",
        "-f",
        &fw,
        "-d",
        &countries,
        "-o",
        &dir.path().join("o2").display().to_string(),
    ]);
    assert!(
        err.contains("[data] neighbours = \"grid:queen\" needs PRIO-GRID cell ids (1 to 259200) as units; 2 of 2 units are not: `PAK`, `AFG`"),
        "{err}"
    );
}

const UCDP_PAK: &str = "datasets/ucdp_ged_pakistan_2015_2021.csv";

/// Runs `events` on the real UCDP GED file for Pakistan and returns the table and what
/// the run said.
fn events_table(dir: &Path, name: &str, extra: &[&str]) -> (String, String) {
    let out = dir.join(name);
    let output = riskscore()
        .args(["events", "-i", UCDP_PAK, "-o"])
        .arg(&out)
        .args(extra)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    (read(&out), String::from_utf8_lossy(&output.stderr).into_owned())
}

/// The value of `column` in the row of `unit` and `year`.
fn cell(table: &str, unit: &str, year: &str, column: &str) -> String {
    let header: Vec<&str> = table.lines().next().unwrap().split(',').collect();
    let at = header.iter().position(|h| *h == column).unwrap();
    let line = table
        .lines()
        .find(|l| l.starts_with(&format!("{unit},{year},")))
        .unwrap_or_else(|| panic!("no row {unit} {year}"));
    line.split(',').nth(at).unwrap().to_string()
}

/// Provinces as `ISO3:name` from UCDP's `adm_1`, checked against an independent count
/// of the file (pandas): Balochistan in 2018 had 26 events and 256 deaths (best), 11 of
/// them with IS as a side (213 deaths); the 12 events with no province are
/// `PAK:(none)`, or left out with --drop-unplaced; `--units PAK` is every province.
#[test]
fn provinces_from_ucdp_as_iso3_and_name() {
    let dir = tempfile::tempdir().unwrap();
    let (table, said) = events_table(dir.path(), "p.csv", &["--unit", "admin1", "--actor", "^IS$"]);
    assert!(table.starts_with("admin1,year,"), "{table}");
    let balochistan = "PAK:Balochistan province";
    assert_eq!(cell(&table, balochistan, "2018", "incidents"), "26");
    assert_eq!(cell(&table, balochistan, "2018", "fatalities"), "256");
    assert_eq!(cell(&table, balochistan, "2018", "actor_incidents"), "11");
    assert_eq!(cell(&table, balochistan, "2018", "actor_fatalities"), "213");
    let none: u32 = table
        .lines()
        .filter(|l| l.starts_with("PAK:(none),"))
        .map(|l| l.split(',').nth(2).unwrap().parse::<u32>().unwrap())
        .sum();
    assert_eq!(none, 12);
    assert!(
        said.contains("note: 12 events have no `adm_1`: their unit is their country's `(none)`"),
        "{said}"
    );
    let (table, said) = events_table(
        dir.path(),
        "q.csv",
        &["--unit", "admin1", "--units", "PAK", "--drop-unplaced"],
    );
    assert!(!table.contains("(none)") && table.contains("\nPAK:Sindh province,2015,"));
    assert!(
        said.contains("note: 12 events left out: no province (--drop-unplaced)"),
        "{said}"
    );
    // A country code in any case stands for its provinces.
    let (lower, _) = events_table(
        dir.path(),
        "l.csv",
        &["--unit", "admin1", "--units", "pak", "--drop-unplaced"],
    );
    assert_eq!(lower, table);
    let out = dir.path().join("r.csv").display().to_string();
    let err = misuse(&[
        "events",
        "-i",
        UCDP_PAK,
        "--unit",
        "admin1",
        "--units",
        "PAK:Sindh",
        "-o",
        &out,
    ]);
    assert!(err.contains("no event of datasets/ucdp_ged_pakistan_2015_2021.csv is in unit `PAK:Sindh`; did you mean `PAK:Sindh province`?"), "{err}");
}

/// PRIO-GRID cells from the coordinates, checked against pandas' count by UCDP's own
/// `priogrid_gid` (which the formula matches on every row): Karachi's cell 165375 had
/// 45 events and 192 deaths in 2015; the table has the cell's row, column and centre.
/// --max-geo-precision 2 leaves out the 274 events placed more coarsely than within
/// 25 km of a known place; --bbox adds the cells of a box with zeros.
#[test]
fn cells_from_ucdp_coordinates() {
    let dir = tempfile::tempdir().unwrap();
    let (table, said) = events_table(dir.path(), "g.csv", &["--unit", "grid"]);
    assert!(table.starts_with("gid,year,row,col,lat,lon,incidents,"), "{table}");
    assert!(table.contains("\n165375,2015,230,495,24.75,67.25,45,192,"), "{table}");
    assert_eq!(
        table
            .lines()
            .skip(1)
            .map(|l| l.split(',').next().unwrap())
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        132
    );
    assert!(!said.contains("cell id differs"), "{said}");
    let (table, said) = events_table(
        dir.path(),
        "h.csv",
        &[
            "--unit",
            "grid",
            "--max-geo-precision",
            "2",
            "--bbox",
            "-10.5,-10,20,21",
        ],
    );
    assert!(
        said.contains("note: 274 events left out: placed more coarsely than `where_prec` 2, or with no such code (--max-geo-precision)"),
        "{said}"
    );
    // The box holds the centres of 2 cells, (-10.25, 20.25) and (-10.25, 20.75): rows of
    // zeros for every year, beside the cells with events.
    for gid in [114_881, 114_882] {
        let rows: Vec<&str> = table.lines().filter(|l| l.starts_with(&format!("{gid},"))).collect();
        assert_eq!(rows.len(), 7, "{gid}: {rows:?}");
        assert!(
            rows[0].starts_with(&format!("{gid},2015,160,")) && rows[0].ends_with(",0,0,0,0,0,0,0,0,0,0"),
            "{rows:?}"
        );
    }
    assert!(table.contains("\n165375,2015,"));
}

/// Bad places: every mistake said, nothing written.
#[test]
fn places_options_refused_with_what_was_expected() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.csv").display().to_string();
    let run = |extra: &[&str]| {
        let mut args = vec!["events", "-i", UCDP_PAK, "-o", &out];
        args.extend(extra);
        misuse(&args)
    };
    assert_eq!(
        run(&["--unit", "admin1", "--unit-column", "adm_1"]),
        "error: --unit-column: a unit column and `--unit admin1` both say what the unit is: give one\n"
    );
    assert_eq!(
        run(&["--drop-unplaced"]),
        "error: --drop-unplaced: leaves out events with no province or cell: use it with --unit admin1 or --unit grid\n"
    );
    assert_eq!(
        run(&["--max-geo-precision", "2"]),
        "error: --max-geo-precision: leaves coarsely placed events out of provinces and cells: use it with `--unit admin1` or `--unit grid`\n"
    );
    assert_eq!(
        run(&["--bbox", "0,1,2,3"]),
        "error: --bbox: adds PRIO-GRID cells to the table: use it with --unit grid\n"
    );
    assert_eq!(
        run(&["--unit", "grid", "--bbox", "1,0,2,3"]),
        "error: --bbox: expected LAT0,LAT1,LON0,LON1 in degrees (latitudes -90 to 90, the first the lower), found `1,0,2,3`\n"
    );
    let cells = write(dir.path(), "cells.csv", "gid\n165375\nPAK\n0\n");
    let err = fails(&[
        "events", "-i", UCDP_PAK, "-o", &out, "--unit", "grid", "--cells", &cells,
    ]);
    assert!(
        err.contains("row 3, column `gid`: expected a PRIO-GRID cell id (1 to 259200), found `PAK`"),
        "{err}"
    );
    assert!(
        err.contains("row 4, column `gid`: expected a PRIO-GRID cell id (1 to 259200), found `0`"),
        "{err}"
    );
    // Events without coordinates: an error naming the row, or left out.
    let err = fails(&[
        "events",
        "-i",
        &fixture("events_ucdp_small.csv"),
        "-o",
        &out,
        "--unit",
        "grid",
    ]);
    assert!(err.contains("row 2, column `latitude`: expected the event's latitude, -90 to 90 (with its longitude, the event's PRIO-GRID cell; --drop-unplaced leaves events without one out)"), "{err}");
    assert!(
        err.contains("row 2, column `longitude`: expected the event's longitude, -180 to 180"),
        "{err}"
    );
    // --units with --bbox would write zeros for cells with events: refused; cells asked
    // for are cells (` 0165375` is 165375; `abc` is none).
    assert_eq!(
        run(&["--unit", "grid", "--units", "165375", "--bbox", "23.5,37.5,60.5,77.5"]),
        "error: --bbox: adds cells beside the cells with events, and --units keeps only the cells it names: give one (name every cell in --units, with --keep-absent-units for rows of zeros)\n"
    );
    assert_eq!(
        run(&["--unit", "grid", "--units", "abc", "--keep-absent-units"]),
        "error: --units: `abc` is no PRIO-GRID cell id (1 to 259200)\n"
    );
    assert_eq!(
        run(&["--unit", "admin1", "--units", "UZB", "--keep-absent-units"]),
        "error: --units: no event of datasets/ucdp_ged_pakistan_2015_2021.csv is in a province of `UZB`: name a province as `UZB:name`\n"
    );
    assert_eq!(
        run(&["--unit", "grid", "--bbox", "1,2,x,3"]),
        "error: --bbox: expected LAT0,LAT1,LON0,LON1 in degrees (four numbers), found `1,2,x,3`\n"
    );
    assert!(!std::path::Path::new(&out).exists());
    let (table, _) = events_table(dir.path(), "g.csv", &["--unit", "grid", "--units", " 0165375"]);
    assert!(table.contains("\n165375,2015,230,495,24.75,67.25,45,192,"), "{table}");
}

/// `explain --unit Balochistan` on a province table names the province key.
#[test]
fn explain_suggests_the_province_named_in_part() {
    let dir = tempfile::tempdir().unwrap();
    let (_, _) = events_table(dir.path(), "p.csv", &["--unit", "admin1"]);
    let table = dir.path().join("p.csv").display().to_string();
    let fw = write(
        dir.path(),
        "fw.toml",
        "[index]\nid = \"r\"\nunit = \"admin1\"\nperiod = \"year\"\n[[indicator]]\nid = \"fatalities\"\ngroup = \"r\"\n",
    );
    assert_eq!(
        misuse(&[
            "explain",
            "-f",
            &fw,
            "-d",
            &table,
            "--unit",
            "Balochistan",
            "--period",
            "2018"
        ]),
        "error: --unit: unknown unit `Balochistan`; did you mean `PAK:Balochistan province`?\n"
    );
}

/// The examples of docs/places.md run: provinces with their borders file, cells with
/// queen neighbours over Pakistan's box.
#[test]
fn the_pakistan_examples_score() {
    let dir = tempfile::tempdir().unwrap();
    let provinces = dir.path().join("p.csv").display().to_string();
    events_table(dir.path(), "p.csv", &["--unit", "admin1", "--actor", "^IS$"]);
    let out = dir.path().join("ps");
    riskscore()
        .args([
            "score",
            "-q",
            "-f",
            "indicators/pakistan_provinces.toml",
            "-d",
            &provinces,
            "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    let scores = read(&out.join("scores.csv"));
    let top_2021 = scores
        .lines()
        .find(|l| l.contains(",2021,") && l.split(',').nth(3) == Some("1"))
        .unwrap();
    assert!(top_2021.starts_with("PAK:Balochistan province,2021,"), "{top_2021}");
    let (table, _) = events_table(
        dir.path(),
        "c.csv",
        &[
            "--unit",
            "grid",
            "--actor",
            "^IS$",
            "--max-geo-precision",
            "3",
            "--bbox",
            "23.5,37.5,60.5,77.5",
        ],
    );
    assert_eq!(table.lines().count(), 1 + 952 * 7);
    let cells = dir.path().join("c.csv").display().to_string();
    let out = dir.path().join("cs");
    riskscore()
        .args([
            "score",
            "-q",
            "-f",
            "indicators/pakistan_cells.toml",
            "-d",
            &cells,
            "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(read(&out.join("scores.csv")).lines().count(), 1 + 952 * 5);
    // The notebook of the cells calls them cells, and its charts show the top 30.
    let nb = cells_notebook(dir.path(), &out);
    let text = read(&nb);
    assert!(
        text.contains("the 30 highest-ranked of 952 cells") && text.contains("ONE, MANY = \\\"cell\\\", \\\"cells\\\""),
        "{text}"
    );
    assert!(!text.contains("countr"), "{text}");
}

/// Exports the notebook of a score run of `indicators/pakistan_cells.toml` in `scores`.
fn cells_notebook(dir: &Path, scores: &Path) -> std::path::PathBuf {
    let nb = dir.join("nb").join("cells.ipynb");
    riskscore()
        .args(["export-notebook", "-f", "indicators/pakistan_cells.toml", "--scores"])
        .arg(scores)
        .arg("-o")
        .arg(&nb)
        .assert()
        .success();
    nb
}

/// The cells' notebook runs in Jupyter (its charts of the top 30 of 952 cells). Runs
/// only when asked (`cargo test -- --ignored`, as `.ci/run` does), and then fails
/// without the tools rather than passing unchecked.
#[test]
#[ignore = "needs python3 with nbformat, nbclient, ipykernel, pandas, matplotlib (pip install them); .ci/run runs it"]
fn cells_notebook_runs_in_jupyter() {
    let dir = tempfile::tempdir().unwrap();
    events_table(
        dir.path(),
        "c.csv",
        &["--unit", "grid", "--actor", "^IS$", "--bbox", "23.5,37.5,60.5,77.5"],
    );
    let out = dir.path().join("cs");
    riskscore()
        .args(["score", "-q", "-f", "indicators/pakistan_cells.toml", "-d"])
        .arg(dir.path().join("c.csv"))
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let nb = cells_notebook(dir.path(), &out);
    let run = std::process::Command::new("python3")
        .args(["notebooks-export/execute.py"])
        .arg(&nb)
        .arg("--check-only")
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
}

/// `[data] neighbours = { units = ..., within_km = ... }`: neighbours from coordinates,
/// with exponential weights, read by a `weighted_mean` derived column. Three places on
/// the equator at 0, 1 and 3 degrees (111.195 km a degree), x = 10, 20, 40: within
/// 250 km, A's only neighbour is B (C is 333.6 km away), C's only B (222.4 km), and B
/// has both, weighted exp(-111.2 / 100) and exp(-222.4 / 100).
#[test]
fn neighbours_from_coordinates_by_great_circle() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "centres.csv",
        "unit,lat,lon\nA,0,0\nB,0,1\nC,0,3\nFAR,50,50\n",
    );
    let data = write(dir.path(), "d.csv", "unit,year,x\nA,2020,10\nB,2020,20\nC,2020,40\n");
    let fw = write(
        dir.path(),
        "fw.toml",
        r#"[index]
id = "r"
unit = "unit"
period = "year"

[data]
neighbours = { units = "centres.csv", within_km = 250, weights = "exponential", scale_km = 100 }

[[derived]]
id = "x_around"
kind = "neighbours"
of = "x"
stat = "weighted_mean"

[[indicator]]
id = "x"
group = "r"

[[indicator]]
id = "x_around"
group = "r"
"#,
    );
    let out = dir.path().join("out");
    riskscore()
        .args(["score", "-q", "--steps", "-f", &fw, "-d", &data, "-o"])
        .arg(&out)
        .assert()
        .success();
    let text = read(&out.join("data_treated.csv"));
    let around = |u: &str| -> f64 {
        let line = text.lines().find(|l| l.starts_with(&format!("{u},"))).unwrap();
        line.rsplit(',').next().unwrap().parse().unwrap()
    };
    let deg = 6371.0088 * std::f64::consts::PI / 180.0;
    let w = |d: f64| (-d * deg / 100.0).exp();
    assert!((around("A") - 20.0).abs() < 1e-9, "A: only B within 250 km");
    let b = (w(1.0) * 10.0 + w(2.0) * 40.0) / (w(1.0) + w(2.0));
    assert!((around("B") - b).abs() < 1e-9, "{} vs {b}", around("B"));
    assert!((around("C") - 20.0).abs() < 1e-9, "C: only B within 250 km");
    // A rule is needed, and every unit needs coordinates.
    let bad = write(
        dir.path(),
        "bad.toml",
        &read(std::path::Path::new(&fw)).replace("within_km = 250, ", ""),
    );
    let err = fails(&["validate", "-f", &bad]);
    assert!(err.contains("key `data.neighbours`: give one rule of neighbours: `within_km = 150` (every place within 150 km) or `nearest = 5` (the 5 nearest)"), "{err}");
    write(dir.path(), "centres.csv", "unit,lat,lon\nA,0,0\n");
    let err = fails(&[
        "score",
        "-f",
        &fw,
        "-d",
        &data,
        "-o",
        &dir.path().join("o2").display().to_string(),
    ]);
    assert!(
        err.contains("no coordinates for 2 of the data's units: `B`, `C`"),
        "{err}"
    );
}

/// The report maps places: cells as squares (the Pakistan cells), other units as dots
/// from the coordinates table, their names escaped; its words say cells, not
/// countries; a map of 64,818 cells stays under 3 MB (about 1.7 MB).
#[test]
fn report_maps_cells_and_places() {
    let dir = tempfile::tempdir().unwrap();
    events_table(
        dir.path(),
        "c.csv",
        &[
            "--unit",
            "grid",
            "--actor",
            "^IS$",
            "--max-geo-precision",
            "3",
            "--bbox",
            "23.5,37.5,60.5,77.5",
        ],
    );
    let cells = dir.path().join("c.csv").display().to_string();
    let out = dir.path().join("r");
    riskscore()
        .args([
            "report",
            "-q",
            "-f",
            "indicators/pakistan_cells.toml",
            "-d",
            &cells,
            "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    let page = read(&out.join("report.html"));
    assert!(page.contains(r#"data-chart="map""#) && page.contains("Where: scores by cell"));
    assert!(page.contains("952 cells with a place"), "map reading");
    assert!(page.contains("Scores by cell and period") && !page.contains("countries"));

    write(
        dir.path(),
        "centres.csv",
        "unit,lat,lon\n<b>Kabul</b>,34.5,69.2\nTermez,37.2,67.3\n",
    );
    let data = write(
        dir.path(),
        "d.csv",
        "unit,year,x\n<b>Kabul</b>,2020,10\nTermez,2020,20\n",
    );
    let fw = write(
        dir.path(),
        "fw.toml",
        "[index]\nid = \"r\"\nunit = \"unit\"\nperiod = \"year\"\n[data]\nneighbours = { units = \"centres.csv\", nearest = 1 }\n[[indicator]]\nid = \"x\"\ngroup = \"r\"\n",
    );
    let out = dir.path().join("r2");
    riskscore()
        .args(["report", "-q", "-f", &fw, "-d", &data, "-o"])
        .arg(&out)
        .assert()
        .success();
    let page = read(&out.join("report.html"));
    let map = &page[page.find(r#"data-chart="map""#).unwrap()..];
    let map = &map[..map.find("</figure>").unwrap()];
    assert!(
        map.contains("&lt;b&gt;Kabul&lt;/b&gt;") && !map.contains("<b>Kabul"),
        "{map}"
    );
    assert_eq!(
        map.matches("<circle cx=").count(),
        2 + 2,
        "a dot each, and a marker each for the labelled"
    );
}

/// A table of neighbours is read key by key: every wrong key or type is named, with the
/// nearest key; an empty path is refused; `GRID:queen` is the grid in any case.
#[test]
fn neighbours_tables_are_checked_key_by_key() {
    let dir = tempfile::tempdir().unwrap();
    let fw = |neighbours: &str| {
        write(
            dir.path(),
            "fw.toml",
            &format!("[index]\nid = \"r\"\nunit = \"unit\"\nperiod = \"year\"\n[data]\nneighbours = {neighbours}\n[[indicator]]\nid = \"x\"\ngroup = \"r\"\n"),
        )
    };
    let err = fails(&["validate", "-f", &fw(r#"{ unit = "c.csv", nearest = 2.5 }"#)]);
    assert!(err.contains("key `data.neighbours.unit`: unknown key `unit`: expected one of `units`, `within_km`, `nearest`, `weights`, `scale_km`; did you mean `units`?"), "{err}");
    assert!(
        err.contains("key `data.neighbours.nearest`: expected a whole number of neighbours, found a float"),
        "{err}"
    );
    assert!(
        err.contains(
            "key `data.neighbours.units`: a table of neighbours needs `units`, the path of a CSV of unit, lat, lon"
        ),
        "{err}"
    );
    let err = fails(&["validate", "-f", &fw(r#""""#)]);
    assert!(err.contains("key `data.neighbours`: expected the path of a contiguity table, `grid:queen`, or a table such as { units = \"centres.csv\", within_km = 150 }, found an empty text"), "{err}");
    riskscore()
        .args(["validate", "-f", &fw(r#""GRID:Queen:2""#)])
        .assert()
        .success();
}

/// An event with a blank country name was summed as the unit `` (by country and by
/// province); it is an error naming its row.
#[test]
fn a_blank_country_name_is_an_error_naming_the_row() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(
        dir.path(),
        "log.csv",
        "id,year,type_of_violence,side_a,side_b,where_prec,adm_1,latitude,longitude,country,date_start,best,low,high\n1,2020,1,A,B,1,Sindh,24.8,67.0,Pakistan,2020-01-01,3,3,3\n2,2020,1,A,B,1,Punjab,31.5,74.3,,2020-02-01,2,2,2\n",
    );
    let out = dir.path().join("t.csv").display().to_string();
    for unit in ["country", "admin1"] {
        let err = fails(&["events", "-i", &log, "--unit", unit, "-o", &out]);
        assert!(
            err.contains("row 3, column `country`: expected a country name, found an empty cell"),
            "{unit}: {err}"
        );
    }
}

/// Provinces are keyed as the source spells them: `Punjab` and `PUNJAB` stay two units,
/// and the run says so.
#[test]
fn provinces_spelled_apart_by_case_are_kept_and_said() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(
        dir.path(),
        "log.csv",
        "id,year,type_of_violence,side_a,side_b,where_prec,adm_1,latitude,longitude,country,date_start,best,low,high\n1,2020,1,A,B,1,Punjab,31.5,74.3,Pakistan,2020-01-01,3,3,3\n2,2020,1,A,B,1,PUNJAB,31.5,74.3,Pakistan,2020-02-01,2,2,2\n",
    );
    let out = dir.path().join("t.csv");
    let said = succeeds(
        riskscore()
            .args(["events", "-i", &log, "--unit", "admin1", "-o"])
            .arg(&out),
    );
    assert!(
        said.contains(
            "provinces whose `adm_1` differs only in case or spaces are kept apart: `PAK:PUNJAB` and `PAK:Punjab`"
        ),
        "{said}"
    );
    let table = read(&out);
    assert!(
        table.contains("PAK:Punjab,") && table.contains("PAK:PUNJAB,"),
        "{table}"
    );
}

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

//! `validate`: reports on a good framework and every problem of a bad one.

use super::*;

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
            "data datasets/central_asia.csv, indicators/../datasets/world_bank/wdi_central_asia.csv, indicators/../datasets/world_bank/wgi_central_asia.csv: ok (9 units, 11 periods 2012..2022, 45 unit-periods scored)",
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
fn neighbours_need_a_contiguity_table() {
    let dir = tempfile::tempdir().unwrap();
    let base = read(Path::new(&fixture("small.toml")));
    let with_lag = format!("{base}\n[[derived]]\nid = \"n\"\nkind = \"neighbours\"\nof = \"a1\"\n");
    let fw = write(dir.path(), "n.toml", &with_lag);
    let err = fails(&["validate", "-f", &fw]);
    assert_eq!(
        err,
        format!("error: {fw}: key `derived.n.kind`: kind `neighbours` needs neighbours: set [data] neighbours = \"borders.csv\" (a contiguity table: columns unit, neighbour, optional weight; the path is relative to the framework file), or \"grid:queen\" for PRIO-GRID cells\n")
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

//! Errors users will see, asserted exactly: bad frameworks and bad data, one table of cases.

use super::*;

#[test]
fn a_missing_data_flag_is_a_usage_error() {
    let err = misuse(&["score", "-f", &fixture("small.toml"), "-o", "/tmp/x"]);
    assert_eq!(err, "error: -d/--data: no data file given: pass one or more\n");
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
fn usage_errors_exit_2() {
    let out = riskscore().args(["score", "-f"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// One bad input: the small framework with one edit (`from` -> `to`, or as it is),
/// data (or none), and the exact message, with `{fw}` and `{data}` for their paths.
struct Case {
    name: &'static str,
    edit: Option<(&'static str, &'static str)>,
    data: Option<&'static str>,
    expected: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "missing column",
        edit: None,
        data: Some("unit,year,a1,a_2,b1\nX,2020,1,2,3\n"),
        expected: "error: {data}: missing column `a2` (needed by indicator `a2`) (the file has `unit`, `year`, `a1`, `a_2`, `b1`); did you mean `a_2`?\n",
    },
    Case {
        name: "non-numeric cell",
        edit: None,
        data: Some("unit,year,a1,a2,b1\nX,2020,1,2,3\nY,2020,1,two,3\n"),
        expected: "error: {data}: row 3, column `a2`: expected a number, found `two` (if `two` marks a missing value, add it to `[data] missing`)\n",
    },
    Case {
        name: "decimal comma without the option",
        edit: None,
        data: Some("unit,year,a1,a2,b1\nX,2020,1,\"2,5\",3\n"),
        expected: "error: {data}: row 2, column `a2`: expected a number, found `2,5` (for decimal commas use --decimal-comma)\n",
    },
    Case {
        name: "duplicate unit and period",
        edit: None,
        data: Some("unit,year,a1,a2,b1\nX,2020,1,2,3\nY,2020,1,2,3\nX,2020,4,5,6\n"),
        expected: "error: {data}: row 4: duplicate unit `X` and period `2020` (first seen at row 2)\n",
    },
    Case {
        name: "bad period",
        edit: None,
        data: Some("unit,year,a1,a2,b1\nX,2020,1,2,3\nY,twenty,1,2,3\n"),
        expected: "error: {data}: row 3, column `year`: expected a period such as 2022, 2022-Q1 or 2022-03, found `twenty`\n",
    },
    Case {
        name: "a framework source with an unknown layout",
        edit: Some(("[[group]]\nid = \"a\"", "[data]\nsources = [{ file = \"x.csv\", layout = \"wdl\" }]\n\n[[group]]\nid = \"a\"")),
        data: None,
        expected: "error: {fw}: key `data.sources.layout`: unknown value `wdl`: expected one of `wide`, `long`, `wdi`; did you mean `wdi`?\n",
    },
    Case {
        name: "thousands separator not one of the four",
        edit: Some(("[[group]]\nid = \"a\"", "[data]\nthousands = \"_\"\n\n[[group]]\nid = \"a\"")),
        data: None,
        expected: "error: {fw}: key `data.thousands`: expected one of \",\" \".\" \" \" \"'\" (the character that groups thousands), found `_`\n",
    },
    Case {
        name: "a grouped number without the thousands option",
        edit: None,
        data: Some("unit,year,a1,a2,b1\nX,2020,\"1,250\",2,3\n"),
        expected: "error: {data}: row 2, column `a1`: expected a number, found `1,250` (if numbers are grouped in thousands, set `[data] thousands = \",\"`; for decimal commas use --decimal-comma)\n",
    },
    Case {
        name: "unknown group id suggests the nearest",
        edit: Some(("id = \"b1\"\ngroup = \"b\"", "id = \"b1\"\ngroup = \"bb\"")),
        data: None,
        expected: "error: {fw}: key `indicator.b1.group`: unknown group `bb`; did you mean `b`?\n",
    },
    Case {
        name: "hierarchy cycle",
        edit: Some((
            "[[group]]\nid = \"b\"\n",
            "[[group]]\nid = \"b\"\nparent = \"c\"\n[[group]]\nid = \"c\"\nparent = \"b\"\n",
        )),
        data: None,
        expected: "error: {fw}: key `group.b.parent`: the groups form a cycle: b -> c -> b (every chain of parents must end at the index)\n",
    },
    Case {
        name: "weight not positive",
        edit: Some(("[[group]]\nid = \"a\"\n", "[[group]]\nid = \"a\"\nweight = 0\n")),
        data: None,
        expected: "error: {fw}: key `group.a.weight`: weight must be a finite number > 0, found 0\n",
    },
    Case {
        name: "indicator missing for every unit",
        edit: None,
        data: Some("unit,year,a1,a2,b1\nX,2020,1,,3\nY,2020,2,NA,4\n"),
        expected: "error: {fw}: indicator `a2` (column `a2`): no unit has a value in any scored period (2 unit-periods); check the column, or drop the indicator with screen.indicator_min_coverage\n",
    },
    Case {
        name: "zero variance under zscore",
        edit: Some(("id = \"a1\"\n", "id = \"a1\"\nnormalise = \"zscore\"\n")),
        data: Some("unit,year,a1,a2,b1\nX,2020,7,1,3\nY,2020,7,2,4\n"),
        expected: "error: {fw}: indicator `a1`, period 2020: z-score needs values that vary, but all 2 values are 7 (standard deviation 0); use normalise = \"minmax\" or another method\n",
    },
    Case {
        name: "log of a non-positive value",
        edit: Some(("id = \"a1\"\n", "id = \"a1\"\ntransform = \"log\"\n")),
        data: Some("unit,year,a1,a2,b1\nX,2020,7,1,3\nY,2020,0,2,4\n"),
        expected: "error: {fw}: indicator `a1`, unit `Y`, period 2020: transform log needs values > 0, found 0\n",
    },
    Case {
        name: "geometric mean of a value that is zero",
        edit: Some(("aggregation = \"arithmetic\"", "aggregation = \"geometric\"")),
        data: Some("unit,year,a1,a2,b1\nX,2020,0,10,5\nY,2020,5,20,0\nZ,2020,10,30,10\n"),
        expected: "error: {fw}: group `risk`, unit `X`, period 2020: geometric aggregation needs values > 0, but `a` is 0; normalise with range = [1, 100] or set geometric_range\n",
    },
    Case {
        name: "a per-capita value that overflows",
        edit: Some(("id = \"a1\"\n", "id = \"a1\"\ndenominator = \"pop\"\n")),
        data: Some("unit,year,a1,a2,b1,pop\nX,2020,1,2,3,1000\nY,2020,5,2,4,1e-320\n"),
        expected: "error: {fw}: indicator `a1`, unit `Y`, period 2020: the per-capita value 1 x `a1` / `pop` = 1 x 5 / 1e-320 is too large to represent; check the denominator\n",
    },
    Case {
        name: "rows with too few and too many fields",
        edit: None,
        data: Some("unit,year,a1,a2,b1\nX,2020,1,2\nY,2020,4,5,6,7\n"),
        expected: "error: 2 problems found:\n  - {data}: row 2: expected 5 fields (as the header has), found 4 (fields split by `,`; a text value with `,` in it must be quoted)\n  - {data}: row 3: expected 5 fields (as the header has), found 6 (fields split by `,`; a text value with `,` in it must be quoted)\n",
    },
    Case {
        name: "Windows line ends: the rows are numbered as in the file",
        edit: None,
        data: Some("unit,year,a1,a2,b1\r\nX,2020,1,2,3\r\nY,2020,4,5\r\n\r\nZ,2020,7,8,9,10\r\n"),
        expected: "error: 2 problems found:\n  - {data}: row 3: expected 5 fields (as the header has), found 4 (fields split by `,`; a text value with `,` in it must be quoted)\n  - {data}: row 5: expected 5 fields (as the header has), found 6 (fields split by `,`; a text value with `,` in it must be quoted)\n",
    },
    Case {
        name: "a duplicated column name",
        edit: None,
        data: Some("unit,year,a1,a1,b1\nX,2020,1,2,3\n"),
        expected: "error: {data}: columns 3 and 4 are both named `a1`: rename one\n",
    },
    Case {
        name: "every bad cell, in row order",
        edit: None,
        data: Some("unit,year,a1,a2,b1\nX,2020,1,x,3\nY,2020,y,2,3\nZ,2020,1,z,3\n"),
        expected: "error: 3 problems found:\n  - {data}: row 2, column `a2`: expected a number, found `x` (if `x` marks a missing value, add it to `[data] missing`)\n  - {data}: row 3, column `a1`: expected a number, found `y` (if `y` marks a missing value, add it to `[data] missing`)\n  - {data}: row 4, column `a2`: expected a number, found `z` (if `z` marks a missing value, add it to `[data] missing`)\n",
    },
    Case {
        name: "a header split by ; and rows by ,",
        edit: None,
        data: Some("unit;year;a1;a2;b1\nX,2020,1,2,3\n"),
        expected: "error: {data}: row 2: expected 5 fields (as the header has), found 1 (the header is split by `;`, this row by `,`: use one delimiter)\n",
    },
    Case {
        name: "a quote that closes on a later line",
        edit: None,
        data: Some("unit,year,a1,a2,b1\nX,2020,\"1,2,3\nY,2020,4,5,6\n"),
        expected: "error: {data}: row 2: expected 5 fields (as the header has), found 3: a quote (\") opened in it closes only on a later line\n",
    },
    Case {
        name: "an invisible character in a header is shown",
        edit: None,
        data: Some("unit,year,a1,a2\u{a0},b1\nX,2020,1,2,3\n"),
        expected: "error: {data}: missing column `a2` (needed by indicator `a2`) (the file has `unit`, `year`, `a1`, `a2\\u{a0}`, `b1`); did you mean `a2\\u{a0}`?\n",
    },
    Case {
        name: "header without data rows",
        edit: None,
        data: Some("unit,year,a1,a2,b1\n"),
        expected: "error: {data}: no data rows: the file has a header but nothing under it\n",
    },
    Case {
        name: "empty file",
        edit: None,
        data: Some(""),
        expected: "error: {data}: the file is empty: expected a header row and data rows\n",
    },
];

#[test]
fn bad_inputs_give_their_exact_messages() {
    let dir = tempfile::tempdir().unwrap();
    let small = read(Path::new(&fixture("small.toml")));
    let mut wrong = Vec::new();
    for (i, case) in CASES.iter().enumerate() {
        let fw = match case.edit {
            Some((from, to)) => {
                assert!(small.contains(from), "{}: the edit does not apply", case.name);
                write(dir.path(), &format!("f{i}.toml"), &small.replace(from, to))
            }
            None => fixture("small.toml"),
        };
        let mut args = vec!["validate".to_string(), "-f".into(), fw.clone()];
        let data = case.data.map(|text| write(dir.path(), &format!("d{i}.csv"), text));
        if let Some(d) = &data {
            args.extend(["-d".into(), d.clone()]);
        }
        let output = riskscore().args(&args).output().unwrap();
        let got = String::from_utf8_lossy(&output.stderr);
        let expected = case
            .expected
            .replace("{fw}", &fw)
            .replace("{data}", data.as_deref().unwrap_or(""));
        if output.status.code() != Some(1) || got != expected {
            wrong.push(format!(
                "{}: exit {:?}\n  got      {got:?}\n  expected {expected:?}",
                case.name,
                output.status.code()
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Typos get the nearest name, whatever the case: a TOML key, `--unit`, `--outcome`.
#[test]
fn typos_suggest_the_nearest_name() {
    let dir = tempfile::tempdir().unwrap();
    let small = read(Path::new(&fixture("small.toml")));
    let fw = write(
        dir.path(),
        "f.toml",
        &small.replace("aggregation = \"arithmetic\"", "agregation = \"arithmetic\""),
    );
    let err = fails(&["validate", "-f", &fw]);
    assert!(err.trim_end().ends_with("; did you mean `aggregation`?"), "{err}");
    let base = ["-f", "indicators/central_asia.toml", "-d", "datasets/central_asia.csv"];
    let mut args = vec!["explain"];
    args.extend(base);
    args.extend(["--unit", "tjk", "--period", "2022"]);
    assert_eq!(
        misuse(&args),
        "error: --unit: unknown unit `tjk`; did you mean `TJK`?\n"
    );
    let out = dir.path().join("bt").display().to_string();
    let mut args = vec!["backtest"];
    args.extend(base);
    args.extend(["--outcome", "terror_impct", "-o", &out]);
    let err = fails(&args);
    assert!(
        err.trim_end()
            .ends_with("; did you mean `terror_impact`? (a derived column of the framework)"),
        "{err}"
    );
}

/// Reported: a European CSV read without --decimal-comma gave 50 near-identical lines.
/// One mistake in every row is said once per column, with its count and first rows.
#[test]
fn one_mistake_in_every_row_is_said_once_per_column() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("unit;year;a1;a2;b1\n");
    for u in 0..30 {
        text.push_str(&format!("U{u};2020;{u},5;1,25;2\n"));
    }
    let data = write(dir.path(), "euro.csv", &text);
    let err = fails(&["validate", "-f", &fixture("small.toml"), "-d", &data]);
    assert_eq!(
        err,
        format!(
            "error: 2 problems found:\n  - {data}: column `a1`, 30 cells (rows 2, 3, 4, 5, 6, ...); row 2: expected a number, found `0,5` (for decimal commas use --decimal-comma)\n  - {data}: column `a2`, 30 cells (rows 2, 3, 4, 5, 6, ...); row 2: expected a number, found `1,25` (for decimal commas use --decimal-comma)\n"
        )
    );
}

/// Reported: `-d - -d -` said "the file is empty" of the second.
#[test]
fn standard_input_can_be_read_once() {
    let err = misuse(&["validate", "-f", &fixture("small.toml"), "-d", "-", "-d", "-"]);
    assert_eq!(err, "error: -d/--data: `-` (standard input) can be given once\n");
}

//! Unit tests of loading: files joined, columns from one file each, kinds of period.

use super::*;
use crate::period::Period;

const FRAMEWORK: &str = "[index]\nid = \"r\"\nunit = \"unit\"\nperiod = \"year\"\n[[indicator]]\nid = \"a\"\ngroup = \"r\"\n[[indicator]]\nid = \"b\"\ngroup = \"r\"\n";

fn bytes(name: &str, text: &str) -> Source {
    Source::Bytes {
        name: name.into(),
        bytes: text.as_bytes().to_vec(),
    }
}

#[test]
fn variants_that_change_only_the_model_ask_the_data_for_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.toml");
    let text = format!(
        "{}[[group]]\nid = \"g\"\n[[indicator]]\nid = \"c\"\ngroup = \"g\"\n\
         [[variant]]\nname = \"geometric\"\nset = {{ \"index.aggregation\" = \"geometric\" }}\n\
         [[variant]]\nname = \"no_g\"\nexclude = [\"g\"]\n\
         [[variant]]\nname = \"missing\"\nset = {{ \"data.missing\" = [\"..\"] }}\n",
        FRAMEWORK
    );
    std::fs::write(&path, text).unwrap();
    let vs = crate::variants::read_many(&[path]).unwrap();
    let key = |name: &str| request_key(&vs.iter().find(|v| v.name == name).unwrap().framework);
    assert_eq!(key("base"), key("geometric"));
    assert_ne!(key("base"), key("no_g"));
    assert_ne!(key("base"), key("missing"));
}

fn load_texts(files: &[(&str, &str)]) -> Result<Panel> {
    let fw = Framework::from_toml(FRAMEWORK, "f.toml").unwrap();
    let sources: Vec<Source> = files.iter().map(|(n, t)| bytes(n, t)).collect();
    load(&fw, &sources, &LoadOptions::default())
}

#[test]
fn files_are_outer_joined_on_unit_and_period() {
    // a from one file, b from another; Y 2021 only in the second file.
    let panel = load_texts(&[
        ("one.csv", "unit,year,a\nX,2020,1\nY,2020,2\nX,2021,3\n"),
        ("two.csv", "unit,year,b\nX,2020,10\nY,2021,20\n"),
    ])
    .unwrap();
    assert_eq!(panel.units, ["X", "Y"]);
    assert_eq!(
        panel.periods.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
        ["2020", "2021"]
    );
    // Cells p * units + u: X2020, Y2020, X2021, Y2021.
    assert_eq!(panel.present, [true, true, true, true]);
    let a = &panel.columns["a"];
    let b = &panel.columns["b"];
    assert_eq!((a[0], a[1], a[2]), (1.0, 2.0, 3.0));
    assert!(a[3].is_nan());
    assert_eq!((b[0], b[3]), (10.0, 20.0));
    assert!(b[1].is_nan() && b[2].is_nan());
    assert_eq!(panel.cell(1, 0), 2);
    assert_eq!(panel.unit_index("Y"), Some(1));
    assert_eq!(panel.period_index(&Period::parse("2021").unwrap()), Some(1));
    assert_eq!(panel.sources.len(), 2);
}

#[test]
fn a_column_comes_from_one_file_only() {
    let err = load_texts(&[
        ("one.csv", "unit,year,a,b\nX,2020,1,2\n"),
        ("two.csv", "unit,year,b\nX,2020,10\n"),
    ])
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "two.csv: column `b` is also in one.csv: each column may come from one file only"
    );
}

#[test]
fn periods_of_one_kind_only() {
    let err = load_texts(&[
        ("one.csv", "unit,year,a\nX,2020,1\n"),
        ("two.csv", "unit,year,b\nX,2020-Q1,10\n"),
    ])
    .unwrap_err();
    assert!(
        err.to_string().contains("the files mix periods of different kinds"),
        "{err}"
    );
}

#[test]
fn numbers_read_while_parsing_match_the_text_path() {
    // Plain numbers: parsed by polars as the file is read.
    let plain = load_texts(&[("a.csv", "unit,year,a,b\nX,2020,1.5,\nY,2020,2e3,-4\n")]).unwrap();
    assert_eq!(plain.columns["a"][..2], [1.5, 2000.0]);
    assert!(plain.columns["b"][0].is_nan());
    // A marker, a padded number, `inf`: the text path reads or refuses each as before.
    let marked = load_texts(&[("a.csv", "unit,year,a,b\nX,2020, 1.5 ,NA\nY,2020,2,n.a.\n")]).unwrap();
    assert_eq!(marked.columns["a"][..2], [1.5, 2.0]);
    assert!(marked.columns["b"][0].is_nan() && marked.columns["b"][1].is_nan());
    let err = load_texts(&[("a.csv", "unit,year,a,b\nX,2020,inf,1\n")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "a.csv: row 2, column `a`: expected a number, found `inf` (if `inf` marks a missing value, add it to `[data] missing`)"
    );
}

#[test]
fn no_source_is_an_option_error() {
    let err = load_texts(&[]).unwrap_err();
    assert!(err.is_argument());
    assert_eq!(err.to_string(), "data: no data file given: pass one or more");
}

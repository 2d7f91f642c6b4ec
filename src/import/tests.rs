//! Unit tests of the COINr import.

use super::*;

const META: &str = "Level,iCode,iName,Direction,Weight,Unit,Target,Denominator,Parent,Type\n\
    1,a,Alpha,1,1,pct,5,,P,Indicator\n\
    1,b,Beta,-1,2,,NA,Pop,P,Indicator\n\
    2,P,Pillar,1,1,,,,Idx,Aggregate\n\
    3,Idx,The index,1,1,,,,,Aggregate\n\
    ,Pop,Population,,,,,NA,NA,Denominator\n\
    ,Region,Region,,,,,,,Group\n";
const DATA: &str = "uName,uCode,Region,Pop,a,b\nX land,X,N,10,1,5\nY land,Y,S,20,3,\n";

#[test]
fn a_coin_becomes_a_framework_and_data() {
    let steps = Steps {
        impute: Some("i_mean_grp".into()),
        use_group: Some("Region".into()),
        ..Steps::default()
    };
    let out = coinr("d.csv", DATA, "m.csv", META, &steps).unwrap();
    let fw = Framework::from_toml(&out.framework, "f.toml").unwrap();
    assert_eq!(fw.index.id, "Idx");
    assert_eq!(fw.indicators.len(), 2);
    assert_eq!(fw.indicators[1].denominator.as_deref(), Some("Pop"));
    assert_eq!(fw.indicators[1].weight, 2.0);
    assert_eq!(fw.indicators[1].impute_group.as_deref(), Some("Region"));
    assert!(out.framework.contains("direction = \"risk_down\""), "{}", out.framework);
    assert!(out
        .data
        .starts_with("uName,uCode,Region,Pop,a,b,Time\nX land,X,N,10,1,5,1\n"));
    assert!(out.notes.iter().any(|n| n.contains("no Time column")));
    // Only a whole `NA` cell is R's missing value: `NAPop` is a name.
    let out = coinr(
        "d.csv",
        &DATA.replace("Pop", "NAPop"),
        "m.csv",
        &META.replace("Pop", "NAPop"),
        &steps,
    )
    .unwrap();
    assert!(out.framework.contains("denominator = \"NAPop\""), "{}", out.framework);
}

/// Reported: a Level of `one`, and levels that contradict the parents, were read.
#[test]
fn levels_must_be_numbers_that_agree_with_the_parents() {
    let meta = META
        .replace("1,a,Alpha", "one,a,Alpha")
        .replace("1,b,Beta", "2,b,Beta")
        .replace("3,Idx,The index", "4,Idx,The index");
    let err = coinr("d.csv", DATA, "m.csv", &meta, &Steps::default()).unwrap_err();
    let text: Vec<String> = err.problems().iter().map(|p| p.to_string()).collect();
    assert_eq!(
        text,
        [
            "m.csv: row 2, column `Level`: expected a whole number, 1 for indicators and one more for each aggregate above, found `one`",
            "m.csv: row 3, column `Level`: indicator `b` is at Level 2: indicators are Level 1",
            "m.csv: row 3, column `Level`: `b` is at Level 2 and its Parent `P` at Level 2: a parent is one level above its children",
            "m.csv: row 4, column `Level`: `P` is at Level 2 and its Parent `Idx` at Level 4: a parent is one level above its children",
        ]
    );
}

/// Reported: a uCode `=1+1` reached data.csv as a formula; every other CSV riskscore
/// writes guards it.
#[test]
fn data_csv_guards_formula_text_and_keeps_numbers() {
    let data = DATA.replace("X land,X,", "X land,=1+1,").replace(",1,5\n", ",-1,5\n");
    let out = coinr("d.csv", &data, "m.csv", META, &Steps::default()).unwrap();
    assert!(out.data.contains("X land,'=1+1,N,10,-1,5,1\n"), "{}", out.data);
}

#[test]
fn every_problem_of_imeta_is_reported() {
    let meta = META
        .replace("1,b,Beta,-1,2", "1,b,Beta,0,x")
        .replace("Pop,P,Indicator", "Pop,Q,Indicator");
    let err = coinr("d.csv", DATA, "m.csv", &meta, &Steps::default()).unwrap_err();
    let text: Vec<String> = err.problems().iter().map(|p| p.to_string()).collect();
    assert_eq!(
        text,
        [
            "m.csv: row 3, column `Weight`: expected a number, found `x`",
            "m.csv: row 3, column `Direction`: expected 1 or -1, found 0",
            "m.csv: row 3, column `Parent`: `Q` is not an Aggregate row of iMeta",
        ]
    );
    let err = coinr(
        "d.csv",
        DATA,
        "m.csv",
        META,
        &Steps {
            normalise: "n_goalposts".into(),
            aggregate: vec!["a_amean".into(), "a_bad".into()],
            ..Steps::default()
        },
    )
    .unwrap_err();
    let text: Vec<String> = err.problems().iter().map(|p| p.to_string()).collect();
    assert_eq!(
        text,
        [
            "aggregate: COINr's `a_bad` has no riskscore equivalent: use a_amean, a_gmean, a_hmean, a_copeland or a_genmean(p)",
            "normalise: COINr's `n_goalposts` has no riskscore equivalent here: use n_minmax, n_zscore, n_rank, n_borda, n_prank, n_dist2max, n_fracmax or n_dist2targ, and set goalposts, scaled or dist2ref by hand",
        ]
    );
}

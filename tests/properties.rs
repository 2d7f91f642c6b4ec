//! Property tests of the whole pipeline (library API, generated panels).

use proptest::prelude::*;
use riskscore::Framework;
use riskscore::{load, Source, Stage};
use riskscore::{score, Results};

const FRAMEWORK: &str = r#"
[index]
id = "risk"
unit = "unit"
period = "year"
aggregation = "AGG"

[defaults]
range = [1, 100]

[[group]]
id = "g1"
[[group]]
id = "g2"
weight = 2

[[indicator]]
id = "x1"
group = "g1"
[[indicator]]
id = "x2"
group = "g1"
weight = 3
[[indicator]]
id = "x3"
group = "g2"
direction = "risk_down"
"#;

fn framework(aggregation: &str) -> Framework {
    Framework::from_toml(&FRAMEWORK.replace("AGG", aggregation), "prop.toml").unwrap()
}

/// CSV text for rows (unit, year, x1, x2, x3).
fn csv(rows: &[(usize, i32, [f64; 3])]) -> Vec<u8> {
    let mut s = String::from("unit,year,x1,x2,x3\n");
    for (u, y, x) in rows {
        s.push_str(&format!("U{u},{y},{},{},{}\n", x[0], x[1], x[2]));
    }
    s.into_bytes()
}

fn run(fw: &Framework, rows: &[(usize, i32, [f64; 3])]) -> Results {
    let source = Source::Bytes {
        name: "prop.csv".into(),
        bytes: csv(rows),
    };
    let panel = load(fw, &[source], &Default::default()).unwrap();
    score(fw, &panel).unwrap()
}

/// (unit, period) -> (score, rank), independent of row order.
fn by_key(res: &Results) -> Vec<(String, String, f64, f64)> {
    let n = res.n_units();
    let mut out: Vec<_> = res
        .scored_cells()
        .map(|c| {
            (
                res.units()[c % n].clone(),
                res.periods()[c / n].to_string(),
                res.score(c),
                res.rank(c),
            )
        })
        .collect();
    out.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    out
}

fn panel_strategy() -> impl Strategy<Value = Vec<(usize, i32, [f64; 3])>> {
    (2usize..8, 1i32..4).prop_flat_map(|(units, years)| {
        proptest::collection::vec(proptest::array::uniform3(0.0f64..1000.0), units * years as usize).prop_map(
            move |values| {
                values
                    .into_iter()
                    .enumerate()
                    .map(|(i, x)| {
                        (
                            i % units,
                            2020 + (i / units) as i32,
                            x.map(|v| (v * 100.0).round() / 100.0),
                        )
                    })
                    .collect()
            },
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn shuffling_rows_changes_no_result(rows in panel_strategy(), seed in any::<u64>()) {
        let fw = framework("geometric");
        let mut shuffled = rows.clone();
        // Deterministic Fisher-Yates from the seed.
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let a = by_key(&run(&fw, &rows));
        let b = by_key(&run(&fw, &shuffled));
        prop_assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(&b) {
            prop_assert_eq!(&x.0, &y.0);
            prop_assert!((x.2 - y.2).abs() < 1e-9 && x.3 == y.3, "{:?} vs {:?}", x, y);
        }
    }

    #[test]
    fn a_unit_worse_on_every_indicator_never_ranks_better(
        rows in panel_strategy(), agg in prop_oneof![Just("arithmetic"), Just("geometric"), Just("harmonic")]
    ) {
        let fw = framework(agg);
        // Make U0 dominated by U1 in every year: more risk on x1, x2, less capacity on x3.
        let mut rows = rows;
        let years: Vec<i32> = rows.iter().map(|r| r.1).collect();
        for y in years {
            let u1 = rows.iter().find(|r| r.0 == 1 && r.1 == y).map(|r| r.2).unwrap();
            if let Some(r) = rows.iter_mut().find(|r| r.0 == 0 && r.1 == y) {
                r.2 = [u1[0] - 1.0, u1[1] - 1.0, u1[2] + 1.0];
            }
        }
        let res = run(&fw, &rows);
        let n = res.n_units();
        let (u0, u1) = (res.units().iter().position(|u| u == "U0").unwrap(), res.units().iter().position(|u| u == "U1").unwrap());
        for p in 0..res.periods().len() {
            // U0 has less risk everywhere, so its rank number must be larger (worse place).
            prop_assert!(res.rank(p * n + u0) > res.rank(p * n + u1));
        }
    }

    #[test]
    fn equal_weights_arithmetic_is_the_plain_mean(values in proptest::collection::vec(proptest::array::uniform3(0.0f64..100.0), 2..10)) {
        let text = "[index]\nid = \"r\"\nunit = \"unit\"\nperiod = \"year\"\n[[indicator]]\nid = \"x1\"\ngroup = \"r\"\n[[indicator]]\nid = \"x2\"\ngroup = \"r\"\n[[indicator]]\nid = \"x3\"\ngroup = \"r\"\n";
        let fw = Framework::from_toml(text, "mean.toml").unwrap();
        let rows: Vec<_> = values.iter().enumerate().map(|(u, x)| (u, 2020, *x)).collect();
        let res = run(&fw, &rows);
        for c in res.scored_cells() {
            let mean = (0..3).map(|k| res.indicator_values(Stage::Normalised, k).unwrap()[c]).sum::<f64>() / 3.0;
            prop_assert!((res.score(c) - mean).abs() < 1e-9);
        }
    }
}

//! Validation tests: every message a user can see, asserted exactly.

use crate::framework::index::Scale;
use crate::framework::*;
use crate::pipeline::normalise::Normalise;

const BASE: &str = r#"
[index]
id = "risk"
unit = "iso3"
period = "year"

[[group]]
id = "threat"

[[indicator]]
id = "attacks"
group = "threat"
"#;

fn errors(text: &str) -> Vec<String> {
    match Framework::from_toml(text, "fw.toml") {
        Ok(_) => vec![],
        Err(e) => e.problems().iter().map(|p| p.to_string()).collect(),
    }
}

#[test]
fn minimal_framework_resolves_ids_and_defaults() {
    let fw = Framework::from_toml(BASE, "fw.toml").unwrap();
    assert_eq!(fw.groups.len(), 2);
    assert_eq!(fw.groups[1].parent, Some(0));
    assert_eq!(fw.groups[0].children, vec![Child::Group(1)]);
    assert_eq!(fw.groups[1].children, vec![Child::Indicator(0)]);
    assert_eq!(fw.indicators[0].column, "attacks");
    assert_eq!(fw.indicators[0].normalise, Normalise::MinMax { lo: 0.0, hi: 100.0 });
    assert_eq!(fw.post_order, vec![1, 0]);
    assert_eq!(fw.pillar_order(), vec![1]);
    assert_eq!(
        fw.required_columns(),
        vec![("attacks".to_string(), "indicator `attacks`".to_string())]
    );
}

#[test]
fn unknown_group_suggests_the_nearest() {
    let text = BASE.replace("group = \"threat\"", "group = \"theat\"");
    assert_eq!(
        errors(&text),
        vec!["fw.toml: key `indicator.attacks.group`: unknown group `theat`; did you mean `threat`?"]
    );
}

#[test]
fn unknown_key_is_a_schema_error_with_its_line() {
    let text = BASE.replace("id = \"attacks\"", "id = \"attacks\"\nwieght = 2");
    let e = errors(&text);
    assert_eq!(e.len(), 1);
    assert!(
        e[0].starts_with("fw.toml: TOML parse error at line 12, column 1"),
        "{}",
        e[0]
    );
    assert!(e[0].contains("unknown field `wieght`, expected one of"), "{}", e[0]);
}

#[test]
fn cycle_in_hierarchy() {
    let text = format!("{BASE}\n[[group]]\nid = \"a\"\nparent = \"b\"\n[[group]]\nid = \"b\"\nparent = \"a\"\n[[indicator]]\nid = \"x\"\ngroup = \"a\"\n");
    assert_eq!(
        errors(&text),
        vec!["fw.toml: key `group.a.parent`: the groups form a cycle: a -> b -> a (every chain of parents must end at the index)"]
    );
}

/// Nesting 10,000 groups deep (a hostile framework) is refused by one linear walk:
/// the cubic cycle check took over a minute.
#[test]
fn nesting_deeper_than_the_limit_is_refused_in_linear_time() {
    let chain = |depth: usize| {
        let mut text = BASE.to_string();
        for level in 1..=depth {
            let parent = if level == 1 {
                "threat".to_string()
            } else {
                format!("g{}", level - 1)
            };
            text.push_str(&format!("\n[[group]]\nid = \"g{level}\"\nparent = \"{parent}\"\n"));
        }
        text.push_str(&format!("\n[[indicator]]\nid = \"deep\"\ngroup = \"g{depth}\"\n"));
        text
    };
    assert_eq!(
        errors(&chain(10_000)),
        vec!["fw.toml: key `group.g10000.parent`: group `g10000` is 10001 levels below the index; at most 64 are allowed (a risk framework has a handful: pillars, sub-pillars, components)"]
    );
    // 63 groups under the pillar `threat`: 64 levels, allowed.
    assert_eq!(errors(&chain(63)), Vec::<String>::new());
    assert_eq!(errors(&chain(64)).len(), 1);
}

#[test]
fn orphan_group_without_children() {
    let text = format!("{BASE}\n[[group]]\nid = \"empty\"\n");
    assert_eq!(
        errors(&text),
        vec!["fw.toml: key `group.empty`: group `empty` has no indicators or sub-groups under it"]
    );
}

#[test]
fn weights_must_be_positive_and_finite() {
    let text = BASE
        .replace("group = \"threat\"", "group = \"threat\"\nweight = 0")
        .replace("id = \"threat\"", "id = \"threat\"\nweight = nan");
    assert_eq!(
        errors(&text),
        vec![
            "fw.toml: key `group.threat.weight`: weight must be a finite number > 0, found NaN",
            "fw.toml: key `indicator.attacks.weight`: weight must be a finite number > 0, found 0",
        ]
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = BASE
        .replace(
            "group = \"threat\"",
            "group = \"threat\"\nnormalise = \"minmx\"\ndirection = \"up\"",
        )
        .replace("period = \"year\"", "period = \"year\"\naggregation = \"mean\"");
    assert_eq!(
        errors(&text),
        vec![
            "fw.toml: key `index.aggregation`: unknown value `mean`: expected one of `arithmetic`, `geometric`, `harmonic`, `copeland`, `genmean(p)`, `mpi`, `mpi_plus`, `bod`",
            "fw.toml: key `indicator.attacks.direction`: unknown value `up`: expected one of `risk_up`, `risk_down`",
            "fw.toml: key `indicator.attacks.normalise`: unknown value `minmx`: expected one of `minmax`, `goalposts`, `zscore`, `rank`, `percentile`, `distance_to_max`, `fracmax`, `dist2targ`, `dist2ref`, `borda`, `scaled`, `mpi_scaled`, `none`; did you mean `minmax`?",
        ]
    );
}

#[test]
fn duplicate_ids() {
    let text = format!("{BASE}\n[[indicator]]\nid = \"threat\"\ngroup = \"threat\"\n");
    assert_eq!(
        errors(&text),
        vec!["fw.toml: key `indicator[2].id`: duplicate id `threat` (already used at group[1].id)"]
    );
}

#[test]
fn classes_need_increasing_cut_offs_and_an_open_top() {
    let text = BASE.replace(
        "period = \"year\"",
        "period = \"year\"\nclasses = [{label = \"low\", below = 5}, {label = \"mid\", below = 3}, {label = \"high\", below = 9}]",
    );
    assert_eq!(
        errors(&text),
        vec![
            "fw.toml: key `index.classes[2]`: cut-off `below = 3` must be finite and greater than the previous class's (5)",
            "fw.toml: key `index.classes[3]`: the last class `high` must not have `below` (it takes every higher score)",
        ]
    );
}

#[test]
fn goalposts_are_required_and_checked_against_the_transform() {
    let text = BASE.replace("group = \"threat\"", "group = \"threat\"\nnormalise = \"goalposts\"");
    assert_eq!(
        errors(&text),
        vec!["fw.toml: key `indicator.attacks.goalposts`: normalise = \"goalposts\" needs goalposts = [low, high] in the indicator's raw units"]
    );
    let text = BASE.replace(
        "group = \"threat\"",
        "group = \"threat\"\nnormalise = \"goalposts\"\ngoalposts = [0, 10]\ntransform = \"log\"",
    );
    assert_eq!(
        errors(&text),
        vec!["fw.toml: key `indicator.attacks.goalposts`: goalposts [0, 10] are outside the domain of transform `log` (values > 0)"]
    );
}

#[test]
fn derived_columns_are_checked_and_ordered() {
    let text = format!(
        "{BASE}\n[[derived]]\nid = \"b\"\nkind = \"lag\"\nof = \"a\"\n[[derived]]\nid = \"a\"\nkind = \"ratio\"\nof = \"x\"\ndenominator = \"pop\"\nwindow = 3\n"
    );
    assert_eq!(
        errors(&text),
        vec!["fw.toml: key `derived.a.window`: not used by kind `ratio`"]
    );
    let text = text.replace("window = 3\n", "");
    let fw = Framework::from_toml(&text, "fw.toml").unwrap();
    let order: Vec<&str> = fw.derived.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(order, vec!["a", "b"]);
    let cyclic = format!("{BASE}\n[[derived]]\nid = \"a\"\nkind = \"lag\"\nof = \"b\"\n[[derived]]\nid = \"b\"\nkind = \"lag\"\nof = \"a\"\n");
    assert_eq!(
        errors(&cyclic),
        vec!["fw.toml: key `derived.a`: derived columns depend on each other in a cycle: `a`, `b`"]
    );
    let unknown = format!("{BASE}\n[[derived]]\nid = \"a\"\nkind = \"lagg\"\nof = \"b\"\n");
    assert_eq!(
        errors(&unknown),
        vec!["fw.toml: key `derived.a.kind`: unknown kind `lagg`: expected one of `weighted_sum`, `ratio`, `lag`, `change`, `rolling`, `decayed_sum`, `trend`, `neighbours`; did you mean `lag`?"]
    );
}

#[test]
fn nominal_scale_needs_bounded_normalisation() {
    let text = BASE
        .replace("period = \"year\"", "period = \"year\"\nscale = [0, 10]")
        .replace("group = \"threat\"", "group = \"threat\"\nnormalise = \"zscore\"");
    assert_eq!(
        errors(&text),
        vec!["fw.toml: key `index.scale`: nominal scaling needs every indicator on a bounded scale (minmax, goalposts or percentile) and no copeland aggregation; set index.scale_from = \"observed\" to map each period's lowest and highest score instead"]
    );
}

#[test]
fn effective_weights_multiply_down_the_tree() {
    let text = format!("{BASE}\n[[indicator]]\nid = \"b\"\ngroup = \"threat\"\nweight = 3\n[[group]]\nid = \"econ\"\nweight = 3\n[[indicator]]\nid = \"c\"\ngroup = \"econ\"\n");
    let fw = Framework::from_toml(&text, "fw.toml").unwrap();
    // threat 1/4 split 1:3; econ 3/4
    assert_eq!(fw.effective_weights(), vec![0.0625, 0.1875, 0.75]);
}

#[test]
fn scale_maps_nominal_and_observed_ranges() {
    // Nominal [1, 100] -> [0, 10]: 50.5 -> 10 (50.5 - 1)/99 = 5
    let nominal = Scale {
        lo: 0.0,
        hi: 10.0,
        from: ScaleFrom::Nominal,
        nominal: Some((1.0, 100.0)),
    };
    let mut v = [1.0, 50.5, 100.0, f64::NAN];
    nominal.apply(&mut v);
    assert_eq!(&v[..3], &[0.0, 5.0, 10.0]);
    assert!(v[3].is_nan());
    // Observed: the slice's own min and max; all equal -> midpoint.
    let observed = Scale {
        from: ScaleFrom::Observed,
        nominal: None,
        ..nominal
    };
    let mut v = [2.0, 4.0, 3.0];
    observed.apply(&mut v);
    assert_eq!(v, [0.0, 10.0, 5.0]);
    let mut v = [7.0, 7.0];
    observed.apply(&mut v);
    assert_eq!(v, [5.0, 5.0]);
}

#[test]
fn data_driven_weights_need_two_children_and_a_row_wise_mean() {
    let one_child = BASE.replace("id = \"threat\"\n", "id = \"threat\"\nweights = \"pca\"\n");
    assert_eq!(
        errors(&one_child),
        ["fw.toml: key `group.threat.weights`: `pca` weights need at least 2 children; `threat` has 1"]
    );
    let copeland = format!(
        "{}[[indicator]]\nid = \"b\"\ngroup = \"threat\"\n",
        BASE.replace(
            "id = \"threat\"\n",
            "id = \"threat\"\nweights = \"optimised\"\naggregation = \"copeland\"\n"
        )
    );
    assert_eq!(
        errors(&copeland),
        ["fw.toml: key `group.threat.weights`: optimised weights need an arithmetic, geometric, harmonic or genmean aggregation; `threat` uses copeland"]
    );
}

#[test]
fn coinr_method_parameters_are_checked() {
    let with = |extra: &str| errors(&BASE.replace("group = \"threat\"\n", &format!("group = \"threat\"\n{extra}\n")));
    assert_eq!(
        with("impute = \"group_mean\""),
        vec!["fw.toml: key `indicator.attacks.impute_group`: impute = \"group_mean\" fills a unit's value from the units of its group: name the data column that holds each unit's group, e.g. impute_group = \"region\" (for the mean of the unit's other indicators in its framework group, use impute = \"row_mean\")"]
    );
    assert_eq!(
        with("impute = \"mean\"\nimpute_group = \"region\""),
        vec!["fw.toml: key `indicator.attacks.impute_group`: impute_group = \"region\" is only used with impute = \"group_mean\" or \"group_median\" (this indicator uses `mean`)"]
    );
    assert_eq!(
        with("mean_sd = [10, 2]"),
        vec!["fw.toml: key `indicator.attacks.mean_sd`: `mean_sd` is only used with normalise = \"zscore\" (this indicator uses `minmax`)"]
    );
    assert_eq!(
        with("normalise = \"zscore\"\nmean_sd = [10, 0]"),
        vec!["fw.toml: key `indicator.attacks.mean_sd`: expected [mean, sd] with a finite mean and sd > 0, found [10.0, 0.0]"]
    );
    assert_eq!(
        with("normalise = \"rank\"\nrank_ties = \"first\""),
        vec!["fw.toml: key `indicator.attacks.rank_ties`: unknown value `first`: expected one of `average`, `min`"]
    );
    assert_eq!(
        with("normalise = \"dist2ref\""),
        vec!["fw.toml: key `indicator.attacks.reference_unit`: normalise = \"dist2ref\" needs reference_unit = \"<unit code>\": the unit whose value is the target"]
    );
    assert_eq!(
        with("reference_unit = \"DEU\"\ncap = true"),
        vec![
            "fw.toml: key `indicator.attacks.cap`: `cap` is only used with normalise = \"dist2targ\" or \"dist2ref\" (this indicator uses `minmax`)",
            "fw.toml: key `indicator.attacks.reference_unit`: `reference_unit` is only used with normalise = \"dist2ref\" (this indicator uses `minmax`)"
        ]
    );
    assert_eq!(
        with("rank_ties = \"min\""),
        vec!["fw.toml: key `indicator.attacks.rank_ties`: `rank_ties` is only used with normalise = \"rank\" or \"percentile\" or \"borda\" (this indicator uses `minmax`)"]
    );
    let fw = Framework::from_toml(
        &BASE.replace(
            "group = \"threat\"\n",
            "group = \"threat\"\nimpute = \"group_median\"\nimpute_group = \"region\"\nnormalise = \"percentile\"\nrange = [0, 1]\nrank_ties = \"min\"\n",
        ),
        "fw.toml",
    )
    .unwrap();
    assert_eq!(
        fw.label_columns(),
        vec![("region".to_string(), "indicator `attacks` (impute_group)".to_string())]
    );
    assert_eq!(
        fw.indicators[0].normalise,
        Normalise::Percentile {
            ties: crate::pipeline::rank::Ties::Min,
            lo: 0.0,
            hi: 1.0
        }
    );
}

//! Hand-checked aggregations of small logs (tests/fixtures/events_*_small.csv) and one
//! test per error rule.

use super::*;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn year(y: i64) -> Period {
    Period {
        kind: PeriodKind::Year,
        ordinal: y,
    }
}

fn with_actor() -> Options {
    Options {
        actor: Some("Khorasan|ISKP".into()),
        ..Options::default()
    }
}

/// Writes `text` to a temp file and aggregates it.
fn run_text(text: &str, options: &Options) -> Result<EventTable> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.csv");
    std::fs::write(&path, text).unwrap();
    aggregate(&path, options)
}

#[test]
fn acled_small_log_by_hand() {
    let t = aggregate(&fixture("events_acled_small.csv"), &with_actor()).unwrap();
    assert_eq!(t.report.format, Some(Format::Acled));
    assert_eq!(t.units, ["AFG", "TJK", "UZB"]);
    assert_eq!(t.periods, [year(2021), year(2022)]);
    let g = |c: &str, u: &str, y: i64| t.get(c, u, year(y)).unwrap();
    // AFG 2021: the airport bombing, 170 killed: impact 1 + 3 * 170.
    assert_eq!(g("incidents", "AFG", 2021), 1.0);
    assert_eq!(g("fatalities", "AFG", 2021), 170.0);
    assert_eq!(g("civilian_events", "AFG", 2021), 1.0);
    assert_eq!(g("impact", "AFG", 2021), 511.0);
    assert_eq!(g("type_explosions_remote_violence", "AFG", 2021), 1.0);
    // AFG 2022: a clash with ISKP as actor2 (3 killed) and a claimed mosque bombing (10).
    assert_eq!(g("incidents", "AFG", 2022), 2.0);
    assert_eq!(g("verified", "AFG", 2022), 2.0);
    assert_eq!(g("claimed", "AFG", 2022), 1.0);
    assert_eq!(g("claimed_only", "AFG", 2022), 0.0);
    assert_eq!(g("actor_incidents", "AFG", 2022), 2.0);
    assert_eq!(g("actor_fatalities", "AFG", 2022), 13.0);
    assert_eq!(g("impact", "AFG", 2022), 10.0 + 31.0);
    assert_eq!(g("type_battles", "AFG", 2022), 1.0);
    assert_eq!(g("type_violence_against_civilians", "AFG", 2022), 1.0);
    // UZB 2022: the Termez rockets, claimed and never verified.
    assert_eq!(g("incidents", "UZB", 2022), 1.0);
    assert_eq!(g("verified", "UZB", 2022), 0.0);
    assert_eq!(g("unverified", "UZB", 2022), 1.0);
    assert_eq!(g("claimed_only", "UZB", 2022), 1.0);
    assert_eq!(g("impact", "UZB", 2022), 0.0);
    // A protest; and periods with no events are zeros, not missing.
    assert_eq!(g("type_protests", "TJK", 2021), 1.0);
    assert_eq!(g("impact", "TJK", 2021), 1.0);
    for c in &t.columns {
        assert_eq!(g(c, "TJK", 2022), 0.0, "{c}");
        assert_eq!(g(c, "UZB", 2021), 0.0, "{c}");
    }
    assert!(!t.columns.iter().any(|c| c == "injuries"), "ACLED has no injuries");
}

#[test]
fn gtd_small_log_by_hand() {
    let t = aggregate(&fixture("events_gtd_small.csv"), &with_actor()).unwrap();
    assert_eq!(t.report.format, Some(Format::Gtd));
    let g = |c: &str, u: &str, y: i64| t.get(c, u, year(y)).unwrap();
    // AFG 2021 (month unknown, year known): 2 killed, 5 wounded: 1 + 6 + 2.5.
    assert_eq!(g("impact", "AFG", 2021), 9.5);
    assert_eq!(g("hostages", "AFG", 2021), 0.0, "-99 = unknown counts as 0");
    // AFG 2022: 1 + 3*4 + 0.5*2 = 14 and, nkill empty = 0, 1 + 0.5*3 + 0.5*6 = 5.5.
    assert_eq!(g("impact", "AFG", 2022), 19.5);
    assert_eq!(g("fatalities", "AFG", 2022), 4.0);
    assert_eq!(g("injuries", "AFG", 2022), 5.0);
    assert_eq!(g("hostages", "AFG", 2022), 6.0);
    assert_eq!(g("claimed", "AFG", 2022), 1.0);
    assert_eq!(g("actor_incidents", "AFG", 2022), 1.0);
    assert_eq!(g("civilian_events", "AFG", 2022), 1.0);
    assert_eq!(g("type_hostage_taking_kidnapping", "AFG", 2022), 1.0);
    // TJK 2021: doubt that it is terrorism -> not verified, no impact; claimed = -9 -> no.
    assert_eq!(g("verified", "TJK", 2021), 0.0);
    assert_eq!(g("unverified", "TJK", 2021), 1.0);
    assert_eq!(g("claimed", "TJK", 2021), 0.0);
    assert_eq!(g("fatalities", "TJK", 2021), 1.0);
    assert_eq!(g("impact", "TJK", 2021), 0.0);
    // UZB 2022: failed (success = 0) and claimed: claimed-only.
    assert_eq!(g("claimed_only", "UZB", 2022), 1.0);
    assert_eq!(g("impact", "UZB", 2022), 0.0);
}

#[test]
fn gtd_rules_are_configurable() {
    let options = Options {
        rules: Rules {
            gtd_verified: vec![GtdCondition::Success],
            ..Rules::default()
        },
        ..Options::default()
    };
    let t = aggregate(&fixture("events_gtd_small.csv"), &options).unwrap();
    // Doubt no longer matters: the TJK event is verified, 1 + 3 * 1.
    assert_eq!(t.get("impact", "TJK", year(2021)), Some(4.0));
}

#[test]
fn quarters_leave_out_unknown_months_and_say_so() {
    let options = Options {
        period: PeriodKind::Quarter,
        ..Options::default()
    };
    let t = aggregate(&fixture("events_gtd_small.csv"), &options).unwrap();
    assert_eq!(t.report.unknown_month, 1);
    assert_eq!(t.report.rows, 5);
    assert_eq!(t.report.aggregated, 4);
    let q = |y: i64, q: i64| Period {
        kind: PeriodKind::Quarter,
        ordinal: 4 * y + q - 1,
    };
    assert_eq!(t.periods.first(), Some(&q(2021, 3)));
    assert_eq!(t.periods.last(), Some(&q(2022, 2)));
    assert_eq!(t.get("incidents", "AFG", q(2022, 1)), Some(2.0));
    assert_eq!(t.get("incidents", "UZB", q(2022, 2)), Some(1.0));
    assert_eq!(t.get("incidents", "AFG", q(2021, 4)), Some(0.0));
}

#[test]
fn units_list_fills_zeros_and_leaves_others_out() {
    let options = Options {
        units: Some(vec!["UZB".into(), "KGZ".into()]),
        first_period: Some(year(2020)),
        last_period: Some(year(2023)),
        ..Options::default()
    };
    // KGZ has no event: refused (a typo, most often) unless asked for.
    let e = aggregate(&fixture("events_acled_small.csv"), &options).unwrap_err();
    assert!(e.is_argument());
    assert!(
        e.to_string().starts_with("units: no event of ") && e.to_string().contains("is in unit `KGZ`"),
        "{e}"
    );
    let options = Options {
        keep_absent_units: true,
        ..options
    };
    let t = aggregate(&fixture("events_acled_small.csv"), &options).unwrap();
    assert_eq!(t.units, ["UZB", "KGZ"]);
    assert_eq!(t.periods.len(), 4);
    assert_eq!(t.get("incidents", "KGZ", year(2022)), Some(0.0));
    assert_eq!(t.get("incidents", "UZB", year(2022)), Some(1.0));
    assert_eq!(t.report.left_out_units.get("AFG"), Some(&3));
    assert_eq!(t.report.left_out_units.get("TJK"), Some(&1));
}

const ACLED_HEAD: &str = "event_id_cnty,event_date,event_type,actor1,country,fatalities\n";

#[test]
fn bad_date_names_row_and_column() {
    let e = run_text(
        &format!("{ACLED_HEAD}A1,2022-01-05,Battles,X,Uzbekistan,1\nA2,2022-13-45,Battles,X,Uzbekistan,1\n"),
        &Options::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("row 3, column `event_date`: expected a date like 2022-04-22 or 22 April 2022 (found `2022-13-45`)"),
        "{e}"
    );
}

#[test]
fn unknown_country_names_row() {
    let e = run_text(
        &format!("{ACLED_HEAD}A1,2022-01-05,Battles,X,Uzbekistan,1\nA2,2022-01-06,Battles,X,Atlantis,1\n"),
        &Options::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("row 3, column `country`: unknown country name"), "{e}");
    assert!(e.contains("(found `Atlantis`)"), "{e}");
}

#[test]
fn negative_and_non_numeric_counts_are_errors() {
    let e = run_text(
        &format!("{ACLED_HEAD}A1,2022-01-05,Battles,X,Uzbekistan,-2\nA2,2022-01-06,Battles,X,Uzbekistan,many\n"),
        &Options::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("row 2, column `fatalities`: a count cannot be negative (found `-2`)"),
        "{e}"
    );
    assert!(
        e.contains("row 3, column `fatalities`: expected a count (a number >= 0) (found `many`)"),
        "{e}"
    );
}

#[test]
fn duplicate_event_ids_are_errors() {
    let e = run_text(
        &format!(
            "{ACLED_HEAD}A1,2022-01-05,Battles,X,Uzbekistan,1\nA2,2022-01-06,Battles,X,Uzbekistan,1\nA1,2022-01-07,Battles,X,Uzbekistan,0\n"
        ),
        &Options::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("row 4, column `event_id_cnty`: duplicate event id `A1` (first at row 2)"),
        "{e}"
    );
}

#[test]
fn missing_required_column_is_named() {
    let e = run_text(
        "event_id_cnty,event_date,actor1,country,fatalities\nA1,2022-01-05,X,Uzbekistan,1\n",
        &Options::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("missing column `event_type` (needed by events by type)"),
        "{e}"
    );
    let e = run_text("id,date\n1,2022-01-01\n", &Options::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("cannot tell the format"), "{e}");
}

#[test]
fn invalid_actor_regex_is_an_error() {
    let options = Options {
        actor: Some("ISKP(".into()),
        ..Options::default()
    };
    let e = aggregate(&fixture("events_acled_small.csv"), &options)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("actor: not a valid regular expression"), "{e}");
}

#[test]
fn unit_column_is_taken_as_is() {
    let t = run_text(
        "event_id_cnty,event_date,event_type,actor1,region,fatalities\nA1,2022-01-05,Battles,X,Fergana,2\nA2,2022-03-05,Riots,X,Fergana,0\n",
        &Options {
            unit_column: Some("region".into()),
            ..Options::default()
        },
    )
    .unwrap();
    assert_eq!(t.unit_header, "region");
    assert_eq!(t.get("incidents", "Fergana", year(2022)), Some(2.0));
    assert_eq!(t.get("impact", "Fergana", year(2022)), Some(1.0 + 6.0 + 1.0));
}

#[test]
fn slugs() {
    assert_eq!(slug("Explosions/Remote violence"), "explosions_remote_violence");
    assert_eq!(slug("Hostage Taking (Kidnapping)"), "hostage_taking_kidnapping");
}

#[test]
fn generated_logs_aggregate_without_errors() {
    for format in [Format::Acled, Format::Gtd] {
        let spec = generate::Spec {
            format,
            rows: 2000,
            seed: 3,
            first_year: 2018,
            last_year: 2023,
        };
        let mut bytes = Vec::new();
        generate::write(&spec, &mut bytes).unwrap();
        let t = run_text(std::str::from_utf8(&bytes).unwrap(), &with_actor()).unwrap();
        assert_eq!(t.units.len(), 9);
        assert_eq!(t.periods.len(), 6);
        let total: f64 = t.values[0].iter().sum();
        assert_eq!(total, 2000.0);
        let claimed_only: f64 = t.values[4].iter().sum();
        assert!(claimed_only > 0.0);
    }
}

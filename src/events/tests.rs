//! Hand-checked aggregations of small logs (tests/fixtures/events_*_small.csv) and one
//! test per error rule.

use super::model::slug;
use super::*;
use crate::period::{Period, PeriodKind};
use polars::prelude::*;
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
    // KGZ has no event, and is a country code: rows of zeros, with a note.
    let t = aggregate(&fixture("events_acled_small.csv"), &options).unwrap();
    assert!(
        t.report.notes[0].ends_with("is in KGZ: its rows are zeros"),
        "{:?}",
        t.report.notes
    );
    // KGX is no country code: refused (a typo, most often) unless asked for.
    let typo = Options {
        units: Some(vec!["UZB".into(), "KGX".into()]),
        ..options.clone()
    };
    let e = aggregate(&fixture("events_acled_small.csv"), &typo).unwrap_err();
    assert!(e.is_argument());
    assert!(
        e.to_string().starts_with("units: no event of ")
            && e.to_string()
                .contains("is in unit `KGX` and it is no ISO 3166 country code; did you mean `KGZ`?"),
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
        e.contains("row 3, column `event_date`: expected a date like 2022-04-21 or 21 April 2022 (or name its format with option `date_format`) (found `2022-13-45`)"),
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
    assert!(
        e.ends_with("row 3, column `country`: unknown country name `Atlantis` (1 event in the period range): expected an ISO 3166 name such as Uzbekistan, or units from a column of codes (option `unit_column`); events outside option `units` are left out; did you mean `Albania`?"),
        "{e}"
    );
}

const GTD_HEAD: &str = "eventid,iyear,imonth,iday,country_txt,attacktype1_txt,success,doubtterr,nkill\n";

#[test]
fn gtd_historic_names_and_unknown_names_in_scope_only() {
    let log = format!(
        "{GTD_HEAD}197001010001,1975,1,1,Soviet Union,Bombing/Explosion,1,0,0\n\
         197001010002,1985,2,1,West Germany (FRG),Bombing/Explosion,1,0,1\n\
         197001010003,1985,3,1,East Germany (GDR),Armed Assault,1,0,0\n\
         197001010004,1990,3,1,Czechoslovakia,Armed Assault,1,0,0\n\
         197001010005,1979,3,1,Rhodesia,Armed Assault,1,0,2\n\
         197001010006,2001,3,1,Serbia-Montenegro,Armed Assault,1,0,0\n\
         197001010007,1991,3,1,Yugoslavia,Armed Assault,1,0,0\n\
         197001010008,2014,3,1,International,Hijacking,1,0,0\n\
         197001010009,2014,3,1,Uzbekistan,Armed Assault,1,0,0\n\
         197001010010,1972,3,1,Atlantis,Armed Assault,1,0,0\n\
         197001010011,2015,3,1,Utopia,Armed Assault,1,0,0\n\
         197001010012,2016,3,1,Atlantis,Armed Assault,1,0,0\n\
         197001010013,2016,4,1,Atlantis,Armed Assault,1,0,0\n"
    );
    // Every unknown name of the period range at once, at its first row; Atlantis 1972
    // is outside 2014-2016 and no error.
    let range = Options {
        first_period: Some(year(2014)),
        last_period: Some(year(2016)),
        ..Options::default()
    };
    let e = run_text(&log, &range).unwrap_err();
    let messages: Vec<String> = e
        .problems()
        .iter()
        .map(|p| p.to_string().split_once(": ").unwrap().1.to_string())
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(
        messages[0]
            .starts_with("row 12, column `country_txt`: unknown country name `Utopia` (1 event in the period range)"),
        "{messages:?}"
    );
    assert!(
        messages[1].starts_with(
            "row 13, column `country_txt`: unknown country name `Atlantis` (2 events in the period range)"
        ),
        "{messages:?}"
    );
    // With units asked for, unknown names are left out and counted; International is
    // no country and always left out.
    let t = run_text(
        &log,
        &Options {
            units: Some(vec!["UZB".into()]),
            ..range.clone()
        },
    )
    .unwrap();
    assert_eq!(t.units, ["UZB"]);
    assert_eq!(t.report.left_out_units.get("Atlantis (unknown country name)"), Some(&2));
    assert_eq!(t.report.left_out_units.get("Utopia (unknown country name)"), Some(&1));
    assert_eq!(t.report.no_country.get("International"), Some(&1));
    // The whole log, historic states included, when no name is unknown in range.
    let t = run_text(
        &log,
        &Options {
            last_period: Some(year(2014)),
            ..Options::default()
        },
    )
    .unwrap_err();
    assert_eq!(t.problems().len(), 1, "only Atlantis 1972: {t}");
    let t = run_text(
        &log,
        &Options {
            first_period: Some(year(1973)),
            last_period: Some(year(2014)),
            ..Options::default()
        },
    )
    .unwrap();
    assert_eq!(t.units, ["CSK", "DDR", "DEU", "SCG", "SUN", "UZB", "YUG", "ZWE"]);
    assert_eq!(t.get("fatalities", "ZWE", year(1979)), Some(2.0));
    assert_eq!(t.get("fatalities", "DEU", year(1985)), Some(1.0));
    // Atlantis 1972 and 2016 (twice), Utopia 2015.
    assert_eq!(t.report.left_out_periods, 4);
    assert_eq!(t.report.no_country.get("International"), Some(&1));
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
    for format in [Format::Acled, Format::Gtd, Format::Ucdp] {
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

/// One ACLED event per note, in UZB 2022; returns (claimed, claimed_only) per note.
fn claims_of(notes: &[&str]) -> Vec<(f64, f64)> {
    notes
        .iter()
        .map(|note| {
            let text = format!(
                "event_id_cnty,event_date,event_type,country,fatalities,notes\nUZB1,2022-04-21,Explosions/Remote violence,Uzbekistan,0,\"{note}\"\n"
            );
            let t = run_text(&text, &Options::default()).unwrap();
            let g = |c: &str| t.get(c, "UZB", year(2022)).unwrap();
            (g("claimed"), g("claimed_only"))
        })
        .collect()
}

#[test]
fn claims_read_with_negation_and_tense() {
    let cases: [(&str, (f64, f64)); 14] = [
        ("IS-K claimed responsibility for the attack.", (1.0, 0.0)),
        ("IS-K claims it fired ten rockets at Termez.", (1.0, 0.0)),
        ("ISKP, claiming the attack, said 10 rockets were fired.", (1.0, 0.0)),
        ("A claim of responsibility was issued by ISKP.", (1.0, 0.0)),
        ("No group claimed responsibility.", (0.0, 0.0)),
        ("The attack was not claimed.", (0.0, 0.0)),
        ("The attack has not yet been claimed.", (0.0, 0.0)),
        ("Nobody has claimed the blast.", (0.0, 0.0)),
        ("There was no claim of responsibility.", (0.0, 0.0)),
        ("An unclaimed IED exploded near a checkpoint.", (0.0, 0.0)),
        ("ISKP claimed rockets at Termez; the claim unconfirmed.", (1.0, 1.0)),
        (
            "IS-K claimed the attack. The claim could not be independently verified.",
            (1.0, 1.0),
        ),
        (
            "ISKP claimed it; this has not been independently confirmed.",
            (1.0, 1.0),
        ),
        (
            "No group claimed the first blast; IS-K later claimed the second.",
            (1.0, 0.0),
        ),
    ];
    let got = claims_of(&cases.map(|(note, _)| note));
    for ((note, expected), got) in cases.iter().zip(got) {
        assert_eq!(got, *expected, "{note}");
    }
}

#[test]
fn ambiguous_dates_need_a_format() {
    let log = |date: &str| {
        format!("event_id_cnty,event_date,event_type,country,fatalities\nA1,2022-01-02,Battles,Uzbekistan,0\nA2,{date},Battles,Uzbekistan,0\n")
    };
    let err = run_text(&log("21-Apr-22"), &Options::default())
        .unwrap_err()
        .to_string();
    assert_eq!(
        err.split_once(": ").unwrap().1,
        "row 3, column `event_date`: a two-digit year (22: 1922 or 2022?): name the format with option `date_format`, e.g. %d-%b-%y (found `21-Apr-22`)"
    );
    let err = run_text(&log("4/5/2022"), &Options::default()).unwrap_err().to_string();
    assert_eq!(
        err.split_once(": ").unwrap().1,
        "row 3, column `event_date`: a date with slashes may be day/month or month/day: name the order with option `date_format` (%d/%m/%Y or %m/%d/%Y) (found `4/5/2022`)"
    );
    // Named, the same dates read; the ISO date of row 2 does not fit and says so.
    let named = |f: &str| Options {
        date_format: Some(f.into()),
        ..Options::default()
    };
    let err = run_text(&log("4/5/2022"), &named("%d/%m/%Y")).unwrap_err().to_string();
    assert!(
        err.ends_with(
            "row 2, column `event_date`: not a date in the format option `date_format` names (found `2022-01-02`)"
        ),
        "{err}"
    );
    let only = |date: &str| {
        format!("event_id_cnty,event_date,event_type,country,fatalities\nA2,{date},Battles,Uzbekistan,0\n")
    };
    let month = |text: String, f: &str| {
        let options = Options {
            period: PeriodKind::Month,
            ..named(f)
        };
        run_text(&text, &options).unwrap().periods[0].to_string()
    };
    assert_eq!(month(only("4/5/2022"), "%d/%m/%Y"), "2022-05");
    assert_eq!(month(only("4/5/2022"), "%m/%d/%Y"), "2022-04");
    assert_eq!(month(only("21-Apr-22"), "%d-%b-%y"), "2022-04");
    // 21 Apr 2022 and a date with a time (UCDP's form) read without a format.
    assert_eq!(
        run_text(&only("21 Apr 2022"), &Options::default()).unwrap().periods[0].to_string(),
        "2022"
    );
    assert_eq!(
        run_text(&only("2022-04-21 00:00:00.000"), &Options::default())
            .unwrap()
            .periods[0]
            .to_string(),
        "2022"
    );
}

#[test]
fn ucdp_small_log_by_hand() {
    let options = Options {
        actor: Some("^IS$".into()),
        ..Options::default()
    };
    let t = aggregate(&fixture("events_ucdp_small.csv"), &options).unwrap();
    assert_eq!(t.report.format, Some(Format::Ucdp));
    // "Russia (Soviet Union)" is UCDP's name for Russia.
    assert_eq!(t.units, ["AFG", "PAK", "RUS"]);
    assert_eq!(
        t.columns,
        [
            "incidents",
            "fatalities",
            "fatalities_low",
            "fatalities_high",
            "civilian_deaths",
            "actor_incidents",
            "actor_fatalities",
            "civilian_events",
            "type_non_state",
            "type_one_sided",
            "type_state_based",
            "impact"
        ]
    );
    let g = |c: &str, u: &str, y: i64| t.get(c, u, year(y)).unwrap();
    // AFG 2021: a state-based clash (best 10, low 8, high 12) and a one-sided attack by
    // IS (170, 170, 185): impact 2 + 3 * 180.
    assert_eq!(
        [
            g("incidents", "AFG", 2021),
            g("fatalities", "AFG", 2021),
            g("fatalities_low", "AFG", 2021),
            g("fatalities_high", "AFG", 2021),
            g("civilian_deaths", "AFG", 2021),
            g("civilian_events", "AFG", 2021),
            g("actor_incidents", "AFG", 2021),
            g("actor_fatalities", "AFG", 2021),
            g("impact", "AFG", 2021)
        ],
        [2.0, 180.0, 178.0, 197.0, 172.0, 1.0, 1.0, 170.0, 542.0]
    );
    assert_eq!(
        (g("type_state_based", "AFG", 2021), g("type_one_sided", "AFG", 2021)),
        (1.0, 1.0)
    );
    assert_eq!(
        (g("type_non_state", "AFG", 2022), g("impact", "AFG", 2022)),
        (1.0, 13.0)
    );
    assert_eq!(
        (
            g("fatalities", "PAK", 2022),
            g("fatalities_low", "PAK", 2022),
            g("impact", "PAK", 2022)
        ),
        (63.0, 58.0, 190.0)
    );
    // IS as side_b counts for the actor filter too.
    assert_eq!(
        (g("actor_incidents", "RUS", 2022), g("actor_fatalities", "RUS", 2022)),
        (1.0, 2.0)
    );
    assert_eq!(g("incidents", "PAK", 2021), 0.0);
}

#[test]
fn ucdp_estimates_must_be_ordered() {
    let text = std::fs::read_to_string(fixture("events_ucdp_small.csv")).unwrap();
    // Row 3: low 170 above a best of 100; row 4: type 4.
    let bad = text
        .replacen(",170,185,170,", ",100,185,170,", 1)
        .replacen("Clear,2,", "Clear,4,", 1);
    let e = run_text(&bad, &Options::default()).unwrap_err();
    let messages: Vec<String> = e
        .problems()
        .iter()
        .map(|p| p.to_string().split_once(": ").unwrap().1.to_string())
        .collect();
    assert!(
        messages.contains(&"row 3, column `low`: the low estimate is above `best` (found `170`)".to_string()),
        "{messages:?}"
    );
    assert!(messages.contains(&"row 4, column `type_of_violence`: expected 1 (state-based), 2 (non-state) or 3 (one-sided violence) (found `4`)".to_string()), "{messages:?}");
}

/// A generated ACLED log of `rows` events.
fn generated_acled(rows: usize) -> Vec<u8> {
    let spec = generate::Spec {
        format: Format::Acled,
        rows,
        seed: 5,
        first_year: 2018,
        last_year: 2023,
    };
    let mut bytes = Vec::new();
    generate::write(&spec, &mut bytes).unwrap();
    bytes
}

fn run_bytes(bytes: &[u8], name: &str, options: &Options) -> Result<EventTable> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    aggregate(&path, options)
}

/// A CSV log written as Parquet in `dir` (every column as text).
fn as_parquet(bytes: &[u8], dir: &std::path::Path) -> std::path::PathBuf {
    let mut df = CsvReadOptions::default()
        .with_infer_schema_length(Some(0))
        .into_reader_with_file_handle(std::io::Cursor::new(bytes.to_vec()))
        .finish()
        .unwrap();
    let parquet = dir.join("log.parquet");
    ParquetWriter::new(std::fs::File::create(&parquet).unwrap())
        .finish(&mut df)
        .unwrap();
    parquet
}

#[test]
fn one_pass_over_csv_equals_the_scan_of_the_same_log_as_parquet() {
    let bytes = generated_acled(400);
    let csv = run_bytes(&bytes, "log.csv", &with_actor()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let parquet = as_parquet(&bytes, dir.path());
    let scanned = aggregate(&parquet, &with_actor()).unwrap();
    assert_eq!(csv.columns, scanned.columns);
    assert_eq!(csv.values, scanned.values);
    assert_eq!(
        (csv.units.clone(), csv.periods.clone()),
        (scanned.units, scanned.periods)
    );
    // CRLF line ends read the same.
    let crlf = String::from_utf8(bytes).unwrap().replace('\n', "\r\n");
    let crlf = run_bytes(crlf.as_bytes(), "crlf.csv", &with_actor()).unwrap();
    assert_eq!(crlf.values, csv.values);
}

#[test]
fn a_byte_not_utf8_past_the_head_reads_the_log_again_as_windows_1252() {
    use sha2::Digest;
    let mut bytes = generated_acled(400);
    assert!(bytes.len() > 100_000);
    let utf8 = run_bytes(&bytes, "log.csv", &with_actor()).unwrap();
    assert_eq!(utf8.report.source.encoding.as_deref(), Some("utf-8"));
    assert_eq!(utf8.report.source.sha256, format!("{:x}", sha2::Sha256::digest(&bytes)));
    // An `é` in Windows-1252 (0xE9) in a note near the end.
    let at = bytes.len() - 100 + bytes[bytes.len() - 100..].iter().position(|&b| b == b' ').unwrap();
    bytes[at] = 0xE9;
    let cp1252 = run_bytes(&bytes, "log.csv", &with_actor()).unwrap();
    assert_eq!(cp1252.report.source.encoding.as_deref(), Some("windows-1252"));
    assert_eq!(
        cp1252.report.source.sha256,
        format!("{:x}", sha2::Sha256::digest(&bytes))
    );
    assert_eq!(cp1252.values, utf8.values);
    // Named UTF-8, the same byte is an error at its row.
    let named = Options {
        encoding: Some("utf-8".into()),
        ..with_actor()
    };
    let e = run_bytes(&bytes, "log.csv", &named).unwrap_err().to_string();
    assert!(e.contains("byte 0xE9 is not UTF-8 text"), "{e}");
    assert!(e.contains("row 401"), "{e}");
}

#[test]
fn a_row_with_more_cells_than_the_header_is_named() {
    let e = run_text(
        &format!("{ACLED_HEAD}A1,2022-01-05,Battles,X,Uzbekistan,1\nA2,2022-01-06,Battles,X,Uzbekistan,1,extra\n"),
        &Options::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("row 3: 7 cells, the header names 6 columns"), "{e}");
}

#[test]
fn duplicate_ids_are_found_across_frames_and_reported_with_bad_rows() {
    let mut text = ACLED_HEAD.to_string();
    // 120 rows: three frames in unit tests.
    for i in 0..118 {
        text.push_str(&format!("A{i},2022-01-05,Battles,X,Uzbekistan,1\n"));
    }
    text.push_str("A1,2022-01-05,Battles,X,Uzbekistan,-1\nA0,2022-01-05,Battles,X,Uzbekistan,2\n");
    let e = run_text(&text, &Options::default()).unwrap_err().to_string();
    assert!(
        e.contains("row 121, column `event_id_cnty`: duplicate event id `A0` (first at row 2)"),
        "{e}"
    );
    assert!(
        e.contains("row 120, column `fatalities`: a count cannot be negative (found `-1`)"),
        "{e}"
    );
}

/// Provinces, cells and the precision filter read a Parquet log (no CSV pass: the unit
/// is computed from the stage's columns) as they read the same log as CSV.
#[test]
fn places_of_a_parquet_log_equal_those_of_the_csv() {
    let bytes = generated_acled(400);
    let dir = tempfile::tempdir().unwrap();
    let parquet = as_parquet(&bytes, dir.path());
    for places in [super::Places::Admin1, super::Places::Grid] {
        let options = Options { places, ..with_actor() };
        let csv = run_bytes(&bytes, "log.csv", &options).unwrap();
        let scanned = aggregate(&parquet, &options).unwrap();
        assert_eq!(
            (&csv.units, &csv.values),
            (&scanned.units, &scanned.values),
            "{places:?}"
        );
        assert!(csv.units.len() > 9, "{:?}", csv.units);
    }
}

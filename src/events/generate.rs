//! Seeded synthetic event logs in ACLED, GTD and UCDP GED column formats, for tests,
//! the example and benchmarks. Real ACLED and GTD rows may not be redistributed (their
//! licences), so the example ships these instead; they are illustrative, not
//! observations.
//!
//! Shape: events fall on the countries of the Central Asia example with rates that
//! differ by country and year (Afghanistan and Pakistan high, Uzbekistan and
//! Turkmenistan rare; a peak in 2021-2022), on uniformly drawn days; event types and
//! actors as the two sources code them; fatalities zero-inflated with a heavy
//! (Pareto, alpha = 1.3) tail; a few ISKP claims that were never verified (as the
//! April 2022 rockets claimed at Termez). Every event has coordinates (within 2 degrees
//! of its country's capital) and a province (`<Country> Province 1` to `7`; ACLED
//! `admin1`, GTD `provstate`, UCDP `adm_1`), and UCDP's `priogrid_gid` is the cell of
//! its coordinates. The same seed gives the same file.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::io::Write;

use super::model::Format;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Spec {
    pub format: Format,
    pub rows: usize,
    pub seed: u64,
    pub first_year: i32,
    pub last_year: i32,
}

/// (iso3, ISO numeric, name, base weight, latitude, longitude)
const COUNTRIES: &[(&str, u16, &str, f64, f64, f64)] = &[
    ("AFG", 4, "Afghanistan", 40.0, 34.5, 69.2),
    ("PAK", 586, "Pakistan", 35.0, 33.7, 73.0),
    ("IRN", 364, "Iran", 6.0, 35.7, 51.4),
    ("RUS", 643, "Russia", 8.0, 55.8, 37.6),
    ("TJK", 762, "Tajikistan", 2.0, 38.6, 68.8),
    ("KGZ", 417, "Kyrgyzstan", 2.5, 42.9, 74.6),
    ("KAZ", 398, "Kazakhstan", 1.5, 51.2, 71.4),
    ("UZB", 860, "Uzbekistan", 0.8, 41.3, 69.2),
    ("TKM", 795, "Turkmenistan", 0.3, 37.9, 58.4),
];

const ACLED_TYPES: &[(&str, &[&str], f64)] = &[
    ("Battles", &["Armed clash", "Government regains territory"], 0.30),
    (
        "Explosions/Remote violence",
        &[
            "Remote explosive/landmine/IED",
            "Suicide bomb",
            "Shelling/artillery/missile attack",
        ],
        0.25,
    ),
    (
        "Violence against civilians",
        &["Attack", "Abduction/forced disappearance"],
        0.20,
    ),
    ("Protests", &["Peaceful protest"], 0.12),
    ("Riots", &["Violent demonstration", "Mob violence"], 0.08),
    ("Strategic developments", &["Arrests", "Disrupted weapons use"], 0.05),
];

const GTD_TYPES: &[(&str, f64)] = &[
    ("Bombing/Explosion", 0.45),
    ("Armed Assault", 0.30),
    ("Assassination", 0.08),
    ("Hostage Taking (Kidnapping)", 0.07),
    ("Facility/Infrastructure Attack", 0.06),
    ("Unknown", 0.04),
];

const GTD_TARGETS: &[(&str, f64)] = &[
    ("Private Citizens & Property", 0.35),
    ("Military", 0.20),
    ("Police", 0.20),
    ("Government (General)", 0.12),
    ("Religious Figures/Institutions", 0.08),
    ("Business", 0.05),
];

/// Relative intensity of a year (a rise to a 2021-2022 peak).
fn year_factor(iso3: &str, year: i32) -> f64 {
    let peak = match iso3 {
        "AFG" => 2021,
        "TJK" | "UZB" | "KGZ" => 2022,
        _ => 2020,
    };
    let d = f64::from((year - peak).abs());
    1.0 + 1.5 * (-d * d / 4.0).exp()
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T], weight: impl Fn(&T) -> f64) -> &'a T {
    let total: f64 = items.iter().map(&weight).sum();
    let mut x = rng.random::<f64>() * total;
    for it in items {
        x -= weight(it);
        if x <= 0.0 {
            return it;
        }
    }
    &items[items.len() - 1]
}

/// Zero-inflated heavy-tailed count: 0 with probability p0, else floor(Pareto(1, 1.3)), capped.
fn heavy(rng: &mut StdRng, p0: f64, cap: f64) -> u32 {
    if rng.random::<f64>() < p0 {
        return 0;
    }
    let u: f64 = rng.random::<f64>().max(1e-12);
    (u.powf(-1.0 / 1.3)).floor().min(cap) as u32
}

/// `x` as written with 4 decimals.
fn round4(x: f64) -> f64 {
    format!("{x:.4}").parse().unwrap_or(x)
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The header of a synthetic log in `format`'s columns.
fn header(format: Format) -> &'static [&'static str] {
    match format {
        Format::Acled => &[
            "event_id_cnty",
            "event_date",
            "year",
            "event_type",
            "sub_event_type",
            "actor1",
            "actor2",
            "civilian_targeting",
            "iso",
            "country",
            "admin1",
            "latitude",
            "longitude",
            "source",
            "notes",
            "fatalities",
            "tags",
        ],
        Format::Gtd => &[
            "eventid",
            "iyear",
            "imonth",
            "iday",
            "country",
            "country_txt",
            "provstate",
            "latitude",
            "longitude",
            "success",
            "attacktype1_txt",
            "targtype1_txt",
            "gname",
            "claimed",
            "doubtterr",
            "nkill",
            "nwound",
            "nhostkid",
        ],
        Format::Ucdp => &UCDP_COLUMNS,
    }
}

/// The 49 columns of UCDP GED 23.1, in its order.
const UCDP_COLUMNS: [&str; 49] = [
    "id",
    "relid",
    "year",
    "active_year",
    "code_status",
    "type_of_violence",
    "conflict_dset_id",
    "conflict_new_id",
    "conflict_name",
    "dyad_dset_id",
    "dyad_new_id",
    "dyad_name",
    "side_a_dset_id",
    "side_a_new_id",
    "side_a",
    "side_b_dset_id",
    "side_b_new_id",
    "side_b",
    "number_of_sources",
    "source_article",
    "source_office",
    "source_date",
    "source_headline",
    "source_original",
    "where_prec",
    "where_coordinates",
    "where_description",
    "adm_1",
    "adm_2",
    "latitude",
    "longitude",
    "geom_wkt",
    "priogrid_gid",
    "country",
    "country_id",
    "region",
    "event_clarity",
    "date_prec",
    "date_start",
    "date_end",
    "deaths_a",
    "deaths_b",
    "deaths_civilians",
    "deaths_unknown",
    "best",
    "high",
    "low",
    "gwnoa",
    "gwnob",
];

/// What every synthetic event has, whatever the format.
struct Event {
    /// Row number (0-based) and the country's running event number.
    i: usize,
    serial: u64,
    country: (&'static str, u16, &'static str),
    year: i32,
    month: u32,
    day: u32,
    lat: f64,
    lon: f64,
    actor: String,
    jihadist: bool,
    claimed: bool,
    claimed_only: bool,
}

/// Draws event i's country-year (weighted by `cells`), date, place, actor and claim.
fn draw_event(rng: &mut StdRng, cells: &[(usize, i32, f64)], serial: &mut [u64], i: usize) -> Event {
    let &(c, year, _) = pick(rng, cells, |x| x.2);
    let (iso3, numeric, name, _, lat, lon) = COUNTRIES[c];
    let month = rng.random_range(1..=12u32);
    let day = rng.random_range(1..=days_in_month(year, month));
    serial[c] += 1;
    let (lat, lon) = (lat + rng.random_range(-2.0..2.0), lon + rng.random_range(-2.0..2.0));
    let jihadist = matches!(iso3, "AFG" | "PAK" | "TJK" | "UZB" | "KGZ" | "IRN" | "RUS") && rng.random::<f64>() < 0.3;
    let actor = if jihadist {
        "Islamic State Khorasan Province (ISKP)".to_string()
    } else {
        match iso3 {
            "AFG" if rng.random::<f64>() < 0.5 => "Taliban".to_string(),
            "PAK" if rng.random::<f64>() < 0.4 => "Tehrik-i-Taliban Pakistan (TTP)".to_string(),
            _ if rng.random::<f64>() < 0.5 => format!("Military Forces of {name}"),
            _ => format!("Unidentified Armed Group ({name})"),
        }
    };
    // ISKP rocket and drone claims that nothing confirmed.
    let claimed_only = jihadist && rng.random::<f64>() < 0.08;
    let claimed = jihadist && (claimed_only || rng.random::<f64>() < 0.6);
    Event {
        i,
        serial: serial[c],
        country: (iso3, numeric, name),
        year,
        month,
        day,
        lat,
        lon,
        actor,
        jihadist,
        claimed,
        claimed_only,
    }
}

/// Writes the log as CSV.
pub fn write(spec: &Spec, out: &mut dyn Write) -> std::io::Result<()> {
    let mut rng = StdRng::seed_from_u64(spec.seed);
    let mut w = csv::Writer::from_writer(out);
    let years: Vec<i32> = (spec.first_year..=spec.last_year).collect();
    let cells: Vec<(usize, i32, f64)> = COUNTRIES
        .iter()
        .enumerate()
        .flat_map(|(c, country)| {
            years
                .iter()
                .map(move |&y| (c, y, country.3 * year_factor(country.0, y)))
        })
        .collect();
    w.write_record(header(spec.format))?;
    let mut serial = vec![0u64; COUNTRIES.len()];
    for i in 0..spec.rows {
        let event = draw_event(&mut rng, &cells, &mut serial, i);
        let record = match spec.format {
            Format::Acled => acled_record(&mut rng, &event),
            Format::Gtd => gtd_record(&mut rng, &event),
            Format::Ucdp => ucdp_record(&mut rng, &event),
        };
        w.write_record(record)?;
    }
    w.flush()
}

/// One ACLED row: event type, fatalities, civilian targeting, notes with the claim.
fn acled_record(rng: &mut StdRng, e: &Event) -> Vec<String> {
    let Event {
        i,
        serial,
        country: (iso3, numeric, name),
        year,
        month,
        day,
        lat,
        lon,
        ref actor,
        claimed,
        claimed_only,
        ..
    } = *e;
    let (kind, subs, _) = pick(rng, ACLED_TYPES, |t| t.2);
    let sub = subs[rng.random_range(0..subs.len())];
    let violent = !matches!(*kind, "Protests" | "Strategic developments");
    let fatalities = if violent && !claimed_only {
        heavy(rng, 0.55, 300.0)
    } else {
        0
    };
    let civilian = *kind == "Violence against civilians" || (violent && rng.random::<f64>() < 0.1);
    let mut notes = format!("On {day} {} {year}, {actor} ", MONTHS[month as usize - 1]);
    notes.push_str(match *kind {
        "Battles" => "clashed with security forces",
        "Explosions/Remote violence" => "carried out an attack with explosives",
        "Violence against civilians" => "attacked civilians",
        "Protests" => "- people protested peacefully",
        "Riots" => "- rioters clashed with police",
        _ => "- security forces arrested suspected members",
    });
    notes.push_str(&format!(" in {name}. {fatalities} fatalities."));
    if claimed {
        notes.push_str(" ISKP claimed responsibility.");
    }
    if claimed_only {
        notes.push_str(" The claim could not be independently verified.");
    }
    vec![
        format!("{iso3}{serial}"),
        format!("{day} {} {year}", MONTHS[month as usize - 1]),
        year.to_string(),
        kind.to_string(),
        sub.to_string(),
        actor.clone(),
        if violent {
            format!("Civilians ({name})")
        } else {
            String::new()
        },
        if civilian {
            "Civilian targeting".into()
        } else {
            String::new()
        },
        numeric.to_string(),
        name.to_string(),
        format!("{name} Province {}", 1 + i % 7),
        format!("{lat:.4}"),
        format!("{lon:.4}"),
        "Synthetic".into(),
        notes,
        fatalities.to_string(),
        if claimed_only {
            "unverified claim".into()
        } else {
            String::new()
        },
    ]
}

/// One GTD row: attack and target type, success, casualties, hostages, claim, doubt.
fn gtd_record(rng: &mut StdRng, e: &Event) -> Vec<String> {
    let Event {
        i,
        country: (_, numeric, name),
        year,
        month,
        day,
        lat,
        lon,
        jihadist,
        claimed,
        claimed_only,
        ..
    } = *e;
    let (kind, _) = pick(rng, GTD_TYPES, |t| t.1);
    let (target, _) = pick(rng, GTD_TARGETS, |t| t.1);
    let success = !claimed_only && rng.random::<f64>() < 0.9;
    let nkill = if success { heavy(rng, 0.45, 300.0) } else { 0 };
    let nwound = if success { heavy(rng, 0.5, 500.0) } else { 0 };
    let hostages = if *kind == "Hostage Taking (Kidnapping)" {
        if rng.random::<f64>() < 0.15 {
            "-99".to_string()
        } else {
            (1 + heavy(rng, 0.0, 60.0)).to_string()
        }
    } else {
        "-99".to_string()
    };
    let doubt = if rng.random::<f64>() < 0.05 { "1" } else { "0" };
    let imonth = if rng.random::<f64>() < 0.003 { 0 } else { month };
    vec![
        format!("{year}{month:02}{day:02}{i:07}"),
        year.to_string(),
        imonth.to_string(),
        if imonth == 0 { "0".into() } else { day.to_string() },
        numeric.to_string(),
        name.to_string(),
        format!("{name} Province {}", 1 + i % 7),
        format!("{lat:.6}"),
        format!("{lon:.6}"),
        if success { "1" } else { "0" }.into(),
        kind.to_string(),
        target.to_string(),
        if jihadist {
            "Islamic State - Khorasan Province"
        } else {
            "Unknown"
        }
        .into(),
        if claimed {
            "1"
        } else if rng.random::<f64>() < 0.1 {
            "-9"
        } else {
            "0"
        }
        .into(),
        doubt.into(),
        // GTD leaves some casualty counts empty (unknown).
        if rng.random::<f64>() < 0.03 {
            String::new()
        } else {
            nkill.to_string()
        },
        if rng.random::<f64>() < 0.05 {
            String::new()
        } else {
            nwound.to_string()
        },
        hostages,
    ]
}

/// One UCDP GED row: type of violence, sides, deaths by party with best, low and high
/// estimates (low <= best <= high), dates with a time as GED writes them.
fn ucdp_record(rng: &mut StdRng, e: &Event) -> Vec<String> {
    let Event {
        i,
        country: (_, _, name),
        year,
        month,
        day,
        lat,
        lon,
        ref actor,
        jihadist,
        ..
    } = *e;
    let kind: u8 = if jihadist && rng.random::<f64>() < 0.4 {
        3
    } else if rng.random::<f64>() < 0.75 {
        1
    } else {
        2
    };
    let side_a = if kind == 1 {
        format!("Government of {name}")
    } else {
        actor.clone()
    };
    let side_b = match kind {
        1 => actor.clone(),
        2 => "Unidentified militia".to_string(),
        _ => "Civilians".to_string(),
    };
    let (deaths_a, deaths_b) = (heavy(rng, 0.6, 80.0), heavy(rng, 0.5, 80.0));
    let civilians = if kind == 3 {
        1 + heavy(rng, 0.3, 150.0)
    } else {
        heavy(rng, 0.8, 40.0)
    };
    let unknown = heavy(rng, 0.8, 20.0);
    let best = deaths_a + deaths_b + civilians + unknown;
    let low = best - best / 4;
    let high = best + best / 2 + u32::from(rng.random::<f64>() < 0.2);
    let date = format!("{year}-{month:02}-{day:02} 00:00:00.000");
    let conflict = format!("{name}: {side_a} - {side_b}");
    let mut row = vec![
        (300_000 + i).to_string(),
        format!("SYN-{year}-{}", 1 + i % 90),
        year.to_string(),
        "TRUE".into(),
        "Clear".into(),
        kind.to_string(),
        (10_000 + i % 500).to_string(),
        (10_000 + i % 500).to_string(),
        conflict.clone(),
        (20_000 + i % 700).to_string(),
        (20_000 + i % 700).to_string(),
        conflict,
        "1".into(),
        "1".into(),
        side_a,
        "2".into(),
        "2".into(),
        side_b,
        (1 + i % 4).to_string(),
        "\"Synthetic\"".into(),
        "Synthetic".into(),
        date.clone(),
        "Synthetic headline".into(),
        "Synthetic".into(),
        "1".into(),
        format!("{name} town {}", 1 + i % 9),
        format!("{name} town {}", 1 + i % 9),
        format!("{name} province {}", 1 + i % 7),
        String::new(),
        format!("{lat:.4}"),
        format!("{lon:.4}"),
        format!("POINT ({lon:.4} {lat:.4})"),
        // The cell of the coordinates as written (4 decimals), as UCDP's own files have it.
        crate::places::priogrid::Cell::of(round4(lat), round4(lon)).map_or(String::new(), |c| c.gid().to_string()),
        name.to_string(),
        "0".into(),
        "Asia".into(),
        "1".into(),
        "1".into(),
        date.clone(),
        date,
    ];
    row.extend(
        [deaths_a, deaths_b, civilians, unknown, best, high, low]
            .iter()
            .map(|n| n.to_string()),
    );
    row.extend(["0".to_string(), String::new()]);
    row
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_file_and_right_row_count() {
        let spec = Spec {
            format: Format::Gtd,
            rows: 300,
            seed: 7,
            first_year: 2018,
            last_year: 2023,
        };
        let mut a = Vec::new();
        let mut b = Vec::new();
        write(&spec, &mut a).unwrap();
        write(&spec, &mut b).unwrap();
        assert_eq!(a, b);
        let text = String::from_utf8(a).unwrap();
        assert_eq!(text.lines().count(), 301);
        let mut other = Vec::new();
        write(&Spec { seed: 8, ..spec }, &mut other).unwrap();
        assert_ne!(text.as_bytes(), &other[..]);
    }

    #[test]
    fn heavy_tail_has_zeros_and_large_values() {
        let mut rng = StdRng::seed_from_u64(1);
        let draws: Vec<u32> = (0..20_000).map(|_| heavy(&mut rng, 0.5, 300.0)).collect();
        let zeros = draws.iter().filter(|&&x| x == 0).count() as f64 / draws.len() as f64;
        assert!((zeros - 0.5).abs() < 0.02, "{zeros}");
        assert!(draws.iter().any(|&x| x >= 50));
        assert!(draws.iter().all(|&x| x <= 300));
    }
}

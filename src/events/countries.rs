//! ISO 3166-1 countries: alpha-3 code, numeric code and the names event logs use.
//!
//! The table (`countries.tsv`) was made from Debian's iso-codes
//! (`/usr/share/iso-codes/json/iso_3166-1.json`: name, common_name, official_name)
//! plus the spellings ACLED and GTD use (Russia, Iran, Kyrgyzstan, Ivory Coast, ...).
//! Names match case-insensitively. States that no longer exist (Soviet Union,
//! Yugoslavia, Czechoslovakia, East Germany, Serbia-Montenegro, South Yemen) have
//! their ISO 3166-3 former codes (SUN, YUG, CSK, DDR, SCG, YMD); renamed ones (Zaire,
//! Rhodesia, West Germany, North Yemen, South Vietnam) and UCDP's forms ("Russia
//! (Soviet Union)", "DR Congo (Zaire)") are names of today's code. GTD's
//! `International` (attacks on international waters or aircraft in flight) is no
//! country: see [`NO_COUNTRY`].

use std::sync::OnceLock;

/// One country.
#[derive(Debug, Clone)]
pub struct Country {
    pub alpha3: &'static str,
    /// ISO 3166-1 numeric (0 where none is assigned, e.g. Kosovo).
    pub numeric: u16,
    pub names: Vec<&'static str>,
}

const TABLE: &str = include_str!("countries.tsv");

/// Names of event locations that are no country: such events are left out and counted.
pub const NO_COUNTRY: &[&str] = &["International"];

/// Every country, in alpha-3 order, then the former states.
pub fn table() -> &'static [Country] {
    static CELL: OnceLock<Vec<Country>> = OnceLock::new();
    CELL.get_or_init(|| {
        TABLE
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|l| {
                let mut f = l.split('\t');
                let alpha3 = f.next().unwrap_or("");
                let numeric = f.next().unwrap_or("").parse().unwrap_or(0);
                let names = f.next().unwrap_or("").split('|').collect();
                Country { alpha3, numeric, names }
            })
            .collect()
    })
}

/// The alpha-3 code of a country name (any listed spelling, any case).
#[cfg(test)]
pub fn alpha3_of(name: &str) -> Option<&'static str> {
    let name = name.trim();
    table()
        .iter()
        .find(|c| c.names.iter().any(|n| n.eq_ignore_ascii_case(name)))
        .map(|c| c.alpha3)
}

/// The primary name of an alpha-3 code.
pub fn name_of(alpha3: &str) -> Option<&'static str> {
    table()
        .iter()
        .find(|c| c.alpha3 == alpha3)
        .and_then(|c| c.names.first().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_codes_of_the_example_region() {
        assert_eq!(alpha3_of("Uzbekistan"), Some("UZB"));
        assert_eq!(alpha3_of("kyrgyzstan"), Some("KGZ"));
        assert_eq!(alpha3_of("Iran"), Some("IRN"));
        assert_eq!(alpha3_of("Russia"), Some("RUS"));
        assert_eq!(alpha3_of("Atlantis"), None);
        let afg = table().iter().find(|c| c.alpha3 == "AFG").unwrap();
        assert_eq!(afg.numeric, 4);
        assert_eq!(name_of("TJK"), Some("Tajikistan"));
        assert!(table().len() >= 249);
        assert_eq!(alpha3_of("Soviet Union"), Some("SUN"));
        assert_eq!(alpha3_of("West Germany (FRG)"), Some("DEU"));
        assert_eq!(alpha3_of("East Germany (GDR)"), Some("DDR"));
        assert_eq!(alpha3_of("Rhodesia"), Some("ZWE"));
        assert_eq!(alpha3_of("Russia (Soviet Union)"), Some("RUS"));
        assert_eq!(alpha3_of("Serbia-Montenegro"), Some("SCG"));
        assert_eq!(alpha3_of("International"), None);
    }
}

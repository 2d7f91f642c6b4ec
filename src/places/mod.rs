//! Places smaller than countries: PRIO-GRID cells and their neighbours, and neighbours
//! from coordinates by great-circle distance.

pub mod distance;
pub mod priogrid;

/// What pages call a unit, one and many: "cell", "province", "place" or "country".
pub type Noun = (&'static str, &'static str);

/// The noun of `units`: cells for PRIO-GRID gids, provinces for `ISO3:name` keys, else
/// countries.
pub fn noun_of(units: &[String]) -> Noun {
    let cell = |u: &String| {
        u.parse::<u32>()
            .ok()
            .and_then(crate::places::priogrid::Cell::from_gid)
            .is_some()
    };
    let province = |u: &String| {
        u.split_once(':')
            .is_some_and(|(c, _)| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()))
    };
    if !units.is_empty() && units.iter().all(cell) {
        ("cell", "cells")
    } else if !units.is_empty() && units.iter().all(province) {
        ("province", "provinces")
    } else {
        ("country", "countries")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_named_by_their_keys() {
        let names = |units: &[&str]| noun_of(&units.iter().map(|u| u.to_string()).collect::<Vec<_>>());
        assert_eq!(names(&["165375", "129961"]), ("cell", "cells"));
        assert_eq!(names(&["PAK:Sindh", "PAK:(none)"]), ("province", "provinces"));
        assert_eq!(names(&["PAK:Sindh", "UZB"]), ("country", "countries"));
        assert_eq!(names(&["0", "UZB"]), ("country", "countries"));
        assert_eq!(names(&[]), ("country", "countries"));
    }
}

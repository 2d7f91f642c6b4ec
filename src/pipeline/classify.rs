//! Classification: maps a score to a risk class by cut-offs.
//!
//! # Formula
//! Classes are listed from lowest to highest with strictly increasing upper bounds
//! `below`; the last class has none. A score s falls in the first class with
//! `s < below` (so a score equal to a cut-off goes to the higher class), else in the
//! last. INFORM Risk uses 2.0 / 3.5 / 5.0 / 6.5 on its 0-10 scale.
//!
//! ## References
//! Marin-Ferrer et al. (2017) INFORM Index for Risk Management: concept and
//! methodology, JRC, section on risk classes.

/// One class: its label and exclusive upper bound (`None` for the top class).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Class {
    pub label: String,
    pub below: Option<f64>,
}

/// The index of the class a score falls in; `None` for a missing score or no classes.
pub fn classify(classes: &[Class], score: f64) -> Option<usize> {
    if score.is_nan() || classes.is_empty() {
        return None;
    }
    Some(
        classes
            .iter()
            .position(|c| c.below.is_some_and(|b| score < b))
            .unwrap_or(classes.len() - 1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inform_cut_offs() {
        let classes: Vec<Class> = [
            ("very low", Some(2.0)),
            ("low", Some(3.5)),
            ("medium", Some(5.0)),
            ("high", Some(6.5)),
            ("very high", None),
        ]
        .iter()
        .map(|(l, b)| Class {
            label: l.to_string(),
            below: *b,
        })
        .collect();
        assert_eq!(classify(&classes, 1.99), Some(0));
        assert_eq!(classify(&classes, 2.0), Some(1));
        assert_eq!(classify(&classes, 6.5), Some(4));
        assert_eq!(classify(&classes, 9.9), Some(4));
        assert_eq!(classify(&classes, f64::NAN), None);
    }
}

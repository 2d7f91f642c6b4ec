//! Explains one unit's score in one period: how each pillar and indicator
//! contributes, and what changed since the unit's previous scored period.
//!
//! # Formula
//! Within a group with weights w'_i normalised over the present children and child
//! values x_i as the group aggregated them (before any `index.scale`), the share of
//! child i in its parent is
//! - arithmetic: `w'_i x_i / Σ_j w'_j x_j` (its share of the points);
//! - geometric: `w'_i ln x_i / Σ_j w'_j ln x_j` (its share of the log score; shown
//!   when every x_j ≥ 1, as with `range = [1, 100]`);
//! - harmonic and Copeland: no additive split exists; only values and weights.
//!
//! Shares are scale-free and sum to 100 % within each parent. Group values are shown
//! on the output scale.

use crate::error::{Error, Result};
use crate::framework::{Child, Framework};
use crate::period::Period;
use crate::pipeline::aggregate::Aggregation;
use crate::score::Results;
use std::fmt::Write;

/// One line of the explanation tree.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Line {
    pub depth: usize,
    pub id: String,
    pub is_group: bool,
    pub value: f64,
    pub raw: f64,
    pub imputed: bool,
    pub weight_share: f64,
    /// Share of the parent's score (see the module docs), if defined.
    pub share: Option<f64>,
    pub previous: f64,
}

/// The explanation of one unit-period.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Explanation {
    pub unit: String,
    pub period: Period,
    pub score: f64,
    pub rank: f64,
    pub units_ranked: usize,
    pub class: Option<String>,
    pub coverage: f64,
    pub previous_period: Option<Period>,
    pub previous_score: f64,
    pub previous_rank: f64,
    pub lines: Vec<Line>,
}

/// Builds the explanation for `unit` in `period`: its score, rank and class, and what
/// each pillar and indicator contributed.
///
/// ```
/// use riskscore::{explain, load, score, Framework, Source};
///
/// let fw = Framework::from_path("indicators/central_asia.toml".as_ref())?;
/// let panel = load(&fw, &[Source::File("datasets/central_asia.csv".into())], &Default::default())?;
/// let results = score(&fw, &panel)?;
/// let why = explain(&fw, &results, "TJK", "2022")?;
/// assert!(why.render(&fw).contains("TJK"));
/// assert!(explain(&fw, &results, "Atlantis", "2022").is_err());
/// # Ok::<(), riskscore::Error>(())
/// ```
pub fn explain(fw: &Framework, res: &Results, unit: &str, period: &str) -> Result<Explanation> {
    crate::score::check_results(fw, res, true)?;
    let (u, p, p_value) = find_cell(res, unit, period)?;
    let n = res.n_units();
    let cell = p * n + u;
    let prev_p = (0..p).rev().find(|&q| res.scored[q * n + u]);
    let prev_cell = prev_p.map(|q| q * n + u);
    let at_prev = |v: &[f64]| prev_cell.map_or(f64::NAN, |c| v[c]);
    let mut lines = Vec::new();
    walk(fw, res, 0, 1, (cell, prev_cell), &mut lines);
    let units_ranked = (0..n).filter(|&v| res.scored[p * n + v]).count();
    Ok(Explanation {
        unit: unit.to_string(),
        period: p_value,
        score: res.score(cell),
        rank: res.rank[cell],
        units_ranked,
        class: res.class[cell].map(|k| fw.index.classes[k].label.clone()),
        coverage: res.coverage[cell],
        previous_period: prev_p.map(|q| res.periods[q]),
        previous_score: at_prev(&res.group_scores[0]),
        previous_rank: at_prev(&res.rank),
        lines,
    })
}

/// The unit's index, the period's and the period, for a unit scored in that period.
fn find_cell(res: &Results, unit: &str, period: &str) -> Result<(usize, usize, Period)> {
    let u = res
        .units
        .iter()
        .position(|x| x == unit)
        .ok_or_else(|| Error::Argument {
            name: "unit".into(),
            message: format!(
                "unknown unit `{unit}`{}",
                crate::error::suggest_unit(unit, res.units.iter().map(String::as_str))
            ),
        })?;
    let p_value = Period::parse(period).ok_or_else(|| Error::Argument {
        name: "period".into(),
        message: Period::expected(period),
    })?;
    let n = res.n_units();
    let p = res
        .periods
        .iter()
        .position(|x| *x == p_value)
        .filter(|&p| res.scored[p * n + u])
        .ok_or_else(|| {
            let scored: Vec<String> = (0..res.periods.len())
                .filter(|&p| res.scored[p * n + u])
                .map(|p| res.periods[p].to_string())
                .collect();
            Error::Argument {
                name: "period".into(),
                message: format!(
                    "unit `{unit}` has no score for period {period}; scored periods: {}",
                    scored.join(", ")
                ),
            }
        })?;
    Ok((u, p, p_value))
}

/// Group `g`'s children in `cell`: their values as the group aggregated them, their
/// weight shares among the present ones, and (for arithmetic and geometric means) each
/// one's share of the group's score.
fn contributions(fw: &Framework, res: &Results, g: usize, cell: usize) -> (Vec<f64>, Vec<f64>, Vec<Option<f64>>) {
    let group = &fw.groups[g];
    let aggregated: Vec<f64> = group
        .children
        .iter()
        .map(|&c| match c {
            Child::Group(h) => res.aggregated[h][cell],
            Child::Indicator(k) => res.normalised[k][cell],
        })
        .collect();
    let total: f64 = group
        .children
        .iter()
        .zip(&aggregated)
        .filter(|(_, v)| !v.is_nan())
        .map(|(&c, _)| fw.child_weight(c))
        .sum();
    let weights: Vec<f64> = group
        .children
        .iter()
        .zip(&aggregated)
        .map(|(&c, v)| if v.is_nan() { 0.0 } else { fw.child_weight(c) / total })
        .collect();
    let terms: Option<Vec<f64>> = match group.aggregation {
        Aggregation::Arithmetic => Some(
            aggregated
                .iter()
                .zip(&weights)
                .map(|(x, w)| if x.is_nan() { 0.0 } else { w * x })
                .collect(),
        ),
        Aggregation::Geometric if aggregated.iter().all(|x| x.is_nan() || *x >= 1.0) => Some(
            aggregated
                .iter()
                .zip(&weights)
                .map(|(x, w)| if x.is_nan() { 0.0 } else { w * x.ln() })
                .collect(),
        ),
        _ => None,
    };
    let terms_total: f64 = terms.as_ref().map_or(0.0, |t| t.iter().sum());
    let shares = (0..group.children.len())
        .map(|i| match &terms {
            Some(t) if !aggregated[i].is_nan() && terms_total > 0.0 => Some(t[i] / terms_total),
            _ => None,
        })
        .collect();
    (aggregated, weights, shares)
}

/// The lines of group `g`'s children (at `depth`), each group's followed by its own;
/// `cells`: the cell explained and the unit's previous scored one.
fn walk(fw: &Framework, res: &Results, g: usize, depth: usize, cells: (usize, Option<usize>), lines: &mut Vec<Line>) {
    let (cell, prev) = cells;
    let (aggregated, weights, shares) = contributions(fw, res, g, cell);
    for (i, &child) in fw.groups[g].children.iter().enumerate() {
        let (id, raw, imputed, previous, is_group) = match child {
            Child::Group(h) => (
                fw.groups[h].id.clone(),
                f64::NAN,
                false,
                prev.map_or(f64::NAN, |c| res.group_scores[h][c]),
                true,
            ),
            Child::Indicator(k) => (
                fw.indicators[k].id.clone(),
                res.raw[k][cell],
                res.imputed[k][cell],
                prev.map_or(f64::NAN, |c| res.normalised[k][c]),
                false,
            ),
        };
        let value = match child {
            Child::Group(h) => res.group_scores[h][cell],
            Child::Indicator(_) => aggregated[i],
        };
        lines.push(Line {
            depth,
            id,
            is_group,
            value,
            raw,
            imputed,
            weight_share: weights[i],
            share: shares[i],
            previous,
        });
        if let Child::Group(h) = child {
            walk(fw, res, h, depth + 1, cells, lines);
        }
    }
}

fn num(v: f64) -> String {
    if v.is_nan() {
        "-".into()
    } else {
        format!("{v:.3}")
    }
}

/// A rank or a number of places: "3", or "2.5" for a tie.
fn rank_text(r: f64) -> String {
    if r.is_nan() {
        "-".into()
    } else if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

fn places(n: f64) -> String {
    let n = rank_text(n);
    if n == "1" {
        "1 place".to_string()
    } else {
        format!("{n} places")
    }
}

fn delta(now: f64, before: f64) -> String {
    if now.is_nan() || before.is_nan() {
        "-".into()
    } else {
        format!("{:+.3}", now - before)
    }
}

impl Explanation {
    /// A plain-text report for the terminal.
    pub fn render(&self, fw: &Framework) -> String {
        let mut out = String::new();
        let class = self
            .class
            .as_deref()
            .map(|c| format!(", class {c}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{} {}: {} = {} (rank {} of {}{class}); coverage {:.0}%",
            self.unit,
            self.period,
            fw.index.id,
            num(self.score),
            rank_text(self.rank),
            self.units_ranked,
            self.coverage * 100.0
        );
        match self.previous_period {
            Some(prev) => {
                let _ = writeln!(
                    out,
                    "previous scored period {prev}: score {} ({}), rank {} ({})",
                    num(self.previous_score),
                    delta(self.score, self.previous_score),
                    rank_text(self.previous_rank),
                    // A lower rank number is worse news: report the move in places.
                    if self.rank.is_nan() || self.previous_rank.is_nan() {
                        "-".to_string()
                    } else if self.rank < self.previous_rank {
                        format!("up {} towards rank 1", places(self.previous_rank - self.rank))
                    } else if self.rank > self.previous_rank {
                        format!("down {}", places(self.rank - self.previous_rank))
                    } else {
                        "unchanged".to_string()
                    }
                );
            }
            None => {
                let _ = writeln!(out, "no earlier scored period for {}", self.unit);
            }
        }
        let _ = writeln!(out);
        let width = self
            .lines
            .iter()
            .map(|l| l.id.len() + 2 * l.depth)
            .max()
            .unwrap_or(10)
            .max(10);
        let _ = writeln!(
            out,
            "{:<width$}  {:>12}  {:>10}  {:>7}  {:>7}  {:>10}",
            "component", "raw", "value", "weight", "share", "change"
        );
        for l in &self.lines {
            let name = format!(
                "{}{}{}",
                "  ".repeat(l.depth - 1),
                l.id,
                if l.is_group { "/" } else { "" }
            );
            let share = l.share.map_or("-".to_string(), |v| format!("{:.1}%", v * 100.0));
            let raw = if l.is_group {
                String::new()
            } else if l.imputed {
                format!("{} (imp)", num(l.raw))
            } else {
                num(l.raw)
            };
            let _ = writeln!(
                out,
                "{name:<width$}  {raw:>12}  {:>10}  {:>6.1}%  {share:>7}  {:>10}",
                num(l.value),
                l.weight_share * 100.0,
                delta(l.value, l.previous)
            );
        }
        let _ = writeln!(
            out,
            "\nvalue: normalised indicator (risk direction applied) or group score; weight: share within the parent over present children;\nshare: part of the parent's score it makes up (arithmetic: of the points, geometric: of the log score); change: value minus the previous scored period's."
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::prec::close;

    /// The hand-checked small example (tests/fixtures/small.*): in 2020 Y has
    /// a = mean(50, 50) = 50 and b = 100 (b1 = 0 is the lowest risk, flipped), so
    /// risk = (50 + 100) / 2 = 75, rank 1 of 3, class `high` (>= 40).
    fn small() -> (Framework, Results) {
        crate::test_support::small_example()
    }

    #[test]
    fn arithmetic_shares_are_each_childs_part_of_the_points() {
        let (fw, res) = small();
        let e = explain(&fw, &res, "Y", "2020").unwrap();
        assert!(close(e.score, 75.0, 1e-12) && e.rank == 1.0 && e.units_ranked == 3);
        assert_eq!(e.class.as_deref(), Some("high"));
        // a: 0.5 * 50 / 75 = 1/3; b: 0.5 * 100 / 75 = 2/3.
        let share = |id: &str| e.lines.iter().find(|l| l.id == id).and_then(|l| l.share).unwrap();
        assert!(close(share("a"), 1.0 / 3.0, 1e-12) && close(share("b"), 2.0 / 3.0, 1e-12));
        // Within a, a1 and a2 are both 50: half each.
        assert!(close(share("a1"), 0.5, 1e-12) && close(share("a2"), 0.5, 1e-12));
        assert_eq!(e.previous_period, None);
    }

    #[test]
    fn the_previous_scored_period_is_compared() {
        let (fw, res) = small();
        let e = explain(&fw, &res, "X", "2021").unwrap();
        assert_eq!(e.previous_period.map(|p| p.to_string()).as_deref(), Some("2020"));
        assert!(close(e.previous_score, 25.0, 1e-12) && e.previous_rank == 3.0);
        let text = e.render(&fw);
        assert!(text.starts_with("X 2021: risk = 25.000 (rank 2.5 of 3"), "{text}");
    }

    #[test]
    fn unknown_units_and_periods_name_the_option() {
        let (fw, res) = small();
        assert_eq!(
            explain(&fw, &res, "YY", "2020").unwrap_err().to_string(),
            "unit: unknown unit `YY`; did you mean `Y`?"
        );
        assert_eq!(
            explain(&fw, &res, "Y", "1999").unwrap_err().to_string(),
            "period: unit `Y` has no score for period 1999; scored periods: 2020, 2021"
        );
    }

    #[test]
    fn numbers_ranks_and_changes_as_the_terminal_shows_them() {
        assert_eq!(rank_text(2.5), "2.5");
        assert_eq!(rank_text(3.0), "3");
        assert_eq!(rank_text(f64::NAN), "-");
        assert_eq!(places(1.0), "1 place");
        assert_eq!(places(2.0), "2 places");
        assert_eq!(delta(5.826, 5.915), "-0.089");
        assert_eq!(delta(1.0, f64::NAN), "-");
        assert_eq!(num(f64::NAN), "-");
        assert_eq!(num(1.23456), "1.235");
    }
}

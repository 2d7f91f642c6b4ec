//! Seeded synthetic panels of realistic shape, for benchmarks and scale runs.
//!
//! Each unit has a latent risk level; each group a factor; an indicator is
//! `exp(0.6 latent + 0.4 group factor + 0.5 noise)` (lognormal, skewed like counts
//! and rates), with about 30 % of indicators pointing `risk_down` (sign flipped)
//! and a share of cells missing at random. The same seed gives the same panel.
//! Normal deviates come from the Box-Muller transform: `z = sqrt(-2 ln u1) cos(2π u2)`.

use crate::data::Panel;
use crate::framework::Framework;
use crate::period::{Period, PeriodKind};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;

/// Shape of a synthetic panel.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub units: usize,
    pub indicators: usize,
    pub groups: usize,
    pub periods: usize,
    pub missing: f64,
    pub seed: u64,
}

fn normal(rng: &mut StdRng) -> f64 {
    let u1: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// The framework text for a shape: groups `g01..`, indicators `ind001..` spread
/// over them in turn, equal weights, minmax on [1, 100], mean imputation.
pub fn framework_toml(shape: Shape, aggregation: &str) -> String {
    let mut t = format!(
        "[index]\nid = \"index\"\nunit = \"unit\"\nperiod = \"year\"\naggregation = \"{aggregation}\"\n\n[defaults]\nrange = [1, 100]\nimpute = \"mean\"\n\n"
    );
    for g in 0..shape.groups {
        t.push_str(&format!("[[group]]\nid = \"g{:02}\"\n\n", g + 1));
    }
    for k in 0..shape.indicators {
        let direction = if k % 10 < 3 { "risk_down" } else { "risk_up" };
        t.push_str(&format!(
            "[[indicator]]\nid = \"ind{:03}\"\ngroup = \"g{:02}\"\ndirection = \"{direction}\"\n\n",
            k + 1,
            k % shape.groups + 1
        ));
    }
    t
}

/// A validated framework and a panel of the given shape, the same for the same seed.
///
/// ```
/// use riskscore::synthetic::{generate, Shape};
///
/// let shape = Shape { units: 200, indicators: 12, groups: 3, periods: 2, missing: 0.05, seed: 7 };
/// let (fw, panel) = generate(shape, "arithmetic");
/// assert_eq!((panel.n_units(), panel.periods().len()), (200, 2));
/// assert_eq!(fw.indicator_ids().len(), 12);
/// let results = riskscore::score(&fw, &panel)?;
/// assert_eq!(results.scored_cells().count(), 400);
/// # Ok::<(), riskscore::Error>(())
/// ```
pub fn generate(shape: Shape, aggregation: &str) -> (Framework, Panel) {
    let fw = Framework::from_toml(&framework_toml(shape, aggregation), "synthetic.toml")
        .expect("the synthetic framework is valid by construction");
    let mut rng = StdRng::seed_from_u64(shape.seed);
    let cells = shape.units * shape.periods;
    let latent: Vec<f64> = (0..shape.units).map(|_| normal(&mut rng)).collect();
    let factors: Vec<f64> = (0..shape.groups * shape.units).map(|_| normal(&mut rng)).collect();
    let mut columns = BTreeMap::new();
    for (k, ind) in fw.indicators.iter().enumerate() {
        let group = k % shape.groups;
        let sign = if k % 10 < 3 { -1.0 } else { 1.0 };
        let mut values = Vec::with_capacity(cells);
        for p in 0..shape.periods {
            for u in 0..shape.units {
                let drift = 0.05 * p as f64;
                let x =
                    sign * (0.6 * latent[u] + 0.4 * factors[group * shape.units + u]) + 0.5 * normal(&mut rng) + drift;
                values.push(if rng.random::<f64>() < shape.missing {
                    f64::NAN
                } else {
                    x.exp()
                });
            }
        }
        columns.insert(ind.column.clone(), values);
    }
    let panel = Panel {
        units: (0..shape.units).map(|u| format!("U{u:05}")).collect(),
        periods: (0..shape.periods)
            .map(|p| Period {
                kind: PeriodKind::Year,
                ordinal: 2018 + p as i64,
            })
            .collect(),
        present: vec![true; cells],
        columns,
        labels: Default::default(),
        sources: Vec::new(),
        neighbours: Vec::new(),
    };
    (fw, panel)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_panel_and_it_scores() {
        let shape = Shape {
            units: 20,
            indicators: 12,
            groups: 3,
            periods: 2,
            missing: 0.05,
            seed: 7,
        };
        let (fw, a) = generate(shape, "geometric");
        let (_, b) = generate(shape, "geometric");
        let same = a
            .columns
            .iter()
            .zip(&b.columns)
            .all(|((_, x), (_, y))| x.iter().zip(y).all(|(p, q)| p == q || (p.is_nan() && q.is_nan())));
        assert!(same);
        let res = crate::score::score(&fw, &a).unwrap();
        assert_eq!(res.scored_cells().count(), 40);
    }
}

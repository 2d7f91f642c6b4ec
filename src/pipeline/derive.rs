//! Derived columns: new panel columns computed from others before scoring.
//!
//! Derived columns are evaluated in dependency order (a cycle is a framework error)
//! and may feed indicators, denominators or other derived columns.
//!
//! # Formula
//! For unit u and period t (lags follow the calendar, see [`crate::period`]):
//! - `weighted_sum`: `Σ_i a_i x_i,t` (GTI impact: incidents + 3 fatalities +
//!   0.5 injuries + 0.5 hostages).
//! - `ratio`: `m · x_t / d_t` (per capita: d = population, m = 1e6 for "per million").
//! - `lag`: `x_{t-k}`.
//! - `change`: `x_t - x_{t-k}`, or with `relative = true` `100 (x_t - x_{t-k}) / |x_{t-k}|`.
//! - `rolling`: mean or sum of `x_{t-w+1} .. x_t`.
//! - `decayed_sum`: `(Σ_j c_j x_{t-j}) / D` with weights c_0, c_1, ... (GTI:
//!   c = 16, 8, 4, 2, 1 and D = 5: `x_t = (16 r_t + 8 r_{t-1} + 4 r_{t-2} + 2 r_{t-3} + r_{t-4})/5`).
//! - `trend`: least-squares slope of `x` on time over `t-w+1 .. t`, per period.
//! - `neighbours` (spatial lag): over the neighbours j of unit u in the contiguity
//!   table (`[data] neighbours`, optional weights w_uj, default 1), in the same period:
//!   `mean` `(1/n) Σ_j x_j`, `max` `max_j x_j`, `sum` `Σ_j x_j`, `weighted_sum`
//!   `Σ_j w_uj x_j`, `weighted_mean` `Σ_j w_uj x_j / Σ_j w_uj`. A unit with no
//!   neighbour among the panel's units gets 0 (no spill-over); neighbours outside the
//!   panel are not counted. (Anselin 1988, spatial lag W x.)
//!
//! A missing term (an absent period or an empty cell) is handled by `missing`:
//! `missing` (default: the result is missing), `zero` (the term counts as 0),
//! `skip` (the term is left out: sums and means over the present terms, the slope
//! over the present points, at least two), or `error`. The current period's own
//! value is never replaced: if it is missing, so is the result.
//!
//! ## References
//! IEP (2023) Global Terrorism Index 2023, methodology annex (impact weights and the
//! five-year weighted average). OECD/JRC (2008) Handbook, step 3 (per-capita scaling).
//! Anselin (1988) Spatial Econometrics: Methods and Models, ch. 3 (spatial lag).

use std::collections::HashMap;

/// What to do with a missing term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// The result is missing (`missing = "missing"`).
    Propagate,
    Zero,
    Skip,
    Error,
}

/// Names accepted in framework files.
pub const MISSING_NAMES: &[&str] = &["missing", "zero", "skip", "error"];

/// The statistic of a rolling window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rolling {
    Mean,
    Sum,
}

/// One derived column's definition (column names are resolved when data load).
#[derive(Debug, Clone, PartialEq)]
pub enum Derived {
    WeightedSum {
        terms: Vec<(String, f64)>,
    },
    Ratio {
        of: String,
        denominator: String,
        multiplier: f64,
    },
    Lag {
        of: String,
        periods: i64,
    },
    Change {
        of: String,
        periods: i64,
        relative: bool,
    },
    Rolling {
        of: String,
        window: usize,
        stat: Rolling,
    },
    DecayedSum {
        of: String,
        weights: Vec<f64>,
        divisor: f64,
    },
    Trend {
        of: String,
        window: usize,
    },
    Neighbours {
        of: String,
        stat: NeighbourStat,
    },
}

/// The statistic of a spatial lag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NeighbourStat {
    Mean,
    Max,
    Sum,
    WeightedSum,
    WeightedMean,
}

/// Names accepted in framework files.
pub const NEIGHBOUR_STATS: &[&str] = &["mean", "max", "sum", "weighted_sum", "weighted_mean"];

/// Names of the kinds accepted in framework files.
pub const KIND_NAMES: &[&str] = &[
    "weighted_sum",
    "ratio",
    "lag",
    "change",
    "rolling",
    "decayed_sum",
    "trend",
    "neighbours",
];

impl Derived {
    /// The columns this one reads.
    pub fn inputs(&self) -> Vec<&str> {
        match self {
            Derived::WeightedSum { terms } => terms.iter().map(|(c, _)| c.as_str()).collect(),
            Derived::Ratio { of, denominator, .. } => vec![of, denominator],
            Derived::Lag { of, .. }
            | Derived::Change { of, .. }
            | Derived::Rolling { of, .. }
            | Derived::DecayedSum { of, .. }
            | Derived::Trend { of, .. }
            | Derived::Neighbours { of, .. } => vec![of],
        }
    }
}

/// The time layout of a panel: cells are `p * units + u`.
pub struct TimeGrid<'a> {
    pub units: usize,
    pub ordinals: &'a [i64],
    pub present: &'a [bool],
    pub index_of: HashMap<i64, usize>,
    /// Per unit: (neighbour unit, weight), for spatial lags.
    pub neighbours: &'a [Vec<(usize, f64)>],
}

impl<'a> TimeGrid<'a> {
    pub fn new(units: usize, ordinals: &'a [i64], present: &'a [bool]) -> Self {
        let index_of = ordinals.iter().enumerate().map(|(i, &o)| (o, i)).collect();
        TimeGrid {
            units,
            ordinals,
            present,
            index_of,
            neighbours: &[],
        }
    }

    /// The same grid with a contiguity list (per unit: neighbour unit, weight).
    pub fn with_neighbours(self, neighbours: &'a [Vec<(usize, f64)>]) -> Self {
        TimeGrid { neighbours, ..self }
    }

    /// Value of `column` for unit u, `back` periods before period index p.
    fn earlier(&self, column: &[f64], p: usize, u: usize, back: i64) -> f64 {
        match self.index_of.get(&(self.ordinals[p] - back)) {
            Some(&q) if self.present[q * self.units + u] => column[q * self.units + u],
            _ => f64::NAN,
        }
    }
}

/// A missing term met under `missing = "error"`: (cell, periods back).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissingTerm {
    pub cell: usize,
    pub back: i64,
    pub input: usize,
}

/// Computes one derived column over every cell of the grid.
///
/// `inputs` are the columns named by [`Derived::inputs`], in that order.
///
/// The cells are computed in blocks in parallel; the problem reported is the first in
/// cell order, as one pass would meet it.
pub fn compute(def: &Derived, missing: Missing, inputs: &[&[f64]], grid: &TimeGrid) -> Result<Vec<f64>, MissingTerm> {
    use rayon::prelude::*;
    const BLOCK: usize = 1 << 14;
    let mut out = vec![f64::NAN; grid.present.len()];
    let blocks: Vec<Result<(), MissingTerm>> = out
        .par_chunks_mut(BLOCK)
        .enumerate()
        .map(|(b, block)| {
            for (i, slot) in block.iter_mut().enumerate() {
                let cell = b * BLOCK + i;
                if grid.present[cell] {
                    *slot = cell_value(def, missing, inputs, grid, cell)?;
                }
            }
            Ok(())
        })
        .collect();
    blocks.into_iter().collect::<Result<(), _>>()?;
    Ok(out)
}

/// The derived value of present cell `cell`.
fn cell_value(
    def: &Derived,
    missing: Missing,
    inputs: &[&[f64]],
    grid: &TimeGrid,
    cell: usize,
) -> Result<f64, MissingTerm> {
    let (p, u) = (cell / grid.units, cell % grid.units);
    // Collect the terms (value, coefficient, time offset) this cell combines.
    let value = match def {
        Derived::WeightedSum { terms } => {
            let mut acc = Acc::new(missing);
            for (i, (_, coef)) in terms.iter().enumerate() {
                acc.add(inputs[i][cell], *coef, 0.0, cell, 0, i)?;
            }
            acc.sum()
        }
        Derived::Ratio { multiplier, .. } => {
            let d = inputs[1][cell];
            if d == 0.0 {
                f64::NAN
            } else {
                multiplier * inputs[0][cell] / d
            }
        }
        Derived::Lag { periods, .. } => {
            let v = grid.earlier(inputs[0], p, u, *periods);
            if v.is_nan() && missing == Missing::Error {
                return Err(MissingTerm {
                    cell,
                    back: *periods,
                    input: 0,
                });
            }
            if v.is_nan() && missing == Missing::Zero {
                0.0
            } else {
                v
            }
        }
        Derived::Change { periods, relative, .. } => {
            change(inputs[0], grid, (p, u, cell), *periods, *relative, missing)?
        }
        Derived::Rolling { window, stat, .. } => {
            let mut acc = Acc::new(missing);
            for back in 0..*window as i64 {
                let v = grid.earlier(inputs[0], p, u, back);
                acc.add(v, 1.0, 0.0, cell, back, 0)?;
            }
            match stat {
                Rolling::Sum => acc.sum(),
                Rolling::Mean => acc.mean(),
            }
        }
        Derived::DecayedSum { weights, divisor, .. } => {
            let mut acc = Acc::new(missing);
            for (back, c) in weights.iter().enumerate() {
                let v = grid.earlier(inputs[0], p, u, back as i64);
                acc.add(v, *c, 0.0, cell, back as i64, 0)?;
            }
            acc.sum() / divisor
        }
        Derived::Neighbours { stat, .. } => spatial_lag(inputs[0], grid, (p, u), *stat, missing)?,
        Derived::Trend { window, .. } => {
            let mut acc = Acc::new(missing);
            for back in 0..*window as i64 {
                let v = grid.earlier(inputs[0], p, u, back);
                acc.add(v, 1.0, -(back as f64), cell, back, 0)?;
            }
            acc.slope()
        }
    };
    // The current period's own value is never filled in.
    let own_missing = def.inputs().len() == 1
        && !matches!(def, Derived::Lag { .. } | Derived::Neighbours { .. })
        && inputs[0][cell].is_nan();
    Ok(if own_missing { f64::NAN } else { value })
}

/// [`Derived::Change`] at cell `cell` (period `p`, unit `u`): the change over `periods`,
/// in percent of the earlier value's size when `relative`.
fn change(
    input: &[f64],
    grid: &TimeGrid,
    (p, u, cell): (usize, usize, usize),
    periods: i64,
    relative: bool,
    missing: Missing,
) -> Result<f64, MissingTerm> {
    let now = input[cell];
    let mut before = grid.earlier(input, p, u, periods);
    if before.is_nan() {
        match missing {
            Missing::Error => {
                return Err(MissingTerm {
                    cell,
                    back: periods,
                    input: 0,
                })
            }
            Missing::Zero => before = 0.0,
            _ => {}
        }
    }
    Ok(if !relative {
        now - before
    } else if before == 0.0 {
        f64::NAN
    } else {
        100.0 * (now - before) / before.abs()
    })
}

/// [`Derived::Neighbours`] of unit `u` in period `p`: the statistic over its neighbours'
/// values (0 for a unit without neighbours: no spill-over).
fn spatial_lag(
    input: &[f64],
    grid: &TimeGrid,
    (p, u): (usize, usize),
    stat: NeighbourStat,
    missing: Missing,
) -> Result<f64, MissingTerm> {
    let list = grid.neighbours.get(u).map(Vec::as_slice).unwrap_or(&[]);
    if list.is_empty() {
        return Ok(0.0);
    }
    let mut acc = Acc::new(missing);
    for &(v, w) in list {
        let at = p * grid.units + v;
        let x = if grid.present[at] { input[at] } else { f64::NAN };
        acc.add(x, w, 0.0, at, 0, 0)?;
    }
    Ok(acc.spatial(stat))
}

/// Accumulates weighted terms under a missing-term rule.
struct Acc {
    rule: Missing,
    terms: Vec<(f64, f64, f64)>,
    broken: bool,
}

impl Acc {
    fn new(rule: Missing) -> Self {
        Acc {
            rule,
            terms: Vec::new(),
            broken: false,
        }
    }

    fn add(&mut self, v: f64, coef: f64, time: f64, cell: usize, back: i64, input: usize) -> Result<(), MissingTerm> {
        if !v.is_nan() {
            self.terms.push((v, coef, time));
            return Ok(());
        }
        match self.rule {
            Missing::Propagate => self.broken = true,
            Missing::Zero => self.terms.push((0.0, coef, time)),
            Missing::Skip => {}
            Missing::Error => return Err(MissingTerm { cell, back, input }),
        }
        Ok(())
    }

    fn sum(&self) -> f64 {
        if self.broken || self.terms.is_empty() {
            return f64::NAN;
        }
        self.terms.iter().map(|(v, c, _)| v * c).sum()
    }

    fn mean(&self) -> f64 {
        self.sum() / self.terms.len() as f64
    }

    /// A spatial-lag statistic over the neighbours' terms (coefficients = weights).
    fn spatial(&self, stat: NeighbourStat) -> f64 {
        if self.broken || self.terms.is_empty() {
            return f64::NAN;
        }
        let n = self.terms.len() as f64;
        match stat {
            NeighbourStat::Sum => self.terms.iter().map(|t| t.0).sum(),
            NeighbourStat::Mean => self.terms.iter().map(|t| t.0).sum::<f64>() / n,
            NeighbourStat::Max => self.terms.iter().map(|t| t.0).fold(f64::NEG_INFINITY, f64::max),
            NeighbourStat::WeightedSum => self.sum(),
            NeighbourStat::WeightedMean => {
                let w: f64 = self.terms.iter().map(|t| t.1).sum();
                if w == 0.0 {
                    f64::NAN
                } else {
                    self.sum() / w
                }
            }
        }
    }

    /// Least-squares slope of value on time: Σ(t - t̄)(y - ȳ) / Σ(t - t̄)².
    fn slope(&self) -> f64 {
        if self.broken || self.terms.len() < 2 {
            return f64::NAN;
        }
        let n = self.terms.len() as f64;
        let t_mean = self.terms.iter().map(|t| t.2).sum::<f64>() / n;
        let y_mean = self.terms.iter().map(|t| t.0).sum::<f64>() / n;
        let (mut sxy, mut sxx) = (0.0, 0.0);
        for (y, _, t) in &self.terms {
            sxy += (t - t_mean) * (y - y_mean);
            sxx += (t - t_mean) * (t - t_mean);
        }
        sxy / sxx
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::prec::*;
    const NA: f64 = f64::NAN;

    /// One unit over years 2018..=2022.
    fn grid() -> (Vec<i64>, Vec<bool>) {
        ((2018..=2022).collect(), vec![true; 5])
    }

    fn run(def: Derived, missing: Missing, inputs: &[&[f64]]) -> Result<Vec<f64>, MissingTerm> {
        let (ord, present) = grid();
        compute(&def, missing, inputs, &TimeGrid::new(1, &ord, &present))
    }

    #[test]
    fn blocks_computed_in_parallel_report_the_first_missing_term() {
        // Five blocks' worth of units in one period; the terms of cells 3 and of one in
        // the fourth block are missing: cell 3 is named, whichever block ends first.
        let n = 4 * (1 << 14) + 100;
        let mut x = vec![1.0; n];
        x[3 * (1 << 14) + 7] = f64::NAN;
        x[3] = f64::NAN;
        let (ord, present) = (vec![2020], vec![true; n]);
        let def = Derived::WeightedSum {
            terms: vec![("x".into(), 2.0)],
        };
        let grid = TimeGrid::new(n, &ord, &present);
        assert_eq!(compute(&def, Missing::Error, &[&x], &grid).unwrap_err().cell, 3);
        let out = compute(&def, Missing::Zero, &[&x], &grid).unwrap();
        assert_eq!((out[0], out[n - 1]), (2.0, 2.0));
        assert!(out[3].is_nan(), "the own value is never filled in");
    }

    #[test]
    fn gti_decayed_sum_check_value() {
        // Uzbekistan 2022: r = 2 incidents, nothing in the four years before: x = 6.4
        let r = [0.0, 0.0, 0.0, 0.0, 2.0];
        let def = Derived::DecayedSum {
            of: "r".into(),
            weights: vec![16.0, 8.0, 4.0, 2.0, 1.0],
            divisor: 5.0,
        };
        let x = run(def.clone(), Missing::Zero, &[&r]).unwrap();
        assert!(close(x[4], 6.4, HAND));
        // 2021 with r_2022 unseen: 0; 2018 needs 2014..2017 -> zero-filled
        assert!(close(x[0], 0.0, HAND));
        // With missing history as "missing", 2018..2021 (which reach before 2018) have none.
        let x = run(def.clone(), Missing::Propagate, &[&r]).unwrap();
        assert!(x[3].is_nan() && close(x[4], 6.4, HAND));
        // "error" names the missing term: 2018 needs 2017 (one period back)
        let e = run(def, Missing::Error, &[&r]).unwrap_err();
        assert_eq!((e.cell, e.back), (0, 1));
    }

    #[test]
    fn weighted_sum_gti_impact() {
        let inc = [2.0];
        let fat = [1.0];
        let inj = [4.0];
        let hos = [NA];
        let (ord, present) = (vec![2022], vec![true]);
        let def = Derived::WeightedSum {
            terms: vec![
                ("incidents".into(), 1.0),
                ("fatalities".into(), 3.0),
                ("injuries".into(), 0.5),
                ("hostages".into(), 0.5),
            ],
        };
        let g = TimeGrid::new(1, &ord, &present);
        // 2 + 3 + 2 + 0 = 7 with the missing hostages counted as 0
        let v = compute(&def, Missing::Zero, &[&inc, &fat, &inj, &hos], &g).unwrap();
        assert!(close(v[0], 7.0, HAND));
        let v = compute(&def, Missing::Propagate, &[&inc, &fat, &inj, &hos], &g).unwrap();
        assert!(v[0].is_nan());
    }

    #[test]
    fn ratio_lag_change_rolling_trend_by_hand() {
        let x = [10.0, 20.0, 40.0, NA, 50.0];
        let pop = [2.0, 2.0, 4.0, 4.0, 5.0];
        let r = run(
            Derived::Ratio {
                of: "x".into(),
                denominator: "pop".into(),
                multiplier: 1e6,
            },
            Missing::Propagate,
            &[&x, &pop],
        )
        .unwrap();
        assert!(close(r[2], 1e7, HAND));
        let lag = run(
            Derived::Lag {
                of: "x".into(),
                periods: 1,
            },
            Missing::Propagate,
            &[&x],
        )
        .unwrap();
        assert!(lag[0].is_nan() && lag[1] == 10.0 && lag[4].is_nan());
        let ch = run(
            Derived::Change {
                of: "x".into(),
                periods: 1,
                relative: true,
            },
            Missing::Propagate,
            &[&x],
        )
        .unwrap();
        assert!(close(ch[2], 100.0, HAND)); // (40 - 20)/20
        let roll = run(
            Derived::Rolling {
                of: "x".into(),
                window: 3,
                stat: Rolling::Mean,
            },
            Missing::Skip,
            &[&x],
        )
        .unwrap();
        assert!(close(roll[2], 70.0 / 3.0, HAND));
        assert!(close(roll[4], 45.0, HAND)); // (40 + 50)/2, 2021 skipped
        let trend = run(
            Derived::Trend {
                of: "x".into(),
                window: 3,
            },
            Missing::Skip,
            &[&x],
        )
        .unwrap();
        assert!(close(trend[2], 15.0, HAND)); // 10, 20, 40 over 3 years: slope 15
        assert!(close(trend[4], 5.0, HAND)); // 40 (2020), 50 (2022): slope 5
    }
    #[test]
    fn spatial_lags_by_hand() {
        // Three units in one period; u0 borders u1 (weight 1) and u2 (weight 3), u1
        // borders u0, u2 borders nobody in the panel.
        let graph = vec![vec![(1, 1.0), (2, 3.0)], vec![(0, 1.0)], vec![]];
        let ord = [2022];
        let present = [true; 3];
        let grid = TimeGrid::new(3, &ord, &present).with_neighbours(&graph);
        let lag = |x: &[f64], stat, missing| {
            compute(&Derived::Neighbours { of: "x".into(), stat }, missing, &[x], &grid).unwrap()
        };
        let x = [2.0, 4.0, 10.0];
        assert_eq!(lag(&x, NeighbourStat::Mean, Missing::Propagate), [7.0, 2.0, 0.0]);
        assert_eq!(lag(&x, NeighbourStat::Max, Missing::Propagate), [10.0, 2.0, 0.0]);
        assert_eq!(lag(&x, NeighbourStat::Sum, Missing::Propagate), [14.0, 2.0, 0.0]);
        assert_eq!(
            lag(&x, NeighbourStat::WeightedSum, Missing::Propagate),
            [34.0, 2.0, 0.0]
        );
        assert_eq!(
            lag(&x, NeighbourStat::WeightedMean, Missing::Propagate),
            [8.5, 2.0, 0.0]
        );
        // A missing neighbour value; the unit's own value does not matter.
        let y = [NA, 4.0, NA];
        assert!(lag(&y, NeighbourStat::Mean, Missing::Propagate)[0].is_nan());
        assert_eq!(lag(&y, NeighbourStat::Mean, Missing::Skip)[0], 4.0);
        assert_eq!(lag(&y, NeighbourStat::WeightedMean, Missing::Skip)[0], 4.0);
        assert_eq!(lag(&y, NeighbourStat::Mean, Missing::Zero)[0], 2.0);
        assert_eq!(lag(&y, NeighbourStat::WeightedSum, Missing::Zero)[0], 4.0);
        assert!(
            lag(&y, NeighbourStat::Mean, Missing::Propagate)[1].is_nan(),
            "u1's neighbour u0 is missing"
        );
        let err = compute(
            &Derived::Neighbours {
                of: "x".into(),
                stat: NeighbourStat::Mean,
            },
            Missing::Error,
            &[&y],
            &grid,
        )
        .unwrap_err();
        assert_eq!(err.cell, 2, "the missing neighbour's cell");
    }
}

//! The analysis from a state of the whole design: each output's rank and score
//! summaries (from every run's values, or from its sketch), each period's mean rank
//! shift per run, and the Sobol indices of every rank and mean shift.

use super::analysis::{Analysis, OutputStats, SobolRow};
use super::settings::{Quantiles, Settings};
use super::state::{self, Keep, State, NO_SHIFT};
use super::timings::Timings;
use super::{compile, sketch, sobol, stream, summary};
use crate::framework::sensitivity::Method;
use crate::score::Results;
use rayon::prelude::*;

/// The analysis from a state covering the whole design.
#[allow(clippy::too_many_arguments)]
pub(super) fn finish(
    c: &compile::Compiled<'_>,
    nominal: &Results,
    outputs: &[(usize, usize)],
    state: State,
    design: &compile::Design,
    settings: &Settings,
    boot: Option<&sobol::Bootstrap>,
    timings: &mut Timings,
) -> Analysis {
    let State { keep, shift, sums, .. } = state;
    let (stats, quantiles, rank_bound, score_accuracy, sobol_ranks);
    let kept_ranks;
    let columns;
    match keep {
        Keep::Exact { ranks, mut scores } => {
            kept_ranks = ranks;
            columns = Columns {
                ranks: &kept_ranks,
                runs: design.runs,
            };
            stats = output_stats(c, nominal, outputs, &columns, &mut scores);
            (quantiles, rank_bound, score_accuracy) = (Quantiles::Exact, 0.0, 0.0);
            sobol_ranks = Ranks::Runs(&columns);
        }
        Keep::Sketch(sketches) => {
            stats = sketch_stats(c, nominal, outputs, &sketches);
            (quantiles, rank_bound, score_accuracy) =
                (Quantiles::Sketch, sketches.bins.bound(), sketch::SCORE_ACCURACY);
            sobol_ranks = match &sums {
                Some(sums) => Ranks::Sums(sums),
                None => Ranks::Runs(&Columns { ranks: &[], runs: 0 }),
            };
        }
    };
    // Per period and run: the mean |rank - nominal| over its units.
    let shift_series: Vec<Vec<f64>> = shift
        .iter()
        .zip(&c.cells)
        .map(|(series, cs)| {
            let units = 2.0 * cs.len() as f64;
            series
                .iter()
                .map(|&s| if s == NO_SHIFT { f64::NAN } else { s as f64 / units })
                .collect()
        })
        .collect();
    let mean_abs_shift_by_period = c
        .periods
        .iter()
        .zip(shift.iter().zip(&c.cells))
        .map(|(&p, (series, cs))| {
            let value = if series.contains(&NO_SHIFT) {
                f64::NAN
            } else {
                series.iter().map(|&s| s as f64).sum::<f64>() / (2.0 * cs.len() as f64 * series.len().max(1) as f64)
            };
            (c.panel.periods[p], value)
        })
        .collect();
    timings.lap("summarise");
    let sobol = if settings.method == Method::Sobol {
        sobol_rows(c, outputs, sobol_ranks, &shift_series, design, boot)
    } else {
        Vec::new()
    };
    timings.lap("sobol");
    Analysis {
        timings: Vec::new(),
        factors: c.factor_names(),
        groups: c.sobol_groups.iter().map(|(g, _)| g.clone()).collect(),
        method: settings.method,
        n: design.n,
        runs: design.runs,
        stats,
        mean_abs_shift_by_period,
        sobol,
        matrices: c.matrices.len(),
        quantiles,
        rank_bound,
        score_accuracy,
    }
}

/// The rank table, column-major: output o's ranks over the runs.
struct Columns<'a> {
    ranks: &'a [f32],
    runs: usize,
}

impl Columns<'_> {
    fn rank(&self, o: usize) -> &[f32] {
        &self.ranks[o * self.runs..(o + 1) * self.runs]
    }
}

impl compile::Compiled<'_> {
    /// Every output as (period position, cell), in output order.
    pub(super) fn outputs(&self) -> Vec<(usize, usize)> {
        self.cells
            .iter()
            .enumerate()
            .flat_map(|(pi, cs)| cs.iter().map(move |&c| (pi, c)))
            .collect()
    }
}

/// Rank and score summaries per output; the score columns are reordered in place.
fn output_stats(
    c: &compile::Compiled<'_>,
    nominal: &Results,
    outputs: &[(usize, usize)],
    columns: &Columns<'_>,
    score_cols: &mut [f32],
) -> Vec<OutputStats> {
    let n_units = c.panel.n_units();
    outputs
        .par_iter()
        .zip(score_cols.par_chunks_mut(columns.runs.max(1)))
        .enumerate()
        .map_init(Vec::new, |counts, (o, (&(pi, cell), scores))| {
            let nominal_rank = nominal.rank[cell];
            let r = summary::rank_summary(columns.rank(o), c.cells[pi].len(), nominal_rank, counts);
            let (median_score, q05_score, q95_score) = summary::quantiles(scores);
            OutputStats {
                unit: c.panel.units[cell % n_units].clone(),
                period: c.panel.periods[c.periods[pi]],
                nominal_rank,
                median_rank: r.median,
                q05_rank: r.q05,
                q95_rank: r.q95,
                mean_abs_shift: r.mean_abs_shift,
                nominal_score: nominal.score(cell),
                median_score,
                q05_score,
                q95_score,
            }
        })
        .collect()
}

/// Rank and score summaries per output from their sketches.
fn sketch_stats(
    c: &compile::Compiled<'_>,
    nominal: &Results,
    outputs: &[(usize, usize)],
    s: &state::Sketches,
) -> Vec<OutputStats> {
    let n_units = c.panel.n_units();
    outputs
        .par_iter()
        .enumerate()
        .map(|(o, &(pi, cell))| {
            let ps = [0.5, 0.05, 0.95];
            // Each bin's value is kept within the ranks and scores seen.
            let [low_rank, high_rank, low_score, high_score] = s.ends[o].map(f64::from);
            let [median_rank, q05_rank, q95_rank] =
                s.ranks[o].quantiles(ps, |k| s.bins.value(k).clamp(low_rank, high_rank.max(low_rank)));
            let [median_score, q05_score, q95_score] =
                s.scores[o].quantiles(ps, |k| s.buckets.value(k).clamp(low_score, high_score.max(low_score)));
            OutputStats {
                unit: c.panel.units[cell % n_units].clone(),
                period: c.panel.periods[c.periods[pi]],
                nominal_rank: nominal.rank[cell],
                median_rank,
                q05_rank,
                q95_rank,
                mean_abs_shift: if s.present[o] == 0 {
                    f64::NAN
                } else {
                    s.shift[o] as f64 / 2.0 / s.present[o] as f64
                },
                nominal_score: nominal.score(cell),
                median_score,
                q05_score,
                q95_score,
            }
        })
        .collect()
}

/// S1 and ST (with their intervals) of every factor group for every unit's rank and
/// each period's mean shift.
fn sobol_rows(
    c: &compile::Compiled<'_>,
    outputs: &[(usize, usize)],
    ranks: Ranks<'_>,
    shift_series: &[Vec<f64>],
    design: &compile::Design,
    boot: Option<&sobol::Bootstrap>,
) -> Vec<SobolRow> {
    let panel = c.panel;
    let n_units = panel.n_units();
    let (n, n_groups, n_out) = (design.n, c.n_groups(), c.n_out);
    let names: Vec<String> = outputs
        .iter()
        .map(|&(pi, cell)| format!("rank:{}:{}", panel.units[cell % n_units], panel.periods[c.periods[pi]]))
        .chain(
            c.periods
                .iter()
                .map(|&p| format!("mean_abs_shift:{}", panel.periods[p])),
        )
        .collect();
    let mut indices: Vec<sobol::Indices> = match ranks {
        // Batches of 8 rank outputs.
        Ranks::Runs(columns) => {
            const OUT_CHUNK: usize = 8;
            (0..n_out.div_ceil(OUT_CHUNK))
                .into_par_iter()
                .map_init(sobol::Scratch::default, |scratch, ch| {
                    let ranks: Vec<&[f32]> = (ch * OUT_CHUNK..((ch + 1) * OUT_CHUNK).min(n_out))
                        .map(|o| columns.rank(o))
                        .collect();
                    sobol::analyse(&ranks, n, n_groups, boot, scratch)
                })
                .flatten()
                .collect()
        }
        Ranks::Sums(sums) => {
            let z = boot.map_or(f64::NAN, sobol::Bootstrap::z);
            (0..n_out).into_par_iter().map(|o| sums.indices(o, n, z)).collect()
        }
    };
    // The mean shifts are kept run by run.
    let shifts: Vec<&[f64]> = shift_series.iter().map(Vec::as_slice).collect();
    indices.extend(sobol::analyse(
        &shifts,
        n,
        n_groups,
        boot,
        &mut sobol::Scratch::default(),
    ));
    let mut rows = Vec::new();
    for (name, idx) in names.iter().zip(indices) {
        for (g, (group, _)) in c.sobol_groups.iter().enumerate() {
            rows.push(SobolRow {
                output: name.clone(),
                factor: group.clone(),
                s1: idx.s1[g],
                s1_conf: idx.s1_conf[g],
                st: idx.st[g],
                st_conf: idx.st_conf[g],
            });
        }
    }
    rows
}

/// Where the Sobol indices of the ranks come from: every run's ranks (SALib's
/// estimators in f64, the bootstrap's sums in f32), or the streamed integer sums
/// ([`stream`]: exact, and the same in any order of batches and shards).
enum Ranks<'a> {
    Runs(&'a Columns<'a>),
    Sums(&'a stream::RankSums),
}

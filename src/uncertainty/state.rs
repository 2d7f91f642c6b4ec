//! What an analysis keeps of its runs, batch by batch: the Sobol sums of every rank
//! output ([`super::stream`]), each period's rank shift per run, and for the
//! quantiles either every run's rank and score (exact) or a mergeable summary per
//! output ([`super::sketch`]). A state covers a range of base samples; states of
//! adjoining ranges merge into the state of their union, the same as if it had been
//! run at once.

use super::settings::Quantiles;
use super::sketch::{Histogram, RankBins, ScoreBuckets};
use super::sobol::Bootstrap;
use super::stream::{twice, Batch, RankSums};
use rayon::prelude::*;
use std::ops::Range;

/// The runs' ranks and scores, or their summaries.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Keep {
    /// Column-major: output o's values over the covered runs at `[o * runs, (o + 1) * runs)`.
    Exact {
        ranks: Vec<f32>,
        scores: Vec<f32>,
    },
    Sketch(Sketches),
}

/// Per output: histograms of rank bins and score buckets, Σ |2 rank - 2 nominal| and
/// the runs with a rank.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Sketches {
    pub(crate) bins: RankBins,
    pub(crate) buckets: ScoreBuckets,
    pub(crate) ranks: Vec<Histogram>,
    pub(crate) scores: Vec<Histogram>,
    pub(crate) shift: Vec<i64>,
    pub(crate) present: Vec<u64>,
    /// Per output: the least and greatest rank, and the least and greatest score, seen
    /// (quantiles are kept within them: a unit ranked first in every run has median 1).
    pub(crate) ends: Vec<[f32; 4]>,
}

/// [`Sketches::ends`] before any run.
pub(crate) const NO_ENDS: [f32; 4] = [f32::INFINITY, f32::NEG_INFINITY, f32::INFINITY, f32::NEG_INFINITY];

/// The ends of two parts.
pub(crate) fn join_ends(a: [f32; 4], b: [f32; 4]) -> [f32; 4] {
    [a[0].min(b[0]), a[1].max(b[1]), a[2].min(b[2]), a[3].max(b[3])]
}

/// The state of an analysis over the base samples `samples`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct State {
    pub(crate) samples: Range<usize>,
    /// Runs per sample (G + 2 for Sobol, 1 for Monte Carlo).
    pub(crate) step: usize,
    pub(crate) n_out: usize,
    /// Sobol sums of the rank outputs (Sobol designs only).
    pub(crate) sums: Option<RankSums>,
    /// Per period, per covered run: Σ over its units of |2 rank - 2 nominal| (`i64::MIN`
    /// when a unit has no rank in that run).
    pub(crate) shift: Vec<Vec<i64>>,
    pub(crate) keep: Keep,
}

/// A missing rank shift.
pub(crate) const NO_SHIFT: i64 = i64::MIN;

/// What a state needs to know of the analysis.
pub(crate) struct Shape<'a> {
    pub(crate) n_out: usize,
    pub(crate) step: usize,
    /// Sobol groups and bootstrap resamples, for Sobol designs.
    pub(crate) sobol: Option<(usize, usize)>,
    /// Per period, its outputs (consecutive).
    pub(crate) periods: &'a [Range<usize>],
    /// Per output, twice its nominal rank.
    pub(crate) nominal: &'a [i64],
    /// Units per period at most, and the largest nominal |score|.
    pub(crate) units: usize,
    pub(crate) largest_score: f64,
}

impl State {
    /// An empty state over `samples` base samples.
    pub(crate) fn new(shape: &Shape<'_>, samples: Range<usize>, quantiles: Quantiles) -> State {
        let runs = samples.len() * shape.step;
        let n_out = shape.n_out;
        let keep = match quantiles {
            Quantiles::Sketch => Keep::Sketch(Sketches {
                bins: RankBins::new(shape.units),
                buckets: ScoreBuckets::new(shape.largest_score),
                ranks: vec![Histogram::default(); n_out],
                scores: vec![Histogram::default(); n_out],
                shift: vec![0; n_out],
                present: vec![0; n_out],
                ends: vec![NO_ENDS; n_out],
            }),
            _ => Keep::Exact {
                ranks: zeroed_table(runs * n_out),
                scores: zeroed_table(runs * n_out),
            },
        };
        State {
            step: shape.step,
            n_out,
            // Exact quantiles keep every run: their Sobol indices are found from the runs.
            sums: shape
                .sobol
                .filter(|_| quantiles == Quantiles::Sketch)
                .map(|(g, resamples)| RankSums::new(n_out, shape.units, g, resamples)),
            shift: vec![vec![0; runs]; shape.periods.len()],
            keep,
            samples,
        }
    }

    /// Runs covered.
    pub(crate) fn runs(&self) -> usize {
        self.samples.len() * self.step
    }

    /// Adds a batch of evaluated runs from run `first` (a sample's first run), run-major.
    pub(crate) fn push(
        &mut self,
        shape: &Shape<'_>,
        first: usize,
        ranks: &[f32],
        scores: &[f32],
        boot: Option<&Bootstrap>,
    ) {
        let n_out = self.n_out.max(1);
        let count = ranks.len() / n_out;
        let local = first - self.samples.start * self.step;
        let covered = self.runs();
        assert!(first.is_multiple_of(self.step) && count.is_multiple_of(self.step) && local + count <= covered);
        if let Some(sums) = &mut self.sums {
            let batch = Batch {
                ranks,
                first_sample: first / self.step,
                samples: count / self.step,
            };
            sums.push(&batch, shape.nominal, boot);
        }
        for (series, outputs) in self.shift.iter_mut().zip(shape.periods) {
            series[local..local + count]
                .par_iter_mut()
                .zip(ranks.par_chunks(n_out))
                .for_each(|(s, row)| *s = shift_sum(&row[outputs.clone()], &shape.nominal[outputs.clone()]));
        }
        match &mut self.keep {
            Keep::Exact { ranks: rc, scores: sc } => {
                for (columns, batch) in [(rc, ranks), (sc, scores)] {
                    columns
                        .par_chunks_mut(covered * 8)
                        .enumerate()
                        .for_each(|(b, columns)| {
                            for (q, column) in columns.chunks_mut(covered).enumerate() {
                                let o = b * 8 + q;
                                for (k, v) in column[local..local + count].iter_mut().enumerate() {
                                    *v = batch[k * n_out + o];
                                }
                            }
                        });
                }
            }
            Keep::Sketch(s) => {
                let (bins, buckets) = (s.bins, s.buckets);
                s.ranks
                    .par_iter_mut()
                    .zip(s.scores.par_iter_mut())
                    .zip(s.shift.par_iter_mut().zip(s.present.par_iter_mut()))
                    .zip(s.ends.par_iter_mut())
                    .enumerate()
                    .with_min_len(64)
                    .for_each(|(o, (((rh, sh), (shift, present)), ends))| {
                        let c = shape.nominal[o];
                        for k in 0..count {
                            let r = ranks[k * n_out + o];
                            if r.is_finite() {
                                rh.add(bins.key(r));
                                *shift += (twice(r) - c).abs();
                                *present += 1;
                                ends[0] = ends[0].min(r);
                                ends[1] = ends[1].max(r);
                            }
                            let x = scores[k * n_out + o];
                            if x.is_finite() {
                                sh.add(buckets.key(x));
                                ends[2] = ends[2].min(x);
                                ends[3] = ends[3].max(x);
                            }
                        }
                    });
            }
        }
    }

    /// Appends the state of the samples that follow this one's. (Shard files are added with
    /// [`super::shard::ShardFile::add_into`]; this is its in-memory twin for tests.)
    #[cfg(test)]
    pub(crate) fn merge(&mut self, next: State) {
        assert_eq!(self.samples.end, next.samples.start, "adjoining states");
        let (before, after) = (self.runs(), next.runs());
        if let (Some(a), Some(b)) = (&mut self.sums, &next.sums) {
            a.merge(b);
        }
        for (a, b) in self.shift.iter_mut().zip(next.shift) {
            a.extend(b);
        }
        match (&mut self.keep, next.keep) {
            (Keep::Exact { ranks, scores }, Keep::Exact { ranks: r2, scores: s2 }) => {
                let n_out = self.n_out;
                let join = |a: &[f32], b: &[f32]| -> Vec<f32> {
                    let mut out = zeroed_table((before + after) * n_out);
                    out.par_chunks_mut((before + after).max(1))
                        .enumerate()
                        .for_each(|(o, col)| {
                            col[..before].copy_from_slice(&a[o * before..(o + 1) * before]);
                            col[before..].copy_from_slice(&b[o * after..(o + 1) * after]);
                        });
                    out
                };
                *ranks = join(ranks, &r2);
                *scores = join(scores, &s2);
            }
            (Keep::Sketch(a), Keep::Sketch(b)) => {
                a.ranks.par_iter_mut().zip(&b.ranks).for_each(|(x, y)| x.merge(y));
                a.scores.par_iter_mut().zip(&b.scores).for_each(|(x, y)| x.merge(y));
                for (x, y) in a.shift.iter_mut().zip(&b.shift) {
                    *x += y;
                }
                for (x, y) in a.present.iter_mut().zip(&b.present) {
                    *x += y;
                }
                for (x, y) in a.ends.iter_mut().zip(&b.ends) {
                    *x = join_ends(*x, *y);
                }
            }
            _ => panic!("states of one kind of quantiles"),
        }
        self.samples.end = next.samples.end;
    }
}

/// Σ |2 rank - nominal| over one run's outputs of a period ([`NO_SHIFT`] if a rank is missing).
fn shift_sum(ranks: &[f32], nominal: &[i64]) -> i64 {
    let mut sum = 0;
    for (&r, &c) in ranks.iter().zip(nominal) {
        if !r.is_finite() {
            return NO_SHIFT;
        }
        sum += (twice(r) - c).abs();
    }
    sum
}

/// A zeroed table of `len` values. Large ones are backed by transparent huge pages
/// where the kernel offers them (Linux, `madvise(MADV_HUGEPAGE)`): the run tables are
/// written once, and 2 MiB pages take 512 times fewer page faults than 4 KiB ones
/// (about 4 % of a 200-unit run's time went to faulting them in). Only advice: the
/// contents and the result do not depend on it.
fn zeroed_table(len: usize) -> Vec<f32> {
    let table = vec![0f32; len];
    #[cfg(target_os = "linux")]
    if std::mem::size_of_val(table.as_slice()) >= 4 << 20 {
        const PAGE: usize = 4096;
        let start = table.as_ptr() as usize;
        let end = start + std::mem::size_of_val(table.as_slice());
        let first = start.next_multiple_of(PAGE);
        // SAFETY: [first, first + length) lies inside the table's allocation, and
        // MADV_HUGEPAGE changes neither its contents nor its mapping's validity.
        unsafe {
            libc::madvise(
                first as *mut libc::c_void,
                (end - first) / PAGE * PAGE,
                libc::MADV_HUGEPAGE,
            );
        }
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adjoining_states_merge_into_the_whole() {
        // 3 outputs in 2 periods, Monte Carlo (one run per sample), 6 runs.
        let periods = [0..2, 2..3];
        let nominal = [2, 4, 2];
        let shape = Shape {
            n_out: 3,
            step: 1,
            sobol: None,
            periods: &periods,
            nominal: &nominal,
            units: 2,
            largest_score: 10.0,
        };
        let ranks: Vec<f32> = [
            1.0, 2.0, 1.0, 2.0, 1.0, 1.0, 1.5, 1.5, 1.0, 1.0, 2.0, 1.0, 2.0, 1.0, 1.0, 1.0, 2.0, 1.0,
        ]
        .to_vec();
        let scores: Vec<f32> = ranks.iter().map(|r| 10.0 / r).collect();
        for quantiles in [Quantiles::Exact, Quantiles::Sketch] {
            let mut whole = State::new(&shape, 0..6, quantiles);
            whole.push(&shape, 0, &ranks, &scores, None);
            let mut first = State::new(&shape, 0..2, quantiles);
            first.push(&shape, 0, &ranks[..6], &scores[..6], None);
            let mut rest = State::new(&shape, 2..6, quantiles);
            rest.push(&shape, 2, &ranks[6..9], &scores[6..9], None);
            rest.push(&shape, 3, &ranks[9..], &scores[9..], None);
            first.merge(rest);
            assert_eq!(first, whole);
            // Run 0: |2 - 2| + |4 - 4| = 0; run 1: |4 - 2| + |2 - 4| = 4.
            assert_eq!(whole.shift[0][..2], [0, 4]);
        }
    }
}

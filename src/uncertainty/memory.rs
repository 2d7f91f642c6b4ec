//! The memory an analysis needs at its peak, about: the quantiles are exact where
//! the runs fit in memory (or on request), else a sketch of bounded memory; a run
//! that does not fit either way is refused, naming the figures and what to lower.

use super::compile::{Compiled, Design};
use super::settings::{Quantiles, Settings};
use crate::error::{Error, Result};
use crate::framework::sensitivity::Method;

/// Exact quantiles where the runs fit in memory (or on request), else a sketch; a run
/// that does not fit either way is refused.
pub(super) fn quantiles(c: &Compiled<'_>, settings: &Settings, design: &Design) -> Result<Quantiles> {
    let Some(available) = crate::stats::available_memory() else {
        return Ok(match settings.quantiles {
            Quantiles::Sketch => Quantiles::Sketch,
            _ => Quantiles::Exact,
        });
    };
    let threads = rayon::current_num_threads();
    let exact = c.memory_needed(settings, design, threads, Quantiles::Exact);
    let chosen = match settings.quantiles {
        Quantiles::Auto if exact <= available => Quantiles::Exact,
        Quantiles::Auto => Quantiles::Sketch,
        q => q,
    };
    let needed = c.memory_needed(settings, design, threads, chosen);
    let bootstrap = c.bootstrap_memory(settings, design, threads, chosen);
    check_memory(needed, bootstrap, available, settings, design, chosen)?;
    Ok(chosen)
}

impl Compiled<'_> {
    /// Bytes a run of `design` holds at its peak, about, with its quantiles found as
    /// `quantiles` (exact or sketch): the data-stage matrices (f64), the batch tables
    /// (f32, rank and score), the Sobol sums ([`super::stream`]: T = 4 + 3G integers
    /// per output, and per resample), the bootstrap's counts (R x N, f32 and f64), the
    /// shift series (per run and period), and per thread the terms and resample sums
    /// of a block of 64 outputs; then for exact quantiles every run's rank and score
    /// (f32, runs x outputs each), for a sketch the histograms, at most (2U / w + 2)
    /// rank bins and 2 x 1,400 score buckets of 4 bytes per output ([`super::sketch`]).
    pub(super) fn memory_needed(
        &self,
        settings: &Settings,
        design: &Design,
        threads: usize,
        quantiles: Quantiles,
    ) -> u64 {
        let n_out = self.n_out as u64;
        let runs = design.runs as u64;
        let matrices: u64 = self.matrices.iter().flatten().map(|m| 8 * m.len() as u64).sum();
        let step = super::evaluate::step(self, settings.method);
        let batch = 8 * (super::evaluate::batch_samples(self.n_out, step, design.n) * step) as u64 * n_out;
        let series = 8 * runs * self.periods.len() as u64;
        let kept = match quantiles {
            Quantiles::Sketch => {
                let bins = super::sketch::RankBins::new(self.max_units);
                let rank_bins = (2 * self.max_units as u64 / bins.width as u64 + 2).min(runs);
                let buckets = 2800u64.min(runs);
                n_out.saturating_mul(4 * (rank_bins + buckets) + 80)
            }
            _ => (8 * runs).saturating_mul(n_out),
        };
        matrices
            .saturating_add(batch)
            .saturating_add(series)
            .saturating_add(kept)
            .saturating_add(self.bootstrap_memory(settings, design, threads, quantiles))
            .saturating_add(if settings.method == Method::Sobol && quantiles == Quantiles::Sketch {
                super::stream::RankSums::bytes(self.n_out, self.n_groups(), 0)
            } else {
                0
            })
    }

    /// The part of [`Self::memory_needed`] that grows with the bootstrap resamples:
    /// their counts (R x N, f32 and f64); with exact quantiles, per thread, the sums
    /// of a batch of 8 outputs (f32, R x 8 (4 + 2G)); with a sketch, the resamples'
    /// integer sums (R x T per output) and per thread a block's (f64, R x 64 T).
    pub(super) fn bootstrap_memory(
        &self,
        settings: &Settings,
        design: &Design,
        threads: usize,
        quantiles: Quantiles,
    ) -> u64 {
        if settings.method != Method::Sobol || settings.bootstrap < 2 {
            return 0;
        }
        let resamples = settings.bootstrap as u64;
        let (sums, per_thread) = if quantiles == Quantiles::Sketch {
            let t = super::stream::terms(self.n_groups()) as u64;
            (
                (8 * t * resamples).saturating_mul(self.n_out as u64),
                (8 * 64 * t).saturating_mul(resamples),
            )
        } else {
            (0, (4 * 8 * (4 + 2 * self.n_groups() as u64)).saturating_mul(resamples))
        };
        (12 * resamples)
            .saturating_mul(design.n as u64)
            .saturating_add(sums)
            .saturating_add(per_thread.saturating_mul(threads as u64))
    }
}

/// Refuses a run that needs more memory than there is, naming the figures and what
/// to lower.
/// `bootstrap` is the part of `needed` that the bootstrap resamples take: the option
/// named is the one that takes most.
pub(super) fn check_memory(
    needed: u64,
    bootstrap: u64,
    available: u64,
    settings: &Settings,
    design: &Design,
    quantiles: Quantiles,
) -> Result<()> {
    if needed <= available {
        return Ok(());
    }
    let gb = |b: u64| b as f64 / 1e9;
    let (option, lower) = if settings.method == Method::Sobol && bootstrap > needed / 2 {
        ("bootstrap", "fewer bootstrap resamples")
    } else if quantiles == Quantiles::Exact {
        (
            "samples",
            "--quantiles sketch (memory that does not grow with the runs), a smaller N or one period",
        )
    } else {
        ("samples", "a smaller N (or analyse one period)")
    };
    Err(Error::argument(
        option,
        format!(
            "this analysis (N = {}, {} runs, {} bootstrap resamples) needs about {:.1} GB of memory, and {:.1} GB is available: use {lower}",
            design.n,
            design.runs,
            if settings.method == Method::Sobol { settings.bootstrap } else { 0 },
            gb(needed),
            gb(available)
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_that_cannot_fit_names_its_figures() {
        let settings = Settings {
            samples: 1024,
            seed: 1,
            bootstrap: 1_000_000,
            confidence: 0.95,
            method: Method::Sobol,
            period: None,
            samples_from: None,
            quantiles: Quantiles::Auto,
        };
        let design = Design { n: 1024, runs: 9216 };
        assert!(check_memory(1_000, 0, 2_000, &settings, &design, Quantiles::Sketch).is_ok());
        // The bootstrap's counts alone: 4 x 1e6 x 1024 = 4.1 GB, most of the 5 GB.
        let err = check_memory(
            5_000_000_000,
            4_100_000_000,
            1_000_000_000,
            &settings,
            &design,
            Quantiles::Sketch,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "bootstrap: this analysis (N = 1024, 9216 runs, 1000000 bootstrap resamples) needs about 5.0 GB of memory, and 1.0 GB is available: use fewer bootstrap resamples"
        );
        let few = Settings {
            bootstrap: 10,
            ..settings.clone()
        };
        let err = check_memory(5_000_000_000, 40_960, 1_000_000_000, &few, &design, Quantiles::Sketch).unwrap_err();
        assert!(err.to_string().starts_with("samples: "), "{err}");
        // The resamples' per-thread sums count too: a small N with a huge R is R's.
        let small = Design { n: 8, runs: 72 };
        let err = check_memory(
            5_000_000_000,
            4_900_000_000,
            1_000_000_000,
            &settings,
            &small,
            Quantiles::Sketch,
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("bootstrap: "), "{err}");
    }
}

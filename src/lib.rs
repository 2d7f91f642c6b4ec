//! riskscore: composite risk scores, ranks and classes from tabular indicators, and how
//! far they can be trusted.
//!
//! The library never prints and never exits; the `riskscore` command is built on it.
//! Its API is what this page lists:
//!
//! - read a framework: [`Framework::from_path`], [`Framework::from_toml`] (validated as
//!   it is read: every problem at once, in an [`Error`] whose [`Error::kind`] says the
//!   cause);
//! - load a panel of units and periods: [`load`] from [`Source`]s with [`LoadOptions`];
//! - score it: [`score()`] gives [`Results`] (scores, ranks, classes, pillar scores, the
//!   indicators' values at each [`Stage`]);
//! - write them into a folder as one set of outputs, all or nothing, with their
//!   manifest: [`write_scores`] with [`ScoreOutputs`];
//! - explain one score ([`explain()`]), audit the framework's statistics ([`audit()`]);
//! - [`sensitivity`]: rank intervals and Sobol indices, in one process or in shards;
//! - [`variants`], [`compare()`] and [`backtest`]: scoring variants side by side and
//!   against what happened later;
//! - [`events`]: event logs (ACLED, GTD, UCDP GED) into a unit-period table;
//! - [`synthetic`] panels and [`rank`] with ties, for benchmarks.
//!
//! Result types keep their fields private and are read through methods; option
//! structs and the records of reports have public fields and are `#[non_exhaustive]`,
//! so that new fields and variants are not breaking changes (start from `default()`).
//!
//! ```
//! use riskscore::{load, score, Framework, Source};
//!
//! let fw = Framework::from_path("indicators/central_asia.toml".as_ref())?;
//! let panel = load(&fw, &[Source::File("datasets/central_asia.csv".into())], &Default::default())?;
//! let results = score(&fw, &panel)?;
//!
//! let period = results.periods().last().unwrap();
//! let cell = results.cell_of("TJK", period).unwrap();
//! assert!(results.is_scored(cell));
//! assert!((1.0..=9.0).contains(&results.rank(cell)));
//! # Ok::<(), riskscore::Error>(())
//! ```

pub mod audit;
pub mod backtest;
mod cli;
pub mod compare;
mod data;
mod error;
pub mod events;
pub mod explain;
mod framework;
mod hash;
mod import;
mod input;
mod metrics;
mod notebook;
mod output;
mod period;
mod pipeline;
mod places;
mod plan;
mod report;
mod score;
mod stats;
pub mod synthetic;
mod uncertainty;
pub mod variants;

pub use audit::{audit, Audit};
pub use compare::{compare, Comparison, Scored};
pub use data::{load, LoadOptions, Panel, Source, SourceInfo};
pub use error::{Error, ErrorKind, Result};
pub use explain::{explain, Explanation};
pub use framework::{Framework, Layout};
pub use output::score_set::{write_scores, IndicatorTable, ScoreOutputs, Written};
pub use period::{Period, PeriodKind};
pub use score::{score, score_keeping, Keep, Results, Stage};

/// Uncertainty and sensitivity analysis: rank and score intervals from Monte Carlo runs
/// over the framework's uncertain choices (`[sensitivity]`), and Sobol indices; in one
/// process ([`run`](sensitivity::run)) or in shards run apart
/// ([`run_shard`](sensitivity::run_shard), then [`order`](sensitivity::order) and
/// [`merge`](sensitivity::merge)).
///
/// ```
/// use riskscore::sensitivity::{self, Identity, Method, Settings, Shard, ShardFile, Silent};
/// use riskscore::{load, Framework, Source};
///
/// let fw = Framework::from_path("indicators/central_asia.toml".as_ref())?;
/// let panel = load(&fw, &[Source::File("datasets/central_asia.csv".into())], &Default::default())?;
/// let mut settings = Settings::for_framework(&fw)?;
/// settings.samples = 64;
/// settings.method = Method::MonteCarlo;
///
/// // In one process.
/// let whole = sensitivity::run(&fw, &panel, &settings, &Silent)?;
/// let tjk = whole.stats().iter().find(|s| s.unit == "TJK").unwrap();
/// assert!(tjk.q05_rank <= tjk.nominal_rank && tjk.nominal_rank <= tjk.q95_rank);
///
/// // In two shards (each could run on its own machine), then merged.
/// let dir = tempfile::tempdir().unwrap();
/// let identity = Identity { framework: "fw".into(), data: vec!["data".into()], options: "64 mc".into(), seed: settings.seed };
/// let mut files = Vec::new();
/// for k in 1..=2 {
///     let shard = Shard::new(k, 2)?;
///     let part = sensitivity::run_shard(&fw, &panel, &settings, shard, identity.clone(), &Silent)?;
///     let path = dir.path().join(sensitivity::file_name(shard));
///     part.write_to(std::io::BufWriter::new(std::fs::File::create(&path).unwrap())).unwrap();
///     files.push(ShardFile::open(&path)?);
/// }
/// let merged = sensitivity::merge(&fw, &panel, &settings, &sensitivity::order(files, &identity)?)?;
/// assert_eq!(merged.runs(), whole.runs());
/// # Ok::<(), riskscore::Error>(())
/// ```
pub mod sensitivity {
    pub use crate::framework::sensitivity::Method;
    pub use crate::uncertainty::shard::{file_name, order, Header, Identity, Partial, ShardFile, ShardSettings};
    pub use crate::uncertainty::{
        merge, run, run_shard, Analysis, OutputStats, Progress, Quantiles, Settings, Shard, Silent, SobolRow,
    };
}

/// Ranks with ties, as every score's rank is computed.
pub mod rank {
    pub use crate::pipeline::rank::{rank_descending, RankScratch, Ties};
}

/// The `riskscore` command (its `main`): not part of the library's API.
#[doc(hidden)]
pub fn cli_main() -> std::process::ExitCode {
    cli::main()
}

/// What unit tests across modules share.
#[cfg(test)]
pub(crate) mod test_support {
    use crate::data::{self, Source};
    use crate::framework::Framework;
    use crate::score::{score, Results};

    /// The hand-checked small example of `tests/fixtures/small.*`, scored.
    pub(crate) fn small_example() -> (Framework, Results) {
        let fw = Framework::from_toml(include_str!("../tests/fixtures/small.toml"), "small.toml").unwrap();
        let source = Source::Bytes {
            name: "small.csv".into(),
            bytes: include_bytes!("../tests/fixtures/small.csv").to_vec(),
        };
        let panel = data::load(&fw, &[source], &Default::default()).unwrap();
        let res = score(&fw, &panel).unwrap();
        (fw, res)
    }
}

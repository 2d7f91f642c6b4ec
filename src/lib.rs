//! riskscore: composite risk scores, ranks and classes from tabular indicators.
//!
//! The library knows nothing of the terminal: it never prints and never exits.
//! Flow: files -> [`data::Panel`] -> [`framework::Framework`] applied step by step
//! ([`score::score`]) -> [`score::Results`] -> writers in [`output`].
//!
//! ```no_run
//! use riskscore::{data, framework::Framework, score};
//! let fw = Framework::from_path("indicators/central_asia.toml".as_ref())?;
//! let panel = data::load(&fw, &[data::Source::File("datasets/central_asia.csv".into())], &Default::default())?;
//! let results = score::score(&fw, &panel)?;
//! # Ok::<(), riskscore::Error>(())
//! ```

pub mod audit;
pub mod backtest;
pub mod compare;
pub mod data;
pub mod error;
pub mod events;
pub mod explain;
pub mod framework;
pub mod import;
pub mod input;
pub mod metrics;
pub mod notebook;
pub mod output;
pub mod period;
pub mod pipeline;
pub mod places;
pub mod plan;
pub mod report;
pub mod score;
pub mod stats;
pub mod synthetic;
pub mod uncertainty;
pub mod variants;

pub use error::{Error, Result};

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

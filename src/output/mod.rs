//! Writers: spreadsheet-safe CSV, Parquet, an xlsx workbook and the run manifest.
//!
//! An output folder is written as one set ([`set`]): its files appear together, or
//! the previous run's stay. A single file (`events -o TABLE.csv`, a notebook) is
//! written to a temporary file beside it and renamed over the target when complete
//! ([`write_atomic`]), so a reader never sees half a file.

mod atomic;
pub mod audit;
pub mod backtest;
pub mod compare;
pub mod csv;
pub mod events;
mod inputs;
pub mod key;
pub mod manifest;
pub mod parquet;
pub mod score_set;
pub mod sensitivity;
pub mod set;
pub mod table;
pub mod tables;
pub mod xlsx;

pub use atomic::{write_atomic, write_json};
pub use inputs::check_outputs;

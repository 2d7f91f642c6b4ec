//! The scoring pipeline, one module per step in pipeline order:
//! derive -> screen -> impute -> treat -> normalise -> (weight) -> aggregate ->
//! classify -> rank. [`crate::score()`] runs them in that order.

pub mod aggregate;
pub mod classify;
pub mod derive;
pub mod impute;
pub mod normalise;
pub mod rank;
pub mod screen;
pub mod treat;
pub mod weight;

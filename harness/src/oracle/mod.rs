//! The oracles: pure functions from a history (and the quiescent footprints) to a failure with
//! evidence, or nothing. `judge` runs them in order, most specific first, so a lost delete is
//! reported as a lost delete rather than as a generic linearizability violation.

pub(crate) mod effect;
pub mod exactly_once;
pub mod iteration;
pub mod leak;
pub mod lost_delete;
pub mod reclamation;

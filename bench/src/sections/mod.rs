//! The sections of the benchmark run, one module each, and the helpers they share.

pub mod build;
pub mod checker;
pub mod detect;
pub mod detect_race;
pub mod dropin;
pub mod fuzz;
pub mod peer;
pub mod porcupine;
pub mod scaling;
pub mod throughput;
pub mod util;

pub(crate) use util::*;

//! `mapcheck-bench`: the performance figures behind `cargo xtask bench`, and the pieces the micro
//! benchmarks (`cargo bench -p mapcheck-bench`) share with it.
//!
//! - [`handcheck`]: a workload run as a user would without mapcheck, with hand-written checks;
//! - [`direct`]: the naive real-thread stress loop and the bare loom and shuttle closures;
//! - [`checker`]: generated histories and their translation for stateright and todc-utils;
//! - [`fuzzstats`]: the figures the fuzz command leaves in `target/mapcheck/fuzz/stats.json`;
//! - [`summary`]: the Markdown and JSON summary.

pub mod checker;
pub mod direct;
pub mod fuzzstats;
pub mod handcheck;
pub mod summary;

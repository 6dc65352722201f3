//! mapcheck checks concurrent maps for the bugs production incident reports keep finding around
//! deletes: lost deletes and inserts, keys skipped or yielded twice while iterating and deleting,
//! two deletes of one value both succeeding, memory never given back.
//!
//! This crate is the library a map's own tests use, and what the `mapcheck` command line is built
//! on: the registry of structures, the runner of one check cell (explore, shrink, write the record
//! and its picture), failure records and replay tokens, and the scenario runner. The engines,
//! histories and oracles are in `mapcheck-harness`, the models and the structure zoo in
//! `mapcheck-models`, the scenario format in `mapcheck-scenario`.

pub mod outcome;
pub mod plan;
pub mod record;
pub mod registry;
pub mod runner;
pub mod scenario;

pub use mapcheck_harness as harness;
pub use mapcheck_models as models;
pub use record::{FailureRecord, ReplayToken};
pub use registry::Registry;

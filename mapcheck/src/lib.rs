//! mapcheck checks concurrent maps for the bugs production incident reports keep finding around
//! deletes: lost deletes and inserts, keys skipped or yielded twice while iterating and deleting,
//! two deletes of one value both succeeding, memory never given back.
//!
//! This crate is the library a map's own tests use, and what the `mapcheck` command line is built
//! on: the registry of structures, the runner of one check cell (explore, shrink, write the record
//! and its picture), failure records and replay tokens, and the scenario runner. The engines,
//! histories and oracles are in `mapcheck-harness`, the models and the structure zoo in
//! `mapcheck-models`, the scenario format in `mapcheck-scenario`.

pub mod check;
pub mod outcome;
pub mod plan;
pub mod record;
pub mod registry;
pub mod runner;
pub mod scenario;

pub use check::{check, Check, Failed, Report};
pub use mapcheck_harness as harness;
pub use mapcheck_harness::adapter::{Adapted, Adapter};
pub use mapcheck_harness::alloc::Counting as CountingAllocator;
pub use mapcheck_harness::rt::{self, Runtime};
pub use mapcheck_harness::{
    EngineSpec, Footprint, IterationGuarantee, Key, Map, ReclamationPolicy, Structure, StructureInfo, Value,
};
pub use mapcheck_models as models;
pub use record::{FailureRecord, ReplayToken};
pub use registry::Registry;

/// What a map's own tests need: the map trait and its declarations, the runtime facade, and the
/// front door.
pub mod prelude {
    pub use crate::rt::{Arc, AtomicPtr, AtomicUsize, Condvar, Mutex, RaceCell, Runtime, RwLock};
    pub use crate::{check, Check, CountingAllocator};
    pub use mapcheck_harness::{
        Footprint, IterationGuarantee, Key, Map, ReclamationPolicy, Structure, StructureInfo, Value,
    };
    pub use std::ops::ControlFlow;
}

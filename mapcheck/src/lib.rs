//! mapcheck checks concurrent maps for the bugs production incident reports keep finding around
//! deletes: lost deletes and inserts, keys skipped or yielded twice while iterating and deleting,
//! two deletes of one value both succeeding, memory never given back.
//!
//! This crate is the library a map's own tests use (`cargo add --dev mapcheck`), and what the
//! `mapcheck` command line is built on: the front door ([`check`], [`Check`]), the drop-in
//! synchronisation types ([`sync`], [`thread`], [`hint`]), the registry of structures, the runner
//! of one check cell (explore, shrink, write the record and its picture), failure records and
//! replay tokens. The engines, histories and oracles are in `mapcheck-harness`, the models in
//! `mapcheck-models`; the scenario format, its importers and runner are in `mapcheck-scenario`,
//! which a map's tests do not pull.

pub mod bounds;
pub mod check;
pub mod isolate;
pub mod outcome;
pub mod plan;
pub mod record;
pub mod registry;
pub mod report;
pub mod runner;

pub use check::{check, Check};
pub use mapcheck_harness as harness;
pub use mapcheck_harness::adapter::{Adapted, Adapter, DropIn};
pub use mapcheck_harness::alloc::Counting as CountingAllocator;
pub use mapcheck_harness::rt::{self, Runtime};
pub use mapcheck_harness::settle;
pub use mapcheck_harness::sync::{self, hint, thread};
pub use mapcheck_harness::{
    EngineSpec, Footprint, IterationGuarantee, Key, Known, Map, Ops, Oracle, ReclamationPolicy, Settle,
    Structure, StructureInfo, Unobserved, Value,
};
pub use mapcheck_models as models;
pub use record::{FailureRecord, ReplayToken};
pub use registry::Registry;
pub use report::{CellLine, Failed, Found, Report};

/// What a map's own tests need: the map trait and its declarations, the front door, and for a map
/// written against the generic facade, its types and the traits their methods come from. A map on
/// the drop-in types names them through [`sync`] in its own code instead.
pub mod prelude {
    pub use crate::rt::{
        Arc, AtomicPtr, AtomicPtrOps, AtomicUsize, AtomicUsizeOps, Condvar, Mutex, Ordering, RaceCell,
        Runtime, RwLock,
    };
    pub use crate::{check, Adapted, Adapter, Check, CountingAllocator, DropIn, Failed, Report};
    pub use mapcheck_harness::{
        Footprint, IterationGuarantee, Key, Known, Map, Ops, Oracle, ReclamationPolicy, Settle, Structure,
        StructureInfo, Unobserved, Value,
    };
    pub use std::ops::ControlFlow;
}

/// The code blocks of the README and of docs/, compiled (and run, unless marked otherwise) as doc
/// tests of this crate: a block a user would copy cannot drift from the API. Blocks that are not
/// Rust are marked `text`, `sh` or `toml`; the README's quick start is the user crate's own code,
/// which `xtask/tests/tidy.rs` holds equal and `.ci/run` builds and tests.
#[cfg(doctest)]
mod docs {
    #[doc = include_str!("../../README.md")]
    mod readme {}
    #[doc = include_str!("../../docs/adapters.md")]
    mod adapters {}
    #[doc = include_str!("../../docs/fuzzing.md")]
    mod fuzzing {}
    #[doc = include_str!("../../docs/models.md")]
    mod models {}
    #[doc = include_str!("../../docs/oracles.md")]
    mod oracles {}
    #[doc = include_str!("../../docs/output.md")]
    mod output {}
    #[doc = include_str!("../../docs/performance.md")]
    mod performance {}
    #[doc = include_str!("../../docs/scenarios.md")]
    mod scenarios {}
}

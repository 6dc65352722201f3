//! mapcheck's harness: the runtime facade, histories, the map spec, oracles and engines.
//!
//! The harness knows no concrete map. A structure implements [`Map`] for every [`Runtime`] through
//! one [`Structure`] family; a workload (initial contents and per-thread operations) is explored by
//! an [`Engine`], each run is recorded as a [`History`], and the history is judged into a
//! [`Verdict`]. See ARCHITECTURE.md for the map of the crate.

pub mod adapter;
pub mod alloc;
pub mod engine;
pub mod entry;
pub mod failure;
pub mod history;
pub mod lincheck;
pub mod mute;
pub mod op;
pub mod oracle;
pub mod quiet;
pub mod report;
pub mod rt;
pub mod seed;
pub mod settle;
pub mod shrink;
pub mod spec;
pub mod structure;
pub mod sync;
pub mod timeline;
pub mod verdict;
pub mod witness;

pub use engine::Size;
pub use engine::{replay, run, Engine, EngineSpec, FailedRun, Limits, Outcome, Pinned, Workload};
pub use entry::Entry;
pub use history::{DeleteIf, Event, History, Op, Recorder, Ret, ValueIf};
pub use rt::Runtime;
pub use settle::Settle;
pub use structure::{
    Claims, Footprint, IterationGuarantee, Key, Known, Map, Ops, ReclamationPolicy, Structure, StructureInfo,
    Unobserved, Value,
};
pub use verdict::{Failure, Finding, Oracle, Verdict};

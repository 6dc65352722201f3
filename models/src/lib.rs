//! The structures under test (correct ones and mutants), the access-pattern models, and the
//! registry that names them for the runner.
//!
//! Exploring one model on one structure from a test:
//!
//! ```
//! use mapcheck_harness::{Engine, Limits, Size, Verdict};
//! use mapcheck_models::{patterns::model, structure};
//!
//! let locked = structure("locked").unwrap();
//! let workload = (model("concurrent-delete").unwrap().build)(Size::LOOM);
//! let outcome = (locked.run)(&workload, Engine::Loom { preemption_bound: 2 }, Limits::default());
//! assert_eq!(outcome.verdict, Verdict::Pass);
//! assert!(outcome.exhausted, "loom explored every interleaving up to the bound");
//! ```

pub mod mutants;
pub mod patterns;
pub mod runner;
pub mod scenario;
pub mod structures;

use mapcheck_harness::engine::shuttle::Scheduler;
use mapcheck_harness::{Engine, Limits, Outcome, Pinned, Structure, StructureInfo, Workload};
use mutants::CowNoCas;
use structures::{
    cow::Cow, gomap::Gomap, locked::Locked, rebuild::Rebuild, sharded::Sharded, syncmap::Syncmap,
    tombstone::Tombstone,
};

/// A registered structure: its declaration and its engines, instantiated for it.
#[derive(Clone, Copy)]
pub struct Entry {
    pub info: StructureInfo,
    pub run: fn(&Workload, Engine, Limits) -> Outcome,
    pub replay: fn(&Workload, Engine, &Pinned, Limits) -> Outcome,
    pub shrink:
        fn(&Workload, Engine, Limits, Outcome, std::time::Duration) -> mapcheck_harness::shrink::Shrunk,
    /// For a structure expected to fail: the models built to catch it (empty: every model). A model
    /// outside this list may or may not reach the planted bug, and a miss there is not an error.
    pub targets: &'static [&'static str],
    /// Why an engine cannot run this structure (`None` when it can): the check shows `n/a`.
    pub not_applicable: fn(&Engine) -> Option<String>,
    /// Whether the structure's `len` is only an estimate under concurrent changes (not judged).
    pub len_is_estimate: bool,
    /// One run on the calling thread with no scheduler ([`mapcheck_harness::engine::sequential`]).
    pub sequential: fn(&Workload) -> (mapcheck_harness::Verdict, mapcheck_harness::History),
    /// One shuttle exploration driven by the given scheduler
    /// ([`mapcheck_harness::engine::shuttle::run_with_scheduler`]).
    pub with_scheduler: fn(&Workload, Box<dyn Scheduler + Send>, Limits) -> Outcome,
}

impl Entry {
    /// Whether `model` must catch this structure (always false for a correct structure).
    pub fn must_catch(&self, model: &str) -> bool {
        self.info.expected_to_fail() && (self.targets.is_empty() || self.targets.contains(&model))
    }
}

/// The registry entry of a structure.
pub fn entry<S: Structure>() -> Entry {
    targeted::<S>(&[])
}

/// The registry entry of a structure expected to fail, with the models built to catch it.
pub fn targeted<S: Structure>(targets: &'static [&'static str]) -> Entry {
    Entry {
        targets,
        not_applicable: mapcheck_harness::engine::not_applicable::<S>,
        len_is_estimate: S::LEN_IS_ESTIMATE,
        info: S::INFO,
        run: mapcheck_harness::run::<S>,
        replay: mapcheck_harness::replay::<S>,
        shrink: mapcheck_harness::shrink::shrink::<S>,
        sequential: mapcheck_harness::engine::sequential::<S>,
        with_scheduler: mapcheck_harness::engine::shuttle::run_with_scheduler::<S>,
    }
}

/// Every structure, in the order the check matrix lists them.
pub fn structures() -> Vec<Entry> {
    vec![
        entry::<Gomap>(),
        entry::<Locked>(),
        entry::<Syncmap>(),
        entry::<Cow>(),
        entry::<Sharded>(),
        entry::<Tombstone>(),
        entry::<Rebuild>(),
        targeted::<CowNoCas>(&["cow-swap"]),
        targeted::<mutants::LockedRacyRemove>(&["concurrent-delete"]),
        targeted::<mutants::LockedIterLock>(&["delete-during-iteration"]),
        targeted::<mutants::ShardedMisroute>(&["concurrent-delete"]),
        targeted::<mutants::TombstoneGcRace>(&["tombstone-gc"]),
        targeted::<mutants::RebuildUnguarded>(&["rebuild-race"]),
        targeted::<mutants::SyncmapNoPurge>(&["syncmap-promotion"]),
        targeted::<mutants::TombstoneGcLeak>(&["tombstone-gc"]),
        targeted::<mutants::LockedLeakyRemove>(&["concurrent-delete"]),
        targeted::<mutants::ShardedClearSkips>(&["sharded-whole-map"]),
        targeted::<mutants::LockedNoShrink>(&["churn"]),
    ]
    .into_iter()
    .chain(EXTRA.lock().unwrap_or_else(|e| e.into_inner()).iter().copied())
    .collect()
}

/// Structures registered from outside this crate (the third-party adapters), listed after the
/// built-in ones.
static EXTRA: std::sync::Mutex<Vec<Entry>> = std::sync::Mutex::new(Vec::new());

/// Adds structures defined elsewhere (the `mapcheck` binary registers the adapters of
/// `mapcheck-adapters` this way, so this crate does not depend on them). A name already registered
/// is an error.
pub fn register(extra: Vec<Entry>) -> Result<(), String> {
    let known = structures();
    for (i, e) in extra.iter().enumerate() {
        if known
            .iter()
            .chain(&extra[..i])
            .any(|k| k.info.name == e.info.name)
        {
            return Err(format!("structure `{}` is registered twice", e.info.name));
        }
    }
    EXTRA.lock().unwrap_or_else(|e| e.into_inner()).extend(extra);
    Ok(())
}

pub fn structure(name: &str) -> Option<Entry> {
    structures().into_iter().find(|e| e.info.name == name)
}

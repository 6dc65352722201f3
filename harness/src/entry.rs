//! A structure as the runner holds it: its declaration and every engine entry point for it (thin
//! wrappers over the engines' [`Subject`](crate::engine::Subject) functions), behind plain function
//! pointers, so a list of structures can be a value (a registry).

use crate::engine::shuttle::Scheduler;
use crate::engine::{SeqRun, Sequential};
use crate::structure::{Claims, Ops};
use crate::{Engine, History, Limits, Outcome, Pinned, Structure, StructureInfo, Verdict, Workload};
use std::time::Duration;

/// A structure, type-erased: its declaration and its engines, instantiated for it.
#[derive(Clone, Copy)]
pub struct Entry {
    pub info: StructureInfo,
    pub run: fn(&Workload, Engine, Limits) -> Outcome,
    pub replay: fn(&Workload, Engine, &Pinned, Limits) -> Outcome,
    pub shrink: fn(&Workload, Engine, Limits, Outcome, Duration) -> crate::shrink::Shrunk,
    /// For a structure expected to fail: the models built to catch it (empty: every model). A model
    /// outside this list may or may not reach the planted bug, and a miss there is not an error.
    pub targets: &'static [&'static str],
    /// Why an engine cannot run this structure (`None` when it can): the check shows `n/a`.
    pub not_applicable: fn(&Engine) -> Option<String>,
    /// The operations the structure's API has: a workload that calls another is not applicable
    /// ([`Entry::absent`]).
    pub supports: Ops,
    /// What the oracles hold it to: its declaration, whether its `len` is judged, the behaviours it
    /// declares known, its settle steps.
    pub claims: Claims,
    /// One run on the calling thread with no scheduler, with its history
    /// ([`crate::engine::sequential`]).
    pub sequential: fn(&Workload) -> (Verdict, History),
    /// The same run in a caller's reusable buffers, for many workloads in a row
    /// ([`crate::engine::Sequential::run`]; the history is [`Sequential::history`]).
    pub sequential_run: fn(&mut Sequential, &Workload) -> SeqRun,
    /// One shuttle exploration driven by the given scheduler
    /// ([`crate::engine::shuttle::run_with_scheduler`]).
    pub with_scheduler: fn(&Workload, Box<dyn Scheduler + Send>, Limits) -> Outcome,
}

impl Entry {
    /// The entry of structure `S`.
    pub fn of<S: Structure>() -> Entry {
        Entry::targeted::<S>(&[])
    }

    /// The entry of a structure expected to fail, with the models built to catch it.
    pub fn targeted<S: Structure>(targets: &'static [&'static str]) -> Entry {
        Entry {
            targets,
            not_applicable: crate::engine::not_applicable::<S>,
            supports: S::SUPPORTS,
            claims: Claims::of::<S>(),
            info: S::INFO,
            run: crate::run::<S>,
            replay: crate::replay::<S>,
            shrink: crate::shrink::shrink::<S>,
            sequential: crate::engine::sequential::<S>,
            sequential_run: Sequential::run::<S>,
            with_scheduler: crate::engine::shuttle::run_with_scheduler::<S>,
        }
    }

    /// The structure's name.
    pub fn name(&self) -> &'static str {
        self.info.name
    }

    /// Why `workload` cannot run on this structure under any engine (it calls an operation the
    /// structure declares absent), or `None`.
    pub fn absent(&self, workload: &Workload) -> Option<String> {
        crate::engine::absent_from(self.info.name, self.supports, workload.operations())
    }

    /// Why `engine` cannot run `workload` on this structure, or `None` when it can.
    pub fn not_applicable_to(&self, engine: &Engine, workload: &Workload) -> Option<String> {
        (self.not_applicable)(engine).or_else(|| self.absent(workload))
    }

    /// Whether `model` must catch this structure (always false for a correct structure).
    pub fn must_catch(&self, model: &str) -> bool {
        self.info.expected_to_fail() && (self.targets.is_empty() || self.targets.contains(&model))
    }
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entry")
            .field("name", &self.info.name)
            .field("targets", &self.targets)
            .finish_non_exhaustive()
    }
}

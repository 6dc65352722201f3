//! Deferred reclamation and process-wide state: what a structure declares so that the leak oracle
//! judges the map's own memory, not the memory its crate manages around it.
//!
//! Many concurrent maps free memory after `drop` returns: through epochs (crossbeam-epoch, seize,
//! sdd), through background housekeeping, or into a pool created lazily on first use and kept for
//! the life of the process. A structure declares these in a [`Settle`] value
//! ([`Structure::SETTLE`](crate::Structure::SETTLE)), and every engine does the same with it:
//!
//! - [`Settle::once`] runs once per process, before the structure's first run, outside allocation
//!   tracking: what the crate allocates once per process is made there, counted once and never
//!   against a run.
//! - [`Settle::per_thread`] runs on every thread an engine runs the map on, before that thread's
//!   first run, outside allocation tracking: what the crate keeps per thread (an epoch participant
//!   record, a thread's parking data, a process-wide table sized by the number of threads).
//! - [`Settle::after_drop`] runs after the map is dropped and before its leaks are judged, outside
//!   allocation tracking, on the thread that dropped the map and on every thread that ran its
//!   operations, one after the other, for up to [`SETTLE_ROUNDS`] rounds while the run still holds
//!   memory: it frees what the crate deferred (advances the epoch, flushes per-thread garbage).
//!
//! Whatever a run allocated and still holds after that is a leak. A leak that happens once (in the
//! first run only) is reported like any other: only what `once` and `per_thread` allocate is
//! exempt, so a crate's process-wide state must be declared, not guessed.
//!
//! Helpers for common epoch crates live with the adapters (`mapcheck_adapters::settle`).

use std::any::TypeId;
use std::collections::HashSet;
use std::sync::Mutex;

/// How the harness lets a structure's deferred reclamation finish, and what the structure's crate
/// allocates once per process or per thread. Every list may be empty; [`Settle::NONE`] declares
/// nothing (the map frees everything in its `drop`).
#[derive(Debug, Clone, Copy)]
pub struct Settle {
    /// Run once per process before the structure's first run, outside allocation tracking.
    pub once: &'static [fn()],
    /// Run on every thread an engine uses for the map, before that thread's first run, outside
    /// allocation tracking.
    pub per_thread: &'static [fn()],
    /// Run after the map is dropped, outside allocation tracking, on the thread that dropped it and
    /// on every thread that ran its operations, in rounds while the run still holds memory.
    pub after_drop: &'static [fn()],
}

impl Settle {
    /// Nothing deferred, nothing process-wide, nothing per thread.
    pub const NONE: Settle = Settle {
        once: &[],
        per_thread: &[],
        after_drop: &[],
    };

    /// Whether there is an after-drop step to run.
    pub fn defers(&self) -> bool {
        !self.after_drop.is_empty()
    }
}

impl Default for Settle {
    fn default() -> Self {
        Settle::NONE
    }
}

/// Rounds of [`Settle::after_drop`] (each on every thread of the run, in turn) before memory the run
/// still holds counts as leaked. Epoch schemes free a retirement after the epoch has advanced two
/// or three times; one round usually suffices, the rest absorb a thread that was briefly inside a
/// guard when the epoch tried to advance.
pub const SETTLE_ROUNDS: usize = 4;

/// Structures whose [`Settle::once`] has run in this process.
static DONE: Mutex<Option<HashSet<TypeId>>> = Mutex::new(None);

/// Runs `settle.once` for structure `key` unless it already ran in this process, then
/// `settle.per_thread` on the calling thread, both outside allocation tracking. Concurrent callers
/// for the same structure wait for the first. The error is the message of a step that panicked.
pub(crate) fn prepare(key: TypeId, settle: &Settle) -> Result<(), String> {
    crate::alloc::untracked(|| {
        if !settle.once.is_empty() {
            let mut done = DONE.lock().unwrap_or_else(|e| e.into_inner());
            if !done.get_or_insert_with(HashSet::new).contains(&key) {
                steps(settle.once, "once")?;
                done.get_or_insert_with(HashSet::new).insert(key);
            }
        }
        steps(settle.per_thread, "per-thread")
    })
}

/// Runs `settle.after_drop` on the calling thread, outside allocation tracking.
pub(crate) fn after_drop(settle: &Settle) -> Result<(), String> {
    crate::alloc::untracked(|| steps(settle.after_drop, "after-drop"))
}

/// Runs declared steps in order; a panic stops them and comes back as the message of a failure
/// that names the step, so that a broken declaration is reported rather than hidden.
fn steps(fs: &[fn()], which: &str) -> Result<(), String> {
    for f in fs {
        std::panic::catch_unwind(f).map_err(|p| {
            format!(
                "the structure's declared {which} settle step panicked: {}",
                crate::quiet::payload_message(&*p)
            )
        })?;
    }
    Ok(())
}

//! Operations, results and the recorded history of one run, and the recorder that builds it.
//!
//! **Architecture Invariant:** the global order comes from a `std` atomic counter and each thread
//! appends to its own `std` mutex, which the model checkers do not schedule on; under loom and
//! shuttle only one thread runs at a time, so the counter order is the execution order. Recording
//! adds no synchronisation that shuttle or real threads can see. Under loom, and only there, every
//! position taken is also a `SeqCst` fence ([`Runtime::history_point`](crate::rt::Runtime)): loom
//! gives `SeqCst` loads and stores no single total order (it models them as acquire and release),
//! but it does order `SeqCst` fences, so an operation invoked after another returned
//! happens-after it, and the oracles' real-time order is one loom respects. The price: a
//! publication mistake between two operations that do not overlap in real time is invisible to
//! loom (see ARCHITECTURE.md); the engines give a structure that is unsynchronised on purpose a
//! recorder without them, so that loom still reports its data races.

pub use crate::op::{added, DeleteIf, Op, Ret, ValueIf};
use crate::structure::{Footprint, Key, Map, Unobserved, Value};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// One operation in a history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Index in [`History::events`].
    pub id: usize,
    pub thread: usize,
    pub op: Op,
    /// `None` when the operation never returned (its thread panicked or the run was cut short).
    pub ret: Option<Ret>,
    /// Position of the invocation in the run's global order.
    pub invoke: u64,
    /// Position of the return; `None` when pending.
    pub ret_at: Option<u64>,
    /// The iteration this operation was called from, for removes done while iterating.
    pub parent: Option<usize>,
    /// For an iteration: the position in the run's global order of each visit (the visitor called
    /// with an entry), one per yielded entry, in order. Empty for other operations, for an
    /// iteration that never returned, and in records written before visits were recorded (the
    /// iteration oracle then judges each entry over the whole iteration).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub visits: Vec<u64>,
}

/// A recorded run: the initial contents and every operation, ordered by invocation, and the
/// structure's footprint once every thread was done.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    pub initial: Vec<(Key, Value)>,
    pub events: Vec<Event>,
    #[serde(default)]
    pub quiescence: Option<Quiescence>,
    /// What the structure had not given back after it was dropped; `None` when the counting
    /// allocator is not installed or the run did not get that far.
    #[serde(default)]
    pub leaks: Option<Leaks>,
}

/// Bytes, allocations and threads a dropped structure still held.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leaks {
    pub bytes: usize,
    pub allocations: usize,
    pub threads: usize,
    /// The allocations still held, grouped by size and, where it could be had, by the call site
    /// inside the structure that made them; the largest total first, at most
    /// [`Leaks::MAX_BLOCKS`] groups. Empty when nothing leaked, and in records written before
    /// sizes were kept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocks: Vec<Leaked>,
}

impl Leaks {
    /// Groups of leaked allocations kept at most.
    pub const MAX_BLOCKS: usize = 16;
}

/// Leaked allocations of one size, from one call site when it is known.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Leaked {
    /// Bytes of each allocation.
    pub size: usize,
    /// How many.
    pub count: usize,
    /// Where they were made: the innermost frames of the structure's own code (its crate and the
    /// crates it calls, past the standard library), innermost first, each `function (file:line)`.
    /// Empty when no call stack was kept (the allocator keeps them only when a leaking run is run
    /// again for its report) or none could be resolved.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub site: Vec<String>,
}

/// The footprint at quiescence, before and after the structure's reclamation step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quiescence {
    pub at_end: Footprint,
    pub after_reclaim: Footprint,
}

/// A malformed history: an error, never a verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MalformedHistory(pub String);

impl fmt::Display for MalformedHistory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "malformed history: {}", self.0)
    }
}

impl History {
    /// Checks the history's own consistency: ids match positions, every return follows its
    /// invocation, positions are unique, and a thread's top-level operations do not overlap.
    pub fn validate(&self) -> Result<(), MalformedHistory> {
        // Positions are checked for reuse by sorting them, which is much cheaper than a hash set for
        // every history the engines judge; only a history that does reuse one pays for the set that
        // names the first offending event.
        let mut positions: Vec<u64> = self
            .events
            .iter()
            .flat_map(|e| {
                std::iter::once(e.invoke)
                    .chain(e.ret_at)
                    .chain(e.visits.iter().copied())
            })
            .collect();
        positions.sort_unstable();
        let mut seen = positions
            .windows(2)
            .any(|w| w[0] == w[1])
            .then(std::collections::HashSet::new);
        let mut reused = |p: u64| seen.as_mut().is_some_and(|s| !s.insert(p));
        for (i, e) in self.events.iter().enumerate() {
            let bad = |m: String| Err(MalformedHistory(format!("event {i} ({}): {m}", e.op)));
            if e.id != i {
                return bad(format!("has id {}", e.id));
            }
            if reused(e.invoke) {
                return bad(format!("reuses position {}", e.invoke));
            }
            if let Some(r) = e.ret_at {
                if r <= e.invoke {
                    return bad(format!("returns at {r}, not after its invocation {}", e.invoke));
                }
                if reused(r) {
                    return bad(format!("reuses position {r}"));
                }
            }
            if e.ret.is_some() != e.ret_at.is_some() {
                return bad("has a result without a return position, or the reverse".into());
            }
            if let Some(p) = e.parent {
                if p >= self.events.len() || self.events[p].thread != e.thread {
                    return bad(format!("names parent {p}, not an operation of its thread"));
                }
            }
            if !e.visits.is_empty() {
                let yielded = match &e.ret {
                    Some(Ret::Yielded(y)) => y.len(),
                    _ => return bad("records visits but yielded nothing".into()),
                };
                if e.visits.len() != yielded {
                    return bad(format!("records {} visits for {yielded} entries", e.visits.len()));
                }
                let end = e.ret_at.unwrap_or(u64::MAX);
                let mut after = e.invoke;
                for &at in &e.visits {
                    if at <= after || at >= end {
                        return bad(format!("visits at {at}, not after {after} and before its return"));
                    }
                    if reused(at) {
                        return bad(format!("reuses position {at}"));
                    }
                    after = at;
                }
            }
        }
        let mut by_thread: std::collections::BTreeMap<usize, Vec<&Event>> = Default::default();
        for e in self.events.iter().filter(|e| e.parent.is_none()) {
            by_thread.entry(e.thread).or_default().push(e);
        }
        for (t, evs) in by_thread {
            for w in evs.windows(2) {
                match w[0].ret_at {
                    Some(r) if r < w[1].invoke => {}
                    _ => {
                        return Err(MalformedHistory(format!(
                            "thread {t} invokes {} before {} returned",
                            w[1].op, w[0].op
                        )))
                    }
                }
            }
        }
        Ok(())
    }
}

/// The result `r` as `wrap` records it, or [`Ret::Unobserved`] when the map does not return it.
fn observed<T>(is_observed: bool, r: T, wrap: fn(T) -> Ret) -> Ret {
    if is_observed {
        wrap(r)
    } else {
        Ret::Unobserved
    }
}

/// Stops an iteration whose map went on calling its visitor after the visitor returned
/// `ControlFlow::Break`, having yielded `yielded` entries where the run has `bound` keys: only a
/// panic regains control.
pub(crate) fn runaway(yielded: usize, bound: usize) -> ! {
    panic!(
        "mapcheck: a runaway iteration: the map went on visiting entries after its visitor returned \
         ControlFlow::Break, having yielded {yielded} entries where the run has {bound} keys"
    );
}

/// Shared clock and per-thread logs for one run.
pub struct Recorder {
    /// The allocation scope of this run: calls into the structure are attributed to it.
    pub scope: crate::alloc::Scope,
    /// Results the map does not return: recorded as [`Ret::Unobserved`].
    unobserved: Unobserved,
    /// An iteration that has yielded more entries than this has yielded some key twice: it is cut
    /// short (its visitor breaks), so a livelocked iteration ends and the iteration oracle judges it;
    /// a map that goes on calling the visitor after that is stopped by a panic.
    visit_bound: Option<usize>,
    clock: AtomicU64,
    /// The runtime's [`Runtime::history_point`](crate::rt::Runtime::history_point), called with
    /// every tick: a loom `SeqCst` fence, a no-op elsewhere.
    point: fn(),
    /// One log per thread, each on its own cache lines: a thread's appends take only its own
    /// (uncontended) lock, and never share a line with another thread's log.
    logs: Vec<Padded<Mutex<Vec<RawEvent>>>>,
}

/// Aligned to two cache lines (the adjacent-line prefetcher pulls lines in pairs).
#[repr(align(128))]
struct Padded<T>(T);

#[derive(Clone)]
struct RawEvent {
    op: Op,
    ret: Option<Ret>,
    invoke: u64,
    ret_at: Option<u64>,
    parent: Option<usize>,
    visits: Vec<u64>,
}

impl Recorder {
    /// A recorder that adds no synchronisation at all: for real threads and shuttle.
    pub fn new(threads: usize) -> Arc<Recorder> {
        Recorder::declared::<crate::rt::Std>(threads, Unobserved::NONE, None)
    }

    /// A recorder for runtime `R` and a map that returns every result, with no visit bound.
    pub fn for_runtime<R: crate::rt::Runtime>(threads: usize) -> Arc<Recorder> {
        Recorder::declared::<R>(threads, Unobserved::NONE, None)
    }

    /// A recorder for runtime `R` and a map whose API does not return the results `unobserved`
    /// names, whose iterations are cut short after `visit_bound` entries (the number of distinct
    /// keys the run can hold; `None` for no bound). Every position it takes also calls
    /// `R::history_point`, which under loom makes real-time precedence in the history imply
    /// happens-before.
    pub fn declared<R: crate::rt::Runtime>(
        threads: usize,
        unobserved: Unobserved,
        visit_bound: Option<usize>,
    ) -> Arc<Recorder> {
        Recorder::declared_with_capacity::<R>(threads, unobserved, visit_bound, |_| 0)
    }

    /// [`Recorder::declared`], with room in thread `t`'s log for `capacity(t)` operations before it
    /// grows.
    pub fn declared_with_capacity<R: crate::rt::Runtime>(
        threads: usize,
        unobserved: Unobserved,
        visit_bound: Option<usize>,
        capacity: impl Fn(usize) -> usize,
    ) -> Arc<Recorder> {
        Arc::new(Recorder {
            scope: crate::alloc::Scope::new(),
            unobserved,
            visit_bound,
            clock: AtomicU64::new(0),
            point: R::history_point,
            logs: (0..threads)
                .map(|t| Padded(Mutex::new(Vec::with_capacity(capacity(t)))))
                .collect(),
        })
    }

    /// How many invocations and returns have been recorded so far: a watchdog that sees it stand
    /// still knows no operation started or finished meanwhile.
    pub fn progress(&self) -> u64 {
        self.clock.load(Ordering::Relaxed)
    }

    /// For a watchdog: each thread's pending top-level operation (its position in the thread's own
    /// log), or `None` when the thread is between operations.
    pub fn open(&self) -> Vec<Option<usize>> {
        self.logs
            .iter()
            .map(|log| {
                let log = log.0.lock().unwrap_or_else(|e| e.into_inner());
                // The nested removes of an iteration follow it; the visit bound keeps them few.
                let (i, e) = log.iter().enumerate().rev().find(|(_, e)| e.parent.is_none())?;
                e.ret.is_none().then_some(i)
            })
            .collect()
    }

    /// The next position in the run's global order. The runtime's ordering point and the counter
    /// are taken together, with no scheduling point between them (neither is a loom or shuttle
    /// operation), so the fences of a loom run are in the order of their positions.
    fn tick(&self) -> u64 {
        (self.point)();
        self.clock.fetch_add(1, Ordering::Relaxed)
    }

    fn invoke(&self, thread: usize, op: Op, parent: Option<usize>) -> usize {
        let mut log = self.logs[thread].0.lock().unwrap_or_else(|e| e.into_inner());
        log.push(RawEvent {
            op,
            ret: None,
            invoke: self.tick(),
            ret_at: None,
            parent,
            visits: Vec::new(),
        });
        log.len() - 1
    }

    fn ret(&self, thread: usize, slot: usize, ret: Ret, visits: Vec<u64>) {
        let at = self.tick();
        let mut log = self.logs[thread].0.lock().unwrap_or_else(|e| e.into_inner());
        log[slot].ret = Some(ret);
        log[slot].ret_at = Some(at);
        log[slot].visits = visits;
    }

    /// Runs `op` on `map` as thread `thread`, recording it (and, for an iteration, each remove it
    /// makes) in the history.
    pub fn apply<M: Map + ?Sized>(&self, thread: usize, map: &M, op: Op) -> Ret {
        use crate::alloc::untracked;
        let scope = self.scope;
        let slot = untracked(|| self.invoke(thread, op, None));
        let seen = self.unobserved;
        let mut visits = Vec::new();
        let ret = match op {
            Op::Insert { key, value } => {
                observed(!seen.insert, scope.run(|| map.insert(key, value)), Ret::Value)
            }
            Op::Remove { key } => observed(!seen.remove, scope.run(|| map.remove(key)), Ret::Value),
            Op::Get { key } => Ret::Value(scope.run(|| map.get(key))),
            Op::Len => observed(!seen.len, scope.run(|| map.len()), Ret::Len),
            Op::Clear => {
                scope.run(|| map.clear());
                Ret::Unit
            }
            Op::Reclaim => {
                scope.run(|| map.reclaim());
                Ret::Unit
            }
            Op::GetOrInsert { key, value } => Ret::Value(scope.run(|| map.get_or_insert(key, value))),
            Op::CompareAndSwap { key, old, new } => {
                Ret::Bool(scope.run(|| map.compare_and_swap(key, old, new)))
            }
            Op::CompareAndDelete { key, old } => Ret::Bool(scope.run(|| map.compare_and_delete(key, old))),
            Op::RemoveIf { key, delete } => {
                Ret::Value(scope.run(|| map.remove_if(key, &|v| delete.matches(v))))
            }
            Op::Update { key, add, insert } => {
                Ret::Value(scope.run(|| map.update(key, &|v| added(v, add), insert)))
            }
            Op::Retain { delete } => {
                let bound = self.visit_bound.unwrap_or(usize::MAX);
                let mut yielded = Vec::new();
                scope.run(|| {
                    map.retain(&mut |k, v| {
                        // Past the bound the retain has visited some key twice: the rest is kept and
                        // not recorded, so the iteration oracle judges what was, and a retain that
                        // never ends is the watchdog's.
                        if yielded.len() > bound {
                            return true;
                        }
                        untracked(|| {
                            visits.push(self.tick());
                            yielded.push((k, v));
                        });
                        !delete.matches(v)
                    })
                });
                Ret::Yielded(yielded)
            }
            Op::Iterate { delete } => {
                let mut yielded = Vec::new();
                scope.run(|| {
                    map.iterate(&mut |k, v| {
                        let bound = self.visit_bound.unwrap_or(usize::MAX);
                        if yielded.len() > bound {
                            runaway(yielded.len(), bound);
                        }
                        untracked(|| {
                            // The visit's position comes first: the structure read the entry
                            // before calling back, and any remove below comes after.
                            visits.push(self.tick());
                            yielded.push((k, v));
                            if delete.matches(k) {
                                let s = self.invoke(thread, Op::Remove { key: k }, Some(slot));
                                let r = scope.run(|| map.remove(k));
                                self.ret(thread, s, observed(!seen.remove, r, Ret::Value), Vec::new());
                            }
                        });
                        if yielded.len() > bound {
                            ControlFlow::Break(())
                        } else {
                            ControlFlow::Continue(())
                        }
                    })
                });
                Ret::Yielded(yielded)
            }
        };
        untracked(|| self.ret(thread, slot, ret.clone(), visits));
        ret
    }

    /// Merges the per-thread logs into one history ordered by invocation.
    pub fn history(&self, initial: Vec<(Key, Value)>) -> History {
        // `first[t]` is where thread `t`'s entries start in `raw` (and in `index`).
        let mut raw: Vec<(usize, usize, RawEvent)> = Vec::new();
        let mut first = Vec::with_capacity(self.logs.len());
        for (t, log) in self.logs.iter().enumerate() {
            let log = log.0.lock().unwrap_or_else(|e| e.into_inner());
            first.push(raw.len());
            raw.extend(log.iter().cloned().enumerate().map(|(i, e)| (t, i, e)));
        }
        raw.sort_unstable_by_key(|(_, _, e)| e.invoke);
        // Event id of thread `t`'s `i`-th log entry.
        let mut index = vec![0; raw.len()];
        for (id, (t, i, _)) in raw.iter().enumerate() {
            index[first[*t] + i] = id;
        }
        let events = raw
            .into_iter()
            .enumerate()
            .map(|(id, (t, _, e))| Event {
                id,
                thread: t,
                op: e.op,
                ret: e.ret,
                invoke: e.invoke,
                ret_at: e.ret_at,
                parent: e.parent.map(|p| index[first[t] + p]),
                visits: e.visits,
            })
            .collect();
        History {
            initial,
            events,
            quiescence: None,
            leaks: None,
        }
    }
}

//! The real-thread engine's watchdog: every run on OS threads has wall-clock caps, so that no
//! structure can hang the check, and the watchdog keeps figures of how close correct runs came to
//! them.
//!
//! Three caps, all derived from the exploration's budget (see [`Caps::for_limits`]):
//!
//! - **stall**: no operation started or finished (and the driver changed phase) for this long. A
//!   deadlock: every thread is blocked, or spinning without recording anything.
//! - **operation**: one top-level operation pending for this long while the run went on recording
//!   others (a livelock that keeps ticking the clock: an iteration that deletes and reinserts for
//!   ever, a retry loop another thread keeps failing). An iteration that keeps calling its visitor
//!   is cut shorter still, by the recorder's visit bound.
//! - **run**: the whole run, from the map's creation to its settle step.
//!
//! A slow but correct run on a loaded machine must not be called a deadlock: the stall cap is at
//! least two seconds, where a run's operations take microseconds and a thread's scheduling delay on
//! a loaded two-core machine is measured in milliseconds; [`stats`] gives the longest stall,
//! operation and run the watchdog has seen in this process, which `mapcheck check` prints, so the
//! margin is measured rather than assumed.

use crate::history::{Event, History, Recorder};
use crate::verdict::{Failure, Oracle};
use crate::Limits;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// The wall-clock caps of one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caps {
    /// No progress at all for this long: a deadlock.
    pub stall: Duration,
    /// One operation pending for this long while others progress: a livelock.
    pub operation: Duration,
    /// The whole run.
    pub run: Duration,
}

impl Caps {
    /// Half the budget for a stall, at least two seconds (a loaded machine may stall threads for a
    /// while) and at most ten; twice that for one operation; four times that for a run.
    pub fn for_limits(limits: Limits) -> Caps {
        Caps::from_stall((limits.budget / 2).clamp(Duration::from_secs(2), Duration::from_secs(10)))
    }

    fn from_stall(stall: Duration) -> Caps {
        Caps {
            stall,
            operation: stall * 2,
            run: stall * 8,
        }
    }
}

/// What the watchdog saw, over every run on real threads in this process.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Runs watched, those stopped by a cap included.
    pub runs: u64,
    /// Over the runs that ended on their own: the longest time without any operation starting or
    /// finishing, sampled every poll.
    pub longest_stall: Duration,
    /// Over the runs that ended on their own: the longest time one top-level operation was seen
    /// pending, sampled every poll.
    pub longest_operation: Duration,
    /// Over the runs that ended on their own: the longest run, from its start to its end.
    pub longest_run: Duration,
    /// The smallest stall cap in force (the one closest to calling a slow run a deadlock).
    pub stall_cap: Duration,
    /// Runs stopped by a cap.
    pub capped: u64,
}

impl Stats {
    /// One line for a check's summary, or `None` when no run was watched.
    pub fn line(&self) -> Option<String> {
        if self.runs == 0 {
            return None;
        }
        let caps = Caps::from_stall(self.stall_cap);
        let ms = |d: Duration| format!("{} ms", d.as_millis());
        Some(format!(
            "threads watchdog: {} run(s), {} stopped by a cap; in the others, longest without progress \
             {} (deadlock at {}), longest operation pending {} (livelock at {}), longest run {} (cap \
             {}); progress sampled every {}",
            self.runs,
            self.capped,
            ms(self.longest_stall),
            ms(caps.stall),
            ms(self.longest_operation),
            ms(caps.operation),
            ms(self.longest_run),
            ms(caps.run),
            ms(POLL),
        ))
    }
}

/// How often the watchdog samples a run.
pub const POLL: Duration = Duration::from_millis(50);

static RUNS: AtomicU64 = AtomicU64::new(0);
static CAPPED: AtomicU64 = AtomicU64::new(0);
static LONGEST_STALL: AtomicU64 = AtomicU64::new(0);
static LONGEST_OPERATION: AtomicU64 = AtomicU64::new(0);
static LONGEST_RUN: AtomicU64 = AtomicU64::new(0);
static STALL_CAP: AtomicU64 = AtomicU64::new(u64::MAX);

/// What the watchdog has seen in this process so far.
pub fn stats() -> Stats {
    let d = |a: &AtomicU64| Duration::from_nanos(a.load(Ordering::Relaxed));
    let cap = STALL_CAP.load(Ordering::Relaxed);
    Stats {
        runs: RUNS.load(Ordering::Relaxed),
        longest_stall: d(&LONGEST_STALL),
        longest_operation: d(&LONGEST_OPERATION),
        longest_run: d(&LONGEST_RUN),
        stall_cap: if cap == u64::MAX {
            Duration::ZERO
        } else {
            Duration::from_nanos(cap)
        },
        capped: CAPPED.load(Ordering::Relaxed),
    }
}

fn note_max(a: &AtomicU64, d: Duration) {
    a.fetch_max(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX), Ordering::Relaxed);
}

/// Which cap a run hit, and what the driver was doing then.
pub(super) struct Stuck {
    pub phase: usize,
    pub cap: Cap,
}

pub(super) enum Cap {
    /// Nothing recorded for the stall cap.
    Stall(Duration),
    /// Thread `thread`'s top-level operation was pending for `after` (the operation cap or more)
    /// while the run went on recording `ticks` invocations and returns.
    Operation {
        thread: usize,
        ticks: u64,
        after: Duration,
    },
    /// The run as a whole.
    Run(Duration),
}

/// Waits for the run's end (`done`), sampling its progress every [`POLL`]; stops at the first cap
/// the run hits. `phase` is the driver's phase, which counts as progress when it changes.
pub(super) fn watch<T>(
    done: &Receiver<T>,
    rec: &Recorder,
    phase: &AtomicUsize,
    caps: Caps,
    disconnected: impl FnOnce() -> T,
) -> Result<T, Stuck> {
    STALL_CAP.fetch_min(
        u64::try_from(caps.stall.as_nanos()).unwrap_or(u64::MAX),
        Ordering::Relaxed,
    );
    let started = Instant::now();
    let poll = POLL.min(caps.stall);
    let mut seen = (rec.progress(), phase.load(Ordering::SeqCst));
    let mut since = started;
    // Per thread: the pending operation's position, when it was first seen, and the clock then.
    let mut open: Vec<Option<(usize, Instant, u64)>> = vec![None; rec.open().len()];
    // The longest stall and pending operation of this run, kept in the figures if the run ends.
    let (mut longest_stall, mut longest_operation) = (Duration::ZERO, Duration::ZERO);
    let result = loop {
        match done.recv_timeout(poll) {
            Ok(end) => break Ok(end),
            Err(RecvTimeoutError::Disconnected) => break Ok(disconnected()),
            Err(RecvTimeoutError::Timeout) => {}
        }
        let now_seen = (rec.progress(), phase.load(Ordering::SeqCst));
        let now = Instant::now();
        if now_seen != seen {
            seen = now_seen;
            since = now;
        }
        let stalled = since.elapsed();
        longest_stall = longest_stall.max(stalled);
        if stalled >= caps.stall {
            break Err(Stuck {
                phase: now_seen.1,
                cap: Cap::Stall(caps.stall),
            });
        }
        for (t, slot) in rec.open().into_iter().enumerate() {
            let Some(slot) = slot else {
                open[t] = None;
                continue;
            };
            let (_, first, clock) = match open[t] {
                Some(o) if o.0 == slot => o,
                _ => *open[t].insert((slot, now, now_seen.0)),
            };
            let pending = now.duration_since(first);
            longest_operation = longest_operation.max(pending);
            if pending >= caps.operation {
                return finish_watch(
                    started,
                    (longest_stall, longest_operation),
                    Err(Stuck {
                        phase: now_seen.1,
                        cap: Cap::Operation {
                            thread: t,
                            ticks: now_seen.0 - clock,
                            after: pending,
                        },
                    }),
                );
            }
        }
        if started.elapsed() >= caps.run {
            break Err(Stuck {
                phase: now_seen.1,
                cap: Cap::Run(caps.run),
            });
        }
    };
    finish_watch(started, (longest_stall, longest_operation), result)
}

/// Counts the run, and keeps its longest stall, pending operation and duration in the figures when
/// it ended on its own: a run stopped by a cap reached the cap, which says nothing about the margin.
fn finish_watch<T>(
    started: Instant,
    (stall, operation): (Duration, Duration),
    result: Result<T, Stuck>,
) -> Result<T, Stuck> {
    RUNS.fetch_add(1, Ordering::Relaxed);
    if result.is_err() {
        CAPPED.fetch_add(1, Ordering::Relaxed);
    } else {
        note_max(&LONGEST_STALL, stall);
        note_max(&LONGEST_OPERATION, operation);
        note_max(&LONGEST_RUN, started.elapsed());
    }
    result
}

/// What the driver is doing; a cap hit outside the model threads' operations is named by it.
pub(super) const SETUP: usize = 0;
pub(super) const RUNNING: usize = 1;
pub(super) const FINISHING: usize = 2;
pub(super) const SETTLING: usize = 3;
const PHASES: [&str; 4] = [
    "creating the map and inserting its initial contents",
    "running the model threads",
    "reading the footprint, reclaiming and dropping the map",
    "running the structure's settle step after the drop",
];

/// The liveness failure of a run stopped by a cap: what every thread was doing (its pending
/// operation, or the last one it finished) when the watchdog gave up on it. A stall is a deadlock;
/// an operation or run over its cap while the run went on is a runaway loop, the step-bound oracle
/// of the model-checking engines.
pub(super) fn failure(history: &History, threads: usize, stuck: Stuck) -> Failure {
    let mut parts = Vec::new();
    let mut evidence = Vec::new();
    let describe = |e: &Event| match &e.ret {
        Some(r) => format!("{} -> {r}", e.op),
        None => e.op.to_string(),
    };
    for t in 0..threads {
        let mine: Vec<&Event> = history.events.iter().filter(|e| e.thread == t).collect();
        let pending: Vec<&Event> = mine.iter().copied().filter(|e| e.ret.is_none()).collect();
        let text = if !pending.is_empty() {
            evidence.extend(pending.iter().map(|e| e.id));
            let inside: Vec<String> = pending.iter().map(|e| e.op.to_string()).collect();
            let before = mine
                .iter()
                .rev()
                .find(|e| e.ret.is_some() && e.parent.is_none())
                .map(|e| format!(", after {}", describe(e)))
                .unwrap_or_default();
            format!("T{t} blocked in {}{before}", inside.join(" > "))
        } else {
            match mine.last() {
                Some(e) => format!("T{t} done, last {}", describe(e)),
                None => format!("T{t} never started"),
            }
        };
        parts.push(text);
    }
    let phase = PHASES.get(stuck.phase).copied().unwrap_or("running");
    let threads_text = if parts.is_empty() {
        "no operation was recorded".to_string()
    } else {
        parts.join("; ")
    };
    let (oracle, what) = match stuck.cap {
        Cap::Stall(cap) => (
            Oracle::Deadlock,
            format!(
                "deadlock or livelock on real threads: no operation started or finished for {cap:?} \
                 while {phase}"
            ),
        ),
        Cap::Operation { thread, ticks, after } => (
            Oracle::StepBound,
            format!(
                "livelock on real threads: an operation of T{thread} was still running after \
                 {:.1}s while the run recorded {ticks} invocation(s) and return(s) meanwhile",
                after.as_secs_f64()
            ),
        ),
        Cap::Run(cap) => (
            Oracle::StepBound,
            format!("the run did not finish within its wall-clock cap of {cap:?} while {phase}"),
        ),
    };
    Failure {
        oracle,
        summary: format!("{what}; {threads_text}"),
        evidence,
        linearization: None,
    }
}

#[cfg(test)]
mod tests {
    //! Which cap stops a run, with caps small enough for a test; the thread engine's own caps are
    //! the same code with the budget's values.

    use super::*;
    use crate::history::Op;
    use crate::structure::{Key, Map, Value};
    use std::ops::ControlFlow;
    use std::sync::atomic::AtomicBool;
    use std::sync::mpsc::channel;
    use std::sync::Arc;

    /// A map whose `get` of key 0 never returns (until `release`), and whose other calls return
    /// at once.
    #[derive(Default)]
    struct Blocking {
        release: AtomicBool,
    }

    impl Map for Blocking {
        fn insert(&self, _: Key, _: Value) -> Option<Value> {
            None
        }
        fn remove(&self, _: Key) -> Option<Value> {
            None
        }
        fn get(&self, k: Key) -> Option<Value> {
            while k == 0 && !self.release.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(1));
            }
            None
        }
        fn len(&self) -> usize {
            0
        }
        fn clear(&self) {}
        fn iterate(&self, _: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {}
    }

    fn caps(stall_ms: u64, operation_ms: u64, run_ms: u64) -> Caps {
        Caps {
            stall: Duration::from_millis(stall_ms),
            operation: Duration::from_millis(operation_ms),
            run: Duration::from_millis(run_ms),
        }
    }

    /// Runs thread 0's operations (`stuck`: a `get(0)` that never returns) and thread 1's (a `get(1)`
    /// every millisecond until released) under the watchdog with `caps`.
    fn watched(stuck: bool, ticking: bool, caps: Caps) -> Result<(), Stopped> {
        let rec = Recorder::new(2);
        let map = Arc::new(Blocking::default());
        let (tx, rx) = channel::<()>();
        let phase = AtomicUsize::new(RUNNING);
        let mut handles = Vec::new();
        if stuck {
            let (rec, map) = (rec.clone(), map.clone());
            handles.push(std::thread::spawn(move || {
                rec.apply(0, &*map, Op::Get { key: 0 });
            }));
        }
        if ticking {
            let (rec, map) = (rec.clone(), map.clone());
            handles.push(std::thread::spawn(move || {
                while !map.release.load(Ordering::SeqCst) {
                    rec.apply(1, &*map, Op::Get { key: 1 });
                    std::thread::sleep(Duration::from_millis(1));
                }
            }));
        }
        if !stuck && !ticking {
            tx.send(()).unwrap();
        }
        let r = watch(&rx, &rec, &phase, caps, || ());
        map.release.store(true, Ordering::SeqCst);
        for h in handles {
            h.join().unwrap();
        }
        drop(tx);
        r.map_err(|s| match s.cap {
            Cap::Stall(_) => Stopped::Stall,
            Cap::Operation { thread, .. } => Stopped::Operation(thread),
            Cap::Run(_) => Stopped::Run,
        })
    }

    #[derive(Debug, PartialEq, Eq)]
    enum Stopped {
        Stall,
        Operation(usize),
        Run,
    }

    #[test]
    fn a_run_that_ends_is_not_stopped() {
        assert_eq!(watched(false, false, caps(100, 100, 100)), Ok(()));
    }

    #[test]
    fn a_run_where_nothing_happens_is_a_stall() {
        assert_eq!(
            watched(true, false, caps(100, 10_000, 10_000)),
            Err(Stopped::Stall)
        );
    }

    #[test]
    fn one_operation_pending_while_others_tick_hits_the_operation_cap() {
        assert_eq!(
            watched(true, true, caps(5_000, 200, 10_000)),
            Err(Stopped::Operation(0))
        );
    }

    #[test]
    fn a_run_that_keeps_ticking_hits_the_run_cap() {
        assert_eq!(watched(false, true, caps(5_000, 5_000, 300)), Err(Stopped::Run));
    }

    #[test]
    fn the_caps_grow_with_the_budget_within_bounds() {
        let of = |secs| {
            Caps::for_limits(Limits {
                budget: Duration::from_secs(secs),
                ..Limits::default()
            })
        };
        assert_eq!(of(1).stall, Duration::from_secs(2), "never under two seconds");
        assert_eq!(of(8).stall, Duration::from_secs(4));
        assert_eq!(of(100).stall, Duration::from_secs(10), "never over ten seconds");
        for secs in [1, 8, 100] {
            let c = of(secs);
            assert!(c.stall < c.operation && c.operation < c.run, "{c:?}");
        }
    }
}

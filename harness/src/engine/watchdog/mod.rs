//! The real-thread engine's watchdog: every run on OS threads has caps, so that no structure can
//! hang the check, and the watchdog keeps figures of how close correct runs came to them.
//!
//! Three caps, all derived from the exploration's budget (see [`Caps::for_limits`]):
//!
//! - **stall**: no operation started or finished, and the harness took no step of its own, for
//!   this long. A deadlock: every thread is blocked, or spinning without recording anything.
//! - **operation**: one top-level operation pending for this long while the run went on recording
//!   others (a livelock that keeps ticking the clock: an iteration that deletes and reinserts for
//!   ever, a retry loop another thread keeps failing). An iteration that keeps calling its visitor
//!   is cut shorter still, by the recorder's visit bound.
//! - **run**: the whole run, from the map's creation to its settle step.
//!
//! The caps count only the time the run's threads could run (see [`clock`]): a process that is
//! frozen, or whose threads wait for a CPU behind other work, is not stalled, however long that
//! lasts. So a correct run on a loaded machine is never called a deadlock, and the caps need no
//! margin for the load: they stretch with it.
//!
//! A stall is blamed on the structure only when its code runs: an operation is pending, or the
//! driver is inside the structure's creation, footprint, reclamation, drop or settle step. A stall
//! anywhere else is in the harness's own hand-off between its threads (a worker's end reaching the
//! driver, a settle step handed to a worker), which no structure can block: it makes the
//! exploration unknown, never a failure of the structure.
//!
//! [`stats`] gives the longest stall, operation and run the watchdog has seen in this process,
//! where the longest stall sat, and the longest time the run was held up by the machine; `mapcheck
//! check` prints them, so the margin is measured rather than assumed.

mod clock;
#[cfg(test)]
mod tests;

pub(crate) use clock::{Clock, Interval, Tid};

use crate::history::{Event, History, Recorder};
use crate::verdict::{Failure, Oracle};
use crate::Limits;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Mutex;
use std::time::Duration;

/// The caps of one run, in time the run's threads could run.
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
    /// Half the budget for a stall, at least two seconds and at most ten; twice that for one
    /// operation; four times that for a run.
    pub fn for_limits(limits: Limits) -> Caps {
        Caps::from_stall((limits.budget / 2).clamp(Duration::from_secs(2), Duration::from_secs(10)))
    }

    /// The caps with this stall cap: twice it for one operation, eight times it for a run.
    pub fn from_stall(stall: Duration) -> Caps {
        Caps {
            stall,
            operation: stall * 2,
            run: stall * 8,
        }
    }
}

/// Fixed caps for every real-thread run in this process, in place of those derived from each
/// exploration's budget; `None` (the default) goes back to those. For a test that wants a hang
/// caught quickly, or a stall cap far below the default to show the margin.
pub fn set_caps(caps: Option<Caps>) {
    *CAPS.lock().unwrap_or_else(|e| e.into_inner()) = caps;
}

static CAPS: Mutex<Option<Caps>> = Mutex::new(None);

/// The caps of a run of an exploration with `limits`: those set by [`set_caps`], or
/// [`Caps::for_limits`].
pub(crate) fn caps(limits: Limits) -> Caps {
    CAPS.lock()
        .unwrap_or_else(|e| e.into_inner())
        .unwrap_or_else(|| Caps::for_limits(limits))
}

/// What the watchdog saw, over every run on real threads in this process. Every duration but
/// [`Stats::longest_held`] counts only the time the run's threads could run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Runs watched, those stopped by a cap included.
    pub runs: u64,
    /// Over the runs that ended on their own: the longest time without any operation starting or
    /// finishing and without a step of the harness, sampled every poll.
    pub longest_stall: Duration,
    /// Where that longest stall sat: in an operation, in structure code outside the operations,
    /// or in the harness's hand-off, and the driver's phase.
    pub longest_stall_at: &'static str,
    /// Over the runs that ended on their own: the longest time one top-level operation was seen
    /// pending, sampled every poll.
    pub longest_operation: Duration,
    /// Over the runs that ended on their own: the longest run, from its start to its end.
    pub longest_run: Duration,
    /// Over every run: the longest poll for which the run was held up by the machine (the process
    /// frozen, or its threads waiting for a CPU), in wall time. No cap counts it.
    pub longest_held: Duration,
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
        let at = if self.longest_stall_at.is_empty() {
            String::new()
        } else {
            format!(", {}", self.longest_stall_at)
        };
        Some(format!(
            "threads watchdog: {} run(s), {} stopped by a cap; in the others, longest without progress \
             {} (deadlock at {}{at}), longest operation pending {} (livelock at {}), longest run {} \
             (cap {}); counted while the threads could run: the machine held a run up for at most \
             {} at a time (frozen, or waiting for a CPU), never counted; progress sampled every {}",
            self.runs,
            self.capped,
            ms(self.longest_stall),
            ms(caps.stall),
            ms(self.longest_operation),
            ms(caps.operation),
            ms(self.longest_run),
            ms(caps.run),
            ms(self.longest_held),
            ms(POLL),
        ))
    }
}

/// How often the watchdog samples a run.
pub const POLL: Duration = Duration::from_millis(50);

static STATS: Mutex<Stats> = Mutex::new(Stats {
    runs: 0,
    longest_stall: Duration::ZERO,
    longest_stall_at: "",
    longest_operation: Duration::ZERO,
    longest_run: Duration::ZERO,
    longest_held: Duration::ZERO,
    stall_cap: Duration::MAX,
    capped: 0,
});

/// What the watchdog has seen in this process so far.
pub fn stats() -> Stats {
    let mut s = *STATS.lock().unwrap_or_else(|e| e.into_inner());
    if s.stall_cap == Duration::MAX {
        s.stall_cap = Duration::ZERO;
    }
    s
}

/// What the pooled threads of one run tell the watchdog besides the history: the driver's phase,
/// the harness's own steps (a worker done, its end collected, a settle step handed over), and
/// whether structure code runs outside the recorded operations.
#[derive(Debug)]
pub(crate) struct RunState {
    phase: AtomicUsize,
    steps: AtomicU64,
    inside: AtomicUsize,
}

impl Default for RunState {
    fn default() -> Self {
        RunState {
            phase: AtomicUsize::new(STARTING),
            steps: AtomicU64::new(0),
            inside: AtomicUsize::new(0),
        }
    }
}

impl RunState {
    /// The driver enters `phase`; a step of its own.
    pub(crate) fn enter(&self, phase: usize) {
        self.phase.store(phase, Ordering::SeqCst);
        self.step();
    }

    /// A step of the harness: progress, though no operation started or finished.
    pub(crate) fn step(&self) {
        self.steps.fetch_add(1, Ordering::SeqCst);
    }

    /// Runs `f`, structure code outside the recorded operations (creation, the initial contents,
    /// the footprint, reclamation, the drop, a settle step): a stall meanwhile is the structure's.
    pub(crate) fn inside<T>(&self, f: impl FnOnce() -> T) -> T {
        self.shift(1, f)
    }

    /// Runs `f`, harness code waiting on another thread, from within [`RunState::inside`]: a stall
    /// meanwhile is in the hand-off, unless the other thread runs structure code.
    pub(crate) fn outside<T>(&self, f: impl FnOnce() -> T) -> T {
        self.shift(-1, f)
    }

    fn shift<T>(&self, by: isize, f: impl FnOnce() -> T) -> T {
        struct Back<'a>(&'a AtomicUsize, isize);
        impl Drop for Back<'_> {
            fn drop(&mut self) {
                self.0.fetch_add(self.1.wrapping_neg() as usize, Ordering::SeqCst);
            }
        }
        self.inside.fetch_add(by as usize, Ordering::SeqCst);
        let _back = Back(&self.inside, by);
        f()
    }
}

/// What the watchdog reads from a run at each poll.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sample {
    /// The poll's wall time, and how much of it the machine held the run up.
    pub interval: Interval,
    /// Invocations and returns recorded, and the harness's own steps, so far.
    pub progress: (u64, u64),
    /// The driver's phase.
    pub phase: usize,
    /// Each model thread's pending top-level operation (its position in the thread's log).
    pub open: Vec<Option<usize>>,
    /// Whether structure code runs outside the recorded operations.
    pub inside: bool,
}

impl Sample {
    /// Reads `rec` and `run` now; `interval` is the poll that ended.
    pub(crate) fn read(interval: Interval, rec: &Recorder, run: &RunState) -> Sample {
        // The steps before the recorder: a worker counts its step after its last return, so a
        // run read in between shows progress either way.
        let steps = run.steps.load(Ordering::SeqCst);
        Sample {
            interval,
            progress: (rec.progress(), steps),
            phase: run.phase.load(Ordering::SeqCst),
            open: rec.open(),
            inside: run.inside.load(Ordering::SeqCst) > 0,
        }
    }

    /// Where the run stands: in an operation, in structure code, or in the harness's hand-off.
    fn culprit(&self) -> Culprit {
        if self.open.iter().any(Option::is_some) {
            Culprit::Operation
        } else if self.inside {
            Culprit::Structure
        } else {
            Culprit::Handoff
        }
    }
}

/// Whose code a run was in when the watchdog looked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Culprit {
    /// A model thread's operation was pending.
    Operation,
    /// The driver (or a worker, for a settle step) ran the structure's code outside the operations.
    Structure,
    /// Only the harness: one of its threads was handing work or a result to another.
    Handoff,
}

/// The caps of one run applied sample by sample, with no clock of its own: the loop in [`watch`]
/// feeds it what it reads, and a test feeds it samples it makes up.
#[derive(Debug)]
pub(crate) struct Watch {
    caps: Caps,
    /// Time the run's threads could run, since the run started.
    counted: Duration,
    seen: (u64, u64),
    /// `counted` when `seen` last changed.
    since: Duration,
    /// Per thread: the pending operation's position, `counted` when it was first seen, and the
    /// recorder's clock then.
    open: Vec<Option<(usize, Duration, u64)>>,
    longest_stall: (Duration, &'static str),
    longest_operation: Duration,
    longest_held: Duration,
}

impl Watch {
    pub(crate) fn new(caps: Caps) -> Watch {
        Watch {
            caps,
            counted: Duration::ZERO,
            seen: (0, 0),
            since: Duration::ZERO,
            open: Vec::new(),
            longest_stall: (Duration::ZERO, ""),
            longest_operation: Duration::ZERO,
            longest_held: Duration::ZERO,
        }
    }

    /// Takes one sample; the first cap the run has hit, if any.
    pub(crate) fn sample(&mut self, s: &Sample) -> Result<(), Stuck> {
        self.longest_held = self.longest_held.max(s.interval.held);
        self.counted += s.interval.counted();
        if s.progress != self.seen {
            self.seen = s.progress;
            self.since = self.counted;
        }
        let stalled = self.counted - self.since;
        let culprit = s.culprit();
        if stalled > self.longest_stall.0 {
            self.longest_stall = (stalled, describe(culprit, s.phase));
        }
        if stalled >= self.caps.stall {
            return Err(Stuck {
                phase: s.phase,
                cap: Cap::Stall(self.caps.stall),
                culprit,
            });
        }
        self.open.resize(s.open.len(), None);
        for (t, slot) in s.open.iter().enumerate() {
            let Some(slot) = *slot else {
                self.open[t] = None;
                continue;
            };
            let (_, first, clock) = match self.open[t] {
                Some(o) if o.0 == slot => o,
                _ => *self.open[t].insert((slot, self.counted, s.progress.0)),
            };
            let pending = self.counted - first;
            self.longest_operation = self.longest_operation.max(pending);
            if pending >= self.caps.operation {
                return Err(Stuck {
                    phase: s.phase,
                    cap: Cap::Operation {
                        thread: t,
                        ticks: s.progress.0 - clock,
                        after: pending,
                    },
                    culprit: Culprit::Operation,
                });
            }
        }
        if self.counted >= self.caps.run {
            return Err(Stuck {
                phase: s.phase,
                cap: Cap::Run(self.caps.run),
                culprit,
            });
        }
        Ok(())
    }

    /// The part of a poll in which the run ended: counted towards its length, never a cap.
    pub(crate) fn finish(&mut self, interval: Interval) {
        self.longest_held = self.longest_held.max(interval.held);
        self.counted += interval.counted();
    }

    /// Counts the run in this process's figures, and keeps its longest stall, pending operation
    /// and length when it ended on its own (`capped` false): a run stopped by a cap reached the
    /// cap, which says nothing about the margin. The machine's longest hold-up is kept either way.
    pub(crate) fn record(&self, capped: bool) {
        let mut st = STATS.lock().unwrap_or_else(|e| e.into_inner());
        st.runs += 1;
        st.stall_cap = st.stall_cap.min(self.caps.stall);
        st.longest_held = st.longest_held.max(self.longest_held);
        if capped {
            st.capped += 1;
            return;
        }
        if self.longest_stall.0 > st.longest_stall {
            (st.longest_stall, st.longest_stall_at) = self.longest_stall;
        }
        st.longest_operation = st.longest_operation.max(self.longest_operation);
        st.longest_run = st.longest_run.max(self.counted);
    }
}

/// Which cap a run hit, what the driver was doing then, and whose code the run was in.
#[derive(Debug)]
pub(crate) struct Stuck {
    pub phase: usize,
    pub cap: Cap,
    pub culprit: Culprit,
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Cap {
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

/// Waits for the run's end (`done`), sampling its progress every [`POLL`] through `clock`; stops
/// at the first cap the run hits.
pub(crate) fn watch<T>(
    done: &Receiver<T>,
    rec: &Recorder,
    run: &RunState,
    caps: Caps,
    clock: &mut Clock,
    disconnected: impl FnOnce() -> T,
) -> Result<T, Stuck> {
    let poll = POLL.min(caps.stall);
    let mut watch = Watch::new(caps);
    let result = loop {
        let ended = match done.recv_timeout(poll) {
            Ok(end) => Some(Ok(end)),
            Err(RecvTimeoutError::Disconnected) => Some(Err(())),
            Err(RecvTimeoutError::Timeout) => None,
        };
        if let Some(end) = ended {
            // The run ended within this poll: what it ran of it counts towards its length.
            watch.finish(clock.tick_partial());
            break Ok(end);
        }
        let sample = Sample::read(clock.tick(poll), rec, run);
        if let Err(stuck) = watch.sample(&sample) {
            break Err(stuck);
        }
    };
    watch.record(result.is_err());
    result.map(|end| end.unwrap_or_else(|()| disconnected()))
}

/// What the driver is doing; a cap hit outside the model threads' operations is named by it.
pub(crate) const STARTING: usize = 0;
pub(crate) const SETUP: usize = 1;
pub(crate) const RUNNING: usize = 2;
pub(crate) const FINISHING: usize = 3;
pub(crate) const SETTLING: usize = 4;
const PHASES: [&str; 5] = [
    "handing the run to the driver thread",
    "creating the map and inserting its initial contents",
    "running the model threads",
    "reading the footprint, reclaiming and dropping the map",
    "running the structure's settle step after the drop",
];

/// Where a stall sat, for the figures: whose code, and the driver's phase.
fn describe(culprit: Culprit, phase: usize) -> &'static str {
    const STRUCTURE: [&str; 5] = [
        "in the structure's code, handing the run to the driver thread",
        "in the structure's code, creating the map and inserting its initial contents",
        "in the structure's code, running the model threads",
        "in the structure's code, reading the footprint, reclaiming and dropping the map",
        "in the structure's code, running its settle step after the drop",
    ];
    const HANDOFF: [&str; 5] = [
        "in the harness's hand-off, handing the run to the driver thread",
        "in the harness's hand-off, creating the map",
        "in the harness's hand-off between the model threads and the driver",
        "in the harness's hand-off, reading the footprint and dropping the map",
        "in the harness's hand-off, running the settle step on every thread",
    ];
    let phase = phase.min(PHASES.len() - 1);
    match culprit {
        Culprit::Operation => "in an operation",
        Culprit::Structure => STRUCTURE[phase],
        Culprit::Handoff => HANDOFF[phase],
    }
}

/// Why an exploration stopped without a verdict when a run stalled in the harness's own hand-off
/// (no operation pending, no structure code running): not a failure of the structure.
pub(crate) fn handoff_reason(stuck: &Stuck) -> String {
    let cap = match stuck.cap {
        Cap::Stall(d) | Cap::Run(d) => d,
        Cap::Operation { after, .. } => after,
    };
    format!(
        "a run stopped making progress for {cap:?} of time its threads could run, {}, with no \
         operation pending and no structure code running; no structure can block there, so the run \
         has no verdict",
        describe(Culprit::Handoff, stuck.phase)
    )
}

/// The liveness failure of a run stopped by a cap: what every thread was doing (its pending
/// operation, or the last one it finished) when the watchdog gave up on it. A stall is a deadlock;
/// an operation or run over its cap while the run went on is a runaway loop, the step-bound oracle
/// of the model-checking engines.
pub(crate) fn failure(history: &History, threads: usize, stuck: Stuck) -> Failure {
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
                 of time the threads could run, while {phase}"
            ),
        ),
        Cap::Operation { thread, ticks, after } => (
            Oracle::StepBound,
            format!(
                "livelock on real threads: an operation of T{thread} was still running after \
                 {after:.1?} of time its thread could run, while the run recorded {ticks} \
                 invocation(s) and return(s) meanwhile"
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

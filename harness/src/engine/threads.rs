//! The real-thread engine: many seeded runs on OS threads, released together, with random yields
//! and short spins between operations.
//!
//! One exploration keeps a pool of OS threads (one per model thread, plus a driver) and reuses them
//! for every run, so a run costs a few channel messages rather than thread creation. In each run the
//! driver creates the map and inserts the initial contents, hands every worker its operations, and
//! the workers wait at a barrier so that they start at once; then the driver joins them, reads the
//! footprint, runs the reclamation step and drops the map. The calling thread watches the run: when
//! no operation starts or finishes for [`hang_timeout`], the run is a liveness failure whose
//! evidence names what every thread was doing (real threads cannot be cancelled, so the pool is
//! abandoned and the exploration stops).
//!
//! For a third-party crate (an adapter) the leak oracle allows for what a crate keeps outside the
//! map: the pooled threads first use the crate on a throwaway map (thread-local state), bytes still
//! held after the drop are looked at again after every pooled thread has used the crate once more
//! (memory freed later by per-thread epoch collectors), and a leak counts only if the same run,
//! done again, leaks again (process-wide tables that grow once, such as parking_lot's table of
//! parked threads). A leak that depends on a rare interleaving can therefore be missed.
//!
//! Real threads cannot be replayed step for step. A failure records its history (the failure record
//! keeps it for rechecking) and the seed and iteration that drove its jitter, so the same workload
//! can be run again under the same seed.

use super::{finish, judge_run, payload_message, setup, splitmix, thread_ops, FailedRun, Limits, Outcome};
use super::{Pinned, RunEnd, Unknowns, Workload};
use crate::history::{Event, History, Leaks, Recorder};
use crate::rt::Std;
use crate::structure::{Map, Structure};
use crate::verdict::{Failure, Oracle, Verdict};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

pub(super) fn explore<S: Structure>(
    workload: &Workload,
    seed: u64,
    limits: Limits,
    replay: Option<usize>,
) -> Outcome {
    let started = Instant::now();
    let range = match replay {
        Some(i) => i..i + 1,
        None => 0..limits.max_schedules,
    };
    let workload = Arc::new(workload.clone());
    let pool = Pool::new(workload.threads.len());
    if S::REAL_THREADS_ONLY {
        pool.warm_up::<S>();
    }
    let mut schedules = 0;
    let mut unknown = Unknowns::default();
    for iteration in range.clone() {
        if replay.is_none() && started.elapsed() > limits.budget {
            break;
        }
        schedules += 1;
        let (verdict, history) = match one_run::<S>(&pool, &workload, seed, iteration, limits) {
            Ok(run) => run,
            Err(hang) => return outcome(hang.verdict.clone(), schedules, &unknown, Some(*hang)),
        };
        if is_leak(&verdict)
            && S::REAL_THREADS_ONLY
            && !leaks_again::<S>(&pool, &workload, seed, iteration, limits)
        {
            // The bytes were a crate's process-wide state, grown once (parking_lot's table of
            // parked threads grows the first time a new thread parks), not the map's.
            continue;
        }
        if verdict.is_fail() {
            let failure = FailedRun {
                verdict: verdict.clone(),
                history,
                pinned: Pinned::Threads { iteration },
            };
            return outcome(verdict, schedules, &unknown, Some(failure));
        }
        unknown.note(&verdict);
    }
    // Real threads have no space to exhaust: however many runs pass, the cell is never `all`.
    outcome(unknown.verdict(schedules), schedules, &unknown, None)
}

fn is_leak(v: &Verdict) -> bool {
    matches!(v, Verdict::Fail(f) if f.oracle == Oracle::Leak)
}

/// Whether the same run, done again, leaks again (twice at most): a map that keeps memory keeps it
/// every time, a crate's process-wide state is allocated once.
fn leaks_again<S: Structure>(
    pool: &Pool,
    workload: &Arc<Workload>,
    seed: u64,
    iteration: usize,
    limits: Limits,
) -> bool {
    (0..2).all(|_| match one_run::<S>(pool, workload, seed, iteration, limits) {
        Ok((v, _)) => is_leak(&v),
        Err(_) => true,
    })
}

/// One run, judged; a hang comes back as its failure.
fn one_run<S: Structure>(
    pool: &Pool,
    workload: &Arc<Workload>,
    seed: u64,
    iteration: usize,
    limits: Limits,
) -> Result<(Verdict, History), Box<FailedRun>> {
    let rec = Recorder::new(workload.threads.len());
    let mut s = seed ^ (iteration as u64);
    let jitter = splitmix(&mut s);
    let phase = Arc::new(AtomicUsize::new(SETUP));
    let done = pool.start::<S>(workload, &rec, jitter, &phase);
    let end = match watch(&done, &rec, &phase, hang_timeout(limits)) {
        Ok(end) => end,
        Err(stuck) => {
            // The hung threads cannot be cancelled; the pool is left to them.
            let history = rec.history(workload.initial.clone());
            let failure = hang_failure(&history, workload.threads.len(), stuck, hang_timeout(limits));
            return Err(Box::new(FailedRun {
                verdict: Verdict::Fail(failure),
                history,
                pinned: Pinned::Threads { iteration },
            }));
        }
    };
    let mut leaks = end.leaks;
    if S::REAL_THREADS_ONLY && leaks.is_some_and(|l| l.bytes > 0) {
        // A crate that frees through per-thread epoch collectors frees what a thread retired when
        // that thread goes on using it; let every pooled thread do so, then look again.
        let mut left = rec.scope.live();
        for _ in 0..SETTLE_ROUNDS {
            if left.0 == 0 {
                break;
            }
            pool.settle::<S>();
            left = rec.scope.live();
        }
        let (bytes, allocations) = left;
        leaks = leaks.map(|l| Leaks {
            bytes,
            allocations,
            ..l
        });
    }
    rec.scope.close();
    let mut history = rec.history(workload.initial.clone());
    history.quiescence = end.quiescence;
    history.leaks = leaks;
    let verdict = judge_run::<S>(&history, end.panic.as_deref(), &limits, &mut Default::default());
    Ok((verdict, history))
}

/// How many times every pooled thread uses the crate again before leftover bytes count as a leak.
const SETTLE_ROUNDS: usize = 3;

/// How long a run may go without any operation starting or finishing before it counts as hung:
/// half the budget, at least two seconds (a loaded machine may stall threads for a while) and at
/// most ten.
pub(crate) fn hang_timeout(limits: Limits) -> Duration {
    (limits.budget / 2).clamp(Duration::from_secs(2), Duration::from_secs(10))
}

/// What the driver is doing; a hang outside the model threads' operations is named by it.
const SETUP: usize = 0;
const RUNNING: usize = 1;
const FINISHING: usize = 2;
const PHASES: [&str; 3] = [
    "creating the map and inserting its initial contents",
    "running the model threads",
    "reading the footprint, reclaiming and dropping the map",
];

/// A unit of work for a pooled thread.
type Job = Box<dyn FnOnce() + Send>;

/// OS threads kept for the whole exploration: `workers[t]` runs model thread `t`, `driver` runs the
/// run around them.
struct Pool {
    driver: Sender<Job>,
    workers: Arc<Vec<Sender<Job>>>,
}

impl Pool {
    fn new(threads: usize) -> Pool {
        Pool {
            driver: pooled_thread("mapcheck-driver".into()),
            workers: Arc::new(
                (0..threads)
                    .map(|t| pooled_thread(format!("mapcheck-worker-{t}")))
                    .collect(),
            ),
        }
    }

    /// Has every pooled thread use a throwaway map once, outside any run's allocation scope: what a
    /// third-party crate allocates once per thread on first use (an epoch collector's thread-local
    /// state) is then not blamed on the first run as a leak.
    fn warm_up<S: Structure>(&self) {
        for tx in self.threads() {
            let _ = tx.send(Box::new(use_once::<S>));
        }
    }

    /// Has every pooled thread use a throwaway map, as a long-lived thread would go on using the
    /// crate, and waits until all have: a crate whose threads free deferred memory as they go (epoch
    /// collectors) has then freed what the last run retired.
    fn settle<S: Structure>(&self) {
        let (tx, rx) = channel();
        let mut sent = 0;
        for worker in self.threads() {
            let tx = tx.clone();
            let job: Job = Box::new(move || {
                use_once::<S>();
                let _ = tx.send(());
            });
            sent += usize::from(worker.send(job).is_ok());
        }
        drop(tx);
        for _ in 0..sent {
            if rx.recv_timeout(Duration::from_secs(10)).is_err() {
                return;
            }
        }
    }

    fn threads(&self) -> impl Iterator<Item = &Sender<Job>> {
        std::iter::once(&self.driver).chain(self.workers.iter())
    }

    /// Starts one run; its end arrives on the returned channel.
    fn start<S: Structure>(
        &self,
        workload: &Arc<Workload>,
        rec: &Arc<Recorder>,
        jitter: u64,
        phase: &Arc<AtomicUsize>,
    ) -> Receiver<RunEnd> {
        let (tx, rx) = channel();
        let (workload, rec, phase, workers) =
            (workload.clone(), rec.clone(), phase.clone(), self.workers.clone());
        let job: Job = Box::new(move || {
            let map = setup::<Std, S>(&workload, &rec);
            let n = workload.threads.len();
            let barrier = Arc::new(Barrier::new(n));
            let (done_tx, done_rx) = channel::<Option<String>>();
            phase.store(RUNNING, Ordering::SeqCst);
            for (t, worker) in workers.iter().enumerate() {
                let (map, rec, barrier, done_tx, workload) = (
                    map.clone(),
                    rec.clone(),
                    barrier.clone(),
                    done_tx.clone(),
                    workload.clone(),
                );
                let job: Job = Box::new(move || {
                    barrier.wait();
                    let r = catch_unwind(AssertUnwindSafe(|| {
                        thread_ops::<Std, _>(t, &workload.threads[t], &*map, &rec, Some(jitter))
                    }));
                    crate::alloc::untracked(|| drop(map));
                    let _ = done_tx.send(r.err().map(|p| payload_message(&*p)));
                });
                if worker.send(job).is_err() {
                    return;
                }
            }
            drop(done_tx);
            let mut panic = None;
            for _ in 0..n {
                match done_rx.recv() {
                    Ok(Some(msg)) => {
                        panic.get_or_insert(msg);
                    }
                    Ok(None) => {}
                    Err(_) => return,
                }
            }
            phase.store(FINISHING, Ordering::SeqCst);
            let _ = tx.send(finish(map, &rec, panic));
        });
        // A closed channel means the driver died; the watcher then sees the run end without a result.
        let _ = self.driver.send(job);
        rx
    }
}

/// Every operation once on a throwaway map, outside any allocation scope.
fn use_once<S: Structure>() {
    let _ = catch_unwind(|| {
        let m = S::new::<Std>();
        m.insert(1, 1);
        m.get(1);
        m.len();
        m.iterate(&mut |_, _| std::ops::ControlFlow::Continue(()));
        m.remove(1);
        m.clear();
        m.footprint();
    });
}

/// A thread that runs the jobs it is sent, one after another, until its channel closes. Its panics
/// are caught per job and reach the harness as messages, not through the terminal.
fn pooled_thread(name: String) -> Sender<Job> {
    let (tx, rx) = channel::<Job>();
    let spawned = std::thread::Builder::new().name(name).spawn(move || {
        crate::quiet::quiet_thread();
        while let Ok(job) = rx.recv() {
            job();
        }
    });
    if let Err(e) = spawned {
        // Without the thread the run never starts, and the watcher reports why.
        eprintln!("mapcheck: could not start a thread for the real-thread engine: {e}");
    }
    tx
}

/// How a hung run stood when the watcher gave up on it.
struct Stuck {
    phase: usize,
}

/// Waits for the run's end; fails when no operation starts or finishes for `timeout`.
fn watch(
    done: &Receiver<RunEnd>,
    rec: &Recorder,
    phase: &AtomicUsize,
    timeout: Duration,
) -> Result<RunEnd, Stuck> {
    let poll = Duration::from_millis(50).min(timeout);
    let mut seen = (rec.progress(), phase.load(Ordering::SeqCst));
    let mut since = Instant::now();
    loop {
        match done.recv_timeout(poll) {
            Ok(end) => return Ok(end),
            Err(RecvTimeoutError::Disconnected) => {
                return Ok(RunEnd {
                    panic: Some("the run's driver thread stopped without a result".into()),
                    quiescence: None,
                    leaks: None,
                })
            }
            Err(RecvTimeoutError::Timeout) => {
                let now = (rec.progress(), phase.load(Ordering::SeqCst));
                if now != seen {
                    seen = now;
                    since = Instant::now();
                } else if since.elapsed() >= timeout {
                    return Err(Stuck { phase: now.1 });
                }
            }
        }
    }
}

/// The liveness failure of a hung run: what every thread was doing (its pending operation, or the
/// last one it finished) when the run stopped making progress.
fn hang_failure(history: &History, threads: usize, stuck: Stuck, timeout: Duration) -> Failure {
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
    Failure {
        oracle: Oracle::Deadlock,
        summary: format!(
            "deadlock or livelock on real threads: no operation started or finished for {:?} while {phase}; {}",
            timeout,
            if parts.is_empty() {
                "no operation was recorded".to_string()
            } else {
                parts.join("; ")
            }
        ),
        evidence,
        linearization: None,
    }
}

fn outcome(verdict: Verdict, schedules: usize, unknown: &Unknowns, failure: Option<FailedRun>) -> Outcome {
    Outcome {
        verdict,
        schedules,
        elapsed: Duration::ZERO,
        exhausted: false,
        unknown_runs: unknown.runs,
        diverged: None,
        failure,
    }
}

//! The real-thread engine: many seeded runs on OS threads, released together, with random yields
//! and short spins between operations.
//!
//! One exploration keeps a pool of OS threads (one per model thread, plus a driver) and reuses them
//! for every run, so a run costs a few channel messages rather than thread creation. In each run the
//! driver creates the map and inserts the initial contents, hands every worker its operations, and
//! the workers wait at a barrier so that they start at once; then the driver joins them, reads the
//! footprint, runs the reclamation step and drops the map. The calling thread watches the run: a
//! run that hits one of the watchdog's caps is a liveness failure whose evidence names what every
//! thread was doing (real threads cannot be cancelled, so the pool is abandoned and the exploration
//! stops).
//!
//! Every pooled thread runs the structure's declared per-thread settle step (and the first one its
//! process-wide step) before the first run, outside allocation tracking; after each run's drop, the
//! driver runs the declared after-drop step on itself and then on every worker, in rounds while the
//! run still holds memory (see [`crate::settle`]). What is left after that is a leak, reported on
//! the run where it happens: nothing is excused for not happening again.
//!
//! The [`watchdog`](super::watchdog) caps every run: a stall (a deadlock), one operation that runs
//! on while others progress (a livelock), and the whole run.
//!
//! Real threads cannot be replayed step for step. A failure records its history (the failure record
//! keeps it for rechecking) and the seed and iteration that drove its jitter
//! ([`derive_seed`]`(seed, iteration)`), so the same workload can be run again under the same seed.

use super::watchdog::{self, Caps, FINISHING, RUNNING, SETTLING, SETUP};
use super::{derive_seed, finish, judge_run, payload_message, prepare_failed, recorder, setup};
use super::{settle_rounds, thread_ops, FailedRun, Limits, Outcome, Pinned, RunEnd, Unknowns, Workload};
use crate::history::{History, Recorder};
use crate::rt::Std;
use crate::structure::Structure;
use crate::verdict::Verdict;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
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
    if let Err(msg) = pool.prepare::<S>(Caps::for_limits(limits).stall) {
        return prepare_failed(msg);
    }
    let mut schedules = 0;
    let mut unknown = Unknowns::default();
    for iteration in range.clone() {
        if replay.is_none() && started.elapsed() > limits.budget {
            break;
        }
        schedules += 1;
        let found = &mut unknown.findings;
        let (verdict, history) = match one_run::<S>(&pool, &workload, seed, iteration, limits, found) {
            Ok(run) => run,
            Err(hang) => return outcome(hang.verdict.clone(), schedules, &unknown, Some(*hang)),
        };
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

/// One run, judged; a hang comes back as its failure.
fn one_run<S: Structure>(
    pool: &Pool,
    workload: &Arc<Workload>,
    seed: u64,
    iteration: usize,
    limits: Limits,
    findings: &mut Vec<crate::verdict::Finding>,
) -> Result<(Verdict, History), Box<FailedRun>> {
    let rec = recorder::<S, crate::rt::Std>(workload);
    let jitter = derive_seed(seed, iteration as u64);
    let phase = Arc::new(AtomicUsize::new(SETUP));
    let done = pool.start::<S>(workload, &rec, jitter, &phase);
    let disconnected = || RunEnd {
        panic: Some("the run's driver thread stopped without a result".into()),
        quiescence: None,
        leaks: None,
    };
    let end = match watchdog::watch(&done, &rec, &phase, Caps::for_limits(limits), disconnected) {
        Ok(end) => end,
        Err(stuck) => {
            // The hung threads cannot be cancelled; the pool is left to them.
            let history = rec.history(workload.initial.clone());
            let failure = watchdog::failure(&history, workload.threads.len(), stuck);
            return Err(Box::new(FailedRun {
                verdict: Verdict::Fail(failure),
                history,
                pinned: Pinned::Threads { iteration },
            }));
        }
    };
    rec.scope.close();
    let mut history = rec.history(workload.initial.clone());
    history.quiescence = end.quiescence;
    history.leaks = end.leaks;
    let verdict = judge_run::<S>(
        &history,
        end.panic.as_deref(),
        &limits,
        &mut Default::default(),
        findings,
    );
    Ok((verdict, history))
}

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

    /// Runs the structure's declared process-wide step (once per process) and per-thread step on
    /// every pooled thread, outside allocation tracking, and waits for them; `within` bounds the
    /// wait for each thread.
    fn prepare<S: Structure>(&self, within: Duration) -> Result<(), String> {
        let settle = S::SETTLE;
        if settle.once.is_empty() && settle.per_thread.is_empty() {
            return Ok(());
        }
        // The driver goes first, so the process-wide step runs on it.
        for thread in self.threads() {
            let (tx, rx) = channel();
            let job: Job = Box::new(move || {
                let _ = tx.send(crate::settle::prepare(std::any::TypeId::of::<S>(), &settle));
            });
            thread
                .send(job)
                .map_err(|_| "a pooled thread stopped before the settle step".to_string())?;
            rx.recv_timeout(within).map_err(|_| {
                format!("the structure's declared settle step did not finish within {within:?}")
            })??;
        }
        Ok(())
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
            let end = finish(map, &rec, panic, |scope| {
                settle_rounds(scope, &S::SETTLE, || {
                    phase.store(SETTLING, Ordering::SeqCst);
                    settle_everywhere::<S>(&workers)
                })
            });
            let _ = tx.send(end);
        });
        // A closed channel means the driver died; the watcher then sees the run end without a result.
        let _ = self.driver.send(job);
        rx
    }
}

/// One round of the structure's after-drop settle step: on the calling thread (the driver, which
/// dropped the map), then on each worker in turn, waiting for each. A worker that does not come
/// back leaves the driver waiting, and the watchdog reports the stall while settling.
fn settle_everywhere<S: Structure>(workers: &[Sender<Job>]) -> Result<(), String> {
    crate::settle::after_drop(&S::SETTLE)?;
    for worker in workers {
        let (tx, rx) = channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(crate::settle::after_drop(&S::SETTLE));
        });
        if worker.send(job).is_err() {
            return Err("a worker thread stopped before the settle step".into());
        }
        rx.recv()
            .map_err(|_| "a worker thread stopped during the settle step".to_string())??;
    }
    Ok(())
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

fn outcome(verdict: Verdict, schedules: usize, unknown: &Unknowns, failure: Option<FailedRun>) -> Outcome {
    Outcome {
        verdict,
        schedules,
        elapsed: Duration::ZERO,
        exhausted: false,
        unknown_runs: unknown.runs,
        diverged: None,
        failure,
        findings: unknown.findings.clone(),
    }
}

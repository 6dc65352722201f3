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
//! on while others progress (a livelock), and the whole run, each counted in time the run's threads
//! could run (the pooled threads' ids let it read how long each waited for a CPU). Every hand-off
//! between the pooled threads (a worker done, its end collected, a settle step handed over) is a
//! step the watchdog sees, and the driver marks the structure code it runs outside the operations,
//! so that a stall is blamed on the structure only when its code runs.
//!
//! Real threads cannot be replayed step for step. A failure records its history (the failure record
//! keeps it for rechecking) and the seed and iteration that drove its jitter
//! ([`derive_seed`]`(seed, iteration)`), so the same workload can be run again under the same seed.

use super::watchdog::{self, Clock, RunState, Tid, FINISHING, RUNNING, SETTLING, SETUP};
use super::{derive_seed, finish, judge_run, payload_message, prepare_failed, recorder, setup};
use super::{
    settle_rounds, thread_ops, FailedRun, Limits, Outcome, Pinned, RunEnd, Subject, Unknowns, Workload,
};
use crate::history::{History, Recorder};
use crate::rt::Std;
use crate::settle::Settle;
use crate::verdict::Verdict;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

pub(super) fn explore(
    subject: &Subject,
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
    if let Err(msg) = pool.prepare(subject, watchdog::caps(limits).stall) {
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
        let (verdict, history) = match one_run(subject, &pool, &workload, seed, iteration, limits, found) {
            Run::Judged(verdict, history) => (verdict, history),
            Run::Hung(hang) => return outcome(hang.verdict.clone(), schedules, &unknown, Some(*hang)),
            Run::Lost(reason) => {
                // The pool may be stuck in its own hand-off: the exploration stops, without a
                // verdict, and says why.
                let mut unknown = unknown;
                unknown.runs += 1;
                let verdict = Verdict::Unknown { reason };
                return outcome(verdict, schedules, &unknown, None);
            }
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

/// How one run ended.
enum Run {
    /// It ended, and was judged.
    Judged(Verdict, History),
    /// It hit a cap in the structure's code: a liveness failure.
    Hung(Box<FailedRun>),
    /// It stalled in the harness's own hand-off: no verdict, and the pool cannot be trusted.
    Lost(String),
}

/// One run, judged; a hang comes back as its failure.
fn one_run(
    subject: &Subject,
    pool: &Pool,
    workload: &Arc<Workload>,
    seed: u64,
    iteration: usize,
    limits: Limits,
    findings: &mut Vec<crate::verdict::Finding>,
) -> Run {
    let rec = recorder::<crate::rt::Std>(subject, workload);
    let jitter = derive_seed(seed, iteration as u64);
    let run = Arc::new(RunState::default());
    let mut clock = Clock::new(&pool.tids);
    let done = pool.start(subject, workload, &rec, jitter, &run);
    let disconnected = || RunEnd {
        panic: Some("the run's driver thread stopped without a result".into()),
        quiescence: None,
        leaks: None,
    };
    let caps = watchdog::caps(limits);
    let end = match watchdog::watch(&done, &rec, &run, caps, &mut clock, disconnected) {
        Ok(end) => end,
        Err(stuck) if stuck.culprit == watchdog::Culprit::Handoff => {
            return Run::Lost(watchdog::handoff_reason(&stuck));
        }
        Err(stuck) => {
            // The hung threads cannot be cancelled; the pool is left to them.
            let history = rec.history(workload.initial.clone());
            let failure = watchdog::failure(&history, workload.threads.len(), stuck);
            return Run::Hung(Box::new(FailedRun {
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
    let verdict = judge_run(
        subject,
        &history,
        end.panic.as_deref(),
        &limits,
        &mut Default::default(),
        findings,
    );
    Run::Judged(verdict, history)
}

/// A unit of work for a pooled thread.
type Job = Box<dyn FnOnce() + Send>;

/// OS threads kept for the whole exploration: `workers[t]` runs model thread `t`, `driver` runs the
/// run around them; `tids` are their ids, where the system gives them, for the watchdog's clock.
struct Pool {
    driver: Sender<Job>,
    workers: Arc<Vec<Sender<Job>>>,
    tids: Vec<Tid>,
}

impl Pool {
    fn new(threads: usize) -> Pool {
        let mut tids = Vec::new();
        let driver = pooled_thread("mapcheck-driver".into(), &mut tids);
        let workers = (0..threads)
            .map(|t| pooled_thread(format!("mapcheck-worker-{t}"), &mut tids))
            .collect();
        Pool {
            driver,
            workers: Arc::new(workers),
            tids,
        }
    }

    /// Runs the structure's declared process-wide step (once per process) and per-thread step on
    /// every pooled thread, outside allocation tracking, and waits for them; `within` bounds the
    /// wait for each thread, in time the threads could run.
    fn prepare(&self, subject: &Subject, within: Duration) -> Result<(), String> {
        let (settle, id) = (subject.claims.settle, subject.id);
        if settle.once.is_empty() && settle.per_thread.is_empty() {
            return Ok(());
        }
        let mut clock = Clock::new(&self.tids);
        // The driver goes first, so the process-wide step runs on it.
        for thread in self.threads() {
            let (tx, rx) = channel();
            let job: Job = Box::new(move || {
                let _ = tx.send(crate::settle::prepare(id, &settle));
            });
            thread
                .send(job)
                .map_err(|_| "a pooled thread stopped before the settle step".to_string())?;
            clock.recv_within(&rx, within, watchdog::POLL).ok_or_else(|| {
                format!("the structure's declared settle step did not finish within {within:?}")
            })??;
        }
        Ok(())
    }

    fn threads(&self) -> impl Iterator<Item = &Sender<Job>> {
        std::iter::once(&self.driver).chain(self.workers.iter())
    }

    /// Starts one run; its end arrives on the returned channel.
    fn start(
        &self,
        subject: &Subject,
        workload: &Arc<Workload>,
        rec: &Arc<Recorder>,
        jitter: u64,
        run: &Arc<RunState>,
    ) -> Receiver<RunEnd> {
        let (tx, rx) = channel();
        let (workload, rec, run, workers) =
            (workload.clone(), rec.clone(), run.clone(), self.workers.clone());
        let subject = *subject;
        let job: Job = Box::new(move || {
            // A panic of the structure's own code here (building the map, the initial inserts, its
            // reclamation or settle step, its drop) is the run's panic, with its message; without
            // the catch the driver thread would die and the run end with no result at all.
            let body = AssertUnwindSafe(|| -> Option<RunEnd> {
                run.enter(SETUP);
                let map = run.inside(|| setup::<Std>(&subject, &workload, &rec));
                let n = workload.threads.len();
                let barrier = Arc::new(Barrier::new(n));
                let (done_tx, done_rx) = channel::<Option<String>>();
                run.enter(RUNNING);
                for (t, worker) in workers.iter().enumerate() {
                    let (map, rec, barrier, done_tx, workload, run) = (
                        map.clone(),
                        rec.clone(),
                        barrier.clone(),
                        done_tx.clone(),
                        workload.clone(),
                        run.clone(),
                    );
                    let job: Job = Box::new(move || {
                        run.step();
                        barrier.wait();
                        let r = catch_unwind(AssertUnwindSafe(|| {
                            thread_ops::<Std, _>(t, &workload.threads[t], &*map, &rec, Some(jitter))
                        }));
                        run.step();
                        // Not the last reference: the driver holds the map until it drops it.
                        crate::alloc::untracked(|| drop(map));
                        let _ = done_tx.send(r.err().map(|p| payload_message(&*p)));
                    });
                    if worker.send(job).is_err() {
                        return None;
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
                        Err(_) => return None,
                    }
                    run.step();
                }
                run.enter(FINISHING);
                let end = run.inside(|| {
                    finish(map, &rec, panic, |scope| {
                        settle_rounds(scope, &subject.claims.settle, || {
                            run.enter(SETTLING);
                            settle_everywhere(subject.claims.settle, &workers, &run)
                        })
                    })
                });
                Some(end)
            });
            match catch_unwind(body) {
                Ok(Some(end)) => {
                    let _ = tx.send(end);
                }
                // A worker stopped: the watcher sees the run end without a result.
                Ok(None) => {}
                Err(p) => {
                    let _ = tx.send(RunEnd {
                        panic: Some(payload_message(&*p)),
                        quiescence: None,
                        leaks: None,
                    });
                }
            }
        });
        // A closed channel means the driver died; the watcher then sees the run end without a result.
        let _ = self.driver.send(job);
        rx
    }
}

/// One round of the structure's after-drop settle step: on the calling thread (the driver, which
/// dropped the map, inside the structure's code), then on each worker in turn, waiting for each.
/// Each hand-off is a step of the run; while the driver waits, only the worker's step is structure
/// code. A worker whose step does not come back leaves the driver waiting, and the watchdog reports
/// the stall while settling.
fn settle_everywhere(settle: Settle, workers: &[Sender<Job>], run: &Arc<RunState>) -> Result<(), String> {
    crate::settle::after_drop(&settle)?;
    for worker in workers {
        let (tx, rx) = channel();
        let on_worker = run.clone();
        let job: Job = Box::new(move || {
            on_worker.step();
            let r = on_worker.inside(|| crate::settle::after_drop(&settle));
            on_worker.step();
            let _ = tx.send(r);
        });
        run.step();
        if worker.send(job).is_err() {
            return Err("a worker thread stopped before the settle step".into());
        }
        run.outside(|| rx.recv())
            .map_err(|_| "a worker thread stopped during the settle step".to_string())??;
        run.step();
    }
    Ok(())
}

/// A thread that runs the jobs it is sent, one after another, until its channel closes; its id is
/// added to `tids` where the system gives one. Its panics are caught per job and reach the harness
/// as messages, not through the terminal.
fn pooled_thread(name: String, tids: &mut Vec<Tid>) -> Sender<Job> {
    let (tx, rx) = channel::<Job>();
    let (tid_tx, tid_rx) = channel();
    let spawned = std::thread::Builder::new().name(name).spawn(move || {
        let _ = tid_tx.send(Tid::current());
        crate::quiet::quiet_thread();
        while let Ok(job) = rx.recv() {
            job();
        }
    });
    match spawned {
        Ok(_) => tids.extend(tid_rx.recv().ok().flatten()),
        // Without the thread the run never starts, and the watcher reports why.
        Err(e) => eprintln!("mapcheck: could not start a thread for the real-thread engine: {e}"),
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

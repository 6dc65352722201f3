//! The shuttle engine: random, PCT and DFS schedulers, each wrapped so the schedule of the current
//! run is recorded and a failure can be replayed step for step with shuttle's `ReplayScheduler`.

use super::{Engine, FailedRun, Limits, Outcome, Pinned, Probe, Subject, Workload};
use crate::quiet::quietly;
use crate::rt::Shuttle;
use crate::structure::Structure;
use crate::verdict::Verdict;
use shuttle::scheduler::{DfsScheduler, PctScheduler, RandomScheduler, ReplayScheduler};
/// shuttle's scheduler interface, for [`run_with_scheduler`]'s callers.
pub use shuttle::scheduler::{Schedule, Scheduler, Task, TaskId};
// shuttle does not re-export the step type its `Schedule` is made of; shuttle-engine is pinned to
// the version shuttle itself uses.
use shuttle::{Config, FailurePersistence, MaxSteps};
use shuttle_engine::runtime::execution::Execution;
use shuttle_engine::runtime::thread::continuation::{ContinuationPool, CONTINUATION_POOL};
use shuttle_engine::scheduler::ScheduleStep;
use std::cell::RefCell;
use std::panic::Location;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Wraps a scheduler and records every decision of the current execution.
///
/// The inner scheduler is never dropped: shuttle's random scheduler prints "failing seed" from its
/// destructor whenever a run stops on its time limit mid-way, which would be a false alarm here.
/// The cost is one small scheduler struct per exploration.
struct Recording<S> {
    inner: std::mem::ManuallyDrop<S>,
    /// Read back on the same thread once the exploration is over; the model checker runs the
    /// scheduler on the calling thread, so no lock is needed.
    schedule: Rc<RefCell<Schedule>>,
}

impl<S: Scheduler> Scheduler for Recording<S> {
    fn new_execution(&mut self) -> Option<Schedule> {
        crate::alloc::untracked(|| {
            let s = self.inner.new_execution()?;
            *self.schedule.borrow_mut() = Schedule::new(s.seed);
            Some(s)
        })
    }

    fn next_task(&mut self, runnable: &[&Task], current: Option<TaskId>, yielding: bool) -> Option<TaskId> {
        let t = self.inner.next_task(runnable, current, yielding)?;
        self.schedule.borrow_mut().push_task(t);
        Some(t)
    }

    fn next_u64(&mut self) -> u64 {
        self.schedule.borrow_mut().push_random();
        self.inner.next_u64()
    }
}

pub(super) fn explore(subject: &Subject, workload: &Workload, engine: Engine, limits: Limits) -> Outcome {
    let n = limits.max_schedules;
    match engine {
        Engine::ShuttleRandom { seed } => go(
            subject,
            workload,
            RandomScheduler::new_from_seed(seed, n),
            limits,
            true,
            false,
            true,
        ),
        // PCT orders threads by priority; with one thread there is nothing to order, and shuttle's
        // PCT scheduler rejects a run without concurrency. The random scheduler explores it instead.
        Engine::ShuttlePct { seed, .. } if workload.threads.len() < 2 => go(
            subject,
            workload,
            RandomScheduler::new_from_seed(seed, n),
            limits,
            true,
            false,
            true,
        ),
        Engine::ShuttlePct { seed, depth } => go(
            subject,
            workload,
            PctScheduler::new_from_seed(seed, depth, n),
            limits,
            true,
            false,
            true,
        ),
        // Random draws (`rt::draw`) are allowed: DFS answers them from a fixed seed, the same in
        // every execution, so its search covers every interleaving for those draws.
        Engine::ShuttleDfs => go(
            subject,
            workload,
            DfsScheduler::new(Some(n), true),
            limits,
            true,
            true,
            true,
        ),
        _ => unreachable!("not a shuttle engine"),
    }
}

/// Runs `workload` on structure `S` under shuttle with `scheduler`, which makes every scheduling
/// choice (a fuzzer's input, for one). The exploration stops at the first failing run or when the
/// scheduler starts no new execution; a failure is pinned as the schedule the scheduler chose, so
/// it replays with [`crate::replay`] like any other shuttle failure.
pub fn run_with_scheduler<S: Structure>(
    workload: &Workload,
    scheduler: Box<dyn Scheduler + Send>,
    limits: Limits,
) -> Outcome {
    run_subject_with_scheduler(&Subject::of::<S>(), workload, scheduler, limits)
}

/// [`run_with_scheduler`] for a structure given as a [`Subject`].
pub fn run_subject_with_scheduler(
    subject: &Subject,
    workload: &Workload,
    scheduler: Box<dyn Scheduler + Send>,
    limits: Limits,
) -> Outcome {
    let started = std::time::Instant::now();
    let mut outcome = go(subject, workload, scheduler, limits, false, false, false);
    outcome.elapsed = started.elapsed();
    outcome
}

/// Replays one recorded schedule. A run that leaves the recorded schedule (the code changed, or the
/// schedule came from another build) is never judged: the outcome says where it diverged.
pub(super) fn replay(
    subject: &Subject,
    workload: &Workload,
    seed: u64,
    steps: &str,
    limits: Limits,
) -> Outcome {
    match decode(seed, steps) {
        Ok(schedule) => {
            let diverged = Arc::new(Mutex::new(None));
            let checked = Checked {
                inner: ReplayScheduler::new_from_schedule(schedule.clone()),
                expected: schedule,
                at: 0,
                diverged: diverged.clone(),
            };
            let mut outcome = go(subject, workload, checked, limits, false, false, true);
            if let Some(why) = diverged.lock().unwrap_or_else(|e| e.into_inner()).take() {
                outcome.verdict = Verdict::Unknown {
                    reason: format!("{DIVERGED}: {why}"),
                };
                outcome.failure = None;
                outcome.diverged = Some(why);
            }
            outcome
        }
        Err(e) => Outcome {
            verdict: Verdict::Unknown { reason: e },
            schedules: 0,
            elapsed: Duration::ZERO,
            exhausted: false,
            unknown_runs: 0,
            diverged: None,
            failure: None,
            findings: Vec::new(),
        },
    }
}

/// How a diverged replay's reason begins.
pub const DIVERGED: &str = "the replayed shuttle schedule diverged";

/// Wraps shuttle's replay scheduler and notes the first step where the run leaves the recorded
/// schedule, before the replay scheduler panics on it: such a run says nothing about the structure,
/// and its panic must not be reported as one of the structure's.
struct Checked<S> {
    inner: S,
    expected: Schedule,
    at: usize,
    diverged: Arc<Mutex<Option<String>>>,
}

impl<S> Checked<S> {
    fn diverge(&self, why: String) {
        self.diverged
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_or_insert(format!(
                "at step {} of {}: {why}",
                self.at + 1,
                self.expected.steps.len()
            ));
    }
}

impl<S: Scheduler> Scheduler for Checked<S> {
    fn new_execution(&mut self) -> Option<Schedule> {
        self.at = 0;
        self.inner.new_execution()
    }

    fn next_task(&mut self, runnable: &[&Task], current: Option<TaskId>, yielding: bool) -> Option<TaskId> {
        match self.expected.steps.get(self.at) {
            None => self.diverge("the run goes on after the recorded schedule ended".into()),
            Some(ScheduleStep::Random) => {
                self.diverge("the run switches tasks where the recording drew a random number".into())
            }
            Some(ScheduleStep::Task(t)) if !runnable.iter().any(|r| r.id() == *t) => {
                let ids: Vec<usize> = runnable.iter().map(|r| usize::from(r.id())).collect();
                self.diverge(format!(
                    "the recording runs task {} next, but only {ids:?} can run",
                    usize::from(*t)
                ))
            }
            Some(ScheduleStep::Task(_)) => {}
        }
        self.at += 1;
        self.inner.next_task(runnable, current, yielding)
    }

    fn next_u64(&mut self) -> u64 {
        if !matches!(self.expected.steps.get(self.at), Some(ScheduleStep::Random)) {
            self.diverge("the run draws a random number where the recording switched tasks".into());
        }
        self.at += 1;
        self.inner.next_u64()
    }
}

thread_local! {
    /// Task stacks kept across explorations on this thread. Shuttle's own `Runner` makes a fresh
    /// pool per exploration, so an exploration of one execution (a fuzz input) paid for fresh stacks
    /// every time: a mapping, a guard page, page faults, an unmapping.
    static POOL: ContinuationPool = ContinuationPool::new();
}

/// What shuttle's `Runner::run` does (run `f` once per execution the scheduler starts, until it
/// starts no more or `config.max_time` has passed), with this thread's continuation pool; returns
/// the executions run.
fn run_pooled<Sch: Scheduler + 'static>(
    scheduler: Sch,
    config: Config,
    f: impl Fn() + Send + Sync + 'static,
) -> usize {
    let scheduler: Rc<RefCell<dyn Scheduler>> = Rc::new(RefCell::new(scheduler));
    let f = Arc::new(f);
    let started = std::time::Instant::now();
    POOL.with(|pool| {
        CONTINUATION_POOL.set(pool, || {
            let mut executions = 0;
            loop {
                if config.max_time.is_some_and(|t| started.elapsed() > t) {
                    break;
                }
                let Some(schedule) = scheduler.borrow_mut().new_execution() else {
                    break;
                };
                let f = f.clone();
                Execution::new(scheduler.clone(), schedule).run(&config, move || f(), Location::caller());
                executions += 1;
            }
            executions
        })
    })
}

fn go<Sch: Scheduler + 'static>(
    subject: &Subject,
    workload: &Workload,
    scheduler: Sch,
    limits: Limits,
    timed: bool,
    exhaustive: bool,
    muted: bool,
) -> Outcome {
    let started = std::time::Instant::now();
    let probe = Probe::new(workload, limits);
    let schedule = Rc::new(RefCell::new(Schedule::new(0)));

    let mut config = Config::new();
    config.failure_persistence = FailurePersistence::None;
    config.max_steps = MaxSteps::FailAfter(limits.max_steps);
    config.max_time = timed.then_some(limits.budget);
    config.silence_warnings = true;
    let recording = Recording {
        inner: std::mem::ManuallyDrop::new(scheduler),
        schedule: schedule.clone(),
    };

    // Shuttle writes "test panicked in task ..." straight to stderr when a run fails; the harness
    // reports the failure itself, so stderr is muted for the exploration (when no other part of the
    // process holds it muted already). A one-execution exploration driven from outside (a fuzz
    // input) is not muted: muting costs more system calls than the execution, and a failing input
    // is reported by the fuzzer anyway.
    let mute = muted.then(crate::mute::Mute::stderr);
    // Drop-in values created during the exploration are shuttle's (`crate::sync`).
    let kind = crate::sync::enter(crate::rt::RuntimeKind::Shuttle);
    let p = probe.clone();
    let subject = *subject;
    let (done, panic) =
        quietly(move || run_pooled(recording, config, move || p.run_once::<Shuttle>(&subject)));
    drop(kind);
    drop(mute);
    let schedules = probe.schedules();
    let (verdict, failure) = probe.finish(done.is_some(), panic, "shuttle");
    let recorded = schedule.borrow().clone();
    Outcome {
        exhausted: exhaustive
            && done.is_some()
            && schedules < limits.max_schedules
            && started.elapsed() < limits.budget,
        unknown_runs: probe.unknowns().runs,
        findings: probe.unknowns().findings,
        diverged: None,
        verdict,
        schedules,
        elapsed: Duration::ZERO,
        failure: failure.map(|(verdict, history)| FailedRun {
            verdict,
            history,
            pinned: Pinned::Shuttle {
                seed: recorded.seed,
                steps: encode(&recorded),
            },
        }),
    }
}

const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// Encodes a schedule's steps as one character each: a task id in base 36, or `r` for a random draw.
/// Task ids of 36 and more are written `(n)`.
pub fn encode(s: &Schedule) -> String {
    let mut out = String::with_capacity(s.steps.len());
    for step in &s.steps {
        match step {
            ScheduleStep::Task(t) => {
                let t = usize::from(*t);
                if t < DIGITS.len() {
                    out.push(DIGITS[t] as char);
                } else {
                    out.push_str(&format!("({t})"));
                }
            }
            ScheduleStep::Random => out.push('r'),
        }
    }
    out
}

/// Decodes [`encode`]'s format; the error names the offending position.
pub fn decode(seed: u64, steps: &str) -> Result<Schedule, String> {
    let mut s = Schedule::new(seed);
    let mut chars = steps.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            'r' => s.push_random(),
            '(' => {
                let mut n = String::new();
                loop {
                    match chars.next() {
                        Some((_, ')')) => break,
                        Some((_, d)) if d.is_ascii_digit() => n.push(d),
                        _ => {
                            return Err(format!(
                                "schedule step at position {i}: unterminated or non-numeric `(`"
                            ))
                        }
                    }
                }
                let t: usize = n
                    .parse()
                    .map_err(|_| format!("schedule step at position {i}: bad task id"))?;
                s.push_task(TaskId::from(t));
            }
            c => match DIGITS.iter().position(|d| *d as char == c) {
                Some(t) => s.push_task(TaskId::from(t)),
                None => {
                    return Err(format!(
                    "schedule step at position {i}: found `{c}`, expected a task id (0-9, a-z), `(n)` or `r`"
                ))
                }
            },
        }
    }
    Ok(s)
}

//! Engines: explore the interleavings of one workload on one structure and judge every run.
//!
//! One strategy per file (`loom.rs`, `shuttle.rs`, `threads.rs`) behind [`run`] and [`replay`].
//! Every engine runs the same [`execute`] body, instantiated for its runtime, and stops at the first
//! failing run, which it returns with everything needed to replay it exactly.

mod applies;
mod loom;
mod sequential;
pub mod shuttle;
mod spec;
mod subject;
mod threads;
pub mod watchdog;

pub(crate) use crate::quiet::payload_message;
pub use crate::seed::{derive_seed, shard_seed, splitmix};
pub use applies::{absent, absent_from, is_absent, not_applicable};
pub use sequential::{SeqRun, Sequential};
pub use spec::EngineSpec;
pub use subject::Subject;

use crate::history::{History, Leaks, Op, Quiescence, Recorder};
use crate::rt::{spawn, Arc as RtArc, Runtime};
use crate::structure::{Key, Map, Ops, Structure, Value};
use crate::verdict::{classify_panic, judge_judging, judging, Finding, Verdict};
use crate::witness::Witness;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A concrete workload: the initial contents and each thread's operations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workload {
    pub initial: Vec<(Key, Value)>,
    pub threads: Vec<Vec<Op>>,
}

impl Workload {
    /// The operations the workload calls: what a structure must support for it to apply.
    pub fn operations(&self) -> Ops {
        Ops::called_by(self.threads.iter().flatten())
    }
}

/// How big a model's workload is: threads, operations per thread, distinct keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Size {
    pub threads: usize,
    pub ops: usize,
    pub keys: u64,
}

impl Size {
    /// Small enough for loom's exhaustive search with preemption bound 2.
    pub const LOOM: Size = Size {
        threads: 2,
        ops: 3,
        keys: 2,
    };
    /// For shuttle's random, PCT and DFS schedulers.
    pub const SHUTTLE: Size = Size {
        threads: 3,
        ops: 4,
        keys: 3,
    };
    /// For real threads: longer runs widen the race windows.
    pub const THREADS: Size = Size {
        threads: 4,
        ops: 40,
        keys: 8,
    };

    /// The default size for an engine.
    pub fn for_engine(engine: &Engine) -> Size {
        match engine {
            // Depth-first search is exhaustive only on loom-sized workloads.
            Engine::Loom { .. } | Engine::ShuttleDfs => Size::LOOM,
            Engine::Threads { .. } => Size::THREADS,
            _ => Size::SHUTTLE,
        }
    }
}

/// An exploration strategy and its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Engine {
    /// loom: every interleaving up to a preemption bound.
    Loom { preemption_bound: usize },
    /// shuttle's random scheduler.
    ShuttleRandom { seed: u64 },
    /// shuttle's PCT scheduler (Burckhardt et al., ASPLOS 2010) with bug depth `depth`.
    ShuttlePct { seed: u64, depth: usize },
    /// shuttle's depth-first scheduler (exhaustive without a preemption bound).
    ShuttleDfs,
    /// Real OS threads with seeded jitter.
    Threads { seed: u64 },
}

impl Engine {
    /// The column name in the check matrix.
    pub fn family(&self) -> &'static str {
        match self {
            Engine::Loom { .. } => "loom",
            Engine::ShuttleRandom { .. } => "shuttle-random",
            Engine::ShuttlePct { .. } => "shuttle-pct",
            Engine::ShuttleDfs => "shuttle-dfs",
            Engine::Threads { .. } => "threads",
        }
    }

    /// Whether this engine runs structures on real threads (unsynchronised ones cannot).
    pub fn real_threads(&self) -> bool {
        matches!(self, Engine::Threads { .. })
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Engine::Loom { preemption_bound } => write!(f, "loom(preemption bound {preemption_bound})"),
            Engine::ShuttleRandom { seed } => write!(f, "shuttle-random(seed {seed})"),
            Engine::ShuttlePct { seed, depth } => write!(f, "shuttle-pct(seed {seed}, depth {depth})"),
            Engine::ShuttleDfs => write!(f, "shuttle-dfs"),
            Engine::Threads { seed } => write!(f, "threads(seed {seed})"),
        }
    }
}

/// Bounds on one exploration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Schedules (loom permutations, shuttle iterations, thread runs) at most.
    pub max_schedules: usize,
    /// Wall-clock budget; the exploration stops when it is spent and says how far it got.
    pub budget: Duration,
    /// Scheduling steps per shuttle run before the run is a step-bound failure.
    pub max_steps: usize,
    /// Search steps the linearizability checker may take per partition of one run's history
    /// before that run's verdict is unknown.
    #[serde(default = "default_lin_steps")]
    pub lin_steps: u64,
}

fn default_lin_steps() -> u64 {
    crate::lincheck::LinOptions::default().max_steps
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_schedules: 10_000,
            budget: Duration::from_secs(5),
            max_steps: 100_000,
            lin_steps: default_lin_steps(),
        }
    }
}

/// The exact interleaving of one run, enough to replay it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Pinned {
    /// The `execution`-th permutation (1-based) of loom's deterministic exploration.
    Loom { execution: usize },
    /// The shuttle schedule: one character per step (`0`-`9a-z` a task id, `r` a random draw).
    Shuttle { seed: u64, steps: String },
    /// The `iteration`-th run (0-based) of the seeded thread engine; its history is recorded.
    Threads { iteration: usize },
}

/// A failing run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedRun {
    pub verdict: Verdict,
    pub history: History,
    pub pinned: Pinned,
}

/// What an exploration did.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Outcome {
    pub verdict: Verdict,
    /// Schedules run, the failing one included.
    pub schedules: usize,
    pub elapsed: Duration,
    /// True when the engine explored its whole (bounded) space within its limits; false when a
    /// limit stopped it, and always false on real threads, which have no space to exhaust.
    pub exhausted: bool,
    /// Runs that ended without a verdict (a malformed history, a search budget spent). A cell with
    /// any such run and no failure is `Verdict::Unknown`, never a pass.
    pub unknown_runs: usize,
    /// For a replay: where the run left the recorded schedule, when it did. Such a run is never
    /// judged (its verdict is unknown), since it is not the recorded one.
    pub diverged: Option<String>,
    pub failure: Option<FailedRun>,
    /// The behaviours the structure declares known that its runs showed: findings, not failures.
    pub findings: Vec<Finding>,
}

/// Explores `workload` on structure `S` with `engine` within `limits`.
pub fn run<S: Structure>(workload: &Workload, engine: Engine, limits: Limits) -> Outcome {
    run_subject(&Subject::of::<S>(), workload, engine, limits)
}

/// [`run`] for a structure given as a [`Subject`]: the exploration itself, compiled once.
pub fn run_subject(subject: &Subject, workload: &Workload, engine: Engine, limits: Limits) -> Outcome {
    if let Some(reason) =
        applies::not_applicable_to(subject, &engine).or_else(|| applies::absent_in(subject, workload))
    {
        return not_applicable_outcome(reason);
    }
    if let Err(msg) = prepare_here(subject, &engine) {
        return prepare_failed(msg);
    }
    let started = Instant::now();
    let mut outcome = match engine {
        Engine::Loom { preemption_bound } => loom::explore(subject, workload, preemption_bound, limits, None),
        Engine::ShuttleRandom { .. } | Engine::ShuttlePct { .. } | Engine::ShuttleDfs => {
            shuttle::explore(subject, workload, engine, limits)
        }
        Engine::Threads { seed } => threads::explore(subject, workload, seed, limits, None),
    };
    outcome.elapsed = started.elapsed();
    with_leak_sites(subject, workload, engine, limits, outcome)
}

/// Under every engine but the thread engine (which prepares each of its pooled threads), runs the
/// structure's declared process-wide and per-thread settle steps on the calling thread, which is
/// the one loom and shuttle run their model threads on. The error is the message of a step that
/// panicked, which fails the exploration.
fn prepare_here(subject: &Subject, engine: &Engine) -> Result<(), String> {
    if engine.real_threads() {
        return Ok(());
    }
    crate::settle::prepare(subject.id, &subject.claims.settle)
}

/// The outcome of an exploration stopped before its first run by a declared settle step's panic.
pub(crate) fn prepare_failed(message: String) -> Outcome {
    Outcome {
        verdict: Verdict::Fail(classify_panic(&message)),
        schedules: 0,
        elapsed: Duration::ZERO,
        exhausted: false,
        unknown_runs: 0,
        diverged: None,
        failure: None,
        findings: Vec::new(),
    }
}

fn not_applicable_outcome(reason: String) -> Outcome {
    Outcome {
        verdict: Verdict::NotApplicable { reason },
        schedules: 0,
        elapsed: Duration::ZERO,
        exhausted: false,
        unknown_runs: 0,
        diverged: None,
        failure: None,
        findings: Vec::new(),
    }
}

/// Runs exactly the pinned run again and judges it.
pub fn replay<S: Structure>(workload: &Workload, engine: Engine, pinned: &Pinned, limits: Limits) -> Outcome {
    replay_subject(&Subject::of::<S>(), workload, engine, pinned, limits)
}

/// [`replay`] for a structure given as a [`Subject`].
pub fn replay_subject(
    subject: &Subject,
    workload: &Workload,
    engine: Engine,
    pinned: &Pinned,
    limits: Limits,
) -> Outcome {
    if let Some(reason) =
        applies::not_applicable_to(subject, &engine).or_else(|| applies::absent_in(subject, workload))
    {
        return not_applicable_outcome(reason);
    }
    if let Err(msg) = prepare_here(subject, &engine) {
        return prepare_failed(msg);
    }
    let started = Instant::now();
    let mut outcome = match (engine, pinned) {
        (Engine::Loom { preemption_bound }, Pinned::Loom { execution }) => {
            loom::explore(subject, workload, preemption_bound, limits, Some(*execution))
        }
        (_, Pinned::Shuttle { seed, steps }) => shuttle::replay(subject, workload, *seed, steps, limits),
        (Engine::Threads { seed }, Pinned::Threads { iteration }) => {
            threads::explore(subject, workload, seed, limits, Some(*iteration))
        }
        (e, p) => Outcome {
            verdict: Verdict::Unknown {
                reason: format!("a {p:?} schedule cannot be replayed with engine {e}"),
            },
            schedules: 0,
            elapsed: Duration::ZERO,
            exhausted: false,
            unknown_runs: 0,
            diverged: None,
            failure: None,
            findings: Vec::new(),
        },
    };
    outcome.elapsed = started.elapsed();
    with_leak_sites(subject, workload, engine, limits, outcome)
}

/// Runs `workload` once on the calling thread, with no scheduler: the initial contents, then each
/// thread's operations in turn (thread 0 first) on a fresh `S::Map<Std>`, then the reclamation step,
/// the drop and the structure's settle steps, judged as this process's [`judging`] says (see
/// [`Sequential`], whose buffers a caller running many workloads reuses instead). The leak oracle
/// has data when the counting allocator is installed. This is the sequential path of the operation
/// fuzzer: one run costs microseconds, where a one-schedule shuttle exploration costs a scheduler and
/// a task stack.
pub fn sequential<S: Structure>(workload: &Workload) -> (Verdict, History) {
    let mut runner = Sequential::new(judging());
    let run = runner.run::<S>(workload);
    (run.verdict, runner.history())
}

/// How one run ended.
pub(crate) struct RunEnd {
    /// The panic message of a thread that panicked, when the runtime reports panics through `join`
    /// (real threads); loom and shuttle unwind instead.
    pub panic: Option<String>,
    /// The footprint once every thread was done, before and after the reclamation step.
    pub quiescence: Option<Quiescence>,
    /// What the structure held after it was dropped.
    pub leaks: Option<Leaks>,
}

/// One run of `workload` on a fresh map of `subject` for runtime `R`: insert the initial contents, start one thread per
/// operation list, join them, then read the footprint, run the reclamation step and read it again.
/// The thread engine runs the same pieces ([`setup`], [`thread_ops`], [`finish`]) on pooled threads.
pub(crate) fn execute<R: Runtime>(
    subject: &Subject,
    workload: &Arc<Workload>,
    rec: &Arc<Recorder>,
    jitter: Option<u64>,
) -> RunEnd {
    let map = setup::<R>(subject, workload, rec);
    let handles: Vec<_> = (0..workload.threads.len())
        .map(|t| {
            let map = map.clone();
            let rec = rec.clone();
            let workload = workload.clone();
            spawn::<R, _>(move || {
                if !R::CHECKS_RACES {
                    crate::quiet::quiet_thread();
                }
                thread_ops::<R, _>(t, &workload.threads[t], &*map, &rec, jitter);
                crate::alloc::untracked(|| drop(map));
            })
        })
        .collect();
    let mut panic = None;
    for h in handles {
        if let Err(p) = h.join() {
            panic.get_or_insert_with(|| payload_message(&*p));
        }
    }
    let end = finish(map, rec, panic, |scope| {
        let settle = &subject.claims.settle;
        settle_rounds(scope, settle, || crate::settle::after_drop(settle))
    });
    rec.scope.close();
    end
}

/// The recorder of one run of `workload` on `subject`: the results the structure does not
/// return are recorded as unobserved, and an iteration is cut short once it has yielded more
/// entries than the workload has keys (it has then yielded some key twice, which the iteration
/// oracle reports, rather than loop for ever).
///
/// Under runtime `R` every position the recorder takes is also `R`'s ordering point (a `SeqCst`
/// fence under loom), so that real-time precedence implies happens-before. A structure that is
/// unsynchronised on purpose gets no ordering points: its operations share memory with no
/// synchronisation at all, so any two of them on different threads that touch the same data race
/// whether or not they overlap in time, and loom reports that race only if the harness does not
/// order them (under loom its operations, with no atomic or lock inside, never overlap). It is
/// expected to fail, so its results need no real-time order.
pub(crate) fn recorder<R: Runtime>(subject: &Subject, workload: &Workload) -> Arc<Recorder> {
    let keys: std::collections::BTreeSet<Key> = workload
        .initial
        .iter()
        .map(|(k, _)| *k)
        .chain(workload.threads.iter().flatten().filter_map(|op| op.key()))
        .collect();
    let threads = workload.threads.len();
    // Each log has room for its thread's operations (an iteration's removes grow it).
    let capacity = |t: usize| workload.threads[t].len();
    let info = &subject.claims.info;
    let bound = Some(info.iteration.visit_bound(keys.len()));
    if info.unsynchronised {
        Recorder::declared_with_capacity::<crate::rt::Std>(threads, subject.unobserved, bound, capacity)
    } else {
        Recorder::declared_with_capacity::<R>(threads, subject.unobserved, bound, capacity)
    }
}

/// Runs `round` (the structure's after-drop settle step on every thread of the run) while the run's
/// scope still holds memory, at most [`crate::settle::SETTLE_ROUNDS`] times, when `settle` declares
/// such a step. The error is the message of a step that panicked.
pub(crate) fn settle_rounds(
    scope: crate::alloc::Scope,
    settle: &crate::settle::Settle,
    mut round: impl FnMut() -> Result<(), String>,
) -> Result<(), String> {
    if !settle.defers() || !crate::alloc::installed() {
        return Ok(());
    }
    for _ in 0..crate::settle::SETTLE_ROUNDS {
        if scope.live().0 == 0 {
            break;
        }
        round()?;
    }
    Ok(())
}

/// A fresh map with the workload's initial contents, created inside the run's allocation scope.
pub(crate) fn setup<R: Runtime>(
    subject: &Subject,
    workload: &Workload,
    rec: &Recorder,
) -> RtArc<R, Box<dyn Map>> {
    let scope = rec.scope;
    let map: RtArc<R, Box<dyn Map>> = scope.run(|| RtArc::new(subject.new_map::<R>()));
    for &(k, v) in &workload.initial {
        scope.run(|| map.insert(k, v));
    }
    map
}

/// Model thread `t`: its operations in order, recorded, with seeded jitter between them when
/// `jitter` is set (real threads: yields and short spins that widen race windows).
pub(crate) fn thread_ops<R: Runtime, M: Map + ?Sized>(
    t: usize,
    ops: &[Op],
    map: &M,
    rec: &Recorder,
    jitter: Option<u64>,
) {
    let mut rng = jitter.map(|s| derive_seed(s, t as u64));
    for &op in ops {
        if let Some(state) = rng.as_mut() {
            pause::<R>(splitmix(state));
        }
        rec.apply(t, map, op);
    }
}

/// The jitter before one operation, drawn from `r`: most of the time nothing, about one in five a
/// yield, one in eight a short spin, one in sixteen a longer spin and a yield. A spin keeps the
/// thread on its core while another thread's operation overlaps it; a yield lets one run between.
fn pause<R: Runtime>(r: u64) {
    match r % 16 {
        0..=9 => {}
        10..=12 => R::yield_now(),
        13 | 14 => spin((r >> 8) % 32),
        _ => {
            spin((r >> 8) % 256);
            R::yield_now();
        }
    }
}

fn spin(n: u64) {
    for _ in 0..n {
        std::hint::spin_loop();
    }
}

/// After every thread is done: the footprint before and after the reclamation step, then the drop,
/// the structure's settle step (`settle`, given the run's scope; see [`crate::settle`]) and what
/// the structure did not give back. A settle step that panics is the run's panic. The caller
/// closes the run's allocation scope.
pub(crate) fn finish<R: Runtime, M: Map>(
    map: RtArc<R, M>,
    rec: &Recorder,
    mut panic: Option<String>,
    settle: impl FnOnce(crate::alloc::Scope) -> Result<(), String>,
) -> RunEnd {
    let scope = rec.scope;
    let quiescence = panic.is_none().then(|| quiescence(scope, &*map));
    scope.run(|| drop(map));
    if panic.is_none() {
        panic = settle(scope).err();
    }
    let leaks = if panic.is_none() { leaks(scope) } else { None };
    RunEnd {
        panic,
        quiescence,
        leaks,
    }
}

/// The footprint of `map` once every thread is done, before and after its reclamation step (which
/// this runs), read inside the run's allocation scope; then the map's own settle step
/// ([`Map::settle`]), outside allocation tracking, before the caller drops it.
pub(crate) fn quiescence<M: Map + ?Sized>(scope: crate::alloc::Scope, map: &M) -> Quiescence {
    let q = scope.run(|| {
        let at_end = map.footprint();
        map.reclaim();
        Quiescence {
            at_end,
            after_reclaim: map.footprint(),
        }
    });
    crate::alloc::untracked(|| map.settle());
    q
}

/// What the run's allocation scope still holds once the structure is dropped, by size (and by call
/// site when the scope keeps them); `None` when the counting allocator is not installed.
pub(crate) fn leaks(scope: crate::alloc::Scope) -> Option<Leaks> {
    crate::alloc::installed().then(|| {
        let (bytes, allocations) = scope.live();
        Leaks {
            bytes,
            allocations,
            threads: scope.threads_alive(),
            // Only a run that leaked pays for the grouping.
            blocks: if bytes > 0 { scope.leaked() } else { Vec::new() },
        }
    })
}

/// A failure of the leak oracle, with the call sites of the leaked allocations: the failing run
/// is run again (its pinned schedule replayed), up to [`SITE_RERUNS`] times, with every allocation
/// it tracks keeping its call stack. When a run again leaks the same bytes in the same allocations,
/// its groups (with their sites) replace the sizes the first run found; otherwise each group of the
/// first run gets the site of a group of the same size leaked in a run again, if any (a leak that
/// depends on timing on real threads). The runs that found the leak kept no call stacks, so a run
/// that does not leak pays nothing for this. Anything else comes back as it was.
fn with_leak_sites(
    subject: &Subject,
    workload: &Workload,
    engine: Engine,
    limits: Limits,
    mut outcome: Outcome,
) -> Outcome {
    let leaked = |o: &Outcome| {
        let failed = o.failure.as_ref()?;
        let is_leak = matches!(&failed.verdict, Verdict::Fail(f) if f.oracle == crate::Oracle::Leak);
        is_leak.then(|| failed.history.leaks.clone()).flatten()
    };
    let Some(first) = leaked(&outcome) else {
        return outcome;
    };
    let pinned = outcome.failure.as_ref().map(|f| f.pinned.clone());
    let Some(pinned) = pinned.filter(|_| first.bytes > 0 && !crate::alloc::keeping_sites()) else {
        return outcome;
    };
    let mut sites: std::collections::BTreeMap<usize, Vec<String>> = Default::default();
    let mut blocks = None;
    for _ in 0..SITE_RERUNS {
        let again = crate::alloc::with_sites(|| replay_subject(subject, workload, engine, &pinned, limits));
        let Some(second) = leaked(&again) else {
            continue;
        };
        if (second.bytes, second.allocations) == (first.bytes, first.allocations) {
            blocks = Some(second.blocks);
            break;
        }
        for b in second.blocks.into_iter().filter(|b| !b.site.is_empty()) {
            sites.entry(b.size).or_insert(b.site);
        }
    }
    let blocks = blocks.unwrap_or_else(|| {
        let mut blocks = first.blocks.clone();
        for b in blocks.iter_mut().filter(|b| b.site.is_empty()) {
            b.site = sites.get(&b.size).cloned().unwrap_or_default();
        }
        blocks
    });
    let leaks = Leaks { blocks, ..first };
    if let Some(failure) = crate::oracle::leak::check(&leaks, &subject.claims.settle) {
        outcome.verdict = Verdict::Fail(failure.clone());
        if let Some(failed) = outcome.failure.as_mut() {
            failed.verdict = Verdict::Fail(failure);
            failed.history.leaks = Some(leaks);
        }
    }
    outcome
}

/// Runs again of a leaking run, for its call sites, at most.
const SITE_RERUNS: usize = 3;

/// Judges a run that may have panicked, as this process's [`judging`] says; what the oracles the
/// structure declares known found is added to `findings`.
pub(crate) fn judge_run(
    subject: &Subject,
    history: &History,
    panic: Option<&str>,
    limits: &Limits,
    witness: &mut Witness,
    findings: &mut Vec<Finding>,
) -> Verdict {
    match panic {
        Some(msg) => Verdict::Fail(classify_panic(msg)),
        None => {
            let claims = &subject.claims;
            let mut noted = Vec::new();
            let verdict = judge_judging(history, claims, limits.lin_steps, judging(), witness, &mut noted);
            Finding::tally(findings, &noted, claims);
            verdict
        }
    }
}

/// What the model-checked runs of one exploration share with the code around the model checker:
/// the workload, the run count, the recorder of the run in progress and the first failure. Loom and
/// shuttle stop an exploration by unwinding, so a failing run leaves its verdict here and panics.
#[derive(Clone)]
pub(crate) struct Probe {
    workload: Arc<Workload>,
    limits: Limits,
    count: Arc<std::sync::atomic::AtomicUsize>,
    current: Arc<Mutex<Option<Arc<Recorder>>>>,
    found: Arc<Mutex<Option<(Verdict, History)>>>,
    unknown: Arc<Mutex<Unknowns>>,
    /// The witness search's buffers, reused by every run of the exploration.
    witness: Arc<Mutex<Witness>>,
}

/// Runs that ended without a verdict: how many, and the first one's reason; and the behaviours the
/// structure declares known that the runs showed.
#[derive(Debug, Default, Clone)]
pub(crate) struct Unknowns {
    pub(crate) runs: usize,
    pub(crate) first: Option<String>,
    pub(crate) findings: Vec<Finding>,
}

impl Unknowns {
    /// Counts `verdict` if it is unknown.
    pub(crate) fn note(&mut self, verdict: &Verdict) {
        if let Verdict::Unknown { reason } = verdict {
            self.runs += 1;
            self.first.get_or_insert_with(|| reason.clone());
        }
    }

    /// The verdict of an exploration that found no failure in `schedules` runs.
    pub(crate) fn verdict(&self, schedules: usize) -> Verdict {
        match &self.first {
            None => Verdict::Pass,
            Some(reason) => Verdict::Unknown {
                reason: format!(
                    "{} of {schedules} run(s) had no verdict; the first: {reason}",
                    self.runs
                ),
            },
        }
    }
}

impl Probe {
    pub(crate) fn new(workload: &Workload, limits: Limits) -> Probe {
        Probe {
            workload: Arc::new(workload.clone()),
            limits,
            count: Arc::default(),
            current: Arc::default(),
            found: Arc::default(),
            unknown: Arc::default(),
            witness: Arc::default(),
        }
    }

    /// One run inside the model checker: execute, record, judge; panic out on a failure.
    pub(crate) fn run_once<R: Runtime>(&self, subject: &Subject) {
        self.count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let rec = recorder::<R>(subject, &self.workload);
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) = Some(rec.clone());
        let end = execute::<R>(subject, &self.workload, &rec, None);
        let mut history = rec.history(self.workload.initial.clone());
        history.quiescence = end.quiescence;
        history.leaks = end.leaks;
        let mut unknown = self.unknown.lock().unwrap_or_else(|e| e.into_inner());
        let verdict = {
            let mut witness = self.witness.lock().unwrap_or_else(|e| e.into_inner());
            judge_run(
                subject,
                &history,
                end.panic.as_deref(),
                &self.limits,
                &mut witness,
                &mut unknown.findings,
            )
        };
        if verdict.is_fail() {
            drop(unknown);
            *self.found.lock().unwrap_or_else(|e| e.into_inner()) = Some((verdict, history));
            panic!("mapcheck: a run failed its oracle");
        }
        unknown.note(&verdict);
    }

    /// Runs that ended without a verdict so far.
    pub(crate) fn unknowns(&self) -> Unknowns {
        self.unknown.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub(crate) fn schedules(&self) -> usize {
        self.count.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// After the model checker returned (`done`) or unwound with `panic`: the verdict, and the
    /// failing run's verdict and history if there was one.
    pub(crate) fn finish(
        &self,
        done: bool,
        panic: Option<String>,
        engine: &str,
    ) -> (Verdict, Option<(Verdict, History)>) {
        let failure = self
            .found
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .or_else(|| {
                // A panic message only matters when it stopped the exploration.
                if done {
                    return None;
                }
                let msg = panic.unwrap_or_else(|| "the run panicked without a message".into());
                let rec = self.current.lock().unwrap_or_else(|e| e.into_inner()).take()?;
                Some((
                    Verdict::Fail(classify_panic(&msg)),
                    rec.history(self.workload.initial.clone()),
                ))
            });
        let verdict = match &failure {
            Some((v, _)) => v.clone(),
            None if !done => Verdict::Unknown {
                reason: format!("{engine} stopped without a verdict"),
            },
            None => self.unknowns().verdict(self.schedules()),
        };
        (verdict, failure)
    }
}

//! The `ops` target: an arbitrary operation sequence (iterations that delete and reclamation steps
//! included) run single-threaded on one structure with no scheduler, judged by every oracle.
//!
//! A structure that runs threads of its own (a background collector) is run under shuttle instead,
//! scheduled without preemption: the workload's thread runs until it blocks or ends, and only then
//! do the structure's threads run (the first runnable one). That run is one the operating system
//! could make, it is the same on every execution of the input, and it costs no thread switches: on
//! real threads each hand-off to the collector is a wake-up on another core, about 40 µs on the
//! 2-core machine of docs/performance.md (the `handoff` example), and the order of the two threads
//! changed from one run of an input to the next, so libFuzzer saw coverage that the input did not
//! decide. Which structures run threads is found by building each map once ([`threaded`]).
//!
//! A single-threaded history is linearizable exactly when every return value equals the sequential
//! spec's, so each run is compared with the sequential map as it goes, and only a run that differs
//! is recorded as a history and judged by every oracle (which name the failure); a `len()` is
//! recorded after every operation that changes the map, so len is compared at every step. After the
//! run come the reclamation step (the reclamation oracle judges the footprint against the
//! structure's policy) and the drop (the leak oracle counts the bytes not returned), judged on
//! every run. The buffers are reused from one input to the next.

use crate::draw::{self, Kinds};
use crate::registry::{Make, Named};
use crate::schedules::Choices;
use crate::{initial_into, pick, Checked, Found};
use arbitrary::Unstructured;
use mapcheck::FailureRecord;
use mapcheck_harness::engine::{SeqRun, Sequential};
use mapcheck_harness::{Op, Structure, Verdict, Workload};
use mapcheck_models::Entry;
use std::cell::RefCell;
use std::sync::{Mutex, OnceLock};

/// The sequential run: one run in reusable buffers.
pub type Run = fn(&mut Sequential, &Workload) -> SeqRun;

/// The runs this target makes of a structure.
#[derive(Clone, Copy)]
pub struct Runs {
    /// The sequential run on real threads' primitives, with no scheduler.
    pub sequential: Run,
    /// The run under shuttle with a scheduler, for a structure that runs threads of its own.
    pub scheduled: crate::schedules::Run,
}

/// Whether `subject` runs threads of its own: a map built and dropped by the sequential run had a
/// thread of its own alive. Found once per structure and process.
pub fn threaded(subject: &Subject) -> bool {
    static KNOWN: Mutex<Vec<(&str, bool)>> = Mutex::new(Vec::new());
    let name = subject.info().name;
    let known = |k: &Vec<(&str, bool)>| k.iter().find(|(n, _)| *n == name).map(|&(_, t)| t);
    if let Some(t) = known(&KNOWN.lock().unwrap_or_else(|e| e.into_inner())) {
        return t;
    }
    let empty = Workload {
        initial: Vec::new(),
        threads: vec![Vec::new()],
    };
    let mut probe = Sequential::default();
    (subject.run.sequential)(&mut probe, &empty);
    let t = probe.own_threads();
    KNOWN.lock().unwrap_or_else(|e| e.into_inner()).push((name, t));
    t
}

/// A structure as this target holds it.
pub type Subject = crate::registry::Subject<Runs>;

/// Instantiates the sequential run and the scheduled shuttle run, and nothing else, for each
/// structure.
pub struct Sequentially;

impl Make for Sequentially {
    type Run = Runs;
    fn make<S: Structure>() -> Subject {
        Subject {
            info: S::INFO,
            supports: S::SUPPORTS,
            run: Runs {
                sequential: Sequential::run::<S>,
                scheduled: mapcheck_harness::engine::shuttle::run_with_scheduler::<S>,
            },
        }
    }
}

/// The target's subjects of registry entries.
pub fn subjects(entries: &[Entry]) -> Vec<Subject> {
    entries
        .iter()
        .map(|e| Subject {
            info: e.info,
            supports: e.supports,
            run: Runs {
                sequential: e.sequential_run,
                scheduled: e.with_scheduler,
            },
        })
        .collect()
}

/// The built-in structures selected by `MAPCHECK_FUZZ_STRUCTURES`, read once.
pub fn selected() -> &'static [Subject] {
    static SELECTED: OnceLock<Vec<Subject>> = OnceLock::new();
    SELECTED.get_or_init(|| crate::selected(crate::registry::all::<Sequentially>()))
}

/// Keys are below this, so operations meet the same keys and tables still grow.
pub const KEYS: u8 = 48;
/// Operations per input at most, the recorded `len()`s included: the scenario format's limit per
/// thread, so that every failing input imports as a scenario.
pub const MAX_OPS: usize = 64;

/// The structure and the one-thread workload an input decodes to; `None` when it is too short.
pub fn decode(data: &[u8], entries: &[Entry]) -> Option<(Entry, Workload)> {
    let mut workload = Workload {
        initial: Vec::new(),
        threads: Vec::new(),
    };
    decode_into(data, entries, &mut workload).map(|e| (e, workload))
}

/// [`decode`] into `workload`'s buffers, which are cleared first and keep their capacity.
pub fn decode_into<T: Named + Copy>(data: &[u8], entries: &[T], workload: &mut Workload) -> Option<T> {
    let mut u = Unstructured::new(data);
    let entry = pick(&mut u, entries).ok()?;
    initial_into(&mut u, 8, KEYS, &mut workload.initial).ok()?;
    workload.threads.resize_with(1, Vec::new);
    let ops = &mut workload.threads[0];
    ops.clear();
    let kinds = Kinds::of(entry.supports());
    let mut written: Vec<u64> = workload.initial.iter().map(|&(_, v)| v).collect();
    while !u.is_empty() {
        let Ok(op) = draw::op(&mut u, &kinds, KEYS, &mut written) else {
            break;
        };
        if !push(ops, op) {
            break;
        }
    }
    Some(entry)
}

/// Appends `op`, and a `len()` after it when it changes the map, unless that would pass
/// [`MAX_OPS`]; false when it did not fit.
fn push(ops: &mut Vec<Op>, op: Op) -> bool {
    if ops.len() + 2 > MAX_OPS {
        return false;
    }
    ops.push(op);
    let changes = match op {
        Op::Insert { .. } | Op::Remove { .. } | Op::Clear | Op::Reclaim => true,
        Op::Iterate { delete } => delete != mapcheck_harness::DeleteIf::Nothing,
        Op::Get { .. } | Op::Len => false,
        // A compound operation may change the map.
        _ => true,
    };
    if changes {
        ops.push(Op::Len);
    }
    true
}

/// The workload an input of this target could carry that comes closest to `w`: every thread's
/// operations one after another, keys and values reduced as the decoder reduces them, a `len()`
/// after each change, cut at [`MAX_OPS`]; at most 8 initial entries.
pub fn project(w: &Workload) -> Workload {
    let mut ops = Vec::new();
    for &op in w.threads.iter().flatten() {
        if !push(&mut ops, draw::reduce(op, KEYS)) {
            break;
        }
    }
    Workload {
        initial: crate::reduce_initial(&w.initial, 8, KEYS),
        threads: vec![ops],
    }
}

/// The decoding buffers and the sequential runner's, reused by every input of a fuzzing thread.
struct Buffers {
    workload: Workload,
    sequential: Sequential,
}

thread_local! {
    static BUFFERS: RefCell<Buffers> = RefCell::new(Buffers {
        workload: Workload { initial: Vec::new(), threads: Vec::new() },
        sequential: Sequential::default(),
    });
}

/// Runs one input on the structures `entries` as the target does.
pub fn check_with(data: &[u8], entries: &[Entry]) -> Checked {
    check_subjects(data, &subjects(entries))
}

/// Runs one input on `subjects`: compared with the sequential map as it runs, and judged by every
/// oracle when it differs (see `engine::Sequential`).
pub fn check_subjects(data: &[u8], subjects: &[Subject]) -> Checked {
    BUFFERS.with(|b| {
        let b = &mut *b.borrow_mut();
        let Some(subject) = decode_into(data, subjects, &mut b.workload) else {
            return Checked::Pass;
        };
        judge(&subject, &b.workload, &mut b.sequential)
    })
}

/// Runs a decoded workload on `entry` as the target does.
pub fn check_workload(entry: &Entry, workload: &Workload) -> Checked {
    judge(&subjects(&[*entry])[0], workload, &mut Sequential::default())
}

/// The run of `workload` under shuttle that the target makes for a structure with threads of its
/// own, and the failure record of an input: without preemption, the structure's threads running
/// only when the workload's thread blocks or ends.
fn scheduled(subject: &Subject, workload: &Workload) -> mapcheck_harness::Outcome {
    (subject.run.scheduled)(
        workload,
        Box::new(Choices::new(Vec::new())),
        crate::record_limits(),
    )
}

fn judge(subject: &Subject, workload: &Workload, sequential: &mut Sequential) -> Checked {
    if threaded(subject) {
        return crate::checked("ops", subject.info().name, workload, scheduled(subject, workload));
    }
    let run = (subject.run.sequential)(sequential, workload);
    match run.verdict {
        Verdict::Pass | Verdict::NotApplicable { .. } => Checked::Pass,
        Verdict::Unknown { reason } => Checked::Unknown(reason),
        verdict @ Verdict::Fail(_) => Checked::Found(Box::new(Found {
            target: "ops",
            structure: subject.info().name,
            verdict,
            workload: workload.clone(),
            history: sequential.history(),
        })),
    }
}

/// Runs one input on the structures selected by `MAPCHECK_FUZZ_STRUCTURES`.
pub fn check(data: &[u8]) -> Checked {
    check_subjects(data, selected())
}

/// The failure record of a failing input: the workload run again under shuttle without
/// preemption, where a one-thread run is the same run (for a structure with threads of its own,
/// the very run the target made) and comes back with a schedule to pin.
pub fn to_record(data: &[u8], entries: &[Entry]) -> Option<FailureRecord> {
    let (entry, workload) = decode(data, entries)?;
    let subject = subjects(&[entry]).remove(0);
    crate::record("ops", &entry, &workload, scheduled(&subject, &workload))
}

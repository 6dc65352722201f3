//! The `schedules` target: a small scenario (2 or 3 threads of up to 4 operations, a few initial
//! entries) run under shuttle by a scheduler whose every choice is read from the input, judged by
//! every oracle. libFuzzer's coverage feedback then steers the interleaving as well as the workload.

use crate::draw::{self, Kinds};
use crate::registry::{Make, Named};
use crate::{initial, pick, Checked};
use arbitrary::Unstructured;
use mapcheck::FailureRecord;
use mapcheck_harness::engine::shuttle::{Schedule, Scheduler, Task, TaskId};
use mapcheck_harness::{Limits, Outcome, Structure, Workload};
use mapcheck_models::Entry;
use std::sync::OnceLock;

/// The run this target makes: one shuttle exploration driven by the given scheduler.
pub type Run = fn(&Workload, Box<dyn Scheduler + Send>, Limits) -> Outcome;

/// A structure as this target holds it.
pub type Subject = crate::registry::Subject<Run>;

/// Instantiates the scheduler-driven shuttle run, and nothing else, for each structure.
pub struct Scheduled;

impl Make for Scheduled {
    type Run = Run;
    fn make<S: Structure>() -> Subject {
        Subject {
            info: S::INFO,
            supports: S::SUPPORTS,
            run: mapcheck_harness::engine::shuttle::run_with_scheduler::<S>,
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
            run: e.with_scheduler,
        })
        .collect()
}

/// The built-in structures selected by `MAPCHECK_FUZZ_STRUCTURES`, read once.
pub fn selected() -> &'static [Subject] {
    static SELECTED: OnceLock<Vec<Subject>> = OnceLock::new();
    SELECTED.get_or_init(|| crate::selected(crate::registry::all::<Scheduled>()))
}

/// Keys are below this: few keys, so threads contend.
pub const KEYS: u8 = 4;

/// A scheduler that runs one execution and takes each choice from a byte string: the next byte
/// modulo the number of runnable tasks picks the task, eight bytes make a random draw. When the
/// bytes run out, the current task keeps running (or the first runnable one takes over).
pub struct Choices {
    bytes: Vec<u8>,
    at: usize,
    started: bool,
}

impl Choices {
    pub fn new(bytes: Vec<u8>) -> Choices {
        Choices {
            bytes,
            at: 0,
            started: false,
        }
    }

    fn byte(&mut self) -> Option<u8> {
        let b = self.bytes.get(self.at).copied();
        self.at += 1;
        b
    }
}

impl Scheduler for Choices {
    fn new_execution(&mut self) -> Option<Schedule> {
        if self.started {
            return None;
        }
        self.started = true;
        Some(Schedule::new(0))
    }

    fn next_task(&mut self, runnable: &[&Task], current: Option<TaskId>, yielding: bool) -> Option<TaskId> {
        let first = runnable.first()?.id();
        Some(match self.byte() {
            Some(b) => runnable[usize::from(b) % runnable.len()].id(),
            None => current
                .filter(|c| !yielding && runnable.iter().any(|t| t.id() == *c))
                .unwrap_or(first),
        })
    }

    fn next_u64(&mut self) -> u64 {
        let mut v = [0u8; 8];
        for b in &mut v {
            *b = self.byte().unwrap_or(0);
        }
        u64::from_le_bytes(v)
    }
}

/// The structure, workload and scheduler choices an input decodes to.
pub fn decode<T: Named + Copy>(data: &[u8], entries: &[T]) -> Option<(T, Workload, Vec<u8>)> {
    let mut u = Unstructured::new(data);
    let entry = pick(&mut u, entries).ok()?;
    let threads = u.int_in_range(2..=3usize).ok()?;
    let initial = initial(&mut u, 4, KEYS).ok()?;
    let mut ops = Vec::with_capacity(threads);
    let kinds = Kinds::of(entry.supports());
    let mut written: Vec<u64> = initial.iter().map(|&(_, v)| v).collect();
    for _ in 0..threads {
        let n = u.int_in_range(1..=4usize).ok()?;
        let mut thread = Vec::with_capacity(n);
        for _ in 0..n {
            thread.push(draw::op(&mut u, &kinds, KEYS, &mut written).ok()?);
        }
        ops.push(thread);
    }
    let choices = u.take_rest().to_vec();
    Some((
        entry,
        Workload {
            initial,
            threads: ops,
        },
        choices,
    ))
}

/// The workload an input of this target could carry that comes closest to `w`: its first three
/// threads, each cut to four operations, keys and values reduced as the decoder reduces them, at
/// most 4 initial entries; `None` when fewer than two threads have an operation.
pub fn project(w: &Workload) -> Option<Workload> {
    let threads: Vec<Vec<_>> = w
        .threads
        .iter()
        .filter(|t| !t.is_empty())
        .take(3)
        .map(|t| t.iter().take(4).map(|&op| draw::reduce(op, KEYS)).collect())
        .collect();
    (threads.len() >= 2).then(|| Workload {
        initial: crate::reduce_initial(&w.initial, 4, KEYS),
        threads,
    })
}

fn limits() -> Limits {
    crate::record_limits()
}

fn run(data: &[u8], subjects: &[Subject]) -> Option<(Subject, Workload, Outcome)> {
    let (subject, workload, choices) = decode(data, subjects)?;
    let outcome = (subject.run)(&workload, Box::new(Choices::new(choices)), limits());
    Some((subject, workload, outcome))
}

/// Runs one input on the structures `entries` as the target does.
pub fn check_with(data: &[u8], entries: &[Entry]) -> Checked {
    check_subjects(data, &subjects(entries))
}

/// Runs one input on `subjects`.
pub fn check_subjects(data: &[u8], subjects: &[Subject]) -> Checked {
    let Some((entry, workload, outcome)) = run(data, subjects) else {
        return Checked::Pass;
    };
    crate::checked("schedules", entry.info().name, &workload, outcome)
}

/// Runs one input on the structures selected by `MAPCHECK_FUZZ_STRUCTURES`.
pub fn check(data: &[u8]) -> Checked {
    check_subjects(data, selected())
}

/// The failure record of a failing input, its schedule pinned as the scheduler chose it.
pub fn to_record(data: &[u8], entries: &[Entry]) -> Option<FailureRecord> {
    let (entry, workload, outcome) = run(data, &subjects(entries))?;
    crate::record("schedules", &entry, &workload, outcome)
}

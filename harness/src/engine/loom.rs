//! The loom engine: every interleaving up to a preemption bound, deterministic, so the N-th
//! permutation is a replayable schedule.

use super::{execute, judge_run, Found, Limits, Outcome, Pinned, Workload};
use crate::engine::FailedRun;
use crate::history::Recorder;
use crate::quiet::quietly;
use crate::rt::Loom;
use crate::structure::Structure;
use crate::verdict::{classify_panic, Verdict};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Explores with loom. With `replay = Some(n)`, runs permutations 1..=n of the same deterministic
/// exploration, so the n-th is exactly the recorded one.
pub(super) fn explore<S: Structure>(
    workload: &Workload,
    preemption_bound: usize,
    limits: Limits,
    replay: Option<usize>,
) -> Outcome {
    let w = Arc::new(workload.clone());
    let found: Found = Arc::default();
    let current: Arc<Mutex<Option<Arc<Recorder>>>> = Arc::default();
    let count = Arc::new(AtomicUsize::new(0));

    let mut b = loom::model::Builder::new();
    b.preemption_bound = Some(preemption_bound);
    b.max_branches = 10_000;
    b.max_threads = loom::MAX_THREADS;
    b.checkpoint_interval = 1;
    b.checkpoint_file = None;
    b.log = false;
    b.location = false;
    let max = replay.unwrap_or(limits.max_schedules);
    b.max_permutations = Some(max + 1);
    b.max_duration = if replay.is_some() {
        None
    } else {
        Some(limits.budget)
    };

    let (w2, found2, current2, count2) = (w.clone(), found.clone(), current.clone(), count.clone());
    let (done, panic) = quietly(move || {
        b.check(move || {
            count2.fetch_add(1, Ordering::SeqCst);
            let rec = Recorder::new(w2.threads.len());
            *current2.lock().unwrap_or_else(|e| e.into_inner()) = Some(rec.clone());
            let end = execute::<Loom, S>(&w2, &rec, None);
            let mut history = rec.history(w2.initial.clone());
            history.quiescence = end.quiescence;
            history.leaks = end.leaks;
            let verdict = judge_run::<S>(&history, end.panic.as_deref());
            if verdict.is_fail() {
                *found2.lock().unwrap_or_else(|e| e.into_inner()) = Some((verdict, history));
                panic!("mapcheck: a run failed its oracle");
            }
        })
    });
    let schedules = count.load(Ordering::SeqCst);
    let failure = found
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take()
        .or_else(|| {
            // A panic message only matters when it stopped the exploration.
            if done.is_some() {
                return None;
            }
            let msg = panic.unwrap_or_else(|| "the run panicked without a message".into());
            let rec = current.lock().unwrap_or_else(|e| e.into_inner()).take()?;
            Some((
                Verdict::Fail(classify_panic(&msg)),
                rec.history(w.initial.clone()),
            ))
        });
    let verdict = match &failure {
        Some((v, _)) => v.clone(),
        None if done.is_none() => Verdict::Unknown {
            reason: "loom stopped without a verdict".into(),
        },
        None => Verdict::Pass,
    };
    Outcome {
        exhausted: done.is_some() && schedules < max,
        verdict,
        schedules,
        elapsed: Duration::ZERO,
        failure: failure.map(|(verdict, history)| FailedRun {
            verdict,
            history,
            pinned: Pinned::Loom { execution: schedules },
        }),
    }
}

//! The loom engine: every interleaving up to a preemption bound, deterministic, so the N-th
//! permutation is a replayable schedule.

use super::{FailedRun, Limits, Outcome, Pinned, Probe, Subject, Workload};
use crate::quiet::quietly;
use crate::rt::Loom;
use crate::verdict::{Oracle, Verdict};
use std::time::{Duration, Instant};

/// The model threads loom can run beside the thread that starts them: loom models at most
/// `loom::MAX_THREADS` threads, the main thread included.
pub const MAX_MODEL_THREADS: usize = loom::MAX_THREADS - 1;

/// How loom's own assertion reads when a run spawns more threads than it models.
const TOO_MANY_THREADS: &str = "self.threads.len() < self.max()";

/// Explores with loom. With `replay = Some(n)`, runs permutations 1..=n of the same deterministic
/// exploration, so the n-th is exactly the recorded one.
///
/// A workload with more threads than loom models is not applicable, with the reason; so is one
/// whose run stops on loom's thread limit because the structure starts threads of its own (a
/// background collector): that is loom's limit, not a failure of the structure.
pub(super) fn explore(
    subject: &Subject,
    workload: &Workload,
    preemption_bound: usize,
    limits: Limits,
    replay: Option<usize>,
) -> Outcome {
    if workload.threads.len() > MAX_MODEL_THREADS {
        return super::not_applicable_outcome(format!(
            "the workload has {} threads; loom models at most {MAX_MODEL_THREADS} beside the main one",
            workload.threads.len(),
        ));
    }
    let probe = Probe::new(workload, limits);
    let mut b = loom::model::Builder::new();
    b.preemption_bound = Some(preemption_bound);
    b.max_branches = 10_000;
    b.max_threads = loom::MAX_THREADS;
    b.checkpoint_interval = 1;
    b.checkpoint_file = None;
    b.log = false;
    b.location = false;
    let max = replay.unwrap_or(limits.max_schedules);
    b.max_permutations = Some(max.saturating_add(1));
    b.max_duration = if replay.is_some() {
        None
    } else {
        Some(limits.budget)
    };

    let p = probe.clone();
    let subject = *subject;
    let started = Instant::now();
    // Drop-in values created during the exploration are loom's (`crate::sync`).
    let kind = crate::sync::enter(crate::rt::RuntimeKind::Loom);
    let (done, panic) = quietly(move || b.check(move || p.run_once::<Loom>(&subject)));
    drop(kind);
    // loom returns normally both when it has explored every interleaving and when its time budget
    // or permutation limit stopped it; only the first is exhaustion. A run that ends right at the
    // deadline counts as cut, which may under-claim but never over-claims.
    let in_time = replay.is_some() || started.elapsed() < limits.budget;
    let schedules = probe.schedules();
    let (verdict, failure) = probe.finish(done.is_some(), panic, "loom");
    if let Verdict::Fail(f) = &verdict {
        if f.oracle == Oracle::Panic && f.summary.contains(TOO_MANY_THREADS) {
            return super::not_applicable_outcome(format!(
                "{} starts threads of its own: with {} model threads a run needs more than loom's {}",
                subject.name(),
                workload.threads.len(),
                loom::MAX_THREADS
            ));
        }
    }
    // A replay of permutation n that runs out of permutations first, or fails on an earlier one, is
    // not the recorded run: the code (or loom) changed since it was recorded.
    let diverged = replay.and_then(|n| match &failure {
        None if done.is_some() && schedules < n => Some(format!(
            "loom's exploration ended after {schedules} permutation(s); the recording failed on permutation {n}"
        )),
        Some(_) if schedules < n => Some(format!(
            "permutation {schedules} failed, before the recorded permutation {n}"
        )),
        _ => None,
    });
    Outcome {
        exhausted: done.is_some() && schedules < max && in_time,
        unknown_runs: probe.unknowns().runs,
        findings: probe.unknowns().findings,
        diverged,
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

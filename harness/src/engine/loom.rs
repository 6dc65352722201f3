//! The loom engine: every interleaving up to a preemption bound, deterministic, so the N-th
//! permutation is a replayable schedule.

use super::{FailedRun, Limits, Outcome, Pinned, Probe, Workload};
use crate::quiet::quietly;
use crate::rt::Loom;
use crate::structure::Structure;
use std::time::Duration;

/// Explores with loom. With `replay = Some(n)`, runs permutations 1..=n of the same deterministic
/// exploration, so the n-th is exactly the recorded one.
pub(super) fn explore<S: Structure>(
    workload: &Workload,
    preemption_bound: usize,
    limits: Limits,
    replay: Option<usize>,
) -> Outcome {
    let probe = Probe::new(workload);
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

    let p = probe.clone();
    let (done, panic) = quietly(move || b.check(move || p.run_once::<Loom, S>()));
    let schedules = probe.schedules();
    let (verdict, failure) = probe.finish(done.is_some(), panic, "loom");
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

//! The real-thread engine: many seeded runs on OS threads with random yields between operations.
//!
//! Real threads cannot be replayed step for step. A failure records its history (the failure record
//! keeps it for rechecking) and the seed and iteration that drove its jitter, so the same workload
//! can be run again under the same seed.

use super::{execute, judge_run, splitmix, FailedRun, Limits, Outcome, Pinned, Workload};
use crate::history::Recorder;
use crate::quiet::quietly;
use crate::rt::Std;
use crate::structure::Structure;
use crate::verdict::{classify_panic, Verdict};
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
    let mut schedules = 0;
    for iteration in range.clone() {
        if replay.is_none() && started.elapsed() > limits.budget {
            return outcome(Verdict::Pass, schedules, false, None);
        }
        schedules += 1;
        let rec = Recorder::new(workload.threads.len());
        let mut s = seed ^ (iteration as u64);
        let jitter = splitmix(&mut s);
        // A run that makes no progress within the timeout is a liveness failure: its threads are
        // left blocked (real threads cannot be cancelled) and the exploration stops.
        let (tx, rx) = std::sync::mpsc::channel();
        let (w, r) = (workload.clone(), rec.clone());
        std::thread::spawn(move || {
            let _ = tx.send(quietly(|| execute::<Std, S>(&w, &r, Some(jitter))));
        });
        let Ok((joined, hook_msg)) = rx.recv_timeout(hang_timeout(limits)) else {
            let history = rec.history(workload.initial.clone());
            let verdict = Verdict::Fail(classify_panic(&format!(
                "deadlock or livelock: the run made no progress within {:?} on real threads",
                hang_timeout(limits)
            )));
            let failure = FailedRun {
                verdict: verdict.clone(),
                history,
                pinned: Pinned::Threads { iteration },
            };
            return outcome(verdict, schedules, false, Some(failure));
        };
        let (panicked, quiescence, leaks) = match joined {
            Some(end) => (end.panic.or(hook_msg), end.quiescence, end.leaks),
            None => (hook_msg, None, None),
        };
        let mut history = rec.history(workload.initial.clone());
        history.quiescence = quiescence;
        history.leaks = leaks;
        let verdict = judge_run::<S>(&history, panicked.as_deref());
        if verdict.is_fail() {
            let failure = FailedRun {
                verdict: verdict.clone(),
                history,
                pinned: Pinned::Threads { iteration },
            };
            return outcome(verdict, schedules, false, Some(failure));
        }
        if let Verdict::Unknown { .. } = verdict {
            return outcome(verdict, schedules, false, None);
        }
    }
    outcome(Verdict::Pass, schedules, true, None)
}

/// How long one real-thread run may take before it counts as hung.
fn hang_timeout(limits: Limits) -> Duration {
    limits.budget.max(Duration::from_secs(2))
}

fn outcome(verdict: Verdict, schedules: usize, exhausted: bool, failure: Option<FailedRun>) -> Outcome {
    Outcome {
        verdict,
        schedules,
        elapsed: Duration::ZERO,
        exhausted,
        failure,
    }
}

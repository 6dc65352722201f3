//! Shrinking: before a failure is reported, make it smaller while it still fails the same oracle.
//!
//! Like Lincheck's minimisation and proptest's shrinking, the search is greedy, with the chunked
//! candidates of delta debugging (Zeller and Hildebrandt 2002): try dropping a whole thread, then
//! half of a thread's operations, a quarter, ... down to one operation, then initial entries the
//! same way; keep the first smaller workload that still fails the same way and start again; stop
//! when no candidate fails or the budget is spent. Then the exploration bound itself is lowered:
//! fewer preemptions for loom, a smaller depth for PCT.
//!
//! Each attempt explores at most a few times the schedules the original failure needed (a smaller
//! workload that still has the bug is found about as fast; one that lost it would otherwise use up
//! the whole budget), so a shrink of a few seconds tries dozens of candidates. [`Shrunk::note`]
//! says why a failure was not made smaller, or that the budget cut the search short.

use crate::engine::{run_subject, Engine, Limits, Outcome, Subject, Workload};
use crate::structure::Structure;
use crate::verdict::{Oracle, Verdict};
use std::time::{Duration, Instant};

/// A failure made smaller.
pub struct Shrunk {
    pub workload: Workload,
    pub engine: Engine,
    pub outcome: Outcome,
    /// Runs tried while shrinking.
    pub attempts: usize,
    /// Whether the search ended on its own (no smaller candidate failed), not by the budget.
    pub complete: bool,
    /// How long the search took.
    pub elapsed: Duration,
}

impl Shrunk {
    /// Why the failure is no smaller, when that needs saying: nothing smaller failed the same way,
    /// or the budget stopped the search. `None` when it was made smaller and the search ended on
    /// its own.
    pub fn note(&self, original: &Workload, oracle: Option<Oracle>) -> Option<String> {
        let smaller = self.workload != *original;
        let oracle = oracle.map_or_else(|| "the same way".to_string(), |o| format!("with {o}"));
        match (smaller, self.complete) {
            (true, true) => None,
            (false, true) => Some(format!(
                "not shrunk: no smaller workload failed {oracle} ({} tried in {:.1}s)",
                self.attempts,
                self.elapsed.as_secs_f64()
            )),
            (_, false) => Some(format!(
                "shrinking stopped at its {:.1}s budget after {} tries; a smaller failure may exist",
                self.elapsed.as_secs_f64(),
                self.attempts
            )),
        }
    }
}

fn oracle_of(v: &Verdict) -> Option<Oracle> {
    match v {
        Verdict::Fail(f) => Some(f.oracle),
        _ => None,
    }
}

/// `items` without the chunk `start..start + len`.
fn without<T: Clone>(items: &[T], start: usize, len: usize) -> Vec<T> {
    items[..start]
        .iter()
        .chain(&items[start + len..])
        .cloned()
        .collect()
}

/// Chunk lengths for `n` items, largest first: n/2, n/4, ..., 1 (each once).
fn chunk_lengths(n: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut len = n / 2;
    while len > 1 {
        out.push(len);
        len /= 2;
    }
    if n > 0 {
        out.push(1);
    }
    out
}

/// The workloads one step smaller than `w`, biggest cuts first.
fn smaller(w: &Workload) -> Vec<Workload> {
    let mut out = Vec::new();
    if w.threads.len() > 1 {
        for t in 0..w.threads.len() {
            let mut c = w.clone();
            c.threads.remove(t);
            out.push(c);
        }
    }
    for len in chunk_lengths(w.threads.iter().map(Vec::len).max().unwrap_or(0)) {
        for t in 0..w.threads.len() {
            let ops = &w.threads[t];
            // Cutting a whole thread is the first kind of candidate.
            if len >= ops.len() {
                continue;
            }
            let mut start = 0;
            while start + len <= ops.len() {
                let mut c = w.clone();
                c.threads[t] = without(ops, start, len);
                if c.threads[t].is_empty() {
                    c.threads.remove(t);
                }
                if !c.threads.is_empty() {
                    out.push(c);
                }
                start += len;
            }
        }
    }
    for len in chunk_lengths(w.initial.len()) {
        let mut start = 0;
        while start + len <= w.initial.len() {
            let mut c = w.clone();
            c.initial = without(&w.initial, start, len);
            out.push(c);
            start += len;
        }
    }
    out
}

/// The limits of one attempt: a few times the schedules the failure first needed, within the
/// exploration's own cap and the time left.
fn attempt_limits(limits: Limits, found_after: usize, left: Duration) -> Limits {
    Limits {
        max_schedules: found_after
            .saturating_mul(4)
            .max(64)
            .min(limits.max_schedules.max(1)),
        budget: left.min(limits.budget.max(Duration::from_millis(1))),
        ..limits
    }
}

/// Shrinks a failing `outcome` of `workload` under `engine`, spending at most `budget`.
pub fn shrink<S: Structure>(
    workload: &Workload,
    engine: Engine,
    limits: Limits,
    outcome: Outcome,
    budget: Duration,
) -> Shrunk {
    shrink_subject(&Subject::of::<S>(), workload, engine, limits, outcome, budget)
}

/// [`shrink`] for a structure given as a [`Subject`].
pub fn shrink_subject(
    subject: &Subject,
    workload: &Workload,
    engine: Engine,
    limits: Limits,
    outcome: Outcome,
    budget: Duration,
) -> Shrunk {
    let started = Instant::now();
    let target = oracle_of(&outcome.verdict);
    let found_after = outcome.schedules.max(1);
    let mut best = Shrunk {
        workload: workload.clone(),
        engine,
        outcome,
        attempts: 0,
        complete: true,
        elapsed: Duration::ZERO,
    };
    if target.is_none() {
        return best;
    }
    let still_fails = |w: &Workload, e: Engine, best: &mut Shrunk| {
        best.attempts += 1;
        let left = budget.saturating_sub(started.elapsed());
        let o = run_subject(subject, w, e, attempt_limits(limits, found_after, left));
        if oracle_of(&o.verdict) == target && o.failure.is_some() {
            best.workload = w.clone();
            best.engine = e;
            best.outcome = o;
            true
        } else {
            false
        }
    };
    'outer: loop {
        for c in smaller(&best.workload) {
            if started.elapsed() >= budget {
                best.complete = false;
                break 'outer;
            }
            if still_fails(&c, best.engine, &mut best) {
                continue 'outer;
            }
        }
        break;
    }
    let lower: Vec<Engine> = match best.engine {
        Engine::Loom { preemption_bound } => (0..preemption_bound)
            .map(|b| Engine::Loom { preemption_bound: b })
            .collect(),
        Engine::ShuttlePct { seed, depth } => (1..depth)
            .map(|d| Engine::ShuttlePct { seed, depth: d })
            .collect(),
        _ => Vec::new(),
    };
    for e in lower {
        if started.elapsed() >= budget {
            best.complete = false;
            break;
        }
        let w = best.workload.clone();
        if still_fails(&w, e, &mut best) {
            break;
        }
    }
    best.elapsed = started.elapsed();
    best
}

/// "3 threads x 4 ops (12 ops), 2 initial entries" for a report.
pub fn describe(w: &Workload) -> String {
    let ops: usize = w.threads.iter().map(Vec::len).sum();
    format!(
        "{} thread(s), {ops} operation(s), {} initial entr{}",
        w.threads.len(),
        w.initial.len(),
        if w.initial.len() == 1 { "y" } else { "ies" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::Op;

    fn w(threads: Vec<Vec<Op>>) -> Workload {
        Workload {
            initial: vec![(1, 1), (2, 2), (3, 3)],
            threads,
        }
    }

    #[test]
    fn candidates_cut_threads_then_halves_then_single_operations() {
        let ops: Vec<Op> = (0..8).map(|k| Op::Get { key: k }).collect();
        let c = smaller(&w(vec![ops.clone(), ops.clone()]));
        assert_eq!(c[0].threads.len(), 1, "a whole thread first");
        assert_eq!(c[2].threads[0].len(), 4, "then half of a thread");
        assert!(c.iter().any(|x| x.threads[0].len() == 7), "down to one operation");
        assert!(c.iter().any(|x| x.initial.len() == 2), "and initial entries");
        // Every candidate is strictly smaller.
        let size = |x: &Workload| x.threads.iter().map(Vec::len).sum::<usize>() + x.initial.len();
        assert!(c.iter().all(|x| size(x) < 19));
    }

    #[test]
    fn a_thread_of_one_operation_is_cut_whole_not_emptied() {
        let c = smaller(&w(vec![vec![Op::Get { key: 1 }], vec![Op::Get { key: 2 }]]));
        assert!(c.iter().all(|x| x.threads.iter().all(|t| !t.is_empty())));
    }

    #[test]
    fn an_attempt_explores_a_few_times_what_the_failure_needed() {
        let l = Limits::default();
        assert_eq!(attempt_limits(l, 10, Duration::from_secs(5)).max_schedules, 64);
        assert_eq!(
            attempt_limits(l, 1000, Duration::from_secs(5)).max_schedules,
            4000
        );
        assert!(attempt_limits(l, 1000, Duration::from_millis(3)).budget <= Duration::from_millis(3));
    }
}

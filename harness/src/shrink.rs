//! Shrinking: before a failure is reported, make it smaller while it still fails the same oracle.
//!
//! Like Lincheck's minimisation and proptest's shrinking, the search is greedy: try dropping a whole
//! thread, then one operation, then one initial entry; keep the first smaller workload that still
//! fails the same way and start again; stop when nothing smaller fails or the budget is spent. Then
//! the exploration bound itself is lowered: fewer preemptions for loom, a smaller depth for PCT.

use crate::engine::{run, Engine, Limits, Outcome, Workload};
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
}

fn oracle_of(v: &Verdict) -> Option<Oracle> {
    match v {
        Verdict::Fail(f) => Some(f.oracle),
        _ => None,
    }
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
    for t in 0..w.threads.len() {
        for i in 0..w.threads[t].len() {
            let mut c = w.clone();
            c.threads[t].remove(i);
            if c.threads[t].is_empty() {
                c.threads.remove(t);
            }
            if !c.threads.is_empty() {
                out.push(c);
            }
        }
    }
    for i in 0..w.initial.len() {
        let mut c = w.clone();
        c.initial.remove(i);
        out.push(c);
    }
    out
}

/// Shrinks a failing `outcome` of `workload` under `engine`, spending at most `budget`.
pub fn shrink<S: Structure>(
    workload: &Workload,
    engine: Engine,
    limits: Limits,
    outcome: Outcome,
    budget: Duration,
) -> Shrunk {
    let started = Instant::now();
    let target = oracle_of(&outcome.verdict);
    let mut best = Shrunk {
        workload: workload.clone(),
        engine,
        outcome,
        attempts: 0,
    };
    if target.is_none() {
        return best;
    }
    let still_fails = |w: &Workload, e: Engine, best: &mut Shrunk| {
        best.attempts += 1;
        let o = run::<S>(w, e, limits);
        if oracle_of(&o.verdict) == target && o.failure.is_some() {
            best.workload = w.clone();
            best.engine = e;
            best.outcome = o;
            true
        } else {
            false
        }
    };
    'outer: while started.elapsed() < budget {
        for c in smaller(&best.workload) {
            if started.elapsed() >= budget {
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
            break;
        }
        let w = best.workload.clone();
        if still_fails(&w, e, &mut best) {
            break;
        }
    }
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

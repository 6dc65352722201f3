//! The search for a linearization of one partition.
//!
//! It is Wing and Gong's depth-first search (J. Parallel Distrib. Comput., 1993), with Lowe's
//! memoisation of configurations already explored ("Testing for linearizability", Concurrency and
//! Computation: Practice and Experience 29(4), 2017), the cache porcupine keeps on its linearized
//! bitset and state. A configuration is what has been linearized and the spec state it led to; the
//! operations linearized are a prefix of each thread's operations, so the configuration is the
//! per-thread position vector plus the state, and each step costs O(threads).
//!
//! Three reductions keep the search small where operations really overlap; all keep the verdict
//! exact.
//!
//! - **Operations that change nothing go at once.** A candidate whose result matches the current
//!   state and that leaves the state as it is (a read, a remove of an absent key, ...) is linearized
//!   immediately and never undone as a choice: any linearization from this configuration can be
//!   reordered to put it first, since it is invoked before every unlinearized return and changes no
//!   other operation's result. So the configuration has a linearization iff the one after it has,
//!   and the deepest sequence from it is one longer. Without this, every subset of the reads open at
//!   once is a configuration of its own, and a late violation makes the search visit them all.
//! - **Only operations the next forced one depends on go before it** (Lowe's just-in-time
//!   linearization, as a persistent set in the sense of Godefroid, "Partial-Order Methods for the
//!   Verification of Concurrent Systems", LNCS 1032, 1996). The completed operation that returns
//!   first must be linearized before anything invoked after its return. Operations placed before it
//!   that commute with it and with everything else placed before it can be moved after it (they are
//!   all still open when it returns), so the search only tries, next, that operation and the
//!   candidates connected to it by chains of operations that do not commute. On the whole map it
//!   leaves out writes to unrelated keys, which would otherwise multiply the configurations by every
//!   subset of them. This one can skip deeper dead ends, so the longest prefix is searched for
//!   without it (`reduce: false`). Per key it leaves out little (the reads that do not match, which
//!   the model refuses anyway, and other clears beside a forced clear), so the one-key search does
//!   without it and its cost: O(threads^2) a step with every thread on one key.
//! - **One key's values in groups** (`groups.rs`, for one-key partitions): a group of values the
//!   state passes through in one stretch may not be entered while a group that must come before it
//!   has members left (the entry gate), and a move that leaves a group with members left is refused
//!   (the exit check). Many threads on one key leave many writes that found the key absent open at
//!   once; without the gate the search tries their groups in every order. When the groups show,
//!   without searching, that the partition has no linearization, the search only looks for the
//!   sequence to report: it stops at its first dead end.
//!
//! A configuration is memoised when it is first entered, and the search only backtracks out of one
//! that has no linearization, so a memoised configuration met again is known to fail. The gate and
//! the exit check depend only on what has been linearized, so this stays true with them.

use super::groups::{Groups, Progress, NONE};
use super::memo::Memo;
use super::model::{commute, Model, Step};
use super::Entry;

/// What the search of one partition found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Outcome {
    Ok,
    /// No linearization: the deepest sequence reached (event ids) and what it was stuck on.
    Violation {
        prefix: Vec<usize>,
        stuck: Vec<usize>,
    },
    Unknown {
        steps: u64,
    },
}

/// One linearized operation on the search path.
struct Frame<S> {
    thread: usize,
    /// The state before it, when it changed the state.
    prev: Option<S>,
    /// Linearized because it changes nothing: if the configuration after it fails, so does the one
    /// before it, with no other choice to try.
    forced: bool,
    id: usize,
    /// The group the state was in before it (`groups.rs`).
    group: u32,
}

/// Searches `entries` (one partition) from `init`; `reduce` turns on the dependency restriction,
/// `groups` (a one-key partition's, `groups.rs`) the entry gate and the exit check.
pub(super) fn search<M: Model>(
    entries: &[&Entry],
    model: &mut M,
    init: M::State,
    max_steps: u64,
    reduce: bool,
    groups: Option<&Groups>,
) -> Outcome {
    // Per-thread queues in invocation order, of positions in `entries`.
    let mut ids: Vec<usize> = entries.iter().map(|e| e.thread).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut queues: Vec<Vec<usize>> = vec![Vec::new(); ids.len()];
    for (i, e) in entries.iter().enumerate() {
        let t = ids.binary_search(&e.thread).expect("thread listed");
        queues[t].push(i);
    }
    for q in &mut queues {
        q.sort_by_key(|&i| entries[i].invoke);
    }
    let threads = queues.len();
    let completed = entries.iter().filter(|e| e.ret.is_some()).count();
    let at = |head: &[u32], t: usize| queues[t].get(head[t] as usize).copied();
    let next = |head: &[u32], t: usize| at(head, t).map(|i| entries[i]);
    let mut progress = groups.filter(|g| g.any()).map(Progress::new);
    let proven = groups.is_some_and(|g| g.contradiction);
    // The completed unlinearized operation that returns first (the one that must go next at the
    // latest) and its return: every candidate is invoked before that return.
    let forced_next = |head: &[u32]| {
        (0..threads)
            .filter_map(|t| next(head, t).filter(|e| e.ret.is_some()).map(|e| (e.ret_at, t)))
            .min()
    };
    let stuck = |head: &[u32]| {
        let m = forced_next(head).map_or(u64::MAX, |(r, _)| r);
        let mut out: Vec<(bool, usize)> = (0..threads)
            .filter_map(|t| next(head, t))
            .filter(|e| e.invoke <= m)
            .map(|e| (e.ret_at != m, e.id))
            .collect();
        out.sort();
        out.into_iter().map(|(_, id)| id).collect::<Vec<_>>()
    };

    let mut head = vec![0u32; threads];
    let mut seen: Memo<M::State> = Memo::new(threads, entries.len());
    let mut state = init;
    let mut path: Vec<Frame<M::State>> = Vec::new();
    let mut done = 0usize;
    let mut resume = 0usize;
    // The deepest sequence reached (what a report and the failure picture show), and how long a
    // prefix of it the current path still shares: a new best copies only the part of the path
    // pushed since the two diverged, so tracking it costs O(1) amortised per step.
    let mut best: Vec<usize> = Vec::new();
    let mut best_stuck: Vec<usize> = Vec::new();
    let mut shared = 0usize;
    let mut steps = 0u64;
    let mut candidate = vec![false; threads];
    let mut allowed = vec![false; threads];
    loop {
        if done == completed {
            return Outcome::Ok;
        }
        steps += 1;
        // A search that only looks for its first dead end takes at most one step per operation.
        if steps > max_steps && !proven {
            return Outcome::Unknown { steps };
        }
        let (bound, must) = forced_next(&head).expect("an operation is left to linearize");
        for (t, c) in candidate.iter_mut().enumerate() {
            *c = next(&head, t).is_some_and(|e| e.invoke <= bound);
        }
        // (thread, new state when it changes, forced, whether the model moved the state)
        let mut chosen: Option<(usize, Option<M::State>, bool, bool)> = None;
        let mut dead = false;
        if resume == 0 {
            for t in (0..threads).filter(|&t| candidate[t]) {
                let e = next(&head, t).expect("candidate");
                if model.step(&state, &e.op, e.ret.as_ref()) == Step::Same {
                    head[t] += 1;
                    if seen.insert(&head, &state) {
                        chosen = Some((t, None, true, false));
                    } else {
                        head[t] -= 1;
                        dead = true;
                    }
                    break;
                }
            }
        }
        if chosen.is_none() && !dead {
            if reduce {
                dependents(&head, entries, &queues, &candidate, must, &mut allowed);
            } else {
                allowed.copy_from_slice(&candidate);
            }
            for t in (resume..threads).filter(|&t| allowed[t]) {
                let i = at(&head, t).expect("candidate");
                if progress.as_ref().is_some_and(|p| !p.may_enter(i)) {
                    continue;
                }
                let e = entries[i];
                // Moved: the state changed (a conditional write that did nothing did not move it).
                let (after, moved) = match model.step(&state, &e.op, e.ret.as_ref()) {
                    Step::Refused => continue,
                    Step::Same => (state.clone(), false),
                    Step::To(s) => {
                        let moved = s != state;
                        (s, moved)
                    }
                };
                if let Some(p) = &mut progress {
                    let before = p.push(i, moved);
                    let stranded = p.left_behind(before);
                    p.pop(i, before);
                    if stranded {
                        continue;
                    }
                }
                head[t] += 1;
                if seen.insert(&head, &after) {
                    chosen = Some((t, Some(after), false, moved));
                    break;
                }
                head[t] -= 1;
            }
        }
        match chosen {
            Some((t, after, forced, moved)) => {
                let i = queues[t][head[t] as usize - 1];
                let e = entries[i];
                let group = progress.as_mut().map_or(NONE, |p| p.push(i, moved));
                let prev = after.map(|s| std::mem::replace(&mut state, s));
                path.push(Frame {
                    thread: t,
                    prev,
                    forced,
                    id: e.id,
                    group,
                });
                if e.ret.is_some() {
                    done += 1;
                }
                resume = 0;
            }
            None => {
                // A dead end: remember it if it is the deepest sequence seen so far.
                if path.len() > best.len() || (path.is_empty() && best.is_empty()) {
                    best.truncate(shared);
                    best.extend(path[shared..].iter().map(|f| f.id));
                    shared = path.len();
                    best_stuck = stuck(&head);
                }
                // Known to have no linearization: the first dead end is as deep as it looks.
                if proven {
                    return Outcome::Violation {
                        prefix: best,
                        stuck: best_stuck,
                    };
                }
                // Back out of every configuration known to fail with it.
                loop {
                    let Some(f) = path.pop() else {
                        return Outcome::Violation {
                            prefix: best,
                            stuck: best_stuck,
                        };
                    };
                    shared = shared.min(path.len());
                    head[f.thread] -= 1;
                    if let Some(prev) = f.prev {
                        state = prev;
                    }
                    let i = queues[f.thread][head[f.thread] as usize];
                    if let Some(p) = &mut progress {
                        p.pop(i, f.group);
                    }
                    if entries[i].ret.is_some() {
                        done -= 1;
                    }
                    if !f.forced {
                        resume = f.thread + 1;
                        break;
                    }
                }
            }
        }
    }
}

/// Marks in `out` the candidates that may go next under the dependency restriction: the forced
/// operation (`must`'s head) and every candidate joined to it by a chain of candidates that do not
/// commute pairwise.
fn dependents(
    head: &[u32],
    entries: &[&Entry],
    queues: &[Vec<usize>],
    candidate: &[bool],
    must: usize,
    out: &mut [bool],
) {
    out.fill(false);
    out[must] = true;
    let op = |t: usize| &entries[queues[t][head[t] as usize]].op;
    let mut work = vec![must];
    while let Some(x) = work.pop() {
        for t in 0..out.len() {
            if candidate[t] && !out[t] && !commute(op(x), op(t)) {
                out[t] = true;
                work.push(t);
            }
        }
    }
}

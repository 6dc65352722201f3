//! Linearizability checking of map histories against the sequential spec.
//!
//! The search is Wing and Gong's (J. Parallel Distrib. Comput., 1993): repeatedly pick a pending
//! operation that may take effect next (one invoked before every unlinearized operation's return),
//! apply it to the spec, and backtrack when its result disagrees. Lowe's memoisation ("Testing for
//! linearizability", Concurrency and Computation 2017) prunes any (linearized set, spec state) pair
//! already explored. Maps are P-compositional for single-key operations (Horn and Kroening, "Faster
//! linearizability checking via P-compositionality", FORTE 2015), so a history of single-key
//! operations is split per key and each partition is searched alone; a history with whole-map
//! operations (len, clear, a snapshot iteration) is searched whole.
//!
//! Three outcomes: ok, a violation with a witness, or unknown when the step budget runs out. Unknown
//! is never reported as ok.

use crate::history::{Event, History, MalformedHistory, Op, Ret};
use crate::spec::{apply_single, same_result, SpecMap};
use crate::structure::{Key, Value};
use rustc_hash::FxHashSet;
use std::collections::BTreeMap;
use std::hash::Hash;

/// Which part of the history a verdict is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Partition {
    Key(Key),
    Whole,
}

/// A history that cannot be linearized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub partition: Partition,
    /// Event ids of the longest sequence the search could order.
    pub longest_prefix: Vec<usize>,
    /// Event ids of the operations that could not be placed after that prefix: the completed
    /// operation that had to come next, then the other candidates that were tried.
    pub stuck: Vec<usize>,
    /// A smallest set of operations (no one of them can be left out) that cannot be ordered on
    /// their own: the witness a report shows. Empty when the partition was too large to minimise.
    pub witness: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinVerdict {
    Ok,
    Violation(Violation),
    /// The search budget ran out before a verdict; `steps` were taken.
    Unknown {
        steps: u64,
    },
}

/// Options for one check.
#[derive(Debug, Clone, Copy)]
pub struct LinOptions {
    /// Whether iterations are judged as whole-map reads (structures that declare snapshot
    /// iteration). Weakly consistent iterations are left to the iteration oracle.
    pub snapshot_iteration: bool,
    /// Whether len and clear are atomic. When they are not, len is left to weaker oracles and a
    /// clear is judged per key: it removes each key at some point between its call and return.
    pub atomic_whole_map: bool,
    /// Search steps allowed per partition before the verdict is unknown.
    pub max_steps: u64,
}

impl Default for LinOptions {
    fn default() -> Self {
        LinOptions {
            snapshot_iteration: true,
            atomic_whole_map: true,
            max_steps: 2_000_000,
        }
    }
}

#[derive(Debug, Clone)]
struct Entry {
    id: usize,
    thread: usize,
    invoke: u64,
    /// `u64::MAX` when pending.
    ret_at: u64,
    op: Op,
    ret: Option<Ret>,
}

/// Checks `history` for linearizability against the map spec.
pub fn check(history: &History, opts: LinOptions) -> Result<LinVerdict, MalformedHistory> {
    history.validate()?;
    Ok(check_valid(history, opts))
}

/// [`check`] for a history already validated (the verdict's judge validates once for every oracle).
pub(crate) fn check_valid(history: &History, opts: LinOptions) -> LinVerdict {
    let entries = entries(history, opts);
    let whole = entries.iter().any(|e| match e.op {
        Op::Len | Op::Clear => opts.atomic_whole_map,
        Op::Iterate { .. } => true,
        _ => false,
    });
    if whole {
        let init = SpecMap::new(&history.initial);
        return search(
            &entries,
            init,
            |s, op| s.apply(op),
            opts.max_steps,
            Partition::Whole,
        );
    }
    let mut by_key: BTreeMap<Key, Vec<Entry>> = BTreeMap::new();
    let (clears, singles): (Vec<Entry>, Vec<Entry>) = entries.into_iter().partition(|e| e.op == Op::Clear);
    for e in singles {
        by_key
            .entry(e.op.key().expect("single-key op"))
            .or_default()
            .push(e);
    }
    for k in history.initial.iter().map(|(k, _)| *k) {
        by_key.entry(k).or_default();
    }
    for part in by_key.values_mut() {
        part.extend(clears.iter().cloned());
    }
    let mut unknown = None;
    for (key, part) in by_key {
        let init = history.initial.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
        match search(&part, init, apply_single, opts.max_steps, Partition::Key(key)) {
            LinVerdict::Ok => {}
            v @ LinVerdict::Violation(_) => {
                return with_witness(v, &history.initial, &part, init, apply_single, opts.max_steps)
            }
            u @ LinVerdict::Unknown { .. } => unknown = Some(u),
        }
    }
    unknown.unwrap_or(LinVerdict::Ok)
}

/// The operations the linearizability check judges, with an iteration's effective return moved to
/// the first operation it made itself (a snapshot is taken before the first visit).
fn entries(history: &History, opts: LinOptions) -> Vec<Entry> {
    let first_child = |e: &Event| {
        history
            .events
            .iter()
            .filter(|c| c.parent == Some(e.id))
            .map(|c| c.invoke)
            .min()
    };
    history
        .events
        .iter()
        .filter(|e| match e.op {
            Op::Reclaim => false,
            Op::Iterate { .. } => opts.snapshot_iteration,
            Op::Len => opts.atomic_whole_map,
            _ => true,
        })
        .map(|e| {
            let mut ret_at = e.ret_at.unwrap_or(u64::MAX);
            if let Op::Iterate { .. } = e.op {
                if let Some(c) = first_child(e) {
                    ret_at = ret_at.min(c);
                }
            }
            Entry {
                id: e.id,
                thread: e.thread,
                invoke: e.invoke,
                ret_at,
                op: e.op,
                ret: e.ret.clone(),
            }
        })
        .collect()
}

/// Wing and Gong's search with Lowe's memoisation over one partition.
///
/// A thread's operations take effect in its program order, and each returns after the previous one
/// was invoked, so the operations that may go next are the first not-yet-linearized operation of each
/// thread whose invocation precedes every pending return; and the set of linearized operations is
/// just how far each thread has got. The search state is therefore the per-thread position vector
/// plus the spec state, which is also the memoisation key, and each step costs O(threads).
fn search<S: Clone + Eq + Hash>(
    entries: &[Entry],
    init: S,
    step: impl Fn(&mut S, &Op) -> Ret,
    max_steps: u64,
    partition: Partition,
) -> LinVerdict {
    // Per-thread queues in invocation order.
    let mut ids: Vec<usize> = entries.iter().map(|e| e.thread).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut queues: Vec<Vec<&Entry>> = vec![Vec::new(); ids.len()];
    for e in entries {
        let t = ids.binary_search(&e.thread).expect("thread listed");
        queues[t].push(e);
    }
    for q in &mut queues {
        q.sort_by_key(|e| e.invoke);
    }
    let threads = queues.len();
    let completed = entries.iter().filter(|e| e.ret.is_some()).count();
    let mut head = vec![0u32; threads];
    // FxHash: the memo is hashed once per search step, and its keys are not chosen by an adversary.
    // A search without backtracking stores one state per operation: sized for that up front.
    let mut seen: FxHashSet<(Vec<u32>, S)> =
        FxHashSet::with_capacity_and_hasher(entries.len(), Default::default());
    let mut state = init;
    // The path: which thread went, the state before it, and the operation's event id.
    let mut path: Vec<(usize, S, usize)> = Vec::new();
    let mut done = 0usize;
    let mut resume = 0usize;
    // The deepest linearized sequence reached so far (the longest linearizable prefix a report and
    // the failure picture show), and how long a prefix of it the current path still shares: a new
    // best copies only the part of the path pushed since the two diverged, so the tracking costs
    // O(1) amortised per step rather than a copy of the whole path at every deeper dead end.
    let mut best: Vec<usize> = Vec::new();
    let mut best_stuck: Vec<usize> = Vec::new();
    let mut shared = 0usize;
    let mut steps = 0u64;
    let next = |head: &[u32], t: usize| queues[t].get(head[t] as usize).copied();
    let min_ret = |head: &[u32]| {
        (0..threads)
            .filter_map(|t| next(head, t))
            .filter(|e| e.ret.is_some())
            .map(|e| e.ret_at)
            .min()
            .unwrap_or(u64::MAX)
    };
    let stuck = |head: &[u32]| {
        let m = min_ret(head);
        let mut out: Vec<(bool, usize)> = (0..threads)
            .filter_map(|t| next(head, t))
            .filter(|e| e.invoke <= m)
            .map(|e| (e.ret_at != m, e.id))
            .collect();
        out.sort();
        out.into_iter().map(|(_, id)| id).collect::<Vec<_>>()
    };
    loop {
        if done == completed {
            return LinVerdict::Ok;
        }
        steps += 1;
        if steps > max_steps {
            return LinVerdict::Unknown { steps };
        }
        let bound = min_ret(&head);
        let mut chosen = None;
        for t in resume..threads {
            let Some(e) = next(&head, t) else { continue };
            if e.invoke > bound {
                continue;
            }
            let mut after = state.clone();
            let expected = step(&mut after, &e.op);
            if let Some(observed) = &e.ret {
                if !same_result(observed, &expected) {
                    continue;
                }
            }
            head[t] += 1;
            if seen.insert((head.clone(), after.clone())) {
                chosen = Some((t, after));
                break;
            }
            head[t] -= 1;
        }
        match chosen {
            Some((t, after)) => {
                let id = queues[t][head[t] as usize - 1].id;
                path.push((t, std::mem::replace(&mut state, after), id));
                if queues[t][head[t] as usize - 1].ret.is_some() {
                    done += 1;
                }
                resume = 0;
            }
            None => {
                // A dead end: remember it if it is the longest ordered prefix seen so far.
                if path.len() > best.len() || (path.is_empty() && best.is_empty()) {
                    best.truncate(shared);
                    best.extend(path[shared..].iter().map(|(_, _, id)| *id));
                    shared = path.len();
                    best_stuck = stuck(&head);
                }
                let Some((t, prev, _)) = path.pop() else {
                    return LinVerdict::Violation(Violation {
                        partition,
                        longest_prefix: best,
                        stuck: best_stuck,
                        witness: Vec::new(),
                    });
                };
                shared = shared.min(path.len());
                head[t] -= 1;
                state = prev;
                if queues[t][head[t] as usize].ret.is_some() {
                    done -= 1;
                }
                resume = t + 1;
            }
        }
    }
}

/// Partitions larger than this are reported without a minimised witness.
const WITNESS_MAX_OPS: usize = 64;

/// Shrinks a violation's partition to a 1-minimal set of operations that still cannot be ordered:
/// each operation in turn is left out, and stays out if the rest is still not linearizable and every
/// value the rest observes is still put by one of them (or the initial contents), so that leaving out
/// an insert never manufactures a violation of its own.
fn with_witness<S: Clone + Eq + Hash>(
    verdict: LinVerdict,
    initial: &[(Key, Value)],
    entries: &[Entry],
    init: S,
    step: impl Fn(&mut S, &Op) -> Ret + Copy,
    max_steps: u64,
) -> LinVerdict {
    let LinVerdict::Violation(mut v) = verdict else {
        return verdict;
    };
    if entries.len() <= WITNESS_MAX_OPS {
        let mut core: Vec<Entry> = entries.to_vec();
        let mut i = 0;
        while i < core.len() {
            let mut without = core.clone();
            without.remove(i);
            let still = explains_every_value(&without, initial)
                && matches!(
                    search(&without, init.clone(), step, max_steps, v.partition.clone()),
                    LinVerdict::Violation(_)
                );
            if still {
                core = without;
            } else {
                i += 1;
            }
        }
        v.witness = core.iter().map(|e| e.id).collect();
        v.witness.sort_unstable();
    }
    LinVerdict::Violation(v)
}

/// Whether every value observed by `entries` is put by one of them or by the initial contents.
fn explains_every_value(entries: &[Entry], initial: &[(Key, Value)]) -> bool {
    let put = |k: Key, v: Value| {
        initial.contains(&(k, v))
            || entries
                .iter()
                .any(|e| matches!(e.op, Op::Insert { key, value } if key == k && value == v))
    };
    entries.iter().all(|e| match (&e.op, &e.ret) {
        (Op::Get { key } | Op::Remove { key } | Op::Insert { key, .. }, Some(Ret::Value(Some(v)))) => {
            put(*key, *v)
        }
        (Op::Iterate { .. }, Some(Ret::Yielded(kv))) => kv.iter().all(|(k, v)| put(*k, *v)),
        _ => true,
    })
}

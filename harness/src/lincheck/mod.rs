//! Linearizability checking of map histories against the sequential spec.
//!
//! The search (`search.rs`) is Wing and Gong's with Lowe's memoisation, with exact reductions:
//! operations that change nothing are linearized at once, and only the operations the next forced
//! one depends on are tried before it. Maps are P-compositional for single-key operations (Horn and
//! Kroening, "Faster linearizability checking via P-compositionality", FORTE 2015), so a history of
//! single-key operations is split per key and each partition is searched alone against one key's
//! model; a history with whole-map operations (len, clear, a snapshot iteration) is searched whole
//! against the map model (`model.rs`). Within one key, values are split further into groups the
//! state passes through in one stretch (`groups.rs`): the order those stretches must come in prunes
//! the search, and some violations show without a search. `generate` makes histories with real
//! overlap to measure it on.
//!
//! Three outcomes: ok, a violation with a witness, or unknown when the step budget runs out. Unknown
//! is never reported as ok.

pub mod generate;
mod groups;
mod memo;
mod model;
mod search;
mod witness;

use crate::history::{History, MalformedHistory, Op, Ret, ValueIf};
use crate::structure::{Key, Value};
use groups::Groups;
use model::{KeyModel, MapModel};
use search::{search, Outcome};
use std::collections::BTreeMap;

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
    /// Event ids of the longest sequence the search could order: the deepest linearizable
    /// sequence of the partition, except for a partition of more than 64 operations, where it is
    /// the deepest one the reduced search met (for one key whose violation the value groups show
    /// without a search, the sequence the search had built at its first dead end).
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
    /// clear is judged key by key (in each key's partition, or split into removals of each key in
    /// a history judged whole): it removes each key at some point between its call and return, and
    /// may remove it again, at later points before it returns, when it was put back meanwhile (a
    /// clear that walks a table once meets a key again that a concurrent insert placed further
    /// along).
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

/// One operation as the search sees it.
#[derive(Debug, Clone)]
struct Entry {
    id: usize,
    thread: usize,
    invoke: u64,
    /// `u64::MAX` when pending.
    ret_at: u64,
    op: Op,
    /// An iteration's yield is sorted by key: no structure promises an order.
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
    let all: Vec<&Entry> = entries.iter().collect();
    let whole = entries.iter().any(|e| match e.op {
        Op::Len | Op::Clear => opts.atomic_whole_map,
        Op::Iterate { .. } | Op::Retain { .. } => true,
        _ => false,
    });
    if whole {
        if !opts.atomic_whole_map && entries.iter().any(|e| e.op == Op::Clear) {
            let split = clears_per_key(&entries, &history_keys(history));
            let split: Vec<&Entry> = split.iter().collect();
            return check_whole(history, &split, opts.max_steps);
        }
        return check_whole(history, &all, opts.max_steps);
    }
    let mut by_key: BTreeMap<Key, Vec<&Entry>> = BTreeMap::new();
    let (clears, singles): (Vec<&Entry>, Vec<&Entry>) = all.iter().partition(|e| e.op == Op::Clear);
    for e in singles {
        by_key
            .entry(e.op.key().expect("single-key op"))
            .or_default()
            .push(e);
    }
    for k in history.initial.iter().map(|(k, _)| *k) {
        by_key.entry(k).or_default();
    }
    let mut unknown = None;
    for (key, mut part) in by_key {
        let again = again(&part, &clears, &mut (usize::MAX / 4 * 3));
        part.extend(clears.iter().copied());
        part.extend(again.iter());
        let init = history.initial.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
        match search_key(&part, init, opts.max_steps, true) {
            Outcome::Ok => {}
            Outcome::Violation {
                mut prefix,
                mut stuck,
            } => {
                // The groups' pruning can skip deeper dead ends; where it is cheap, the deepest
                // sequence is searched for without it, as the failure picture promises.
                if part.len() <= witness::WITNESS_MAX_OPS {
                    if let Outcome::Violation { prefix: p, stuck: s } =
                        search_key(&part, init, opts.max_steps, false)
                    {
                        (prefix, stuck) = (p, s);
                    }
                }
                let witness = witness::minimal(&part, &history.initial, |p| {
                    search_key(p, init, opts.max_steps, true)
                });
                return LinVerdict::Violation(Violation {
                    partition: Partition::Key(key),
                    longest_prefix: prefix,
                    stuck,
                    witness,
                });
            }
            Outcome::Unknown { steps } => unknown = Some(LinVerdict::Unknown { steps }),
        }
    }
    unknown.unwrap_or(LinVerdict::Ok)
}

/// The removals of a key that clears which are not atomic may make besides their first: for each
/// clear, one for each operation on the key that may add it (an insert, a get-or-insert, an update
/// that inserts) and whose interval overlaps the clear's. Each is the clear again on a thread of
/// its own, with the clear's interval.
///
/// That many are enough, and a removal that finds the key absent changes nothing, so the partition
/// with them has a linearization exactly when some order has each clear remove the key at one or
/// more points of its interval: between two removals by one clear that each take a key out, an
/// operation put it back, at a point inside the clear's interval, so its own interval overlaps the
/// clear's; and the removals left over go right after the clear's first, where the key is absent.
/// (`tests/lin_brute.rs` checks this against an exhaustive search that lets a clear remove a key
/// at any number of points.)
fn again(part: &[&Entry], clears: &[&Entry], lane: &mut usize) -> Vec<Entry> {
    let mut out = Vec::new();
    for c in clears {
        let adds = part
            .iter()
            .filter(|e| e.op.may_add().is_some() && e.invoke < c.ret_at && e.ret_at > c.invoke)
            .count();
        for _ in 0..adds {
            *lane += 1;
            out.push(Entry {
                thread: *lane,
                ..(*c).clone()
            });
        }
    }
    out
}

/// The entries of a history judged whole (iteration is a snapshot) in which a clear is not atomic:
/// each clear becomes, for every key of `keys`, a removal of that key with whatever result during
/// the clear's call, and as many more as [`again`] gives it in that key's partition, each on a
/// thread of its own. The other entries stay as they are.
fn clears_per_key(entries: &[Entry], keys: &[Key]) -> Vec<Entry> {
    let mut lane = usize::MAX / 8 * 7;
    let mut out: Vec<Entry> = entries.iter().filter(|e| e.op != Op::Clear).cloned().collect();
    let mut by_key: BTreeMap<Key, Vec<&Entry>> = BTreeMap::new();
    for e in entries {
        if let Some(k) = e.op.key() {
            by_key.entry(k).or_default().push(e);
        }
    }
    for c in entries.iter().filter(|e| e.op == Op::Clear) {
        for &key in keys {
            lane += 1;
            let removal = Entry {
                thread: lane,
                op: Op::RemoveIf {
                    key,
                    delete: ValueIf::All,
                },
                ret: c.ret.as_ref().map(|_| Ret::Unobserved),
                ..c.clone()
            };
            let of_key = by_key.get(&key).map_or(&[][..], Vec::as_slice);
            out.extend(again(of_key, &[&removal], &mut lane));
            out.push(removal);
        }
    }
    out
}

/// Every key `history` names: its operations', its initial contents', and those only the result
/// of a retain or an iteration names.
fn history_keys(history: &History) -> Vec<Key> {
    let mut keys: Vec<Key> = history.events.iter().filter_map(|e| e.op.key()).collect();
    keys.extend(history.initial.iter().map(|(k, _)| *k));
    for e in &history.events {
        if let (Op::Retain { .. } | Op::Iterate { .. }, Some(Ret::Yielded(kv))) = (&e.op, &e.ret) {
            keys.extend(kv.iter().map(|(k, _)| *k));
        }
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// One key's partition against the one-key model; `by_value` turns on the pruning by groups of
/// values (`groups.rs`). The dependency restriction would leave out little here (see `search.rs`).
fn search_key(part: &[&Entry], init: Option<Value>, max_steps: u64, by_value: bool) -> Outcome {
    let groups = by_value.then(|| Groups::new(part, init));
    search(part, &mut KeyModel, init, max_steps, false, groups.as_ref())
}

/// The whole history against the map model.
fn check_whole(history: &History, all: &[&Entry], max_steps: u64) -> LinVerdict {
    let run = |part: &[&Entry], reduce: bool| {
        let (mut model, init) = MapModel::new(&history.initial, part.iter().map(|e| &e.op));
        search(part, &mut model, init, max_steps, reduce, None)
    };
    match run(all, true) {
        Outcome::Ok => LinVerdict::Ok,
        Outcome::Unknown { steps } => LinVerdict::Unknown { steps },
        Outcome::Violation {
            mut prefix,
            mut stuck,
        } => {
            // The dependency restriction can skip deeper dead ends; where it is cheap, the deepest
            // sequence is searched for without it, as the failure picture promises.
            if all.len() <= witness::WITNESS_MAX_OPS {
                if let Outcome::Violation { prefix: p, stuck: s } = run(all, false) {
                    (prefix, stuck) = (p, s);
                }
            }
            let witness = witness::minimal(all, &history.initial, |p| run(p, true));
            LinVerdict::Violation(Violation {
                partition: Partition::Whole,
                longest_prefix: prefix,
                stuck,
                witness,
            })
        }
    }
}

/// The operations the linearizability check judges, with an iteration's effective return moved to
/// the first operation it made itself (a snapshot is taken before the first visit).
///
/// A retain is one whole-map operation when iteration is a snapshot (it takes effect at one
/// instant). Otherwise it is judged per key, as a clear that is not atomic is: each entry it
/// removed is a remove-if of that key that took the visited value out at some point during the
/// call (what it kept, and what it skipped, are the iteration oracle's); a retain whose result is
/// not known (pending, or unobserved) may have removed any key, so it is a remove-if of every key
/// with the same result. Each of these runs on a thread of its own: the removals of one retain may
/// take effect in any order.
fn entries(history: &History, opts: LinOptions) -> Vec<Entry> {
    let mut first_child: Vec<u64> = vec![u64::MAX; history.events.len()];
    for c in &history.events {
        if let Some(p) = c.parent.filter(|&p| p < first_child.len()) {
            first_child[p] = first_child[p].min(c.invoke);
        }
    }
    let mut out = Vec::with_capacity(history.events.len());
    // Threads of the removals a retain is split into, above every real thread.
    let mut lane = usize::MAX / 2;
    // A key only a retain's result names is judged per key too.
    let keys = || history_keys(history);
    for e in &history.events {
        let keep = match e.op {
            Op::Reclaim => false,
            Op::Iterate { .. } => opts.snapshot_iteration,
            Op::Len => opts.atomic_whole_map,
            _ => true,
        };
        if !keep {
            continue;
        }
        let mut ret_at = e.ret_at.unwrap_or(u64::MAX);
        let mut ret = e.ret.clone();
        match e.op {
            Op::Iterate { .. } => ret_at = ret_at.min(first_child[e.id]),
            Op::Retain { delete } if !opts.snapshot_iteration => {
                let removed: Vec<(Key, Option<Ret>)> = match &e.ret {
                    Some(Ret::Yielded(kv)) => kv
                        .iter()
                        .filter(|(_, v)| delete.matches(*v))
                        .map(|&(k, v)| (k, Some(Ret::Value(Some(v)))))
                        .collect(),
                    unknown => keys().into_iter().map(|k| (k, unknown.clone())).collect(),
                };
                for (key, ret) in removed {
                    lane += 1;
                    out.push(Entry {
                        id: e.id,
                        thread: lane,
                        invoke: e.invoke,
                        ret_at,
                        op: Op::RemoveIf { key, delete },
                        ret,
                    });
                }
                continue;
            }
            _ => {}
        }
        if let (Op::Iterate { .. } | Op::Retain { .. }, Some(Ret::Yielded(kv))) = (&e.op, &mut ret) {
            kv.sort_unstable();
        }
        out.push(Entry {
            id: e.id,
            thread: e.thread,
            invoke: e.invoke,
            ret_at,
            op: e.op,
            ret,
        });
    }
    out
}

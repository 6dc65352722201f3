//! The iteration oracle, with the Go spec's rules for an iteration: no key yielded twice; every
//! key present for the whole iteration and deleted by no one is yielded; and each value yielded was
//! the key's value at some point of a window that depends on the declared guarantee
//! ([`IterationGuarantee`]): per visit for a weakly consistent iteration (between the previous visit,
//! or the invocation, and this visit: an entry removed before the iteration reaches it is not
//! produced, and the value produced is the one current when it is visited), from the start to the
//! visit for one that copies entries ahead of visiting them, and before the first visit for a
//! snapshot (whose stronger rule, one instant for the whole set, is the whole-history
//! linearizability check). A structure that declares an iteration that may repeat keys while its
//! table grows is excused the first rule only: its values are judged from the start of the
//! iteration, and an iteration that yields far more entries than there are keys did not end. A
//! record without visit positions is judged over the whole iteration. A retain is an iteration
//! that removes what its predicate matches as it visits: its visits are judged by the same rules,
//! and its removals are removes for every other iteration (`effect.rs` reads every conditional
//! write by its result).

use super::effect::{self, Leaves, Presence};
use crate::failure::{Failure, Oracle};
use crate::history::{Event, History, Op, Ret};
use crate::structure::IterationGuarantee;
use std::collections::BTreeSet;

/// Whether `e`'s result says it wrote `key` (an insert, a remove, a clear, a conditional write
/// that says it wrote).
fn certainly_writes(e: &Event, key: u64) -> bool {
    effect::certainly_left(e, key).is_some()
}

/// Whether `e` may have removed `key`.
fn removes_key(e: &Event, key: u64) -> bool {
    effect::may_leave(e, key) == Some(Leaves::Absent)
}

/// Whether `e` may have put `key` back after it was absent (an insert, a get-or-insert, an update
/// that inserts, unless its result says it found the key present).
fn adds_key(e: &Event, key: u64) -> bool {
    e.op.may_add() == Some(key) && matches!(effect::may_leave(e, key), Some(Leaves::Value(_) | Leaves::Any))
}

/// Whether `e` may have put `key = value`.
fn puts(e: &Event, key: u64, value: u64) -> bool {
    effect::may_leave(e, key).is_some_and(|l| l.may_be(Some(value)))
}

/// Every key the history mentions: the initial contents and every single-key operation.
fn keys(h: &History) -> BTreeSet<u64> {
    h.initial
        .iter()
        .map(|(k, _)| *k)
        .chain(h.events.iter().filter_map(|e| e.op.key()))
        .collect()
}

fn ret(e: &Event) -> u64 {
    e.ret_at.unwrap_or(u64::MAX)
}

/// Whether `key = value` may have held at some instant in `[from, to]`: put by the initial contents
/// or an insert invoked before `to`, and not certainly overwritten by a write that started after the
/// put returned and itself returned before `from`.
fn may_hold(h: &History, key: u64, value: u64, from: u64, to: u64) -> bool {
    let overwritten_after = |put_ret: Option<u64>| {
        h.events
            .iter()
            .any(|w| certainly_writes(w, key) && put_ret.is_none_or(|r| w.invoke > r) && ret(w) < from)
    };
    let initial = h.initial.contains(&(key, value)) && !overwritten_after(None);
    initial
        || h.events
            .iter()
            .any(|i| puts(i, key, value) && i.invoke < to && !overwritten_after(Some(ret(i))))
}

/// Whether `key` is certainly present at `at`: every operation that may change whether it is
/// present and may have been the last one to take effect before `at` leaves it present (or, with
/// no such operation, the key was in the initial contents).
fn certainly_present(h: &History, key: u64, at: u64) -> bool {
    let before: Vec<(&Event, Presence)> = h
        .events
        .iter()
        .filter(|w| ret(w) < at)
        .filter_map(|w| effect::presence(w, key).map(|p| (w, p)))
        .collect();
    let last: Vec<&(&Event, Presence)> = before
        .iter()
        .filter(|(w, _)| !before.iter().any(|(later, _)| later.invoke > ret(w)))
        .collect();
    if last.is_empty() {
        h.initial.iter().any(|(k, _)| *k == key)
    } else {
        last.iter().all(|(_, p)| *p == Presence::Present)
    }
}

/// Whether `key` may have been deleted and inserted again during `[from, to]`: a remove (or clear)
/// and an insert of it that both overlap the window, the remove able to come first. The Go spec
/// lets an iteration produce an entry created while it runs, so a key deleted and recreated may be
/// produced twice, once per entry.
fn recreated(h: &History, key: u64, from: u64, to: u64) -> bool {
    let overlaps = |e: &Event| e.invoke < to && ret(e) > from;
    h.events.iter().any(|r| {
        removes_key(r, key)
            && overlaps(r)
            && h.events
                .iter()
                .any(|i| adds_key(i, key) && overlaps(i) && r.invoke < ret(i))
    })
}

/// The positions between which the `i`-th yielded entry of iteration `it` must have held its value,
/// under `level`.
fn window(it: &Event, i: usize, level: IterationGuarantee) -> (u64, u64) {
    let visits = &it.visits;
    let yielded = match &it.ret {
        Some(Ret::Yielded(y)) => y.len(),
        _ => 0,
    };
    if visits.len() != yielded || i >= visits.len() {
        return (it.invoke, ret(it));
    }
    match level {
        IterationGuarantee::WeaklyConsistent => {
            (i.checked_sub(1).map_or(it.invoke, |p| visits[p]), visits[i])
        }
        IterationGuarantee::WeaklyConsistentSinceStart | IterationGuarantee::WeaklyConsistentMayRepeat => {
            (it.invoke, visits[i])
        }
        IterationGuarantee::Snapshot => (it.invoke, visits[0]),
    }
}

/// Judges every iteration of `h` against the guarantee `level` the structure declares.
pub fn check(h: &History, level: IterationGuarantee) -> Option<Failure> {
    for it in &h.events {
        let (Op::Iterate { .. } | Op::Retain { .. }, Some(Ret::Yielded(yielded))) = (&it.op, &it.ret) else {
            continue;
        };
        let (from, to) = (it.invoke, ret(it));
        let fail = |summary: String| Failure {
            oracle: Oracle::Iteration,
            summary: format!("T{} {}: {summary}", it.thread, it.op),
            evidence: vec![it.id],
            linearization: None,
        };
        let repeats = level == IterationGuarantee::WeaklyConsistentMayRepeat;
        let named = keys(h).len();
        if repeats && yielded.len() > level.visit_bound(named) {
            return Some(fail(format!(
                "yielded {} entries where the run has {named} keys (more than {} visits per key): an \
                 iteration that does not end",
                yielded.len(),
                crate::structure::REPEATS
            )));
        }
        let mut seen = BTreeSet::new();
        for (i, &(k, v)) in yielded.iter().enumerate() {
            // Only a weakly consistent iteration may produce an entry created while it runs; a
            // snapshot, or entries copied from the start, hold one entry per key. An iteration
            // declared to repeat keys may yield any key again.
            let may_recreate = level == IterationGuarantee::WeaklyConsistent;
            let twice = !seen.insert(k);
            if twice && !repeats && !(may_recreate && recreated(h, k, from, to)) {
                return Some(fail(format!("yielded key {k} twice")));
            }
            let (after, at) = window(it, i, level);
            if !may_hold(h, k, v, after, at) {
                let when = if (after, at) == (from, to) {
                    "at any point during the iteration".to_string()
                } else if after != from {
                    format!("at any point between the previous visit ({after}) and its visit ({at})")
                } else if level == IterationGuarantee::Snapshot {
                    format!(
                        "at any point between the start of the iteration ({after}) and its first visit \
                         ({at}), before which a snapshot is taken"
                    )
                } else {
                    format!("at any point between the start of the iteration ({after}) and its visit ({at})")
                };
                return Some(fail(format!(
                    "yielded {k} = {v}, which was not the key's value {when}"
                )));
            }
        }
        for k in keys(h) {
            if seen.contains(&k) || !certainly_present(h, k, from) {
                continue;
            }
            let deleted = h
                .events
                .iter()
                .any(|w| removes_key(w, k) && w.invoke < to && ret(w) > from);
            if !deleted {
                return Some(fail(format!(
                    "skipped key {k}, which was present for the whole iteration and deleted by no one"
                )));
            }
        }
    }
    None
}

/// The weak `len` check for structures whose len is not atomic (it counts shard by shard): the
/// result must be at least the number of keys certainly present throughout the call and deleted by
/// no one during it, and at most the number of keys that may have been present at some point during
/// it. Atomic lens are judged by the whole-history linearizability check instead.
pub fn check_len(h: &History) -> Option<Failure> {
    let keys = keys(h);
    for l in &h.events {
        let (Op::Len, Some(Ret::Len(n))) = (&l.op, &l.ret) else {
            continue;
        };
        let (from, to) = (l.invoke, ret(l));
        let mut lo = 0;
        let mut hi = 0;
        for &k in &keys {
            let touched = h
                .events
                .iter()
                .any(|w| removes_key(w, k) && w.invoke < to && ret(w) > from);
            if certainly_present(h, k, from) && !touched {
                lo += 1;
            }
            let maybe = h
                .initial
                .iter()
                .any(|(ik, iv)| *ik == k && may_hold(h, k, *iv, from, to))
                || h.events.iter().any(|i| match effect::may_leave(i, k) {
                    Some(Leaves::Value(v)) => i.op.key() == Some(k) && may_hold(h, k, v, from, to),
                    Some(Leaves::Any) => true,
                    _ => false,
                });
            if maybe {
                hi += 1;
            }
        }
        if *n < lo || *n > hi {
            return Some(Failure {
                oracle: Oracle::Iteration,
                summary: format!(
                    "T{} len() returned {n}, but between {lo} and {hi} keys were present during the call",
                    l.thread
                ),
                evidence: vec![l.id],
                linearization: None,
            });
        }
    }
    None
}

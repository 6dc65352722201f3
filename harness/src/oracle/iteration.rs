//! The iteration oracle, with the Go spec's rules for a weakly consistent iteration (which a
//! snapshot iteration also keeps; the stronger snapshot rule is the whole-history linearizability
//! check): no key yielded twice; no value yielded that was not the key's value at some point during
//! the iteration; every key present for the whole iteration and deleted by no one is yielded.

use crate::history::{Event, History, Op, Ret};
use crate::verdict::{Failure, Oracle};
use std::collections::BTreeSet;

fn writes_key(e: &Event, key: u64) -> bool {
    match e.op {
        Op::Insert { key: k, .. } | Op::Remove { key: k } => k == key,
        Op::Clear => true,
        _ => false,
    }
}

fn removes_key(e: &Event, key: u64) -> bool {
    matches!(e.op, Op::Remove { key: k } if k == key) || e.op == Op::Clear
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
            .any(|w| writes_key(w, key) && put_ret.is_none_or(|r| w.invoke > r) && ret(w) < from)
    };
    let initial = h.initial.contains(&(key, value)) && !overwritten_after(None);
    initial
        || h.events.iter().any(|i| {
            matches!(i.op, Op::Insert { key: k, value: v } if k == key && v == value)
                && i.invoke < to
                && !overwritten_after(Some(ret(i)))
        })
}

/// Whether `key` is certainly present at `at`: every write to it that may have been the last one to
/// take effect before `at` is an insert (or, with no such write, the key was in the initial contents).
fn certainly_present(h: &History, key: u64, at: u64) -> bool {
    let before: Vec<&Event> = h
        .events
        .iter()
        .filter(|w| writes_key(w, key) && ret(w) < at)
        .collect();
    let last: Vec<&&Event> = before
        .iter()
        .filter(|w| !before.iter().any(|later| later.invoke > ret(w)))
        .collect();
    if last.is_empty() {
        h.initial.iter().any(|(k, _)| *k == key)
    } else {
        last.iter().all(|w| matches!(w.op, Op::Insert { .. }))
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
            && h.events.iter().any(|i| {
                matches!(i.op, Op::Insert { key: k, .. } if k == key) && overlaps(i) && r.invoke < ret(i)
            })
    })
}

pub fn check(h: &History) -> Option<Failure> {
    for it in &h.events {
        let (Op::Iterate { .. }, Some(Ret::Yielded(yielded))) = (&it.op, &it.ret) else {
            continue;
        };
        let (from, to) = (it.invoke, ret(it));
        let fail = |summary: String| Failure {
            oracle: Oracle::Iteration,
            summary: format!("T{} {}: {summary}", it.thread, it.op),
            evidence: vec![it.id],
            linearization: None,
        };
        let mut seen = BTreeSet::new();
        for &(k, v) in yielded {
            if !seen.insert(k) && !recreated(h, k, from, to) {
                return Some(fail(format!("yielded key {k} twice")));
            }
            if !may_hold(h, k, v, from, to) {
                return Some(fail(format!(
                    "yielded {k} = {v}, which was not the key's value at any point during the iteration"
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
                || h.events.iter().any(|i| match i.op {
                    Op::Insert { key, value } => key == k && may_hold(h, k, value, from, to),
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

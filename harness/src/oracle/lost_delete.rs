//! The lost-delete oracle: a completed delete, then the key observed again with a value no write
//! could have put back; and its twin, the lost insert: a completed write of a value, then the key
//! observed without that value and with no write that could have replaced it.
//!
//! Both read conditional writes by their results (`effect.rs`): a compare-and-delete, a remove-if
//! or a retain that says it removed the key is a delete; a get-or-insert that inserted, a
//! compare-and-swap that swapped or an update is a write of what it put; a compare-and-swap or
//! compare-and-delete that failed saw the key not holding its `old`. A conditional write whose
//! result is not known may explain what another operation saw, and is never relied on.

use super::effect::{self, Leaves, Saw};
use crate::failure::{Failure, Oracle};
use crate::history::{Event, History, Op, Ret};
use std::collections::HashMap;

/// The operations that certainly left a key absent and completed (not a clear), by key.
fn deletes(h: &History) -> HashMap<u64, Vec<&Event>> {
    let mut out: HashMap<u64, Vec<&Event>> = HashMap::new();
    for e in h
        .events
        .iter()
        .filter(|e| e.ret_at.is_some() && e.op != Op::Clear)
    {
        let keys: Vec<u64> = match (&e.op, &e.ret) {
            (Op::Retain { .. }, Some(Ret::Yielded(kv))) => kv.iter().map(|(k, _)| *k).collect(),
            _ => e.op.key().into_iter().collect(),
        };
        for key in keys {
            if effect::certainly_left(e, key) == Some(Leaves::Absent) {
                out.entry(key).or_default().push(e);
            }
        }
    }
    out
}

/// Finds the earliest observation that resurrects a deleted key.
///
/// Sound on every linearizable history: if a delete D of key k returned before an operation O was
/// invoked and O saw k holding v, then some write of (k, v) took effect between them, so that write
/// returned after D was invoked and was invoked before O returned. For each observation only the
/// delete invoked last among those that returned before it matters: it leaves the narrowest window
/// for a write to explain the value.
pub fn check(h: &History) -> Option<Failure> {
    let deletes = deletes(h);
    let mut writers: HashMap<u64, Vec<&Event>> = HashMap::new();
    for e in &h.events {
        if let Some(key) = e.op.key() {
            writers.entry(key).or_default().push(e);
        }
    }
    let mut best: Option<(&Event, &Event, u64, u64)> = None;
    for o in &h.events {
        if best.is_some_and(|(_, bo, _, _)| bo.invoke <= o.invoke) {
            continue;
        }
        for (key, value) in effect::seen_present(o) {
            let Some(d) = deletes
                .get(&key)
                .into_iter()
                .flatten()
                .filter(|d| d.ret_at.is_some_and(|r| r < o.invoke))
                .max_by_key(|d| d.invoke)
            else {
                continue;
            };
            let o_ret = o.ret_at.unwrap_or(u64::MAX);
            let explained = writers.get(&key).into_iter().flatten().any(|i| {
                effect::may_leave(i, key).is_some_and(|l| l.may_be(Some(value)))
                    && i.ret_at.unwrap_or(u64::MAX) > d.invoke
                    && i.invoke < o_ret
            });
            if !explained {
                best = Some((d, o, key, value));
                break;
            }
        }
    }
    let (d, o, key, value) = best?;
    let removed = match (&d.op, &d.ret) {
        (Op::Retain { .. }, _) => format!("removed key {key}"),
        (_, Some(Ret::Value(Some(v)))) => format!("returned {v}"),
        (_, Some(Ret::Bool(true))) => "returned true".into(),
        (_, Some(Ret::Unobserved)) => "(whose result the map does not return)".into(),
        _ => "found it absent".into(),
    };
    Some(Failure {
        oracle: Oracle::LostDelete,
        summary: format!(
            "lost delete: T{} {} {removed} and completed; afterwards T{} {} saw key {key} holding {value} \
             again, and no write of {key} = {value} could have taken effect after the delete",
            d.thread, d.op, o.thread, o.op
        ),
        evidence: vec![d.id, o.id],
        linearization: None,
    })
}

/// Finds the earliest observation that misses a completed write.
///
/// Sound on every linearizable history: if a write I certainly put (k, v) and returned before an
/// operation O was invoked, and O saw k without v, then some other write to k that can leave what
/// O saw (a remove, a clear, a conditional removal, a write of another value) took effect between
/// them.
pub fn check_lost_insert(h: &History) -> Option<Failure> {
    let mut best: Option<(&Event, &Event, u64, Saw)> = None;
    for o in &h.events {
        let Some((key, seen)) = effect::saw(o) else {
            continue;
        };
        if best.is_some_and(|(_, bo, _, _)| bo.invoke <= o.invoke) {
            continue;
        }
        let put = |i: &Event| match effect::certainly_left(i, key) {
            Some(Leaves::Value(v)) if i.op.key() == Some(key) => Some(v),
            _ => None,
        };
        let Some(i) = h
            .events
            .iter()
            .filter(|i| put(i).is_some())
            .filter(|i| i.ret_at.is_some_and(|r| r < o.invoke))
            .max_by_key(|i| i.invoke)
        else {
            continue;
        };
        let value = put(i).expect("a write of a value");
        let misses = match seen {
            Saw::Is(s) => s != Some(value),
            Saw::Not(x) => x == value,
        };
        if !misses {
            continue;
        }
        let o_ret = o.ret_at.unwrap_or(u64::MAX);
        let explained = h.events.iter().any(|w| {
            let can = match (effect::may_leave(w, key), seen) {
                (Some(l), Saw::Is(s)) => l.may_be(s),
                (Some(l), Saw::Not(x)) => l != Leaves::Value(x),
                (None, _) => false,
            };
            can && w.id != i.id && w.ret_at.unwrap_or(u64::MAX) > i.invoke && w.invoke < o_ret
        });
        if !explained {
            best = Some((i, o, key, seen));
        }
    }
    let (i, o, key, seen) = best?;
    let saw = match seen {
        Saw::Is(Some(v)) => format!("holding {v}"),
        Saw::Is(None) => "absent".into(),
        Saw::Not(x) => format!("not holding {x}"),
    };
    Some(Failure {
        oracle: Oracle::LostInsert,
        summary: format!(
            "lost insert: T{} {} completed; afterwards T{} {} saw key {key} {saw}, and no write that \
             could have taken effect after the insert explains it",
            i.thread, i.op, o.thread, o.op
        ),
        evidence: vec![i.id, o.id],
        linearization: None,
    })
}

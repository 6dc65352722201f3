//! The lost-delete oracle: a completed delete, then the key observed again with a value no insert
//! could have put back; and its twin, the lost insert: a completed insert, then the key observed
//! without that value and with no write that could have replaced it.

use crate::failure::{Failure, Oracle};
use crate::history::{Event, History, Op, Ret};
use std::collections::HashMap;

/// An observation of `key` holding `value` made by `event`.
struct Seen<'a> {
    event: &'a Event,
    value: u64,
}

fn observations(h: &History) -> Vec<(u64, Seen<'_>)> {
    let mut out = Vec::new();
    for e in &h.events {
        match (&e.op, &e.ret) {
            (Op::Get { key } | Op::Remove { key } | Op::Insert { key, .. }, Some(Ret::Value(Some(v)))) => {
                out.push((*key, Seen { event: e, value: *v }))
            }
            (Op::Iterate { .. }, Some(Ret::Yielded(kv))) => {
                out.extend(kv.iter().map(|(k, v)| (*k, Seen { event: e, value: *v })))
            }
            _ => {}
        }
    }
    out
}

/// Finds the earliest observation that resurrects a deleted key.
///
/// Sound on every linearizable history: if a delete D of key k returned before an operation O was
/// invoked and O saw k holding v, then some insert of (k, v) took effect between them, so that insert
/// returned after D was invoked and was invoked before O returned. For each observation only the
/// delete invoked last among those that returned before it matters: it leaves the narrowest window
/// for an insert to explain the value.
pub fn check(h: &History) -> Option<Failure> {
    let mut deletes: HashMap<u64, Vec<&Event>> = HashMap::new();
    let mut inserts: HashMap<(u64, u64), Vec<&Event>> = HashMap::new();
    for e in &h.events {
        match e.op {
            Op::Remove { key } if e.ret_at.is_some() => deletes.entry(key).or_default().push(e),
            Op::Insert { key, value } => inserts.entry((key, value)).or_default().push(e),
            _ => {}
        }
    }
    let mut best: Option<(&Event, &Event, u64, u64)> = None;
    for (key, seen) in observations(h) {
        let o = seen.event;
        if best.is_some_and(|(_, bo, _, _)| bo.invoke <= o.invoke) {
            continue;
        }
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
        let explained = inserts
            .get(&(key, seen.value))
            .into_iter()
            .flatten()
            .any(|i| i.ret_at.unwrap_or(u64::MAX) > d.invoke && i.invoke < o_ret);
        if !explained {
            best = Some((d, o, key, seen.value));
        }
    }
    let (d, o, key, value) = best?;
    let removed = match &d.ret {
        Some(Ret::Value(Some(v))) => format!("returned {v}"),
        Some(Ret::Unobserved) => "(whose result the map does not return)".into(),
        _ => "found it absent".into(),
    };
    Some(Failure {
        oracle: Oracle::LostDelete,
        summary: format!(
            "lost delete: T{} {} {removed} and completed; afterwards T{} {} saw key {key} holding {value} \
             again, and no insert of {key} = {value} could have taken effect after the delete",
            d.thread, d.op, o.thread, o.op
        ),
        evidence: vec![d.id, o.id],
        linearization: None,
    })
}

/// What an operation saw `key` holding: `Some(Some(v))`, `Some(None)` for absent, `None` when the
/// operation does not observe the key.
fn observed(e: &Event, key: u64) -> Option<Option<u64>> {
    match (&e.op, &e.ret) {
        (Op::Get { key: k } | Op::Remove { key: k } | Op::Insert { key: k, .. }, Some(Ret::Value(v)))
            if *k == key =>
        {
            Some(*v)
        }
        _ => None,
    }
}

/// Finds the earliest observation that misses a completed insert.
///
/// Sound on every linearizable history: if an insert I of (k, v) returned before an operation O was
/// invoked and O saw k without v, then some other write to k (a remove, a clear, or an insert of a
/// different value, matching what O saw) took effect between them.
pub fn check_lost_insert(h: &History) -> Option<Failure> {
    let mut best: Option<(&Event, &Event, u64, Option<u64>)> = None;
    for o in &h.events {
        let Some(key) = o.op.key() else { continue };
        let Some(seen) = observed(o, key) else { continue };
        if best.is_some_and(|(_, bo, _, _)| bo.invoke <= o.invoke) {
            continue;
        }
        let Some(i) = h
            .events
            .iter()
            .filter(|i| matches!(i.op, Op::Insert { key: k, .. } if k == key))
            .filter(|i| i.ret_at.is_some_and(|r| r < o.invoke))
            .max_by_key(|i| i.invoke)
        else {
            continue;
        };
        let Op::Insert { value, .. } = i.op else {
            unreachable!()
        };
        if seen == Some(value) {
            continue;
        }
        let o_ret = o.ret_at.unwrap_or(u64::MAX);
        let explained = h.events.iter().any(|w| {
            let replaces = match (w.op, seen) {
                (Op::Remove { key: k }, None) => k == key,
                (Op::Clear, None) => true,
                (Op::Insert { key: k, value: v }, Some(s)) => k == key && v == s,
                _ => false,
            };
            replaces && w.id != i.id && w.ret_at.unwrap_or(u64::MAX) > i.invoke && w.invoke < o_ret
        });
        if !explained {
            best = Some((i, o, key, seen));
        }
    }
    let (i, o, key, seen) = best?;
    let saw = match seen {
        Some(v) => format!("holding {v}"),
        None => "absent".into(),
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

//! The lost-delete oracle: a completed delete, then the key observed again with a value no insert
//! could have put back.

use crate::history::{Event, History, Op, Ret};
use crate::verdict::{Failure, Oracle};
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
    })
}

//! The lost-delete oracle: a completed delete, then the key observed again with a value no insert
//! could have put back.

use crate::history::{Event, History, Op, Ret};
use crate::verdict::{Failure, Oracle};

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
/// returned after D was invoked and was invoked before O returned.
pub fn check(h: &History) -> Option<Failure> {
    let obs = observations(h);
    let mut best: Option<(&Event, &Event, u64, u64)> = None;
    for d in &h.events {
        let (Op::Remove { key }, Some(d_ret)) = (d.op, d.ret_at) else {
            continue;
        };
        for (k, seen) in &obs {
            let o = seen.event;
            if *k != key || o.invoke <= d_ret {
                continue;
            }
            let o_ret = o.ret_at.unwrap_or(u64::MAX);
            let explained = h.events.iter().any(|i| {
                matches!(i.op, Op::Insert { key: ik, value } if ik == key && value == seen.value)
                    && i.ret_at.unwrap_or(u64::MAX) > d.invoke
                    && i.invoke < o_ret
            });
            if !explained && best.is_none_or(|(_, bo, _, _)| o.invoke < bo.invoke) {
                best = Some((d, o, key, seen.value));
            }
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

//! The exactly-once delete oracle: for each insert of a value, at most one operation takes it out
//! (a remove that returns it, or an insert that overwrites it and returns it).

use crate::failure::{Failure, Oracle};
use crate::history::{History, Op, Ret};
use std::collections::BTreeMap;

pub fn check(h: &History) -> Option<Failure> {
    let mut puts: BTreeMap<(u64, u64), usize> = BTreeMap::new();
    for &(k, v) in &h.initial {
        *puts.entry((k, v)).or_default() += 1;
    }
    for e in &h.events {
        if let Op::Insert { key, value } = e.op {
            *puts.entry((key, value)).or_default() += 1;
        }
    }
    let mut takes: BTreeMap<(u64, u64), Vec<usize>> = BTreeMap::new();
    for e in &h.events {
        if let (Op::Remove { key } | Op::Insert { key, .. }, Some(Ret::Value(Some(v)))) = (e.op, &e.ret) {
            takes.entry((key, *v)).or_default().push(e.id);
        }
    }
    let ((key, value), ids) = takes
        .into_iter()
        .find(|(kv, ids)| ids.len() > puts.get(kv).copied().unwrap_or(0))?;
    let n = puts.get(&(key, value)).copied().unwrap_or(0);
    let who: Vec<String> = ids
        .iter()
        .map(|id| {
            let e = &h.events[*id];
            format!("T{} {}", e.thread, e.op)
        })
        .collect();
    Some(Failure {
        oracle: Oracle::ExactlyOnceDelete,
        summary: format!(
            "key {key} = {value} was put {n} time(s) but taken out {} times, by {}",
            ids.len(),
            who.join(" and ")
        ),
        evidence: ids,
        linearization: None,
    })
}

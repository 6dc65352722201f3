//! The exactly-once delete oracle: for each put of a value, at most one operation takes it out (a
//! remove that returns it, an insert that overwrites it and returns it, a compare-and-swap that
//! replaces it, a compare-and-delete or remove-if that removes it, an update that replaces it, a
//! retain that removes it).
//!
//! Puts are counted generously: a conditional write whose result is not known may have put its
//! value and counts as a put, and a key that an update with an unknown result wrote may have held
//! any value, so its values are not judged.

use super::effect::{self, Leaves};
use crate::failure::{Failure, Oracle};
use crate::history::History;
use std::collections::{BTreeMap, BTreeSet};

pub fn check(h: &History) -> Option<Failure> {
    let mut puts: BTreeMap<(u64, u64), usize> = BTreeMap::new();
    let mut unjudged = BTreeSet::new();
    for &(k, v) in &h.initial {
        *puts.entry((k, v)).or_default() += 1;
    }
    for e in &h.events {
        let Some(key) = e.op.key() else { continue };
        match effect::may_leave(e, key) {
            Some(Leaves::Value(v)) => *puts.entry((key, v)).or_default() += 1,
            Some(Leaves::Any) => {
                unjudged.insert(key);
            }
            _ => {}
        }
    }
    let mut takes: BTreeMap<(u64, u64), Vec<usize>> = BTreeMap::new();
    for e in &h.events {
        for kv in effect::taken(e) {
            takes.entry(kv).or_default().push(e.id);
        }
    }
    let ((key, value), ids) = takes.into_iter().find(|((k, v), ids)| {
        !unjudged.contains(k) && ids.len() > puts.get(&(*k, *v)).copied().unwrap_or(0)
    })?;
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

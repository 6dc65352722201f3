//! The witness a violation reports: a 1-minimal set of operations that still cannot be ordered.

use super::search::Outcome;
use super::Entry;
use crate::history::{Op, Ret};
use crate::structure::{Key, Value};

/// Partitions larger than this are reported without a minimised witness.
pub(super) const WITNESS_MAX_OPS: usize = 64;

/// Shrinks a violating partition to a 1-minimal set of operations that still cannot be ordered,
/// and cannot be ordered either with any one of the partition's other writes added back.
///
/// Each operation in turn is left out (the operations that only read first: leaving one out only
/// removes constraints, so it never manufactures a violation) and stays out if the rest is still
/// not linearizable (`search` says so), every value the rest observes is still put by one of them
/// (or the initial contents), and no write left out (an insert, a remove, a clear) would make the
/// rest linearizable on its own. Without that last rule a witness could leave out the `clear` or
/// `remove` that explains a `get` returning nothing and name two innocent operations, while the one
/// that really cannot take effect goes unnamed. Returns the event ids, sorted; empty when the
/// partition is larger than [`WITNESS_MAX_OPS`].
pub(super) fn minimal(
    entries: &[&Entry],
    initial: &[(Key, Value)],
    mut search: impl FnMut(&[&Entry]) -> Outcome,
) -> Vec<usize> {
    if entries.len() > WITNESS_MAX_OPS {
        return Vec::new();
    }
    // Readers first, then writers, each in history order.
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by_key(|&i| writes(&entries[i].op));
    let mut kept = vec![true; entries.len()];
    let subset = |kept: &[bool], extra: Option<usize>| -> Vec<&Entry> {
        entries
            .iter()
            .enumerate()
            .filter(|(i, _)| kept[*i] || Some(*i) == extra)
            .map(|(_, e)| *e)
            .collect()
    };
    for i in order {
        kept[i] = false;
        let rest = subset(&kept, None);
        let still = !rest.is_empty()
            && explains_every_value(&rest, initial)
            && matches!(search(&rest), Outcome::Violation { .. })
            && (0..entries.len())
                .filter(|&w| !kept[w] && writes(&entries[w].op))
                .all(|w| matches!(search(&subset(&kept, Some(w))), Outcome::Violation { .. }));
        if !still {
            kept[i] = true;
        }
    }
    let mut ids: Vec<usize> = entries
        .iter()
        .enumerate()
        .filter(|(i, _)| kept[*i])
        .map(|(_, e)| e.id)
        .collect();
    ids.sort_unstable();
    ids
}

/// Whether `op` may change the map (its absence from a witness could explain another's result).
fn writes(op: &Op) -> bool {
    !matches!(op, Op::Get { .. } | Op::Len | Op::Iterate { .. } | Op::Reclaim)
}

/// Whether every value observed by `entries` is put by one of them or by the initial contents (an
/// update on the key may put any value).
fn explains_every_value(entries: &[&Entry], initial: &[(Key, Value)]) -> bool {
    let put = |k: Key, v: Value| {
        initial.contains(&(k, v))
            || entries.iter().any(|e| match e.op {
                Op::Insert { key, value } | Op::GetOrInsert { key, value } => key == k && value == v,
                Op::CompareAndSwap { key, new, .. } => key == k && new == v,
                Op::Update { key, .. } => key == k,
                _ => false,
            })
    };
    entries.iter().all(|e| match (&e.op, &e.ret) {
        (Op::Iterate { .. } | Op::Retain { .. }, Some(Ret::Yielded(kv))) => {
            kv.iter().all(|(k, v)| put(*k, *v))
        }
        (Op::CompareAndSwap { key, old, .. } | Op::CompareAndDelete { key, old }, Some(Ret::Bool(true))) => {
            put(*key, *old)
        }
        (op, Some(Ret::Value(Some(v)))) => op.key().is_none_or(|k| put(k, *v)),
        _ => true,
    })
}

//! The witness a violation reports: a 1-minimal set of operations that still cannot be ordered.

use super::search::Outcome;
use super::Entry;
use crate::history::{Op, Ret};
use crate::structure::{Key, Value};

/// Partitions larger than this are reported without a minimised witness.
pub(super) const WITNESS_MAX_OPS: usize = 64;

/// Shrinks a violating partition to a 1-minimal set of operations that still cannot be ordered:
/// each operation in turn is left out, and stays out if the rest is still not linearizable
/// (`search` says so) and every value the rest observes is still put by one of them (or the initial
/// contents), so that leaving out an insert never manufactures a violation of its own. Returns the
/// event ids, sorted; empty when the partition is larger than [`WITNESS_MAX_OPS`].
pub(super) fn minimal(
    entries: &[&Entry],
    initial: &[(Key, Value)],
    mut search: impl FnMut(&[&Entry]) -> Outcome,
) -> Vec<usize> {
    if entries.len() > WITNESS_MAX_OPS {
        return Vec::new();
    }
    let mut core: Vec<&Entry> = entries.to_vec();
    let mut i = 0;
    while i < core.len() {
        let mut without = core.clone();
        without.remove(i);
        let still =
            explains_every_value(&without, initial) && matches!(search(&without), Outcome::Violation { .. });
        if still {
            core = without;
        } else {
            i += 1;
        }
    }
    let mut ids: Vec<usize> = core.iter().map(|e| e.id).collect();
    ids.sort_unstable();
    ids
}

/// Whether every value observed by `entries` is put by one of them or by the initial contents.
fn explains_every_value(entries: &[&Entry], initial: &[(Key, Value)]) -> bool {
    let put = |k: Key, v: Value| {
        initial.contains(&(k, v))
            || entries
                .iter()
                .any(|e| matches!(e.op, Op::Insert { key, value } if key == k && value == v))
    };
    entries.iter().all(|e| match (&e.op, &e.ret) {
        (Op::Get { key } | Op::Remove { key } | Op::Insert { key, .. }, Some(Ret::Value(Some(v)))) => {
            put(*key, *v)
        }
        (Op::Iterate { .. }, Some(Ret::Yielded(kv))) => kv.iter().all(|(k, v)| put(*k, *v)),
        _ => true,
    })
}

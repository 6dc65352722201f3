//! The sequential specification of a map: what every operation returns when run alone.
//!
//! The spec is separate from the checking algorithm (`lincheck`), as in porcupine's `Model` and
//! stateright's `SequentialSpec`: the checker only asks "from this state, may this operation have
//! returned this?".

use crate::history::{added, Op, Ret};
use crate::structure::{Key, Value};
use std::collections::BTreeMap;

/// The reference map: a `BTreeMap`, so iteration order and hashing are deterministic.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct SpecMap {
    pub entries: BTreeMap<Key, Value>,
}

impl SpecMap {
    pub fn new(initial: &[(Key, Value)]) -> SpecMap {
        SpecMap {
            entries: initial.iter().copied().collect(),
        }
    }

    /// Applies `op` and returns what a sequential map returns. An iteration yields every entry in
    /// key order and deletes nothing itself: the removes it makes are separate operations. A retain
    /// yields every entry in key order and removes those its predicate matches, at one instant.
    pub fn apply(&mut self, op: &Op) -> Ret {
        match *op {
            Op::Insert { key, value } => Ret::Value(self.entries.insert(key, value)),
            Op::Remove { key } => Ret::Value(self.entries.remove(&key)),
            Op::Get { key } => Ret::Value(self.entries.get(&key).copied()),
            Op::Len => Ret::Len(self.entries.len()),
            Op::Clear => {
                self.entries.clear();
                Ret::Unit
            }
            Op::Iterate { .. } => Ret::Yielded(self.entries.iter().map(|(k, v)| (*k, *v)).collect()),
            Op::Reclaim => Ret::Unit,
            Op::Retain { delete } => {
                let visited = self.entries.iter().map(|(k, v)| (*k, *v)).collect();
                self.entries.retain(|_, v| !delete.matches(*v));
                Ret::Yielded(visited)
            }
            _ => {
                let key = op.key().expect("a single-key operation");
                let mut state = self.entries.get(&key).copied();
                let ret = apply_single(&mut state, op);
                match state {
                    Some(v) => self.entries.insert(key, v),
                    None => self.entries.remove(&key),
                };
                ret
            }
        }
    }
}

/// Whether an observed result matches the spec's: iteration results are compared as sets, since
/// no structure promises an order, and a result the map does not return matches any.
pub fn same_result(observed: &Ret, expected: &Ret) -> bool {
    match (observed, expected) {
        (Ret::Unobserved, _) => true,
        (Ret::Yielded(a), Ret::Yielded(b)) => {
            let mut a = a.clone();
            a.sort_unstable();
            a == *b
        }
        _ => observed == expected,
    }
}

/// The spec restricted to one key: the state of a P-compositional partition.
pub fn apply_single(state: &mut Option<Value>, op: &Op) -> Ret {
    match *op {
        Op::Insert { value, .. } => Ret::Value(state.replace(value)),
        Op::Remove { .. } => Ret::Value(state.take()),
        Op::Get { .. } => Ret::Value(*state),
        Op::GetOrInsert { value, .. } => {
            let before = *state;
            state.get_or_insert(value);
            Ret::Value(before)
        }
        Op::CompareAndSwap { old, new, .. } => {
            let swap = *state == Some(old);
            if swap {
                *state = Some(new);
            }
            Ret::Bool(swap)
        }
        Op::CompareAndDelete { old, .. } => {
            let delete = *state == Some(old);
            if delete {
                *state = None;
            }
            Ret::Bool(delete)
        }
        Op::RemoveIf { delete, .. } => Ret::Value(state.take_if(|v| delete.matches(*v))),
        Op::Update { add, insert, .. } => {
            let before = *state;
            *state = match before {
                Some(v) => Some(added(v, add)),
                None => insert,
            };
            Ret::Value(before)
        }
        // A clear that is not atomic removes this key at some point during the call.
        Op::Clear => {
            *state = None;
            Ret::Unit
        }
        _ => unreachable!("only single-key operations and clear are partitioned by key"),
    }
}

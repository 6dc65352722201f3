//! The structures under test, one file each, and the registry that names them.

pub mod cow;
pub mod gomap;
pub mod locked;
pub mod pooled;
pub mod rebuild;
pub mod sharded;
pub mod slots;
pub mod syncmap;
pub mod tombstone;

use mapcheck_harness::{Footprint, Key, Value};
use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::ops::ControlFlow;

/// A `HashMap` with a fixed hasher: the same operations give the same iteration order in every
/// run, which loom's and shuttle's replay need (a per-instance random seed would not replay).
pub type DetMap = HashMap<Key, Value, BuildHasherDefault<DefaultHasher>>;

/// A copy of a map's entries, taken while the caller holds its lock; [`visit_all`] then visits it
/// with no lock held, so the visitor may call back into the map.
pub(crate) fn entries(m: &DetMap) -> Vec<(Key, Value)> {
    m.iter().map(|(k, v)| (*k, *v)).collect()
}

/// Visits `entries` in order until the visitor stops; returns false if it stopped early.
pub(crate) fn visit_all(
    entries: Vec<(Key, Value)>,
    visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>,
) -> bool {
    entries.into_iter().all(|(k, v)| visit(k, v).is_continue())
}

/// The compound operations on one plain table, each in one step for a caller that holds the
/// table's lock for the call.
pub(crate) mod table {
    use super::DetMap;
    use mapcheck_harness::{Key, Value};

    /// Get-or-insert: the key's value, or `None` after inserting `value`.
    pub(crate) fn get_or_insert(m: &mut DetMap, key: Key, value: Value) -> Option<Value> {
        match m.get(&key) {
            Some(v) => Some(*v),
            None => {
                m.insert(key, value);
                None
            }
        }
    }

    /// Compare-and-swap: `new` when the key holds `old`; whether it did.
    pub(crate) fn compare_and_swap(m: &mut DetMap, key: Key, old: Value, new: Value) -> bool {
        match m.get_mut(&key) {
            Some(v) if *v == old => {
                *v = new;
                true
            }
            _ => false,
        }
    }

    /// Compare-and-delete: removes the key when it holds `old`; whether it did.
    pub(crate) fn compare_and_delete(m: &mut DetMap, key: Key, old: Value) -> bool {
        let delete = m.get(&key) == Some(&old);
        if delete {
            m.remove(&key);
        }
        delete
    }

    /// Remove-if: removes the key when `remove` holds for its value; the value removed.
    pub(crate) fn remove_if(m: &mut DetMap, key: Key, remove: &dyn Fn(Value) -> bool) -> Option<Value> {
        match m.get(&key) {
            Some(&v) if remove(v) => m.remove(&key),
            _ => None,
        }
    }

    /// Update in place: `modify` of the key's value, or `insert` when it has none; the previous
    /// value.
    pub(crate) fn update(
        m: &mut DetMap,
        key: Key,
        modify: &dyn Fn(Value) -> Value,
        insert: Option<Value>,
    ) -> Option<Value> {
        match m.get_mut(&key) {
            Some(v) => {
                let before = *v;
                *v = modify(before);
                Some(before)
            }
            None => {
                if let Some(i) = insert {
                    m.insert(key, i);
                }
                None
            }
        }
    }

    /// Retain: removes the entries `keep` returns false for.
    pub(crate) fn retain(m: &mut DetMap, keep: &mut dyn FnMut(Key, Value) -> bool) {
        m.retain(|k, v| keep(*k, *v))
    }
}

/// The footprint of one plain table: its live entries and slot capacity.
pub(crate) fn table_footprint(m: &DetMap) -> Footprint {
    Footprint {
        live: m.len(),
        stale: 0,
        snapshots: 1,
        capacity: m.capacity(),
        bytes: m.capacity() * std::mem::size_of::<(Key, Value)>(),
    }
}

/// A small deterministic generator for the structures' own tests.
#[cfg(test)]
pub(crate) struct TestRng(pub u64);

#[cfg(test)]
impl TestRng {
    pub(crate) fn next(&mut self) -> u64 {
        mapcheck_harness::engine::splitmix(&mut self.0)
    }
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

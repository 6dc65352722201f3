//! `papaya` 0.2: a lock-free table with incremental resizing and memory reclaimed through `seize`.
//!
//! Its documentation: iterators "rely on a weak snapshot of the table and return results reflecting
//! the state of the table at or some point after the creation of the iterator", and `clear` relies
//! on iteration, so iteration is weakly consistent with values as old as the iterator's creation
//! (it promises nothing per visit: weakly consistent since the start) and clear is not atomic; `len` sums a sharded
//! counter. The iteration here is papaya's own iterator, with the visitor removing keys while it
//! runs (papaya allows that: it hands out no locks). papaya exposes no capacity, and removed
//! entries are freed by its collector once no guard can see them: nothing to judge before drop.
//!
//! The compound operations are papaya's own atomic ones: `try_insert` for get-or-insert (its error
//! carries the value already there) and `compute` for compare-and-swap, compare-and-delete,
//! remove-if and update in place (`compute` "allows the caller to perform an atomic
//! read-modify-write operation": an `Operation::Insert`, `Remove` or `Abort` chosen from the entry
//! it read, retried by papaya when the entry changed under it). Its `retain` is not declared: "the
//! function may be called more than once for a given key if its value is concurrently modified
//! during removal", and a retain calls its predicate once per entry.

use crate::{settle, Fixed};
use mapcheck_harness::adapter::Adapter;
use mapcheck_harness::{IterationGuarantee, Key, Map, Ops, ReclamationPolicy, Settle, StructureInfo, Value};
use papaya::{Compute, Operation};
use std::ops::ControlFlow;

pub struct PapayaAdapter(papaya::HashMap<Key, Value, Fixed>);

impl Adapter for PapayaAdapter {
    const INFO: StructureInfo = StructureInfo {
        name: "papaya",
        summary: "papaya 0.2: lock-free table, incremental resizing, seize reclamation",
        iteration: IterationGuarantee::WeaklyConsistentSinceStart,
        reclamation: ReclamationPolicy::NotObservable,
        atomic_whole_map: false,
        unsynchronised: false,
        mutant: None,
    };
    /// papaya's `len` is `count.sum()`: per-thread counters, updated with relaxed atomics after the
    /// table has changed, summed one after another. The check saw it count an entry a racing
    /// `remove` had already taken out (`len()` 1 with no key present: every key absent after a
    /// completed `clear`, one `remove` still returning), once in about 1.2 million runs
    /// (docs/adapters.md). Its documentation says only "the number of entries in the map".
    const LEN_IS_ESTIMATE: bool = true;
    /// Each map owns its seize collector.
    const SETTLE: Settle = settle::SEIZE_OWNED;
    /// Every compound operation but retain. papaya's `clear` tombstones the entries it meets in one
    /// walk of the table and meets again a key that a concurrent insert put further along, so one
    /// `clear` may remove one key many times (a plain std::thread program saw 13 successful
    /// `try_insert`s of one key around one `clear`): a clear that is not atomic may, as the
    /// checker judges it per key (docs/oracles.md).
    const SUPPORTS: Ops = Ops::STANDARD.with(Ops::COMPOUND).without(Ops::RETAIN);
    fn new() -> Self {
        PapayaAdapter(papaya::HashMap::with_hasher(Fixed::default()))
    }
}

impl Map for PapayaAdapter {
    fn insert(&self, key: Key, value: Value) -> Option<Value> {
        self.0.pin().insert(key, value).copied()
    }
    fn remove(&self, key: Key) -> Option<Value> {
        self.0.pin().remove(&key).copied()
    }
    fn get(&self, key: Key) -> Option<Value> {
        self.0.pin().get(&key).copied()
    }
    fn len(&self) -> usize {
        self.0.len()
    }
    fn clear(&self) {
        self.0.pin().clear()
    }
    fn get_or_insert(&self, key: Key, value: Value) -> Option<Value> {
        match self.0.pin().try_insert(key, value) {
            Ok(_) => None,
            Err(e) => Some(*e.current),
        }
    }
    fn compare_and_swap(&self, key: Key, old: Value, new: Value) -> bool {
        let map = self.0.pin();
        let done = map.compute(key, |entry| match entry {
            Some((_, v)) if *v == old => Operation::Insert(new),
            _ => Operation::Abort(()),
        });
        matches!(done, Compute::Updated { .. })
    }
    fn compare_and_delete(&self, key: Key, old: Value) -> bool {
        self.remove_if(key, &|v| v == old).is_some()
    }
    fn remove_if(&self, key: Key, remove: &dyn Fn(Value) -> bool) -> Option<Value> {
        let map = self.0.pin();
        let done = map.compute(key, |entry| match entry {
            Some((_, v)) if remove(*v) => Operation::Remove,
            _ => Operation::Abort(()),
        });
        match done {
            Compute::Removed(_, v) => Some(*v),
            _ => None,
        }
    }
    fn update(&self, key: Key, modify: &dyn Fn(Value) -> Value, insert: Option<Value>) -> Option<Value> {
        let map = self.0.pin();
        let done = map.compute(key, |entry| match (entry, insert) {
            (Some((_, v)), _) => Operation::Insert(modify(*v)),
            (None, Some(i)) => Operation::Insert(i),
            (None, None) => Operation::Abort(()),
        });
        match done {
            Compute::Updated { old: (_, v), .. } => Some(*v),
            _ => None,
        }
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        let map = self.0.pin();
        for (k, v) in map.iter() {
            if visit(*k, *v).is_break() {
                break;
            }
        }
    }
}

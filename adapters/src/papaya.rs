//! `papaya` 0.2: a lock-free table with incremental resizing and memory reclaimed through `seize`.
//!
//! Its documentation: iterators "rely on a weak snapshot of the table and return results reflecting
//! the state of the table at or some point after the creation of the iterator", and `clear` relies
//! on iteration, so iteration is weakly consistent with values as old as the iterator's creation
//! (it promises nothing per visit: weakly consistent since the start) and clear is not atomic; `len` sums a sharded
//! counter. The iteration here is papaya's own iterator, with the visitor removing keys while it
//! runs (papaya allows that: it hands out no locks). papaya exposes no capacity, and removed
//! entries are freed by its collector once no guard can see them: nothing to judge before drop.

use crate::{settle, Fixed};
use mapcheck_harness::adapter::Adapter;
use mapcheck_harness::{IterationGuarantee, Key, Map, ReclamationPolicy, Settle, StructureInfo, Value};
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
    /// Each map owns its seize collector.
    const SETTLE: Settle = settle::SEIZE_OWNED;
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
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        let map = self.0.pin();
        for (k, v) in map.iter() {
            if visit(*k, *v).is_break() {
                break;
            }
        }
    }
}

//! Deliberately broken adapters: the real-thread engine must catch each of them.

use crate::mutex::MutexHashMap;
use crate::{settle, Fixed};
use dashmap::DashMap;
use mapcheck_harness::adapter::Adapter;
use mapcheck_harness::{IterationGuarantee, Key, Map, ReclamationPolicy, Settle, StructureInfo, Value};
use std::ops::ControlFlow;

/// `mutex-hashmap-fake-remove`: remove reports the value it finds but leaves the entry in the map,
/// so two removes of one key both return its value.
pub struct FakeRemove(MutexHashMap);

impl Adapter for FakeRemove {
    const INFO: StructureInfo = StructureInfo {
        name: "mutex-hashmap-fake-remove",
        mutant: Some("remove reports the value without removing it"),
        ..MutexHashMap::INFO
    };
    fn new() -> Self {
        FakeRemove(MutexHashMap::new())
    }
}

impl Map for FakeRemove {
    fn insert(&self, key: Key, value: Value) -> Option<Value> {
        self.0.insert(key, value)
    }
    fn remove(&self, key: Key) -> Option<Value> {
        self.0.get(key)
    }
    fn get(&self, key: Key) -> Option<Value> {
        self.0.get(key)
    }
    fn len(&self) -> usize {
        self.0.len()
    }
    fn clear(&self) {
        self.0.clear()
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        self.0.iterate(visit)
    }
}

/// `dashmap-remove-in-iter`: iterates with DashMap's own `iter()` and lets the visitor remove the
/// key it visits, which DashMap's documentation warns may deadlock: the remove waits for the write
/// lock of the shard whose read lock the iterator holds.
pub struct DashMapRemoveInIter(DashMap<Key, Value, Fixed>);

impl Adapter for DashMapRemoveInIter {
    const INFO: StructureInfo = StructureInfo {
        name: "dashmap-remove-in-iter",
        summary: "dashmap 6, removing from inside its own iter()",
        iteration: IterationGuarantee::WeaklyConsistent,
        reclamation: ReclamationPolicy::NotObservable,
        atomic_whole_map: false,
        unsynchronised: false,
        mutant: Some("remove called while DashMap's iter() holds the shard's read lock"),
    };
    const SETTLE: Settle = settle::PARKING_LOT;
    fn new() -> Self {
        DashMapRemoveInIter(DashMap::with_hasher(Fixed::default()))
    }
}

impl Map for DashMapRemoveInIter {
    fn insert(&self, key: Key, value: Value) -> Option<Value> {
        self.0.insert(key, value)
    }
    fn remove(&self, key: Key) -> Option<Value> {
        self.0.remove(&key).map(|(_, v)| v)
    }
    fn get(&self, key: Key) -> Option<Value> {
        self.0.get(&key).map(|r| *r)
    }
    fn len(&self) -> usize {
        self.0.len()
    }
    fn clear(&self) {
        self.0.clear()
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        for r in self.0.iter() {
            if visit(*r.key(), *r.value()).is_break() {
                break;
            }
        }
    }
}

//! `mutex-hashmap`: `std::sync::Mutex<HashMap>`, the baseline every concurrent map is measured
//! against. Every operation holds the one lock; iteration copies the entries under it.

use crate::{visit_copy, Fixed};
use mapcheck_harness::adapter::Adapter;
use mapcheck_harness::{Footprint, IterationGuarantee, Key, Map, ReclamationPolicy, StructureInfo, Value};
use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::{Mutex, MutexGuard};

pub struct MutexHashMap(Mutex<HashMap<Key, Value, Fixed>>);

impl MutexHashMap {
    fn lock(&self) -> MutexGuard<'_, HashMap<Key, Value, Fixed>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Adapter for MutexHashMap {
    const INFO: StructureInfo = StructureInfo {
        name: "mutex-hashmap",
        summary: "std::sync::Mutex<std::collections::HashMap> (the baseline)",
        iteration: IterationGuarantee::Snapshot,
        reclamation: ReclamationPolicy::ShrinksWithLive,
        atomic_whole_map: true,
        unsynchronised: false,
        mutant: None,
    };
    fn new() -> Self {
        MutexHashMap(Mutex::default())
    }
}

impl Map for MutexHashMap {
    fn insert(&self, key: Key, value: Value) -> Option<Value> {
        self.lock().insert(key, value)
    }
    fn remove(&self, key: Key) -> Option<Value> {
        self.lock().remove(&key)
    }
    fn get(&self, key: Key) -> Option<Value> {
        self.lock().get(&key).copied()
    }
    fn len(&self) -> usize {
        self.lock().len()
    }
    fn clear(&self) {
        self.lock().clear()
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        let copy = self.lock().iter().map(|(k, v)| (*k, *v)).collect();
        visit_copy(copy, visit)
    }
    /// `HashMap::shrink_to_fit`.
    fn reclaim(&self) {
        self.lock().shrink_to_fit()
    }
    fn footprint(&self) -> Footprint {
        let m = self.lock();
        Footprint {
            live: m.len(),
            stale: 0,
            snapshots: 1,
            capacity: m.capacity(),
            bytes: m.capacity() * std::mem::size_of::<(Key, Value)>(),
        }
    }
}

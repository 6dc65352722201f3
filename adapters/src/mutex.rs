//! `mutex-hashmap`: `std::sync::Mutex<HashMap>`, the baseline every concurrent map is measured
//! against. Every operation holds the one lock; iteration copies the entries under it. The compound
//! operations are std's `HashMap` API under that lock (`entry`, `retain`, and a look-up and a write
//! in one critical section), as code on a `Mutex<HashMap>` writes them.

use crate::{visit_copy, Fixed};
use mapcheck_harness::adapter::Adapter;
use mapcheck_harness::{
    Footprint, IterationGuarantee, Key, Map, Ops, ReclamationPolicy, StructureInfo, Value,
};
use std::collections::hash_map::Entry;
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
    const SUPPORTS: Ops = Ops::STANDARD.with(Ops::COMPOUND);
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
    /// `entry(k)`: the existing value, or a vacant entry filled.
    fn get_or_insert(&self, key: Key, value: Value) -> Option<Value> {
        match self.lock().entry(key) {
            Entry::Occupied(o) => Some(*o.get()),
            Entry::Vacant(v) => {
                v.insert(value);
                None
            }
        }
    }
    fn compare_and_swap(&self, key: Key, old: Value, new: Value) -> bool {
        match self.lock().get_mut(&key) {
            Some(v) if *v == old => {
                *v = new;
                true
            }
            _ => false,
        }
    }
    fn compare_and_delete(&self, key: Key, old: Value) -> bool {
        let mut m = self.lock();
        m.get(&key) == Some(&old) && m.remove(&key).is_some()
    }
    fn remove_if(&self, key: Key, remove: &dyn Fn(Value) -> bool) -> Option<Value> {
        match self.lock().entry(key) {
            Entry::Occupied(o) if remove(*o.get()) => Some(o.remove()),
            _ => None,
        }
    }
    /// `entry(k).and_modify(..).or_insert(..)`, keeping the previous value.
    fn update(&self, key: Key, modify: &dyn Fn(Value) -> Value, insert: Option<Value>) -> Option<Value> {
        match self.lock().entry(key) {
            Entry::Occupied(mut o) => {
                let old = *o.get();
                o.insert(modify(old));
                Some(old)
            }
            Entry::Vacant(v) => {
                if let Some(i) = insert {
                    v.insert(i);
                }
                None
            }
        }
    }
    /// `HashMap::retain` under the lock: at one instant.
    fn retain(&self, keep: &mut dyn FnMut(Key, Value) -> bool) {
        self.lock().retain(|k, v| keep(*k, *v))
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

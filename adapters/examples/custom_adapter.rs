//! A complete adapter: `std::sync::RwLock<HashMap>` plugged into mapcheck's real-thread engine, then
//! checked through the front door on one model. `cargo run -p mapcheck-adapters --example custom_adapter`.

use mapcheck::prelude::*;
use std::collections::HashMap;
use std::sync::RwLock;

pub struct RwLockMap(RwLock<HashMap<Key, Value>>);

impl Map for RwLockMap {
    fn insert(&self, k: Key, v: Value) -> Option<Value> {
        self.0.write().unwrap().insert(k, v)
    }
    fn remove(&self, k: Key) -> Option<Value> {
        self.0.write().unwrap().remove(&k)
    }
    fn get(&self, k: Key) -> Option<Value> {
        self.0.read().unwrap().get(&k).copied()
    }
    fn len(&self) -> usize {
        self.0.read().unwrap().len()
    }
    fn clear(&self) {
        self.0.write().unwrap().clear()
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        // The visitor may remove the key it visits: copy, release the lock, then visit.
        let copy: Vec<(Key, Value)> = self.0.read().unwrap().iter().map(|(k, v)| (*k, *v)).collect();
        for (k, v) in copy {
            if visit(k, v).is_break() {
                break;
            }
        }
    }
}

impl Adapter for RwLockMap {
    // Claims least by default (weakly consistent iteration, len and clear piece by piece, no
    // observable reclamation); each claim added here is held against the map.
    const INFO: StructureInfo = StructureInfo::new("rwlock-hashmap")
        .summary("std::sync::RwLock<HashMap>")
        .iteration(IterationGuarantee::Snapshot) // copied under the read lock
        .atomic_whole_map(); // len and clear take the lock once
    fn new() -> Self {
        RwLockMap(RwLock::default())
    }
}

pub fn main() {
    // The same door a crate's own test uses: every model that applies, on real threads only (loom
    // and shuttle cannot see std's synchronisation, so their cells are not applicable).
    let report = mapcheck::Check::new()
        .models(&["delete-during-iteration", "concurrent-delete"])
        .budget(std::time::Duration::from_secs(4))
        .run::<Adapted<RwLockMap>>();
    println!("{report}");
}

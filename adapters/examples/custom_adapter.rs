//! A complete adapter: `std::sync::RwLock<HashMap>` plugged into mapcheck's real-thread engine, then
//! checked on one model. `cargo run -p mapcheck-adapters --example custom_adapter`.

use mapcheck_harness::adapter::{Adapted, Adapter};
use mapcheck_harness::{
    Engine, IterationGuarantee, Key, Limits, Map, ReclamationPolicy, StructureInfo, Value,
};
use std::collections::HashMap;
use std::ops::ControlFlow;
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
    const INFO: StructureInfo = StructureInfo {
        name: "rwlock-hashmap",
        summary: "std::sync::RwLock<HashMap>",
        iteration: IterationGuarantee::Snapshot, // copied under the read lock
        reclamation: ReclamationPolicy::NotObservable, // no footprint exposed
        atomic_whole_map: true,                  // len and clear take the lock once
        unsynchronised: false,
        mutant: None,
    };
    fn new() -> Self {
        RwLockMap(RwLock::default())
    }
}

pub fn main() {
    let model = mapcheck_models::patterns::model("delete-during-iteration").expect("a model");
    let workload = (model.build)(mapcheck_models::patterns::Size::THREADS);
    let limits = Limits {
        max_schedules: 200,
        ..Limits::default()
    };
    let outcome =
        mapcheck_harness::run::<Adapted<RwLockMap>>(&workload, Engine::Threads { seed: 42 }, limits);
    println!(
        "rwlock-hashmap: {} runs, {:?}",
        outcome.schedules, outcome.verdict
    );
    assert_eq!(outcome.verdict, mapcheck_harness::Verdict::Pass);
}

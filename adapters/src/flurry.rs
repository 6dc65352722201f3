//! `flurry` 0.5: a port of Java's ConcurrentHashMap (lock-free reads, a lock per bin for writes),
//! with memory reclaimed through `seize`.
//!
//! Its documentation: iterators "return elements reflecting the state of the hash table at some
//! point at or since the creation of the iterator" (weakly consistent since the start: nothing is
//! promised per visit), and `len` is "typically
//! useful only when a map is not undergoing concurrent updates" (not atomic, nor is `clear`, which
//! walks the bins). The iteration here is flurry's own iterator, with the visitor removing keys
//! while it runs (reads take no lock). flurry exposes no capacity: nothing to judge before drop.

use crate::{settle, Fixed};
use mapcheck_harness::adapter::Adapter;
use mapcheck_harness::{IterationGuarantee, Key, Map, ReclamationPolicy, Settle, StructureInfo, Value};
use std::ops::ControlFlow;

pub struct FlurryAdapter(flurry::HashMap<Key, Value, Fixed>);

impl Adapter for FlurryAdapter {
    const INFO: StructureInfo = StructureInfo {
        name: "flurry",
        summary: "flurry 0.5: Java's ConcurrentHashMap ported, seize reclamation",
        iteration: IterationGuarantee::WeaklyConsistentSinceStart,
        reclamation: ReclamationPolicy::NotObservable,
        atomic_whole_map: false,
        unsynchronised: false,
        mutant: None,
    };
    /// "Otherwise the results of these methods reflect transient states that may be adequate for
    /// monitoring or estimation purposes": the count is updated out of step with the bins (`clear`
    /// applies its whole delta at the end), and the check found `len` above every count of keys
    /// that could be present.
    const LEN_IS_ESTIMATE: bool = true;
    /// Each map owns its seize collector (nothing is deferred past the drop), and its bin locks
    /// are parking_lot mutexes.
    const SETTLE: Settle = settle::PARKING_LOT;
    fn new() -> Self {
        FlurryAdapter(flurry::HashMap::with_hasher(Fixed::default()))
    }
}

impl Map for FlurryAdapter {
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

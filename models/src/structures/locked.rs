//! `locked` (S2): a reader-writer lock around a map.
//!
//! Readers take the read lock, writers the write lock. Iteration copies the entries under the read
//! lock and visits the copy with no lock held, so the visitor may delete the key it is visiting
//! (the deadlock the incident reports describe comes from calling delete while the range still holds
//! the read lock). The yielded set is the map at the moment of the copy: snapshot iteration.

use super::{entries, table_footprint, visit_all, DetMap};
use mapcheck_harness::rt::{Runtime, RwLock};
use mapcheck_harness::{
    Footprint, IterationGuarantee, Key, Map, ReclamationPolicy, Structure, StructureInfo, Value,
};
use std::ops::ControlFlow;

pub struct LockedMap<R: Runtime> {
    pub(crate) inner: RwLock<R, DetMap>,
}

impl<R: Runtime> Map for LockedMap<R> {
    fn insert(&self, key: Key, value: Value) -> Option<Value> {
        self.inner.write().insert(key, value)
    }
    fn remove(&self, key: Key) -> Option<Value> {
        self.inner.write().remove(&key)
    }
    fn get(&self, key: Key) -> Option<Value> {
        self.inner.read().get(&key).copied()
    }
    fn len(&self) -> usize {
        self.inner.read().len()
    }
    fn clear(&self) {
        self.inner.write().clear()
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        let copy = entries(&self.inner.read());
        visit_all(copy, visit);
    }
    /// Shrinks the table to fit the live entries.
    fn reclaim(&self) {
        self.inner.write().shrink_to_fit()
    }
    fn footprint(&self) -> Footprint {
        table_footprint(&self.inner.read())
    }
}

pub struct Locked;

impl Structure for Locked {
    type Map<R: Runtime> = LockedMap<R>;
    fn new<R: Runtime>() -> LockedMap<R> {
        LockedMap {
            inner: RwLock::new(DetMap::default()),
        }
    }
    const INFO: StructureInfo = StructureInfo {
        name: "locked",
        summary: "a reader-writer lock around a HashMap",
        iteration: IterationGuarantee::Snapshot,
        reclamation: ReclamationPolicy::ShrinksWithLive,
        atomic_whole_map: true,
        unsynchronised: false,
        mutant: None,
    };
}

//! `locked` (S2): a reader-writer lock around a map.
//!
//! Readers take the read lock, writers the write lock. Iteration copies the entries under the read
//! lock and visits the copy with no lock held, so the visitor may delete the key it is visiting
//! (the deadlock the incident reports describe comes from calling delete while the range still holds
//! the read lock). The yielded set is the map at the moment of the copy: snapshot iteration.
//!
//! Every compound operation (get-or-insert, compare-and-swap, compare-and-delete, remove-if,
//! update, retain) runs under the write lock for the whole call: each is one step, and a retain
//! takes effect at one instant, as a snapshot iteration promises.

use super::{entries, table, table_footprint, visit_all, DetMap};
use mapcheck_harness::rt::{Runtime, RwLock};
use mapcheck_harness::{
    Footprint, IterationGuarantee, Key, Map, Ops, ReclamationPolicy, Structure, StructureInfo, Value,
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
    fn get_or_insert(&self, key: Key, value: Value) -> Option<Value> {
        table::get_or_insert(&mut self.inner.write(), key, value)
    }
    fn compare_and_swap(&self, key: Key, old: Value, new: Value) -> bool {
        table::compare_and_swap(&mut self.inner.write(), key, old, new)
    }
    fn compare_and_delete(&self, key: Key, old: Value) -> bool {
        table::compare_and_delete(&mut self.inner.write(), key, old)
    }
    fn remove_if(&self, key: Key, remove: &dyn Fn(Value) -> bool) -> Option<Value> {
        table::remove_if(&mut self.inner.write(), key, remove)
    }
    fn update(&self, key: Key, modify: &dyn Fn(Value) -> Value, insert: Option<Value>) -> Option<Value> {
        table::update(&mut self.inner.write(), key, modify, insert)
    }
    fn retain(&self, keep: &mut dyn FnMut(Key, Value) -> bool) {
        table::retain(&mut self.inner.write(), keep)
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
    const SUPPORTS: Ops = Ops::STANDARD.with(Ops::COMPOUND);
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

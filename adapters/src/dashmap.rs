//! `dashmap` 6: a `DashMap`, a fixed number of shards, each a reader-writer lock around a
//! hashbrown table.
//!
//! DashMap's documentation says a call that writes may deadlock while the calling thread holds any
//! reference into the map, an iterator included; so iteration copies the entries through `iter()`
//! and visits the copy. The copy takes one shard's read lock at a time, so it is not a snapshot of
//! the whole map, and every entry is read before the visits start, so a value visited late may be
//! as old as the start of the iteration: weakly consistent since the start. `len` sums the shards one at a time and `clear` clears them one
//! at a time (it is `retain(|_, _| false)`), so neither is atomic. `shrink_to_fit` is the
//! reclamation step: it shrinks every shard to its live entries.
//!
//! The compound operations are DashMap's own, each under one shard's write lock: `entry(k)` (whose
//! guard "is a unique one" held until the entry is dropped, the maintainer on xacrimon/dashmap#47)
//! for get-or-insert, compare-and-swap and update in place (`and_modify` then `or_insert`, keeping
//! the previous value), `remove_if` for remove-if and compare-and-delete, and `retain`, which takes
//! each shard's write lock in turn and so removes each entry with the read its predicate saw.

use crate::{settle, visit_copy, Fixed};
use dashmap::mapref::entry::Entry;
use dashmap::DashMap;
use mapcheck_harness::adapter::Adapter;
use mapcheck_harness::{
    Footprint, IterationGuarantee, Key, Map, Ops, ReclamationPolicy, Settle, StructureInfo, Value,
};
use std::ops::ControlFlow;

pub struct DashMapAdapter(DashMap<Key, Value, Fixed>);

impl Adapter for DashMapAdapter {
    const INFO: StructureInfo = StructureInfo {
        name: "dashmap",
        summary: "dashmap 6: sharded reader-writer locks around hashbrown tables",
        iteration: IterationGuarantee::WeaklyConsistentSinceStart,
        reclamation: ReclamationPolicy::ShrinksWithLive,
        atomic_whole_map: false,
        unsynchronised: false,
        mutant: None,
    };
    /// Its shard locks park through parking_lot_core.
    const SETTLE: Settle = settle::PARKING_LOT;
    const SUPPORTS: Ops = Ops::STANDARD.with(Ops::COMPOUND);
    fn new() -> Self {
        DashMapAdapter(DashMap::with_hasher(Fixed::default()))
    }
}

impl Map for DashMapAdapter {
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
        let copy = self.0.iter().map(|r| (*r.key(), *r.value())).collect();
        visit_copy(copy, visit)
    }
    fn get_or_insert(&self, key: Key, value: Value) -> Option<Value> {
        match self.0.entry(key) {
            Entry::Occupied(o) => Some(*o.get()),
            Entry::Vacant(v) => {
                v.insert(value);
                None
            }
        }
    }
    fn compare_and_swap(&self, key: Key, old: Value, new: Value) -> bool {
        match self.0.entry(key) {
            Entry::Occupied(mut o) if *o.get() == old => {
                o.insert(new);
                true
            }
            _ => false,
        }
    }
    fn compare_and_delete(&self, key: Key, old: Value) -> bool {
        self.0.remove_if(&key, |_, v| *v == old).is_some()
    }
    fn remove_if(&self, key: Key, remove: &dyn Fn(Value) -> bool) -> Option<Value> {
        self.0.remove_if(&key, |_, v| remove(*v)).map(|(_, v)| v)
    }
    fn update(&self, key: Key, modify: &dyn Fn(Value) -> Value, insert: Option<Value>) -> Option<Value> {
        match self.0.entry(key) {
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
    fn retain(&self, keep: &mut dyn FnMut(Key, Value) -> bool) {
        self.0.retain(|k, v| keep(*k, *v))
    }
    /// `DashMap::shrink_to_fit`.
    fn reclaim(&self) {
        self.0.shrink_to_fit()
    }
    fn footprint(&self) -> Footprint {
        let capacity = self.0.capacity();
        Footprint {
            live: self.0.len(),
            stale: 0,
            snapshots: 1,
            capacity,
            bytes: capacity * std::mem::size_of::<(Key, Value)>(),
        }
    }
}

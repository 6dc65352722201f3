//! `clashmap` 1 (`ClashMap`): a fork of dashmap, a fixed number of shards, each a reader-writer
//! lock around a hashbrown table.
//!
//! What its documentation says, and what the declaration follows (as for dashmap, whose
//! documentation it keeps):
//! - `insert` returns the previous value, `remove` the removed entry, `get` a guard.
//! - Writing while the calling thread holds a reference into the map, an iterator included, may
//!   deadlock: iteration copies the entries through `iter()` (one shard's read lock at a time, every
//!   entry read before the visits: weakly consistent since the start) and visits the copy.
//! - `len` sums the shards one at a time and `clear` clears them one at a time: neither is atomic.
//! - `shrink_to_fit` is the reclamation step; `capacity` is exposed, so the table is held to
//!   shrinking with its live entries. Its shard locks park through parking_lot_core (its settle
//!   step).

use crate::{visit_copy, Fixed};
use clashmap::ClashMap;
use mapcheck::prelude::*;

pub struct ClashMapAdapter(ClashMap<Key, Value, Fixed>);

impl Map for ClashMapAdapter {
    fn insert(&self, k: Key, v: Value) -> Option<Value> {
        self.0.insert(k, v)
    }
    fn remove(&self, k: Key) -> Option<Value> {
        self.0.remove(&k).map(|(_, v)| v)
    }
    fn get(&self, k: Key) -> Option<Value> {
        self.0.get(&k).map(|r| *r)
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
    /// `ClashMap::shrink_to_fit`.
    fn reclaim(&self) {
        self.0.shrink_to_fit()
    }
    fn footprint(&self) -> Footprint {
        let capacity = self.0.capacity();
        Footprint {
            live: self.0.len(),
            capacity,
            snapshots: 1,
            bytes: capacity * std::mem::size_of::<(Key, Value)>(),
            ..Footprint::default()
        }
    }
}

impl Adapter for ClashMapAdapter {
    const INFO: StructureInfo = StructureInfo::new("clashmap")
        .summary("clashmap 1: a dashmap fork, sharded reader-writer locks around hashbrown tables")
        .reclamation(ReclamationPolicy::ShrinksWithLive);
    const SETTLE: Settle = mapcheck::settle!(parking_lot_core: parking_lot_core);
    fn new() -> Self {
        ClashMapAdapter(ClashMap::with_hasher(Fixed::default()))
    }
}

//! `quick_cache` 0.7 (`quick_cache::sync::Cache`): a cache of equally sized shards, each a
//! CLOCK-Pro table behind a parking_lot reader-writer lock.
//!
//! What its documentation says, and what the declaration follows:
//! - `insert` returns nothing (declared unobserved); `remove` "returns the removed entry, if any".
//! - It "holds up to `items_capacity` items (approximately)" and evicts beyond: the capacity here
//!   is far above the keys a model names, so nothing is evicted.
//! - `len` sums the shards one at a time and `clear` clears them one at a time: neither is atomic.
//! - `iter`: "guaranteed to yield all items in the cache at the time of creation provided that they
//!   are not removed or evicted from the cache while iterating. The iterator may also yield items
//!   added to the cache after the iterator is created." It takes a shard's read lock for each
//!   item and releases it before returning, so the visitor may remove; nothing is said of the
//!   values, so they are held to the least claim: weakly consistent since the start.
//! - Reclamation: its locks park through parking_lot_core (its settle step); the capacity it
//!   exposes is the configured one, so none is judged.

use crate::Fixed;
use mapcheck::prelude::*;
use quick_cache::sync::Cache;
use quick_cache::sync::DefaultLifecycle;
use quick_cache::UnitWeighter;

/// Items the cache holds before it evicts: far above a model's keys.
const CAPACITY: usize = 1 << 16;

pub struct QuickCache(Cache<Key, Value, UnitWeighter, Fixed>);

impl Map for QuickCache {
    fn insert(&self, k: Key, v: Value) -> Option<Value> {
        self.0.insert(k, v);
        None
    }
    fn remove(&self, k: Key) -> Option<Value> {
        self.0.remove(&k).map(|(_, v)| v)
    }
    fn get(&self, k: Key) -> Option<Value> {
        self.0.get(&k)
    }
    fn len(&self) -> usize {
        self.0.len()
    }
    fn clear(&self) {
        self.0.clear()
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        for (k, v) in self.0.iter() {
            if visit(k, v).is_break() {
                break;
            }
        }
    }
}

impl Adapter for QuickCache {
    const INFO: StructureInfo = StructureInfo::new("quick_cache")
        .summary("quick_cache 0.7 sync::Cache: sharded CLOCK-Pro, parking_lot locks");
    const UNOBSERVED: Unobserved = Unobserved {
        insert: true,
        ..Unobserved::NONE
    };
    const SETTLE: Settle = mapcheck::settle!(parking_lot_core: parking_lot_core);
    fn new() -> Self {
        QuickCache(Cache::with(
            CAPACITY,
            CAPACITY as u64,
            UnitWeighter,
            Fixed::default(),
            DefaultLifecycle::default(),
        ))
    }
}

//! `mini-moka` 0.10 (`mini_moka::sync::Cache`): moka's smaller sibling, a concurrent cache over a
//! `dashmap` 5 table with maintenance run by user threads.
//!
//! What its documentation says, and what the declaration follows:
//! - `insert` and `invalidate` return nothing, and there is no `remove` that returns the value:
//!   both are declared unobserved.
//! - `entry_count` is "an estimate ... This inaccuracy can be mitigated by performing a `sync()`
//!   first": len is declared unobserved, and the reclamation step is `sync()`.
//! - `invalidate_all`: "a background thread will evict all the cached values inserted before the
//!   time when this method was called. It is guaranteed that the `get` method must not return these
//!   invalidated values even if they have not been evicted": clear, not declared atomic.
//! - `iter` "relies on the iterator of `dashmap::DashMap`, which employs read-write locks. May
//!   deadlock if the thread holding an iterator attempts to update the cache": iteration copies
//!   the entries through `iter()` (shard by shard, every entry read before the first visit:
//!   weakly consistent since the start) and visits the copy.
//! - Reclamation: dashmap's shard locks park through parking_lot_core (its settle step); no
//!   capacity is exposed.

use crate::{visit_copy, Fixed};
use mapcheck::prelude::*;
use mini_moka::sync::ConcurrentCacheExt;

pub struct MiniMokaCache(mini_moka::sync::Cache<Key, Value, Fixed>);

impl Map for MiniMokaCache {
    fn insert(&self, k: Key, v: Value) -> Option<Value> {
        self.0.insert(k, v);
        None
    }
    fn remove(&self, k: Key) -> Option<Value> {
        self.0.invalidate(&k);
        None
    }
    fn get(&self, k: Key) -> Option<Value> {
        self.0.get(&k)
    }
    fn len(&self) -> usize {
        self.0.entry_count() as usize
    }
    fn clear(&self) {
        self.0.invalidate_all()
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        let copy = self.0.iter().map(|e| (*e.key(), *e.value())).collect();
        visit_copy(copy, visit)
    }
    /// The cache's maintenance.
    fn reclaim(&self) {
        self.0.sync()
    }
}

impl Adapter for MiniMokaCache {
    const INFO: StructureInfo = StructureInfo::new("mini-moka")
        .summary("mini-moka 0.10 sync::Cache: a dashmap 5 table, maintenance on user threads");
    const UNOBSERVED: Unobserved = Unobserved {
        insert: true,
        remove: true,
        len: true,
    };
    const SETTLE: Settle = mapcheck::settle!(parking_lot_core: parking_lot_core);
    fn new() -> Self {
        MiniMokaCache(mini_moka::sync::Cache::builder().build_with_hasher(Fixed::default()))
    }
}

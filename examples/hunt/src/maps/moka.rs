//! `moka` 0.12 (`moka::sync::Cache`): a concurrent cache (TinyLFU admission, LRU eviction) over
//! its own lock-free hash table, with maintenance run by user threads and memory reclaimed
//! through crossbeam-epoch.
//!
//! What its documentation says, and what the declaration follows:
//! - `insert` returns nothing, `invalidate` returns nothing; `remove` "discards any cached value
//!   for the key and returns a clone of the value": insert is declared unobserved, remove is the
//!   crate's `remove`.
//! - `entry_count` "is an estimate; the actual count may differ if there are concurrent insertions
//!   or removals ... This inaccuracy can be mitigated by performing a `run_pending_tasks` first":
//!   len is declared unobserved (its count lags until maintenance runs), and the reclamation step
//!   is `run_pending_tasks`.
//! - `invalidate_all` "returns immediately by just setting the current time as the invalidation
//!   time. `get` and other retrieval methods are guaranteed not to return the entries inserted
//!   before or at the invalidation time": clear, not declared atomic.
//! - `iter`: "does not guarantee to return an entry if its key has been inserted after the iterator
//!   was created"; "guarantees not to return the same entry more than once" and "not to return an
//!   entry if it has been removed from the cache after the iterator was created", and iterators
//!   "do not block concurrent reads and writes": weakly consistent, per visit, the visitor removing
//!   as it goes.
//! - Reclamation: its table retires through crossbeam-epoch (the default collector), so the
//!   settle steps are crossbeam-epoch's, and its locks are parking_lot's; no capacity is exposed.
//!
//! [`MokaInvalidate`] is the same cache with `invalidate` (which returns nothing: declared
//! unobserved) for remove: `remove` returns the value of an entry `invalidate_all` has already
//! discarded (a bug this hunt found, `repro_moka_remove_after_invalidate_all`), and every cell that
//! clears and then removes stops on it; this adapter checks the rest of the cache past it.

use crate::Fixed;
use mapcheck::prelude::*;

pub struct MokaCache(moka::sync::Cache<Key, Value, Fixed>);

impl Map for MokaCache {
    fn insert(&self, k: Key, v: Value) -> Option<Value> {
        self.0.insert(k, v);
        None
    }
    fn remove(&self, k: Key) -> Option<Value> {
        self.0.remove(&k)
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
        for (k, v) in self.0.iter() {
            if visit(*k, v).is_break() {
                break;
            }
        }
    }
    /// The cache's maintenance.
    fn reclaim(&self) {
        self.0.run_pending_tasks()
    }
}

/// [`MokaCache`] with `invalidate` for remove.
pub struct MokaInvalidate(MokaCache);

impl Map for MokaInvalidate {
    fn insert(&self, k: Key, v: Value) -> Option<Value> {
        self.0.insert(k, v)
    }
    fn remove(&self, k: Key) -> Option<Value> {
        self.0 .0.invalidate(&k);
        None
    }
    fn get(&self, k: Key) -> Option<Value> {
        self.0.get(k)
    }
    fn len(&self) -> usize {
        self.0.len()
    }
    fn clear(&self) {
        self.0.clear()
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        self.0.iterate(visit)
    }
    fn reclaim(&self) {
        self.0.reclaim()
    }
}

impl Adapter for MokaInvalidate {
    const INFO: StructureInfo = StructureInfo {
        name: "moka-invalidate",
        summary: "moka 0.12 sync::Cache, removing with invalidate",
        ..MokaCache::INFO
    };
    const UNOBSERVED: Unobserved = Unobserved {
        insert: true,
        remove: true,
        len: true,
    };
    const SETTLE: Settle = MokaCache::SETTLE;
    fn new() -> Self {
        MokaInvalidate(MokaCache::new())
    }
}

impl Adapter for MokaCache {
    const INFO: StructureInfo = StructureInfo::new("moka")
        .summary("moka 0.12 sync::Cache: lock-free table, TinyLFU, maintenance on user threads")
        .iteration(IterationGuarantee::WeaklyConsistent);
    const UNOBSERVED: Unobserved = Unobserved {
        insert: true,
        remove: false,
        len: true,
    };
    const SETTLE: Settle =
        mapcheck::settle!(crossbeam_epoch: crossbeam_epoch, parking_lot_core: parking_lot_core);
    fn new() -> Self {
        MokaCache(moka::sync::Cache::builder().build_with_hasher(Fixed::default()))
    }
}

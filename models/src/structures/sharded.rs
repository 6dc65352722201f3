//! `sharded` (S5): N shards, each a mutex around a map, the shard chosen by a hash of the key.
//!
//! Single-key operations lock one shard and are linearizable. Whole-map operations (len, clear,
//! iteration) visit the shards one at a time, so they are not atomic across shards: len may count a
//! state that never existed at one instant, clear removes each key at some point during the call,
//! and iteration is weakly consistent. Iteration copies a shard under its lock and then visits the
//! copy with no lock held (so the visitor may delete), so an entry removed after its shard was
//! copied may still be produced: the value is one the key held at some point since the start of the
//! iteration, not necessarily at its visit. The structure declares exactly that.
//!
//! The compound operations on one key (get-or-insert, compare-and-swap, compare-and-delete,
//! remove-if, update) lock the key's shard for the whole call, so each is one step. Retain goes
//! shard by shard like iteration, holding each shard's lock while it judges and removes that
//! shard's entries: each entry's removal is one step with the read its predicate saw.

use super::{entries, table, visit_all, DetMap};
use mapcheck_harness::rt::{Mutex, Runtime};
use mapcheck_harness::{
    Footprint, IterationGuarantee, Key, Map, Ops, ReclamationPolicy, Structure, StructureInfo, Value,
};
use std::ops::ControlFlow;

/// Shards in every `ShardedMap`.
pub const SHARDS: usize = 4;

/// The shard of a key: a multiplicative hash, so that consecutive small keys spread out.
pub fn shard_of(key: Key) -> usize {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as usize % SHARDS
}

pub struct ShardedMap<R: Runtime> {
    pub(crate) shards: Vec<Mutex<R, DetMap>>,
}

impl<R: Runtime> ShardedMap<R> {
    pub(crate) fn shard(&self, key: Key) -> &Mutex<R, DetMap> {
        &self.shards[shard_of(key)]
    }
}

impl<R: Runtime> Map for ShardedMap<R> {
    fn insert(&self, key: Key, value: Value) -> Option<Value> {
        self.shard(key).lock().insert(key, value)
    }
    fn remove(&self, key: Key) -> Option<Value> {
        self.shard(key).lock().remove(&key)
    }
    fn get(&self, key: Key) -> Option<Value> {
        self.shard(key).lock().get(&key).copied()
    }
    fn len(&self) -> usize {
        self.shards.iter().map(|s| s.lock().len()).sum()
    }
    fn clear(&self) {
        for s in &self.shards {
            s.lock().clear();
        }
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        for s in &self.shards {
            let copy = entries(&s.lock());
            if !visit_all(copy, visit) {
                return;
            }
        }
    }
    fn get_or_insert(&self, key: Key, value: Value) -> Option<Value> {
        table::get_or_insert(&mut self.shard(key).lock(), key, value)
    }
    fn compare_and_swap(&self, key: Key, old: Value, new: Value) -> bool {
        table::compare_and_swap(&mut self.shard(key).lock(), key, old, new)
    }
    fn compare_and_delete(&self, key: Key, old: Value) -> bool {
        table::compare_and_delete(&mut self.shard(key).lock(), key, old)
    }
    fn remove_if(&self, key: Key, remove: &dyn Fn(Value) -> bool) -> Option<Value> {
        table::remove_if(&mut self.shard(key).lock(), key, remove)
    }
    fn update(&self, key: Key, modify: &dyn Fn(Value) -> Value, insert: Option<Value>) -> Option<Value> {
        table::update(&mut self.shard(key).lock(), key, modify, insert)
    }
    fn retain(&self, keep: &mut dyn FnMut(Key, Value) -> bool) {
        for s in &self.shards {
            table::retain(&mut s.lock(), keep);
        }
    }
    /// Shrinks every shard to fit its live entries.
    fn reclaim(&self) {
        for s in &self.shards {
            s.lock().shrink_to_fit();
        }
    }
    fn footprint(&self) -> Footprint {
        let mut f = Footprint {
            snapshots: 1,
            ..Footprint::default()
        };
        for s in &self.shards {
            let m = s.lock();
            f.live += m.len();
            f.capacity += m.capacity();
        }
        f.bytes = f.capacity * std::mem::size_of::<(Key, Value)>();
        f
    }
}

pub struct Sharded;

impl Structure for Sharded {
    type Map<R: Runtime> = ShardedMap<R>;
    fn new<R: Runtime>() -> ShardedMap<R> {
        ShardedMap {
            shards: (0..SHARDS).map(|_| Mutex::new(DetMap::default())).collect(),
        }
    }
    const SUPPORTS: Ops = Ops::STANDARD.with(Ops::COMPOUND);
    const INFO: StructureInfo = StructureInfo {
        name: "sharded",
        summary: "4 shards, each a mutex around a HashMap; whole-map operations go shard by shard",
        iteration: IterationGuarantee::WeaklyConsistentSinceStart,
        reclamation: ReclamationPolicy::ShrinksWithLive,
        atomic_whole_map: false,
        unsynchronised: false,
        mutant: None,
    };
}

//! The `sharded-clear-count` mutant: a map-wide entry count that clear resets after walking the shards, wiping an insert's count.

use super::delegate;
use crate::structures::sharded::{shard_of, Sharded, ShardedMap};
use mapcheck_harness::rt::{Mutex, Runtime};
use mapcheck_harness::{Footprint, Key, Map, Structure, StructureInfo, Value};
use std::ops::ControlFlow;

/// `sharded-clear-count`: `sharded` with a map-wide entry count beside the shards, so that len is
/// one read instead of a walk (erigon's `GenericCache` keeps one for the same reason). Insert and
/// remove change the count under the shard's lock; clear empties the shards one at a time and then
/// sets the count to zero. An insert of a new key into a shard the clear has already emptied,
/// landing before that reset, is in the map but no longer counted: from then on len is one short
/// (and a later remove of that key takes the count below zero, which reads as a huge len). The fix
/// is to subtract each shard's entries under its lock. One thread never sees it: nothing runs
/// between the clear's last shard and its reset. The count sits behind its own mutex rather than in
/// an atomic, so that every execution loom explores is sequentially consistent: the bug is the
/// interleaving alone.
pub struct ClearCount<R: Runtime>(ShardedMap<R>, Mutex<R, usize>);

impl<R: Runtime> Map for ClearCount<R> {
    delegate!(get, iterate, reclaim, footprint);
    fn insert(&self, k: Key, v: Value) -> Option<Value> {
        let mut shard = self.0.shards[shard_of(k)].lock();
        let old = shard.insert(k, v);
        if old.is_none() {
            *self.1.lock() += 1;
        }
        old
    }
    fn remove(&self, k: Key) -> Option<Value> {
        let mut shard = self.0.shards[shard_of(k)].lock();
        let old = shard.remove(&k);
        if old.is_some() {
            let mut n = self.1.lock();
            *n = n.wrapping_sub(1);
        }
        old
    }
    fn len(&self) -> usize {
        *self.1.lock()
    }
    fn clear(&self) {
        for s in &self.0.shards {
            s.lock().clear();
        }
        *self.1.lock() = 0;
    }
}

pub struct ShardedClearCount;
impl Structure for ShardedClearCount {
    type Map<R: Runtime> = ClearCount<R>;
    fn new<R: Runtime>() -> ClearCount<R> {
        ClearCount(Sharded::new::<R>(), Mutex::new(0))
    }
    const INFO: StructureInfo = StructureInfo {
        name: "sharded-clear-count",
        mutant: Some(
            "a map-wide entry count that clear sets to zero after emptying the shards one at a \
             time: an insert into a shard already emptied is no longer counted, and len stays one \
             short (len bounds)",
        ),
        ..Sharded::INFO
    };
}

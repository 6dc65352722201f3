//! The `sharded-grow-race` mutant: a shard grows by copying its table under the lock and installing the copy under the lock again, undoing writes in between.

use super::delegate;
use crate::structures::sharded::{shard_of, Sharded, ShardedMap};
use crate::structures::DetMap;
use mapcheck_harness::rt::Runtime;
use mapcheck_harness::{Footprint, Key, Map, Structure, StructureInfo, Value};
use std::ops::ControlFlow;

/// The slots of a shard's table holding `len` entries: the next power of two, at least 2. An insert
/// of a new key into a full table (`len` equal to its slots) grows it to twice as many first.
pub fn slots(len: usize) -> usize {
    len.next_power_of_two().max(2)
}

/// `sharded-grow-race`: `sharded` whose shards grow. The insert that finds its shard's table full
/// copies the table under the shard's lock, lets go of the lock while it rehashes the copy into a
/// table twice the size (to keep the shard's other writers waiting as briefly as possible), then
/// takes the lock again and installs the new table. Whatever changed in the shard in between is
/// undone: a remove's key comes back with its old value (a lost delete), an insert is lost. This is
/// erigon's `GenericCache` jump-grow before its fix (erigontech/erigon#22466): a write that landed
/// in the retiring generation after the copy was lost, and the key's older value resurfaced. One
/// thread never sees it: nothing runs between the copy and the install.
pub struct GrowRace<R: Runtime>(ShardedMap<R>);

impl<R: Runtime> Map for GrowRace<R> {
    delegate!(remove, get, len, clear, iterate, reclaim, footprint);
    fn insert(&self, k: Key, v: Value) -> Option<Value> {
        let shard = &self.0.shards[shard_of(k)];
        let mut table = shard.lock();
        if table.len() == slots(table.len()) && !table.contains_key(&k) {
            let copy = table.clone();
            drop(table);
            let mut grown = DetMap::with_capacity_and_hasher(2 * copy.len(), Default::default());
            grown.extend(copy);
            table = shard.lock();
            *table = grown;
        }
        table.insert(k, v)
    }
}

pub struct ShardedGrowRace;
impl Structure for ShardedGrowRace {
    type Map<R: Runtime> = GrowRace<R>;
    fn new<R: Runtime>() -> GrowRace<R> {
        GrowRace(Sharded::new::<R>())
    }
    const INFO: StructureInfo = StructureInfo {
        name: "sharded-grow-race",
        mutant: Some(
            "a shard grows by copying its table under the lock, rehashing with the lock released \
             and installing the copy under the lock again: a remove in between is undone (lost \
             delete)",
        ),
        ..Sharded::INFO
    };
}

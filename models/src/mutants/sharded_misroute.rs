//! The `sharded-misroute` mutant: remove picks a different shard than insert for some keys, so the delete is lost.

use super::delegate;
use crate::structures::sharded::{shard_of, Sharded, ShardedMap, SHARDS};
use mapcheck_harness::rt::Runtime;
use mapcheck_harness::{Footprint, Key, Map, Structure, StructureInfo, Value};
use std::ops::ControlFlow;

/// `sharded-misroute`: remove picks the next shard for keys that are 2 mod 3, so their deletes miss.
pub struct Misroute<R: Runtime>(ShardedMap<R>);

impl<R: Runtime> Map for Misroute<R> {
    delegate!(insert, get, len, clear, iterate, reclaim, footprint);
    fn remove(&self, k: Key) -> Option<Value> {
        let shard = if k % 3 == 2 {
            (shard_of(k) + 1) % SHARDS
        } else {
            shard_of(k)
        };
        self.0.shards[shard].lock().remove(&k)
    }
}

pub struct ShardedMisroute;
impl Structure for ShardedMisroute {
    type Map<R: Runtime> = Misroute<R>;
    fn new<R: Runtime>() -> Misroute<R> {
        Misroute(Sharded::new::<R>())
    }
    const INFO: StructureInfo = StructureInfo {
        name: "sharded-misroute",
        mutant: Some("remove picks a different shard than insert for some keys, so the delete is lost"),
        ..Sharded::INFO
    };
}

//! The `sharded-clear-skips` mutant: a whole-map clear that misses a shard.

use super::delegate;
use crate::structures::sharded::{Sharded, ShardedMap, SHARDS};
use mapcheck_harness::rt::Runtime;
use mapcheck_harness::{Footprint, Key, Map, Structure, StructureInfo, Value};
use std::ops::ControlFlow;

/// `sharded-clear-skips`: clear goes shard by shard but stops before the last one, so entries there
/// survive a clear that returned.
pub struct ClearSkips<R: Runtime>(ShardedMap<R>);

impl<R: Runtime> Map for ClearSkips<R> {
    delegate!(insert, remove, get, len, iterate, reclaim, footprint);
    fn clear(&self) {
        for s in &self.0.shards[..SHARDS - 1] {
            s.lock().clear();
        }
    }
}

pub struct ShardedClearSkips;
impl Structure for ShardedClearSkips {
    type Map<R: Runtime> = ClearSkips<R>;
    fn new<R: Runtime>() -> ClearSkips<R> {
        ClearSkips(Sharded::new::<R>())
    }
    const INFO: StructureInfo = StructureInfo {
        name: "sharded-clear-skips",
        mutant: Some("a whole-map clear that misses a shard"),
        ..Sharded::INFO
    };
}

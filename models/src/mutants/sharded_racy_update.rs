//! The `sharded-racy-update` mutant: an update in place that reads the value under the shard's
//! lock and writes the new one under it again, so two racing increments lose one.

use super::delegate;
use crate::structures::sharded::{Sharded, ShardedMap};
use mapcheck_harness::rt::Runtime;
use mapcheck_harness::{Footprint, Key, Map, Ops, Structure, StructureInfo, Value};
use std::ops::ControlFlow;

/// `sharded-racy-update`: update reads the key's value under its shard's lock, lets go, computes,
/// and writes under the lock again. Two increments of one counter that race both read the same
/// value, both write its successor and both return the value they read: one increment is lost,
/// and the value read is taken out twice.
pub struct RacyUpdate<R: Runtime>(ShardedMap<R>);

impl<R: Runtime> Map for RacyUpdate<R> {
    delegate!(
        insert,
        remove,
        get,
        len,
        clear,
        iterate,
        reclaim,
        footprint,
        get_or_insert,
        compare_and_swap,
        compare_and_delete,
        remove_if,
        retain
    );
    fn update(&self, k: Key, modify: &dyn Fn(Value) -> Value, insert: Option<Value>) -> Option<Value> {
        let seen = self.0.shard(k).lock().get(&k).copied();
        let new = seen.map(modify).or(insert);
        if let Some(new) = new {
            self.0.shard(k).lock().insert(k, new);
        }
        seen
    }
}

pub struct ShardedRacyUpdate;
impl Structure for ShardedRacyUpdate {
    type Map<R: Runtime> = RacyUpdate<R>;
    fn new<R: Runtime>() -> RacyUpdate<R> {
        RacyUpdate(Sharded::new::<R>())
    }
    const SUPPORTS: Ops = Sharded::SUPPORTS;
    const INFO: StructureInfo = StructureInfo {
        name: "sharded-racy-update",
        mutant: Some(
            "an update in place that reads under the shard's lock and writes under it again: two \
             racing increments read one value and one is lost (exactly-once delete)",
        ),
        ..Sharded::INFO
    };
}

//! The `sharded-racy-compare-delete` mutant: a compare-and-delete that compares under the shard's
//! lock and removes under it again, so it removes a value written in between.

use super::delegate;
use crate::structures::sharded::{Sharded, ShardedMap};
use mapcheck_harness::rt::Runtime;
use mapcheck_harness::{Footprint, Key, Map, Ops, Structure, StructureInfo, Value};
use std::ops::ControlFlow;

/// `sharded-racy-compare-delete`: compare-and-delete compares the key's value with `old` under its
/// shard's lock, lets go, and when it matched removes the key under the lock again, whatever it
/// holds by then. A write of a newer value in between (a counter incremented after the compare) is
/// removed, and `old` is taken out twice: by the write that replaced it and by the
/// compare-and-delete that says it removed it.
pub struct RacyCompareDelete<R: Runtime>(ShardedMap<R>);

impl<R: Runtime> Map for RacyCompareDelete<R> {
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
        remove_if,
        update,
        retain
    );
    fn compare_and_delete(&self, k: Key, old: Value) -> bool {
        let matches = self.0.shard(k).lock().get(&k) == Some(&old);
        if matches {
            self.0.shard(k).lock().remove(&k);
        }
        matches
    }
}

pub struct ShardedRacyCompareDelete;
impl Structure for ShardedRacyCompareDelete {
    type Map<R: Runtime> = RacyCompareDelete<R>;
    fn new<R: Runtime>() -> RacyCompareDelete<R> {
        RacyCompareDelete(Sharded::new::<R>())
    }
    const SUPPORTS: Ops = Sharded::SUPPORTS;
    const INFO: StructureInfo = StructureInfo {
        name: "sharded-racy-compare-delete",
        mutant: Some(
            "a compare-and-delete that compares under the shard's lock and removes under it again: a \
             value written in between is removed (exactly-once delete)",
        ),
        ..Sharded::INFO
    };
}

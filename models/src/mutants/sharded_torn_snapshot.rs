//! The `sharded-torn-snapshot` mutant: an iteration declared a snapshot that copies the shards one lock at a time.

use super::delegate;
use crate::structures::sharded::{Sharded, ShardedMap};
use crate::structures::{entries, visit_all};
use mapcheck_harness::rt::Runtime;
use mapcheck_harness::{Footprint, IterationGuarantee, Key, Map, Structure, StructureInfo, Value};
use std::ops::ControlFlow;

/// `sharded-torn-snapshot`: iteration "takes a snapshot" before its first visit, as
/// orcaman/concurrent-map's `snapshot` does for `IterBuffered` and `Items`: every shard copied
/// under its own lock, the lock released before the next shard's is taken, and the copies visited
/// afterwards. The structure declares a snapshot, but no instant ever held what it yields: a
/// writer that changes a shard already copied and then one not yet copied (insert into shard 0,
/// then delete from shard 3) makes it yield the second change without the first. One thread alone
/// never sees it: the copies are all taken before its own visitor runs. The model built for it has
/// no clear: the whole-map linearizability check that judges a snapshot takes a clear as one
/// instant, which `sharded`'s is not, so a clear racing writers of two shards would be blamed too.
pub struct TornSnapshot<R: Runtime>(ShardedMap<R>);

impl<R: Runtime> Map for TornSnapshot<R> {
    delegate!(insert, remove, get, len, clear, reclaim, footprint);
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        let snapshot: Vec<(Key, Value)> = self.0.shards.iter().flat_map(|s| entries(&s.lock())).collect();
        visit_all(snapshot, visit);
    }
}

pub struct ShardedTornSnapshot;
impl Structure for ShardedTornSnapshot {
    type Map<R: Runtime> = TornSnapshot<R>;
    fn new<R: Runtime>() -> TornSnapshot<R> {
        TornSnapshot(Sharded::new::<R>())
    }
    const INFO: StructureInfo = StructureInfo {
        name: "sharded-torn-snapshot",
        iteration: IterationGuarantee::Snapshot,
        mutant: Some(
            "an iteration declared a snapshot that copies the shards one lock at a time: a writer \
             that changes a copied shard, then one not yet copied, makes it yield a set the map \
             never held (linearizability)",
        ),
        ..Sharded::INFO
    };
}

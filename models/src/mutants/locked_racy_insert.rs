//! The `locked-racy-insert` mutant: an overwrite that reads the old value under the read lock and
//! writes under the write lock, so two racing overwrites both return the value they replaced.

use super::delegate;
use crate::structures::locked::{Locked, LockedMap};
use mapcheck_harness::rt::Runtime;
use mapcheck_harness::{Footprint, Key, Map, Structure, StructureInfo, Value};
use std::ops::ControlFlow;

/// `locked-racy-insert`: insert looks the key up under the read lock, lets go, then writes under the
/// write lock and returns what it looked up. Two inserts of one present key that race both see the
/// same old value and both return it: one value taken out twice (an overwrite takes out the value
/// it replaces), and the value the first write put is overwritten without anyone taking it out.
pub struct RacyInsert<R: Runtime>(LockedMap<R>);

impl<R: Runtime> Map for RacyInsert<R> {
    delegate!(remove, get, len, clear, iterate, reclaim, footprint);
    fn insert(&self, k: Key, v: Value) -> Option<Value> {
        let seen = self.0.inner.read().get(&k).copied();
        self.0.inner.write().insert(k, v);
        seen
    }
}

pub struct LockedRacyInsert;
impl Structure for LockedRacyInsert {
    type Map<R: Runtime> = RacyInsert<R>;
    fn new<R: Runtime>() -> RacyInsert<R> {
        RacyInsert(Locked::new::<R>())
    }
    const INFO: StructureInfo = StructureInfo {
        name: "locked-racy-insert",
        mutant: Some(
            "an overwrite that reads the old value under the read lock and writes under the write \
             lock: two racing overwrites both return the value they replaced (exactly-once delete)",
        ),
        ..Locked::INFO
    };
}

//! The `locked-racy-remove` mutant: a remove that checks under the read lock and deletes under the write lock reports success to two racing callers.

use super::delegate;
use crate::structures::locked::{Locked, LockedMap};
use mapcheck_harness::rt::Runtime;
use mapcheck_harness::{Footprint, Key, Map, Structure, StructureInfo, Value};
use std::ops::ControlFlow;

/// `locked-racy-remove`: remove looks the key up under the read lock, then deletes under the write
/// lock and returns what it looked up, so two racing removes both report success.
pub struct RacyRemove<R: Runtime>(LockedMap<R>);

impl<R: Runtime> Map for RacyRemove<R> {
    delegate!(insert, get, len, clear, iterate, reclaim, footprint);
    fn remove(&self, k: Key) -> Option<Value> {
        let seen = self.0.inner.read().get(&k).copied();
        if seen.is_some() {
            self.0.inner.write().remove(&k);
        }
        seen
    }
}

pub struct LockedRacyRemove;
impl Structure for LockedRacyRemove {
    type Map<R: Runtime> = RacyRemove<R>;
    fn new<R: Runtime>() -> RacyRemove<R> {
        RacyRemove(Locked::new::<R>())
    }
    const INFO: StructureInfo = StructureInfo {
        name: "locked-racy-remove",
        mutant: Some("a remove that checks under the read lock and deletes under the write lock reports success to two racing callers"),
        ..Locked::INFO
    };
}

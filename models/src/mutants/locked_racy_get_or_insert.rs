//! The `locked-racy-get-or-insert` mutant: a get-or-insert that checks for the key under the read
//! lock and inserts under the write lock, so two fills of one missing key both insert.

use super::delegate;
use crate::structures::locked::{Locked, LockedMap};
use mapcheck_harness::rt::Runtime;
use mapcheck_harness::{Footprint, Key, Map, Ops, Structure, StructureInfo, Value};
use std::ops::ControlFlow;

/// `locked-racy-get-or-insert`: get-or-insert looks the key up under the read lock, lets go, and
/// when it found nothing inserts under the write lock without looking again. Two fills of one
/// missing key that race both find it missing, both insert, and both return none (each caller
/// believes its value is the one cached), the second overwriting the first: the check-then-act race
/// `entry(k).or_insert(v)` and `LoadOrStore` exist to prevent.
pub struct RacyGetOrInsert<R: Runtime>(LockedMap<R>);

impl<R: Runtime> Map for RacyGetOrInsert<R> {
    delegate!(
        insert,
        remove,
        get,
        len,
        clear,
        iterate,
        reclaim,
        footprint,
        compare_and_swap,
        compare_and_delete,
        remove_if,
        update,
        retain
    );
    fn get_or_insert(&self, k: Key, v: Value) -> Option<Value> {
        if let Some(found) = self.0.inner.read().get(&k).copied() {
            return Some(found);
        }
        self.0.inner.write().insert(k, v);
        None
    }
}

pub struct LockedRacyGetOrInsert;
impl Structure for LockedRacyGetOrInsert {
    type Map<R: Runtime> = RacyGetOrInsert<R>;
    fn new<R: Runtime>() -> RacyGetOrInsert<R> {
        RacyGetOrInsert(Locked::new::<R>())
    }
    const SUPPORTS: Ops = Locked::SUPPORTS;
    const INFO: StructureInfo = StructureInfo {
        name: "locked-racy-get-or-insert",
        mutant: Some(
            "a get-or-insert that checks under the read lock and inserts under the write lock: two \
             fills of one missing key both insert and both return none (linearizability)",
        ),
        ..Locked::INFO
    };
}

//! The `locked-racy-retain` mutant: a retain that reads the entries under the read lock and removes
//! each one it drops by key under the write lock, so it removes an entry refreshed in between.

use super::delegate;
use crate::structures::entries;
use crate::structures::locked::{Locked, LockedMap};
use mapcheck_harness::rt::Runtime;
use mapcheck_harness::{Footprint, Key, Map, Ops, Structure, StructureInfo, Value};
use std::ops::ControlFlow;

/// `locked-racy-retain`: retain copies the entries under the read lock, judges the copy with no
/// lock held, and removes each entry it drops with a plain remove of the key under the write lock,
/// letting go of the lock between entries. A writer that overwrites a dropped entry in between
/// (an expired entry refreshed) loses its fresh value to the sweep, and the expired value is taken
/// out twice: by the overwrite, which returned it, and by the retain, which judged and removed it.
pub struct RacyRetain<R: Runtime>(LockedMap<R>);

impl<R: Runtime> Map for RacyRetain<R> {
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
        update
    );
    fn retain(&self, keep: &mut dyn FnMut(Key, Value) -> bool) {
        let copy = entries(&self.0.inner.read());
        for (k, v) in copy {
            if !keep(k, v) {
                self.0.inner.write().remove(&k);
            }
        }
    }
}

pub struct LockedRacyRetain;
impl Structure for LockedRacyRetain {
    type Map<R: Runtime> = RacyRetain<R>;
    fn new<R: Runtime>() -> RacyRetain<R> {
        RacyRetain(Locked::new::<R>())
    }
    const SUPPORTS: Ops = Locked::SUPPORTS;
    const INFO: StructureInfo = StructureInfo {
        name: "locked-racy-retain",
        mutant: Some(
            "a retain that judges a copy of the entries and removes each dropped key under the write \
             lock again: an entry refreshed in between is swept, its old value taken out twice \
             (exactly-once delete)",
        ),
        ..Locked::INFO
    };
}

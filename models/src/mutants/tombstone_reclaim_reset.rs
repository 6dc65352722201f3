//! The `tombstone-reclaim-reset` mutant: a reclamation step that purges in two locked sections and
//! resets the tombstone counter to zero, forgetting tombstones made in between.

use super::delegate;
use crate::structures::tombstone::{Tombstone, TombstoneMap};
use mapcheck_harness::rt::Runtime;
use mapcheck_harness::{Footprint, Key, Map, Structure, StructureInfo, Value};
use std::ops::ControlFlow;

/// `tombstone-reclaim-reset`: the reclamation step purges on the calling thread instead of waiting
/// for a GC tick: it returns at once when the tombstone counter says there is nothing to purge,
/// otherwise collects the tombstoned keys under the lock, lets go of it, takes it again, removes
/// those keys (if still tombstones) and sets the counter to zero. A delete that lands between the
/// two sections leaves a tombstone the counter no longer counts, so the GC thread is not woken for
/// it and every later reclamation step returns at once: the tombstone stays (reclamation, counted
/// from the slots).
pub struct ReclaimReset<R: Runtime>(TombstoneMap<R>);

impl<R: Runtime> Map for ReclaimReset<R> {
    delegate!(insert, remove, get, len, clear, iterate, footprint);
    fn reclaim(&self) {
        let shared = &self.0.shared;
        let dead: Vec<Key> = {
            let st = shared.state.lock();
            if st.tombstones == 0 {
                return;
            }
            st.slots.iter().filter(|(_, s)| s.dead).map(|(k, _)| *k).collect()
        };
        let mut st = shared.state.lock();
        let st = &mut *st;
        for k in dead {
            if st.slots.get(&k).is_some_and(|s| s.dead) {
                st.slots.remove(&k);
            }
        }
        st.slots.shrink_to_fit();
        // The bug: tombstones made since the first section are forgotten.
        st.tombstones = 0;
    }
}

pub struct TombstoneReclaimReset;
impl Structure for TombstoneReclaimReset {
    type Map<R: Runtime> = ReclaimReset<R>;
    fn new<R: Runtime>() -> ReclaimReset<R> {
        ReclaimReset(Tombstone::new::<R>())
    }
    const INFO: StructureInfo = StructureInfo {
        name: "tombstone-reclaim-reset",
        mutant: Some(
            "a purge in two locked sections that resets its tombstone counter: a delete in between \
             leaves a tombstone nobody counts or purges (reclamation)",
        ),
        ..Tombstone::INFO
    };
}

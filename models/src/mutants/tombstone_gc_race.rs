//! The `tombstone-gc-race` mutant: a GC pass that removes a key reinserted after its tombstone (lost reinsert).

use crate::structures::tombstone::{Shared, Tombstone, TombstoneMap};
use mapcheck_harness::rt::Runtime;
use mapcheck_harness::{Key, Structure, StructureInfo};

/// The racy GC pass: collect the tombstoned keys under the lock, let go of it, then remove those keys
/// without checking that they are still tombstones, so a reinsert in between is thrown away.
pub fn racy_purge<R: Runtime>(shared: &Shared<R>) {
    let dead: Vec<Key> = {
        let st = shared.state.lock();
        st.slots.iter().filter(|(_, s)| s.dead).map(|(k, _)| *k).collect()
    };
    let mut st = shared.state.lock();
    let st = &mut *st;
    for k in dead {
        if let Some(s) = st.slots.remove(&k) {
            if s.dead {
                st.tombstones -= 1;
            } else {
                st.live -= 1;
            }
        }
    }
    st.completed = st.requested;
    shared.wake.notify_all();
}

pub struct TombstoneGcRace;
impl Structure for TombstoneGcRace {
    type Map<R: Runtime> = TombstoneMap<R>;
    fn new<R: Runtime>() -> TombstoneMap<R> {
        TombstoneMap::with_gc(racy_purge::<R>)
    }
    const INFO: StructureInfo = StructureInfo {
        name: "tombstone-gc-race",
        mutant: Some("a GC pass that removes a key reinserted after its tombstone (lost reinsert)"),
        ..Tombstone::INFO
    };
}

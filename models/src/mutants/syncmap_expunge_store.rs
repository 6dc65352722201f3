//! The `syncmap-expunge-store` mutant: sync.Map's `tryExpungeLocked` as a load and a store instead
//! of a compare-and-swap, so a `Store` racing through the read map is overwritten.

use crate::structures::syncmap::{Entry, SyncMap, Syncmap, EXPUNGED, NIL};
use mapcheck_harness::rt::{AtomicUsizeOps, Runtime};
use mapcheck_harness::{Structure, StructureInfo};
use std::sync::atomic::Ordering::SeqCst;

/// The racy expunge: a deleted (nil) entry is marked expunged with a plain store after the load
/// that saw it nil. A `Store` of the same key through the read map (lock-free: it only refuses an
/// expunged entry) that lands between the two puts its value in the entry, and the store of
/// expunged then throws the value away: the entry is left out of the new dirty map and reads as
/// deleted, though the `Store` returned.
pub fn racy_expunge<R: Runtime>(e: &Entry<R>) -> bool {
    let p = e.p.load(SeqCst);
    if p == NIL {
        e.p.store(EXPUNGED, SeqCst);
        return true;
    }
    p == EXPUNGED
}

pub struct SyncmapExpungeStore;
impl Structure for SyncmapExpungeStore {
    type Map<R: Runtime> = SyncMap<R>;
    fn new<R: Runtime>() -> SyncMap<R> {
        let mut m = Syncmap::new::<R>();
        m.expunge = racy_expunge::<R>;
        m
    }
    const INFO: StructureInfo = StructureInfo {
        name: "syncmap-expunge-store",
        mutant: Some(
            "expunging a deleted entry with a load and a store instead of compare-and-swap \
             overwrites a store that races through the read map (lost insert)",
        ),
        ..Syncmap::INFO
    };
}

//! The `syncmap-nopurge` mutant: a sync.Map whose promotion never purges expunged entries (stale entries pile up).

use super::delegate;
use crate::structures::syncmap::{SyncMap, Syncmap};
use mapcheck_harness::rt::Runtime;
use mapcheck_harness::{Footprint, Key, Map, Structure, StructureInfo, Value};
use std::ops::ControlFlow;

/// `syncmap-nopurge`: the reclamation step only promotes the dirty map, so deleted entries stay in
/// the read map as nil or expunged for as long as nobody stores the key again.
pub struct NoPurge<R: Runtime>(SyncMap<R>);

impl<R: Runtime> Map for NoPurge<R> {
    delegate!(insert, remove, get, len, clear, iterate, footprint);
    fn reclaim(&self) {
        self.0.promote_only()
    }
}

pub struct SyncmapNoPurge;
impl Structure for SyncmapNoPurge {
    type Map<R: Runtime> = NoPurge<R>;
    fn new<R: Runtime>() -> NoPurge<R> {
        NoPurge(Syncmap::new::<R>())
    }
    const INFO: StructureInfo = StructureInfo {
        name: "syncmap-nopurge",
        mutant: Some("a sync.Map whose promotion never purges expunged entries (stale entries pile up)"),
        ..Syncmap::INFO
    };
}

//! The `rebuild-clear-inversion` mutant: a clear that takes the storage lock before the outer lock,
//! the reverse of every other operation (a lock-order inversion: deadlock).

use super::delegate;
use crate::structures::rebuild::{Rebuild, RebuildMap, Storage};
use mapcheck_harness::rt::Runtime;
use mapcheck_harness::{Footprint, Key, Map, Structure, StructureInfo, Value};
use std::ops::ControlFlow;

/// `rebuild-clear-inversion`: clear empties the current storage under its lock and then, still
/// holding it, takes the outer lock for writing to swap in fresh storage (to give the old table's
/// memory back at once). Every single-key operation takes the outer lock for reading first and the
/// storage lock second, so an insert that holds the outer lock and waits for the storage lock,
/// while the clear holds the storage lock and waits for the outer one, waits forever.
pub struct ClearInversion<R: Runtime>(RebuildMap<R>);

impl<R: Runtime> Map for ClearInversion<R> {
    delegate!(insert, remove, get, len, iterate, reclaim, footprint);
    fn clear(&self) {
        let storage = self.0.current.read().clone();
        let mut entries = storage.map.lock();
        entries.clear();
        // The bug: the outer lock is taken while the storage lock is held.
        *self.0.current.write() = Storage::fresh();
        drop(entries);
    }
}

pub struct RebuildClearInversion;
impl Structure for RebuildClearInversion {
    type Map<R: Runtime> = ClearInversion<R>;
    fn new<R: Runtime>() -> ClearInversion<R> {
        ClearInversion(Rebuild::new::<R>())
    }
    const INFO: StructureInfo = StructureInfo {
        name: "rebuild-clear-inversion",
        mutant: Some(
            "a clear that holds the storage lock while it takes the outer lock, the reverse of every \
             single-key operation (deadlock)",
        ),
        ..Rebuild::INFO
    };
}

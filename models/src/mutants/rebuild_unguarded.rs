//! The `rebuild-unguarded` mutant: a rebuild that swaps the storage without excluding writers (lost insert or delete).

use super::delegate;
use crate::structures::rebuild::{Rebuild, RebuildMap};
use mapcheck_harness::rt::Runtime;
use mapcheck_harness::{Footprint, Key, Map, Structure, StructureInfo, Value};
use std::ops::ControlFlow;

/// `rebuild-unguarded`: writers take the current storage and let go of the outer lock before they
/// write, so a rebuild can swap the storage out from under them and their write is lost.
pub struct Unguarded<R: Runtime>(RebuildMap<R>);

impl<R: Runtime> Map for Unguarded<R> {
    delegate!(get, len, clear, iterate, reclaim, footprint);
    fn insert(&self, k: Key, v: Value) -> Option<Value> {
        let storage = self.0.current.read().clone();
        let prev = storage.map.lock().insert(k, v);
        prev
    }
    fn remove(&self, k: Key) -> Option<Value> {
        let storage = self.0.current.read().clone();
        let removed = storage.map.lock().remove(&k);
        removed
    }
}

pub struct RebuildUnguarded;
impl Structure for RebuildUnguarded {
    type Map<R: Runtime> = Unguarded<R>;
    fn new<R: Runtime>() -> Unguarded<R> {
        Unguarded(Rebuild::new::<R>())
    }
    const INFO: StructureInfo = StructureInfo {
        name: "rebuild-unguarded",
        mutant: Some("a rebuild that swaps the storage without excluding writers (lost insert or delete)"),
        ..Rebuild::INFO
    };
}

//! `rebuild` (S7): a map that replaces its storage with a fresh one once it is drained.
//!
//! Deleting from a hash map never shrinks its table, so the fix in the incident reports is to swap
//! in a freshly made map once the old one is empty. Every write holds the outer lock for reading
//! while it changes the storage, and the swap takes the outer lock for writing, so no write can land
//! in storage that is being thrown away (the lost insert the reports describe). Readers that cloned
//! the old storage keep it alive until they are done.

use super::{entries, table_footprint, visit_all, DetMap};
use mapcheck_harness::rt::{Arc, Mutex, Runtime, RwLock};
use mapcheck_harness::{
    Footprint, IterationGuarantee, Key, Map, ReclamationPolicy, Structure, StructureInfo, Value,
};
use std::ops::ControlFlow;

/// Storage whose table has grown past this many slots is rebuilt as soon as it is empty.
pub const REBUILD_ABOVE: usize = 16;

pub struct Storage<R: Runtime> {
    pub map: Mutex<R, DetMap>,
}

impl<R: Runtime> Storage<R> {
    pub fn fresh() -> Arc<R, Storage<R>> {
        Arc::new(Storage {
            map: Mutex::new(DetMap::default()),
        })
    }
}

pub struct RebuildMap<R: Runtime> {
    pub current: RwLock<R, Arc<R, Storage<R>>>,
}

impl<R: Runtime> RebuildMap<R> {
    /// Swaps in fresh storage if the current one is empty and, unless `always`, oversized.
    fn rebuild_if_drained(&self, always: bool) {
        let mut cur = self.current.write();
        let drained = {
            let m = cur.map.lock();
            m.is_empty() && (always || m.capacity() > REBUILD_ABOVE)
        };
        if drained {
            *cur = Storage::fresh();
        }
    }
}

impl<R: Runtime> Map for RebuildMap<R> {
    fn insert(&self, key: Key, value: Value) -> Option<Value> {
        let cur = self.current.read();
        let prev = cur.map.lock().insert(key, value);
        prev
    }
    fn remove(&self, key: Key) -> Option<Value> {
        let (removed, drained) = {
            let cur = self.current.read();
            let mut m = cur.map.lock();
            let r = m.remove(&key);
            (r, m.is_empty() && m.capacity() > REBUILD_ABOVE)
        };
        if drained {
            self.rebuild_if_drained(false);
        }
        removed
    }
    fn get(&self, key: Key) -> Option<Value> {
        let cur = self.current.read();
        let v = cur.map.lock().get(&key).copied();
        v
    }
    fn len(&self) -> usize {
        let cur = self.current.read();
        let n = cur.map.lock().len();
        n
    }
    fn clear(&self) {
        *self.current.write() = Storage::fresh();
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        let storage = self.current.read().clone();
        let copy = entries(&storage.map.lock());
        drop(storage);
        visit_all(copy, visit);
    }
    /// Rebuilds if drained, whatever the table's size.
    fn reclaim(&self) {
        self.rebuild_if_drained(true)
    }
    fn footprint(&self) -> Footprint {
        let cur = self.current.read();
        let f = table_footprint(&cur.map.lock());
        f
    }
}

pub struct Rebuild;

impl Structure for Rebuild {
    type Map<R: Runtime> = RebuildMap<R>;
    fn new<R: Runtime>() -> RebuildMap<R> {
        RebuildMap {
            current: RwLock::new(Storage::fresh()),
        }
    }
    const INFO: StructureInfo = StructureInfo {
        name: "rebuild",
        summary: "a locked HashMap swapped for a fresh one once drained, writers excluded by the swap",
        iteration: IterationGuarantee::Snapshot,
        reclamation: ReclamationPolicy::RebuiltWhenDrained,
        atomic_whole_map: true,
        unsynchronised: false,
        mutant: None,
    };
}

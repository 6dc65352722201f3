//! The `syncmap-stale-delete` mutant: sync.Map's `LoadAndDelete` that, once it holds the lock,
//! does not look at the read map again, so a promotion that ran while it waited makes it miss.

use super::delegate;
use crate::structures::syncmap::{SyncMap, Syncmap};
use mapcheck_harness::rt::Runtime;
use mapcheck_harness::{Footprint, Key, Map, Structure, StructureInfo, Value};
use std::ops::ControlFlow;

/// `syncmap-stale-delete`: `LoadAndDelete`'s slow path trusts the read map it loaded before taking
/// the lock. Go's code loads it again under the lock ("avoid reporting a spurious miss if the dirty
/// map got promoted while we were blocked"); without that second look, a key that was only in the
/// dirty map when the delete started, and that another goroutine's promotion moved into the read
/// map while the delete waited for the lock, is looked for in the dirty map, which the promotion
/// emptied: the delete reports the key absent and leaves it in the map.
pub struct StaleDelete<R: Runtime>(SyncMap<R>);

impl<R: Runtime> Map for StaleDelete<R> {
    delegate!(insert, get, len, clear, iterate, reclaim, footprint);
    fn remove(&self, key: Key) -> Option<Value> {
        let m = &self.0;
        match m.delete_in_read(key) {
            Ok(v) => return v,
            Err(false) => return None,
            Err(true) => {}
        }
        let mut g = m.mu.lock();
        // The bug: no second look at the read map under the lock; the key is looked for in the
        // dirty map, if there still is one, as if the read map were still the one loaded above.
        let e = match g.dirty.as_mut() {
            Some(d) => {
                let e = d.remove(&key);
                m.miss_locked(&mut g);
                e
            }
            None => None,
        };
        m.unlock(g);
        e?.delete()
    }
}

pub struct SyncmapStaleDelete;
impl Structure for SyncmapStaleDelete {
    type Map<R: Runtime> = StaleDelete<R>;
    fn new<R: Runtime>() -> StaleDelete<R> {
        StaleDelete(Syncmap::new::<R>())
    }
    const INFO: StructureInfo = StructureInfo {
        name: "syncmap-stale-delete",
        mutant: Some(
            "a delete that waited for the lock while a promotion moved its key into the read map \
             looks for it in the emptied dirty map and leaves it (lost delete)",
        ),
        ..Syncmap::INFO
    };
}

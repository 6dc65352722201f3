//! The `locked-iterlock` mutant: deleting while an iteration holds the read lock takes the write lock under it: deadlock.

use super::delegate;
use crate::structures::locked::{Locked, LockedMap};
use mapcheck_harness::rt::Runtime;
use mapcheck_harness::{Footprint, Key, Map, Structure, StructureInfo, Value};
use std::ops::ControlFlow;

/// `locked-iterlock`: iteration visits while holding the read lock, so a visitor that deletes
/// (Go's `for k := range m { delete(m, k) }` under an RWMutex) waits for the write lock forever.
pub struct IterLock<R: Runtime>(LockedMap<R>);

impl<R: Runtime> Map for IterLock<R> {
    delegate!(insert, remove, get, len, clear, reclaim, footprint);
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        let g = self.0.inner.read();
        for (k, v) in g.iter() {
            if visit(*k, *v).is_break() {
                break;
            }
        }
    }
}

pub struct LockedIterLock;
impl Structure for LockedIterLock {
    type Map<R: Runtime> = IterLock<R>;
    fn new<R: Runtime>() -> IterLock<R> {
        IterLock(Locked::new::<R>())
    }
    const INFO: StructureInfo = StructureInfo {
        name: "locked-iterlock",
        mutant: Some(
            "deleting while an iteration holds the read lock takes the write lock under it: deadlock",
        ),
        ..Locked::INFO
    };
}

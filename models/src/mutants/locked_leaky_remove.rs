//! The `locked-leaky-remove` mutant: a remove that unlinks an entry without freeing it.

use super::delegate;
use crate::structures::locked::{Locked, LockedMap};
use mapcheck_harness::rt::Runtime;
use mapcheck_harness::{Footprint, Key, Map, Structure, StructureInfo, Value};
use std::ops::ControlFlow;

/// `locked-leaky-remove`: remove unlinks the entry and leaks a copy of it.
pub struct LeakyRemove<R: Runtime>(LockedMap<R>);

impl<R: Runtime> Map for LeakyRemove<R> {
    delegate!(insert, get, len, clear, iterate, reclaim, footprint);
    fn remove(&self, k: Key) -> Option<Value> {
        let removed = self.0.remove(k);
        if let Some(v) = removed {
            std::hint::black_box(Box::leak(Box::new(v)));
        }
        removed
    }
}

pub struct LockedLeakyRemove;
impl Structure for LockedLeakyRemove {
    type Map<R: Runtime> = LeakyRemove<R>;
    fn new<R: Runtime>() -> LeakyRemove<R> {
        LeakyRemove(Locked::new::<R>())
    }
    const INFO: StructureInfo = StructureInfo {
        name: "locked-leaky-remove",
        mutant: Some("a remove that unlinks an entry without freeing it"),
        ..Locked::INFO
    };
}

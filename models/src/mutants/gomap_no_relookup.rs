//! The `gomap-no-relookup` mutant: Go's `mapiternext` without `mapaccessK`. When the table has
//! grown since the iteration started, an iterator walking an evacuated old bucket must look each
//! key up again in the current table, because the key may have been deleted or updated since it
//! moved; this iterator yields the entry as the old bucket still holds it instead.
//!
//! The iteration then produces an entry removed before the iteration reached it, or a value
//! overwritten before its visit: the Go spec's per-visit rules, which the iteration oracle judges
//! with the position of each visit. Over the whole iteration the stale value was current at its
//! start, so a whole-window judgement cannot tell.

use super::delegate;
use crate::structures::gomap::{GoMap, Gomap};
use mapcheck_harness::rt::Runtime;
use mapcheck_harness::{Footprint, Key, Map, Structure, StructureInfo, Value};
use std::ops::ControlFlow;

/// `gomap` whose iterator trusts evacuated old buckets.
pub struct NoRelookup<R: Runtime>(GoMap<R>);

impl<R: Runtime> Map for NoRelookup<R> {
    delegate!(insert, remove, get, len, clear, reclaim, footprint);
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        let Some(mut it) = self.0.iter_init() else {
            return;
        };
        while let Some((k, v)) = self.0.iter_next::<false>(&mut it) {
            if visit(k, v).is_break() {
                break;
            }
        }
    }
}

pub struct GomapNoRelookup;

impl Structure for GomapNoRelookup {
    type Map<R: Runtime> = NoRelookup<R>;
    fn new<R: Runtime>() -> NoRelookup<R> {
        NoRelookup(Gomap::new::<R>())
    }
    const INFO: StructureInfo = StructureInfo {
        name: "gomap-no-relookup",
        summary: "gomap whose iterator does not look entries up again after the table grew",
        mutant: Some("mapiternext without mapaccessK: an entry deleted or updated after it was evacuated is yielded from the old bucket (iteration, per visit)"),
        ..Gomap::INFO
    };
}

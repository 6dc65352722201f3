//! The `pooled-lost-push` mutant: `pooled` whose free list pushes without compare-and-swap, so of
//! two removers freeing nodes at once one node is lost (a leak that needs an interleaving).

use crate::structures::pooled::{Faults, Pooled, PooledMap};
use mapcheck_harness::rt::Runtime;
use mapcheck_harness::{Structure, StructureInfo};

/// `pooled-lost-push`: freeing a node puts it on the free list by loading the head, linking the
/// node to it and storing the node as the new head. Two removers that free their nodes at once both
/// link to the same old head, and the second store overwrites the first: that node is in no slot and
/// not in the free list, so neither remover's free took effect and nobody frees it when the map is
/// dropped (the leak oracle: bytes not returned).
pub struct PooledLostPush;
impl Structure for PooledLostPush {
    type Map<R: Runtime> = PooledMap<R>;
    fn new<R: Runtime>() -> PooledMap<R> {
        PooledMap::with_faults(Faults {
            racy_push: true,
            ..Faults::default()
        })
    }
    const INFO: StructureInfo = StructureInfo {
        name: "pooled-lost-push",
        mutant: Some(
            "a free-list push without compare-and-swap: of two removers freeing nodes at once, one \
             node ends up nowhere and is never freed (leak)",
        ),
        ..Pooled::INFO
    };
}

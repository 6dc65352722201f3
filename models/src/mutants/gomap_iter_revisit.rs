//! The `gomap-iter-revisit` mutant: `gomap-locked` whose iterator follows the map's current table
//! instead of the one it started on, so a grow during the iteration makes it visit evacuated
//! entries again (a key yielded twice) or miss some.

use crate::structures::gomap::{GoMap, GomapLocked, LockedGoMap};
use mapcheck_harness::rt::Runtime;
use mapcheck_harness::{Structure, StructureInfo};

/// `gomap-iter-revisit`: Go's `hiter` keeps `B` and `buckets` from `mapiterinit` and walks that
/// table to the end, re-finding entries that moved (`mapaccessK`). This iterator instead takes the
/// map's current `B` and bucket array each time it moves to the next bucket. When another goroutine's
/// insert grows the table between two steps, the iterator walks the doubled table from where it
/// was: the buckets past the old size hold the entries evacuated from buckets it already walked, so
/// their keys are yielded again, and where its start bucket makes it stop early, keys are skipped.
pub struct GomapIterRevisit;
impl Structure for GomapIterRevisit {
    type Map<R: Runtime> = LockedGoMap<R>;
    fn new<R: Runtime>() -> LockedGoMap<R> {
        let mut m = GoMap::new();
        m.iter_revisits = true;
        LockedGoMap::around(m)
    }
    const INFO: StructureInfo = StructureInfo {
        name: "gomap-iter-revisit",
        mutant: Some(
            "an iterator that follows the current table instead of its own: a grow during the \
             iteration makes it walk evacuated entries again (key yielded twice)",
        ),
        ..GomapLocked::INFO
    };
}

//! The `pooled-aba` mutant: `pooled` with entry words that carry no generation, so a remove's
//! compare-and-swap succeeds on a node that was removed and reinserted meanwhile (ABA).

use crate::structures::pooled::{Faults, Pooled, PooledMap};
use mapcheck_harness::rt::Runtime;
use mapcheck_harness::{Structure, StructureInfo};

/// `pooled-aba`: a remove loads the word of key k (node n, value a), reads a, and clears the slot
/// by compare-and-swap. Meanwhile another thread removes k (n goes back to the free list) and
/// reinserts it with value b, which takes n off the free list again: the word is the same as before,
/// since it names only the node. The first remove's compare-and-swap succeeds: it takes out b and
/// returns a, which the other remove already took out (exactly-once delete), and b is gone.
pub struct PooledAba;
impl Structure for PooledAba {
    type Map<R: Runtime> = PooledMap<R>;
    fn new<R: Runtime>() -> PooledMap<R> {
        PooledMap::with_faults(Faults {
            untagged: true,
            ..Faults::default()
        })
    }
    const INFO: StructureInfo = StructureInfo {
        name: "pooled-aba",
        mutant: Some(
            "entry words without a generation: a remove racing a remove and reinsert that recycle \
             its node takes out the new value and returns the old one (ABA, exactly-once delete)",
        ),
        ..Pooled::INFO
    };
}

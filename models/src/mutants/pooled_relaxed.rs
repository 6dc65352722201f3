//! The `pooled-relaxed` mutant: `pooled` writing and publishing a new node with relaxed ordering,
//! a memory-ordering bug that only weak memory shows (loom catches it, shuttle cannot).

use crate::structures::pooled::{Faults, Pooled, PooledMap};
use mapcheck_harness::rt::Runtime;
use mapcheck_harness::{Structure, StructureInfo};

/// `pooled-relaxed`: `insert` stores the value in its node and swaps the node's word into the slot,
/// both with `Relaxed` ordering. Nothing then orders the value before the word for another thread: a
/// `get` that sees the new word may still read the node's previous value (the initial 0 of a fresh
/// node, or a recycled node's old value), a value the key never held. Every interleaving of
/// sequentially consistent steps is correct, so schedulers that run one thread at a time with
/// every write visible at once (shuttle, the sequential engine) never see it; loom explores the
/// stale reads the memory model allows.
pub struct PooledRelaxed;
impl Structure for PooledRelaxed {
    type Map<R: Runtime> = PooledMap<R>;
    fn new<R: Runtime>() -> PooledMap<R> {
        PooledMap::with_faults(Faults {
            relaxed_publish: true,
            ..Faults::default()
        })
    }
    const INFO: StructureInfo = StructureInfo {
        name: "pooled-relaxed",
        mutant: Some(
            "a node written and published with relaxed ordering: a reader on another thread sees \
             the new entry but the node's old value (memory ordering; loom only)",
        ),
        ..Pooled::INFO
    };
    // Shuttle's executions are sequentially consistent: the bug is out of its reach (n/a there).
    const WEAK_MEMORY_ONLY: bool = true;
}

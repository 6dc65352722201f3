//! The `slots-relaxed-publish` mutant: `slots` publishing each freshly allocated chunk (and
//! overflow table) with a `Relaxed` compare-and-swap instead of a `SeqCst` one.
//!
//! The chunk's atomics are initialised before the compare-and-swap, but a `Relaxed` store releases
//! nothing: a thread that loads the new pointer does not synchronise with the allocating thread, so
//! its accesses to the chunk's atomics are not ordered after their initialisation. Only loom sees
//! it (it reports the causality violation as a data race); shuttle runs sequentially consistent
//! executions, and on x86-64 a compare-and-swap is a full barrier whatever its ordering.
//!
//! The race needs two operations that overlap: the allocating insert, and a concurrent operation
//! that finds the chunk before that insert returns (once it has returned, the history's ordering
//! points order every later operation after it; see ARCHITECTURE.md). It needs two threads and a
//! chunk allocated during the run: `delete-during-iteration` (an insert into a fresh chunk racing
//! the iteration) and `churn` (two threads' key ranges meeting in one chunk) reach it.

use crate::structures::slots::{Publication, SlotsMap, CHUNK};
use mapcheck_harness::rt::{Ordering, Runtime};
use mapcheck_harness::{IterationGuarantee, ReclamationPolicy, Structure, StructureInfo};

/// The mistake: a `Relaxed` publication.
pub struct RelaxedPublication;

impl Publication for RelaxedPublication {
    const ORDER: Ordering = Ordering::Relaxed;
}

/// Mutant of `slots`: chunks and overflow tables published with `Relaxed`.
pub struct SlotsRelaxedPublish;

impl Structure for SlotsRelaxedPublish {
    type Map<R: Runtime> = SlotsMap<R, RelaxedPublication>;
    fn new<R: Runtime>() -> SlotsMap<R, RelaxedPublication> {
        SlotsMap::default()
    }
    const WEAK_MEMORY_ONLY: bool = true;
    const INFO: StructureInfo = StructureInfo {
        name: "slots-relaxed-publish",
        summary: "slots publishing fresh chunks with a Relaxed compare-and-swap",
        iteration: IterationGuarantee::WeaklyConsistent,
        reclamation: ReclamationPolicy::KeySlotsRetained { factor: CHUNK },
        atomic_whole_map: false,
        unsynchronised: false,
        mutant: Some("a fresh chunk published with a Relaxed compare-and-swap: a thread that finds it through the pointer touches its atomics before their initialisation happened-before it (data race, loom only)"),
    };
}

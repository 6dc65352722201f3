//! The `cow-nocas` mutant: copy-on-write that publishes with a plain store instead of
//! compare-and-swap, a const parameter of the correct `cow`.

use crate::structures::cow::{new_cow, CowMap};
use mapcheck_harness::rt::Runtime;
use mapcheck_harness::{IterationGuarantee, ReclamationPolicy, Structure, StructureInfo};

/// Mutant of `cow`: publishes with a plain store instead of compare-and-swap.
pub struct CowNoCas;

impl Structure for CowNoCas {
    type Map<R: Runtime> = CowMap<R, false>;
    fn new<R: Runtime>() -> CowMap<R, false> {
        new_cow()
    }
    const INFO: StructureInfo = StructureInfo {
        name: "cow-nocas",
        summary: "copy-on-write that stores the new snapshot without compare-and-swap",
        iteration: IterationGuarantee::Snapshot,
        reclamation: ReclamationPolicy::OneSnapshotRetained,
        atomic_whole_map: true,
        unsynchronised: false,
        mutant: Some("a writer that loads, clones and stores without CAS overwrites a concurrent writer's change (lost delete / lost insert)"),
    };
}

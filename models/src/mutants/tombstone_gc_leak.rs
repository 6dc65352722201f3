//! The `tombstone-gc-leak` mutant: a GC thread that is never stopped when the map is dropped.

use crate::structures::tombstone::{Tombstone, TombstoneMap};
use mapcheck_harness::rt::Runtime;
use mapcheck_harness::{Ops, Structure, StructureInfo};

/// `tombstone-gc-leak`: dropping the map does not stop its GC thread (the goroutine leak of the
/// reports: a cleanup loop nobody cancels).
pub struct TombstoneGcLeak;
impl Structure for TombstoneGcLeak {
    type Map<R: Runtime> = TombstoneMap<R>;
    fn new<R: Runtime>() -> TombstoneMap<R> {
        let mut m = Tombstone::new::<R>();
        m.stop_on_drop = false;
        m
    }
    const SUPPORTS: Ops = Tombstone::SUPPORTS;
    const INFO: StructureInfo = StructureInfo {
        name: "tombstone-gc-leak",
        mutant: Some("a GC thread that is never stopped when the map is dropped"),
        ..Tombstone::INFO
    };
}

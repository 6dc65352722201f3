//! The `locked-noshrink` mutant: a reclamation step that never shrinks the table after deletes.

use super::delegate;
use crate::structures::locked::{Locked, LockedMap};
use mapcheck_harness::rt::Runtime;
use mapcheck_harness::{Footprint, Key, Map, Structure, StructureInfo, Value};
use std::ops::ControlFlow;

/// `locked-noshrink`: declares that it shrinks with its live entries, but its reclamation step does
/// nothing, so a map drained after a peak keeps the peak's table (the reports' "maps never shrink").
pub struct NoShrink<R: Runtime>(LockedMap<R>);

impl<R: Runtime> Map for NoShrink<R> {
    delegate!(insert, remove, get, len, clear, iterate, footprint);
    fn reclaim(&self) {}
}

pub struct LockedNoShrink;
impl Structure for LockedNoShrink {
    type Map<R: Runtime> = NoShrink<R>;
    fn new<R: Runtime>() -> NoShrink<R> {
        NoShrink(Locked::new::<R>())
    }
    const INFO: StructureInfo = StructureInfo {
        name: "locked-noshrink",
        mutant: Some("a reclamation step that never shrinks the table after deletes"),
        ..Locked::INFO
    };
}

//! The structures under test, one file each, and the registry that names them.

pub mod cow;
pub mod gomap;
pub mod locked;
pub mod pooled;
pub mod rebuild;
pub mod sharded;
pub mod slots;
pub mod syncmap;
pub mod tombstone;

use mapcheck_harness::{Footprint, Key, Value};
use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::ops::ControlFlow;

/// A `HashMap` with a fixed hasher: the same operations give the same iteration order in every
/// run, which loom's and shuttle's replay need (a per-instance random seed would not replay).
pub type DetMap = HashMap<Key, Value, BuildHasherDefault<DefaultHasher>>;

/// A copy of a map's entries, taken while the caller holds its lock; [`visit_all`] then visits it
/// with no lock held, so the visitor may call back into the map.
pub(crate) fn entries(m: &DetMap) -> Vec<(Key, Value)> {
    m.iter().map(|(k, v)| (*k, *v)).collect()
}

/// Visits `entries` in order until the visitor stops; returns false if it stopped early.
pub(crate) fn visit_all(
    entries: Vec<(Key, Value)>,
    visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>,
) -> bool {
    entries.into_iter().all(|(k, v)| visit(k, v).is_continue())
}

/// The footprint of one plain table: its live entries and slot capacity.
pub(crate) fn table_footprint(m: &DetMap) -> Footprint {
    Footprint {
        live: m.len(),
        stale: 0,
        snapshots: 1,
        capacity: m.capacity(),
        bytes: m.capacity() * std::mem::size_of::<(Key, Value)>(),
    }
}

/// A small deterministic generator for the structures' own tests.
#[cfg(test)]
pub(crate) struct TestRng(pub u64);

#[cfg(test)]
impl TestRng {
    pub(crate) fn next(&mut self) -> u64 {
        mapcheck_harness::engine::splitmix(&mut self.0)
    }
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

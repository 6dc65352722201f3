//! The structures under test, one file each, and the registry that names them.

pub mod cow;
pub mod gomap;
pub mod locked;
pub mod mutants;
pub mod rebuild;
pub mod sharded;
pub mod syncmap;
pub mod tombstone;

use mapcheck_harness::{Key, Value};
use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

/// A `HashMap` with a fixed hasher: the same operations give the same iteration order in every
/// run, which loom's and shuttle's replay need (a per-instance random seed would not replay).
pub type DetMap = HashMap<Key, Value, BuildHasherDefault<DefaultHasher>>;

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

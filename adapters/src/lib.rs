//! Adapters that plug third-party concurrent maps into mapcheck's real-thread engine: `dashmap`,
//! `papaya`, `scc::HashMap`, `flurry`, and `std::sync::Mutex<HashMap>` as the baseline, plus
//! deliberately broken adapters that show the engine catches what it should.
//!
//! Each adapter implements [`mapcheck_harness::Map`] over the crate's API and
//! [`mapcheck_harness::adapter::Adapter`] for the crate's documented guarantees and its deferred
//! reclamation ([`settle`] holds the steps for common epoch crates). [`structures`] lists them as
//! registry entries; the `mapcheck` command line always includes them.

pub mod broken;
pub mod dashmap;
pub mod flurry;
pub mod mutex;
pub mod papaya;
pub mod scc;
pub mod settle;

use mapcheck_harness::adapter::Adapted;
use mapcheck_harness::Entry;
use mapcheck_harness::{Key, Value};
use std::collections::hash_map::DefaultHasher;
use std::hash::BuildHasherDefault;
use std::ops::ControlFlow;

/// A fixed hasher, so that the same operations lay a map out the same way in every run.
pub type Fixed = BuildHasherDefault<DefaultHasher>;

/// Every adapter, correct ones first, then the broken ones with the models built to catch them.
pub fn structures() -> Vec<Entry> {
    vec![
        Entry::of::<Adapted<mutex::MutexHashMap>>(),
        Entry::of::<Adapted<dashmap::DashMapAdapter>>(),
        Entry::of::<Adapted<papaya::PapayaAdapter>>(),
        Entry::of::<Adapted<scc::SccAdapter>>(),
        Entry::of::<Adapted<flurry::FlurryAdapter>>(),
        Entry::targeted::<Adapted<broken::FakeRemove>>(&["concurrent-delete"]),
        Entry::targeted::<Adapted<broken::DashMapRemoveInIter>>(&["delete-during-iteration"]),
    ]
}

/// Visits a copy of a map's entries, taken through the crate's own iteration, with no lock of the
/// crate held: the visitor may remove the key it visits.
pub(crate) fn visit_copy(copy: Vec<(Key, Value)>, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
    for (k, v) in copy {
        if visit(k, v).is_break() {
            break;
        }
    }
}

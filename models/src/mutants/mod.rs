//! Mutants: deliberately buggy structures, one module each, each planting one hazard from the
//! incident reports and caught by the models named for it in the registry (`crate::structures()`);
//! the tests in `models/tests/mutants.rs` assert each catch.

mod cow_nocas;
mod gomap_no_relookup;
mod locked_iterlock;
mod locked_leaky_remove;
mod locked_noshrink;
mod locked_racy_remove;
mod rebuild_unguarded;
mod sharded_clear_skips;
mod sharded_misroute;
mod slots_relaxed_publish;
mod syncmap_nopurge;
mod tombstone_gc_leak;
mod tombstone_gc_race;

pub use cow_nocas::CowNoCas;
pub use gomap_no_relookup::{GomapNoRelookup, NoRelookup};
pub use locked_iterlock::{IterLock, LockedIterLock};
pub use locked_leaky_remove::{LeakyRemove, LockedLeakyRemove};
pub use locked_noshrink::{LockedNoShrink, NoShrink};
pub use locked_racy_remove::{LockedRacyRemove, RacyRemove};
pub use rebuild_unguarded::{RebuildUnguarded, Unguarded};
pub use sharded_clear_skips::{ClearSkips, ShardedClearSkips};
pub use sharded_misroute::{Misroute, ShardedMisroute};
pub use slots_relaxed_publish::{RelaxedPublication, SlotsRelaxedPublish};
pub use syncmap_nopurge::{NoPurge, SyncmapNoPurge};
pub use tombstone_gc_leak::TombstoneGcLeak;
pub use tombstone_gc_race::{racy_purge, TombstoneGcRace};

/// Implements the `Map` methods a mutant does not change by calling the correct structure in `.0`.
macro_rules! delegate {
    ($($m:ident),*) => {$(delegate!(@one $m);)*};
    (@one insert) => { fn insert(&self, k: Key, v: Value) -> Option<Value> { self.0.insert(k, v) } };
    (@one remove) => { fn remove(&self, k: Key) -> Option<Value> { self.0.remove(k) } };
    (@one get) => { fn get(&self, k: Key) -> Option<Value> { self.0.get(k) } };
    (@one len) => { fn len(&self) -> usize { self.0.len() } };
    (@one clear) => { fn clear(&self) { self.0.clear() } };
    (@one iterate) => {
        fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) { self.0.iterate(visit) }
    };
    (@one reclaim) => { fn reclaim(&self) { self.0.reclaim() } };
    (@one footprint) => { fn footprint(&self) -> Footprint { self.0.footprint() } };
}
pub(crate) use delegate;

//! Mutants: deliberately buggy structures, one module each, each planting one hazard from the
//! incident reports and caught by the models named for it in the registry (`crate::structures()`);
//! the tests in `models/tests/mutants.rs` assert each catch.

mod cow_nocas;
mod gomap_iter_revisit;
mod gomap_no_relookup;
mod locked_iterlock;
mod locked_leaky_remove;
mod locked_noshrink;
mod locked_racy_get_or_insert;
mod locked_racy_insert;
mod locked_racy_remove;
mod locked_racy_retain;
mod pooled_aba;
mod pooled_lost_push;
mod pooled_relaxed;
mod rebuild_clear_inversion;
mod rebuild_unguarded;
mod sharded_clear_count;
mod sharded_clear_skips;
mod sharded_grow_race;
mod sharded_misroute;
mod sharded_racy_compare_delete;
mod sharded_racy_update;
mod sharded_torn_snapshot;
mod slots_relaxed_publish;
mod syncmap_expunge_store;
mod syncmap_stale_delete;
mod tombstone_gc_leak;
mod tombstone_gc_race;
mod tombstone_reclaim_reset;

pub use cow_nocas::CowNoCas;
pub use gomap_iter_revisit::GomapIterRevisit;
pub use gomap_no_relookup::{GomapNoRelookup, NoRelookup};
pub use locked_iterlock::{IterLock, LockedIterLock};
pub use locked_leaky_remove::{LeakyRemove, LockedLeakyRemove};
pub use locked_noshrink::{LockedNoShrink, NoShrink};
pub use locked_racy_get_or_insert::{LockedRacyGetOrInsert, RacyGetOrInsert};
pub use locked_racy_insert::{LockedRacyInsert, RacyInsert};
pub use locked_racy_remove::{LockedRacyRemove, RacyRemove};
pub use locked_racy_retain::{LockedRacyRetain, RacyRetain};
pub use pooled_aba::PooledAba;
pub use pooled_lost_push::PooledLostPush;
pub use pooled_relaxed::PooledRelaxed;
pub use rebuild_clear_inversion::{ClearInversion, RebuildClearInversion};
pub use rebuild_unguarded::{RebuildUnguarded, Unguarded};
pub use sharded_clear_count::{ClearCount, ShardedClearCount};
pub use sharded_clear_skips::{ClearSkips, ShardedClearSkips};
pub use sharded_grow_race::{GrowRace, ShardedGrowRace};
pub use sharded_misroute::{Misroute, ShardedMisroute};
pub use sharded_racy_compare_delete::{RacyCompareDelete, ShardedRacyCompareDelete};
pub use sharded_racy_update::{RacyUpdate, ShardedRacyUpdate};
pub use sharded_torn_snapshot::{ShardedTornSnapshot, TornSnapshot};
pub use slots_relaxed_publish::{RelaxedPublication, SlotsRelaxedPublish};
pub use syncmap_expunge_store::{racy_expunge, SyncmapExpungeStore};
pub use syncmap_stale_delete::{StaleDelete, SyncmapStaleDelete};
pub use tombstone_gc_leak::TombstoneGcLeak;
pub use tombstone_gc_race::{racy_purge, TombstoneGcRace};
pub use tombstone_reclaim_reset::{ReclaimReset, TombstoneReclaimReset};

use mapcheck_harness::Oracle;

/// The failure classes of the incident reports that the mutants plant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    LostDelete,
    LostInsert,
    ExactlyOnceDelete,
    Iteration,
    Reclamation,
    Leak,
    /// Deadlock (a lock-order inversion, a lock held across a callback).
    Liveness,
    /// A memory-ordering mistake only weak memory shows.
    MemoryOrdering,
}

impl std::fmt::Display for Class {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Class::LostDelete => "lost delete",
            Class::LostInsert => "lost insert",
            Class::ExactlyOnceDelete => "exactly-once delete",
            Class::Iteration => "iteration",
            Class::Reclamation => "reclamation",
            Class::Leak => "leak",
            Class::Liveness => "liveness",
            Class::MemoryOrdering => "memory ordering",
        })
    }
}

/// What a mutant is known to do: its failure class, the oracles that catch it on the models built
/// for it (the first of them is the one a report names most often), and whether the bug needs two
/// threads and an interleaving (a one-thread run cannot show it).
#[derive(Debug, Clone, Copy)]
pub struct Profile {
    pub name: &'static str,
    pub class: Class,
    pub oracles: &'static [Oracle],
    pub needs_interleaving: bool,
}

const fn profile(
    name: &'static str,
    class: Class,
    oracles: &'static [Oracle],
    needs_interleaving: bool,
) -> Profile {
    Profile {
        name,
        class,
        oracles,
        needs_interleaving,
    }
}

/// Every built-in mutant's profile, in the registry's order.
pub const PROFILES: &[Profile] = &[
    profile(
        "cow-nocas",
        Class::LostDelete,
        &[Oracle::LostDelete, Oracle::LostInsert],
        true,
    ),
    profile(
        "locked-racy-remove",
        Class::ExactlyOnceDelete,
        &[Oracle::ExactlyOnceDelete],
        true,
    ),
    profile("locked-iterlock", Class::Liveness, &[Oracle::Deadlock], false),
    profile(
        "sharded-misroute",
        Class::LostDelete,
        &[Oracle::LostDelete],
        false,
    ),
    profile(
        "tombstone-gc-race",
        Class::LostInsert,
        &[Oracle::LostInsert],
        true,
    ),
    profile(
        "rebuild-unguarded",
        Class::LostInsert,
        &[Oracle::LostInsert],
        true,
    ),
    profile("tombstone-gc-leak", Class::Leak, &[Oracle::Leak], false),
    profile("locked-leaky-remove", Class::Leak, &[Oracle::Leak], false),
    profile(
        "sharded-clear-skips",
        Class::LostDelete,
        &[Oracle::Linearizability, Oracle::LostDelete, Oracle::Iteration],
        false,
    ),
    profile(
        "locked-noshrink",
        Class::Reclamation,
        &[Oracle::Reclamation],
        false,
    ),
    profile(
        "syncmap-stale-delete",
        Class::LostDelete,
        &[Oracle::LostDelete],
        true,
    ),
    profile(
        "syncmap-expunge-store",
        Class::LostInsert,
        &[Oracle::LostInsert],
        true,
    ),
    profile(
        "pooled-aba",
        Class::ExactlyOnceDelete,
        &[Oracle::ExactlyOnceDelete],
        true,
    ),
    profile("gomap-iter-revisit", Class::Iteration, &[Oracle::Iteration], true),
    profile(
        "tombstone-reclaim-reset",
        Class::Reclamation,
        &[Oracle::Reclamation],
        true,
    ),
    profile("pooled-lost-push", Class::Leak, &[Oracle::Leak], true),
    profile(
        "rebuild-clear-inversion",
        Class::Liveness,
        &[Oracle::Deadlock],
        true,
    ),
    profile(
        "pooled-relaxed",
        Class::MemoryOrdering,
        &[Oracle::LostInsert, Oracle::Linearizability],
        true,
    ),
    profile(
        "slots-relaxed-publish",
        Class::MemoryOrdering,
        &[Oracle::DataRace],
        true,
    ),
    // Go's map is unsynchronised on purpose: its concurrent-write detector, or loom's data-race
    // detection, may fire before the iteration oracle does.
    profile(
        "gomap-no-relookup",
        Class::Iteration,
        &[Oracle::Iteration, Oracle::DataRace, Oracle::Panic],
        true,
    ),
    profile(
        "locked-racy-insert",
        Class::ExactlyOnceDelete,
        &[Oracle::ExactlyOnceDelete],
        true,
    ),
    profile(
        "sharded-torn-snapshot",
        Class::Iteration,
        &[Oracle::Linearizability],
        true,
    ),
    profile(
        "sharded-clear-count",
        Class::Iteration,
        &[Oracle::Iteration],
        true,
    ),
    profile(
        "sharded-grow-race",
        Class::LostDelete,
        &[Oracle::LostDelete, Oracle::LostInsert],
        true,
    ),
    // The compound operations' check-then-act races.
    profile(
        "locked-racy-get-or-insert",
        Class::LostInsert,
        &[Oracle::Linearizability],
        true,
    ),
    profile(
        "sharded-racy-update",
        Class::LostInsert,
        &[Oracle::ExactlyOnceDelete, Oracle::Linearizability],
        true,
    ),
    profile(
        "sharded-racy-compare-delete",
        Class::ExactlyOnceDelete,
        &[Oracle::ExactlyOnceDelete, Oracle::Linearizability],
        true,
    ),
    profile(
        "locked-racy-retain",
        Class::ExactlyOnceDelete,
        &[Oracle::ExactlyOnceDelete, Oracle::Linearizability],
        true,
    ),
];

/// The profile of the mutant named `name`.
pub fn profile_of(name: &str) -> Option<&'static Profile> {
    PROFILES.iter().find(|p| p.name == name)
}

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
    (@one get_or_insert) => {
        fn get_or_insert(&self, k: Key, v: Value) -> Option<Value> { self.0.get_or_insert(k, v) }
    };
    (@one compare_and_swap) => {
        fn compare_and_swap(&self, k: Key, old: Value, new: Value) -> bool { self.0.compare_and_swap(k, old, new) }
    };
    (@one compare_and_delete) => {
        fn compare_and_delete(&self, k: Key, old: Value) -> bool { self.0.compare_and_delete(k, old) }
    };
    (@one remove_if) => {
        fn remove_if(&self, k: Key, remove: &dyn Fn(Value) -> bool) -> Option<Value> { self.0.remove_if(k, remove) }
    };
    (@one update) => {
        fn update(&self, k: Key, modify: &dyn Fn(Value) -> Value, insert: Option<Value>) -> Option<Value> {
            self.0.update(k, modify, insert)
        }
    };
    (@one retain) => {
        fn retain(&self, keep: &mut dyn FnMut(Key, Value) -> bool) { self.0.retain(keep) }
    };
}
pub(crate) use delegate;

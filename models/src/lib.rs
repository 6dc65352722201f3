//! The structures under test (correct ones and mutants) and the access-pattern models.
//!
//! The access-pattern models ([`patterns`]) are what a map's own tests need; the structure zoo
//! (`structures`, `mutants` and the [`Entry`] list of them) is behind the `zoo` feature, on by
//! default, which the `mapcheck` library leaves off: a user's test build compiles no zoo.
//!
//! [`structures`] lists the built-in zoo as [`Entry`] values, in the order the check matrix shows
//! them; the `mapcheck` crate holds them in a registry value together with any other structures
//! (third-party adapters, a user's own map).
//!
//! Exploring one model on one structure from a test:
//!
//! ```
//! use mapcheck_harness::{Engine, Limits, Size, Verdict};
//! use mapcheck_models::{patterns::model, structure};
//!
//! let locked = structure("locked").unwrap();
//! let workload = (model("concurrent-delete").unwrap().build)(Size::LOOM);
//! let outcome = (locked.run)(&workload, Engine::Loom { preemption_bound: 2 }, Limits::default());
//! assert_eq!(outcome.verdict, Verdict::Pass);
//! assert!(outcome.exhausted, "loom explored every interleaving up to the bound");
//! ```

#[cfg(feature = "zoo")]
pub mod mutants;
pub mod patterns;
#[cfg(feature = "zoo")]
pub mod structures;

pub use mapcheck_harness::Entry;
#[cfg(feature = "zoo")]
use mutants::CowNoCas;
#[cfg(feature = "zoo")]
use structures::{
    cow::Cow,
    gomap::{Gomap, GomapLocked},
    locked::Locked,
    pooled::Pooled,
    rebuild::Rebuild,
    sharded::Sharded,
    slots::Slots,
    syncmap::Syncmap,
    tombstone::Tombstone,
};

/// Every built-in structure, correct ones first, then the mutants with the models built to catch
/// each, in the order the check matrix lists them.
#[cfg(feature = "zoo")]
pub fn structures() -> Vec<Entry> {
    vec![
        Entry::of::<Gomap>(),
        Entry::of::<GomapLocked>(),
        Entry::of::<Locked>(),
        Entry::of::<Syncmap>(),
        Entry::of::<Cow>(),
        Entry::of::<Sharded>(),
        Entry::of::<Tombstone>(),
        Entry::of::<Rebuild>(),
        Entry::of::<Slots>(),
        Entry::of::<Pooled>(),
        Entry::targeted::<CowNoCas>(&["cow-swap"]),
        Entry::targeted::<mutants::LockedRacyRemove>(&["concurrent-delete"]),
        Entry::targeted::<mutants::LockedIterLock>(&["delete-during-iteration"]),
        Entry::targeted::<mutants::ShardedMisroute>(&["concurrent-delete"]),
        Entry::targeted::<mutants::TombstoneGcRace>(&["tombstone-gc"]),
        Entry::targeted::<mutants::RebuildUnguarded>(&["rebuild-race"]),
        Entry::targeted::<mutants::TombstoneGcLeak>(&["tombstone-gc"]),
        Entry::targeted::<mutants::LockedLeakyRemove>(&["concurrent-delete"]),
        Entry::targeted::<mutants::ShardedClearSkips>(&["sharded-whole-map"]),
        Entry::targeted::<mutants::LockedNoShrink>(&["churn"]),
        Entry::targeted::<mutants::GomapNoRelookup>(&["delete-during-iteration"]),
        Entry::targeted::<mutants::SlotsRelaxedPublish>(&["churn"]),
        // Mutants whose bug needs two threads and an interleaving.
        Entry::targeted::<mutants::SyncmapStaleDelete>(&["syncmap-promotion"]),
        Entry::targeted::<mutants::SyncmapExpungeStore>(&["syncmap-promotion"]),
        Entry::targeted::<mutants::PooledAba>(&["delete-reinsert"]),
        Entry::targeted::<mutants::GomapIterRevisit>(&["delete-during-iteration"]),
        Entry::targeted::<mutants::TombstoneReclaimReset>(&["reclaim-race"]),
        Entry::targeted::<mutants::PooledLostPush>(&["concurrent-delete"]),
        Entry::targeted::<mutants::RebuildClearInversion>(&["sharded-whole-map"]),
        Entry::targeted::<mutants::PooledRelaxed>(&["insert-remove-get"]),
        Entry::targeted::<mutants::LockedRacyInsert>(&["insert-remove-get"]),
        Entry::targeted::<mutants::ShardedTornSnapshot>(&["delete-during-iteration"]),
        Entry::targeted::<mutants::ShardedClearCount>(&["sharded-whole-map"]),
        Entry::targeted::<mutants::ShardedGrowRace>(&["grow-race"]),
        Entry::targeted::<mutants::LockedRacyGetOrInsert>(&["cache-fill"]),
        Entry::targeted::<mutants::ShardedRacyUpdate>(&["counter-update"]),
        Entry::targeted::<mutants::ShardedRacyCompareDelete>(&["counter-update"]),
        Entry::targeted::<mutants::LockedRacyRetain>(&["retain-sweep"]),
    ]
}

/// The built-in structure named `name`.
#[cfg(feature = "zoo")]
pub fn structure(name: &str) -> Option<Entry> {
    structures().into_iter().find(|e| e.info.name == name)
}

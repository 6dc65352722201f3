//! The built-in structures as the `ops` and `schedules` targets hold them: each target instantiates
//! only the run it makes (the sequential run, or the shuttle run its input schedules) for each
//! structure, so its binary carries no loom exploration, no other shuttle scheduler, no shrinking
//! and no replay of the zoo, and libFuzzer's coverage map covers the code under test rather than
//! every engine instantiated for every structure (as `mapcheck_models::structures()` does for the
//! check matrix).
//!
//! The list is in the order of `mapcheck_models::structures()` (a test holds them equal), so that an
//! input's first byte picks the same structure as it always has.

use mapcheck_harness::{Ops, Structure, StructureInfo};
use mapcheck_models::mutants::*;
use mapcheck_models::structures::{
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

/// A structure as one fuzz target holds it: its declaration and the one run the target makes.
#[derive(Clone, Copy)]
pub struct Subject<F: Copy> {
    pub info: StructureInfo,
    /// The optional operations it has (`Structure::SUPPORTS`): the ones its inputs draw.
    pub supports: Ops,
    pub run: F,
}

impl<F: Copy> std::fmt::Debug for Subject<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subject")
            .field("name", &self.info.name)
            .finish_non_exhaustive()
    }
}

/// Something a selection can name: a registry's entry or a target's subject.
pub trait Named {
    fn info(&self) -> &StructureInfo;
    /// The optional operations it has, which its inputs draw.
    fn supports(&self) -> Ops;
}

impl Named for mapcheck_models::Entry {
    fn info(&self) -> &StructureInfo {
        &self.info
    }
    fn supports(&self) -> Ops {
        self.supports
    }
}

impl<F: Copy> Named for Subject<F> {
    fn info(&self) -> &StructureInfo {
        &self.info
    }
    fn supports(&self) -> Ops {
        self.supports
    }
}

/// Makes a target's subject for structure `S`: one generic function per target, called for each
/// built-in structure by [`all`].
pub trait Make {
    type Run: Copy;
    fn make<S: Structure>() -> Subject<Self::Run>;
}

/// Every built-in structure, made by `M`, in the order of `mapcheck_models::structures()`.
pub fn all<M: Make>() -> Vec<Subject<M::Run>> {
    vec![
        M::make::<Gomap>(),
        M::make::<GomapLocked>(),
        M::make::<Locked>(),
        M::make::<Syncmap>(),
        M::make::<Cow>(),
        M::make::<Sharded>(),
        M::make::<Tombstone>(),
        M::make::<Rebuild>(),
        M::make::<Slots>(),
        M::make::<Pooled>(),
        M::make::<CowNoCas>(),
        M::make::<LockedRacyRemove>(),
        M::make::<LockedIterLock>(),
        M::make::<ShardedMisroute>(),
        M::make::<TombstoneGcRace>(),
        M::make::<RebuildUnguarded>(),
        M::make::<TombstoneGcLeak>(),
        M::make::<LockedLeakyRemove>(),
        M::make::<ShardedClearSkips>(),
        M::make::<LockedNoShrink>(),
        M::make::<GomapNoRelookup>(),
        M::make::<SlotsRelaxedPublish>(),
        M::make::<SyncmapStaleDelete>(),
        M::make::<SyncmapExpungeStore>(),
        M::make::<PooledAba>(),
        M::make::<GomapIterRevisit>(),
        M::make::<TombstoneReclaimReset>(),
        M::make::<PooledLostPush>(),
        M::make::<RebuildClearInversion>(),
        M::make::<PooledRelaxed>(),
        M::make::<LockedRacyInsert>(),
        M::make::<ShardedTornSnapshot>(),
        M::make::<ShardedClearCount>(),
        M::make::<ShardedGrowRace>(),
        M::make::<LockedRacyGetOrInsert>(),
        M::make::<ShardedRacyUpdate>(),
        M::make::<ShardedRacyCompareDelete>(),
        M::make::<LockedRacyRetain>(),
    ]
}

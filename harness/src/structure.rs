//! The structure trait every map under test implements, with its footprint and declared guarantees.

use crate::rt::Runtime;
pub use crate::settle::Settle;
use serde::{Deserialize, Serialize};
use std::ops::ControlFlow;

/// Keys and values are small integers: models need few distinct ones, and histories stay readable.
pub type Key = u64;
pub type Value = u64;

/// A concurrent map as the harness drives it. Every method may be called from any thread at once,
/// including from inside the `visit` callback of [`Map::iterate`] (Go's
/// `for k := range m { delete(m, k) }`).
pub trait Map: Send + Sync + 'static {
    /// Inserts or overwrites; returns the previous value.
    fn insert(&self, key: Key, value: Value) -> Option<Value>;
    /// Removes the key; returns the value it removed, if any.
    fn remove(&self, key: Key) -> Option<Value>;
    fn get(&self, key: Key) -> Option<Value>;
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn clear(&self);
    /// Calls `visit` for the entries, per the structure's [`IterationGuarantee`]. The callback may
    /// call any method of the map, `remove` of the visited key in particular.
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>);
    /// The structure's own reclamation step (a GC tick, a promotion, a rebuild); by default none.
    fn reclaim(&self) {}
    /// What the structure holds right now; read at quiescence. By default the live entries only,
    /// which is all a structure that declares [`ReclamationPolicy::NotObservable`] needs; any other
    /// policy is judged on the capacity reported here.
    fn footprint(&self) -> Footprint {
        Footprint {
            live: self.len(),
            ..Footprint::default()
        }
    }
}

/// A family of maps, one per runtime: the registry's unit. `S::Map<Loom>`, `S::Map<Shuttle>` and
/// `S::Map<Std>` are the same source instantiated three times.
pub trait Structure: 'static {
    type Map<R: Runtime>: Map;
    /// Creates an empty map. Under loom and shuttle this runs inside the execution.
    fn new<R: Runtime>() -> Self::Map<R>;
    const INFO: StructureInfo;
    /// True for a structure that does not use the runtime facade (a third-party crate behind an
    /// [`Adapter`](crate::adapter::Adapter)): it runs on real threads only, since loom and shuttle
    /// cannot see its synchronisation.
    const REAL_THREADS_ONLY: bool = false;
    /// True for a map written with the drop-in types of [`crate::sync`] (through
    /// [`DropIn`](crate::adapter::DropIn)): one type for every runtime, which loom and shuttle run
    /// only once it is seen creating drop-in values (a map still on `std::sync` would pass them
    /// without being explored; see `engine::not_applicable`).
    const DROP_IN: bool = false;
    /// True when `len` is only an estimate while the map is being changed (a counter updated out of
    /// step with the entries, as flurry documents): its results are not judged.
    const LEN_IS_ESTIMATE: bool = false;
    /// The results the map's API does not return (a cache's insert that gives back no previous
    /// value): recorded as [`Ret::Unobserved`](crate::Ret::Unobserved) and judged by no oracle.
    const UNOBSERVED: Unobserved = Unobserved::NONE;
    /// Deferred reclamation and process-wide state the leak oracle must allow for (see
    /// [`crate::settle`]).
    const SETTLE: Settle = Settle::NONE;
    /// True for a mutant whose planted bug is a weak-memory reordering (a publication with too weak
    /// an ordering): only loom explores executions that are not sequentially consistent, so shuttle
    /// cannot reach it and does not run it (see `engine::not_applicable`).
    const WEAK_MEMORY_ONLY: bool = false;
}

/// Which operations' results a map's API does not give back. The map's method still returns a
/// value of the trait's type (return `None` or `0`); the recorder discards it and records the
/// result as unobserved, and the oracles judge only the results that were observed, together with
/// the real-time order of every operation. An adapter never has to fake a result with a separate
/// `get`, which would race with other threads and make the oracles blame the crate for it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Unobserved {
    /// Insert returns nothing (no previous value).
    pub insert: bool,
    /// Remove (a cache's invalidate) returns nothing (not the removed value).
    pub remove: bool,
    /// There is no `len`, or nothing it returns may be relied on.
    pub len: bool,
}

impl Unobserved {
    /// Every result is observed.
    pub const NONE: Unobserved = Unobserved {
        insert: false,
        remove: false,
        len: false,
    };
}

/// What a structure declares about itself.
#[derive(Debug, Clone, Copy)]
pub struct StructureInfo {
    pub name: &'static str,
    /// One line: the design.
    pub summary: &'static str,
    pub iteration: IterationGuarantee,
    pub reclamation: ReclamationPolicy,
    /// True when len and clear take effect at one instant (so they are judged by the whole-history
    /// linearizability check); false when they go piece by piece (a sharded map: clear removes each
    /// key at some point during the call, and len is judged by the weaker bounds of its guarantee).
    pub atomic_whole_map: bool,
    /// True when the structure is unsynchronised on purpose (only loom and shuttle may run it).
    pub unsynchronised: bool,
    /// For a deliberately buggy structure, the hazard it plants; `None` for a correct structure.
    pub mutant: Option<&'static str>,
}

impl StructureInfo {
    /// A correct structure named `name` that claims the least: weakly consistent iteration with
    /// values as old as the start of the iteration ([`IterationGuarantee::WeaklyConsistentSinceStart`],
    /// which a map that copies entries and then visits them keeps), len and clear that go piece by
    /// piece, and no observable reclamation. Claim more with the methods below, which the oracles
    /// then hold it to.
    pub const fn new(name: &'static str) -> StructureInfo {
        StructureInfo {
            name,
            summary: "",
            iteration: IterationGuarantee::WeaklyConsistentSinceStart,
            reclamation: ReclamationPolicy::NotObservable,
            atomic_whole_map: false,
            unsynchronised: false,
            mutant: None,
        }
    }

    /// The one-line design.
    pub const fn summary(mut self, summary: &'static str) -> StructureInfo {
        self.summary = summary;
        self
    }

    /// The iteration guarantee the structure keeps.
    pub const fn iteration(mut self, iteration: IterationGuarantee) -> StructureInfo {
        self.iteration = iteration;
        self
    }

    /// The reclamation policy its footprint follows after its reclamation step.
    pub const fn reclamation(mut self, reclamation: ReclamationPolicy) -> StructureInfo {
        self.reclamation = reclamation;
        self
    }

    /// len and clear take effect at one instant.
    pub const fn atomic_whole_map(mut self) -> StructureInfo {
        self.atomic_whole_map = true;
        self
    }

    /// A structure with a planted bug: `hazard` says which; it is expected to fail.
    pub const fn mutant(mut self, hazard: &'static str) -> StructureInfo {
        self.mutant = Some(hazard);
        self
    }

    /// Correct structures must pass; mutants (and unsynchronised structures) are expected to fail.
    pub fn expected_to_fail(&self) -> bool {
        self.mutant.is_some() || self.unsynchronised
    }
}

/// The iteration guarantee a structure declares, judged by the iteration oracle. Every level keeps
/// the rules that need the whole iteration: no key yielded twice, and every key present throughout
/// the iteration and deleted by no one is yielded. They differ in when each yielded value must
/// have been the key's value (positions in the run's global order; a visit is the call of the
/// visitor with that entry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IterationGuarantee {
    /// The yielded set equals the map's contents at one point inside the iteration, taken before
    /// the first visit: every value held between the invocation and the first visit (and the
    /// linearizability check orders the whole set at one instant).
    Snapshot,
    /// The Go spec's rules, per visit: each value was the key's value at some point between the
    /// previous visit (or the invocation) and its own visit. So an entry removed before the
    /// iteration reaches it is not produced, and the value produced is the one current when the
    /// entry is visited. Go's map keeps them by looking an entry up again when the table grew
    /// under the iterator.
    WeaklyConsistent,
    /// The Go spec's rules with values as old as the start of the iteration: each value was the
    /// key's value at some point between the invocation and its visit. A structure that reads
    /// entries ahead of visiting them (a shard or the whole table copied, then visited) promises
    /// this: an entry removed after it was copied may still be produced, with its copied value.
    WeaklyConsistentSinceStart,
}

/// The reclamation policy a structure declares, judged after quiescence and its reclamation step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReclamationPolicy {
    /// Capacity follows the peak; deletes never return memory (Go's map). Not judged: the retained
    /// and peak figures are reported as a finding.
    NeverShrinks,
    /// Capacity is bounded by a constant factor of the live entries.
    ShrinksWithLive,
    /// Tombstones are gone after a GC tick.
    TombstonesPurgedByGc,
    /// Stale (expunged) entries are gone after the next promotion.
    StalePurgedByPromotion,
    /// Deleted entries may stay held, with no bound, for as long as the map lives: Go's sync.Map
    /// drops a deleted entry only when a store of a new key rebuilds the dirty map without it and a
    /// later promotion replaces the read map, so a map that is only ever deleted from keeps every
    /// deleted entry. Not judged: the stale entries left after the reclamation step are reported
    /// as a finding.
    StaleRetained,
    /// Exactly one snapshot is retained once no reader holds an older one.
    OneSnapshotRetained,
    /// Storage is replaced by a fresh one once drained.
    RebuiltWhenDrained,
    /// The structure exposes no capacity to judge (a third-party crate that reclaims on its own,
    /// for example through epochs): the reclamation oracle has nothing to check, the leak oracle
    /// still applies after drop.
    NotObservable,
    /// After the reclamation step the capacity is at most `factor` times the live entries plus
    /// `floor` slots: a table that shrinks lazily, or never below a minimum size (a third-party
    /// crate's own thresholds).
    ShrinksWithin { factor: usize, floor: usize },
    /// A slot claimed by a key stays that key's for the structure's lifetime (an open-addressed
    /// table whose keys are never removed, only their values): memory follows the distinct keys
    /// ever inserted, not the live entries. After the reclamation step the capacity is at most
    /// `factor` times the distinct keys of the run (initial contents and every insert's key).
    KeySlotsRetained { factor: usize },
}

/// What a structure holds at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Footprint {
    /// Entries a reader can see.
    pub live: usize,
    /// Entries deleted but still held: tombstones, expunged or stale entries. Counted from the
    /// storage itself (the slots that hold a deleted entry), not from a counter the structure keeps
    /// beside it, so that a counter out of step with the storage cannot hide them.
    pub stale: usize,
    /// Snapshots (whole copies of the map) alive, including the current one.
    pub snapshots: usize,
    /// Slots allocated for entries.
    pub capacity: usize,
    /// Bytes held by the structure's storage, as the structure accounts for it.
    pub bytes: usize,
}

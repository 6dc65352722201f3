//! The structure trait every map under test implements, with its footprint and declared guarantees.

use crate::rt::Runtime;
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
    /// What the structure holds right now; read at quiescence.
    fn footprint(&self) -> Footprint;
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
    /// True when `len` is only an estimate while the map is being changed (a counter updated out of
    /// step with the entries, as flurry documents): its results are not judged.
    const LEN_IS_ESTIMATE: bool = false;
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
    /// Correct structures must pass; mutants (and unsynchronised structures) are expected to fail.
    pub fn expected_to_fail(&self) -> bool {
        self.mutant.is_some() || self.unsynchronised
    }
}

/// The iteration guarantee a structure declares, judged by the iteration oracle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IterationGuarantee {
    /// The yielded set equals the map's contents at one point inside the iteration.
    Snapshot,
    /// The Go spec's rules: no key twice, every key present throughout and not deleted is yielded,
    /// no key absent throughout is yielded, each value was current at some point.
    WeaklyConsistent,
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

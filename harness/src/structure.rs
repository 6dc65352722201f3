//! The structure trait every map under test implements, with its footprint and declared guarantees.

use crate::failure::Oracle;
use crate::history::Op;
use crate::rt::Runtime;
pub use crate::settle::Settle;
use serde::{Deserialize, Serialize};
use std::fmt;
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
    /// Removes every entry. A map whose API has no `clear` (or none that may run concurrently)
    /// leaves this out and declares it absent ([`Structure::SUPPORTS`]); the models that call it
    /// are then not applicable, and it is never called.
    fn clear(&self) {
        absent("clear", "CLEAR")
    }
    /// Calls `visit` for the entries, per the structure's [`IterationGuarantee`]. The callback may
    /// call any method of the map, `remove` of the visited key in particular. A map with no
    /// iteration leaves this out and declares it absent, as for [`Map::clear`].
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        let _ = visit;
        absent("iterate", "ITERATE")
    }
    /// Get-or-insert: the key's value when it has one, else inserts `value` and returns `None`, in
    /// one step (Go's `LoadOrStore`, Rust's `entry(k).or_insert(v)`). Optional, like every
    /// compound operation below: a map whose API has it declares it ([`Ops::GET_OR_INSERT`] in
    /// [`Structure::SUPPORTS`]); the models that call it are not applicable to any other map.
    fn get_or_insert(&self, key: Key, value: Value) -> Option<Value> {
        let _ = (key, value);
        absent("get_or_insert", "GET_OR_INSERT")
    }
    /// Compare-and-swap: replaces the key's value with `new` when it is `old`, in one step; returns
    /// whether it did (Go's `CompareAndSwap`). Optional ([`Ops::COMPARE_AND_SWAP`]).
    fn compare_and_swap(&self, key: Key, old: Value, new: Value) -> bool {
        let _ = (key, old, new);
        absent("compare_and_swap", "COMPARE_AND_SWAP")
    }
    /// Compare-and-delete: removes the key when its value is `old`, in one step; returns whether
    /// it did (Go's `CompareAndDelete`). Optional ([`Ops::COMPARE_AND_DELETE`]).
    fn compare_and_delete(&self, key: Key, old: Value) -> bool {
        let _ = (key, old);
        absent("compare_and_delete", "COMPARE_AND_DELETE")
    }
    /// Remove-if: removes the key when `remove(value)` holds, in one step; returns the value it
    /// removed. Optional ([`Ops::REMOVE_IF`]).
    fn remove_if(&self, key: Key, remove: &dyn Fn(Value) -> bool) -> Option<Value> {
        let _ = (key, remove);
        absent("remove_if", "REMOVE_IF")
    }
    /// Update in place: when the key has a value `v`, sets it to `modify(v)`; otherwise inserts
    /// `insert` when given; in one step; returns the previous value (Rust's
    /// `entry(k).and_modify(..).or_insert(..)`). Optional ([`Ops::UPDATE`]).
    fn update(&self, key: Key, modify: &dyn Fn(Value) -> Value, insert: Option<Value>) -> Option<Value> {
        let _ = (key, modify, insert);
        absent("update", "UPDATE")
    }
    /// Retain: calls `keep` once with every entry and removes those it returns false for, each
    /// entry's removal in one step with the read that `keep` saw (Rust's `retain`). `keep` never
    /// calls the map, so the map may hold its locks across it. Per the structure's
    /// [`IterationGuarantee`], like [`Map::iterate`]; a structure whose iteration is a snapshot
    /// promises a retain that takes effect at one instant. Optional ([`Ops::RETAIN`]).
    fn retain(&self, keep: &mut dyn FnMut(Key, Value) -> bool) {
        let _ = keep;
        absent("retain", "RETAIN")
    }
    /// The structure's own reclamation step (a GC tick, a promotion, a rebuild); by default none.
    fn reclaim(&self) {}
    /// The map's own settle step, run once every thread is done, after the footprint is read and
    /// before the map is dropped, outside allocation tracking: whatever the map defers that only the
    /// map can flush (a cache's pending maintenance, a collector it owns or shares). By default
    /// none. Steps that need no map are declared in [`Structure::SETTLE`].
    fn settle(&self) {}
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

/// The default of an operation the map does not implement: it is called only when the structure
/// claims to support it, and that claim is what the message corrects.
#[track_caller]
fn absent(method: &str, op: &str) -> ! {
    let standard = Ops::NAMES
        .iter()
        .any(|(o, n)| *n == method && Ops::STANDARD.contains(*o));
    if standard {
        panic!(
            "mapcheck: Map::{method} is not implemented, but the structure declares it supported; \
             implement it, or declare it absent with `const SUPPORTS: Ops = Ops::STANDARD.without(Ops::{op})`"
        )
    }
    panic!(
        "mapcheck: Map::{method} is not implemented, but the structure declares it supported \
         (Ops::{op} in its SUPPORTS); implement it, or leave Ops::{op} out of SUPPORTS"
    )
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
    /// step with the entries, as flurry documents): its results are not judged, nor is the count of
    /// live entries at quiescence (see [`Claims::len_judged`]).
    const LEN_IS_ESTIMATE: bool = false;
    /// The operations the map's API has ([`Ops::STANDARD`] unless declared otherwise): a model whose
    /// workload calls one it lacks is not applicable to it, under every engine, with the reason.
    /// An absent operation is declared, never emulated (an emulated `clear` would check the
    /// emulation, not the map).
    const SUPPORTS: Ops = Ops::STANDARD;
    /// Behaviours the structure's documentation admits (a leak, stale entries, ...): the oracle that
    /// judges each reports it as a finding beside the verdict instead of failing the run, and every
    /// other oracle still judges every run.
    const KNOWN: &'static [Known] = &[];
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
    /// There is no `len`, or nothing it returns may be relied on (a cache whose count lags until
    /// its maintenance runs): neither its results nor the count of live entries at quiescence,
    /// which the default [`Map::footprint`] reads from it, are judged.
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
    /// [`WeaklyConsistentSinceStart`](IterationGuarantee::WeaklyConsistentSinceStart) with keys that
    /// may be yielded more than once: a lock-free table whose iterator, while the table grows, goes
    /// on in the new table and yields again entries it had already yielded (documented, or de facto,
    /// behaviour of some lock-free maps). Every other rule is judged: no key yielded that was never
    /// present, each value the key's at some point between the start of the iteration and its
    /// visit, every key present throughout and deleted by no one yielded (at least once). An
    /// iteration still ends: one that yields more than [`REPEATS`] times the run's keys is cut
    /// short and fails.
    WeaklyConsistentMayRepeat,
}

/// How many times, on average, an iteration that may repeat keys may yield each of the run's keys
/// before it counts as one that does not end: each growth of the table may yield every key once
/// more, and a run grows its table a few times at most.
pub const REPEATS: usize = 8;

impl IterationGuarantee {
    /// The entries an iteration may yield in a run that names `keys` distinct keys before the
    /// recorder cuts it short: one per key (a second visit of a key is already a failure), or
    /// [`REPEATS`] per key for an iteration that may repeat them.
    pub fn visit_bound(self, keys: usize) -> usize {
        match self {
            IterationGuarantee::WeaklyConsistentMayRepeat => keys.saturating_mul(REPEATS),
            _ => keys,
        }
    }
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

/// A set of operations: those a structure's API has ([`Structure::SUPPORTS`]), or those a
/// workload calls ([`Ops::called_by`]). A model is applicable to a structure when the structure
/// supports every operation of its workload. The compound operations that not every map has (a
/// get-or-insert, a compare-and-swap, ...: [`Ops::COMPOUND`]) are optional ones, outside
/// [`Ops::STANDARD`], which a structure adds with [`Ops::with`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Ops(u32);

impl Ops {
    /// No operation.
    pub const NONE: Ops = Ops(0);
    pub const INSERT: Ops = Ops(1);
    pub const REMOVE: Ops = Ops(1 << 1);
    pub const GET: Ops = Ops(1 << 2);
    pub const LEN: Ops = Ops(1 << 3);
    /// `clear`, which may run while other threads use the map.
    pub const CLEAR: Ops = Ops(1 << 4);
    /// `iterate`, with a visitor that may remove the key it visits.
    pub const ITERATE: Ops = Ops(1 << 5);
    /// The structure's own reclamation step (a no-op by default, so every map has it).
    pub const RECLAIM: Ops = Ops(1 << 6);
    /// Get-or-insert ([`Map::get_or_insert`]), optional.
    pub const GET_OR_INSERT: Ops = Ops(1 << 7);
    /// Compare-and-swap ([`Map::compare_and_swap`]), optional.
    pub const COMPARE_AND_SWAP: Ops = Ops(1 << 8);
    /// Compare-and-delete ([`Map::compare_and_delete`]), optional.
    pub const COMPARE_AND_DELETE: Ops = Ops(1 << 9);
    /// Remove-if with a predicate over the value ([`Map::remove_if`]), optional.
    pub const REMOVE_IF: Ops = Ops(1 << 10);
    /// Update in place ([`Map::update`]), optional.
    pub const UPDATE: Ops = Ops(1 << 11);
    /// Retain with a predicate over the value ([`Map::retain`]), optional.
    pub const RETAIN: Ops = Ops(1 << 12);
    /// Every compound operation: a map that has them all declares
    /// `Ops::STANDARD.with(Ops::COMPOUND)`.
    pub const COMPOUND: Ops = Ops(Ops::GET_OR_INSERT.0
        | Ops::COMPARE_AND_SWAP.0
        | Ops::COMPARE_AND_DELETE.0
        | Ops::REMOVE_IF.0
        | Ops::UPDATE.0
        | Ops::RETAIN.0);
    /// Every operation of [`Map`] that is not optional: what a structure supports unless it
    /// declares otherwise.
    pub const STANDARD: Ops = Ops(Ops::INSERT.0
        | Ops::REMOVE.0
        | Ops::GET.0
        | Ops::LEN.0
        | Ops::CLEAR.0
        | Ops::ITERATE.0
        | Ops::RECLAIM.0);
    /// Each operation with its name, as the scenario syntax spells it.
    const NAMES: [(Ops, &'static str); 13] = [
        (Ops::INSERT, "insert"),
        (Ops::REMOVE, "remove"),
        (Ops::GET, "get"),
        (Ops::LEN, "len"),
        (Ops::CLEAR, "clear"),
        (Ops::ITERATE, "iterate"),
        (Ops::RECLAIM, "reclaim"),
        (Ops::GET_OR_INSERT, "get_or_insert"),
        (Ops::COMPARE_AND_SWAP, "compare_and_swap"),
        (Ops::COMPARE_AND_DELETE, "compare_and_delete"),
        (Ops::REMOVE_IF, "remove_if"),
        (Ops::UPDATE, "update"),
        (Ops::RETAIN, "retain"),
    ];

    /// This set and `other`'s operations.
    pub const fn with(self, other: Ops) -> Ops {
        Ops(self.0 | other.0)
    }

    /// This set without `other`'s operations.
    pub const fn without(self, other: Ops) -> Ops {
        Ops(self.0 & !other.0)
    }

    /// Whether every operation of `other` is in this set.
    pub const fn contains(self, other: Ops) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The one operation `op` is (an iteration that deletes also calls `remove`).
    pub fn of(op: &Op) -> Ops {
        match op {
            Op::Insert { .. } => Ops::INSERT,
            Op::Remove { .. } => Ops::REMOVE,
            Op::Get { .. } => Ops::GET,
            Op::Len => Ops::LEN,
            Op::Clear => Ops::CLEAR,
            Op::Iterate { delete } if *delete == crate::history::DeleteIf::Nothing => Ops::ITERATE,
            Op::Iterate { .. } => Ops::ITERATE.with(Ops::REMOVE),
            Op::Reclaim => Ops::RECLAIM,
            Op::GetOrInsert { .. } => Ops::GET_OR_INSERT,
            Op::CompareAndSwap { .. } => Ops::COMPARE_AND_SWAP,
            Op::CompareAndDelete { .. } => Ops::COMPARE_AND_DELETE,
            Op::RemoveIf { .. } => Ops::REMOVE_IF,
            Op::Update { .. } => Ops::UPDATE,
            Op::Retain { .. } => Ops::RETAIN,
        }
    }

    /// The operations `ops` call: a workload's required operations.
    pub fn called_by<'a>(ops: impl IntoIterator<Item = &'a Op>) -> Ops {
        ops.into_iter().fold(Ops::NONE, |set, op| set.with(Ops::of(op)))
    }

    /// The names of the operations in the set.
    pub fn names(self) -> Vec<&'static str> {
        Ops::NAMES
            .iter()
            .filter(|(o, _)| self.contains(*o))
            .map(|(_, n)| *n)
            .collect()
    }
}

impl fmt::Display for Ops {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.names().join(", "))
    }
}

impl fmt::Debug for Ops {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ops({self})")
    }
}

/// A behaviour a structure declares known, because its crate documents it (or it is reported and
/// accepted): a leak, entries kept after their removal, a `len` outside its bounds. The oracle it
/// names no longer fails a run: what it finds is reported as a finding (how many runs, and the
/// first one's evidence), exploration goes on, and every other oracle still judges every run.
///
/// A liveness oracle (panic, deadlock, data race, step bound) ends the run it fires on and cannot
/// be declared known. A declared oracle is silenced whole, so declare the narrowest one: a
/// behaviour that also gives wrong results (a lost delete) is seen by linearizability too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Known {
    pub oracle: Oracle,
    /// Why: the documentation or the report that admits it.
    pub why: &'static str,
}

impl Known {
    /// `oracle`'s failures are a documented behaviour, for the reason `why`.
    pub const fn new(oracle: Oracle, why: &'static str) -> Known {
        Known { oracle, why }
    }

    /// A documented leak: memory the crate does not give back after its map is dropped.
    pub const fn leak(why: &'static str) -> Known {
        Known::new(Oracle::Leak, why)
    }

    /// A documented excess of memory after the reclamation step (entries kept after their
    /// removal, a table that does not shrink as declared).
    pub const fn retained(why: &'static str) -> Known {
        Known::new(Oracle::Reclamation, why)
    }

    /// Whether the oracle can be declared known: it judges a completed run (a liveness oracle ends
    /// the run before anything else can judge it).
    pub const fn declarable(oracle: Oracle) -> bool {
        !matches!(
            oracle,
            Oracle::Panic | Oracle::Deadlock | Oracle::DataRace | Oracle::StepBound
        )
    }
}

/// What the oracles hold one structure to: its [`StructureInfo`], whether its `len` is judged, the
/// behaviours it declares known, and its settle steps (which a leak report names).
#[derive(Debug, Clone, Copy)]
pub struct Claims {
    pub info: StructureInfo,
    /// False when `len` is an estimate ([`Structure::LEN_IS_ESTIMATE`]), unobserved
    /// ([`Unobserved::len`]) or absent ([`Structure::SUPPORTS`] without [`Ops::LEN`]): then no result
    /// of `len` is judged, and neither is the count of live entries at quiescence.
    pub len_judged: bool,
    pub known: &'static [Known],
    pub settle: Settle,
}

impl Claims {
    /// The claims of structure `S`.
    pub const fn of<S: Structure>() -> Claims {
        Claims {
            info: S::INFO,
            len_judged: !S::LEN_IS_ESTIMATE && !S::UNOBSERVED.len && S::SUPPORTS.contains(Ops::LEN),
            known: S::KNOWN,
            settle: S::SETTLE,
        }
    }

    /// A structure that declares `info` and nothing else: every oracle judges it.
    pub const fn info(info: StructureInfo) -> Claims {
        Claims {
            info,
            len_judged: true,
            known: &[],
            settle: Settle::NONE,
        }
    }

    /// The declaration that makes `oracle`'s failures findings, if there is one.
    pub fn known(&self, oracle: Oracle) -> Option<&Known> {
        self.known
            .iter()
            .find(|k| k.oracle == oracle && Known::declarable(oracle))
    }
}

impl From<StructureInfo> for Claims {
    fn from(info: StructureInfo) -> Claims {
        Claims::info(info)
    }
}

impl From<&StructureInfo> for Claims {
    fn from(info: &StructureInfo) -> Claims {
        Claims::info(*info)
    }
}

impl From<&Claims> for Claims {
    fn from(claims: &Claims) -> Claims {
        *claims
    }
}

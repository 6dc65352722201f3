//! Mutants: deliberately buggy structures, each planting one hazard from the incident reports, each
//! caught by a model (see `models/tests/mutants.rs`). `cow-nocas` lives beside `cow` in `cow.rs`.

use super::locked::{Locked, LockedMap};
use super::rebuild::{Rebuild, RebuildMap};
use super::sharded::{shard_of, Sharded, ShardedMap, SHARDS};
use super::syncmap::{SyncMap, Syncmap};
use super::tombstone::{Shared, Tombstone, TombstoneMap};
use mapcheck_harness::rt::Runtime;
use mapcheck_harness::{Footprint, Key, Map, Structure, StructureInfo, Value};
use std::ops::ControlFlow;

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

/// `locked-racy-remove`: remove looks the key up under the read lock, then deletes under the write
/// lock and returns what it looked up, so two racing removes both report success.
pub struct RacyRemove<R: Runtime>(LockedMap<R>);

impl<R: Runtime> Map for RacyRemove<R> {
    delegate!(insert, get, len, clear, iterate, reclaim, footprint);
    fn remove(&self, k: Key) -> Option<Value> {
        let seen = self.0.inner.read().get(&k).copied();
        if seen.is_some() {
            self.0.inner.write().remove(&k);
        }
        seen
    }
}

pub struct LockedRacyRemove;
impl Structure for LockedRacyRemove {
    type Map<R: Runtime> = RacyRemove<R>;
    fn new<R: Runtime>() -> RacyRemove<R> {
        RacyRemove(Locked::new::<R>())
    }
    const INFO: StructureInfo = StructureInfo {
        name: "locked-racy-remove",
        mutant: Some("a remove that checks under the read lock and deletes under the write lock reports success to two racing callers"),
        ..Locked::INFO
    };
}

/// `locked-iterlock`: iteration visits while holding the read lock, so a visitor that deletes
/// (Go's `for k := range m { delete(m, k) }` under an RWMutex) waits for the write lock forever.
pub struct IterLock<R: Runtime>(LockedMap<R>);

impl<R: Runtime> Map for IterLock<R> {
    delegate!(insert, remove, get, len, clear, reclaim, footprint);
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        let g = self.0.inner.read();
        for (k, v) in g.iter() {
            if visit(*k, *v).is_break() {
                break;
            }
        }
    }
}

pub struct LockedIterLock;
impl Structure for LockedIterLock {
    type Map<R: Runtime> = IterLock<R>;
    fn new<R: Runtime>() -> IterLock<R> {
        IterLock(Locked::new::<R>())
    }
    const INFO: StructureInfo = StructureInfo {
        name: "locked-iterlock",
        mutant: Some(
            "deleting while an iteration holds the read lock takes the write lock under it: deadlock",
        ),
        ..Locked::INFO
    };
}

/// `sharded-misroute`: remove picks the next shard for keys that are 2 mod 3, so their deletes miss.
pub struct Misroute<R: Runtime>(ShardedMap<R>);

impl<R: Runtime> Map for Misroute<R> {
    delegate!(insert, get, len, clear, iterate, reclaim, footprint);
    fn remove(&self, k: Key) -> Option<Value> {
        let shard = if k % 3 == 2 {
            (shard_of(k) + 1) % SHARDS
        } else {
            shard_of(k)
        };
        self.0.shards[shard].lock().remove(&k)
    }
}

pub struct ShardedMisroute;
impl Structure for ShardedMisroute {
    type Map<R: Runtime> = Misroute<R>;
    fn new<R: Runtime>() -> Misroute<R> {
        Misroute(Sharded::new::<R>())
    }
    const INFO: StructureInfo = StructureInfo {
        name: "sharded-misroute",
        mutant: Some("remove picks a different shard than insert for some keys, so the delete is lost"),
        ..Sharded::INFO
    };
}

/// The racy GC pass: collect the tombstoned keys under the lock, let go of it, then remove those keys
/// without checking that they are still tombstones, so a reinsert in between is thrown away.
pub fn racy_purge<R: Runtime>(shared: &Shared<R>) {
    let dead: Vec<Key> = {
        let st = shared.state.lock();
        st.slots.iter().filter(|(_, s)| s.dead).map(|(k, _)| *k).collect()
    };
    let mut st = shared.state.lock();
    let st = &mut *st;
    for k in dead {
        if let Some(s) = st.slots.remove(&k) {
            if s.dead {
                st.tombstones -= 1;
            } else {
                st.live -= 1;
            }
        }
    }
    st.completed = st.requested;
    shared.wake.notify_all();
}

pub struct TombstoneGcRace;
impl Structure for TombstoneGcRace {
    type Map<R: Runtime> = TombstoneMap<R>;
    fn new<R: Runtime>() -> TombstoneMap<R> {
        TombstoneMap::with_gc(racy_purge::<R>)
    }
    const INFO: StructureInfo = StructureInfo {
        name: "tombstone-gc-race",
        mutant: Some("a GC pass that removes a key reinserted after its tombstone (lost reinsert)"),
        ..Tombstone::INFO
    };
}

/// `rebuild-unguarded`: writers take the current storage and let go of the outer lock before they
/// write, so a rebuild can swap the storage out from under them and their write is lost.
pub struct Unguarded<R: Runtime>(RebuildMap<R>);

impl<R: Runtime> Map for Unguarded<R> {
    delegate!(get, len, clear, iterate, reclaim, footprint);
    fn insert(&self, k: Key, v: Value) -> Option<Value> {
        let storage = self.0.current.read().clone();
        let prev = storage.map.lock().insert(k, v);
        prev
    }
    fn remove(&self, k: Key) -> Option<Value> {
        let storage = self.0.current.read().clone();
        let removed = storage.map.lock().remove(&k);
        removed
    }
}

pub struct RebuildUnguarded;
impl Structure for RebuildUnguarded {
    type Map<R: Runtime> = Unguarded<R>;
    fn new<R: Runtime>() -> Unguarded<R> {
        Unguarded(Rebuild::new::<R>())
    }
    const INFO: StructureInfo = StructureInfo {
        name: "rebuild-unguarded",
        mutant: Some("a rebuild that swaps the storage without excluding writers (lost insert or delete)"),
        ..Rebuild::INFO
    };
}

/// `syncmap-nopurge`: the reclamation step only promotes the dirty map, so deleted entries stay in
/// the read map as nil or expunged for as long as nobody stores the key again.
pub struct NoPurge<R: Runtime>(SyncMap<R>);

impl<R: Runtime> Map for NoPurge<R> {
    delegate!(insert, remove, get, len, clear, iterate, footprint);
    fn reclaim(&self) {
        self.0.promote_only()
    }
}

pub struct SyncmapNoPurge;
impl Structure for SyncmapNoPurge {
    type Map<R: Runtime> = NoPurge<R>;
    fn new<R: Runtime>() -> NoPurge<R> {
        NoPurge(Syncmap::new::<R>())
    }
    const INFO: StructureInfo = StructureInfo {
        name: "syncmap-nopurge",
        mutant: Some("a sync.Map whose promotion never purges expunged entries (stale entries pile up)"),
        ..Syncmap::INFO
    };
}

/// `tombstone-gc-leak`: dropping the map does not stop its GC thread (the goroutine leak of the
/// reports: a cleanup loop nobody cancels).
pub struct TombstoneGcLeak;
impl Structure for TombstoneGcLeak {
    type Map<R: Runtime> = TombstoneMap<R>;
    fn new<R: Runtime>() -> TombstoneMap<R> {
        let mut m = Tombstone::new::<R>();
        m.stop_on_drop = false;
        m
    }
    const INFO: StructureInfo = StructureInfo {
        name: "tombstone-gc-leak",
        mutant: Some("a GC thread that is never stopped when the map is dropped"),
        ..Tombstone::INFO
    };
}

/// `locked-leaky-remove`: remove unlinks the entry and leaks a copy of it.
pub struct LeakyRemove<R: Runtime>(LockedMap<R>);

impl<R: Runtime> Map for LeakyRemove<R> {
    delegate!(insert, get, len, clear, iterate, reclaim, footprint);
    fn remove(&self, k: Key) -> Option<Value> {
        let removed = self.0.remove(k);
        if let Some(v) = removed {
            std::hint::black_box(Box::leak(Box::new(v)));
        }
        removed
    }
}

pub struct LockedLeakyRemove;
impl Structure for LockedLeakyRemove {
    type Map<R: Runtime> = LeakyRemove<R>;
    fn new<R: Runtime>() -> LeakyRemove<R> {
        LeakyRemove(Locked::new::<R>())
    }
    const INFO: StructureInfo = StructureInfo {
        name: "locked-leaky-remove",
        mutant: Some("a remove that unlinks an entry without freeing it"),
        ..Locked::INFO
    };
}

/// `sharded-clear-skips`: clear goes shard by shard but stops before the last one, so entries there
/// survive a clear that returned.
pub struct ClearSkips<R: Runtime>(ShardedMap<R>);

impl<R: Runtime> Map for ClearSkips<R> {
    delegate!(insert, remove, get, len, iterate, reclaim, footprint);
    fn clear(&self) {
        for s in &self.0.shards[..SHARDS - 1] {
            s.lock().clear();
        }
    }
}

pub struct ShardedClearSkips;
impl Structure for ShardedClearSkips {
    type Map<R: Runtime> = ClearSkips<R>;
    fn new<R: Runtime>() -> ClearSkips<R> {
        ClearSkips(Sharded::new::<R>())
    }
    const INFO: StructureInfo = StructureInfo {
        name: "sharded-clear-skips",
        mutant: Some("a whole-map clear that misses a shard"),
        ..Sharded::INFO
    };
}

/// `locked-noshrink`: declares that it shrinks with its live entries, but its reclamation step does
/// nothing, so a map drained after a peak keeps the peak's table (the reports' "maps never shrink").
pub struct NoShrink<R: Runtime>(LockedMap<R>);

impl<R: Runtime> Map for NoShrink<R> {
    delegate!(insert, remove, get, len, clear, iterate, footprint);
    fn reclaim(&self) {}
}

pub struct LockedNoShrink;
impl Structure for LockedNoShrink {
    type Map<R: Runtime> = NoShrink<R>;
    fn new<R: Runtime>() -> NoShrink<R> {
        NoShrink(Locked::new::<R>())
    }
    const INFO: StructureInfo = StructureInfo {
        name: "locked-noshrink",
        mutant: Some("a reclamation step that never shrinks the table after deletes"),
        ..Locked::INFO
    };
}

//! `syncmap` (S3): a model of Go's `sync.Map` (sync/map.go, Go 1.20, with Go 1.23's `Clear`):
//! a read-only map served without a lock, a dirty map under a mutex, a miss counter that promotes
//! the dirty map, and deleted entries that linger as nil or expunged until a promotion.
//!
//! Design, as in Go:
//! - `read` is an atomic pointer to an immutable `ReadOnly { m, amended }`; `amended` says the
//!   dirty map holds keys that `m` lacks. Loads, and stores and deletes of keys already in `m`,
//!   touch only `read` and the entry.
//! - An entry is shared (`Arc`) between the read map and the dirty map. Its value slot `p` is an
//!   atomic word: `0` is nil (deleted, still in the maps), `1` is expunged (deleted and left out of
//!   the dirty map), and any other word is a value `v` stored as `v + 2`. Go stores a pointer to a
//!   boxed value instead; an integer encoding needs no reclamation of old values. The price is that
//!   the two largest `u64` values cannot be stored (`insert` panics on them).
//! - `mu` guards `dirty` (entries, `None` for Go's nil map), `misses`, and the list of retired
//!   read maps. A miss (a lookup that had to take the lock because `read` is amended) counts;
//!   after as many misses as the dirty map has entries, the dirty map becomes the read map
//!   (`missLocked`). The first new key after a promotion copies the read map's live entries into a
//!   new dirty map and expunges the nil ones (`dirtyLocked`, `tryExpungeLocked`); a store to an
//!   expunged key unexpunges it and adds it back to the dirty map (`unexpungeLocked`).
//! - `insert` is `Swap`, `remove` is `LoadAndDelete`, `get` is `Load`, `iterate` is `Range`
//!   (promote if amended, then visit the read map's entries that hold a value, with no lock held),
//!   `len` counts what `Range` visits, and `clear` is Go 1.23's `Clear` (publish an empty read map
//!   and empty the dirty map under the lock).
//! - The compound operations are Go 1.20's: `get_or_insert` is `LoadOrStore` (`tryLoadOrStore` on
//!   the read map's entry without the lock; under the lock, unexpunge a read-map entry, or use the
//!   dirty map's and count a miss, or add a new entry as `Swap` does), `compare_and_swap` is
//!   `CompareAndSwap` (no lock when the read map has the key, or lacks it and is not amended;
//!   `tryCompareAndSwap` never touches an expunged or nil entry), and `compare_and_delete` is
//!   `CompareAndDelete` (the entry looked up, under the lock only when the read map lacks it and
//!   is amended, with a miss counted, and the compare-and-delete done on the entry after the lock
//!   is let go: a deleted entry stays in the maps as nil). Go has no remove-if, update or retain:
//!   the structure declares them absent.
//!
//! Reclamation of read maps (Go has a garbage collector; this model frees them itself): a reader
//! enters `active` (`fetch_add`), loads `read`, does all its work on that read map (a lookup and
//! the atomic operation on the entry, or cloning the map's `Arc` for `Range`), and leaves `active`
//! (`fetch_sub`). A read map is replaced only under `mu`; the replaced one goes to the retired
//! list. A holder of `mu` that finds the list non-empty reads `active` with a read-modify-write
//! (`fetch_add(0)`, so it sees the latest count) and frees the whole list when it is zero. This is
//! safe: a reader that loaded a retired pointer entered `active` before the pointer was replaced,
//! so a zero proves it has left, and its `fetch_sub` (release) synchronises with the freeing
//! thread's read-modify-write (acquire). A reader that enters `active` after that read sees the
//! replacement, which happened before it, so it cannot load a freed pointer. `Drop` frees the
//! current and the retired read maps: every box is freed exactly once.
//!
//! `reclaim()` is Go's promotion and nothing more, under `mu`: if a dirty map exists it becomes the
//! read map (`dirty = None`, `misses = 0`), as `Range` does when the read map is amended, and the
//! retired read maps are freed if no reader is inside its window. Go has no step that drops deleted
//! entries: a deleted entry stays in the read map (nil) until a store of a new key builds the dirty
//! map without it (expunging it), and the promotion after that replaces the read map. A map that is
//! only ever deleted from, or whose new keys stop coming, keeps its deleted entries for good: the
//! stale entries of the incident reports. The structure declares that
//! ([`ReclamationPolicy::StaleRetained`]), so the reclamation oracle reports them as a finding.

use mapcheck_harness::rt::{Arc, AtomicPtr, AtomicPtrOps, AtomicUsize, AtomicUsizeOps, Mutex, Runtime};
use mapcheck_harness::{
    Footprint, IterationGuarantee, Key, Map, Ops, ReclamationPolicy, Structure, StructureInfo, Value,
};
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeSet, HashMap};
use std::hash::BuildHasherDefault;
use std::ops::ControlFlow;
use std::sync::atomic::Ordering::SeqCst;

/// The slot word of a deleted entry that is still in the maps (Go's nil `p`).
pub(crate) const NIL: usize = 0;
/// The slot word of a deleted entry left out of the dirty map (Go's `expunged`).
pub(crate) const EXPUNGED: usize = 1;

/// The slot word for a value.
fn encode(v: Value) -> usize {
    usize::try_from(v)
        .ok()
        .and_then(|v| v.checked_add(2))
        .unwrap_or_else(|| panic!("syncmap cannot store {v}: the two largest words are reserved"))
}

/// The value a slot word holds, if any.
fn decode(p: usize) -> Option<Value> {
    if p == NIL || p == EXPUNGED {
        None
    } else {
        Some((p - 2) as Value)
    }
}

/// One key's slot, shared by the read map and the dirty map (Go's `entry`).
pub struct Entry<R: Runtime> {
    pub(crate) p: AtomicUsize<R>,
}

impl<R: Runtime> Entry<R> {
    /// `newEntry(i)`: as in Go, an empty entry whose slot then receives the value by an atomic
    /// (sequentially consistent) store. Initialising the atomic with the value instead would not be
    /// the same: an initialisation is not a sequentially consistent store, so a `SeqCst` load
    /// without a happens-before edge to a later `SeqCst` delete may still return it, and a delete
    /// done outside the lock (`LoadAndDelete`'s slow path) could be undone for a lock-free reader or
    /// the purge (loom explores exactly that).
    fn new(word: usize) -> Self {
        let p = AtomicUsize::<R>::new(NIL);
        p.store(word, SeqCst);
        Entry { p }
    }

    /// `e.load()`.
    fn load(&self) -> Option<Value> {
        decode(self.p.load(SeqCst))
    }

    /// `e.trySwap(i)`: swaps in `new` unless the entry is expunged; returns the old word.
    fn try_swap(&self, new: usize) -> Option<usize> {
        loop {
            let p = self.p.load(SeqCst);
            if p == EXPUNGED {
                return None;
            }
            if self.p.compare_exchange(p, new, SeqCst, SeqCst).is_ok() {
                return Some(p);
            }
        }
    }

    /// `e.unexpungeLocked()`: turns expunged into nil; true if the entry was expunged, which means
    /// it must be added to the dirty map before anything is stored in it.
    fn unexpunge_locked(&self) -> bool {
        self.p.compare_exchange(EXPUNGED, NIL, SeqCst, SeqCst).is_ok()
    }

    /// `e.swapLocked(i)`: the entry is known not to be expunged.
    fn swap_locked(&self, new: usize) -> usize {
        self.p.swap(new, SeqCst)
    }

    /// `e.delete()`: sets the slot to nil; returns the value it held.
    pub(crate) fn delete(&self) -> Option<Value> {
        loop {
            let p = self.p.load(SeqCst);
            if p == NIL || p == EXPUNGED {
                return None;
            }
            if self.p.compare_exchange(p, NIL, SeqCst, SeqCst).is_ok() {
                return decode(p);
            }
        }
    }

    /// `e.tryLoadOrStore(i)`: the value when the entry holds one (`Ok(Some)`), or stores `new` in
    /// a nil entry (`Ok(None)`); `Err(())` when the entry is expunged, left unchanged.
    fn try_load_or_store(&self, new: usize) -> Result<Option<Value>, ()> {
        let mut p = self.p.load(SeqCst);
        loop {
            if p == EXPUNGED {
                return Err(());
            }
            if p != NIL {
                return Ok(decode(p));
            }
            if self.p.compare_exchange(NIL, new, SeqCst, SeqCst).is_ok() {
                return Ok(None);
            }
            p = self.p.load(SeqCst);
        }
    }

    /// `e.tryCompareAndSwap(old, new)`: swaps `old` for `new` while the entry holds `old`; false,
    /// and the entry unchanged, when it is nil, expunged, or holds another value.
    fn try_compare_and_swap(&self, old: usize, new: usize) -> bool {
        let mut p = self.p.load(SeqCst);
        while p == old {
            match self.p.compare_exchange(p, new, SeqCst, SeqCst) {
                Ok(_) => return true,
                Err(_) => p = self.p.load(SeqCst),
            }
        }
        false
    }

    /// `CompareAndDelete`'s loop on the entry: sets it to nil while it holds `old`.
    pub(crate) fn compare_and_delete(&self, old: usize) -> bool {
        loop {
            let p = self.p.load(SeqCst);
            if p != old {
                return false;
            }
            if self.p.compare_exchange(p, NIL, SeqCst, SeqCst).is_ok() {
                return true;
            }
        }
    }

    /// `e.tryExpungeLocked()`: turns nil into expunged; true if the entry is (now) expunged.
    pub(crate) fn try_expunge_locked(&self) -> bool {
        let mut p = self.p.load(SeqCst);
        while p == NIL {
            if self.p.compare_exchange(NIL, EXPUNGED, SeqCst, SeqCst).is_ok() {
                return true;
            }
            p = self.p.load(SeqCst);
        }
        p == EXPUNGED
    }
}

/// Keys to shared entries, with a fixed hasher (replay needs a deterministic iteration order).
pub(crate) type EntryMap<R> = HashMap<Key, Arc<R, Entry<R>>, BuildHasherDefault<DefaultHasher>>;

fn empty_entry_map<R: Runtime>() -> EntryMap<R> {
    EntryMap::<R>::default()
}

/// One published read map (Go's `readOnly`). Never changed after it is published; `m` may be
/// shared by several of them (storing the first new key republishes `m` with `amended` set).
struct ReadOnly<R: Runtime> {
    m: Arc<R, EntryMap<R>>,
    /// True if the dirty map contains some key not in `m`.
    amended: bool,
}

/// A replaced read map waiting until no reader can hold it.
struct Retired<R: Runtime>(*mut ReadOnly<R>);

// SAFETY: a retired read map is only touched to free it, by the holder of `mu`, once no reader can
// reach it; `ReadOnly` itself is Send + Sync.
unsafe impl<R: Runtime> Send for Retired<R> {}

/// The state guarded by `mu`.
pub(crate) struct Locked<R: Runtime> {
    /// The dirty map: every live key, or `None` (Go's nil map) right after a promotion.
    pub(crate) dirty: Option<EntryMap<R>>,
    /// Lookups that had to take the lock since the last promotion.
    misses: usize,
    /// Replaced read maps not freed yet.
    retired: Vec<Retired<R>>,
}

/// A model of Go's `sync.Map`; see the module notes.
pub struct SyncMap<R: Runtime> {
    read: AtomicPtr<R, ReadOnly<R>>,
    /// Readers between loading `read` and being done with what it points to.
    active: AtomicUsize<R>,
    pub(crate) mu: Mutex<R, Locked<R>>,
    /// `e.tryExpungeLocked()`, as `dirtyLocked` calls it: [`Entry::try_expunge_locked`], or a
    /// mutant's version of it.
    pub(crate) expunge: fn(&Entry<R>) -> bool,
    /// Read maps allocated and not freed, for the footprint (bookkeeping, invisible to the model
    /// checker; shared so a test can check that dropping the map frees them all).
    read_maps: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl<R: Runtime> SyncMap<R> {
    /// An empty map. Go's zero `sync.Map` has a nil `read` that loads as an empty read map; this
    /// model publishes an empty read map up front instead.
    fn new() -> Self {
        let m: SyncMap<R> = SyncMap {
            read: AtomicPtr::new(std::ptr::null_mut()),
            active: AtomicUsize::new(0),
            mu: Mutex::new(Locked {
                dirty: None,
                misses: 0,
                retired: Vec::new(),
            }),
            expunge: Entry::try_expunge_locked,
            read_maps: Default::default(),
        };
        let first = m.boxed(ReadOnly {
            m: Arc::new(empty_entry_map()),
            amended: false,
        });
        m.read.store(first, SeqCst);
        m
    }

    fn boxed(&self, ro: ReadOnly<R>) -> *mut ReadOnly<R> {
        self.read_maps.fetch_add(1, SeqCst);
        Box::into_raw(Box::new(ro))
    }

    /// Frees a read map that no thread can reach any more.
    fn free(&self, p: *mut ReadOnly<R>) {
        // SAFETY: `p` came from `boxed`, and the caller guarantees no reader holds it and that it
        // is freed once (it was removed from `read` or from the retired list).
        drop(unsafe { Box::from_raw(p) });
        self.read_maps.fetch_sub(1, SeqCst);
    }

    /// Go's lock-free `m.loadReadOnly()` and what the caller does with it, inside the reader
    /// window. `f` must not call back into the map.
    fn with_read<T>(&self, f: impl FnOnce(&ReadOnly<R>) -> T) -> T {
        self.active.fetch_add(1, SeqCst);
        let p = self.read.load(SeqCst);
        // SAFETY: `p` was current after this reader entered `active`; it can only be freed by a
        // holder of `mu` that sees `active` at zero, which cannot happen before we leave below.
        let out = f(unsafe { &*p });
        self.active.fetch_sub(1, SeqCst);
        out
    }

    /// `m.loadReadOnly()` by the holder of `mu` (the `Locked` reference is the proof): the current
    /// read map cannot be replaced or freed while `mu` is held, except by this caller, and `f` does
    /// not publish.
    fn read_locked<T>(&self, _proof: &Locked<R>, f: impl FnOnce(&ReadOnly<R>) -> T) -> T {
        // SAFETY: see above; the current read map is never in the retired list.
        f(unsafe { &*self.read.load(SeqCst) })
    }

    /// `m.read.Store(ro)` (under `mu`): publishes a new read map and retires the old one.
    fn publish(&self, g: &mut Locked<R>, ro: ReadOnly<R>) {
        let new = self.boxed(ro);
        let old = self.read.swap(new, SeqCst);
        g.retired.push(Retired(old));
    }

    /// Frees the retired read maps if no reader is inside its window (under `mu`).
    fn collect(&self, g: &mut Locked<R>) {
        if g.retired.is_empty() {
            return;
        }
        // A read-modify-write reads the latest value of `active` (see the module notes).
        if self.active.fetch_add(0, SeqCst) != 0 {
            return;
        }
        for r in std::mem::take(&mut g.retired) {
            self.free(r.0);
        }
    }

    /// Ends a locked section: frees what can be freed, then unlocks.
    pub(crate) fn unlock(&self, mut g: mapcheck_harness::rt::MutexGuard<'_, R, Locked<R>>) {
        self.collect(&mut g);
        drop(g);
    }

    /// `m.missLocked()`: counts a miss and promotes the dirty map once the misses have cost as
    /// much as copying it.
    pub(crate) fn miss_locked(&self, g: &mut Locked<R>) {
        g.misses += 1;
        if g.misses < g.dirty.as_ref().map_or(0, |d| d.len()) {
            return;
        }
        let dirty = g.dirty.take().unwrap_or_default();
        self.publish(
            g,
            ReadOnly {
                m: Arc::new(dirty),
                amended: false,
            },
        );
        g.misses = 0;
    }

    /// Go's promotion, forced: the dirty map (if any) becomes the read map, as `Range` does when
    /// the read map is amended. Deleted entries stay behind as nil or expunged.
    fn promote(&self) {
        let mut g = self.mu.lock();
        if let Some(dirty) = g.dirty.take() {
            self.publish(
                &mut g,
                ReadOnly {
                    m: Arc::new(dirty),
                    amended: false,
                },
            );
            g.misses = 0;
        }
        self.unlock(g);
    }

    /// `m.dirtyLocked()`: creates the dirty map from the read map's entries that are not deleted,
    /// expunging the deleted ones.
    fn dirty_locked(&self, g: &mut Locked<R>) {
        if g.dirty.is_some() {
            return;
        }
        let dirty = self.read_locked(g, |ro| {
            let mut d = EntryMap::with_capacity_and_hasher(ro.m.len(), Default::default());
            for (k, e) in ro.m.iter() {
                if !(self.expunge)(e) {
                    d.insert(*k, e.clone());
                }
            }
            d
        });
        g.dirty = Some(dirty);
    }

    /// `Load`.
    fn load(&self, key: Key) -> Option<Value> {
        // The fast path: the entry's `load` is done before leaving the reader window (Go does it
        // after the amended check too, without the lock).
        let fast = self.with_read(|ro| match ro.m.get(&key) {
            Some(e) => Ok(e.load()),
            None => Err(ro.amended),
        });
        match fast {
            Ok(v) => return v,
            Err(false) => return None,
            Err(true) => {}
        }
        let mut g = self.mu.lock();
        // Avoid reporting a spurious miss if the dirty map got promoted while we were blocked.
        let found = self.read_locked(&g, |ro| match ro.m.get(&key) {
            Some(e) => Ok(e.clone()),
            None => Err(ro.amended),
        });
        let e = match found {
            Ok(e) => Some(e),
            Err(false) => None,
            Err(true) => {
                let e = g.dirty.as_ref().and_then(|d| d.get(&key).cloned());
                // Whether or not the key was there, record a miss: this key takes the slow path
                // until the dirty map is promoted.
                self.miss_locked(&mut g);
                e
            }
        };
        self.unlock(g);
        e?.load()
    }

    /// `Swap`: stores the value and returns the previous one.
    fn swap(&self, key: Key, value: Value) -> Option<Value> {
        let new = encode(value);
        if let Some(Some(previous)) = self.with_read(|ro| ro.m.get(&key).map(|e| e.try_swap(new))) {
            return decode(previous);
        }
        let mut g = self.mu.lock();
        let in_read = self.read_locked(&g, |ro| {
            ro.m.get(&key).map(|e| {
                // An expunged entry is not in the (non-nil) dirty map: it must be put back there
                // before anything is stored in it.
                let unexpunged = e.unexpunge_locked().then(|| e.clone());
                (unexpunged, e.swap_locked(new))
            })
        });
        let previous = if let Some((unexpunged, previous)) = in_read {
            if let Some(e) = unexpunged {
                g.dirty
                    .as_mut()
                    .expect("an expunged entry implies a dirty map")
                    .insert(key, e);
            }
            decode(previous)
        } else if let Some(previous) = g
            .dirty
            .as_ref()
            .and_then(|d| d.get(&key))
            .map(|e| e.swap_locked(new))
        {
            decode(previous)
        } else {
            if !self.read_locked(&g, |ro| ro.amended) {
                // The first new key since the last promotion: make sure the dirty map exists and
                // mark the read map incomplete.
                self.dirty_locked(&mut g);
                let m = self.read_locked(&g, |ro| ro.m.clone());
                self.publish(&mut g, ReadOnly { m, amended: true });
            }
            g.dirty
                .get_or_insert_with(empty_entry_map)
                .insert(key, Arc::new(Entry::new(new)));
            None
        };
        self.unlock(g);
        previous
    }

    /// `LoadOrStore`: the key's value, or `None` after storing `value`.
    fn load_or_store(&self, key: Key, value: Value) -> Option<Value> {
        let new = encode(value);
        // Avoid locking if it's a clean hit.
        if let Some(Ok(found)) = self.with_read(|ro| ro.m.get(&key).map(|e| e.try_load_or_store(new))) {
            return found;
        }
        let mut g = self.mu.lock();
        let in_read = self.read_locked(&g, |ro| {
            ro.m.get(&key).map(|e| {
                let unexpunged = e.unexpunge_locked().then(|| e.clone());
                (unexpunged, e.try_load_or_store(new))
            })
        });
        let found = if let Some((unexpunged, found)) = in_read {
            if let Some(e) = unexpunged {
                g.dirty
                    .as_mut()
                    .expect("an expunged entry implies a dirty map")
                    .insert(key, e);
            }
            // Unexpunged under the lock: the entry is not expunged now.
            found.unwrap_or(None)
        } else if let Some(e) = g.dirty.as_ref().and_then(|d| d.get(&key)).cloned() {
            let found = e.try_load_or_store(new).unwrap_or(None);
            self.miss_locked(&mut g);
            found
        } else {
            if !self.read_locked(&g, |ro| ro.amended) {
                // We're adding the first new key to the dirty map.
                self.dirty_locked(&mut g);
                let m = self.read_locked(&g, |ro| ro.m.clone());
                self.publish(&mut g, ReadOnly { m, amended: true });
            }
            g.dirty
                .get_or_insert_with(empty_entry_map)
                .insert(key, Arc::new(Entry::new(new)));
            None
        };
        self.unlock(g);
        found
    }

    /// `CompareAndSwap`: stores `new` if the key holds `old`; whether it did.
    fn compare_and_swap_entry(&self, key: Key, old: Value, new: Value) -> bool {
        let (old, new) = (encode(old), encode(new));
        let fast = self.with_read(|ro| match ro.m.get(&key) {
            Some(e) => Some(e.try_compare_and_swap(old, new)),
            // No existing value for key.
            None if !ro.amended => Some(false),
            None => None,
        });
        if let Some(swapped) = fast {
            return swapped;
        }
        let mut g = self.mu.lock();
        let in_read = self.read_locked(&g, |ro| ro.m.get(&key).map(|e| e.try_compare_and_swap(old, new)));
        let swapped = match in_read {
            Some(swapped) => swapped,
            None => match g.dirty.as_ref().and_then(|d| d.get(&key)).cloned() {
                Some(e) => {
                    let swapped = e.try_compare_and_swap(old, new);
                    // The lock was needed to find the entry, and the set of keys did not change:
                    // count a miss so that the dirty map is eventually promoted.
                    self.miss_locked(&mut g);
                    swapped
                }
                None => false,
            },
        };
        self.unlock(g);
        swapped
    }

    /// `CompareAndDelete`'s lookup: the key's entry, from the read map without the lock, or from
    /// the dirty map under it (counting a miss, and leaving the entry in the dirty map: the compare
    /// is still to come).
    pub(crate) fn entry_for_delete(&self, key: Key) -> Option<Arc<R, Entry<R>>> {
        let found = self.with_read(|ro| match ro.m.get(&key) {
            Some(e) => Ok(e.clone()),
            None => Err(ro.amended),
        });
        match found {
            Ok(e) => return Some(e),
            Err(false) => return None,
            Err(true) => {}
        }
        let mut g = self.mu.lock();
        let found = self.read_locked(&g, |ro| match ro.m.get(&key) {
            Some(e) => Ok(e.clone()),
            None => Err(ro.amended),
        });
        let e = match found {
            Ok(e) => Some(e),
            Err(false) => None,
            Err(true) => {
                let e = g.dirty.as_ref().and_then(|d| d.get(&key).cloned());
                self.miss_locked(&mut g);
                e
            }
        };
        self.unlock(g);
        e
    }

    /// `CompareAndDelete`: deletes the key if it holds `old`; whether it did.
    fn compare_and_delete_entry(&self, key: Key, old: Value) -> bool {
        let old = encode(old);
        self.entry_for_delete(key)
            .is_some_and(|e| e.compare_and_delete(old))
    }

    /// `LoadAndDelete`'s lock-free path: the key's entry in the read map, deleted (`Ok` with what
    /// it held), or `Err(amended)` when the read map has no entry for it.
    pub(crate) fn delete_in_read(&self, key: Key) -> Result<Option<Value>, bool> {
        self.with_read(|ro| match ro.m.get(&key) {
            Some(e) => Ok(e.delete()),
            None => Err(ro.amended),
        })
    }

    /// `LoadAndDelete`.
    fn load_and_delete(&self, key: Key) -> Option<Value> {
        match self.delete_in_read(key) {
            Ok(v) => return v,
            Err(false) => return None,
            Err(true) => {}
        }
        let mut g = self.mu.lock();
        let found = self.read_locked(&g, |ro| match ro.m.get(&key) {
            Some(e) => Ok(e.clone()),
            None => Err(ro.amended),
        });
        let e = match found {
            Ok(e) => Some(e),
            Err(false) => None,
            Err(true) => {
                let e = g.dirty.as_mut().and_then(|d| d.remove(&key));
                self.miss_locked(&mut g);
                e
            }
        };
        self.unlock(g);
        e?.delete()
    }

    /// `Range`: promotes the dirty map if the read map is amended, then visits the read map's
    /// entries that hold a value, with no lock held and no reader window open.
    fn range(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        let (mut m, amended) = self.with_read(|ro| (ro.m.clone(), ro.amended));
        if amended {
            let mut g = self.mu.lock();
            let (current, amended) = self.read_locked(&g, |ro| (ro.m.clone(), ro.amended));
            m = current;
            if amended {
                let promoted = Arc::new(g.dirty.take().unwrap_or_default());
                self.publish(
                    &mut g,
                    ReadOnly {
                        m: promoted.clone(),
                        amended: false,
                    },
                );
                g.misses = 0;
                m = promoted;
            }
            self.unlock(g);
        }
        for (k, e) in m.iter() {
            let Some(v) = e.load() else {
                continue;
            };
            if visit(*k, v).is_break() {
                break;
            }
        }
    }

    /// `Clear` (Go 1.23).
    fn clear_all(&self) {
        if self.with_read(|ro| ro.m.is_empty() && !ro.amended) {
            // Avoid allocating a new read map when the map is already clear.
            return;
        }
        let mut g = self.mu.lock();
        if self.read_locked(&g, |ro| !ro.m.is_empty() || ro.amended) {
            self.publish(
                &mut g,
                ReadOnly {
                    m: Arc::new(empty_entry_map()),
                    amended: false,
                },
            );
        }
        // `clear(m.dirty)`: a nil dirty map stays nil, an allocated one is emptied.
        if let Some(d) = g.dirty.as_mut() {
            d.clear();
        }
        // Don't immediately promote the newly cleared dirty map on the next operation.
        g.misses = 0;
        self.unlock(g);
    }
}

impl<R: Runtime> Map for SyncMap<R> {
    fn insert(&self, key: Key, value: Value) -> Option<Value> {
        self.swap(key, value)
    }
    fn remove(&self, key: Key) -> Option<Value> {
        self.load_and_delete(key)
    }
    fn get(&self, key: Key) -> Option<Value> {
        self.load(key)
    }
    /// The number of entries `Range` visits (Go's `sync.Map` has no length).
    fn len(&self) -> usize {
        let mut n = 0;
        self.range(&mut |_, _| {
            n += 1;
            ControlFlow::Continue(())
        });
        n
    }
    fn clear(&self) {
        self.clear_all()
    }
    fn get_or_insert(&self, key: Key, value: Value) -> Option<Value> {
        self.load_or_store(key, value)
    }
    fn compare_and_swap(&self, key: Key, old: Value, new: Value) -> bool {
        self.compare_and_swap_entry(key, old, new)
    }
    fn compare_and_delete(&self, key: Key, old: Value) -> bool {
        self.compare_and_delete_entry(key, old)
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        self.range(visit)
    }
    /// Promotes the dirty map, as Go's `Range` does; deleted entries are not dropped (see the
    /// module notes).
    fn reclaim(&self) {
        self.promote()
    }
    fn footprint(&self) -> Footprint {
        let g = self.mu.lock();
        let read = self.read_locked(&g, |ro| ro.m.clone());
        let mut seen = BTreeSet::new();
        let (mut live, mut stale) = (0, 0);
        for e in read.values().chain(g.dirty.iter().flat_map(|d| d.values())) {
            if seen.insert(&**e as *const Entry<R> as usize) {
                match e.p.load(SeqCst) {
                    NIL | EXPUNGED => stale += 1,
                    _ => live += 1,
                }
            }
        }
        let capacity = read.capacity() + g.dirty.as_ref().map_or(0, |d| d.capacity());
        drop(g);
        let snapshots = self.read_maps.load(SeqCst);
        // A map slot holds a key, a pointer and a control byte; an entry is its slot word plus an
        // `Arc` header of two counts; a read map is a pointer and a flag.
        let slot_bytes = std::mem::size_of::<Key>() + std::mem::size_of::<usize>() + 1;
        let entry_bytes = 3 * std::mem::size_of::<usize>();
        let read_map_bytes = 2 * std::mem::size_of::<usize>();
        Footprint {
            live,
            stale,
            snapshots,
            capacity,
            bytes: capacity * slot_bytes + seen.len() * entry_bytes + snapshots * read_map_bytes,
        }
    }
}

impl<R: Runtime> Drop for SyncMap<R> {
    fn drop(&mut self) {
        let retired = std::mem::take(&mut self.mu.lock().retired);
        for r in retired {
            self.free(r.0);
        }
        let current = self.read.swap(std::ptr::null_mut(), SeqCst);
        if !current.is_null() {
            self.free(current);
        }
    }
}

/// The `syncmap` family: Go's `sync.Map`.
pub struct Syncmap;

impl Structure for Syncmap {
    type Map<R: Runtime> = SyncMap<R>;
    fn new<R: Runtime>() -> SyncMap<R> {
        SyncMap::new()
    }
    /// Go 1.20's `LoadOrStore`, `CompareAndSwap` and `CompareAndDelete` (`Swap` is `insert`,
    /// `LoadAndDelete` is `remove`).
    const SUPPORTS: Ops = Ops::STANDARD
        .with(Ops::GET_OR_INSERT)
        .with(Ops::COMPARE_AND_SWAP)
        .with(Ops::COMPARE_AND_DELETE);
    const INFO: StructureInfo = StructureInfo {
        name: "syncmap",
        summary: "Go's sync.Map: a lock-free read map, a dirty map under a mutex promoted after \
                  enough misses, deleted entries left nil or expunged until a new key and a promotion",
        // Go documents that `Range` "may reflect any mapping for that key from any point during
        // the Range call": it walks the read map it loaded at the start, so an entry a concurrent
        // `Clear` (or a promotion) detached is still visited, with the value it held then.
        iteration: IterationGuarantee::WeaklyConsistentSinceStart,
        reclamation: ReclamationPolicy::StaleRetained,
        atomic_whole_map: false,
        unsynchronised: false,
        mutant: None,
    };
}

#[cfg(test)]
mod tests;

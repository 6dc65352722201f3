//! `cow` (S4): copy-on-write. Every write clones the current snapshot, changes the clone and
//! publishes it with compare-and-swap, retrying on conflict; readers load the snapshot with no lock.
//!
//! Reclamation: each snapshot is reference-counted. A reader announces itself in `active`, loads the
//! pointer, takes a reference and leaves `active`. A writer that replaced a snapshot retires it; a
//! retired snapshot loses the reference "being current" only when `active` is seen at zero, which
//! (all accesses being SeqCst) proves that every reader that loaded it has already taken its own
//! reference. The last reference frees the snapshot, so an old snapshot lives exactly as long as a
//! reader holds it, plus at most until the next write or reclamation step.

use super::DetMap;
use mapcheck_harness::rt::{AtomicPtr, AtomicPtrOps, AtomicUsize, AtomicUsizeOps, Mutex, Runtime};
use mapcheck_harness::{
    Footprint, IterationGuarantee, Key, Map, ReclamationPolicy, Structure, StructureInfo, Value,
};
use std::ops::ControlFlow;
use std::sync::atomic::Ordering::SeqCst;

/// One published version of the map.
pub struct Snapshot<R: Runtime> {
    refs: AtomicUsize<R>,
    pub map: DetMap,
}

/// `CAS = false` is the mutant the incident reports describe: load, clone, change and *store*
/// without compare-and-swap, so a concurrent writer's change is overwritten (a lost delete or a lost
/// insert).
pub struct CowMap<R: Runtime, const CAS: bool = true> {
    current: AtomicPtr<R, Snapshot<R>>,
    /// Readers between loading `current` and taking their reference.
    active: AtomicUsize<R>,
    /// Replaced snapshots still holding their "current" reference (as addresses).
    retired: Mutex<R, Vec<usize>>,
    /// Snapshots alive, for the footprint (bookkeeping, invisible to the model checker).
    alive: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

/// A reader's reference to one snapshot.
pub struct Guard<'a, R: Runtime, const CAS: bool> {
    owner: &'a CowMap<R, CAS>,
    ptr: *mut Snapshot<R>,
}

impl<R: Runtime, const CAS: bool> std::ops::Deref for Guard<'_, R, CAS> {
    type Target = Snapshot<R>;
    fn deref(&self) -> &Snapshot<R> {
        // SAFETY: the guard holds a reference, so the snapshot is not freed while it lives.
        unsafe { &*self.ptr }
    }
}

impl<R: Runtime, const CAS: bool> Drop for Guard<'_, R, CAS> {
    fn drop(&mut self) {
        self.owner.release(self.ptr);
    }
}

impl<R: Runtime, const CAS: bool> CowMap<R, CAS> {
    fn publish(&self, map: DetMap) -> *mut Snapshot<R> {
        self.alive.fetch_add(1, SeqCst);
        Box::into_raw(Box::new(Snapshot {
            refs: AtomicUsize::new(1),
            map,
        }))
    }

    /// Takes a reference to the current snapshot.
    pub fn acquire(&self) -> Guard<'_, R, CAS> {
        self.active.fetch_add(1, SeqCst);
        let ptr = self.current.load(SeqCst);
        // SAFETY: `ptr` was current after we entered `active`; it cannot have lost its "current"
        // reference until `active` is seen at zero, which cannot happen before we leave it.
        unsafe { (*ptr).refs.fetch_add(1, SeqCst) };
        self.active.fetch_sub(1, SeqCst);
        Guard { owner: self, ptr }
    }

    /// Drops one reference; the last one frees the snapshot.
    fn release(&self, ptr: *mut Snapshot<R>) {
        // SAFETY: the caller owns one reference, so the snapshot is alive.
        if unsafe { (*ptr).refs.fetch_sub(1, SeqCst) } == 1 {
            // SAFETY: that was the last reference; nobody else can reach the snapshot.
            drop(unsafe { Box::from_raw(ptr) });
            self.alive.fetch_sub(1, SeqCst);
        }
    }

    /// Retires a replaced snapshot and frees what can be freed.
    fn retire(&self, ptr: *mut Snapshot<R>) {
        self.retired.lock().push(ptr as usize);
        self.collect();
    }

    /// Drops the "current" reference of every retired snapshot if no reader is mid-acquire.
    fn collect(&self) {
        let mut retired = self.retired.lock();
        if retired.is_empty() || self.active.load(SeqCst) != 0 {
            return;
        }
        for p in retired.drain(..) {
            self.release(p as *mut Snapshot<R>);
        }
    }

    /// Clones, changes and publishes, retrying until the compare-and-swap wins.
    fn update<T>(&self, change: impl Fn(&mut DetMap) -> T) -> T {
        loop {
            let snap = self.acquire();
            let mut next = snap.map.clone();
            let out = change(&mut next);
            let new = self.publish(next);
            if !CAS {
                let old = self.current.swap(new, SeqCst);
                drop(snap);
                self.retire(old);
                return out;
            }
            match self.current.compare_exchange(snap.ptr, new, SeqCst, SeqCst) {
                Ok(old) => {
                    drop(snap);
                    self.retire(old);
                    return out;
                }
                Err(_) => {
                    drop(snap);
                    self.release(new);
                }
            }
        }
    }
}

impl<R: Runtime, const CAS: bool> Map for CowMap<R, CAS> {
    fn insert(&self, key: Key, value: Value) -> Option<Value> {
        self.update(|m| m.insert(key, value))
    }
    fn remove(&self, key: Key) -> Option<Value> {
        self.update(|m| m.remove(&key))
    }
    fn get(&self, key: Key) -> Option<Value> {
        self.acquire().map.get(&key).copied()
    }
    fn len(&self) -> usize {
        self.acquire().map.len()
    }
    fn clear(&self) {
        self.update(|m| *m = DetMap::default())
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        let snap = self.acquire();
        for (k, v) in snap.map.iter() {
            if visit(*k, *v).is_break() {
                break;
            }
        }
    }
    /// Frees retired snapshots that no reader holds.
    fn reclaim(&self) {
        self.collect()
    }
    fn footprint(&self) -> Footprint {
        let snap = self.acquire();
        let snapshots = self.alive.load(SeqCst);
        Footprint {
            live: snap.map.len(),
            stale: 0,
            snapshots,
            capacity: snap.map.capacity(),
            bytes: snapshots * snap.map.capacity() * std::mem::size_of::<(Key, Value)>(),
        }
    }
}

impl<R: Runtime, const CAS: bool> Drop for CowMap<R, CAS> {
    fn drop(&mut self) {
        let retired: Vec<usize> = self.retired.lock().drain(..).collect();
        for p in retired {
            self.release(p as *mut Snapshot<R>);
        }
        self.release(self.current.load(SeqCst));
    }
}

// SAFETY: the raw pointers name heap snapshots whose lifetime is managed by the reference counts
// above; `DetMap` is Send + Sync and every shared mutation goes through the runtime's atomics.
unsafe impl<R: Runtime, const CAS: bool> Send for CowMap<R, CAS> {}
unsafe impl<R: Runtime, const CAS: bool> Sync for CowMap<R, CAS> {}

pub struct Cow;

impl Structure for Cow {
    type Map<R: Runtime> = CowMap<R>;
    fn new<R: Runtime>() -> CowMap<R> {
        new_cow()
    }
    const INFO: StructureInfo = StructureInfo {
        name: "cow",
        summary: "copy-on-write snapshots published by compare-and-swap, read without a lock",
        iteration: IterationGuarantee::Snapshot,
        reclamation: ReclamationPolicy::OneSnapshotRetained,
        atomic_whole_map: true,
        unsynchronised: false,
        mutant: None,
    };
}

pub(crate) fn new_cow<R: Runtime, const CAS: bool>() -> CowMap<R, CAS> {
    {
        let m: CowMap<R, CAS> = CowMap {
            current: AtomicPtr::new(std::ptr::null_mut()),
            active: AtomicUsize::new(0),
            retired: Mutex::new(Vec::new()),
            alive: Default::default(),
        };
        let first = m.publish(DetMap::default());
        m.current.store(first, SeqCst);
        m
    }
}

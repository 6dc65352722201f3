//! `tombstone` (S6): delete marks a tombstone; a background GC thread removes tombstones later.
//!
//! All entries live under one mutex, so every operation is atomic. The GC thread sleeps on a
//! condition variable and wakes when tombstones pile up past a threshold, when the reclamation step
//! asks for a tick, or when the map is dropped, which sets the stop flag and joins the thread (the
//! goroutine leak in the incident reports is a GC that nobody stops). A reinsert of a tombstoned key
//! revives the entry, so a GC pass never removes a live value.

use mapcheck_harness::rt::{spawn, Arc, Condvar, JoinHandle, Mutex, Runtime};
use mapcheck_harness::{
    Footprint, IterationGuarantee, Key, Map, Ops, ReclamationPolicy, Structure, StructureInfo, Value,
};
use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::ops::ControlFlow;

/// The GC wakes by itself once this many tombstones are waiting.
pub const GC_THRESHOLD: usize = 2;

/// A slot: a value, or the tombstone of a deleted one.
#[derive(Clone, Copy, Debug)]
pub struct Slot {
    pub value: Value,
    pub dead: bool,
}

pub type Slots = HashMap<Key, Slot, BuildHasherDefault<DefaultHasher>>;

pub struct State {
    pub slots: Slots,
    pub live: usize,
    pub tombstones: usize,
    pub stop: bool,
    /// GC ticks asked for by the reclamation step, and ticks done.
    pub requested: u64,
    pub completed: u64,
}

pub struct Shared<R: Runtime> {
    pub state: Mutex<R, State>,
    pub wake: Condvar<R>,
}

pub struct TombstoneMap<R: Runtime> {
    pub shared: Arc<R, Shared<R>>,
    gc: Mutex<R, Option<JoinHandle<R, ()>>>,
    /// False only in the `tombstone-gc-leak` mutant: dropping the map leaves the GC thread running.
    pub stop_on_drop: bool,
}

impl<R: Runtime> TombstoneMap<R> {
    /// Starts a map whose GC thread runs `gc_pass` on every wake-up.
    pub fn with_gc(gc_pass: fn(&Shared<R>)) -> Self {
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                slots: Slots::default(),
                live: 0,
                tombstones: 0,
                stop: false,
                requested: 0,
                completed: 0,
            }),
            wake: Condvar::new(),
        });
        let worker = shared.clone();
        let gc = spawn::<R, _>(move || gc_loop(&worker, gc_pass));
        TombstoneMap {
            shared,
            gc: Mutex::new(Some(gc)),
            stop_on_drop: true,
        }
    }

    /// Tells the GC to stop and waits for it; what `Drop` does.
    pub fn stop_gc(&self) {
        self.shared.state.lock().stop = true;
        self.shared.wake.notify_all();
        if let Some(h) = self.gc.lock().take() {
            let _ = h.join();
        }
    }
}

/// The GC thread: sleep until there is work or a stop, then run one pass.
fn gc_loop<R: Runtime>(shared: &Shared<R>, gc_pass: fn(&Shared<R>)) {
    loop {
        {
            let mut st = shared.state.lock();
            while !st.stop && st.requested == st.completed && st.tombstones < GC_THRESHOLD {
                st = shared.wake.wait(st);
            }
            if st.stop {
                return;
            }
        }
        gc_pass(shared);
    }
}

/// The correct pass: under the lock, drop every tombstone and mark the requested ticks done.
pub fn purge<R: Runtime>(shared: &Shared<R>) {
    let mut st = shared.state.lock();
    st.slots.retain(|_, s| !s.dead);
    st.slots.shrink_to_fit();
    st.tombstones = 0;
    st.completed = st.requested;
    drop(st);
    shared.wake.notify_all();
}

impl<R: Runtime> Map for TombstoneMap<R> {
    fn insert(&self, key: Key, value: Value) -> Option<Value> {
        let mut st = self.shared.state.lock();
        let st = &mut *st;
        match st.slots.get_mut(&key) {
            Some(s) if !s.dead => Some(std::mem::replace(&mut s.value, value)),
            Some(s) => {
                *s = Slot { value, dead: false };
                st.tombstones -= 1;
                st.live += 1;
                None
            }
            None => {
                st.slots.insert(key, Slot { value, dead: false });
                st.live += 1;
                None
            }
        }
    }
    fn remove(&self, key: Key) -> Option<Value> {
        let mut st = self.shared.state.lock();
        let st = &mut *st;
        let s = st.slots.get_mut(&key).filter(|s| !s.dead)?;
        s.dead = true;
        let v = s.value;
        st.live -= 1;
        st.tombstones += 1;
        if st.tombstones >= GC_THRESHOLD {
            self.shared.wake.notify_all();
        }
        Some(v)
    }
    fn get(&self, key: Key) -> Option<Value> {
        let st = self.shared.state.lock();
        st.slots.get(&key).filter(|s| !s.dead).map(|s| s.value)
    }
    fn len(&self) -> usize {
        self.shared.state.lock().live
    }
    fn clear(&self) {
        let mut st = self.shared.state.lock();
        let st = &mut *st;
        for s in st.slots.values_mut().filter(|s| !s.dead) {
            s.dead = true;
            st.tombstones += 1;
        }
        st.live = 0;
        if st.tombstones >= GC_THRESHOLD {
            self.shared.wake.notify_all();
        }
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        let copy: Vec<(Key, Value)> = {
            let st = self.shared.state.lock();
            st.slots
                .iter()
                .filter(|(_, s)| !s.dead)
                .map(|(k, s)| (*k, s.value))
                .collect()
        };
        for (k, v) in copy {
            if visit(k, v).is_break() {
                break;
            }
        }
    }
    /// Under the lock, as `clear` is: the entries `keep` refuses become tombstones at one instant.
    fn retain(&self, keep: &mut dyn FnMut(Key, Value) -> bool) {
        let mut st = self.shared.state.lock();
        let st = &mut *st;
        let mut dropped = 0;
        for (k, s) in st.slots.iter_mut().filter(|(_, s)| !s.dead) {
            if !keep(*k, s.value) {
                s.dead = true;
                dropped += 1;
            }
        }
        st.live -= dropped;
        st.tombstones += dropped;
        if st.tombstones >= GC_THRESHOLD {
            self.shared.wake.notify_all();
        }
    }
    /// Asks the GC thread for one tick and waits until it has run.
    fn reclaim(&self) {
        let mut st = self.shared.state.lock();
        st.requested += 1;
        let target = st.requested;
        self.shared.wake.notify_all();
        while st.completed < target && !st.stop {
            st = self.shared.wake.wait(st);
        }
    }
    /// Live entries and tombstones are counted from the slots, not from the `live` and
    /// `tombstones` counters: a pass that resets its counter without removing every dead slot
    /// shows up here.
    fn footprint(&self) -> Footprint {
        let st = self.shared.state.lock();
        let dead = st.slots.values().filter(|s| s.dead).count();
        Footprint {
            live: st.slots.len() - dead,
            stale: dead,
            snapshots: 1,
            capacity: st.slots.capacity(),
            bytes: st.slots.capacity() * std::mem::size_of::<(Key, Slot)>(),
        }
    }
}

impl<R: Runtime> Drop for TombstoneMap<R> {
    fn drop(&mut self) {
        if self.stop_on_drop {
            self.stop_gc();
        }
    }
}

pub struct Tombstone;

impl Structure for Tombstone {
    type Map<R: Runtime> = TombstoneMap<R>;
    fn new<R: Runtime>() -> TombstoneMap<R> {
        TombstoneMap::with_gc(purge::<R>)
    }
    const SUPPORTS: Ops = Ops::STANDARD.with(Ops::RETAIN);
    const INFO: StructureInfo = StructureInfo {
        name: "tombstone",
        summary: "delete marks a tombstone; a background GC thread purges them and stops on drop",
        iteration: IterationGuarantee::Snapshot,
        reclamation: ReclamationPolicy::TombstonesPurgedByGc,
        atomic_whole_map: true,
        unsynchronised: false,
        mutant: None,
    };
}

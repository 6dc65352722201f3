//! `evmap` 11: a lock-free, eventually consistent multi-value map over `left-right`: readers read
//! one of two copies, the writer changes the other and swaps them on `publish`.
//!
//! What its documentation says, and what the declaration follows:
//! - "readers only see the operations that preceeded the last call to `WriteHandle::refresh` by a
//!   writer ... They can refresh the map after every write to emulate a regular concurrent
//!   `HashMap`", and writes need a single writer ("multi-writer is possible using a `Mutex`"):
//!   the adapter is that emulation of a map, as the documentation describes it: one `Mutex` around
//!   the write handle, each write followed by `publish`, `update` (which replaces a key's value-bag
//!   with one value) for insert, `remove_entry` for remove, `purge` for clear. The write handle
//!   reads the published copy, so the value a write replaces is read under the writer's lock.
//! - "A fresh `ReadHandle` needs to be created for each thread ... by cloning a `ReadHandle`" (it
//!   is `Send` but not `Sync`): each read clones one kept behind a `Mutex`. `len` and iteration read one published copy: len and clear take effect at one
//!   instant, and an iteration is a snapshot, copied before the visits (a visitor that removes
//!   publishes, and `publish` waits for readers to leave the copy it replaces, so the copy must be
//!   released first).
//! - Nothing is reclaimed after drop; no capacity is exposed.

use crate::visit_copy;
use mapcheck::prelude::*;
use std::sync::Mutex;

pub struct EvMap {
    write: Mutex<evmap::handles::WriteHandle<Key, Value>>,
    read: Mutex<evmap::handles::ReadHandle<Key, Value>>,
}

impl EvMap {
    /// Runs `change` on the write handle, then publishes.
    fn write<T>(&self, change: impl FnOnce(&mut evmap::handles::WriteHandle<Key, Value>) -> T) -> T {
        let mut w = self.write.lock().unwrap_or_else(|e| e.into_inner());
        let out = change(&mut w);
        w.publish();
        out
    }

    /// The value of `k` in the copy the write handle last published.
    fn published(w: &evmap::handles::WriteHandle<Key, Value>, k: Key) -> Option<Value> {
        w.get_one(&k).map(|v| *v)
    }

    /// A fresh read handle for the calling thread.
    fn reader(&self) -> evmap::handles::ReadHandle<Key, Value> {
        self.read.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Map for EvMap {
    fn insert(&self, k: Key, v: Value) -> Option<Value> {
        self.write(|w| {
            let old = Self::published(w, k);
            w.update(k, v);
            old
        })
    }
    fn remove(&self, k: Key) -> Option<Value> {
        self.write(|w| {
            let old = Self::published(w, k);
            w.remove_entry(k);
            old
        })
    }
    fn get(&self, k: Key) -> Option<Value> {
        self.reader().get_one(&k).map(|v| *v)
    }
    fn len(&self) -> usize {
        self.reader().len()
    }
    fn clear(&self) {
        self.write(|w| {
            w.purge();
        })
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        let handle = self.reader();
        let copy: Vec<(Key, Value)> = match handle.enter() {
            Some(map) => map
                .iter()
                .filter_map(|(k, bag)| bag.get_one().map(|v| (*k, *v)))
                .collect(),
            None => Vec::new(),
        };
        visit_copy(copy, visit)
    }
}

impl Adapter for EvMap {
    const INFO: StructureInfo = StructureInfo::new("evmap")
        .summary("evmap 11: left-right copies, one writer behind a Mutex, publish after every write")
        .iteration(IterationGuarantee::Snapshot)
        .atomic_whole_map();
    fn new() -> Self {
        let (mut w, r) = evmap::new();
        // Readers see nothing before the first publish; the empty map is published at once.
        w.publish();
        EvMap {
            write: Mutex::new(w),
            read: Mutex::new(r),
        }
    }
}

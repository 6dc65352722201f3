//! `gomap-locked`: Go's map behind a mutex, the way Go code shares a map between goroutines
//! (`mu.Lock(); m[k] = v; mu.Unlock()`), with an iteration that holds the mutex for one step at a
//! time, so other goroutines' writes land between its steps.
//!
//! Every operation takes the mutex around the map's own code, so no two goroutines ever touch the
//! map at once and its `hashWriting` detector never fires. An iteration takes the mutex for
//! `mapiterinit` and for each `mapiternext`, and calls the visitor with the mutex released: a write
//! from another goroutine between two steps is then exactly what a range body's own write is to
//! Go's iterator, which the Go spec allows and Go's map handles (an entry not yet reached that is
//! removed is not produced; one created may or may not be; the table may grow, and the iterator
//! keeps walking the table it started on, re-finding entries that moved). So the whole map is
//! linearizable, and its iteration weakly consistent as the Go spec says.
//!
//! The compound operations are what Go code writes under its mutex: a lookup and a store or delete
//! in one critical section (`mu.Lock(); if v, ok := m[k]; !ok { m[k] = nv }; mu.Unlock()`), and a
//! retain is a range that deletes what it drops, the whole range under the mutex.
//!
//! This is the structure whose iteration races growth at the sizes the check uses, under every
//! engine, without the data race that stops every exploration of the bare map first; its mutant
//! `gomap-iter-revisit` is an iterator that loses track of its table when the map grows.

use super::GoMap;
use mapcheck_harness::rt::{Mutex, Runtime};
use mapcheck_harness::{
    Footprint, IterationGuarantee, Key, Map, Ops, ReclamationPolicy, Structure, StructureInfo, Value,
};
use std::ops::ControlFlow;

/// Go's map and the mutex every access holds.
pub struct LockedGoMap<R: Runtime> {
    map: GoMap<R>,
    mu: Mutex<R, ()>,
}

impl<R: Runtime> LockedGoMap<R> {
    /// A locked map around `map`.
    pub(crate) fn around(map: GoMap<R>) -> Self {
        LockedGoMap {
            map,
            mu: Mutex::new(()),
        }
    }

    fn locked<T>(&self, f: impl FnOnce(&GoMap<R>) -> T) -> T {
        let g = self.mu.lock();
        let out = f(&self.map);
        drop(g);
        out
    }
}

impl<R: Runtime> Map for LockedGoMap<R> {
    fn insert(&self, key: Key, value: Value) -> Option<Value> {
        self.locked(|m| m.insert(key, value))
    }
    fn remove(&self, key: Key) -> Option<Value> {
        self.locked(|m| m.remove(key))
    }
    fn get(&self, key: Key) -> Option<Value> {
        self.locked(|m| m.get(key))
    }
    fn len(&self) -> usize {
        self.locked(|m| m.len())
    }
    fn clear(&self) {
        self.locked(|m| m.clear())
    }
    /// `mapiterinit` and each `mapiternext` under the mutex; the visitor runs without it.
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        let Some(mut it) = self.locked(|m| m.iter_init()) else {
            return;
        };
        while let Some((k, v)) = self.locked(|m| m.iter_next::<true>(&mut it)) {
            if visit(k, v).is_break() {
                break;
            }
        }
    }
    fn get_or_insert(&self, key: Key, value: Value) -> Option<Value> {
        self.locked(|m| {
            let found = m.get(key);
            if found.is_none() {
                m.insert(key, value);
            }
            found
        })
    }
    fn compare_and_swap(&self, key: Key, old: Value, new: Value) -> bool {
        self.locked(|m| {
            let swap = m.get(key) == Some(old);
            if swap {
                m.insert(key, new);
            }
            swap
        })
    }
    fn compare_and_delete(&self, key: Key, old: Value) -> bool {
        self.locked(|m| {
            let delete = m.get(key) == Some(old);
            if delete {
                m.remove(key);
            }
            delete
        })
    }
    fn remove_if(&self, key: Key, remove: &dyn Fn(Value) -> bool) -> Option<Value> {
        self.locked(|m| match m.get(key) {
            Some(v) if remove(v) => m.remove(key),
            _ => None,
        })
    }
    fn update(&self, key: Key, modify: &dyn Fn(Value) -> Value, insert: Option<Value>) -> Option<Value> {
        self.locked(|m| {
            let found = m.get(key);
            if let Some(new) = found.map(modify).or(insert) {
                m.insert(key, new);
            }
            found
        })
    }
    /// A range that deletes what it drops, under the mutex for the whole walk.
    fn retain(&self, keep: &mut dyn FnMut(Key, Value) -> bool) {
        self.locked(|m| {
            let Some(mut it) = m.iter_init() else {
                return;
            };
            while let Some((k, v)) = m.iter_next::<true>(&mut it) {
                if !keep(k, v) {
                    m.remove(k);
                }
            }
        })
    }
    /// Go has no reclamation step.
    fn reclaim(&self) {}
    fn footprint(&self) -> Footprint {
        self.locked(|m| m.footprint())
    }
}

/// The `gomap-locked` family.
pub struct GomapLocked;

impl Structure for GomapLocked {
    type Map<R: Runtime> = LockedGoMap<R>;
    fn new<R: Runtime>() -> LockedGoMap<R> {
        LockedGoMap::around(GoMap::new())
    }
    const SUPPORTS: Ops = Ops::STANDARD.with(Ops::COMPOUND);
    const INFO: StructureInfo = StructureInfo {
        name: "gomap-locked",
        summary: "Go's map behind a mutex; an iteration holds it one step at a time, so writes land \
                  between its steps as a range body's own writes do",
        iteration: IterationGuarantee::WeaklyConsistent,
        reclamation: ReclamationPolicy::NeverShrinks,
        atomic_whole_map: true,
        unsynchronised: false,
        mutant: None,
    };
}

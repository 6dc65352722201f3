//! `scc` 3: `scc::HashMap`, one bucket array with a reader-writer lock per bucket, non-blocking
//! incremental resizing, bucket arrays reclaimed through `sdd`.
//!
//! `iter_sync` calls its closure while it holds the bucket's read lock, so removing the visited key
//! from the closure would wait for that lock; iteration copies the entries through `iter_sync` and
//! visits the copy (bucket by bucket, every entry read before the visits start: weakly consistent
//! since the start). `len` reads every bucket's metadata (and,
//! the documentation says, "may overcount entries if an old bucket array has not yet been
//! dropped"), and `clear_sync` is `retain_sync(|_, _| false)`: neither is atomic. scc grows and
//! shrinks on its own as entries come and go, but only when it samples: a removal looks at a few
//! buckets around it and, when they are under one-eighth full, estimates again from a larger sample
//! before it resizes. No bound on the capacity holds at quiescence (delete-during-iteration left
//! 256 slots for 16 to 19 live entries in 8 of 12 runs), so no reclamation bound is declared: its
//! capacity is not judged.
//!
//! Dropping the map retires its bucket arrays to `sdd`, which frees them once the thread that
//! retired them has witnessed three more epochs: the adapter declares sdd's settle step, which has
//! every thread of the run take guards until those epochs have passed, as a long-lived thread would
//! later, so the leak oracle sees what is really kept.
//!
//! The compound operations are scc's own, each under one bucket's write lock: `entry_sync` for
//! get-or-insert and update in place (the documentation's counter:
//! `entry_sync(k).and_modify(..).or_insert(..)`, here keeping the previous value), `update_sync`
//! for compare-and-swap, `remove_if_sync` for remove-if and compare-and-delete. Its
//! `retain_sync` is not declared: "the same entry can be visited more than once if the HashMap
//! gets resized by another thread", and a retain calls its predicate once per entry.

use crate::{settle, visit_copy, Fixed};
use mapcheck_harness::adapter::Adapter;
use mapcheck_harness::{
    Footprint, IterationGuarantee, Key, Map, Ops, ReclamationPolicy, Settle, StructureInfo, Value,
};
use std::ops::ControlFlow;

pub struct SccAdapter(scc::HashMap<Key, Value, Fixed>);

impl Adapter for SccAdapter {
    const INFO: StructureInfo = StructureInfo {
        name: "scc",
        summary: "scc 3: bucket-locked table, non-blocking incremental resizing, sdd reclamation",
        iteration: IterationGuarantee::WeaklyConsistentSinceStart,
        reclamation: ReclamationPolicy::NotObservable,
        atomic_whole_map: false,
        unsynchronised: false,
        mutant: None,
    };
    /// "It may overcount entries if an old bucket array has not yet been dropped."
    const LEN_IS_ESTIMATE: bool = true;
    const SETTLE: Settle = settle::SDD;
    const SUPPORTS: Ops = Ops::STANDARD.with(Ops::COMPOUND).without(Ops::RETAIN);
    fn new() -> Self {
        SccAdapter(scc::HashMap::with_hasher(Fixed::default()))
    }
}

impl Map for SccAdapter {
    fn insert(&self, key: Key, value: Value) -> Option<Value> {
        self.0.upsert_sync(key, value)
    }
    fn remove(&self, key: Key) -> Option<Value> {
        self.0.remove_sync(&key).map(|(_, v)| v)
    }
    fn get(&self, key: Key) -> Option<Value> {
        self.0.read_sync(&key, |_, v| *v)
    }
    fn len(&self) -> usize {
        self.0.len()
    }
    fn clear(&self) {
        self.0.clear_sync()
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        let mut copy = Vec::new();
        self.0.iter_sync(|k, v| {
            copy.push((*k, *v));
            true
        });
        visit_copy(copy, visit)
    }
    fn get_or_insert(&self, key: Key, value: Value) -> Option<Value> {
        match self.0.entry_sync(key) {
            scc::hash_map::Entry::Occupied(o) => Some(*o.get()),
            scc::hash_map::Entry::Vacant(v) => {
                v.insert_entry(value);
                None
            }
        }
    }
    fn compare_and_swap(&self, key: Key, old: Value, new: Value) -> bool {
        self.0
            .update_sync(&key, |_, v| {
                let swap = *v == old;
                if swap {
                    *v = new;
                }
                swap
            })
            .unwrap_or(false)
    }
    fn compare_and_delete(&self, key: Key, old: Value) -> bool {
        self.0.remove_if_sync(&key, |v| *v == old).is_some()
    }
    fn remove_if(&self, key: Key, remove: &dyn Fn(Value) -> bool) -> Option<Value> {
        self.0.remove_if_sync(&key, |v| remove(*v)).map(|(_, v)| v)
    }
    fn update(&self, key: Key, modify: &dyn Fn(Value) -> Value, insert: Option<Value>) -> Option<Value> {
        match self.0.entry_sync(key) {
            scc::hash_map::Entry::Occupied(mut o) => {
                let old = *o.get();
                *o.get_mut() = modify(old);
                Some(old)
            }
            scc::hash_map::Entry::Vacant(v) => {
                if let Some(i) = insert {
                    v.insert_entry(i);
                }
                None
            }
        }
    }
    fn footprint(&self) -> Footprint {
        let capacity = self.0.capacity();
        Footprint {
            live: self.0.len(),
            stale: 0,
            snapshots: 1,
            capacity,
            bytes: capacity * std::mem::size_of::<(Key, Value)>(),
        }
    }
}

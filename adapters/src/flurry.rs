//! `flurry` 0.5: a port of Java's ConcurrentHashMap (lock-free reads, a lock per bin for writes),
//! with memory reclaimed through `seize`.
//!
//! Its documentation: iterators "return elements reflecting the state of the hash table at some
//! point at or since the creation of the iterator" (weakly consistent since the start: nothing is
//! promised per visit), and `len` is "typically
//! useful only when a map is not undergoing concurrent updates" (not atomic, nor is `clear`, which
//! walks the bins). The iteration here is flurry's own iterator, with the visitor removing keys
//! while it runs (reads take no lock). flurry exposes no capacity: nothing to judge before drop.
//!
//! The compound operations are flurry's own atomic ones: `try_insert` for get-or-insert (its error
//! carries the value already there), and `compute_if_present` ("the entire method invocation is
//! performed atomically"; its function is "invoked exactly once per invocation of this method if
//! the key is present, else not at all") for compare-and-swap, compare-and-delete, remove-if and
//! the update of a present value; an update that inserts when the key is absent is
//! `compute_if_present`, then `try_insert` when it found nothing, again from the start when
//! `try_insert` found a value put there meanwhile. A value the function keeps is written back as it
//! was (flurry's function cannot leave the entry alone). Its `retain` is not declared: an entry
//! whose value "is concurrently modified before the removal takes place" is kept although the
//! predicate said to remove it, and a retain removes every visited entry its predicate matches.

use crate::{settle, Fixed};
use mapcheck_harness::adapter::Adapter;
use mapcheck_harness::{IterationGuarantee, Key, Map, Ops, ReclamationPolicy, Settle, StructureInfo, Value};
use std::ops::ControlFlow;

pub struct FlurryAdapter(flurry::HashMap<Key, Value, Fixed>);

impl Adapter for FlurryAdapter {
    const INFO: StructureInfo = StructureInfo {
        name: "flurry",
        summary: "flurry 0.5: Java's ConcurrentHashMap ported, seize reclamation",
        iteration: IterationGuarantee::WeaklyConsistentSinceStart,
        reclamation: ReclamationPolicy::NotObservable,
        atomic_whole_map: false,
        unsynchronised: false,
        mutant: None,
    };
    /// "Otherwise the results of these methods reflect transient states that may be adequate for
    /// monitoring or estimation purposes": the count is updated out of step with the bins (`clear`
    /// applies its whole delta at the end), and the check found `len` above every count of keys
    /// that could be present.
    const LEN_IS_ESTIMATE: bool = true;
    /// Each map owns its seize collector (nothing is deferred past the drop), and its bin locks
    /// are parking_lot mutexes.
    const SETTLE: Settle = settle::PARKING_LOT;
    /// Every compound operation but retain (see the module's documentation).
    const SUPPORTS: Ops = Ops::STANDARD.with(Ops::COMPOUND).without(Ops::RETAIN);
    fn new() -> Self {
        FlurryAdapter(flurry::HashMap::with_hasher(Fixed::default()))
    }
}

impl Map for FlurryAdapter {
    fn insert(&self, key: Key, value: Value) -> Option<Value> {
        self.0.pin().insert(key, value).copied()
    }
    fn remove(&self, key: Key) -> Option<Value> {
        self.0.pin().remove(&key).copied()
    }
    fn get(&self, key: Key) -> Option<Value> {
        self.0.pin().get(&key).copied()
    }
    fn len(&self) -> usize {
        self.0.len()
    }
    fn clear(&self) {
        self.0.pin().clear()
    }
    fn get_or_insert(&self, key: Key, value: Value) -> Option<Value> {
        match self.0.pin().try_insert(key, value) {
            Ok(_) => None,
            Err(e) => Some(*e.current),
        }
    }
    fn compare_and_swap(&self, key: Key, old: Value, new: Value) -> bool {
        let mut swapped = false;
        self.0.pin().compute_if_present(&key, |_, v| {
            swapped = *v == old;
            Some(if swapped { new } else { *v })
        });
        swapped
    }
    fn compare_and_delete(&self, key: Key, old: Value) -> bool {
        self.remove_if(key, &|v| v == old).is_some()
    }
    fn remove_if(&self, key: Key, remove: &dyn Fn(Value) -> bool) -> Option<Value> {
        let mut removed = None;
        self.0.pin().compute_if_present(&key, |_, v| {
            if remove(*v) {
                removed = Some(*v);
                None
            } else {
                Some(*v)
            }
        });
        removed
    }
    fn update(&self, key: Key, modify: &dyn Fn(Value) -> Value, insert: Option<Value>) -> Option<Value> {
        let map = self.0.pin();
        loop {
            let mut old = None;
            map.compute_if_present(&key, |_, v| {
                old = Some(*v);
                Some(modify(*v))
            });
            if old.is_some() {
                return old;
            }
            let Some(value) = insert else {
                return None;
            };
            if map.try_insert(key, value).is_ok() {
                return None;
            }
        }
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        let map = self.0.pin();
        for (k, v) in map.iter() {
            if visit(*k, *v).is_break() {
                break;
            }
        }
    }
}

//! A structure as the engines run it: its declarations as values and one constructor per runtime
//! returning a boxed `dyn Map`, so the engines are compiled once per runtime, not once per structure.
//!
//! Every structure used to instantiate loom's, shuttle's and the thread engine's whole exploration
//! (the recorder, the probe, the judging glue, the model checkers' own generic code) for itself;
//! with a few dozen structures that was most of a test build. A [`Subject`] keeps only what is the
//! structure's own: its map's methods, for each runtime, behind a vtable. One dynamic call per map
//! operation is noise beside what loom or shuttle does around it (a scheduling decision, a recorded
//! position); the sequential engine, which the operation fuzzer runs millions of times, stays
//! generic over the structure.

use crate::rt::{Loom, Runtime, RuntimeKind, Shuttle, Std};
use crate::structure::{Claims, Footprint, Key, Map, Ops, Structure, Unobserved, Value};
use std::any::TypeId;
use std::ops::ControlFlow;

/// A structure, type-erased for the engines: what the oracles hold it to, what its API lacks, which
/// engines apply, and how to build its map under each runtime.
#[derive(Clone, Copy)]
pub struct Subject {
    /// Its declaration, whether its `len` is judged, its known behaviours and settle steps.
    pub claims: Claims,
    /// The results its API does not return.
    pub unobserved: Unobserved,
    /// The operations its API has.
    pub supports: Ops,
    /// The structure's type, keying the once-per-process settle steps and the drop-in probe.
    pub(crate) id: TypeId,
    pub(crate) real_threads_only: bool,
    pub(crate) drop_in: bool,
    pub(crate) weak_memory_only: bool,
    make: fn(RuntimeKind) -> Box<dyn Map>,
}

impl Subject {
    /// The subject of structure `S`.
    pub fn of<S: Structure>() -> Subject {
        Subject {
            claims: Claims::of::<S>(),
            unobserved: S::UNOBSERVED,
            supports: S::SUPPORTS,
            id: TypeId::of::<S>(),
            real_threads_only: S::REAL_THREADS_ONLY,
            drop_in: S::DROP_IN,
            weak_memory_only: S::WEAK_MEMORY_ONLY,
            make: make::<S>,
        }
    }

    /// The structure's name.
    pub fn name(&self) -> &'static str {
        self.claims.info.name
    }

    /// A fresh map for runtime `R`.
    pub(crate) fn new_map<R: Runtime>(&self) -> Box<dyn Map> {
        (self.make)(R::KIND)
    }
}

/// `S`'s map for the runtime of `kind`.
fn make<S: Structure>(kind: RuntimeKind) -> Box<dyn Map> {
    match kind {
        RuntimeKind::Loom => Box::new(S::new::<Loom>()),
        RuntimeKind::Shuttle => Box::new(S::new::<Shuttle>()),
        RuntimeKind::Std => Box::new(S::new::<Std>()),
    }
}

/// A boxed map is the map: every method, the defaulted ones included, is the boxed map's own (a
/// default here would hide the map's override).
impl Map for Box<dyn Map> {
    fn insert(&self, key: Key, value: Value) -> Option<Value> {
        (**self).insert(key, value)
    }
    fn remove(&self, key: Key) -> Option<Value> {
        (**self).remove(key)
    }
    fn get(&self, key: Key) -> Option<Value> {
        (**self).get(key)
    }
    fn len(&self) -> usize {
        (**self).len()
    }
    fn is_empty(&self) -> bool {
        (**self).is_empty()
    }
    fn clear(&self) {
        (**self).clear()
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        (**self).iterate(visit)
    }
    fn get_or_insert(&self, key: Key, value: Value) -> Option<Value> {
        (**self).get_or_insert(key, value)
    }
    fn compare_and_swap(&self, key: Key, old: Value, new: Value) -> bool {
        (**self).compare_and_swap(key, old, new)
    }
    fn compare_and_delete(&self, key: Key, old: Value) -> bool {
        (**self).compare_and_delete(key, old)
    }
    fn remove_if(&self, key: Key, remove: &dyn Fn(Value) -> bool) -> Option<Value> {
        (**self).remove_if(key, remove)
    }
    fn update(&self, key: Key, modify: &dyn Fn(Value) -> Value, insert: Option<Value>) -> Option<Value> {
        (**self).update(key, modify, insert)
    }
    fn retain(&self, keep: &mut dyn FnMut(Key, Value) -> bool) {
        (**self).retain(keep)
    }
    fn reclaim(&self) {
        (**self).reclaim()
    }
    fn settle(&self) {
        (**self).settle()
    }
    fn footprint(&self) -> Footprint {
        (**self).footprint()
    }
}

//! Two concurrent maps written against mapcheck's runtime facade, as a user's crate would write
//! them: a correct one, and one with a planted bug (a remove that looks the key up under the read
//! lock and deletes under the write lock, so two racing removes both report the value).

use mapcheck::prelude::*;
use std::collections::BTreeMap;

/// A reader-writer lock around a `BTreeMap`; generic over the runtime, so the same code runs under
/// loom, shuttle and real threads.
pub struct MyMap<R: Runtime>(RwLock<R, BTreeMap<Key, Value>>);

impl<R: Runtime> Default for MyMap<R> {
    fn default() -> Self {
        MyMap(RwLock::new(BTreeMap::new()))
    }
}

impl<R: Runtime> Map for MyMap<R> {
    fn insert(&self, key: Key, value: Value) -> Option<Value> {
        self.0.write().insert(key, value)
    }
    fn remove(&self, key: Key) -> Option<Value> {
        self.0.write().remove(&key)
    }
    fn get(&self, key: Key) -> Option<Value> {
        self.0.read().get(&key).copied()
    }
    fn len(&self) -> usize {
        self.0.read().len()
    }
    fn clear(&self) {
        self.0.write().clear()
    }
    /// Copies under the read lock and visits the copy unlocked: the visitor may remove the key.
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        let copy = self.0.read().clone();
        for (k, v) in copy {
            if visit(k, v).is_break() {
                break;
            }
        }
    }
}

/// `MyMap` as mapcheck names it: one type for every runtime.
pub struct MyMapFamily;

impl Structure for MyMapFamily {
    type Map<R: Runtime> = MyMap<R>;
    fn new<R: Runtime>() -> MyMap<R> {
        MyMap::default()
    }
    const INFO: StructureInfo = StructureInfo::new("my-map")
        .iteration(IterationGuarantee::Snapshot)
        .atomic_whole_map();
}

/// `MyMap` with a planted bug in `remove`.
pub struct CheckThenRemove<R: Runtime>(MyMap<R>);

impl<R: Runtime> Map for CheckThenRemove<R> {
    fn insert(&self, key: Key, value: Value) -> Option<Value> {
        self.0.insert(key, value)
    }
    /// The bug: the lookup and the delete take the lock separately, so two racing removes both see
    /// the value and both report it.
    fn remove(&self, key: Key) -> Option<Value> {
        let seen = self.0.get(key);
        if seen.is_some() {
            self.0 .0.write().remove(&key);
        }
        seen
    }
    fn get(&self, key: Key) -> Option<Value> {
        self.0.get(key)
    }
    fn len(&self) -> usize {
        self.0.len()
    }
    fn clear(&self) {
        self.0.clear()
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        self.0.iterate(visit)
    }
}

/// The buggy map as mapcheck names it. It declares itself correct, as a real bug would.
pub struct CheckThenRemoveFamily;

impl Structure for CheckThenRemoveFamily {
    type Map<R: Runtime> = CheckThenRemove<R>;
    fn new<R: Runtime>() -> CheckThenRemove<R> {
        CheckThenRemove(MyMap::default())
    }
    const INFO: StructureInfo = StructureInfo::new("check-then-remove")
        .iteration(IterationGuarantee::Snapshot)
        .atomic_whole_map();
}

//! `leapfrog` 0.3 (`LeapMap`): a lock-free hash map with a modified Robin Hood / hopscotch probing
//! and concurrent migration to a larger table when it fills.
//!
//! What its documentation says, and what the declaration follows:
//! - `insert` and `remove` return the previous value; `get` returns a `Ref` whose `value()` is
//!   `None` when the entry went stale ("Map is stale"), read here as absent. Values reserve two
//!   numbers (`MAX - 1` and `MAX`, "null" and "redirect"); the models' values are small.
//! - `len` "computes the length each time" by walking the table: not atomic. There is no `clear`:
//!   it is declared absent.
//! - `iter` "is thread-safe and can be called from any number of threads, and will *not*
//!   deadlock"; `key_value()` of an item is `None` when it went stale (skipped). Nothing more is
//!   documented. De facto it walks the cells of the current table by index, and when the table
//!   migrates to a larger one it goes on at the same index in the new table, whose layout differs:
//!   it may yield again keys it has already yielded (the first check of this adapter, declared
//!   weakly consistent since the start, failed on "yielded key 49 twice" while the table grew).
//!   Declared: weakly consistent, may repeat keys while the table grows; every other rule judged.
//! - Reclamation: old tables are freed by the thread that finishes a migration and at drop;
//!   nothing outlives the map; no capacity is judged.

use crate::Fixed;
use leapfrog::LeapMap;
use mapcheck::prelude::*;

pub struct LeapMapAdapter(LeapMap<Key, Value, Fixed>);

impl Map for LeapMapAdapter {
    fn insert(&self, k: Key, v: Value) -> Option<Value> {
        self.0.insert(k, v)
    }
    fn remove(&self, k: Key) -> Option<Value> {
        self.0.remove(&k)
    }
    fn get(&self, k: Key) -> Option<Value> {
        self.0.get(&k).and_then(|mut r| r.value())
    }
    fn len(&self) -> usize {
        self.0.len()
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        for mut item in self.0.iter() {
            if let Some((k, v)) = item.key_value() {
                if visit(k, v).is_break() {
                    break;
                }
            }
        }
    }
}

impl Adapter for LeapMapAdapter {
    const INFO: StructureInfo = StructureInfo::new("leapfrog")
        .summary("leapfrog 0.3 LeapMap: lock-free probing, concurrent migration")
        .iteration(IterationGuarantee::WeaklyConsistentMayRepeat);
    const SUPPORTS: Ops = Ops::STANDARD.without(Ops::CLEAR);
    fn new() -> Self {
        LeapMapAdapter(LeapMap::with_capacity_and_hasher(8, Fixed::default()))
    }
}

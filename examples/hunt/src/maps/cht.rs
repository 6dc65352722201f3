//! `cht` 0.5 (`cht::HashMap`): a lock-free hash map with bucket pointer arrays, open addressing and
//! linear probing, memory reclaimed through crossbeam-epoch.
//!
//! What its documentation says, and what the declaration follows:
//! - `insert`, `remove` and `get` return the previous, removed and current value.
//! - `len`: "other threads can add or remove elements at any time" (a relaxed counter updated after
//!   each change): not atomic, judged by its bounds.
//! - There is no iteration and no `clear`: both are declared absent, and the models that need them
//!   are not applicable.
//! - Reclamation: through crossbeam-epoch's default collector (its settle steps). The bucket array
//!   only grows ("all mutating operations except removal will result in a bucket being allocated
//!   or reallocated"); no capacity is judged.

use crate::Fixed;
use mapcheck::prelude::*;

pub struct ChtMap(cht::HashMap<Key, Value, Fixed>);

impl Map for ChtMap {
    fn insert(&self, k: Key, v: Value) -> Option<Value> {
        self.0.insert(k, v)
    }
    fn remove(&self, k: Key) -> Option<Value> {
        self.0.remove(&k)
    }
    fn get(&self, k: Key) -> Option<Value> {
        self.0.get(&k)
    }
    fn len(&self) -> usize {
        self.0.len()
    }
}

impl Adapter for ChtMap {
    const INFO: StructureInfo =
        StructureInfo::new("cht").summary("cht 0.5 HashMap: lock-free open addressing, epochs");
    const SUPPORTS: Ops = Ops::STANDARD.without(Ops::CLEAR).without(Ops::ITERATE);
    const SETTLE: Settle = mapcheck::settle!(crossbeam_epoch: crossbeam_epoch);
    fn new() -> Self {
        ChtMap(cht::HashMap::with_hasher(Fixed::default()))
    }
}

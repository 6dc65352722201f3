//! `crossbeam-skiplist` 0.1 (`SkipMap`): an ordered map on a lock-free skip list, memory reclaimed
//! through crossbeam-epoch.
//!
//! What its documentation says, and what the declaration follows:
//! - `insert` "inserts a key-value pair into the map and returns the new entry. If there is an
//!   existing entry with this key, it will be removed before inserting the new one": the previous
//!   value is not returned (declared unobserved). `remove` returns the removed entry.
//! - `len`: "If the map is being concurrently modified, consider the returned number just an
//!   approximation without any guarantees": declared an estimate. `clear` "removes all entries"
//!   one by one: not atomic.
//! - `iter` returns the entries "sorted by key", reading each node as it advances; it takes no
//!   lock, so the visitor may remove. Nothing more is promised: the least claim, weakly consistent
//!   since the start.
//! - Reclamation: through crossbeam-epoch's default collector (its settle steps); no capacity.

use mapcheck::prelude::*;

pub struct SkipMapAdapter(crossbeam_skiplist::SkipMap<Key, Value>);

impl Map for SkipMapAdapter {
    fn insert(&self, k: Key, v: Value) -> Option<Value> {
        self.0.insert(k, v);
        None
    }
    fn remove(&self, k: Key) -> Option<Value> {
        self.0.remove(&k).map(|e| *e.value())
    }
    fn get(&self, k: Key) -> Option<Value> {
        self.0.get(&k).map(|e| *e.value())
    }
    fn len(&self) -> usize {
        self.0.len()
    }
    fn clear(&self) {
        self.0.clear()
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        for e in self.0.iter() {
            if visit(*e.key(), *e.value()).is_break() {
                break;
            }
        }
    }
}

impl Adapter for SkipMapAdapter {
    const INFO: StructureInfo = StructureInfo::new("crossbeam-skiplist")
        .summary("crossbeam-skiplist 0.1 SkipMap: lock-free skip list, epochs");
    const LEN_IS_ESTIMATE: bool = true;
    const UNOBSERVED: Unobserved = Unobserved {
        insert: true,
        ..Unobserved::NONE
    };
    const SETTLE: Settle = mapcheck::settle!(crossbeam_epoch: crossbeam_epoch);
    fn new() -> Self {
        SkipMapAdapter(crossbeam_skiplist::SkipMap::new())
    }
}

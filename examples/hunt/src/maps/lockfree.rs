//! `lockfree` 0.5 (`lockfree::map::Map`): a lock-free map of multi-level hash tables with ordered
//! buckets, memory reclaimed through the crate's own incinerator (one per map by default).
//!
//! What its documentation says, and what the declaration follows:
//! - `insert` and `remove` return the `Removed` entry (the previous value); `get` a `ReadGuard`.
//! - There is no `len`: declared unobserved (the method returns 0, judged by nothing).
//! - `clear` takes `&mut self`: there is no concurrent `clear`, declared absent.
//! - The iterator "may be inconsistent ... It is guaranteed to yield items that have been in the
//!   `Map` since the iterator creation and the current call to `next`. However, it is not guaranteed
//!   to yield all items present in the `Map` at some point if the `Map` is shared between
//!   threads": each value held between the start and its visit (weakly consistent since the
//!   start). It takes no lock, so the visitor may remove.
//! - Reclamation: removed entries go to the map's incinerator, freed when no thread is reading or
//!   when the map drops it; no capacity is exposed.
//! - Thread ids (`lockfree::tls::ThreadId`, which its thread-local storage and incinerators key on)
//!   come from a process-wide list whose nodes "are never deleted": a thread that finds no free id
//!   allocates a node on its first use, kept for the life of the process (the first check of this
//!   adapter reported those 16-byte nodes as a leak on its first run). The per-thread settle step
//!   takes the thread's id before its first run.

use crate::Fixed;
use mapcheck::prelude::*;

pub struct LockfreeMap(lockfree::map::Map<Key, Value, Fixed>);

impl Map for LockfreeMap {
    fn insert(&self, k: Key, v: Value) -> Option<Value> {
        self.0.insert(k, v).map(|old| *old.val())
    }
    fn remove(&self, k: Key) -> Option<Value> {
        self.0.remove(&k).map(|old| *old.val())
    }
    fn get(&self, k: Key) -> Option<Value> {
        self.0.get(&k).map(|g| *g.val())
    }
    /// No `len` in the API.
    fn len(&self) -> usize {
        0
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        for g in self.0.iter() {
            if visit(*g.key(), *g.val()).is_break() {
                break;
            }
        }
    }
}

impl Adapter for LockfreeMap {
    const INFO: StructureInfo =
        StructureInfo::new("lockfree").summary("lockfree 0.5 map::Map: multi-level hash tables, incinerator");
    const UNOBSERVED: Unobserved = Unobserved {
        len: true,
        ..Unobserved::NONE
    };
    const SUPPORTS: Ops = Ops::STANDARD.without(Ops::CLEAR);
    const SETTLE: Settle = Settle {
        once: &[],
        per_thread: &[|| {
            let _ = lockfree::tls::ThreadId::current();
        }],
        after_drop: &[],
    };
    fn new() -> Self {
        LockfreeMap(lockfree::map::Map::with_hasher(Fixed::default()))
    }
}

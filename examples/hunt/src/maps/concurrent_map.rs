//! `concurrent-map` 5 (`ConcurrentMap`): a lock-free B+ tree after sled's index, memory reclaimed
//! through the `ebr` crate with per-handle garbage buffers.
//!
//! What its documentation says, and what the declaration follows:
//! - The map "is `Send` but NOT `Sync` ... If you want to share `ConcurrentMap` between threads,
//!   simply clone it, and this will set up a new efficient thread-local memory reclamation state":
//!   the adapter keeps a pool of clones; each operation takes one, uses it, and puts it back, so no
//!   clone is used by two threads at once.
//! - "insert and remove atomically returns the last value"; `get` returns a clone of the value.
//! - `len` is "a **lagging**, eventually-consistent length count. This is NOT atomically updated
//!   with insert / remove / cas": declared unobserved. There is no `clear`: declared absent.
//! - `iter` "is not an atomic snapshot ... may (or may not!) return items that were concurrently
//!   deleted from the map after the iterator was created. If a key's value is changed ... after
//!   this iterator is created, this iterator might return the old or the new value. But ... any key
//!   that existed prior to the creation of this iterator, and was not changed during iteration, will
//!   be observed": weakly consistent since the start. It takes no lock.
//! - Reclamation: garbage waits in each clone's local buffer until it fills or the clone drops;
//!   every clone is dropped with the map. No capacity is exposed.

use mapcheck::prelude::*;
use std::sync::Mutex;

type Tree = concurrent_map::ConcurrentMap<Key, Value>;

pub struct ConcurrentMapAdapter {
    /// The map every clone shares.
    base: Mutex<Tree>,
    /// Clones not in use.
    idle: Mutex<Vec<Tree>>,
}

impl ConcurrentMapAdapter {
    /// Runs `f` with a clone no other thread is using.
    fn with<T>(&self, f: impl FnOnce(&Tree) -> T) -> T {
        let taken = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let tree = taken.unwrap_or_else(|| self.base.lock().unwrap_or_else(|e| e.into_inner()).clone());
        let out = f(&tree);
        self.idle.lock().unwrap_or_else(|e| e.into_inner()).push(tree);
        out
    }
}

impl Map for ConcurrentMapAdapter {
    fn insert(&self, k: Key, v: Value) -> Option<Value> {
        self.with(|t| t.insert(k, v))
    }
    fn remove(&self, k: Key) -> Option<Value> {
        self.with(|t| t.remove(&k))
    }
    fn get(&self, k: Key) -> Option<Value> {
        self.with(|t| t.get(&k))
    }
    fn len(&self) -> usize {
        self.with(|t| t.len())
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        // The visitor's removes take clones of their own.
        let tree = self.with(|t| t.clone());
        for (k, v) in tree.iter() {
            if visit(k, v).is_break() {
                break;
            }
        }
    }
}

impl Adapter for ConcurrentMapAdapter {
    const INFO: StructureInfo =
        StructureInfo::new("concurrent-map").summary("concurrent-map 5: lock-free B+ tree, ebr reclamation");
    const UNOBSERVED: Unobserved = Unobserved {
        len: true,
        ..Unobserved::NONE
    };
    const SUPPORTS: Ops = Ops::STANDARD.without(Ops::CLEAR);
    fn new() -> Self {
        ConcurrentMapAdapter {
            base: Mutex::new(Tree::default()),
            idle: Mutex::new(Vec::new()),
        }
    }
}

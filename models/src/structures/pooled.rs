//! `pooled`: a lock-free map of slots whose entries are nodes recycled through a free list, the
//! design where a remove races a reinsert that reuses the node it is removing (the ABA problem).
//!
//! Layout: open addressing over `SLOTS` slots (a key's home slot is the key modulo `SLOTS`, then
//! linear probing), allocated in chunks on first use and installed by compare-and-swap. A slot
//! holds a key word, claimed once by compare-and-swap and never released (a key keeps its slot for
//! the map's life, as in Click's lock-free hash table), and an entry word: 0 for no entry, or a
//! node index tagged with a generation. A node holds one value; it is a heap allocation of its own,
//! reached through a table from index to node (the model of an address), and it is recycled
//! through a free list, a Treiber stack of node indices whose head is tagged with a counter (Treiber
//! 1986; the tag is IBM's ABA counter).
//!
//! - `insert` takes a node from the free list (or allocates one), stores the value in it, and swaps
//!   the node's word into the slot; it owns the node it swapped out, reads its value and frees it.
//! - `remove` loads the word, reads the node's value, and clears the slot by compare-and-swap; the
//!   winner frees the node. Every allocation of a node gets a fresh generation, so a word never
//!   comes back once it has left its slot: a compare-and-swap that succeeds proves the node was not
//!   recycled since it was loaded, and the value read from it is the one it took out.
//! - `get` loads the word, reads the value and loads the word again; the same word twice proves the
//!   value was the node's while it was linked (a recycled node would have a new generation).
//!
//! Nodes are never returned to the allocator while the map lives, so reading a node that was just
//! recycled is safe (it only makes a compare-and-swap fail or a `get` retry); `Drop` frees the nodes
//! in the slots and in the free list. Every atomic access is sequentially consistent. The free
//! list's growth (allocating a node when the list is empty) and the chunk tables are the only
//! places that take a lock; the map's own operations never wait for another thread while the free
//! list has nodes.

use mapcheck_harness::rt::{AtomicPtr, AtomicPtrOps, AtomicUsize, AtomicUsizeOps, Mutex, Runtime};
use mapcheck_harness::{
    Footprint, IterationGuarantee, Key, Map, ReclamationPolicy, Structure, StructureInfo, Value,
};
use std::ops::ControlFlow;
use std::sync::atomic::Ordering::{self, SeqCst};

/// Slots per chunk, and chunks: the map holds at most `SLOTS` distinct keys in its life.
const SLOT_CHUNK: usize = 32;
const SLOT_CHUNKS: usize = 16;
const SLOTS: usize = SLOT_CHUNK * SLOT_CHUNKS;
/// Nodes per chunk of the node table, and chunks.
const NODE_CHUNK: usize = 32;
const NODE_CHUNKS: usize = 16;
const NODES: usize = NODE_CHUNK * NODE_CHUNKS;
/// Bits of a word that hold the node index plus one; the generation is above them.
const INDEX_BITS: u32 = 16;
const INDEX_MASK: usize = (1 << INDEX_BITS) - 1;
/// Nodes allocated up front, so that small workloads never grow the free list while they run.
const PREFILL: usize = 4;

/// The faults a mutant plants; all off in `pooled`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Faults {
    /// Entry words carry no generation (`pooled-aba`).
    pub untagged: bool,
    /// `insert` writes its node and publishes it with relaxed ordering (`pooled-relaxed`).
    pub relaxed_publish: bool,
    /// The free list's push stores its new head without compare-and-swap (`pooled-lost-push`).
    pub racy_push: bool,
}

/// One slot: the key it belongs to (0 while free, else key + 1) and the entry word.
struct Slot<R: Runtime> {
    key: AtomicUsize<R>,
    word: AtomicUsize<R>,
}

/// One node: its value, and the next free node (index + 1) while it is in the free list.
pub(crate) struct Node<R: Runtime> {
    value: AtomicUsize<R>,
    next: AtomicUsize<R>,
}

/// A new atomic whose first value is a sequentially consistent store: loom lets a `SeqCst` load
/// read an initial value that is not itself `SeqCst` even after a later `SeqCst` store, which no
/// real machine does to a value published behind a `SeqCst` write.
fn atomic<R: Runtime>(v: usize) -> AtomicUsize<R> {
    let a = AtomicUsize::<R>::new(v);
    a.store(v, SeqCst);
    a
}

/// A new null pointer atomic, its first value stored as [`atomic`] does.
fn null_ptr<R: Runtime, T>() -> AtomicPtr<R, T> {
    let a = AtomicPtr::<R, T>::new(std::ptr::null_mut());
    a.store(std::ptr::null_mut(), SeqCst);
    a
}

/// A table of `N` chunks of `C` entries each, each chunk allocated on first use.
struct Chunks<R: Runtime, T: Send + Sync> {
    chunks: Vec<AtomicPtr<R, Vec<T>>>,
}

impl<R: Runtime, T: Send + Sync> Chunks<R, T> {
    fn new(n: usize) -> Self {
        Chunks {
            chunks: (0..n).map(|_| null_ptr()).collect(),
        }
    }

    /// The chunk `c`, if allocated.
    fn get(&self, c: usize) -> Option<&[T]> {
        let p = self.chunks[c].load(SeqCst);
        // SAFETY: a chunk pointer, once installed, stays valid until the table is dropped.
        (!p.is_null()).then(|| unsafe { (&*p).as_slice() })
    }

    /// The chunk `c`, allocated with `make` if it is not yet.
    fn get_or_make(&self, c: usize, make: impl FnOnce() -> Vec<T>) -> &[T] {
        if let Some(chunk) = self.get(c) {
            return chunk;
        }
        let fresh = Box::into_raw(Box::new(make()));
        match self.chunks[c].compare_exchange(std::ptr::null_mut(), fresh, SeqCst, SeqCst) {
            // SAFETY: installed just now; it lives until the table is dropped.
            Ok(_) => unsafe { (&*fresh).as_slice() },
            Err(_) => {
                // SAFETY: `fresh` was never shared.
                drop(unsafe { Box::from_raw(fresh) });
                self.get(c).expect("a chunk that another thread installed")
            }
        }
    }
}

impl<R: Runtime, T: Send + Sync> Drop for Chunks<R, T> {
    fn drop(&mut self) {
        for c in &self.chunks {
            let p = c.load(SeqCst);
            if !p.is_null() {
                // SAFETY: the table owns its chunks, and nobody uses them after the drop.
                drop(unsafe { Box::from_raw(p) });
            }
        }
    }
}

/// The map; see the module notes.
pub struct PooledMap<R: Runtime> {
    slots: Chunks<R, Slot<R>>,
    /// Index to node: the pointer of every node ever allocated (the node's "address").
    nodes: Chunks<R, AtomicPtr<R, Node<R>>>,
    /// The free list's head: a tag above `INDEX_BITS`, the top node's index + 1 below (0: empty).
    free: AtomicUsize<R>,
    /// The next generation for an entry word.
    generation: AtomicUsize<R>,
    /// Nodes allocated so far; taken only to allocate one (the free list was empty).
    allocated: Mutex<R, usize>,
    pub(crate) faults: Faults,
}

// SAFETY: the raw pointers name nodes and chunks owned by the map and freed only by its `Drop`;
// every shared access to them goes through the runtime's atomics.
unsafe impl<R: Runtime> Send for PooledMap<R> {}
unsafe impl<R: Runtime> Sync for PooledMap<R> {}

fn index_of(word: usize) -> usize {
    (word & INDEX_MASK) - 1
}

impl<R: Runtime> PooledMap<R> {
    pub(crate) fn with_faults(faults: Faults) -> Self {
        let m = PooledMap {
            slots: Chunks::new(SLOT_CHUNKS),
            nodes: Chunks::new(NODE_CHUNKS),
            free: atomic(0),
            generation: atomic(1),
            allocated: Mutex::new(0),
            faults,
        };
        for _ in 0..PREFILL {
            let i = m.allocate();
            m.push_free(i);
        }
        m
    }

    /// The node with index `i`, which has been allocated.
    fn node(&self, i: usize) -> &Node<R> {
        let p = self
            .nodes
            .get(i / NODE_CHUNK)
            .map_or(std::ptr::null_mut(), |c| c[i % NODE_CHUNK].load(SeqCst));
        if p.is_null() {
            panic!(
                "pooled: node {i} was reached before its allocation was visible (an unordered publication)"
            );
        }
        // SAFETY: nodes are freed only by `Drop`.
        unsafe { &*p }
    }

    /// Allocates a node that is in no list yet, and returns its index.
    fn allocate(&self) -> usize {
        let mut n = self.allocated.lock();
        let i = *n;
        assert!(i < NODES, "pooled: more than {NODES} nodes at once");
        let node = Box::into_raw(Box::new(Node {
            value: atomic::<R>(0),
            next: atomic::<R>(0),
        }));
        let chunk = self
            .nodes
            .get_or_make(i / NODE_CHUNK, || (0..NODE_CHUNK).map(|_| null_ptr()).collect());
        chunk[i % NODE_CHUNK].store(node, SeqCst);
        *n += 1;
        i
    }

    /// Takes a node off the free list, or allocates one.
    fn take_node(&self) -> usize {
        loop {
            let head = self.free.load(SeqCst);
            if head & INDEX_MASK == 0 {
                return self.allocate();
            }
            let i = index_of(head);
            // The node may be taken and put back by others meanwhile: then the tag has moved on
            // and the compare-and-swap fails.
            let next = self.node(i).next.load(SeqCst);
            let new = ((head >> INDEX_BITS).wrapping_add(1) << INDEX_BITS) | next;
            if self.free.compare_exchange(head, new, SeqCst, SeqCst).is_ok() {
                return i;
            }
        }
    }

    /// Puts node `i` on the free list.
    fn push_free(&self, i: usize) {
        let node = self.node(i);
        loop {
            let head = self.free.load(SeqCst);
            node.next.store(head & INDEX_MASK, SeqCst);
            let new = ((head >> INDEX_BITS).wrapping_add(1) << INDEX_BITS) | (i + 1);
            if self.faults.racy_push {
                // The mutant: of two nodes pushed at once, one overwrites the other.
                self.free.store(new, SeqCst);
                return;
            }
            if self.free.compare_exchange(head, new, SeqCst, SeqCst).is_ok() {
                return;
            }
        }
    }

    /// The entry word for node `i`, tagged with a fresh generation.
    fn word_for(&self, i: usize) -> usize {
        let generation = if self.faults.untagged {
            0
        } else {
            self.generation.fetch_add(1, SeqCst)
        };
        (generation << INDEX_BITS) | (i + 1)
    }

    fn key_word(key: Key) -> usize {
        usize::try_from(key)
            .ok()
            .and_then(|k| k.checked_add(1))
            .unwrap_or_else(|| panic!("pooled cannot store key {key}: the largest word is reserved"))
    }

    /// The slot of `key`: found, or claimed when `claim` is set.
    fn slot(&self, key: Key, claim: bool) -> Option<&Slot<R>> {
        let kw = Self::key_word(key);
        let home = (key % SLOTS as u64) as usize;
        for probe in 0..SLOTS {
            let i = (home + probe) % SLOTS;
            let chunk = if claim {
                self.slots.get_or_make(i / SLOT_CHUNK, || {
                    (0..SLOT_CHUNK)
                        .map(|_| Slot {
                            key: atomic(0),
                            word: atomic(0),
                        })
                        .collect()
                })
            } else {
                self.slots.get(i / SLOT_CHUNK)?
            };
            let slot = &chunk[i % SLOT_CHUNK];
            match slot.key.load(SeqCst) {
                k if k == kw => return Some(slot),
                0 if !claim => return None,
                0 => match slot.key.compare_exchange(0, kw, SeqCst, SeqCst) {
                    Ok(_) => return Some(slot),
                    Err(k) if k == kw => return Some(slot),
                    Err(_) => {}
                },
                _ => {}
            }
        }
        if claim {
            panic!("pooled: all {SLOTS} slots are claimed by other keys");
        }
        None
    }

    /// Every claimed slot's entry word.
    fn words(&self) -> Vec<usize> {
        (0..SLOT_CHUNKS)
            .filter_map(|c| self.slots.get(c))
            .flatten()
            .filter(|s| s.key.load(SeqCst) != 0)
            .map(|s| s.word.load(SeqCst))
            .collect()
    }
}

impl<R: Runtime> Map for PooledMap<R> {
    fn insert(&self, key: Key, value: Value) -> Option<Value> {
        let slot = self.slot(key, true).expect("claimed");
        let i = self.take_node();
        let node = self.node(i);
        let order = if self.faults.relaxed_publish {
            // The mutant: nothing orders the value (or the node's allocation) before the word that
            // publishes it, for a reader on another core.
            Ordering::Relaxed
        } else {
            SeqCst
        };
        node.value.store(value as usize, order);
        let word = self.word_for(i);
        let old = slot.word.swap(word, order);
        (old != 0).then(|| {
            let i = index_of(old);
            let v = self.node(i).value.load(SeqCst) as Value;
            self.push_free(i);
            v
        })
    }

    fn remove(&self, key: Key) -> Option<Value> {
        let slot = self.slot(key, false)?;
        loop {
            let word = slot.word.load(SeqCst);
            if word == 0 {
                return None;
            }
            let i = index_of(word);
            let v = self.node(i).value.load(SeqCst) as Value;
            if slot.word.compare_exchange(word, 0, SeqCst, SeqCst).is_ok() {
                self.push_free(i);
                return Some(v);
            }
        }
    }

    fn get(&self, key: Key) -> Option<Value> {
        let slot = self.slot(key, false)?;
        loop {
            let word = slot.word.load(SeqCst);
            if word == 0 {
                return None;
            }
            let v = self.node(index_of(word)).value.load(SeqCst) as Value;
            if slot.word.load(SeqCst) == word {
                return Some(v);
            }
        }
    }

    /// Counts the slots holding an entry, one at a time: not atomic across slots.
    fn len(&self) -> usize {
        self.words().into_iter().filter(|w| *w != 0).count()
    }

    /// Removes each key's entry in turn: not atomic across slots.
    fn clear(&self) {
        for c in 0..SLOT_CHUNKS {
            let Some(chunk) = self.slots.get(c) else { continue };
            for slot in chunk {
                let kw = slot.key.load(SeqCst);
                if kw != 0 {
                    self.remove((kw - 1) as Key);
                }
            }
        }
    }

    /// Visits the slots in order, reading each entry as `get` does: weakly consistent.
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        for c in 0..SLOT_CHUNKS {
            let Some(chunk) = self.slots.get(c) else { continue };
            for slot in chunk {
                let kw = slot.key.load(SeqCst);
                if kw == 0 {
                    continue;
                }
                if let Some(v) = self.get((kw - 1) as Key) {
                    if visit((kw - 1) as Key, v).is_break() {
                        return;
                    }
                }
            }
        }
    }

    /// The nodes are the footprint: every node ever allocated stays, in a slot or in the free list.
    fn footprint(&self) -> Footprint {
        let live = self.len();
        let nodes = *self.allocated.lock();
        let slot_chunks = (0..SLOT_CHUNKS).filter(|c| self.slots.get(*c).is_some()).count();
        Footprint {
            live,
            stale: 0,
            snapshots: 1,
            capacity: nodes,
            bytes: nodes * std::mem::size_of::<Node<R>>()
                + slot_chunks * SLOT_CHUNK * std::mem::size_of::<Slot<R>>(),
        }
    }
}

impl<R: Runtime> Drop for PooledMap<R> {
    /// Frees the nodes the map can reach: those in a slot and those in the free list. A node in
    /// neither is lost to the map, and stays allocated.
    fn drop(&mut self) {
        let mut reachable: Vec<usize> = self
            .words()
            .into_iter()
            .filter(|w| *w != 0)
            .map(index_of)
            .collect();
        let mut next = self.free.load(SeqCst) & INDEX_MASK;
        let allocated = *self.allocated.lock();
        while next != 0 && reachable.len() <= allocated {
            reachable.push(next - 1);
            next = self.node(next - 1).next.load(SeqCst);
        }
        reachable.sort_unstable();
        reachable.dedup();
        for i in reachable {
            let chunk = self.nodes.get(i / NODE_CHUNK).expect("an allocated node's chunk");
            let p = chunk[i % NODE_CHUNK].swap(std::ptr::null_mut(), SeqCst);
            // SAFETY: allocated by `allocate`, reachable once, and freed once here.
            drop(unsafe { Box::from_raw(p) });
        }
    }
}

/// The `pooled` family.
pub struct Pooled;

impl Structure for Pooled {
    type Map<R: Runtime> = PooledMap<R>;
    fn new<R: Runtime>() -> PooledMap<R> {
        PooledMap::with_faults(Faults::default())
    }
    const INFO: StructureInfo = StructureInfo {
        name: "pooled",
        summary: "lock-free slots whose entries are nodes recycled through a tagged free list; \
                  removes by compare-and-swap on generation-tagged words",
        iteration: IterationGuarantee::WeaklyConsistent,
        reclamation: ReclamationPolicy::NeverShrinks,
        atomic_whole_map: false,
        unsynchronised: false,
        mutant: None,
    };
}

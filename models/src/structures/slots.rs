//! `slots`: a lock-free map on an open-addressed table of atomic slots, built on SeqCst atomics
//! only (no lock anywhere).
//!
//! The design is Preshing's lock-free hash table ("The World's Simplest Lock-Free Hash Table",
//! 2013), the core of Click's non-blocking hash map (2007): a slot is a key word and a value word.
//! A key claims a slot once, by compare-and-swap from empty, and keeps it for the structure's
//! lifetime; insert and remove then `swap` the value word (empty is "absent"), so every single-key
//! operation takes effect at one atomic instruction. A key's home slot is the key modulo the table
//! size (128), so any 128 consecutive keys (every model's key range at every size) never collide;
//! other keys probe linearly from their home slot, and a key that finds the table full continues in
//! an overflow table, chained and allocated on demand. A lookup stops at the first empty slot:
//! slots are never freed, so a key claimed later sits after every slot its inserter saw taken.
//!
//! The table is a directory of 16 chunks of 8 slots, each chunk allocated by the first insert that
//! probes into it and published by compare-and-swap (a lost race frees its chunk and uses the
//! winner's); a chunk never allocated reads as empty slots. Overflow tables are published the same
//! way. The publication's ordering is the [`Publication`] parameter: `SeqCst` here; the
//! `slots-relaxed-publish` mutant publishes with `Relaxed`, so a thread that finds the new chunk
//! through the pointer may touch its atomics before their initialisation happened-before it, which
//! loom reports and a sequentially consistent scheduler cannot see.
//!
//! Keys and values are `u64`; a word holds `x << 1 | 1` for `x` below 2^63 (with 64-bit words),
//! and for larger numbers the address of a node in an append-only, lock-free list that interns them
//! (so equal numbers share one node and compare as equal words). Word 0 is "empty".
//!
//! Declared guarantees: iteration walks the slots in table order and reads each value just before
//! visiting it, so it is weakly consistent in the Go spec's sense, per visit; len counts and clear
//! empties slot by slot, so neither is atomic; slots stay with their keys, so memory follows the
//! distinct keys ever inserted (at most one chunk of 8 slots per key), not the live entries, and
//! there is no reclamation step. Everything is freed on drop.

use mapcheck_harness::rt::{AtomicPtr, AtomicPtrOps, AtomicUsize, AtomicUsizeOps, Ordering, Runtime};
use mapcheck_harness::{
    Footprint, IterationGuarantee, Key, Map, ReclamationPolicy, Structure, StructureInfo, Value,
};
use std::marker::PhantomData;
use std::ops::ControlFlow;
use std::ptr::null_mut;
use Ordering::SeqCst;

/// Slots per chunk.
pub const CHUNK: usize = 8;
/// Chunks per table.
pub const CHUNKS: usize = 16;
/// Slots per table: keys congruent modulo this share a home slot.
pub const SLOTS: usize = CHUNK * CHUNKS;

/// The empty key word and the absent value word.
const EMPTY: usize = 0;

/// Numbers below this are held in the word itself (`x << 1 | 1`); larger ones are interned.
const INLINE_BELOW: u64 = 1 << (usize::BITS - 1);

/// How a freshly allocated chunk or overflow table is published: the success ordering of the
/// compare-and-swap that installs it.
pub trait Publication: Send + Sync + 'static {
    const ORDER: Ordering;
}

/// The correct publication: `SeqCst`, which releases the new chunk's initialisation to every thread
/// that acquires the pointer.
pub struct SeqCstPublication;

impl Publication for SeqCstPublication {
    const ORDER: Ordering = SeqCst;
}

struct Slot<R: Runtime> {
    key: AtomicUsize<R>,
    value: AtomicUsize<R>,
}

struct Chunk<R: Runtime> {
    slots: [Slot<R>; CHUNK],
}

impl<R: Runtime> Chunk<R> {
    fn new() -> Self {
        Chunk {
            slots: std::array::from_fn(|_| Slot {
                key: AtomicUsize::new(EMPTY),
                value: AtomicUsize::new(EMPTY),
            }),
        }
    }
}

struct Table<R: Runtime> {
    chunks: [AtomicPtr<R, Chunk<R>>; CHUNKS],
    next: AtomicPtr<R, Table<R>>,
}

impl<R: Runtime> Table<R> {
    fn new() -> Self {
        Table {
            chunks: std::array::from_fn(|_| AtomicPtr::new(null_mut())),
            next: AtomicPtr::new(null_mut()),
        }
    }
}

/// An interned number of 2^63 or more; immutable once published.
struct Big {
    value: u64,
    next: *mut Big,
}

pub struct SlotsMap<R: Runtime, P: Publication = SeqCstPublication> {
    first: Table<R>,
    /// The head of the interned large numbers.
    bigs: AtomicPtr<R, Big>,
    _publication: PhantomData<P>,
}

impl<R: Runtime, P: Publication> Default for SlotsMap<R, P> {
    fn default() -> Self {
        SlotsMap {
            first: Table::new(),
            bigs: AtomicPtr::new(null_mut()),
            _publication: PhantomData,
        }
    }
}

fn home(key: Key) -> usize {
    (key % SLOTS as u64) as usize
}

/// The number a non-empty word stands for.
fn decode(w: usize) -> u64 {
    if w & 1 == 1 {
        (w >> 1) as u64
    } else {
        // SAFETY: an even non-empty word is the address of an interned node, which is published
        // before any word naming it and freed only on drop.
        unsafe { (*(w as *const Big)).value }
    }
}

fn decode_value(w: usize) -> Option<Value> {
    (w != EMPTY).then(|| decode(w))
}

/// Loads a chunk or table pointer, or installs a fresh one when it is null and `create` is set.
fn install<R: Runtime, P: Publication, T>(
    cell: &AtomicPtr<R, T>,
    create: bool,
    fresh: impl FnOnce() -> T,
) -> Option<&T> {
    let mut p = cell.load(SeqCst);
    if p.is_null() {
        if !create {
            return None;
        }
        let new = Box::into_raw(Box::new(fresh()));
        p = match cell.compare_exchange(null_mut(), new, P::ORDER, SeqCst) {
            Ok(_) => new,
            Err(winner) => {
                // SAFETY: `new` was never published, so this thread still owns it.
                drop(unsafe { Box::from_raw(new) });
                winner
            }
        };
    }
    // SAFETY: an installed chunk or table is never replaced and is freed only on drop (`&mut self`),
    // so it outlives the `&self` borrow this reference is tied to.
    Some(unsafe { &*p })
}

impl<R: Runtime, P: Publication> SlotsMap<R, P> {
    /// The word for `x`; for a large number, its interned node, created when `create` is set
    /// (`None` when it is not interned: no key or value has ever been that number).
    fn encode(&self, x: u64, create: bool) -> Option<usize> {
        if x < INLINE_BELOW {
            return Some((x as usize) << 1 | 1);
        }
        let mut fresh: *mut Big = null_mut();
        loop {
            let head = self.bigs.load(SeqCst);
            let mut n = head;
            while !n.is_null() {
                // SAFETY: nodes reachable from the head are published and freed only on drop.
                let node = unsafe { &*n };
                if node.value == x {
                    if !fresh.is_null() {
                        // SAFETY: never published.
                        drop(unsafe { Box::from_raw(fresh) });
                    }
                    return Some(n as usize);
                }
                n = node.next;
            }
            if !create {
                return None;
            }
            if fresh.is_null() {
                fresh = Box::into_raw(Box::new(Big { value: x, next: head }));
            } else {
                // SAFETY: not published yet, so this thread still owns it.
                unsafe { (*fresh).next = head };
            }
            if self.bigs.compare_exchange(head, fresh, SeqCst, SeqCst).is_ok() {
                return Some(fresh as usize);
            }
        }
    }

    /// The slot of key word `kw` (home slot `home`), claiming one when `claim` is set; `None` when
    /// the key holds no slot (only without `claim`).
    fn slot(&self, kw: usize, home: usize, claim: bool) -> Option<&Slot<R>> {
        let mut table = &self.first;
        loop {
            let mut chunk: Option<(usize, &Chunk<R>)> = None;
            for j in 0..SLOTS {
                let i = (home + j) % SLOTS;
                let c = match chunk {
                    Some((ci, c)) if ci == i / CHUNK => c,
                    _ => {
                        // A chunk never allocated holds only empty slots: the probe ends there.
                        let c = install::<R, P, _>(&table.chunks[i / CHUNK], claim, Chunk::new)?;
                        chunk = Some((i / CHUNK, c));
                        c
                    }
                };
                let slot = &c.slots[i % CHUNK];
                match slot.key.load(SeqCst) {
                    w if w == kw => return Some(slot),
                    EMPTY if !claim => return None,
                    EMPTY => match slot.key.compare_exchange(EMPTY, kw, SeqCst, SeqCst) {
                        Ok(_) => return Some(slot),
                        Err(w) if w == kw => return Some(slot),
                        Err(_) => {}
                    },
                    _ => {}
                }
            }
            table = install::<R, P, _>(&table.next, claim, Table::new)?;
        }
    }

    fn find(&self, key: Key) -> Option<&Slot<R>> {
        let kw = self.encode(key, false)?;
        self.slot(kw, home(key), false)
    }

    /// Calls `f` on every slot of every allocated chunk, in table order, until it breaks.
    fn each_slot(&self, mut f: impl FnMut(&Slot<R>) -> ControlFlow<()>) {
        let mut table = Some(&self.first);
        while let Some(t) = table {
            for cell in &t.chunks {
                let Some(c) = install::<R, P, _>(cell, false, Chunk::new) else {
                    continue;
                };
                for slot in &c.slots {
                    if f(slot).is_break() {
                        return;
                    }
                }
            }
            table = install::<R, P, _>(&t.next, false, Table::new);
        }
    }
}

impl<R: Runtime, P: Publication> Map for SlotsMap<R, P> {
    fn insert(&self, key: Key, value: Value) -> Option<Value> {
        let interned = "encoding with `create` always gives a word";
        let kw = self.encode(key, true).expect(interned);
        let vw = self.encode(value, true).expect(interned);
        let slot = self
            .slot(kw, home(key), true)
            .expect("probing with `claim` always gives a slot");
        decode_value(slot.value.swap(vw, SeqCst))
    }
    fn remove(&self, key: Key) -> Option<Value> {
        decode_value(self.find(key)?.value.swap(EMPTY, SeqCst))
    }
    fn get(&self, key: Key) -> Option<Value> {
        decode_value(self.find(key)?.value.load(SeqCst))
    }
    fn len(&self) -> usize {
        let mut n = 0;
        self.each_slot(|s| {
            n += usize::from(s.value.load(SeqCst) != EMPTY);
            ControlFlow::Continue(())
        });
        n
    }
    fn clear(&self) {
        self.each_slot(|s| {
            if s.value.load(SeqCst) != EMPTY {
                s.value.swap(EMPTY, SeqCst);
            }
            ControlFlow::Continue(())
        });
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        self.each_slot(|s| {
            let kw = s.key.load(SeqCst);
            if kw == EMPTY {
                return ControlFlow::Continue(());
            }
            match decode_value(s.value.load(SeqCst)) {
                Some(v) => visit(decode(kw), v),
                None => ControlFlow::Continue(()),
            }
        });
    }
    fn footprint(&self) -> Footprint {
        let word = std::mem::size_of::<usize>();
        let mut f = Footprint {
            snapshots: 1,
            ..Footprint::default()
        };
        let mut tables = Some(&self.first);
        while let Some(t) = tables {
            f.bytes += (CHUNKS + 1) * word;
            for cell in &t.chunks {
                let Some(c) = install::<R, P, _>(cell, false, Chunk::new) else {
                    continue;
                };
                f.capacity += CHUNK;
                f.bytes += CHUNK * 2 * word;
                for s in &c.slots {
                    match (s.key.load(SeqCst), s.value.load(SeqCst)) {
                        (EMPTY, _) => {}
                        (_, EMPTY) => f.stale += 1,
                        _ => f.live += 1,
                    }
                }
            }
            tables = install::<R, P, _>(&t.next, false, Table::new);
        }
        let mut n = self.bigs.load(SeqCst);
        while !n.is_null() {
            f.bytes += std::mem::size_of::<Big>();
            // SAFETY: as in `encode`.
            n = unsafe { (*n).next };
        }
        f
    }
}

impl<R: Runtime, P: Publication> Drop for SlotsMap<R, P> {
    fn drop(&mut self) {
        fn free_chunks<R: Runtime>(t: &Table<R>) {
            for cell in &t.chunks {
                let c = cell.load(SeqCst);
                if !c.is_null() {
                    // SAFETY: `&mut self`: no other reference to the chunk remains.
                    drop(unsafe { Box::from_raw(c) });
                }
            }
        }
        free_chunks(&self.first);
        let mut next = self.first.next.load(SeqCst);
        while !next.is_null() {
            // SAFETY: as for chunks.
            let t = unsafe { Box::from_raw(next) };
            free_chunks(&t);
            next = t.next.load(SeqCst);
        }
        let mut n = self.bigs.load(SeqCst);
        while !n.is_null() {
            // SAFETY: as for chunks.
            let node = unsafe { Box::from_raw(n) };
            n = node.next;
        }
    }
}

/// The `slots` family: the lock-free slot table, published with `SeqCst`.
pub struct Slots;

impl Structure for Slots {
    type Map<R: Runtime> = SlotsMap<R>;
    fn new<R: Runtime>() -> SlotsMap<R> {
        SlotsMap::default()
    }
    const INFO: StructureInfo = StructureInfo {
        name: "slots",
        summary: "lock-free open-addressed table of atomic slots: keys claimed once by CAS, values swapped",
        iteration: IterationGuarantee::WeaklyConsistent,
        reclamation: ReclamationPolicy::KeySlotsRetained { factor: CHUNK },
        atomic_whole_map: false,
        unsynchronised: false,
        mutant: None,
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::structures::{DetMap, TestRng};
    use mapcheck_harness::rt::Std;

    /// Random single-threaded operations agree with a `HashMap`, over keys that collide (many more
    /// than one table holds, so probing and overflow tables are exercised), small and large keys and
    /// values (large ones are interned); the footprint counts what is there.
    #[test]
    fn agrees_with_a_hash_map_over_colliding_and_large_numbers() {
        let mut rng = TestRng(7);
        let m: SlotsMap<Std> = SlotsMap::default();
        let mut spec = DetMap::default();
        let number = |rng: &mut TestRng| match rng.below(4) {
            0 => u64::MAX - rng.below(3),
            1 => (1 << 63) + rng.below(3),
            _ => rng.below(3) * SLOTS as u64 + rng.below(200),
        };
        for step in 0..20_000 {
            let k = number(&mut rng);
            match rng.below(6) {
                0 | 1 => {
                    let v = number(&mut rng);
                    assert_eq!(m.insert(k, v), spec.insert(k, v), "step {step}: insert({k}, {v})");
                }
                2 => assert_eq!(m.remove(k), spec.remove(&k), "step {step}: remove({k})"),
                3 | 4 => assert_eq!(m.get(k), spec.get(&k).copied(), "step {step}: get({k})"),
                _ => assert_eq!(m.len(), spec.len(), "step {step}: len"),
            }
        }
        let mut seen = Vec::new();
        m.iterate(&mut |k, v| {
            seen.push((k, v));
            ControlFlow::Continue(())
        });
        let mut want: Vec<_> = spec.iter().map(|(k, v)| (*k, *v)).collect();
        seen.sort_unstable();
        want.sort_unstable();
        assert_eq!(seen, want);
        let f = m.footprint();
        assert_eq!(f.live, spec.len());
        assert!(
            f.capacity > SLOTS,
            "more keys than one table holds: an overflow table was used"
        );
        m.clear();
        assert_eq!((m.len(), m.footprint().live), (0, 0));
    }

    /// Keys 1..=128, the widest range a model uses, each get a slot of their own: the table holds
    /// them without probing, in at most one chunk per 8 keys.
    #[test]
    fn a_model_key_range_never_collides() {
        let m: SlotsMap<Std> = SlotsMap::default();
        for k in 1..=SLOTS as u64 {
            m.insert(k, k);
        }
        for k in 1..=SLOTS as u64 {
            let kw = m.encode(k, false).unwrap();
            let slot = m.slot(kw, home(k), false).unwrap();
            let (mut index, mut at) = (0, None);
            m.each_slot(|s| {
                if std::ptr::eq(s, slot) {
                    at = Some(index);
                    return ControlFlow::Break(());
                }
                index += 1;
                ControlFlow::Continue(())
            });
            assert_eq!(at, Some(home(k)), "key {k} sits in its home slot");
        }
        assert_eq!(m.footprint().capacity, SLOTS);
    }
}

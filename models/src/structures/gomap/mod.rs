//! `gomap` (S1): a model of Go's built-in map (runtime/map.go and runtime/map_fast64.go, Go 1.20,
//! with Go 1.21's `clear`), unsynchronised on purpose, so the harness can show what concurrent
//! deletes do to it.
//!
//! The layout is Go's: buckets of eight slots with one `tophash` byte per slot, the eight keys, the
//! eight values and an overflow pointer to a chain of overflow buckets; a header with `count`,
//! `flags`, `B` (log2 of the bucket count), `noverflow`, `hash0`, `buckets`, `oldbuckets`,
//! `nevacuate` and the preallocated overflow buckets (`extra.nextOverflow`). A map with `uint64`
//! keys is compiled to the `_fast64` entry points, so `get`, `insert` and `remove` follow
//! `mapaccess2_fast64`, `mapassign_fast64` and `mapdelete_fast64`; growth (`hashGrow`, `growWork`,
//! `evacuate_fast64`, `advanceEvacuationMark`), iteration (`mapiterinit`, `mapiternext`, with
//! `mapaccessK` for entries that moved) and `mapclear` follow the generic code.
//!
//! Concurrency: every mutable field lives in its own [`RaceCell`]: each header field, and each
//! slot's tophash byte, key and value, and each bucket's overflow pointer. Every read and every
//! write of Go's code is one cell access, so shuttle can switch tasks between any two of them and
//! loom checks each one for a data race. Nothing here synchronises: the `hashWriting` flag is the
//! same best-effort detector as Go's, read and written with plain accesses, so two writers that
//! race past the check both proceed. Under loom the first unsynchronised access of a second thread
//! is reported as a causality violation; under shuttle the detector fires ("concurrent map
//! writes") or the corrupted state shows up as a wrong answer.
//!
//! Buckets are reference counted ([`Arc`]) instead of garbage collected: a bucket array is an
//! `Arc` of a vector of `Arc`ed buckets, and an overflow pointer is an `Arc` of the next bucket.
//! Cells are never borrowed across another cell access (values are copied or `Arc`s cloned out),
//! so a racing writer can only corrupt the model's state, never memory.
//!
//! Departures from Go, all without effect on single-threaded behaviour: the hash is a fixed-seed
//! mix of the key (Go reseeds `hash0` when the map becomes empty; replay needs determinism, so the
//! seed never changes); the random start bucket and offset of an iteration are drawn from the
//! engine ([`mapcheck_harness::rt::draw`]: shuttle's recorded generator, elsewhere a mix of the
//! map's state) instead of Go's `fastrand`; the
//! `iterator`/`oldIterator` flags are not set by iterators (they only decide whether evacuation
//! clears old buckets that hold pointers, and `uint64` buckets hold none; setting them would also
//! make two concurrent iterations race, which they do not in Go); the end of the preallocated
//! overflow buckets is tracked by index rather than by Go's sentinel pointer; allocation sizes are
//! not rounded up to size classes; `remove` reads the removed value before clearing it (Go's
//! `delete` returns nothing); `len` reads `count` without checking `hashWriting`, as Go's `len`
//! does.

use mapcheck_harness::rt::{draw, Arc, RaceCell, Runtime};
use mapcheck_harness::{
    Footprint, IterationGuarantee, Key, Map, ReclamationPolicy, Structure, StructureInfo, Value,
};
use std::collections::BTreeSet;
use std::ops::ControlFlow;

/// Slots per bucket (`bucketCnt`).
const BUCKET_CNT: usize = 8;
/// The load factor 6.5 as `loadFactorNum / loadFactorDen`.
const LOAD_FACTOR_NUM: usize = 13;
const LOAD_FACTOR_DEN: usize = 2;

// Possible tophash values, with Go's names and numbers.
/// This slot is empty, and so are all later slots and overflow buckets.
const EMPTY_REST: u8 = 0;
/// This slot is empty.
const EMPTY_ONE: u8 = 1;
/// The entry moved to the first half of the larger table.
const EVACUATED_X: u8 = 2;
/// The entry moved to the second half of the larger table.
const EVACUATED_Y: u8 = 3;
/// The slot was empty and its bucket has been evacuated.
const EVACUATED_EMPTY: u8 = 4;
/// The smallest tophash of a filled slot.
const MIN_TOP_HASH: u8 = 5;

// Flags, with Go's values.
/// There may be an iterator using the buckets (never set here; see the module notes).
const ITERATOR: u8 = 1;
/// There may be an iterator using the old buckets (never set here; see the module notes).
const OLD_ITERATOR: u8 = 2;
/// A goroutine is writing to the map.
const HASH_WRITING: u8 = 4;
/// The current growth is to a table of the same size.
const SAME_SIZE_GROW: u8 = 8;

/// The iterator's `checkBucket` value meaning "no check" (Go's `noCheck`).
const NO_CHECK: usize = usize::MAX;

/// The fixed hash seed (Go's `hash0` is random per map).
const HASH0: u64 = 0x243f_6a88_85a3_08d3;

/// Bytes of one bucket for `map[uint64]uint64`: 8 tophash bytes, 8 keys, 8 values and the overflow
/// pointer, which is Go's `t.bucketsize` (144).
const BUCKET_BYTES: usize = BUCKET_CNT * (1 + 8 + 8) + 8;
/// Bytes of the `hmap` header on a 64-bit platform.
const HMAP_BYTES: usize = 48;

/// One bucket (`bmap`): the tophash bytes, keys, values and the overflow pointer, each a cell.
struct Bucket<R: Runtime> {
    tophash: [RaceCell<R, u8>; BUCKET_CNT],
    keys: [RaceCell<R, Key>; BUCKET_CNT],
    elems: [RaceCell<R, Value>; BUCKET_CNT],
    overflow: RaceCell<R, Option<BucketRef<R>>>,
}

/// A pointer to a bucket.
type BucketRef<R> = Arc<R, Bucket<R>>;
/// A bucket array: `1 << B` buckets followed by the preallocated overflow buckets, if any.
type BucketArray<R> = Arc<R, Vec<BucketRef<R>>>;

impl<R: Runtime> Bucket<R> {
    /// A zeroed bucket: every slot `emptyRest`, no overflow.
    fn new() -> Self {
        Bucket {
            tophash: std::array::from_fn(|_| RaceCell::new(EMPTY_REST)),
            keys: std::array::from_fn(|_| RaceCell::new(0)),
            elems: std::array::from_fn(|_| RaceCell::new(0)),
            overflow: RaceCell::new(None),
        }
    }

    /// Reads the overflow pointer (`b.overflow(t)`).
    fn overflow(&self) -> Option<BucketRef<R>> {
        self.overflow.with(|o| o.clone())
    }

    /// Writes the overflow pointer (`b.setoverflow(t, ovf)`).
    fn set_overflow(&self, ovf: Option<BucketRef<R>>) {
        put(&self.overflow, ovf);
    }
}

/// Go's `fatal`: an unrecoverable error, here a panic carrying Go's message.
fn fatal(msg: &str) -> ! {
    panic!("{msg}")
}

/// The panic for a state that only a racing writer can produce (Go would crash or misbehave).
fn corrupt() -> ! {
    panic!("map state corrupted by unsynchronised concurrent access")
}

/// Replaces a cell's value, dropping the old one after the cell access has ended (dropping an
/// `Arc` is a scheduling point under loom, which must not happen inside a cell access).
fn put<R: Runtime, T>(cell: &RaceCell<R, T>, v: T) {
    let old = cell.with_mut(|slot| std::mem::replace(slot, v));
    drop(old);
}

/// The key hash: a splitmix64 finaliser of the key mixed with the seed.
fn hash_key(key: Key, seed: u64) -> u64 {
    let mut z = (key ^ seed).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The top byte of the hash, shifted out of the reserved range (`tophash`).
fn tophash(hash: u64) -> u8 {
    let top = (hash >> 56) as u8;
    if top < MIN_TOP_HASH {
        top + MIN_TOP_HASH
    } else {
        top
    }
}

/// Whether a tophash value marks an empty slot (`isEmpty`).
fn is_empty(x: u8) -> bool {
    x <= EMPTY_ONE
}

/// `bucketShift`: the number of buckets for `B`.
fn bucket_shift(b: u8) -> usize {
    1usize << (b as u32 & (usize::BITS - 1))
}

/// `bucketMask`: the mask selecting a bucket for `B`.
fn bucket_mask(b: u8) -> usize {
    bucket_shift(b) - 1
}

/// Whether `count` entries in `1 << B` buckets exceed the load factor (`overLoadFactor`).
fn over_load_factor(count: usize, b: u8) -> bool {
    count > BUCKET_CNT && count > LOAD_FACTOR_NUM * (bucket_shift(b) / LOAD_FACTOR_DEN)
}

/// Whether there are too many overflow buckets for `1 << B` buckets
/// (`tooManyOverflowBuckets`): as many as there are buckets, counting up to `1 << 15`.
fn too_many_overflow_buckets(noverflow: u16, b: u8) -> bool {
    let b = b.min(15);
    noverflow >= 1u16 << (b & 15)
}

/// Whether a bucket has been evacuated (`evacuated`): reads its first tophash byte.
fn evacuated<R: Runtime>(b: &Bucket<R>) -> bool {
    let h = b.tophash[0].get();
    h > EMPTY_ONE && h < MIN_TOP_HASH
}

/// `makeBucketArray` for a fresh allocation: `1 << b` buckets, plus `1 << (b - 4)` preallocated
/// overflow buckets when `b >= 4`; returns the array and the first free preallocated bucket.
fn make_bucket_array<R: Runtime>(b: u8) -> (BucketArray<R>, Option<(BucketArray<R>, usize)>) {
    let base = bucket_shift(b);
    let mut nbuckets = base;
    if b >= 4 {
        nbuckets += bucket_shift(b - 4);
    }
    let array: BucketArray<R> = Arc::new((0..nbuckets).map(|_| Arc::new(Bucket::new())).collect());
    let next_overflow = if base != nbuckets {
        Some((array.clone(), base))
    } else {
        None
    };
    (array, next_overflow)
}

/// A model of Go's `hmap`. All mutable state is in race cells; see the module notes.
pub struct GoMap<R: Runtime> {
    /// Live entries (`count`); `len` returns it.
    count: RaceCell<R, usize>,
    /// `iterator`, `oldIterator`, `hashWriting` and `sameSizeGrow`.
    flags: RaceCell<R, u8>,
    /// Log2 of the bucket count (`B`).
    b: RaceCell<R, u8>,
    /// Approximate number of overflow buckets (`noverflow`).
    noverflow: RaceCell<R, u16>,
    /// The hash seed (`hash0`), fixed here.
    hash0: u64,
    /// The bucket array (`buckets`); `None` until the first write, as for `make(map[K]V)`.
    buckets: RaceCell<R, Option<BucketArray<R>>>,
    /// The previous bucket array while growing (`oldbuckets`).
    oldbuckets: RaceCell<R, Option<BucketArray<R>>>,
    /// Progress counter for evacuation: old buckets below it are evacuated (`nevacuate`).
    nevacuate: RaceCell<R, usize>,
    /// The next free preallocated overflow bucket (`extra.nextOverflow`), as array and index.
    next_overflow: RaceCell<R, Option<(BucketArray<R>, usize)>>,
    /// Mutant switch (`gomap-iter-revisit`): an iterator that follows the current table instead
    /// of its snapshot. False in Go's map.
    pub(crate) iter_revisits: bool,
}

impl<R: Runtime> GoMap<R> {
    /// `makemap_small`: an empty map whose buckets are allocated by the first write.
    pub(crate) fn new() -> Self {
        GoMap {
            count: RaceCell::new(0),
            flags: RaceCell::new(0),
            b: RaceCell::new(0),
            noverflow: RaceCell::new(0),
            hash0: HASH0,
            buckets: RaceCell::new(None),
            oldbuckets: RaceCell::new(None),
            nevacuate: RaceCell::new(0),
            next_overflow: RaceCell::new(None),
            iter_revisits: false,
        }
    }

    fn hash(&self, key: Key) -> u64 {
        hash_key(key, self.hash0)
    }

    /// Reads the bucket array pointer; only a racing writer can make it nil where it is used.
    fn buckets_array(&self) -> BucketArray<R> {
        self.buckets.with(|b| b.clone()).unwrap_or_else(|| corrupt())
    }

    fn old_buckets_array(&self) -> Option<BucketArray<R>> {
        self.oldbuckets.with(|b| b.clone())
    }

    /// `h.growing()`: whether old buckets remain to be evacuated.
    fn growing(&self) -> bool {
        self.oldbuckets.with(|b| b.is_some())
    }

    /// `h.sameSizeGrow()`.
    fn same_size_grow(&self) -> bool {
        self.flags.get() & SAME_SIZE_GROW != 0
    }

    /// `h.noldbuckets()`: the bucket count before the current growth began.
    fn noldbuckets(&self) -> usize {
        let mut old_b = self.b.get();
        if !self.same_size_grow() {
            old_b = old_b.wrapping_sub(1);
        }
        bucket_shift(old_b)
    }

    /// `h.oldbucketmask()`.
    fn oldbucketmask(&self) -> usize {
        self.noldbuckets() - 1
    }

    /// The check at the start of every write: a writer already inside is a fatal error. The flag is
    /// then toggled with a separate read and write (`h.flags ^= hashWriting`), so two writers that
    /// both passed the check both proceed, as in Go.
    fn start_write_check(&self) {
        if self.flags.get() & HASH_WRITING != 0 {
            fatal("concurrent map writes");
        }
    }

    fn set_writing(&self) {
        let f = self.flags.get();
        self.flags.set(f ^ HASH_WRITING);
    }

    /// The check at the end of every write: if another writer cleared the flag meanwhile, that is a
    /// fatal error; then `h.flags &^= hashWriting`, again a separate read and write.
    fn end_write(&self) {
        if self.flags.get() & HASH_WRITING == 0 {
            fatal("concurrent map writes");
        }
        let f = self.flags.get();
        self.flags.set(f & !HASH_WRITING);
    }

    /// `mapaccess2_fast64`.
    fn access(&self, key: Key) -> Option<Value> {
        if self.count.get() == 0 {
            return None;
        }
        if self.flags.get() & HASH_WRITING != 0 {
            fatal("concurrent map read and map write");
        }
        let b_log = self.b.get();
        let mut b = if b_log == 0 {
            // One-bucket table: no need to hash.
            self.buckets_array()[0].clone()
        } else {
            let hash = self.hash(key) as usize;
            let mut m = bucket_mask(b_log);
            let mut b = self.buckets_array()[hash & m].clone();
            if let Some(c) = self.old_buckets_array() {
                if !self.same_size_grow() {
                    // There used to be half as many buckets; mask down one more power of two.
                    m >>= 1;
                }
                let oldb = c[hash & m].clone();
                if !evacuated(&oldb) {
                    b = oldb;
                }
            }
            b
        };
        loop {
            for i in 0..BUCKET_CNT {
                if b.keys[i].get() == key && !is_empty(b.tophash[i].get()) {
                    return Some(b.elems[i].get());
                }
            }
            match b.overflow() {
                Some(o) => b = o,
                None => return None,
            }
        }
    }

    /// `mapaccessK` (generic): the key and value for `key`, used by iteration to re-find entries
    /// that moved. Unlike the accessors it does not check `hashWriting`.
    fn access_k(&self, key: Key) -> Option<(Key, Value)> {
        if self.count.get() == 0 {
            return None;
        }
        let hash = self.hash(key);
        let mut m = bucket_mask(self.b.get());
        let h = hash as usize;
        let mut b = self.buckets_array()[h & m].clone();
        if let Some(c) = self.old_buckets_array() {
            if !self.same_size_grow() {
                m >>= 1;
            }
            let oldb = c[h & m].clone();
            if !evacuated(&oldb) {
                b = oldb;
            }
        }
        let top = tophash(hash);
        loop {
            for i in 0..BUCKET_CNT {
                let t = b.tophash[i].get();
                if t != top {
                    if t == EMPTY_REST {
                        return None;
                    }
                    continue;
                }
                let k = b.keys[i].get();
                if k == key {
                    return Some((k, b.elems[i].get()));
                }
            }
            match b.overflow() {
                Some(o) => b = o,
                None => return None,
            }
        }
    }

    /// `mapassign_fast64` followed by the store of the value through the returned pointer, which
    /// Go's compiled code does after `mapassign` has returned, so after `hashWriting` is cleared.
    /// Returns the previous value (read before the store) if the key was present.
    fn assign(&self, key: Key, value: Value) -> Option<Value> {
        self.start_write_check();
        let hash = self.hash(key);
        // Set hashWriting after calling the hasher, as Go does.
        self.set_writing();
        if self.buckets.with(|b| b.is_none()) {
            // `h.buckets = newobject(t.bucket)`: a single bucket.
            let (array, _) = make_bucket_array::<R>(0);
            put(&self.buckets, Some(array));
        }
        let (slot_bucket, slot, previous) = 'again: loop {
            let bucket = hash as usize & bucket_mask(self.b.get());
            if self.growing() {
                self.grow_work(bucket);
            }
            let mut b = self.buckets_array()[bucket].clone();
            let mut insert: Option<(BucketRef<R>, usize)> = None;
            'bucketloop: loop {
                for i in 0..BUCKET_CNT {
                    let t = b.tophash[i].get();
                    if is_empty(t) {
                        if insert.is_none() {
                            insert = Some((b.clone(), i));
                        }
                        if t == EMPTY_REST {
                            break 'bucketloop;
                        }
                        continue;
                    }
                    if b.keys[i].get() != key {
                        continue;
                    }
                    // Already have a mapping for key: the value slot is updated below.
                    let previous = b.elems[i].get();
                    break 'again (b, i, Some(previous));
                }
                match b.overflow() {
                    Some(ovf) => b = ovf,
                    None => break,
                }
            }
            // Did not find the key. If we hit the max load factor or we have too many overflow
            // buckets, and we're not already in the middle of growing, start growing.
            if !self.growing()
                && (over_load_factor(self.count.get().wrapping_add(1), self.b.get())
                    || too_many_overflow_buckets(self.noverflow.get(), self.b.get()))
            {
                self.hash_grow();
                // Growing the table invalidates everything, so try again.
                continue 'again;
            }
            let (insertb, inserti) = match insert {
                Some(found) => found,
                // The bucket and all its overflow buckets are full: allocate a new one.
                None => (self.newoverflow(&b), 0),
            };
            insertb.tophash[inserti & (BUCKET_CNT - 1)].set(tophash(hash));
            insertb.keys[inserti].set(key);
            let c = self.count.get();
            self.count.set(c.wrapping_add(1));
            break 'again (insertb, inserti, None);
        };
        self.end_write();
        slot_bucket.elems[slot].set(value);
        previous
    }

    /// `mapdelete_fast64`, which also reads the value it removes (Go's `delete` returns nothing).
    fn delete(&self, key: Key) -> Option<Value> {
        if self.count.get() == 0 {
            return None;
        }
        self.start_write_check();
        let hash = self.hash(key);
        self.set_writing();
        let bucket = hash as usize & bucket_mask(self.b.get());
        if self.growing() {
            self.grow_work(bucket);
        }
        let b_orig = self.buckets_array()[bucket].clone();
        let mut removed = None;
        let mut next = Some(b_orig.clone());
        'search: while let Some(b) = next {
            for i in 0..BUCKET_CNT {
                if key != b.keys[i].get() || is_empty(b.tophash[i].get()) {
                    continue;
                }
                removed = Some(b.elems[i].get());
                // The key holds no pointers, so only the value is cleared (as Go does).
                b.elems[i].set(0);
                b.tophash[i].set(EMPTY_ONE);
                // If the bucket now ends in a run of emptyOne states, change them to emptyRest.
                let not_last = if i == BUCKET_CNT - 1 {
                    match b.overflow() {
                        Some(ovf) => ovf.tophash[0].get() != EMPTY_REST,
                        None => false,
                    }
                } else {
                    b.tophash[i + 1].get() != EMPTY_REST
                };
                if !not_last {
                    let mut bb = b.clone();
                    let mut j = i;
                    loop {
                        bb.tophash[j].set(EMPTY_REST);
                        if j == 0 {
                            if Arc::ptr_eq(&bb, &b_orig) {
                                // Beginning of the initial bucket: done.
                                break;
                            }
                            // Find the previous bucket and continue at its last slot.
                            let c = bb.clone();
                            bb = b_orig.clone();
                            loop {
                                let ovf = bb.overflow().unwrap_or_else(|| corrupt());
                                if Arc::ptr_eq(&ovf, &c) {
                                    break;
                                }
                                bb = ovf;
                            }
                            j = BUCKET_CNT - 1;
                        } else {
                            j -= 1;
                        }
                        if bb.tophash[j].get() != EMPTY_ONE {
                            break;
                        }
                    }
                }
                // notLast: Go also reseeds `hash0` when the count reaches zero; the seed is fixed
                // here (see the module notes).
                let c = self.count.get();
                self.count.set(c.wrapping_sub(1));
                break 'search;
            }
            next = b.overflow();
        }
        self.end_write();
        removed
    }

    /// `mapclear` (Go 1.21): empties the map but keeps the main bucket array (and its preallocated
    /// overflow buckets); old buckets and overflow buckets allocated one by one are released.
    fn mapclear(&self) {
        if self.count.get() == 0 {
            return;
        }
        self.start_write_check();
        self.set_writing();
        // Mark buckets empty, so existing iterators can terminate (Go issue 59411).
        let mark_buckets_empty = |array: &BucketArray<R>, mask: usize| {
            for i in 0..=mask {
                let mut next = Some(array[i].clone());
                while let Some(b) = next {
                    for slot in &b.tophash {
                        slot.set(EMPTY_REST);
                    }
                    next = b.overflow();
                }
            }
        };
        let buckets = self.buckets_array();
        mark_buckets_empty(&buckets, bucket_mask(self.b.get()));
        if let Some(old) = self.old_buckets_array() {
            mark_buckets_empty(&old, self.oldbucketmask());
        }
        let f = self.flags.get();
        self.flags.set(f & !SAME_SIZE_GROW);
        put(&self.oldbuckets, None);
        self.nevacuate.set(0);
        self.noverflow.set(0);
        self.count.set(0);
        // Go reseeds `hash0` here; the seed is fixed in this model.
        put(&self.next_overflow, None);
        // `makeBucketArray(t, h.B, h.buckets)`: clear the memory of the existing array (main and
        // preallocated overflow buckets), which drops the links to other overflow buckets.
        for b in buckets.iter() {
            for i in 0..BUCKET_CNT {
                b.tophash[i].set(EMPTY_REST);
                b.keys[i].set(0);
                b.elems[i].set(0);
            }
            b.set_overflow(None);
        }
        let base = bucket_shift(self.b.get());
        if base != buckets.len() {
            put(&self.next_overflow, Some((buckets.clone(), base)));
        }
        self.end_write();
    }

    /// Every bucket reachable from the current and old arrays (including unused preallocated
    /// overflow buckets), counted once each.
    fn bucket_count(&self) -> usize {
        let mut seen = BTreeSet::new();
        let arrays = [self.buckets.with(|a| a.clone()), self.old_buckets_array()];
        for array in arrays.into_iter().flatten() {
            for first in array.iter() {
                let mut next = Some(first.clone());
                while let Some(b) = next {
                    if !seen.insert(&*b as *const Bucket<R> as usize) {
                        break;
                    }
                    next = b.overflow();
                }
            }
        }
        seen.len()
    }
}

impl<R: Runtime> Map for GoMap<R> {
    fn insert(&self, key: Key, value: Value) -> Option<Value> {
        self.assign(key, value)
    }
    fn remove(&self, key: Key) -> Option<Value> {
        self.delete(key)
    }
    fn get(&self, key: Key) -> Option<Value> {
        self.access(key)
    }
    /// `len(m)`: reads `count`, without a `hashWriting` check, as Go does.
    fn len(&self) -> usize {
        self.count.get()
    }
    fn clear(&self) {
        self.mapclear()
    }
    /// `for k, v := range m`: the visitor runs with no cell borrowed, so it may delete or insert.
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        let Some(mut it) = self.iter_init() else {
            return;
        };
        while let Some((k, v)) = self.iter_next::<true>(&mut it) {
            if visit(k, v).is_break() {
                break;
            }
        }
    }
    /// Go has no reclamation step: deleted slots stay allocated until the map is replaced.
    fn reclaim(&self) {}
    fn footprint(&self) -> Footprint {
        let buckets = self.bucket_count();
        Footprint {
            live: self.count.get(),
            stale: 0,
            snapshots: 1,
            capacity: buckets * BUCKET_CNT,
            bytes: HMAP_BYTES + buckets * BUCKET_BYTES,
        }
    }
}

/// The `gomap` family: Go's built-in map, no synchronisation.
pub struct Gomap;

impl Structure for Gomap {
    type Map<R: Runtime> = GoMap<R>;
    fn new<R: Runtime>() -> GoMap<R> {
        GoMap::new()
    }
    const INFO: StructureInfo = StructureInfo {
        name: "gomap",
        summary: "Go's built-in map: 8-slot buckets with tophash, overflow chains, incremental \
                  growth, a best-effort hashWriting detector, no synchronisation",
        iteration: IterationGuarantee::WeaklyConsistent,
        reclamation: ReclamationPolicy::NeverShrinks,
        atomic_whole_map: true,
        unsynchronised: true,
        mutant: None,
    };
}

mod grow;
mod iter;
mod locked;

pub use locked::{GomapLocked, LockedGoMap};

#[cfg(test)]
mod tests;

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
//! seed never changes); iteration starts at bucket 0, offset 0 (Go picks both at random); the
//! `iterator`/`oldIterator` flags are not set by iterators (they only decide whether evacuation
//! clears old buckets that hold pointers, and `uint64` buckets hold none; setting them would also
//! make two concurrent iterations race, which they do not in Go); the end of the preallocated
//! overflow buckets is tracked by index rather than by Go's sentinel pointer; allocation sizes are
//! not rounded up to size classes; `remove` reads the removed value before clearing it (Go's
//! `delete` returns nothing); `len` reads `count` without checking `hashWriting`, as Go's `len`
//! does.

use mapcheck_harness::rt::{Arc, RaceCell, Runtime};
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
}

/// An iteration in progress (`hiter`): the snapshot of `B` and `buckets` taken at the start, and
/// the position to continue from.
struct Hiter<R: Runtime> {
    /// `B` when the iteration started.
    b: u8,
    /// The bucket array when the iteration started.
    buckets: BucketArray<R>,
    start_bucket: usize,
    /// Slot offset within each bucket (Go's random `offset`; always 0 here).
    offset: usize,
    /// Whether the walk has wrapped from the last bucket back to bucket 0.
    wrapped: bool,
    /// The next bucket of `buckets` to walk.
    bucket: usize,
    /// The bucket being walked (possibly an old or overflow bucket), if any.
    bptr: Option<BucketRef<R>>,
    /// The next slot of `bptr` to look at.
    i: usize,
    /// While walking an unevacuated old bucket, the new bucket whose entries are wanted.
    check_bucket: usize,
}

impl<R: Runtime> GoMap<R> {
    /// `makemap_small`: an empty map whose buckets are allocated by the first write.
    fn new() -> Self {
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

    /// `hashGrow`: starts growing to twice the size, or to the same size when there are too many
    /// overflow buckets; the actual copying is done incrementally by `growWork`.
    fn hash_grow(&self) {
        let mut bigger = 1u8;
        if !over_load_factor(self.count.get().wrapping_add(1), self.b.get()) {
            bigger = 0;
            let f = self.flags.get();
            self.flags.set(f | SAME_SIZE_GROW);
        }
        let oldbuckets = self.buckets.with(|b| b.clone());
        let (newbuckets, next_overflow) = make_bucket_array::<R>(self.b.get() + bigger);
        let old_flags = self.flags.get();
        let mut flags = old_flags & !(ITERATOR | OLD_ITERATOR);
        if old_flags & ITERATOR != 0 {
            flags |= OLD_ITERATOR;
        }
        // Commit the grow.
        let b = self.b.get();
        self.b.set(b + bigger);
        self.flags.set(flags);
        put(&self.oldbuckets, oldbuckets);
        put(&self.buckets, Some(newbuckets));
        self.nevacuate.set(0);
        self.noverflow.set(0);
        if let Some(next) = next_overflow {
            put(&self.next_overflow, Some(next));
        }
    }

    /// `growWork`: evacuates the old bucket the caller is about to use, and one more to make
    /// progress.
    fn grow_work(&self, bucket: usize) {
        self.evacuate(bucket & self.oldbucketmask());
        if self.growing() {
            self.evacuate(self.nevacuate.get());
        }
    }

    /// `bucketEvacuated`.
    fn bucket_evacuated(&self, bucket: usize) -> bool {
        let old = self.old_buckets_array().unwrap_or_else(|| corrupt());
        evacuated(&old[bucket])
    }

    /// `evacuate_fast64`: moves the entries of one old bucket (and its overflow chain) to the new
    /// array, to the same index (X) or, when doubling, to index + old size (Y), and marks each old
    /// slot evacuatedX, evacuatedY or evacuatedEmpty.
    fn evacuate(&self, oldbucket: usize) {
        let old = self.old_buckets_array().unwrap_or_else(|| corrupt());
        let first = old[oldbucket].clone();
        let newbit = self.noldbuckets();
        if !evacuated(&first) {
            let new = self.buckets_array();
            // The X and Y destinations: bucket and next slot.
            let mut x = (new[oldbucket].clone(), 0usize);
            let mut y = if !self.same_size_grow() {
                Some((new[oldbucket + newbit].clone(), 0usize))
            } else {
                None
            };
            let mut next = Some(first);
            while let Some(b) = next {
                for i in 0..BUCKET_CNT {
                    let top = b.tophash[i].get();
                    if is_empty(top) {
                        b.tophash[i].set(EVACUATED_EMPTY);
                        continue;
                    }
                    if top < MIN_TOP_HASH {
                        panic!("bad map state");
                    }
                    let mut use_y = 0u8;
                    if !self.same_size_grow() {
                        let hash = self.hash(b.keys[i].get());
                        if hash as usize & newbit != 0 {
                            use_y = 1;
                        }
                    }
                    b.tophash[i].set(EVACUATED_X + use_y);
                    let dst = if use_y == 0 {
                        &mut x
                    } else {
                        y.as_mut().unwrap_or_else(|| corrupt())
                    };
                    if dst.1 == BUCKET_CNT {
                        dst.0 = self.newoverflow(&dst.0);
                        dst.1 = 0;
                    }
                    dst.0.tophash[dst.1 & (BUCKET_CNT - 1)].set(top);
                    dst.0.keys[dst.1].set(b.keys[i].get());
                    dst.0.elems[dst.1].set(b.elems[i].get());
                    dst.1 += 1;
                }
                next = b.overflow();
            }
            // Go unlinks old overflow buckets and clears old keys and values here only when the
            // bucket holds pointers and no iterator may use the old buckets; `uint64` buckets do
            // not hold pointers, so nothing is cleared.
        }
        if oldbucket == self.nevacuate.get() {
            self.advance_evacuation_mark(newbit);
        }
    }

    /// `advanceEvacuationMark`: moves `nevacuate` past evacuated buckets, and ends the growth
    /// (releasing the old array) once every old bucket is evacuated.
    fn advance_evacuation_mark(&self, newbit: usize) {
        let n = self.nevacuate.get();
        self.nevacuate.set(n + 1);
        // Go bounds the scan to keep the step O(1).
        let stop = (self.nevacuate.get() + 1024).min(newbit);
        while self.nevacuate.get() != stop && self.bucket_evacuated(self.nevacuate.get()) {
            let n = self.nevacuate.get();
            self.nevacuate.set(n + 1);
        }
        if self.nevacuate.get() == newbit {
            // Growing is all done: free the old main bucket array (and with it the old overflow
            // buckets that are not referenced by an iterator).
            put(&self.oldbuckets, None);
            let f = self.flags.get();
            self.flags.set(f & !SAME_SIZE_GROW);
        }
    }

    /// `h.newoverflow`: takes a preallocated overflow bucket if one is left, otherwise allocates
    /// one, counts it, and links it after `b`.
    fn newoverflow(&self, b: &BucketRef<R>) -> BucketRef<R> {
        let next = self.next_overflow.with(|n| n.clone());
        let ovf = match next {
            Some((array, idx)) => {
                let ovf = array.get(idx).cloned().unwrap_or_else(|| corrupt());
                if idx + 1 < array.len() {
                    // Not at the end of the preallocated overflow buckets: bump the pointer.
                    put(&self.next_overflow, Some((array, idx + 1)));
                } else {
                    // That was the last preallocated overflow bucket.
                    put(&self.next_overflow, None);
                }
                ovf
            }
            None => Arc::new(Bucket::new()),
        };
        self.incrnoverflow();
        b.set_overflow(Some(ovf.clone()));
        ovf
    }

    /// `h.incrnoverflow`: counts an overflow bucket exactly while `B < 16`, and with probability
    /// `1 / (1 << (B - 15))` above (the "random" draw is a deterministic mix of the state here).
    fn incrnoverflow(&self) {
        let b = self.b.get();
        if b < 16 {
            let n = self.noverflow.get();
            self.noverflow.set(n.wrapping_add(1));
            return;
        }
        let mask = (1u64 << (b - 15).min(63)) - 1;
        let n = self.noverflow.get();
        let draw = hash_key(self.count.get() as u64 ^ ((n as u64) << 48), self.hash0);
        if draw & mask == 0 {
            self.noverflow.set(n.wrapping_add(1));
        }
    }

    /// `mapiterinit`, without the first `mapiternext`: `None` when the map is empty.
    fn iter_init(&self) -> Option<Hiter<R>> {
        if self.count.get() == 0 {
            return None;
        }
        let b = self.b.get();
        let buckets = self.buckets.with(|a| a.clone())?;
        Some(Hiter {
            b,
            buckets,
            start_bucket: 0,
            offset: 0,
            wrapped: false,
            bucket: 0,
            bptr: None,
            i: 0,
            check_bucket: NO_CHECK,
        })
    }

    /// `mapiternext`: the next entry, or `None` at the end. No cell is borrowed when it returns.
    fn iter_next(&self, it: &mut Hiter<R>) -> Option<(Key, Value)> {
        if self.flags.get() & HASH_WRITING != 0 {
            fatal("concurrent map iteration and map write");
        }
        let mut bucket = it.bucket;
        let mut b = it.bptr.take();
        let mut i = it.i;
        let mut check_bucket = it.check_bucket;
        loop {
            let cur = match b {
                Some(cur) => cur,
                None => {
                    if bucket == it.start_bucket && it.wrapped {
                        return None;
                    }
                    let cur;
                    if self.growing() && it.b == self.b.get() {
                        // The iterator was started in the middle of a grow, and the grow is not
                        // done yet. If the bucket we're looking at hasn't been filled in yet (its
                        // old bucket hasn't been evacuated), iterate through the old bucket and
                        // only return the entries that will be migrated to this bucket.
                        let oldbucket = bucket & self.oldbucketmask();
                        let old = self.old_buckets_array().unwrap_or_else(|| corrupt());
                        let oldb = old[oldbucket].clone();
                        if !evacuated(&oldb) {
                            check_bucket = bucket;
                            cur = oldb;
                        } else {
                            cur = it.buckets[bucket].clone();
                            check_bucket = NO_CHECK;
                        }
                    } else {
                        cur = it.buckets[bucket].clone();
                        check_bucket = NO_CHECK;
                    }
                    bucket += 1;
                    if bucket == bucket_shift(it.b) {
                        bucket = 0;
                        it.wrapped = true;
                    }
                    i = 0;
                    cur
                }
            };
            while i < BUCKET_CNT {
                let offi = (i + it.offset) & (BUCKET_CNT - 1);
                let mut top = cur.tophash[offi].get();
                if is_empty(top) || top == EVACUATED_EMPTY {
                    i += 1;
                    continue;
                }
                let k = cur.keys[offi].get();
                if check_bucket != NO_CHECK && !self.same_size_grow() {
                    // The iterator was started during a grow to a larger size and the grow is not
                    // done: we are walking an old bucket that was not evacuated when we started
                    // it, so skip the entries that go to the other new bucket.
                    let hash = self.hash(k) as usize;
                    if hash & bucket_mask(it.b) != check_bucket {
                        i += 1;
                        continue;
                    }
                    // The hasher call intervened, so Go reloads the tophash byte.
                    top = cur.tophash[offi].get();
                }
                let found = if top != EVACUATED_X && top != EVACUATED_Y {
                    // This is the golden data: return it.
                    Some((k, cur.elems[offi].get()))
                } else {
                    // The table has grown since the iterator was started, and the golden data
                    // for this key is elsewhere: look it up in the current table, which handles
                    // a key that was deleted, updated, or deleted and reinserted.
                    self.access_k(k)
                };
                let Some(entry) = found else {
                    // The key has been deleted.
                    i += 1;
                    continue;
                };
                it.bucket = bucket;
                it.bptr = Some(cur);
                it.i = i + 1;
                it.check_bucket = check_bucket;
                return Some(entry);
            }
            b = cur.overflow();
            i = 0;
        }
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
        while let Some((k, v)) = self.iter_next(&mut it) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use mapcheck_harness::rt::Std;
    use std::collections::{BTreeMap, BTreeSet};

    use crate::structures::TestRng as Rng;

    fn new_map() -> GoMap<Std> {
        Gomap::new::<Std>()
    }

    fn contents(m: &GoMap<Std>) -> BTreeMap<Key, Value> {
        let mut out = BTreeMap::new();
        m.iterate(&mut |k, v| {
            assert!(out.insert(k, v).is_none(), "key {k} yielded twice");
            ControlFlow::Continue(())
        });
        out
    }

    /// Runs `ops` random operations on keys below `range` against a `BTreeMap`.
    fn differential(seed: u64, range: u64, ops: usize) {
        let m = new_map();
        let mut reference = BTreeMap::new();
        let mut rng = Rng(seed);
        for step in 0..ops {
            let key = rng.below(range);
            match rng.below(100) {
                0..=44 => {
                    let value = rng.next();
                    assert_eq!(m.insert(key, value), reference.insert(key, value), "insert {key}");
                }
                45..=69 => assert_eq!(m.remove(key), reference.remove(&key), "remove {key}"),
                70..=97 => assert_eq!(m.get(key), reference.get(&key).copied(), "get {key}"),
                _ if step % 7 == 0 => {
                    m.clear();
                    reference.clear();
                }
                _ => assert_eq!(contents(&m), reference),
            }
            assert_eq!(m.len(), reference.len());
        }
        assert_eq!(contents(&m), reference);
        for (k, v) in &reference {
            assert_eq!(m.get(*k), Some(*v));
        }
    }

    #[test]
    fn matches_btreemap_small_key_range() {
        for seed in 1..5 {
            differential(seed, 16, 3000);
        }
    }

    #[test]
    fn matches_btreemap_large_key_range() {
        for seed in 1..4 {
            differential(seed * 77, 1 << 20, 4000);
        }
    }

    #[test]
    fn grows_and_keeps_every_entry() {
        let m = new_map();
        for k in 0..5000u64 {
            assert_eq!(m.insert(k, k * 3), None);
        }
        assert_eq!(m.len(), 5000);
        for k in 0..5000u64 {
            assert_eq!(m.get(k), Some(k * 3));
        }
        assert!(m.b.get() >= 9, "B = {}", m.b.get());
        assert_eq!(contents(&m).len(), 5000);
    }

    /// Keys whose hashes share their low 12 bits land in one bucket for every B up to 12, so they
    /// build a long overflow chain; deleting them in a random order exercises the conversion of
    /// trailing emptyOne slots to emptyRest across overflow buckets.
    #[test]
    fn colliding_keys_build_overflow_chains() {
        let m = new_map();
        let keys: Vec<Key> = (0..2_000_000u64)
            .filter(|k| hash_key(*k, HASH0) & 0xfff == 0)
            .take(60)
            .collect();
        assert_eq!(keys.len(), 60);
        for (n, k) in keys.iter().enumerate() {
            m.insert(*k, n as Value);
        }
        assert!(m.noverflow.get() > 0, "no overflow bucket was allocated");
        for (n, k) in keys.iter().enumerate() {
            assert_eq!(m.get(*k), Some(n as Value));
        }
        let mut order = keys.clone();
        let mut rng = Rng(9);
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i as u64 + 1) as usize);
        }
        for (n, k) in order.iter().enumerate() {
            assert_eq!(
                m.remove(*k),
                Some(keys.iter().position(|x| x == k).unwrap() as Value)
            );
            assert_eq!(m.len(), keys.len() - n - 1);
            assert_eq!(m.get(*k), None);
            for later in &order[n + 1..] {
                assert!(m.get(*later).is_some(), "key {later} lost after removing {k}");
            }
        }
        assert!(contents(&m).is_empty());
    }

    /// Filling one bucket's chain and emptying it again, bucket after bucket, piles up overflow
    /// buckets while `count` stays low: Go's trigger for a same-size growth, which compacts them.
    #[test]
    fn overflow_churn_triggers_same_size_growth() {
        let m = new_map();
        let mut reference = BTreeMap::new();
        for k in 0..40u64 {
            m.insert(k, k);
        }
        finish_growth(&m);
        for k in 0..40u64 {
            m.remove(k);
        }
        let b = m.b.get();
        assert_eq!(b, 3);
        let mut saw_same_size = false;
        let mut candidates = 1_000u64..;
        for j in 0..8u64 {
            let keys: Vec<Key> = candidates
                .by_ref()
                .filter(|k| hash_key(*k, HASH0) & 7 == j)
                .take(20)
                .collect();
            for k in &keys {
                assert_eq!(m.insert(*k, *k + 1), reference.insert(*k, *k + 1));
                saw_same_size |= m.same_size_grow();
            }
            // Keep the last key of each round so the contents stay non-trivial.
            for k in &keys[..19] {
                assert_eq!(m.remove(*k), reference.remove(k));
            }
        }
        assert!(saw_same_size, "no same-size growth happened");
        assert_eq!(m.b.get(), b, "a same-size growth must not change B");
        assert_eq!(contents(&m), reference);
        assert_eq!(m.len(), reference.len());
    }

    /// Overwrites existing keys (each write does growth work) until no growth is in progress.
    fn finish_growth(m: &GoMap<Std>) {
        while m.growing() {
            let mut it = m.iter_init().expect("a growing map is not empty");
            let (k, v) = m.iter_next(&mut it).expect("a growing map is not empty");
            drop(it);
            m.insert(k, v);
        }
    }

    #[test]
    fn capacity_never_decreases_after_deletes() {
        let m = new_map();
        let mut rng = Rng(3);
        let mut keys = Vec::new();
        for _ in 0..3000 {
            let k = rng.next();
            keys.push(k);
            m.insert(k, 1);
        }
        finish_growth(&m);
        let peak = m.footprint();
        assert_eq!(peak.live, 3000);
        let mut last = peak.capacity;
        for k in &keys {
            assert_eq!(m.remove(*k), Some(1));
            let now = m.footprint();
            assert!(
                now.capacity >= last,
                "capacity fell from {last} to {}",
                now.capacity
            );
            last = now.capacity;
        }
        let drained = m.footprint();
        assert_eq!(drained.live, 0);
        assert_eq!(drained.capacity, peak.capacity);
        assert_eq!(drained.bytes, peak.bytes);
        // `clear` keeps the main bucket array too.
        m.insert(1, 1);
        m.clear();
        assert!(m.footprint().capacity >= bucket_shift(m.b.get()) * BUCKET_CNT);
        assert_eq!(m.len(), 0);
        assert_eq!(m.get(1), None);
    }

    /// Inserts keys `0..` until a growth has just started; returns the reference contents.
    fn map_in_mid_growth(target: usize) -> (GoMap<Std>, BTreeMap<Key, Value>) {
        let m = new_map();
        let mut reference = BTreeMap::new();
        let mut k = 0u64;
        while reference.len() < target || !m.growing() {
            m.insert(k, k + 1000);
            reference.insert(k, k + 1000);
            k += 1;
        }
        assert!(m.growing());
        (m, reference)
    }

    /// Iterates a map whose growth is in progress while the visitor deletes the visited key,
    /// deletes keys not visited yet and inserts new keys (each write does growth work, and enough
    /// inserts start a second growth), in every combination, including none of them.
    #[test]
    fn iteration_during_growth_with_deletes_and_inserts() {
        for target in [9usize, 14, 30, 60, 110, 250, 500, 1000] {
            for (del_visited, del_other, inserts) in (0..12).map(|m| (m & 1 != 0, m & 2 != 0, m / 4)) {
                let (m, initial) = map_in_mid_growth(target);
                let mut yielded = BTreeSet::new();
                let mut deleted_unvisited = BTreeSet::new();
                let mut next_new = 1_000_000u64;
                let mut current = initial.clone();
                let mut rng = Rng(target as u64 * 31 + inserts as u64 + 1);
                m.iterate(&mut |k, v| {
                    assert!(yielded.insert(k), "key {k} yielded twice (target {target})");
                    assert!(!deleted_unvisited.contains(&k), "deleted key {k} was yielded");
                    assert_eq!(current.get(&k), Some(&v), "stale value for key {k}");
                    if del_visited && k % 2 == 0 {
                        assert_eq!(m.remove(k), Some(v));
                        current.remove(&k);
                    }
                    if del_other {
                        // Delete another key that has not been visited yet.
                        let other = rng.below(initial.len() as u64);
                        if !yielded.contains(&other) && current.contains_key(&other) {
                            assert!(m.remove(other).is_some());
                            current.remove(&other);
                            deleted_unvisited.insert(other);
                        }
                    }
                    for _ in 0..inserts * inserts {
                        m.insert(next_new, next_new);
                        current.insert(next_new, next_new);
                        next_new += 1;
                    }
                    ControlFlow::Continue(())
                });
                for k in initial.keys() {
                    if !deleted_unvisited.contains(k) {
                        assert!(yielded.contains(k), "key {k} present throughout was skipped");
                    }
                }
                for k in &yielded {
                    assert!(initial.contains_key(k) || *k >= 1_000_000);
                }
                assert_eq!(contents(&m), current);
                assert_eq!(m.len(), current.len());
            }
        }
    }

    #[test]
    fn deleting_every_visited_key_empties_the_map() {
        for target in [5usize, 9, 40, 100, 700, 2000] {
            let (m, initial) = if target < 9 {
                let m = new_map();
                let mut r = BTreeMap::new();
                for k in 0..target as u64 {
                    m.insert(k, k);
                    r.insert(k, k);
                }
                (m, r)
            } else {
                map_in_mid_growth(target)
            };
            let mut yielded = BTreeSet::new();
            m.iterate(&mut |k, v| {
                assert!(yielded.insert(k), "key {k} yielded twice");
                assert_eq!(m.remove(k), Some(v));
                ControlFlow::Continue(())
            });
            assert_eq!(yielded.len(), initial.len());
            assert_eq!(m.len(), 0);
            assert!(contents(&m).is_empty());
        }
    }

    #[test]
    fn footprint_counts_buckets() {
        let m = new_map();
        assert_eq!(m.footprint().capacity, 0);
        m.insert(1, 2);
        let f = m.footprint();
        assert_eq!((f.live, f.stale, f.snapshots), (1, 0, 1));
        assert_eq!(f.capacity, BUCKET_CNT);
        assert_eq!(f.bytes, HMAP_BYTES + BUCKET_BYTES);
        m.reclaim();
        assert_eq!(m.footprint(), f);
    }

    /// Two writers racing under shuttle: Go's detector fires for some schedule.
    #[test]
    fn shuttle_two_writers_trip_the_detector() {
        use mapcheck_harness::rt::{spawn, Shuttle};
        let result = std::panic::catch_unwind(|| {
            shuttle::check_random_with_seed(
                || {
                    let m = Arc::<Shuttle, _>::new(Gomap::new::<Shuttle>());
                    let handles: Vec<_> = (0..2u64)
                        .map(|t| {
                            let m = m.clone();
                            spawn::<Shuttle, _>(move || {
                                for k in 0..3 {
                                    m.insert(t * 100 + k, k);
                                }
                            })
                        })
                        .collect();
                    for h in handles {
                        if let Err(e) = h.join() {
                            std::panic::resume_unwind(e);
                        }
                    }
                },
                0x5eed,
                1000,
            )
        });
        let err = result.expect_err("no schedule tripped the concurrent-write detector");
        let msg = err
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        assert!(msg.contains("concurrent map writes"), "unexpected panic: {msg}");
    }

    /// The same two writers under loom: the unsynchronised cells are reported as a data race.
    #[test]
    fn loom_two_writers_race() {
        use mapcheck_harness::rt::{spawn, Loom};
        let result = std::panic::catch_unwind(|| {
            loom::model(|| {
                let m = Arc::<Loom, _>::new(Gomap::new::<Loom>());
                let handles: Vec<_> = (0..2u64)
                    .map(|t| {
                        let m = m.clone();
                        spawn::<Loom, _>(move || {
                            m.insert(t * 100, t);
                        })
                    })
                    .collect();
                for h in handles {
                    if let Err(e) = h.join() {
                        std::panic::resume_unwind(e);
                    }
                }
            })
        });
        let err = result.expect_err("loom did not report the racing writers");
        let msg = err
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        assert!(
            msg.contains("Causality violation") || msg.contains("concurrent map writes"),
            "unexpected panic: {msg}"
        );
    }
}

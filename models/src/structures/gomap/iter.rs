//! `gomap`'s iteration: `hiter`, `mapiterinit` and `mapiternext` (with `mapaccessK` for entries
//! that moved while growing), after Go's runtime/map.go.

use super::*;

/// An iteration in progress (`hiter`): the snapshot of `B` and `buckets` taken at the start, and
/// the position to continue from.
pub(crate) struct Hiter<R: Runtime> {
    /// `B` when the iteration started.
    b: u8,
    /// The bucket array when the iteration started.
    buckets: BucketArray<R>,
    start_bucket: usize,
    /// Slot offset within each bucket (Go's random `offset`).
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
    /// `mapiterinit`, without the first `mapiternext`: `None` when the map is empty.
    pub(crate) fn iter_init(&self) -> Option<Hiter<R>> {
        if self.count.get() == 0 {
            return None;
        }
        let b = self.b.get();
        let buckets = self.buckets.with(|a| a.clone())?;
        // Decide where to start, as Go does with `fastrand()`: a random bucket, and a random slot
        // offset within each bucket. The draw is the engine's (see `rt::draw`); where the engine
        // makes none, it is derived from the map's state, so every run replays exactly.
        let fallback = hash_key(self.count.get() as u64 ^ ((b as u64) << 56), self.hash0);
        let r = draw::<R>(fallback) as usize;
        let start_bucket = r & bucket_mask(b);
        let offset = (r >> (b as u32 & (usize::BITS - 1))) & (BUCKET_CNT - 1);
        Some(Hiter {
            b,
            buckets,
            start_bucket,
            offset,
            wrapped: false,
            bucket: start_bucket,
            bptr: None,
            i: 0,
            check_bucket: NO_CHECK,
        })
    }

    /// `mapiternext`: the next entry, or `None` at the end. No cell is borrowed when it returns.
    /// `RELOOKUP = false` is the `gomap-no-relookup` mutant (`mutants/gomap_no_relookup.rs`).
    pub(crate) fn iter_next<const RELOOKUP: bool>(&self, it: &mut Hiter<R>) -> Option<(Key, Value)> {
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
                    // --- mutant `gomap-iter-revisit` (off in Go's map) ---
                    if self.iter_revisits {
                        // The bug: the iterator follows the map's current table instead of the one
                        // it started on, so after a grow it walks the larger table, where the
                        // entries it already yielded were evacuated to (or skips the ones that
                        // moved behind it).
                        it.b = self.b.get();
                        it.buckets = self.buckets_array();
                    }
                    // --- end of mutant ---
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
                } else if !RELOOKUP {
                    // The mutant: the entry as the evacuated old bucket still holds it, whatever
                    // happened to the key since it moved.
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
}

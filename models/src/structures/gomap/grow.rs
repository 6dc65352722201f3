//! `gomap`'s growth: `hashGrow`, `growWork`, `evacuate_fast64`, `advanceEvacuationMark` and the
//! overflow-bucket bookkeeping (`newoverflow`, `incrnoverflow`), after Go's runtime/map.go.

use super::*;

impl<R: Runtime> GoMap<R> {
    /// `hashGrow`: starts growing to twice the size, or to the same size when there are too many
    /// overflow buckets; the actual copying is done incrementally by `growWork`.
    pub(super) fn hash_grow(&self) {
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
    pub(super) fn grow_work(&self, bucket: usize) {
        self.evacuate(bucket & self.oldbucketmask());
        if self.growing() {
            self.evacuate(self.nevacuate.get());
        }
    }

    /// `bucketEvacuated`.
    pub(super) fn bucket_evacuated(&self, bucket: usize) -> bool {
        let old = self.old_buckets_array().unwrap_or_else(|| corrupt());
        evacuated(&old[bucket])
    }

    /// `evacuate_fast64`: moves the entries of one old bucket (and its overflow chain) to the new
    /// array, to the same index (X) or, when doubling, to index + old size (Y), and marks each old
    /// slot evacuatedX, evacuatedY or evacuatedEmpty.
    pub(super) fn evacuate(&self, oldbucket: usize) {
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
    pub(super) fn advance_evacuation_mark(&self, newbit: usize) {
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
    pub(super) fn newoverflow(&self, b: &BucketRef<R>) -> BucketRef<R> {
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
    pub(super) fn incrnoverflow(&self) {
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
}

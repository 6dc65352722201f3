//! The set of configurations the search has entered: per-thread positions plus a state, stored
//! flat (one arena of positions, one of states, one of hashes) in a `hashbrown::HashTable` of
//! indices, so that recording a configuration allocates nothing of its own and costs
//! `threads * 4 + size_of::<S>() + 13` bytes.

use hashbrown::HashTable;
use rustc_hash::FxHasher;
use std::hash::{Hash, Hasher};

pub(super) struct Memo<S> {
    threads: usize,
    table: HashTable<u32>,
    heads: Vec<u32>,
    states: Vec<S>,
    hashes: Vec<u64>,
}

impl<S: Eq + Hash + Clone> Memo<S> {
    pub(super) fn new(threads: usize, capacity: usize) -> Memo<S> {
        Memo {
            threads,
            table: HashTable::with_capacity(capacity),
            heads: Vec::with_capacity(capacity * threads),
            states: Vec::with_capacity(capacity),
            hashes: Vec::with_capacity(capacity),
        }
    }

    /// Records the configuration; `false` when it was already recorded.
    pub(super) fn insert(&mut self, head: &[u32], state: &S) -> bool {
        let mut h = FxHasher::default();
        head.hash(&mut h);
        state.hash(&mut h);
        let hash = h.finish();
        let t = self.threads;
        let (heads, states, hashes) = (&self.heads, &self.states, &self.hashes);
        let eq = |&i: &u32| {
            let i = i as usize;
            hashes[i] == hash && &heads[i * t..(i + 1) * t] == head && states[i] == *state
        };
        if self.table.find(hash, eq).is_some() {
            return false;
        }
        let i = u32::try_from(self.states.len()).expect("fewer than 2^32 configurations");
        let hashes = &self.hashes;
        self.table.insert_unique(hash, i, |&j| hashes[j as usize]);
        self.heads.extend_from_slice(head);
        self.states.push(state.clone());
        self.hashes.push(hash);
        true
    }
}

//! `MyMap`: a reader-writer lock around a `HashMap`, with an entry count kept beside it so that
//! `len` takes no lock. Written against `std::sync`; in test builds its two `use` lines point at
//! mapcheck's drop-in types instead, so mapcheck explores it under loom, shuttle and real threads.

#[cfg(test)]
use mapcheck::sync::{atomic::AtomicUsize, atomic::Ordering, RwLock};
#[cfg(not(test))]
use std::sync::{atomic::AtomicUsize, atomic::Ordering, RwLock};

use std::collections::HashMap;
use std::hash::Hash;

/// A concurrent map: every method takes `&self` and may be called from any thread.
pub struct MyMap<K, V> {
    entries: RwLock<HashMap<K, V>>,
    len: AtomicUsize,
}

impl<K: Hash + Eq + Clone, V: Clone> MyMap<K, V> {
    pub fn new() -> Self {
        MyMap {
            entries: RwLock::new(HashMap::new()),
            len: AtomicUsize::new(0),
        }
    }

    /// Inserts or overwrites; returns the previous value.
    pub fn insert(&self, key: K, value: V) -> Option<V> {
        let mut entries = self.entries.write().unwrap();
        let old = entries.insert(key, value);
        if old.is_none() {
            self.len.fetch_add(1, Ordering::SeqCst);
        }
        old
    }

    /// Removes the key; returns the value it held.
    pub fn remove(&self, key: &K) -> Option<V> {
        let mut entries = self.entries.write().unwrap();
        let old = entries.remove(key);
        if old.is_some() {
            self.len.fetch_sub(1, Ordering::SeqCst);
        }
        old
    }

    pub fn get(&self, key: &K) -> Option<V> {
        self.entries.read().unwrap().get(key).cloned()
    }

    /// The number of entries, read without the lock.
    pub fn len(&self) -> usize {
        self.len.load(Ordering::SeqCst)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn clear(&self) {
        let mut entries = self.entries.write().unwrap();
        entries.clear();
        self.len.store(0, Ordering::SeqCst);
    }

    /// The entries at one moment, copied under the read lock: the caller may change the map while
    /// it walks them.
    pub fn snapshot(&self) -> Vec<(K, V)> {
        let entries = self.entries.read().unwrap();
        entries.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }
}

impl<K: Hash + Eq + Clone, V: Clone> Default for MyMap<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

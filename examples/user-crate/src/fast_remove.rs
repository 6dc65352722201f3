//! `FastRemoveMap`: `MyMap`'s design with a planted bug in `remove`, as a real one would be
//! written: the lookup runs under the read lock (cheap, and most removes miss), and only a hit
//! takes the write lock to delete. Two racing removes of one key both see the value under the read
//! lock, and both report it removed.

#[cfg(test)]
use mapcheck::sync::RwLock;
#[cfg(not(test))]
use std::sync::RwLock;

use std::collections::HashMap;
use std::hash::Hash;

/// A concurrent map whose `remove` checks, then acts.
pub struct FastRemoveMap<K, V> {
    entries: RwLock<HashMap<K, V>>,
}

impl<K: Hash + Eq + Clone, V: Clone> FastRemoveMap<K, V> {
    pub fn new() -> Self {
        FastRemoveMap {
            entries: RwLock::new(HashMap::new()),
        }
    }

    pub fn insert(&self, key: K, value: V) -> Option<V> {
        self.entries.write().unwrap().insert(key, value)
    }

    /// The bug: the value is read under the read lock and deleted under the write lock, taken
    /// separately, so another remove can take it out in between and both return it.
    pub fn remove(&self, key: &K) -> Option<V> {
        let seen = self.entries.read().unwrap().get(key).cloned();
        if seen.is_some() {
            self.entries.write().unwrap().remove(key);
        }
        seen
    }

    pub fn get(&self, key: &K) -> Option<V> {
        self.entries.read().unwrap().get(key).cloned()
    }

    pub fn len(&self) -> usize {
        self.entries.read().unwrap().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn clear(&self) {
        self.entries.write().unwrap().clear()
    }

    /// The entries at one moment, copied under the read lock.
    pub fn snapshot(&self) -> Vec<(K, V)> {
        let entries = self.entries.read().unwrap();
        entries.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }
}

impl<K: Hash + Eq + Clone, V: Clone> Default for FastRemoveMap<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

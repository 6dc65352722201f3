//! Whether a workload leaves sync.Map's deleted entries behind, decided the way the check decides
//! it: the threads run one after another (thread 0 first), then the reclamation step (a
//! promotion), and the entries still held that are deleted (nil) or expunged are stale. The
//! simulation follows Go's algorithm (Go's `sync/map.go`, which the `syncmap` structure models): a
//! read-only map and a dirty map sharing entries, stores of new keys that rebuild the dirty map
//! without the deleted entries (expunging them), and promotions on `Range`, on enough misses and
//! at the reclamation step. The compound operations follow Go 1.20: `LoadOrStore` loads a live
//! entry and stores otherwise, `CompareAndSwap` swaps a live entry in place, `CompareAndDelete`
//! leaves a matching entry nil where it is (in the dirty map too) and counts a miss.

use mapcheck_harness::{DeleteIf, Op};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Live,
    Nil,
    Expunged,
}

#[derive(Default)]
struct Sim {
    entries: Vec<State>,
    read: BTreeMap<u64, usize>,
    amended: bool,
    dirty: Option<BTreeMap<u64, usize>>,
    misses: usize,
    /// The map's contents as the operations leave them (what a compare reads).
    values: BTreeMap<u64, u64>,
}

impl Sim {
    fn promote(&mut self) {
        if let Some(d) = self.dirty.take() {
            self.read = d;
            self.amended = false;
            self.misses = 0;
        }
    }

    fn miss(&mut self) {
        self.misses += 1;
        if self.misses < self.dirty.as_ref().map_or(0, |d| d.len()) {
            return;
        }
        self.read = self.dirty.take().unwrap_or_default();
        self.amended = false;
        self.misses = 0;
    }

    /// The dirty map rebuilt from the read map: deleted entries are expunged and left out.
    fn dirty_locked(&mut self) {
        if self.dirty.is_some() {
            return;
        }
        let mut d = BTreeMap::new();
        for (&k, &e) in &self.read {
            if self.entries[e] == State::Nil {
                self.entries[e] = State::Expunged;
            }
            if self.entries[e] != State::Expunged {
                d.insert(k, e);
            }
        }
        self.dirty = Some(d);
    }

    fn store(&mut self, k: u64) {
        if let Some(&e) = self.read.get(&k) {
            if self.entries[e] == State::Expunged {
                self.dirty.get_or_insert_with(BTreeMap::new).insert(k, e);
            }
            self.entries[e] = State::Live;
            return;
        }
        if let Some(&e) = self.dirty.as_ref().and_then(|d| d.get(&k)) {
            self.entries[e] = State::Live;
            return;
        }
        if !self.amended {
            self.dirty_locked();
            self.amended = true;
        }
        self.entries.push(State::Live);
        let e = self.entries.len() - 1;
        self.dirty.get_or_insert_with(BTreeMap::new).insert(k, e);
    }

    fn load(&mut self, k: u64) {
        if self.read.contains_key(&k) || !self.amended {
            return;
        }
        self.miss();
    }

    fn delete(&mut self, k: u64) {
        let e = match self.read.get(&k) {
            Some(&e) => Some(e),
            None if !self.amended => None,
            None => {
                let e = self.dirty.as_mut().and_then(|d| d.remove(&k));
                self.miss();
                e
            }
        };
        if let Some(e) = e {
            if self.entries[e] == State::Live {
                self.entries[e] = State::Nil;
            }
        }
    }

    fn range(&mut self, delete: DeleteIf) {
        self.range_deleting(|k, _| delete.matches(k));
    }

    /// A range that deletes the visited entries `deletes` picks (by key and value).
    fn range_deleting(&mut self, deletes: impl Fn(u64, u64) -> bool) {
        if self.amended {
            self.read = self.dirty.take().unwrap_or_default();
            self.amended = false;
            self.misses = 0;
        }
        let visited: Vec<u64> = self
            .read
            .iter()
            .filter(|(_, e)| self.entries[**e] == State::Live)
            .map(|(k, _)| *k)
            .collect();
        for k in visited {
            let v = self.values.get(&k).copied().unwrap_or_default();
            if deletes(k, v) {
                self.delete(k);
                self.values.remove(&k);
            }
        }
    }

    fn clear(&mut self) {
        self.read.clear();
        self.amended = false;
        if let Some(d) = &mut self.dirty {
            d.clear();
        }
        self.misses = 0;
    }

    /// Go 1.20's `CompareAndDelete` of a key whose value matches: found in the read map, or (with
    /// a miss) in the dirty map, where it stays, nil.
    fn compare_and_delete(&mut self, k: u64, matches: bool) {
        let e = match self.read.get(&k) {
            Some(&e) => Some(e),
            None if !self.amended => None,
            None => {
                let e = self.dirty.as_ref().and_then(|d| d.get(&k)).copied();
                self.miss();
                e
            }
        };
        if let Some(e) = e {
            if matches && self.entries[e] == State::Live {
                self.entries[e] = State::Nil;
                self.values.remove(&k);
            }
        }
    }

    /// One operation, with its effect on the contents.
    fn apply(&mut self, op: Op) {
        let value = self.values.get(&op.key().unwrap_or_default()).copied();
        match op {
            Op::Insert { key, value } => {
                self.store(key);
                self.values.insert(key, value);
            }
            Op::Get { key } => self.load(key),
            Op::Remove { key } => {
                self.delete(key);
                self.values.remove(&key);
            }
            Op::Iterate { delete } => self.range(delete),
            Op::Len => self.range(DeleteIf::Nothing),
            Op::Clear => {
                self.clear();
                self.values.clear();
            }
            Op::Reclaim => self.promote(),
            Op::GetOrInsert { key, value: v } => match value {
                Some(_) => self.load(key),
                None => self.apply(Op::Insert { key, value: v }),
            },
            Op::CompareAndSwap { key, old, new } => {
                self.load(key);
                if value == Some(old) {
                    self.values.insert(key, new);
                }
            }
            Op::CompareAndDelete { key, old } => self.compare_and_delete(key, value == Some(old)),
            Op::RemoveIf { key, delete } => {
                self.compare_and_delete(key, value.is_some_and(|v| delete.matches(v)))
            }
            Op::Retain { delete } => self.range_deleting(|_, v| delete.matches(v)),
            Op::Update { key, add, insert } => match (value, insert) {
                (Some(v), _) => self.apply(Op::Insert {
                    key,
                    value: mapcheck_harness::op::added(v, add),
                }),
                (None, Some(v)) => self.apply(Op::Insert { key, value: v }),
                (None, None) => self.load(key),
            },
        }
    }

    fn stale(&self) -> usize {
        let held: BTreeSet<usize> = self
            .read
            .values()
            .chain(self.dirty.iter().flat_map(|d| d.values()))
            .copied()
            .collect();
        held.into_iter()
            .filter(|e| self.entries[*e] != State::Live)
            .count()
    }
}

/// How many deleted entries a sync.Map still holds after the workload's threads run one after
/// another and the reclamation step runs.
pub fn stale_after(threads: &[Vec<Op>], initial: &[(u64, u64)]) -> usize {
    let mut s = Sim::default();
    for &(key, value) in initial {
        s.apply(Op::Insert { key, value });
    }
    for op in threads.iter().flatten() {
        s.apply(*op);
    }
    s.promote();
    s.stale()
}

/// An order of the threads in which, run one after another, the workload leaves deleted entries
/// behind, when the given order does not and another does (threads are concurrent: their order in
/// the file is free, and the finding is judged in that order). At most four threads are reordered.
pub fn order_for_stale(threads: &[Vec<Op>], initial: &[(u64, u64)]) -> Option<Vec<usize>> {
    let n = threads.len();
    if n > 4 || stale_after(threads, initial) > 0 {
        return None;
    }
    let mut order: Vec<usize> = (0..n).collect();
    // Heap's algorithm, iteratively.
    let mut c = vec![0; n];
    let mut i = 0;
    while i < n {
        if c[i] < i {
            if i % 2 == 0 {
                order.swap(0, i);
            } else {
                order.swap(c[i], i);
            }
            let reordered: Vec<Vec<Op>> = order.iter().map(|&t| threads[t].clone()).collect();
            if stale_after(&reordered, initial) > 0 {
                return Some(order);
            }
            c[i] += 1;
            i = 0;
        } else {
            c[i] = 0;
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deletes_after_a_promotion_stay_until_a_new_key_and_a_promotion() {
        let del = |k| Op::Remove { key: k };
        let ins = |k| Op::Insert { key: k, value: 1 };
        let initial = [(1, 1), (2, 2)];
        // Deleted in the dirty map before any promotion: gone.
        assert_eq!(stale_after(&[vec![del(1)]], &initial), 0);
        // Promoted, then deleted: the entry stays (nil), promotion or not.
        assert_eq!(stale_after(&[vec![Op::Reclaim, del(1)]], &initial), 1);
        // A new key after the delete expunges it, and the final promotion drops it.
        assert_eq!(stale_after(&[vec![Op::Reclaim, del(1), ins(9)]], &initial), 0);
        // Churn: a new key first, then the promotion and the deletes: they stay.
        assert_eq!(
            stale_after(&[vec![ins(9)], vec![Op::Reclaim, del(1), del(2)]], &initial),
            2
        );
        // The order is free: the churn's deleting thread goes last.
        let churn = [vec![Op::Reclaim, del(1), del(2)], vec![ins(9)]];
        assert_eq!(stale_after(&churn, &initial), 0);
        assert_eq!(order_for_stale(&churn, &initial), Some(vec![1, 0]));
        // A range that deletes what it visits promotes first.
        assert_eq!(
            stale_after(
                &[vec![Op::Iterate {
                    delete: DeleteIf::All
                }]],
                &initial
            ),
            2
        );
    }
}

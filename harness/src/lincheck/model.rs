//! The sequential models the search steps through: one key of the map (the state of a
//! P-compositional partition) and the whole map. A step says whether an operation may return what
//! it returned from a state, and what state it leaves; the search linearizes an inert operation at
//! once (see `search.rs`), so that case has a variant of its own.

use crate::history::{added, Op, Ret, ValueIf};
use crate::spec::apply_single;
use crate::structure::{Key, Value};
use hashbrown::HashTable;
use rustc_hash::FxHashMap;
use std::hash::Hash;

/// What one operation does from one state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Step<S> {
    /// Its observed result is not what the spec returns from this state.
    Refused,
    /// Its result matches (or it is pending), and it is inert: it leaves unchanged every state from
    /// which it returns what it returned (see [`inert`]), this one included.
    Same,
    /// Its result matches (or it is pending) and the state becomes this (possibly the same state:
    /// a clear of an empty map changes nothing here but may elsewhere).
    To(S),
}

/// A sequential specification as the search sees it.
pub(super) trait Model {
    /// Small, cheap to clone and hash: it is part of every memoised configuration.
    type State: Clone + Eq + Hash;
    /// `op` from `state`, having returned `observed` (`None`: it never returned, so any result goes).
    fn step(&mut self, state: &Self::State, op: &Op, observed: Option<&Ret>) -> Step<Self::State>;
}

/// Whether `a` and `b` commute from every state of the map: run in either order from any state,
/// each returns the same result and the final state is the same. Conservative: `false` whenever
/// that does not hold for every state.
pub(super) fn commute(a: &Op, b: &Op) -> bool {
    let read = |o: &Op| matches!(o, Op::Get { .. } | Op::Len | Op::Iterate { .. } | Op::Reclaim);
    if read(a) && read(b) {
        return true;
    }
    match (a.key(), b.key()) {
        (Some(x), Some(y)) => x != y,
        _ => matches!(
            (a, b),
            (Op::Clear, Op::Clear) | (Op::Reclaim, _) | (_, Op::Reclaim)
        ),
    }
}

/// Whether `op`, having returned `observed`, leaves unchanged every state from which it returns
/// that: a read; a remove that found nothing; an insert that found the value it put; a
/// get-or-insert that found a value; a compare-and-swap or compare-and-delete that failed, or a
/// swap of a value for itself; a remove-if that removed nothing; an update that adds nothing and
/// found a value (or inserts nothing and found none); a retain that removed nothing. A clear, or a
/// pending write, may change the state wherever it goes, so it is never inert (unless it cannot
/// change anything from any state).
pub(super) fn inert(op: &Op, observed: Option<&Ret>) -> bool {
    let known = |r: Ret| observed == Some(&r);
    match *op {
        Op::Get { .. } | Op::Len | Op::Iterate { .. } | Op::Reclaim => true,
        Op::Remove { .. } => known(Ret::Value(None)),
        Op::Insert { value, .. } => known(Ret::Value(Some(value))),
        Op::Clear => false,
        Op::GetOrInsert { .. } => matches!(observed, Some(Ret::Value(Some(_)))),
        Op::CompareAndSwap { old, new, .. } => old == new || known(Ret::Bool(false)),
        Op::CompareAndDelete { .. } => known(Ret::Bool(false)),
        Op::RemoveIf { delete, .. } => delete == ValueIf::Nothing || known(Ret::Value(None)),
        Op::Update { add, insert, .. } => match observed {
            Some(Ret::Value(Some(_))) => added(0, add) == 0,
            Some(Ret::Value(None)) => insert.is_none(),
            _ => added(0, add) == 0 && insert.is_none(),
        },
        Op::Retain { delete } => match observed {
            Some(Ret::Yielded(kv)) => !kv.iter().any(|(_, v)| delete.matches(*v)),
            _ => delete == ValueIf::Nothing,
        },
    }
}

/// One key of the map: its value, or `None` when absent. A clear in a per-key partition (a clear
/// that is not atomic) removes the key at some point during the call.
pub(super) struct KeyModel;

impl Model for KeyModel {
    type State = Option<Value>;

    fn step(&mut self, state: &Option<Value>, op: &Op, observed: Option<&Ret>) -> Step<Option<Value>> {
        let mut next = *state;
        let ret = match *op {
            Op::Clear => {
                next = None;
                Ret::Unit
            }
            Op::Len | Op::Iterate { .. } | Op::Reclaim | Op::Retain { .. } => {
                unreachable!("only single-key operations and clear are partitioned by key")
            }
            _ => apply_single(&mut next, op),
        };
        // A result the map does not return (`Ret::Unobserved`) matches whatever the spec returns.
        if observed.is_some_and(|o| *o != ret && *o != Ret::Unobserved) {
            Step::Refused
        } else if inert(op, observed) {
            Step::Same
        } else {
            Step::To(next)
        }
    }
}

/// The whole map. States are interned: the search's state is an index into `states`, so a
/// memoised configuration costs a few bytes however many keys the map has, and each distinct map
/// is stored once, as one `u32` per key (0 for absent, else 1 + the index of its value in
/// `values`).
pub(super) struct MapModel {
    /// Every key the history names, sorted: slot `i` of a state is `keys[i]`.
    keys: Vec<Key>,
    /// Every value a state holds, in the order first met (the history's puts and initial
    /// contents, then the values updates compute), with each one's index.
    values: Vec<Value>,
    index: FxHashMap<Value, u32>,
    /// The interned states, `keys.len()` slots each, with their sizes and hashes.
    slots: Vec<u32>,
    lens: Vec<u32>,
    hashes: Vec<u64>,
    table: HashTable<u32>,
    /// Scratch space for the state being built.
    scratch: Vec<u32>,
}

/// One present entry's share of a state's hash (Zobrist hashing: a state's hash is the XOR of its
/// entries' shares, updated per write).
fn entry_hash(slot: usize, value: u32) -> u64 {
    let mut x = (slot as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ u64::from(value);
    crate::seed::splitmix(&mut x)
}

impl MapModel {
    /// The model for the operations `ops` starting from `initial`, and the initial state.
    pub(super) fn new<'a>(
        initial: &[(Key, Value)],
        ops: impl Iterator<Item = &'a Op> + Clone,
    ) -> (MapModel, u32) {
        let mut keys: Vec<Key> = ops
            .clone()
            .filter_map(Op::key)
            .chain(initial.iter().map(|(k, _)| *k))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        let mut m = MapModel {
            keys,
            values: Vec::new(),
            index: FxHashMap::default(),
            slots: Vec::new(),
            lens: Vec::new(),
            hashes: Vec::new(),
            table: HashTable::new(),
            scratch: Vec::new(),
        };
        m.scratch = vec![0; m.keys.len()];
        for &(k, v) in initial {
            let (i, x) = (m.slot(k).expect("listed"), m.code(v));
            m.scratch[i] = x;
        }
        let id = m.intern();
        (m, id)
    }

    fn slot(&self, key: Key) -> Option<usize> {
        self.keys.binary_search(&key).ok()
    }

    /// The slot code of a present value (absent is 0), listed when first met.
    fn code(&mut self, v: Value) -> u32 {
        let next = self.values.len() as u32 + 1;
        let x = *self.index.entry(v).or_insert(next);
        if x == next {
            self.values.push(v);
        }
        x
    }

    fn decode(&self, x: u32) -> Option<Value> {
        (x != 0).then(|| self.values[x as usize - 1])
    }

    fn state(&self, id: u32) -> &[u32] {
        let k = self.keys.len();
        &self.slots[id as usize * k..(id as usize + 1) * k]
    }

    /// Interns the state in `scratch`.
    fn intern(&mut self) -> u32 {
        let hash = self
            .scratch
            .iter()
            .enumerate()
            .filter(|(_, &x)| x != 0)
            .fold(0, |h, (i, &x)| h ^ entry_hash(i, x));
        self.intern_hashed(hash)
    }

    fn intern_hashed(&mut self, hash: u64) -> u32 {
        let k = self.keys.len();
        let (slots, hashes, scratch) = (&self.slots, &self.hashes, &self.scratch);
        let eq = |&id: &u32| {
            let id = id as usize;
            hashes[id] == hash && slots[id * k..(id + 1) * k] == scratch[..]
        };
        if let Some(&id) = self.table.find(hash, eq) {
            return id;
        }
        let id = u32::try_from(self.hashes.len()).expect("fewer than 2^32 distinct states");
        let hashes = &self.hashes;
        self.table.insert_unique(hash, id, |&j| hashes[j as usize]);
        self.slots.extend_from_slice(&self.scratch);
        self.lens
            .push(self.scratch.iter().filter(|&&x| x != 0).count() as u32);
        self.hashes.push(hash);
        id
    }

    /// State `id` with slot `i` set to `x`.
    fn with(&mut self, id: u32, i: usize, x: u32) -> u32 {
        let old = self.state(id)[i];
        if old == x {
            return id;
        }
        let mut hash = self.hashes[id as usize];
        if old != 0 {
            hash ^= entry_hash(i, old);
        }
        if x != 0 {
            hash ^= entry_hash(i, x);
        }
        let k = self.keys.len();
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.copy_from_slice(&self.slots[id as usize * k..(id as usize + 1) * k]);
        scratch[i] = x;
        self.scratch = scratch;
        self.intern_hashed(hash)
    }

    /// Whether a snapshot iteration that yielded `kv` (sorted by key) saw state `id`.
    fn yielded(&self, id: u32, kv: &[(Key, Value)]) -> bool {
        if kv.len() != self.lens[id as usize] as usize {
            return false;
        }
        let mut seen = kv.iter();
        self.state(id)
            .iter()
            .enumerate()
            .all(|(i, &x)| match self.decode(x) {
                None => true,
                Some(v) => seen.next() == Some(&(self.keys[i], v)),
            })
    }
}

impl Model for MapModel {
    type State = u32;

    fn step(&mut self, &id: &u32, op: &Op, observed: Option<&Ret>) -> Step<u32> {
        let matches = |ret: &Ret| observed.is_none_or(|o| o == ret || *o == Ret::Unobserved);
        let whole_read = |m: &MapModel| match observed {
            None | Some(Ret::Unobserved) => true,
            Some(Ret::Yielded(kv)) => m.yielded(id, kv),
            Some(_) => false,
        };
        let ok = match *op {
            Op::Len => matches(&Ret::Len(self.lens[id as usize] as usize)),
            Op::Clear | Op::Reclaim => matches(&Ret::Unit),
            Op::Iterate { .. } | Op::Retain { .. } => whole_read(self),
            _ => true,
        };
        if !ok {
            return Step::Refused;
        }
        let next = match *op {
            Op::Clear => {
                self.scratch.fill(0);
                self.intern_hashed(0)
            }
            Op::Retain { delete } => {
                let k = self.keys.len();
                let mut next = id;
                for i in 0..k {
                    let x = self.state(next)[i];
                    if self.decode(x).is_some_and(|v| delete.matches(v)) {
                        next = self.with(next, i, 0);
                    }
                }
                next
            }
            Op::Len | Op::Iterate { .. } | Op::Reclaim => id,
            _ => {
                // A single-key operation: the one-key spec on its slot.
                let key = op.key().expect("a single-key operation");
                let i = self.slot(key).expect("every key of the history is listed");
                let mut value = self.decode(self.state(id)[i]);
                let ret = apply_single(&mut value, op);
                if !matches(&ret) {
                    return Step::Refused;
                }
                let x = value.map_or(0, |v| self.code(v));
                self.with(id, i, x)
            }
        };
        if inert(op, observed) {
            Step::Same
        } else {
            Step::To(next)
        }
    }
}

//! A cheap proof that a run cannot fail the operation oracles: one order of its operations, each
//! placed at a point inside its own interval, that the sequential map accepts with every operation
//! atomic (every single-key operation, len, clear, an iteration that yields a snapshot, and a
//! retain that visits and removes at one instant).
//!
//! Such an order is a linearization under the strongest map specification there is. Every weaker
//! declaration a structure can make (weakly consistent iteration, len and clear that go key by key)
//! accepts every history that one accepts, and the oracles that judge results against an order
//! (lost delete, lost insert, exactly-once delete, len bounds, linearizability) are sound on
//! linearizable histories (none fires on a history a correct atomic map could produce). A result the
//! map does not return ([`Ret::Unobserved`]) matches whatever the sequential map returns, as in the
//! linearizability checker.
//!
//! A witness implies nothing else. It places a whole iteration at one point, where the per-visit
//! iteration rules judge each yielded entry within its own visit's window; and it knows nothing of
//! the footprint, against which the live entries at quiescence are counted. Those oracles still run
//! on a run with a witness (see [`crate::verdict::passes_beyond_witness`]), and the footprint
//! oracles (reclamation, leaks) judge it. A history without a witness is not known to fail: it goes
//! to the full oracles, which decide and name the oracle.
//!
//! Two orders are tried, both valid linearization orders of any well-formed history: by invocation,
//! and by return (an iteration placed at its first own remove when it made one, where the
//! linearizability checker places its snapshot too). Finding a witness costs one pass of a small
//! sorted-vector map per order, where the full oracles cost a search and several quadratic passes.

use crate::history::{Event, History, Op, Ret};
use crate::spec::apply_single;
use crate::structure::{Key, Value};

/// What an operation returned, borrowed: an iteration's entries are a slice, so a run recorded into
/// reusable buffers is checked without building a [`Ret`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetView<'a> {
    Value(Option<Value>),
    Len(usize),
    Yielded(&'a [(Key, Value)]),
    Unit,
    Bool(bool),
    /// A result the map does not return: it matches any.
    Unobserved,
}

impl<'a> From<&'a Ret> for RetView<'a> {
    fn from(r: &'a Ret) -> Self {
        match r {
            Ret::Value(v) => RetView::Value(*v),
            Ret::Len(n) => RetView::Len(*n),
            Ret::Yielded(kv) => RetView::Yielded(kv),
            Ret::Unit => RetView::Unit,
            Ret::Bool(b) => RetView::Bool(*b),
            Ret::Unobserved => RetView::Unobserved,
        }
    }
}

/// The sequential map as a sorted vector: allocation-free once its buffers have grown, and fast
/// for the few keys a workload uses. The same answers as [`crate::spec::SpecMap`].
#[derive(Debug, Default, Clone)]
pub struct FlatSpec {
    entries: Vec<(Key, Value)>,
    scratch: Vec<(Key, Value)>,
}

impl FlatSpec {
    /// Starts from `initial` (a key listed twice keeps its last value, as `SpecMap::new` does).
    pub fn reset(&mut self, initial: &[(Key, Value)]) {
        self.entries.clear();
        for &(k, v) in initial {
            match self.entries.binary_search_by_key(&k, |e| e.0) {
                Ok(i) => self.entries[i].1 = v,
                Err(i) => self.entries.insert(i, (k, v)),
            }
        }
    }

    /// The number of entries the map holds.
    pub fn live(&self) -> usize {
        self.entries.len()
    }

    /// Applies `op` and says whether `observed` is what the sequential map returns. An iteration's
    /// entries are compared as a set (no structure promises an order); the removes an iteration
    /// makes are operations of their own. A retain's are compared the same way, and it removes what
    /// its predicate matches at the same instant. An unobserved result is accepted, and the
    /// operation's effect applied all the same.
    pub fn accepts(&mut self, op: &Op, observed: RetView<'_>) -> bool {
        let any = observed == RetView::Unobserved;
        let same_set = |scratch: &mut Vec<(Key, Value)>, entries: &[(Key, Value)]| match observed {
            RetView::Unobserved => true,
            RetView::Yielded(kv) => {
                scratch.clear();
                scratch.extend_from_slice(kv);
                scratch.sort_unstable();
                scratch == entries
            }
            _ => false,
        };
        match *op {
            Op::Len => any || observed == RetView::Len(self.entries.len()),
            Op::Clear => {
                self.entries.clear();
                any || observed == RetView::Unit
            }
            Op::Reclaim => any || observed == RetView::Unit,
            Op::Iterate { .. } => same_set(&mut self.scratch, &self.entries),
            Op::Retain { delete } => {
                let ok = same_set(&mut self.scratch, &self.entries);
                self.entries.retain(|(_, v)| !delete.matches(*v));
                ok
            }
            _ => {
                let key = op.key().expect("a single-key operation");
                let at = self.entries.binary_search_by_key(&key, |e| e.0);
                let mut state = at.ok().map(|i| self.entries[i].1);
                let ret = apply_single(&mut state, op);
                match (at, state) {
                    (Ok(i), Some(v)) => self.entries[i].1 = v,
                    (Ok(i), None) => {
                        self.entries.remove(i);
                    }
                    (Err(i), Some(v)) => self.entries.insert(i, (key, v)),
                    (Err(_), None) => {}
                }
                any || match (ret, observed) {
                    (Ret::Value(a), RetView::Value(b)) => a == b,
                    (Ret::Bool(a), RetView::Bool(b)) => a == b,
                    _ => false,
                }
            }
        }
    }
}

/// Reusable buffers for [`witness`].
#[derive(Debug, Default)]
pub struct Witness {
    spec: FlatSpec,
    order: Vec<(u64, usize)>,
}

impl Witness {
    /// Whether `history` has a witness: every operation returned, and the operations ordered by
    /// invocation, or by return, are accepted by the atomic sequential map.
    pub fn exists(&mut self, history: &History) -> bool {
        // The orders below are linearizations only of a well-formed history listed in invocation
        // order with every operation returned, as the recorder makes them; anything else is left to
        // the full oracles (which validate it).
        let listed = history.events.iter().enumerate().all(|(i, e)| {
            e.id == i
                && e.ret.is_some()
                && e.ret_at.is_some_and(|r| r > e.invoke)
                && e.parent
                    .is_none_or(|p| p < i && history.events[p].thread == e.thread)
                && visits_well_formed(e)
        });
        let ordered = history.events.windows(2).all(|w| w[0].invoke < w[1].invoke);
        if !listed || !ordered {
            return false;
        }
        // Events are listed in invocation order.
        if self.accepted(history, history.events.iter()) {
            return true;
        }
        self.order.clear();
        self.order.extend(
            history
                .events
                .iter()
                .map(|e| (effective_return(history, e), e.id)),
        );
        // Positions are unique in a well-formed history, so the order is total; a malformed one is
        // at worst refused here and judged by the full oracles.
        self.order.sort_unstable();
        let order = std::mem::take(&mut self.order);
        let ok = self.accepted(history, order.iter().map(|&(_, id)| &history.events[id]));
        self.order = order;
        ok
    }

    fn accepted<'h>(&mut self, history: &'h History, order: impl Iterator<Item = &'h Event>) -> bool {
        self.spec.reset(&history.initial);
        for e in order {
            let Some(ret) = &e.ret else { return false };
            if !self.spec.accepts(&e.op, ret.into()) {
                return false;
            }
        }
        true
    }
}

/// Whether `e`'s visits are what the recorder makes: none, or one per yielded entry, strictly
/// increasing, inside the operation's interval (as `History::validate` requires, so that the
/// iteration oracle the cheap judgement still runs sees what the full judgement would).
fn visits_well_formed(e: &Event) -> bool {
    if e.visits.is_empty() {
        return true;
    }
    let (Some(Ret::Yielded(y)), Some(end)) = (&e.ret, e.ret_at) else {
        return false;
    };
    let mut after = e.invoke;
    e.visits.len() == y.len()
        && e.visits.iter().all(|&at| {
            let ok = at > after && at < end;
            after = at;
            ok
        })
}

/// The return position of `e`, except that an iteration that removed entries itself returns, for
/// this purpose, where its first remove starts: its snapshot must precede its own removes.
fn effective_return(history: &History, e: &Event) -> u64 {
    let ret = e.ret_at.unwrap_or(u64::MAX);
    if !matches!(e.op, Op::Iterate { .. }) {
        return ret;
    }
    // A child is invoked after its parent, so it is listed after it.
    history.events[e.id + 1..]
        .iter()
        .filter(|c| c.parent == Some(e.id))
        .map(|c| c.invoke)
        .min()
        .map_or(ret, |first| first.min(ret))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::ValueIf;
    use crate::spec::{same_result, SpecMap};

    /// The flat spec answers as `SpecMap` does, on every operation of a pseudo-random sequence (the
    /// compound operations among them); an unobserved result is accepted and the operation still
    /// takes effect.
    #[test]
    fn flat_spec_agrees_with_the_spec_map() {
        let mut state = 11u64;
        let mut next = |n: u64| crate::seed::splitmix(&mut state) % n;
        for _ in 0..200 {
            let initial: Vec<(Key, Value)> = (0..next(5)).map(|_| (next(6), next(4))).collect();
            let (mut spec, mut flat) = (SpecMap::new(&initial), FlatSpec::default());
            flat.reset(&initial);
            for _ in 0..40 {
                let (key, value, other) = (next(6), next(4), next(4));
                let delete =
                    [ValueIf::Even, ValueIf::Odd, ValueIf::Is(value), ValueIf::All][next(4) as usize];
                let op = match next(13) {
                    0 => Op::Insert { key, value },
                    1 | 2 => Op::Remove { key },
                    3 => Op::Get { key },
                    4 => Op::Len,
                    5 => Op::Clear,
                    6 => Op::Iterate {
                        delete: crate::history::DeleteIf::Nothing,
                    },
                    7 => Op::GetOrInsert { key, value },
                    8 => Op::CompareAndSwap {
                        key,
                        old: value,
                        new: other,
                    },
                    9 => Op::CompareAndDelete { key, old: value },
                    10 => Op::RemoveIf { key, delete },
                    11 => Op::Update {
                        key,
                        add: other,
                        insert: (next(2) == 0).then_some(value),
                    },
                    _ => Op::Retain { delete },
                };
                let expected = spec.apply(&op);
                // A wrong answer of the right kind is refused, the right one accepted.
                let wrong = match &expected {
                    Ret::Value(v) => Ret::Value(v.map_or(Some(99), |_| None)),
                    Ret::Len(n) => Ret::Len(n + 1),
                    Ret::Yielded(kv) => Ret::Yielded(kv.iter().chain(&[(99, 0)]).copied().collect()),
                    Ret::Bool(b) => Ret::Bool(!b),
                    Ret::Unit | Ret::Unobserved => Ret::Unit,
                };
                let mut probe = flat.clone();
                assert_eq!(
                    probe.accepts(&op, (&wrong).into()),
                    same_result(&wrong, &expected),
                    "{op} returning {wrong}"
                );
                let given = if next(4) == 0 {
                    Ret::Unobserved
                } else {
                    expected.clone()
                };
                assert!(flat.accepts(&op, (&given).into()), "{op} returning {given}");
            }
        }
    }
}

//! The linearizability checker against the exhaustive reference (`common/brute.rs`) on histories
//! that mix the compound operations (get-or-insert, compare-and-swap, compare-and-delete,
//! remove-if, update, retain) with the six others, with pending operations and unobserved results:
//! judged whole (retain at one instant) and per key (retain as a remove-if of each key it took out,
//! or of every key when its result is not known), both must agree, and both answers must occur
//! often. The second test gives every write a value of its own, so that one key's values form the
//! groups whose pre-search checks and gates (`lincheck/groups.rs`) must stay exact when a write may
//! or may not write.

use crate::common::brute::{completed, key_part, lcg, reference, schedule};
use mapcheck_harness::history::{DeleteIf, History, Op, Ret, ValueIf};
use mapcheck_harness::lincheck::{check, LinOptions, LinVerdict, Partition};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestRunner};
use std::cell::Cell;

fn predicate() -> impl Strategy<Value = ValueIf> {
    prop_oneof![
        Just(ValueIf::Even),
        Just(ValueIf::Odd),
        Just(ValueIf::All),
        Just(ValueIf::Nothing),
        (1u64..4).prop_map(ValueIf::Is),
        (1u64..4).prop_map(ValueIf::Not),
    ]
}

/// One operation on one of `keys` keys, with values from a small range so that they repeat and a
/// compare-and-swap often finds its `old`.
fn op(keys: u64) -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..keys, 1u64..4).prop_map(|(key, value)| Op::Insert { key, value }),
        2 => (0..keys).prop_map(|key| Op::Remove { key }),
        3 => (0..keys).prop_map(|key| Op::Get { key }),
        1 => Just(Op::Len),
        1 => Just(Op::Clear),
        1 => Just(Op::Iterate { delete: DeleteIf::Nothing }),
        2 => (0..keys, 1u64..4).prop_map(|(key, value)| Op::GetOrInsert { key, value }),
        2 => (0..keys, 1u64..4, 1u64..4).prop_map(|(key, old, new)| Op::CompareAndSwap { key, old, new }),
        2 => (0..keys, 1u64..4).prop_map(|(key, old)| Op::CompareAndDelete { key, old }),
        1 => (0..keys, predicate()).prop_map(|(key, delete)| Op::RemoveIf { key, delete }),
        2 => (0..keys, 0u64..3, prop::option::of(1u64..4))
            .prop_map(|(key, add, insert)| Op::Update { key, add, insert }),
        1 => predicate().prop_map(|delete| Op::Retain { delete }),
    ]
}

/// Changes the result of completed operation `i` to another the operation could return.
fn corrupt(h: &mut History, i: usize, x: u64) {
    let e = &mut h.events[i];
    e.ret = Some(match e.op {
        Op::Len => Ret::Len((x % 4) as usize),
        Op::Clear | Op::Reclaim => Ret::Unit,
        Op::CompareAndSwap { .. } | Op::CompareAndDelete { .. } => match e.ret {
            Some(Ret::Bool(b)) => Ret::Bool(!b),
            _ => Ret::Bool(x.is_multiple_of(2)),
        },
        Op::Iterate { .. } | Op::Retain { .. } => Ret::Yielded(match e.ret.take() {
            Some(Ret::Yielded(mut kv)) if !kv.is_empty() && x.is_multiple_of(2) => {
                kv.remove((x as usize / 2) % kv.len());
                kv
            }
            _ => vec![(x % 3, 1 + (x >> 4) % 3)],
        }),
        _ => Ret::Value((!x.is_multiple_of(4)).then_some(1 + x % 3)),
    });
}

/// A random history (as `lin_brute.rs` builds them) over the compound operations and the six
/// others: any thread may leave its last operation pending, one result in eight is unobserved, and
/// half the histories get one result changed.
fn history() -> impl Strategy<Value = History> {
    (1u64..3)
        .prop_flat_map(|keys| {
            (
                prop::collection::vec(prop::collection::vec(op(keys), 1..5), 2..5),
                prop::collection::vec(0usize..4, 0..32),
                prop::collection::vec(any::<u64>(), 4),
                prop::collection::vec((0u64..keys, 1u64..4), 0..3),
            )
        })
        .prop_map(|(threads, order, rolls, initial)| {
            let mut h = schedule(&threads, &order, |t| (rolls[0] >> t) & 1 == 1, rolls[1], initial);
            let mut roll = lcg(rolls[2]);
            for e in &mut h.events {
                if e.ret.is_some() && e.op.is_compound() && roll().is_multiple_of(8) {
                    e.ret = Some(Ret::Unobserved);
                }
            }
            let completed = completed(&h);
            if rolls[3].is_multiple_of(2) && !completed.is_empty() {
                let i = completed[(rolls[3] / 2) as usize % completed.len()];
                corrupt(&mut h, i, rolls[3] >> 8);
            }
            h
        })
}

/// The keys a history names, with those a retain's result names (judged per key as remove-ifs).
fn keys(h: &History) -> Vec<u64> {
    let mut keys: Vec<u64> = h.events.iter().filter_map(|e| e.op.key()).collect();
    for e in &h.events {
        if let (Op::Retain { .. }, Some(Ret::Yielded(kv))) = (&e.op, &e.ret) {
            keys.extend(kv.iter().map(|(k, _)| *k));
        }
    }
    keys.extend(h.initial.iter().map(|(k, _)| *k));
    keys.sort_unstable();
    keys.dedup();
    keys
}

const PER_KEY: LinOptions = LinOptions {
    snapshot_iteration: false,
    atomic_whole_map: false,
    max_steps: 2_000_000,
};

/// Judges `h` whole and per key against the reference; returns (whole linearizable, per key
/// linearizable).
fn judge(h: &History) -> Result<(bool, bool), TestCaseError> {
    h.validate().expect("well-formed");
    let (depth, whole) = reference(h);
    match check(h, LinOptions::default()).expect("well-formed") {
        LinVerdict::Ok => prop_assert!(whole, "ok on a history no order explains: {:?}", h),
        LinVerdict::Violation(v) => {
            prop_assert!(!whole, "violation on a linearizable history: {:?} {:?}", v, h);
            if h.events.iter().any(|e| e.op.key().is_none()) {
                // The whole history is one partition: its reported prefix is the deepest.
                prop_assert_eq!(v.longest_prefix.len(), depth, "{:?} {:?}", v, h);
            }
        }
        LinVerdict::Unknown { .. } => prop_assert!(false, "unknown on a tiny history: {:?}", h),
    }
    let keys = keys(h);
    let refs: Vec<(usize, bool)> = keys.iter().map(|&k| reference(&key_part(h, k))).collect();
    let per_key = refs.iter().all(|r| r.1);
    match check(h, PER_KEY).expect("well-formed") {
        LinVerdict::Ok => prop_assert!(per_key, "ok per key on a history no order explains: {:?}", h),
        LinVerdict::Violation(v) => {
            prop_assert!(
                !per_key,
                "violation per key on a linearizable history: {:?} {:?}",
                v,
                h
            );
            let Partition::Key(k) = v.partition else {
                panic!("a per-key check reported {:?}", v.partition);
            };
            let i = keys.binary_search(&k).expect("a key of the history");
            prop_assert!(!refs[i].1, "{:?} blamed a linearizable key: {:?}", v, h);
            prop_assert_eq!(v.longest_prefix.len(), refs[i].0, "{:?} {:?}", v, h);
        }
        LinVerdict::Unknown { .. } => prop_assert!(false, "unknown on a tiny history: {:?}", h),
    }
    Ok((whole, per_key))
}

/// What the histories covered: verdicts both ways, and each compound operation completed, pending
/// and unobserved.
#[derive(Default)]
struct Coverage {
    counts: [Cell<u32>; 8],
}

impl Coverage {
    fn bump(&self, i: usize) {
        self.counts[i].set(self.counts[i].get() + 1);
    }

    fn note(&self, h: &History, (whole, per_key): (bool, bool)) {
        self.bump(if whole { 0 } else { 1 });
        self.bump(if per_key { 2 } else { 3 });
        let compound = |f: fn(&Option<Ret>) -> bool| h.events.iter().any(|e| e.op.is_compound() && f(&e.ret));
        if compound(|r| r.is_none()) {
            self.bump(4);
        }
        if compound(|r| *r == Some(Ret::Unobserved)) {
            self.bump(5);
        }
        if h.events.iter().any(|e| matches!(e.op, Op::Retain { .. })) {
            self.bump(6);
        }
        let kinds = [
            |o: &Op| matches!(o, Op::GetOrInsert { .. }),
            |o: &Op| matches!(o, Op::CompareAndSwap { .. }),
            |o: &Op| matches!(o, Op::CompareAndDelete { .. }),
            |o: &Op| matches!(o, Op::RemoveIf { .. }),
            |o: &Op| matches!(o, Op::Update { .. }),
        ];
        if kinds.iter().all(|k| h.events.iter().any(|e| k(&e.op))) {
            self.bump(7);
        }
    }

    fn counts(&self) -> Vec<u32> {
        self.counts.iter().map(Cell::get).collect()
    }
}

/// Runs the cross-check over 3,000 histories of `strategy` from `seed` and returns the coverage
/// counts: whole ok, whole violations, per-key ok, per-key violations, with a pending compound
/// operation, with an unobserved one, with a retain, with all five single-key kinds.
fn cross_check(strategy: impl Strategy<Value = History>, seed: u64) -> Vec<u32> {
    let seen = Coverage::default();
    let mut runner = TestRunner::new(Config {
        cases: 3000,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&strategy, |h| {
            let verdicts = judge(&h)?;
            seen.note(&h, verdicts);
            Ok(())
        })
        .unwrap();
    let c = seen.counts();
    eprintln!(
        "whole: {} ok, {} violations; per key: {} ok, {} violations; {} with a pending compound \
         operation, {} with an unobserved one, {} with a retain, {} with all five single-key kinds",
        c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]
    );
    c
}

#[test]
fn checker_agrees_with_exhaustive_search_on_compound_operations() {
    let c = cross_check(history(), 31);
    assert!(c[..4].iter().all(|&n| n >= 600), "{c:?}");
    assert!(c[4..7].iter().all(|&n| n >= 300), "{c:?}");
    assert!(c[7] >= 20, "{c:?}");
}

/// One operation with a placeholder value, replaced by one of its own (a write's) or one of the
/// key's (a comparison's) when the history is built.
fn unique_op(keys: u64) -> impl Strategy<Value = Op> {
    let placeholder = prop_oneof![
        Just(ValueIf::Even),
        Just(ValueIf::Odd),
        Just(ValueIf::Is(0)),
        Just(ValueIf::Not(0))
    ];
    prop_oneof![
        4 => (0..keys).prop_map(|key| Op::Insert { key, value: 0 }),
        2 => (0..keys).prop_map(|key| Op::Remove { key }),
        3 => (0..keys).prop_map(|key| Op::Get { key }),
        1 => Just(Op::Clear),
        3 => (0..keys).prop_map(|key| Op::GetOrInsert { key, value: 0 }),
        3 => (0..keys).prop_map(|key| Op::CompareAndSwap { key, old: 0, new: 0 }),
        2 => (0..keys).prop_map(|key| Op::CompareAndDelete { key, old: 0 }),
        1 => (0..keys, placeholder.clone()).prop_map(|(key, delete)| Op::RemoveIf { key, delete }),
        2 => (0..keys, prop::option::of(Just(0u64))).prop_map(|(key, insert)| Op::Update { key, add: 0, insert }),
        1 => placeholder.prop_map(|delete| Op::Retain { delete }),
    ]
}

/// Gives every write a value of its own and every comparison one of its key's values (drawn with
/// `roll`), so that values form groups and comparisons often succeed.
fn unique_values(threads: &mut [Vec<Op>], initial: Option<u64>, roll: &mut impl FnMut() -> u64) {
    let mut held: Vec<(u64, u64)> = initial.map(|v| (0, v)).into_iter().collect();
    for (t, ops) in threads.iter_mut().enumerate() {
        for (i, op) in ops.iter_mut().enumerate() {
            let own = 1 + 10 * t as u64 + i as u64;
            match op {
                Op::Insert { key, value } | Op::GetOrInsert { key, value } => {
                    *value = own;
                    held.push((*key, own));
                }
                Op::CompareAndSwap { key, new, .. } => {
                    *new = own;
                    held.push((*key, own));
                }
                Op::Update { add, insert, .. } => {
                    *add = 100 * (t as u64 + 1) + i as u64;
                    if insert.is_some() {
                        *insert = Some(own);
                    }
                }
                _ => {}
            }
        }
    }
    let mut pick = |key: u64| {
        let of: Vec<u64> = held.iter().filter(|(k, _)| *k == key).map(|(_, v)| *v).collect();
        let r = roll();
        if of.is_empty() {
            999
        } else {
            of[r as usize % of.len()]
        }
    };
    for op in threads.iter_mut().flatten() {
        match op {
            Op::CompareAndSwap { key, old, .. } | Op::CompareAndDelete { key, old } => *old = pick(*key),
            Op::RemoveIf {
                key,
                delete: ValueIf::Is(v) | ValueIf::Not(v),
            } => *v = pick(*key),
            Op::Retain {
                delete: ValueIf::Is(v) | ValueIf::Not(v),
            } => *v = pick(0),
            _ => {}
        }
    }
}

/// A history for the pruning by value groups with compound operations: one or two keys, up to six
/// threads, any of which may leave its last operation pending, one compound result in six
/// unobserved, and most histories with one result changed.
fn unique_history() -> impl Strategy<Value = History> {
    (1u64..3)
        .prop_flat_map(|keys| {
            (
                prop::collection::vec(prop::collection::vec(unique_op(keys), 1..5), 2..6),
                prop::collection::vec(0usize..6, 0..40),
                prop::collection::vec(any::<u64>(), 4),
                prop::option::of(Just(500u64)),
            )
        })
        .prop_map(|(mut threads, order, rolls, initial)| {
            let mut roll = lcg(rolls[2]);
            unique_values(&mut threads, initial, &mut roll);
            let initial = initial.map(|v| (0, v)).into_iter().collect();
            let mut h = schedule(&threads, &order, |t| (rolls[0] >> t) & 1 == 1, rolls[1], initial);
            for e in &mut h.events {
                if e.ret.is_some() && e.op.is_compound() && roll().is_multiple_of(6) {
                    e.ret = Some(Ret::Unobserved);
                }
            }
            let completed = completed(&h);
            if rolls[3] % 5 != 0 && !completed.is_empty() {
                let i = completed[(rolls[3] / 5) as usize % completed.len()];
                let x = rolls[3] >> 8;
                // To a value the key held, never held, absent, or another result of its kind.
                let held: Vec<u64> = h
                    .events
                    .iter()
                    .filter_map(|e| match e.op {
                        Op::Insert { value, .. } | Op::GetOrInsert { value, .. } => Some(value),
                        Op::CompareAndSwap { new, .. } => Some(new),
                        _ => None,
                    })
                    .collect();
                match h.events[i].ret {
                    Some(Ret::Value(_)) if !held.is_empty() && x % 3 == 0 => {
                        h.events[i].ret = Some(Ret::Value(Some(held[(x / 3) as usize % held.len()])))
                    }
                    _ => corrupt(&mut h, i, x),
                }
            }
            h
        })
}

#[test]
fn checker_agrees_with_exhaustive_search_on_unique_values_with_compound_operations() {
    let c = cross_check(unique_history(), 37);
    assert!(c[..4].iter().all(|&n| n >= 400), "{c:?}");
    assert!(c[4..7].iter().all(|&n| n >= 300), "{c:?}");
    assert!(c[7] >= 20, "{c:?}");
}

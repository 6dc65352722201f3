//! The linearizability checker against an exhaustive search written independently here: on
//! random small histories over several keys, with len, clear, snapshot iteration and pending
//! operations, both must give the same answer, and both answers must occur often.
//!
//! The reference tries every order of the operations that respects real time (an operation that
//! returned before another was invoked comes first), replays each on a `BTreeMap`, and accepts when
//! one order gives every completed operation its observed result; a pending operation may be left
//! out. It has no memo and no reduction, so it shares nothing with the checker's search.

use crate::common::brute::{
    clears_split, completed, deepest, deepest_any, key_part, key_part_once, lcg, reference, schedule,
    schedule_with,
};
use mapcheck_harness::history::{DeleteIf, History, Op, Ret};
use mapcheck_harness::lincheck::{check, LinOptions, LinVerdict, Partition};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestRunner};
use std::cell::Cell;

/// One operation on one of `keys` keys, with values from a small range so that they repeat.
fn op(keys: u64) -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..keys, 1u64..4).prop_map(|(key, value)| Op::Insert { key, value }),
        3 => (0..keys).prop_map(|key| Op::Remove { key }),
        4 => (0..keys).prop_map(|key| Op::Get { key }),
        1 => Just(Op::Len),
        1 => Just(Op::Clear),
        1 => Just(Op::Iterate { delete: DeleteIf::Nothing }),
    ]
}

/// A random history: per-thread operations, an interleaving of their invocations and returns, a
/// random order of their effects inside their intervals giving the results (so it starts out
/// linearizable), then, half the time, one result changed; the last operation of a thread may stay
/// pending.
fn history() -> impl Strategy<Value = History> {
    (1u64..4)
        .prop_flat_map(|keys| {
            (
                prop::collection::vec(prop::collection::vec(op(keys), 1..5), 2..5),
                prop::collection::vec(0usize..4, 0..32),
                prop::collection::vec(any::<u64>(), 3),
                prop::collection::vec((0u64..keys, 1u64..4), 0..3),
            )
        })
        .prop_map(|(threads, order, rolls, initial)| build(threads, order, rolls, initial))
}

fn build(threads: Vec<Vec<Op>>, order: Vec<usize>, rolls: Vec<u64>, initial: Vec<(u64, u64)>) -> History {
    let pending_thread = (rolls[0] % 5) as usize; // 0..4: that thread's last operation may stay open
    let mut h = schedule(&threads, &order, |t| t == pending_thread, rolls[1], initial);
    let events = &mut h.events;
    // Half the histories get one result changed to something the operation could return.
    if rolls[2].is_multiple_of(2) {
        let completed: Vec<usize> = events.iter().filter(|e| e.ret.is_some()).map(|e| e.id).collect();
        if !completed.is_empty() {
            let e = &mut events[completed[(rolls[2] / 2) as usize % completed.len()]];
            let x = rolls[2] >> 8;
            e.ret = Some(match e.op {
                Op::Len => Ret::Len((x % 4) as usize),
                Op::Clear | Op::Reclaim => Ret::Unit,
                Op::Iterate { .. } => Ret::Yielded(match e.ret.take() {
                    Some(Ret::Yielded(mut kv)) if !kv.is_empty() && x.is_multiple_of(2) => {
                        kv.remove((x as usize / 2) % kv.len());
                        kv
                    }
                    _ => vec![(x % 3, 1 + (x >> 4) % 3)],
                }),
                _ => Ret::Value((!x.is_multiple_of(4)).then_some(1 + x % 3)),
            });
        }
    }
    h
}

#[test]
fn checker_agrees_with_exhaustive_search() {
    let (ok, violations, whole, pending) = (Cell::new(0), Cell::new(0), Cell::new(0), Cell::new(0));
    let mut runner = TestRunner::new(Config {
        cases: 2000,
        rng_seed: RngSeed::Fixed(12),
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&history(), |h| {
            h.validate().expect("well-formed");
            let (depth, linearizable) = deepest(
                &h,
                &mut vec![false; h.events.len()],
                &h.initial.iter().copied().collect(),
            );
            let verdict = check(&h, LinOptions::default()).expect("well-formed");
            match &verdict {
                LinVerdict::Ok => {
                    prop_assert!(linearizable, "ok on a history no order explains: {:?}", h);
                    ok.set(ok.get() + 1);
                }
                LinVerdict::Violation(v) => {
                    prop_assert!(
                        !linearizable,
                        "violation on a linearizable history: {:?} {:?}",
                        v,
                        h
                    );
                    violations.set(violations.get() + 1);
                    let whole_map = h.events.iter().any(|e| e.op.key().is_none());
                    if whole_map {
                        // The whole history is one partition: its reported prefix is the deepest.
                        prop_assert_eq!(v.longest_prefix.len(), depth, "{:?} {:?}", v, h);
                    }
                }
                LinVerdict::Unknown { .. } => prop_assert!(false, "unknown on a tiny history: {:?}", h),
            }
            if h.events.iter().any(|e| e.op.key().is_none()) {
                whole.set(whole.get() + 1);
            }
            if h.events.iter().any(|e| e.ret.is_none()) {
                pending.set(pending.get() + 1);
            }
            Ok(())
        })
        .unwrap();
    let (ok, violations, whole, pending) = (ok.get(), violations.get(), whole.get(), pending.get());
    eprintln!(
        "{ok} ok, {violations} violations, {whole} with whole-map operations, {pending} with pending ones"
    );
    assert!(ok >= 400 && violations >= 400, "{ok} ok, {violations} violations");
    assert!(
        whole >= 400 && pending >= 400,
        "{whole} whole-map, {pending} pending"
    );
}

/// One operation of a history with unique values: its value is a placeholder, replaced by one of
/// its own when the history is built.
fn unique_op(keys: u64) -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (0..keys).prop_map(|key| Op::Insert { key, value: 0 }),
        3 => (0..keys).prop_map(|key| Op::Remove { key }),
        4 => (0..keys).prop_map(|key| Op::Get { key }),
        1 => Just(Op::Clear),
        1 => Just(Op::Len),
        1 => Just(Op::Iterate { delete: DeleteIf::Nothing }),
    ]
}

/// A history for the pruning by value groups (`lincheck/groups.rs`): every insert writes a value
/// of its own, so that values form groups; one or two keys; any thread may leave its last operation
/// pending; some inserts, removes and lens have unobserved results; and most histories get one
/// result changed to a value the key held at some time (stale or early), a value never written,
/// absent, or the result of another operation on the key.
fn unique_history() -> impl Strategy<Value = History> {
    (1u64..3)
        .prop_flat_map(|keys| {
            (
                prop::collection::vec(prop::collection::vec(unique_op(keys), 1..5), 2..7),
                prop::collection::vec(0usize..7, 0..48),
                prop::collection::vec(any::<u64>(), 4),
                prop::option::of(Just((0u64, 500u64))),
            )
        })
        .prop_map(|(mut threads, order, rolls, initial)| {
            for (t, ops) in threads.iter_mut().enumerate() {
                for (i, op) in ops.iter_mut().enumerate() {
                    if let Op::Insert { value, .. } = op {
                        *value = 1 + 10 * t as u64 + i as u64;
                    }
                }
            }
            let initial = initial.into_iter().collect();
            let mut h = schedule(&threads, &order, |t| (rolls[0] >> t) & 1 == 1, rolls[1], initial);
            let mut roll = lcg(rolls[2]);
            for e in &mut h.events {
                if matches!(e.op, Op::Insert { .. } | Op::Remove { .. } | Op::Len)
                    && e.ret.is_some()
                    && roll().is_multiple_of(6)
                {
                    e.ret = Some(Ret::Unobserved);
                }
            }
            corrupt_unique(&mut h, rolls[3]);
            h
        })
}

/// Changes one result of a single-key operation (four histories in five): to a value its key held
/// at some time, to a value never written, to absent, or to another operation's result on the key.
fn corrupt_unique(h: &mut History, x: u64) {
    let kind = x % 5;
    let single: Vec<usize> = h
        .events
        .iter()
        .filter(|e| e.op.key().is_some() && matches!(e.ret, Some(Ret::Value(_))))
        .map(|e| e.id)
        .collect();
    if kind == 4 || single.is_empty() {
        return;
    }
    let victim = single[(x / 5) as usize % single.len()];
    let key = h.events[victim].op.key();
    let held: Vec<u64> = h
        .events
        .iter()
        .filter_map(|e| match e.op {
            Op::Insert { key: k, value } if Some(k) == key => Some(value),
            _ => None,
        })
        .chain(h.initial.iter().filter(|(k, _)| Some(*k) == key).map(|(_, v)| *v))
        .collect();
    let others: Vec<usize> = single
        .iter()
        .copied()
        .filter(|&i| i != victim && h.events[i].op.key() == key)
        .collect();
    let y = (x >> 16) as usize;
    let ret = match kind {
        0 if !held.is_empty() => Ret::Value(Some(held[y % held.len()])),
        1 => Ret::Value(Some(999)),
        3 if !others.is_empty() => h.events[others[y % others.len()]].ret.clone().expect("completed"),
        _ => Ret::Value(None),
    };
    h.events[victim].ret = Some(ret);
}

#[test]
fn checker_agrees_with_exhaustive_search_on_unique_values() {
    let per_key = LinOptions {
        snapshot_iteration: false,
        atomic_whole_map: false,
        ..LinOptions::default()
    };
    // ok and violations judged per key; histories with two or more pending operations, with
    // unobserved results, with a clear; keys where two inserts found the key absent (the entry gate
    // has a choice to make).
    let counts: [Cell<u32>; 7] = Default::default();
    let bump = |i: usize| counts[i].set(counts[i].get() + 1);
    let mut runner = TestRunner::new(Config {
        cases: 5000,
        rng_seed: RngSeed::Fixed(23),
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&unique_history(), |h| {
            h.validate().expect("well-formed");
            // Per key, with clear not atomic and iteration not a snapshot.
            let mut keys: Vec<u64> = h.events.iter().filter_map(|e| e.op.key()).collect();
            keys.extend(h.initial.iter().map(|(k, _)| *k));
            keys.sort_unstable();
            keys.dedup();
            let parts: Vec<(u64, History)> = keys.iter().map(|&k| (k, key_part(&h, k))).collect();
            let refs: Vec<(usize, bool)> = parts.iter().map(|(_, p)| reference(p)).collect();
            let linearizable = refs.iter().all(|r| r.1);
            // The copies of a clear stand for a clear that may take the key out again.
            for (i, &k) in keys.iter().enumerate() {
                prop_assert_eq!(any_removals(&key_part_once(&h, k)), refs[i].1, "{:?}", h);
            }
            match check(&h, per_key).expect("well-formed") {
                LinVerdict::Ok => {
                    prop_assert!(linearizable, "ok per key on a history no order explains: {:?}", h);
                    bump(0);
                }
                LinVerdict::Violation(v) => {
                    prop_assert!(
                        !linearizable,
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
                    bump(1);
                }
                LinVerdict::Unknown { .. } => prop_assert!(false, "unknown on a tiny history: {:?}", h),
            }
            // Whole, with the default options.
            let (_, whole) = reference(&h);
            match check(&h, LinOptions::default()).expect("well-formed") {
                LinVerdict::Ok => prop_assert!(whole, "ok on a history no order explains: {:?}", h),
                LinVerdict::Violation(v) => {
                    prop_assert!(!whole, "violation on a linearizable history: {:?} {:?}", v, h)
                }
                LinVerdict::Unknown { .. } => prop_assert!(false, "unknown on a tiny history: {:?}", h),
            }
            if h.events.iter().filter(|e| e.ret.is_none()).count() >= 2 {
                bump(2);
            }
            if h.events.iter().any(|e| e.ret == Some(Ret::Unobserved)) {
                bump(3);
            }
            if h.events.iter().any(|e| e.op == Op::Clear) {
                bump(4);
            }
            let found_absent = |k: u64| {
                h.events
                    .iter()
                    .filter(|e| matches!(e.op, Op::Insert { key, .. } if key == k))
                    .filter(|e| e.ret == Some(Ret::Value(None)))
                    .count()
            };
            if keys.iter().any(|&k| found_absent(k) >= 2) {
                bump(5);
            }
            if h.events
                .iter()
                .any(|e| matches!(e.op, Op::Len | Op::Iterate { .. }))
            {
                bump(6);
            }
            Ok(())
        })
        .unwrap();
    let c: Vec<u32> = counts.iter().map(Cell::get).collect();
    eprintln!(
        "per key: {} ok, {} violations; {} with two or more pending, {} unobserved, {} clear, {} with two inserts that found a key absent, {} with len or iteration",
        c[0], c[1], c[2], c[3], c[4], c[5], c[6]
    );
    assert!(c[0] >= 600 && c[1] >= 600, "{c:?}");
    assert!(c[2..].iter().all(|&n| n >= 300), "{c:?}");
}

/// [`deepest_any`] from the start of `h`.
fn any_removals(h: &History) -> bool {
    deepest_any(
        h,
        &mut vec![false; h.events.len()],
        &h.initial.iter().copied().collect(),
    )
}

/// One operation on key 0 that a clear interacts with, values from a small range.
fn key_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (1u64..4).prop_map(|value| Op::Insert { key: 0, value }),
        3 => (1u64..4).prop_map(|value| Op::GetOrInsert { key: 0, value }),
        2 => Just(Op::Remove { key: 0 }),
        2 => Just(Op::Get { key: 0 }),
        2 => Just(Op::Clear),
    ]
}

/// A clear that is not atomic may take a key out again that was put back while it ran (a clear
/// that walks a table once meets an entry a concurrent insert placed further along). On one-key
/// histories whose clears take effect at one to three points, a result sometimes changed, the
/// checker judging clear per key agrees with an exhaustive search that lets a clear remove the key
/// at any number of points, and reports the deepest sequence of the partition it searches; and
/// some of those histories need the second removal (a clear removing the key once has no order).
#[test]
fn a_clear_that_is_not_atomic_may_take_a_key_out_again() {
    let per_key = LinOptions {
        snapshot_iteration: false,
        atomic_whole_map: false,
        ..LinOptions::default()
    };
    let counts: [Cell<u32>; 3] = Default::default();
    let bump = |i: usize| counts[i].set(counts[i].get() + 1);
    let histories = (
        prop::collection::vec(prop::collection::vec(key_op(), 1..5), 2..4),
        prop::collection::vec(0usize..3, 0..24),
        prop::collection::vec(any::<u64>(), 3),
        prop::option::of(1u64..4),
    )
        .prop_map(|(threads, order, rolls, initial)| {
            let pending_thread = (rolls[0] % 4) as usize;
            let initial: Vec<(u64, u64)> = initial.map(|v| (0, v)).into_iter().collect();
            let mut h = schedule_with(&threads, &order, |t| t == pending_thread, rolls[1], initial, 3);
            if rolls[2].is_multiple_of(2) {
                let completed = completed(&h);
                let e = &mut h.events[completed[(rolls[2] / 2) as usize % completed.len()]];
                let x = rolls[2] >> 8;
                if e.op != Op::Clear {
                    e.ret = Some(Ret::Value((!x.is_multiple_of(3)).then_some(1 + x % 3)));
                }
            }
            h
        });
    let mut runner = TestRunner::new(Config {
        cases: 3000,
        rng_seed: RngSeed::Fixed(31),
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&histories, |h| {
            h.validate().expect("well-formed");
            let any = any_removals(&key_part_once(&h, 0));
            let (depth, _) = reference(&key_part(&h, 0));
            match check(&h, per_key).expect("well-formed") {
                LinVerdict::Ok => {
                    prop_assert!(any, "ok on a history no order explains: {:?}", h);
                    bump(0);
                }
                LinVerdict::Violation(v) => {
                    prop_assert!(!any, "violation on a history an order explains: {:?} {:?}", v, h);
                    prop_assert_eq!(v.longest_prefix.len(), depth, "{:?} {:?}", v, h);
                    bump(1);
                }
                LinVerdict::Unknown { .. } => prop_assert!(false, "unknown on a tiny history: {:?}", h),
            }
            let once = key_part_once(&h, 0);
            if any
                && !deepest(
                    &once,
                    &mut vec![false; once.events.len()],
                    &once.initial.iter().copied().collect(),
                )
                .1
            {
                bump(2);
            }
            Ok(())
        })
        .unwrap();
    let c: Vec<u32> = counts.iter().map(Cell::get).collect();
    eprintln!(
        "{} ok, {} violations, {} needing a clear's second removal",
        c[0], c[1], c[2]
    );
    assert!(c[0] >= 500 && c[1] >= 500 && c[2] >= 50, "{c:?}");
}

/// A clear that is not atomic in a history judged whole (iteration is a snapshot): each key goes at
/// some point of the call, and may go again when it was put back. The checker agrees with the
/// exhaustive search over the history with its clears split into removals of each key (and len
/// left out, as it is not atomic either), reports that search's deepest sequence, and some
/// histories only the split explains.
#[test]
fn a_clear_that_is_not_atomic_is_judged_key_by_key_in_a_whole_history() {
    let opts = LinOptions {
        snapshot_iteration: true,
        atomic_whole_map: false,
        ..LinOptions::default()
    };
    let counts: [Cell<u32>; 3] = Default::default();
    let bump = |i: usize| counts[i].set(counts[i].get() + 1);
    let mut runner = TestRunner::new(Config {
        cases: 2000,
        rng_seed: RngSeed::Fixed(19),
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&history(), |h| {
            h.validate().expect("well-formed");
            if !h.events.iter().any(|e| e.op == Op::Clear) {
                return Ok(());
            }
            let mut split = clears_split(&h);
            split.events.retain(|e| e.op != Op::Len);
            for (id, e) in split.events.iter_mut().enumerate() {
                e.id = id;
            }
            // The reference has no reduction, and the removals of a clear all overlap: its cost
            // grows with their number factorially.
            if split.events.len() > 14 {
                return Ok(());
            }
            let (depth, ok) = reference(&split);
            match check(&h, opts).expect("well-formed") {
                LinVerdict::Ok => {
                    prop_assert!(ok, "ok on a history no order explains: {:?}", h);
                    bump(0);
                }
                LinVerdict::Violation(v) => {
                    prop_assert!(!ok, "violation on a history an order explains: {:?} {:?}", v, h);
                    if h.events.iter().any(|e| matches!(e.op, Op::Iterate { .. })) {
                        prop_assert_eq!(v.longest_prefix.len(), depth, "{:?} {:?}", v, h);
                    }
                    bump(1);
                }
                LinVerdict::Unknown { .. } => prop_assert!(false, "unknown on a tiny history: {:?}", h),
            }
            let atomic = LinOptions {
                atomic_whole_map: true,
                ..opts
            };
            if ok && matches!(check(&h, atomic).expect("well-formed"), LinVerdict::Violation(_)) {
                bump(2);
            }
            Ok(())
        })
        .unwrap();
    let c: Vec<u32> = counts.iter().map(Cell::get).collect();
    eprintln!(
        "{} ok, {} violations, {} that only a clear split by key explains",
        c[0], c[1], c[2]
    );
    assert!(c[0] >= 150 && c[1] >= 150 && c[2] >= 10, "{c:?}");
}

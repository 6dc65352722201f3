//! The longest linearizable prefix a violation reports (what the failure picture draws) is as deep
//! as any a brute-force search finds, and it is a real linearization: it respects program order and
//! real time, and replaying it on the spec gives every observed result.

use crate::common;

use mapcheck_harness::history::{History, Op, Ret};
use mapcheck_harness::lincheck::{check, LinOptions, LinVerdict};
use mapcheck_harness::spec::{apply_single, same_result};
use proptest::prelude::*;

type Raw = (usize, Op, Option<Ret>, u64, Option<u64>);

/// Thread `t` takes its next step: returns its open operation, or invokes its next one.
fn step(
    threads: &[Vec<(Op, Option<u64>)>],
    next: &mut [usize],
    open: &mut [Option<(u64, Op, Option<u64>)>],
    raw: &mut Vec<Raw>,
    t: usize,
    clock: &mut u64,
) {
    if let Some((inv, op, r)) = open[t].take() {
        raw.push((t, op, Some(Ret::Value(r)), inv, Some(*clock)));
        *clock += 1;
    } else if next[t] < threads[t].len() {
        let (op, r) = threads[t][next[t]];
        next[t] += 1;
        open[t] = Some((*clock, op, r));
        *clock += 1;
    }
}

/// Builds a one-key history from per-thread (op, result) lists and an interleaving of their
/// invocations and returns (`order` picks the thread whose next step comes next).
fn build(threads: &[Vec<(Op, Option<u64>)>], order: &[usize]) -> History {
    let n = threads.len();
    let mut next = vec![0usize; n];
    let mut open: Vec<Option<(u64, Op, Option<u64>)>> = vec![None; n];
    let mut raw: Vec<Raw> = Vec::new();
    let mut clock = 0u64;
    for &t in order {
        step(threads, &mut next, &mut open, &mut raw, t % n, &mut clock);
    }
    // Finish every thread; the last operation of thread 0 stays pending when still open.
    for t in 0..n {
        while next[t] < threads[t].len() || (open[t].is_some() && t != 0) {
            step(threads, &mut next, &mut open, &mut raw, t, &mut clock);
        }
    }
    if let Some((inv, op, _)) = open[0].take() {
        raw.push((0, op, None, inv, None));
    }
    common::h(&[], &raw)
}

/// The operations that may go next after `done`, as Wing and Gong define it.
fn candidates(h: &History, done: &[bool]) -> Vec<usize> {
    let min_ret = h
        .events
        .iter()
        .filter(|e| !done[e.id] && e.ret.is_some())
        .filter_map(|e| e.ret_at)
        .min()
        .unwrap_or(u64::MAX);
    h.events
        .iter()
        .filter(|e| !done[e.id] && e.invoke <= min_ret)
        .filter(|e| {
            // Program order: no earlier operation of its thread is still to go.
            !h.events
                .iter()
                .any(|o| o.thread == e.thread && o.invoke < e.invoke && !done[o.id])
        })
        .map(|e| e.id)
        .collect()
}

/// The deepest linearizable sequence, by exhaustive search without memoisation.
fn deepest(h: &History, done: &mut Vec<bool>, state: Option<u64>) -> usize {
    let mut best = 0;
    for id in candidates(h, done) {
        let e = &h.events[id];
        let mut s = state;
        let expected = apply_single(&mut s, &e.op);
        if e.ret.as_ref().is_some_and(|r| !same_result(r, &expected)) {
            continue;
        }
        done[id] = true;
        best = best.max(1 + deepest(h, done, s));
        done[id] = false;
    }
    best
}

fn op() -> impl Strategy<Value = (Op, Option<u64>)> {
    let value = prop::option::of(1u64..3);
    prop_oneof![
        (1u64..3, value.clone()).prop_map(|(v, r)| (Op::Insert { key: 1, value: v }, r)),
        value.clone().prop_map(|r| (Op::Remove { key: 1 }, r)),
        value.prop_map(|r| (Op::Get { key: 1 }, r)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 300,
        rng_seed: proptest::test_runner::RngSeed::Fixed(7),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn the_reported_prefix_is_a_deepest_linearization(
        threads in prop::collection::vec(prop::collection::vec(op(), 1..4), 2..4),
        order in prop::collection::vec(0usize..3, 0..20),
    ) {
        let h = build(&threads, &order);
        h.validate().expect("well-formed");
        let LinVerdict::Violation(v) = check(&h, LinOptions::default()).unwrap() else {
            return Ok(());
        };
        let mut done = vec![false; h.events.len()];
        prop_assert_eq!(v.longest_prefix.len(), deepest(&h, &mut done, None), "{:?}", h);
        // Replaying the prefix: each operation a candidate in turn, with the observed result.
        let mut done = vec![false; h.events.len()];
        let mut state = None;
        for id in &v.longest_prefix {
            prop_assert!(candidates(&h, &done).contains(id), "{} out of order in {:?}", id, v);
            let e = &h.events[*id];
            let expected = apply_single(&mut state, &e.op);
            if let Some(r) = &e.ret {
                prop_assert!(same_result(r, &expected));
            }
            done[*id] = true;
        }
        // Stuck: the first stuck operation is a candidate that cannot go next.
        if let Some(first) = v.stuck.first() {
            prop_assert!(candidates(&h, &done).contains(first));
        }
    }
}

//! Unobserved results: a map whose API returns nothing for an operation has it recorded as
//! unobserved, and every oracle judges only what was observed, together with real-time order.

use crate::common;

use common::*;
use mapcheck_harness::history::{Op, Recorder, Ret};
use mapcheck_harness::oracle::{exactly_once, lost_delete};
use mapcheck_harness::verdict::{judge, linearizability};
use mapcheck_harness::{IterationGuarantee, Oracle, ReclamationPolicy, StructureInfo, Unobserved, Verdict};

const INFO: StructureInfo = StructureInfo {
    name: "test",
    summary: "",
    iteration: IterationGuarantee::Snapshot,
    reclamation: ReclamationPolicy::NotObservable,
    atomic_whole_map: true,
    unsynchronised: false,
    mutant: None,
};

fn unobserved() -> Option<Ret> {
    Some(Ret::Unobserved)
}

#[test]
fn an_unobserved_result_matches_whatever_the_spec_returns() {
    // T1's insert overlaps T0's remove; neither returns its result, so no order is ruled out.
    let hist = h(
        &[(1, 10)],
        &[
            (0, rem(1), unobserved(), 0, Some(3)),
            (1, ins(1, 11), unobserved(), 1, Some(2)),
            (0, get(1), v(None), 4, Some(5)),
        ],
    );
    assert_eq!(judge(&hist, &INFO), Verdict::Pass);
    // Had the remove returned `none` (a fake result), the history would not be linearizable: the
    // key held 10 or 11 whenever the remove took effect.
    let faked = h(
        &[(1, 10)],
        &[
            (0, rem(1), v(None), 0, Some(3)),
            (1, ins(1, 11), unobserved(), 1, Some(2)),
            (0, get(1), v(None), 4, Some(5)),
        ],
    );
    assert!(matches!(linearizability(&faked, &INFO), Verdict::Fail(_)));
}

#[test]
fn a_lost_delete_is_still_caught_by_what_is_observed() {
    // The delete's result is not observed, but it completed: the later get must not see the key.
    let hist = h(
        &[],
        &[
            (0, ins(1, 10), unobserved(), 0, Some(1)),
            (0, rem(1), unobserved(), 2, Some(3)),
            (1, get(1), v(Some(10)), 4, Some(5)),
        ],
    );
    let f = lost_delete::check(&hist).expect("a lost delete");
    assert_eq!(f.evidence, vec![1, 2]);
    assert!(
        f.summary.contains("whose result the map does not return"),
        "{}",
        f.summary
    );
    match judge(&hist, &INFO) {
        Verdict::Fail(f) => assert_eq!(f.oracle, Oracle::LostDelete),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_lost_insert_is_still_caught_by_what_is_observed() {
    let hist = h(
        &[],
        &[
            (0, ins(1, 10), unobserved(), 0, Some(1)),
            (1, get(1), v(None), 2, Some(3)),
        ],
    );
    match judge(&hist, &INFO) {
        Verdict::Fail(f) => assert_eq!(f.oracle, Oracle::LostInsert),
        other => panic!("{other:?}"),
    }
}

#[test]
fn unobserved_removes_take_nothing_out_twice() {
    let hist = h(
        &[(1, 10)],
        &[
            (0, rem(1), unobserved(), 0, Some(2)),
            (1, rem(1), unobserved(), 1, Some(3)),
        ],
    );
    assert_eq!(exactly_once::check(&hist), None);
    assert_eq!(judge(&hist, &INFO), Verdict::Pass);
}

#[test]
fn an_unobserved_len_is_not_judged_but_its_order_is_kept() {
    let hist = h(
        &[(1, 10)],
        &[
            (0, Op::Len, unobserved(), 0, Some(1)),
            (0, get(1), v(Some(10)), 2, Some(3)),
        ],
    );
    assert_eq!(judge(&hist, &INFO), Verdict::Pass);
}

#[test]
fn the_recorder_stores_declared_results_as_unobserved() {
    let map = OneLock::default();
    let declared = Unobserved {
        insert: true,
        remove: true,
        len: false,
    };
    let rec = Recorder::declared::<mapcheck_harness::rt::Std>(1, declared, None);
    assert_eq!(rec.apply(0, &map, ins(1, 10)), Ret::Unobserved);
    assert_eq!(rec.apply(0, &map, ins(1, 11)), Ret::Unobserved);
    assert_eq!(rec.apply(0, &map, get(1)), Ret::Value(Some(11)));
    assert_eq!(rec.apply(0, &map, Op::Len), Ret::Len(1));
    assert_eq!(rec.apply(0, &map, rem(1)), Ret::Unobserved);
    let history = rec.history(Vec::new());
    assert_eq!(history.events[0].ret, Some(Ret::Unobserved));
    assert_eq!(history.events[0].ret.as_ref().unwrap().to_string(), "unobserved");
}

/// A map under one lock.
#[derive(Default)]
struct OneLock(std::sync::Mutex<std::collections::BTreeMap<u64, u64>>);

impl mapcheck_harness::Map for OneLock {
    fn insert(&self, k: u64, v: u64) -> Option<u64> {
        self.0.lock().unwrap().insert(k, v)
    }
    fn remove(&self, k: u64) -> Option<u64> {
        self.0.lock().unwrap().remove(&k)
    }
    fn get(&self, k: u64) -> Option<u64> {
        self.0.lock().unwrap().get(&k).copied()
    }
    fn len(&self) -> usize {
        self.0.lock().unwrap().len()
    }
    fn clear(&self) {
        self.0.lock().unwrap().clear()
    }
    fn iterate(&self, visit: &mut dyn FnMut(u64, u64) -> std::ops::ControlFlow<()>) {
        let copy: Vec<(u64, u64)> = self.0.lock().unwrap().iter().map(|(k, v)| (*k, *v)).collect();
        for (k, v) in copy {
            if visit(k, v).is_break() {
                break;
            }
        }
    }
}

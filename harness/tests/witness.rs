//! The witness shortcut judges nothing it does not know: known-bad runs that have a witness (an
//! order the atomic sequential map accepts) but break an oracle the witness does not imply (the
//! per-visit iteration rules, the live entries at quiescence) fail under `Judging::Witness` exactly
//! as under `Judging::Full`; unobserved results match anything in the witness search, and a wrong
//! observed result next to them still fails.

use crate::common;

use common::{get, h, ins, v};
use mapcheck_harness::engine::Sequential;
use mapcheck_harness::history::{DeleteIf, History, Op, Quiescence, Ret};
use mapcheck_harness::structure::{
    Footprint, IterationGuarantee, Key, Map, StructureInfo, Unobserved, Value,
};
use mapcheck_harness::verdict::{judge_judging, Judging};
use mapcheck_harness::witness::Witness;
use mapcheck_harness::{Oracle, Runtime, Structure, Verdict, Workload};
use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::sync::Mutex;

const INFO: StructureInfo = StructureInfo::new("hand-built");

/// `history` judged under `judging`, with every oracle's default budget.
fn judged(history: &History, info: &StructureInfo, judging: Judging) -> Verdict {
    let claims = mapcheck_harness::Claims::info(*info);
    judge_judging(
        history,
        &claims,
        1_000_000,
        judging,
        &mut Witness::default(),
        &mut Vec::new(),
    )
}

/// Asserts that `history` has a witness, and that it fails `oracle` under both judgings alike.
fn fails_both_ways(history: &History, info: &StructureInfo, oracle: Oracle) {
    assert!(
        Witness::default().exists(history),
        "no witness: the test would not reach the shortcut"
    );
    let full = judged(history, info, Judging::Full);
    let fast = judged(history, info, Judging::Witness);
    assert_eq!(fast, full);
    match full {
        Verdict::Fail(f) => assert_eq!(f.oracle, oracle, "{}", f.summary),
        other => panic!("expected a failure of {oracle:?}, got {other:?}"),
    }
}

/// An iteration whose one visit, at position 1, yields an entry another thread inserts only from
/// position 2 on. Ordered by return (insert, then iterate) the atomic map accepts it, so it has a
/// witness; but no entry was there when it was visited, which the per-visit rules of every
/// iteration guarantee reject.
#[test]
fn an_entry_yielded_before_it_was_inserted_fails_with_a_witness_as_without() {
    let iterate = Op::Iterate {
        delete: DeleteIf::Nothing,
    };
    let mut history = h(
        &[],
        &[
            (0, iterate, Some(Ret::Yielded(vec![(1, 10)])), 0, Some(5)),
            (1, ins(1, 10), v(None), 2, Some(3)),
        ],
    );
    history.events[0].visits = vec![1];
    for guarantee in [
        IterationGuarantee::WeaklyConsistent,
        IterationGuarantee::WeaklyConsistentSinceStart,
        IterationGuarantee::Snapshot,
    ] {
        let info = StructureInfo {
            iteration: guarantee,
            ..INFO
        };
        fails_both_ways(&history, &info, Oracle::Iteration);
    }
}

/// A completed insert whose entry the structure no longer counts at quiescence: the history has a
/// witness, and only the live-entry count against the history sees the lost insert.
#[test]
fn a_live_count_the_history_cannot_explain_fails_with_a_witness_as_without() {
    let mut history = h(&[], &[(0, ins(1, 10), v(None), 0, Some(1))]);
    let footprint = Footprint {
        live: 0,
        ..Footprint::default()
    };
    history.quiescence = Some(Quiescence {
        at_end: footprint,
        after_reclaim: footprint,
    });
    fails_both_ways(&history, &INFO, Oracle::LostInsert);
}

/// Unobserved results match anything in the witness search, so a run of a map that does not
/// return them still has one; a wrong observed result beside them still has none and fails.
#[test]
fn unobserved_results_match_anything_and_a_wrong_observed_one_still_fails() {
    let unobserved = Some(Ret::Unobserved);
    let good = h(
        &[(1, 5)],
        &[
            (0, ins(1, 10), unobserved.clone(), 0, Some(1)),
            (0, Op::Remove { key: 1 }, unobserved.clone(), 2, Some(3)),
            (1, get(1), v(None), 4, Some(5)),
            (1, Op::Len, unobserved.clone(), 6, Some(7)),
        ],
    );
    assert!(Witness::default().exists(&good));
    assert_eq!(judged(&good, &INFO, Judging::Witness), Verdict::Pass);
    assert_eq!(judged(&good, &INFO, Judging::Full), Verdict::Pass);
    // The remove took the entry away, whatever it returned: a later get cannot see it.
    let bad = h(
        &[(1, 5)],
        &[
            (0, ins(1, 10), unobserved.clone(), 0, Some(1)),
            (0, Op::Remove { key: 1 }, unobserved, 2, Some(3)),
            (1, get(1), v(Some(10)), 4, Some(5)),
        ],
    );
    assert!(!Witness::default().exists(&bad));
    let full = judged(&bad, &INFO, Judging::Full);
    assert!(full.is_fail(), "{full:?}");
    assert_eq!(judged(&bad, &INFO, Judging::Witness), full);
}

/// A correct map behind a lock, whose footprint may report one live entry too many and whose API
/// may not return insert's previous value.
struct Locked<const MISCOUNT: bool, const UNOBSERVED_INSERT: bool>;

struct LockedMap<const MISCOUNT: bool>(Mutex<BTreeMap<Key, Value>>);

impl<const MISCOUNT: bool> Map for LockedMap<MISCOUNT> {
    fn insert(&self, key: Key, value: Value) -> Option<Value> {
        self.0.lock().unwrap().insert(key, value)
    }
    fn remove(&self, key: Key) -> Option<Value> {
        self.0.lock().unwrap().remove(&key)
    }
    fn get(&self, key: Key) -> Option<Value> {
        self.0.lock().unwrap().get(&key).copied()
    }
    fn len(&self) -> usize {
        self.0.lock().unwrap().len()
    }
    fn clear(&self) {
        self.0.lock().unwrap().clear()
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        let entries: Vec<_> = self.0.lock().unwrap().iter().map(|(k, v)| (*k, *v)).collect();
        for (k, v) in entries {
            if visit(k, v).is_break() {
                break;
            }
        }
    }
    fn footprint(&self) -> Footprint {
        Footprint {
            live: self.len() + usize::from(MISCOUNT),
            ..Footprint::default()
        }
    }
}

impl<const MISCOUNT: bool, const UNOBSERVED_INSERT: bool> Structure for Locked<MISCOUNT, UNOBSERVED_INSERT> {
    type Map<R: Runtime> = LockedMap<MISCOUNT>;
    fn new<R: Runtime>() -> Self::Map<R> {
        LockedMap(Mutex::new(BTreeMap::new()))
    }
    const INFO: StructureInfo = INFO;
    const UNOBSERVED: Unobserved = Unobserved {
        insert: UNOBSERVED_INSERT,
        ..Unobserved::NONE
    };
}

fn workload() -> Workload {
    Workload {
        initial: vec![(1, 5)],
        threads: vec![
            vec![
                ins(2, 20),
                Op::Iterate {
                    delete: DeleteIf::Even,
                },
                get(1),
            ],
            vec![ins(1, 7), Op::Len, get(2)],
        ],
    }
}

/// The sequential runner on a structure whose operations all match the sequential map but whose
/// footprint counts one entry too many: the cheap path must not pass it.
#[test]
fn the_sequential_runner_counts_live_entries_on_a_run_with_a_witness() {
    let w = workload();
    let full = Sequential::new(Judging::Full).run::<Locked<true, false>>(&w);
    let fast = Sequential::new(Judging::Witness).run::<Locked<true, false>>(&w);
    assert_eq!(fast.verdict, full.verdict);
    assert!(
        matches!(&full.verdict, Verdict::Fail(f) if f.oracle == Oracle::LostDelete),
        "{:?}",
        full.verdict
    );
    // Without the iteration, the count is checked without building a history.
    let w = Workload {
        threads: vec![vec![ins(2, 20), get(1)], vec![ins(1, 7), Op::Len]],
        ..w
    };
    let full = Sequential::new(Judging::Full).run::<Locked<true, false>>(&w);
    let fast = Sequential::new(Judging::Witness).run::<Locked<true, false>>(&w);
    assert_eq!(fast.verdict, full.verdict);
    assert!(full.verdict.is_fail(), "{:?}", full.verdict);
}

/// The same structure counted right passes cheaply, with its inserts' results observed or not; the
/// runner records them unobserved and its history says so, with a visit per yielded entry.
#[test]
fn the_sequential_runner_records_unobserved_results_and_visits_and_passes_cheaply() {
    let w = workload();
    let mut runner = Sequential::new(Judging::CrossCheck);
    assert_eq!(runner.run::<Locked<false, false>>(&w).verdict, Verdict::Pass);
    let run = runner.run::<Locked<false, true>>(&w);
    assert_eq!(run.verdict, Verdict::Pass);
    let history = runner.history();
    history.validate().unwrap();
    let inserts = history
        .events
        .iter()
        .filter(|e| matches!(e.op, Op::Insert { .. }));
    assert!(inserts.clone().count() == 2 && inserts.clone().all(|e| e.ret == Some(Ret::Unobserved)));
    let iteration = history
        .events
        .iter()
        .find(|e| matches!(e.op, Op::Iterate { .. }))
        .unwrap();
    assert_eq!(iteration.visits.len(), 2);
    let fast = Sequential::new(Judging::Witness).run::<Locked<false, true>>(&w);
    assert_eq!(fast.verdict, Verdict::Pass);
    assert!(!fast.fully_judged, "a correct run needed the full oracles");
}

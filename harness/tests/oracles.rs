//! The specific oracles on hand-written histories: each must fail its known-bad histories, with the
//! evidence naming the right operations, and pass the known-good ones.

use crate::common;

use common::*;
use mapcheck_harness::history::History;
use mapcheck_harness::history::{Event, Op, Quiescence, Ret};
use mapcheck_harness::oracle::{exactly_once, iteration, lost_delete, reclamation};
use mapcheck_harness::IterationGuarantee::{self, Snapshot, WeaklyConsistent, WeaklyConsistentSinceStart};
use mapcheck_harness::{DeleteIf, Footprint, Oracle, ReclamationPolicy};

fn iter_op() -> Op {
    Op::Iterate {
        delete: DeleteIf::Nothing,
    }
}
fn yielded(kv: &[(u64, u64)]) -> Option<Ret> {
    Some(Ret::Yielded(kv.to_vec()))
}

#[test]
fn lost_delete_names_the_delete_and_the_resurrection() {
    let hist = h(
        &[(1, 10)],
        &[
            (0, rem(1), v(Some(10)), 0, Some(1)),
            (1, ins(2, 20), v(None), 2, Some(3)),
            (1, get(1), v(Some(10)), 4, Some(5)),
        ],
    );
    let f = lost_delete::check(&hist).expect("a lost delete");
    assert_eq!(f.oracle, Oracle::LostDelete);
    assert_eq!(f.evidence, vec![0, 2]);
    assert!(f.summary.contains("remove(1) returned 10"), "{}", f.summary);
    assert!(f.summary.contains("get(1) saw key 1 holding 10"), "{}", f.summary);
}

#[test]
fn a_reinsert_explains_the_key_coming_back() {
    let hist = h(
        &[(1, 10)],
        &[
            (0, rem(1), v(Some(10)), 0, Some(1)),
            (1, ins(1, 10), v(None), 2, Some(5)),
            (2, get(1), v(Some(10)), 3, Some(4)),
        ],
    );
    assert_eq!(lost_delete::check(&hist), None);
    // An insert that finished before the delete started cannot explain it.
    let stale = h(
        &[],
        &[
            (1, ins(1, 10), v(None), 0, Some(1)),
            (0, rem(1), v(Some(10)), 2, Some(3)),
            (2, get(1), v(Some(10)), 4, Some(5)),
        ],
    );
    assert!(lost_delete::check(&stale).is_some());
}

#[test]
fn overlapping_delete_and_read_are_not_a_lost_delete() {
    let hist = h(
        &[(1, 10)],
        &[
            (0, rem(1), v(Some(10)), 0, Some(3)),
            (1, get(1), v(Some(10)), 1, Some(2)),
        ],
    );
    assert_eq!(lost_delete::check(&hist), None);
}

#[test]
fn two_removes_returning_one_value_break_exactly_once() {
    let hist = h(
        &[(3, 30)],
        &[
            (0, rem(3), v(Some(30)), 0, Some(3)),
            (1, rem(3), v(Some(30)), 1, Some(2)),
        ],
    );
    let f = exactly_once::check(&hist).expect("a double delete");
    assert_eq!(f.oracle, Oracle::ExactlyOnceDelete);
    assert_eq!(f.evidence, vec![0, 1]);
    let twice_put = h(
        &[(3, 30)],
        &[
            (0, rem(3), v(Some(30)), 0, Some(1)),
            (1, ins(3, 30), v(None), 2, Some(3)),
            (1, rem(3), v(Some(30)), 4, Some(5)),
        ],
    );
    assert_eq!(exactly_once::check(&twice_put), None, "put twice, taken twice");
}

#[test]
fn an_overwrite_takes_the_value_out_too() {
    let hist = h(
        &[(3, 30)],
        &[
            (0, ins(3, 31), v(Some(30)), 0, Some(3)),
            (1, rem(3), v(Some(30)), 1, Some(2)),
        ],
    );
    assert!(exactly_once::check(&hist).is_some());
}

#[test]
fn iteration_yielding_a_key_twice_fails() {
    let hist = h(
        &[(1, 10)],
        &[(0, iter_op(), yielded(&[(1, 10), (1, 10)]), 0, Some(1))],
    );
    let f = iteration::check(&hist, WeaklyConsistent).expect("a duplicate");
    assert!(f.summary.contains("twice"), "{}", f.summary);
}

#[test]
fn iteration_skipping_a_key_present_throughout_fails() {
    let hist = h(
        &[(1, 10), (2, 20)],
        &[
            (0, iter_op(), yielded(&[(1, 10)]), 0, Some(5)),
            (1, get(2), v(Some(20)), 1, Some(2)),
        ],
    );
    let f = iteration::check(&hist, WeaklyConsistent).expect("a skipped key");
    assert!(f.summary.contains("skipped key 2"), "{}", f.summary);
}

#[test]
fn iteration_may_skip_a_key_deleted_during_it() {
    let hist = h(
        &[(1, 10), (2, 20)],
        &[
            (0, iter_op(), yielded(&[(1, 10)]), 0, Some(5)),
            (1, rem(2), v(Some(20)), 1, Some(2)),
        ],
    );
    assert_eq!(iteration::check(&hist, WeaklyConsistent), None);
}

#[test]
fn iteration_may_or_may_not_yield_a_key_inserted_during_it() {
    for y in [vec![(1, 10)], vec![(1, 10), (2, 20)]] {
        let hist = h(
            &[(1, 10)],
            &[
                (0, iter_op(), yielded(&y), 0, Some(5)),
                (1, ins(2, 20), v(None), 1, Some(2)),
            ],
        );
        assert_eq!(iteration::check(&hist, WeaklyConsistent), None, "{y:?}");
    }
}

#[test]
fn iteration_yielding_a_value_never_current_fails() {
    let never = h(&[(1, 10)], &[(0, iter_op(), yielded(&[(1, 99)]), 0, Some(1))]);
    assert!(iteration::check(&never, WeaklyConsistent).is_some());
    // A value overwritten before the iteration began cannot be yielded.
    let stale = h(
        &[(1, 10)],
        &[
            (1, ins(1, 11), v(Some(10)), 0, Some(1)),
            (0, iter_op(), yielded(&[(1, 10)]), 2, Some(3)),
        ],
    );
    let f = iteration::check(&stale, WeaklyConsistent).expect("a stale value");
    assert!(f.summary.contains("not the key's value"), "{}", f.summary);
}

#[test]
fn iteration_deleting_what_it_visits_is_fine() {
    let mut hist = h(
        &[(1, 10), (2, 20)],
        &[
            (
                0,
                Op::Iterate {
                    delete: DeleteIf::All,
                },
                yielded(&[(1, 10), (2, 20)]),
                0,
                Some(9),
            ),
            (0, rem(1), v(Some(10)), 1, Some(2)),
            (0, rem(2), v(Some(20)), 3, Some(4)),
        ],
    );
    for e in hist.events.iter_mut().skip(1) {
        e.parent = Some(0);
    }
    let _: &Event = &hist.events[0];
    assert_eq!(iteration::check(&hist, WeaklyConsistent), None);
    assert_eq!(lost_delete::check(&hist), None);
}

/// Sets the visit positions of the history's iteration and makes the events listed in `nested`
/// removes called from it.
fn visited(mut hist: History, visits: &[u64], nested: &[usize]) -> History {
    let it = hist
        .events
        .iter()
        .position(|e| matches!(e.op, Op::Iterate { .. }))
        .expect("an iteration");
    hist.events[it].visits = visits.to_vec();
    for &n in nested {
        hist.events[n].parent = Some(it);
    }
    hist.validate().expect("a well-formed history");
    hist
}

const LEVELS: [IterationGuarantee; 3] = [WeaklyConsistent, WeaklyConsistentSinceStart, Snapshot];

/// The verdict at each level, in the order of `LEVELS`: true when the oracle fires.
fn fires(hist: &History) -> [bool; 3] {
    LEVELS.map(|level| iteration::check(hist, level).is_some())
}

#[test]
fn an_entry_removed_before_the_iteration_reaches_it_is_not_produced() {
    // Key 2 is removed (returning at 2) before the first visit (3); the iteration still produces it
    // at its second visit (5).
    let hist = visited(
        h(
            &[(1, 10), (2, 20)],
            &[
                (0, iter_op(), yielded(&[(1, 10), (2, 20)]), 0, Some(6)),
                (1, rem(2), v(Some(20)), 1, Some(2)),
            ],
        ),
        &[3, 5],
        &[],
    );
    let f = iteration::check(&hist, WeaklyConsistent).expect("a removed entry produced");
    assert!(
        f.summary.contains("yielded 2 = 20, which was not the key's value at any point between the previous visit (3) and its visit (5)"),
        "{}",
        f.summary
    );
    // A copy taken at the start or a snapshot before the first visit may hold it; so may the whole
    // iteration, which is all a record without visit positions can be judged by.
    assert_eq!(fires(&hist), [true, false, false]);
    let mut unvisited = hist.clone();
    unvisited.events[0].visits.clear();
    assert_eq!(fires(&unvisited), [false, false, false]);
}

#[test]
fn an_entry_removed_after_the_previous_visit_may_still_be_produced() {
    // The remove returns at 5, after the previous visit (3): the entry may have been read before it.
    let hist = visited(
        h(
            &[(1, 10), (2, 20)],
            &[
                (0, iter_op(), yielded(&[(1, 10), (2, 20)]), 0, Some(7)),
                (1, rem(2), v(Some(20)), 4, Some(5)),
            ],
        ),
        &[3, 6],
        &[],
    );
    assert_eq!(fires(&hist), [false, false, false]);
}

#[test]
fn the_value_produced_is_the_one_current_when_the_entry_is_visited() {
    let race = |produced: u64| {
        visited(
            h(
                &[(1, 10), (2, 20)],
                &[
                    (0, iter_op(), yielded(&[(1, 10), (2, produced)]), 0, Some(6)),
                    (1, ins(2, 21), v(Some(20)), 1, Some(2)),
                ],
            ),
            &[3, 5],
            &[],
        )
    };
    // The overwrite returned before the first visit: 20 is no longer current at the second.
    assert_eq!(fires(&race(20)), [true, false, false]);
    assert_eq!(fires(&race(21)), [false, false, false]);
    assert_eq!(fires(&race(99)), [true, true, true], "a value the key never held");
}

#[test]
fn a_snapshot_holds_its_values_before_the_first_visit() {
    // 21 is inserted (from 4) only after the first visit (3): a snapshot taken before the visits
    // cannot contain it, a per-visit iteration can.
    let hist = visited(
        h(
            &[(1, 10), (2, 20)],
            &[
                (0, iter_op(), yielded(&[(1, 10), (2, 21)]), 0, Some(7)),
                (1, ins(2, 21), v(Some(20)), 4, Some(5)),
            ],
        ),
        &[3, 6],
        &[],
    );
    assert_eq!(fires(&hist), [false, false, true]);
}

#[test]
fn since_the_start_means_not_before_the_invocation() {
    // Overwritten before the iteration began: no level may produce the old value.
    let hist = visited(
        h(
            &[(1, 10)],
            &[
                (1, ins(1, 11), v(Some(10)), 0, Some(1)),
                (0, iter_op(), yielded(&[(1, 10)]), 2, Some(4)),
            ],
        ),
        &[3],
        &[],
    );
    assert_eq!(fires(&hist), [true, true, true]);
}

/// A correct weakly consistent iteration that deletes what it visits while another thread
/// overwrites a key before its visit, removes one before the iteration reaches it and inserts one
/// during it: every level's rules hold.
#[test]
fn a_weakly_consistent_iteration_racing_deletes_and_inserts_passes() {
    let hist = visited(
        h(
            &[(1, 10), (2, 20), (3, 30), (4, 40)],
            &[
                (
                    0,
                    Op::Iterate {
                        delete: DeleteIf::Even,
                    },
                    yielded(&[(1, 11), (2, 20), (4, 40), (5, 50)]),
                    0,
                    Some(15),
                ),
                (1, ins(1, 11), v(Some(10)), 1, Some(2)),
                (1, rem(3), v(Some(30)), 4, Some(5)),
                (0, rem(2), v(Some(20)), 7, Some(8)),
                (1, ins(5, 50), v(None), 9, Some(12)),
                (0, rem(4), v(Some(40)), 11, Some(13)),
            ],
        ),
        &[3, 6, 10, 14],
        &[3, 5],
    );
    assert_eq!(fires(&hist)[..2], [false, false]);
    assert_eq!(lost_delete::check(&hist), None);
    assert_eq!(lost_delete::check_lost_insert(&hist), None);
    assert_eq!(exactly_once::check(&hist), None);
}

#[test]
fn visit_positions_are_validated() {
    let base = h(
        &[(1, 10), (2, 20)],
        &[
            (0, iter_op(), yielded(&[(1, 10), (2, 20)]), 0, Some(6)),
            (1, get(1), v(Some(10)), 1, Some(2)),
        ],
    );
    let bad = |visits: &[u64]| {
        let mut hist = base.clone();
        hist.events[0].visits = visits.to_vec();
        hist.validate().expect_err("malformed").0
    };
    assert!(
        bad(&[3]).contains("records 1 visits for 2 entries"),
        "{}",
        bad(&[3])
    );
    assert!(
        bad(&[4, 3]).contains("visits at 3, not after 4"),
        "{}",
        bad(&[4, 3])
    );
    assert!(
        bad(&[3, 6]).contains("not after 3 and before its return"),
        "{}",
        bad(&[3, 6])
    );
    assert!(bad(&[2, 4]).contains("reuses position 2"), "{}", bad(&[2, 4]));
    let mut get_visits = base.clone();
    get_visits.events[1].visits = vec![3];
    assert!(get_visits.validate().is_err(), "only an iteration visits");
    let mut ok = base.clone();
    ok.events[0].visits = vec![3, 5];
    ok.validate().expect("well-formed");
}

#[test]
fn records_without_visit_positions_still_load_and_write_none() {
    let json = r#"{"id":0,"thread":0,"op":{"op":"iterate","delete":"nothing"},
        "ret":{"yielded":[[1,10]]},"invoke":0,"ret_at":2,"parent":null}"#;
    let e: Event = serde_json::from_str(json).expect("an event written before visits were recorded");
    assert!(e.visits.is_empty());
    let again = serde_json::to_string(&e).unwrap();
    assert!(!again.contains("visits"), "{again}");
    let with = Event { visits: vec![1], ..e };
    let round: Event = serde_json::from_str(&serde_json::to_string(&with).unwrap()).unwrap();
    assert_eq!(round, with);
}

fn q(after: Footprint) -> Quiescence {
    Quiescence {
        at_end: Footprint {
            capacity: 1024,
            bytes: 16 * 1024,
            ..after
        },
        after_reclaim: after,
    }
}

#[test]
fn reclamation_holds_each_policy() {
    let fp = |live, stale, snapshots, capacity| Footprint {
        live,
        stale,
        snapshots,
        capacity,
        bytes: capacity * 16,
    };
    use ReclamationPolicy::*;
    assert!(reclamation::check(&q(fp(2, 0, 1, 4)), ShrinksWithLive, 0).is_none());
    assert!(reclamation::check(&q(fp(2, 0, 1, 1024)), ShrinksWithLive, 0).is_some());
    assert!(reclamation::check(&q(fp(2, 0, 1, 4)), TombstonesPurgedByGc, 0).is_none());
    assert!(reclamation::check(&q(fp(2, 3, 1, 4)), TombstonesPurgedByGc, 0).is_some());
    assert!(reclamation::check(&q(fp(2, 1, 1, 4)), StalePurgedByPromotion, 0).is_some());
    assert!(reclamation::check(&q(fp(2, 0, 1, 4)), OneSnapshotRetained, 0).is_none());
    assert!(reclamation::check(&q(fp(2, 0, 3, 4)), OneSnapshotRetained, 0).is_some());
    assert!(reclamation::check(&q(fp(0, 0, 1, 0)), RebuiltWhenDrained, 0).is_none());
    assert!(reclamation::check(&q(fp(0, 0, 1, 512)), RebuiltWhenDrained, 0).is_some());
    // A table that keeps one slot per key ever inserted: bounded by the keys, not the live entries.
    let per_key = KeySlotsRetained { factor: 8 };
    assert!(reclamation::check(&q(fp(0, 16, 1, 40)), per_key, 32).is_none());
    assert!(reclamation::check(&q(fp(0, 16, 1, 257)), per_key, 32).is_some());
}

#[test]
fn keys_inserted_counts_initial_and_inserted_keys_once() {
    let hist = h(
        &[(1, 10), (2, 20)],
        &[
            (0, ins(2, 21), v(Some(20)), 0, Some(1)),
            (0, ins(3, 30), v(None), 2, Some(3)),
            (1, ins(3, 31), v(Some(30)), 4, Some(5)),
            (1, ins(4, 40), v(None), 6, Some(7)),
            (1, rem(9), v(None), 8, Some(9)),
        ],
    );
    assert_eq!(
        reclamation::keys_inserted(&hist),
        4,
        "keys 1, 2, 3, 4; a remove puts no key"
    );
}

#[test]
fn never_shrinking_is_reported_as_a_finding_with_figures() {
    let q = q(Footprint {
        live: 0,
        stale: 0,
        snapshots: 1,
        capacity: 1024,
        bytes: 16 * 1024,
    });
    // A finding, not a failure.
    assert!(reclamation::check(&q, ReclamationPolicy::NeverShrinks, 0).is_none());
    let f = reclamation::finding(&q, ReclamationPolicy::NeverShrinks).expect("a finding");
    assert!(f.starts_with("never shrinks"), "{f}");
    assert!(f.contains("retained 1024 slots"), "{f}");
    assert!(f.contains("retained/peak 1.00"), "{f}");
}

#[test]
fn lost_insert_names_the_insert_and_the_miss() {
    let hist = h(
        &[],
        &[
            (0, ins(5, 50), v(None), 0, Some(1)),
            (1, get(5), v(None), 2, Some(3)),
        ],
    );
    let f = lost_delete::check_lost_insert(&hist).expect("a lost insert");
    assert_eq!(f.oracle, Oracle::LostInsert);
    assert_eq!(f.evidence, vec![0, 1]);
    // A remove that may come after the insert explains the miss.
    let removed = h(
        &[],
        &[
            (0, ins(5, 50), v(None), 0, Some(1)),
            (2, rem(5), v(Some(50)), 2, Some(5)),
            (1, get(5), v(None), 3, Some(4)),
        ],
    );
    assert_eq!(lost_delete::check_lost_insert(&removed), None);
    // So does an overwrite, for a different value seen.
    let overwritten = h(
        &[],
        &[
            (0, ins(5, 50), v(None), 0, Some(1)),
            (2, ins(5, 51), v(Some(50)), 2, Some(5)),
            (1, get(5), v(Some(51)), 3, Some(4)),
        ],
    );
    assert_eq!(lost_delete::check_lost_insert(&overwritten), None);
}

#[test]
fn a_non_atomic_len_must_lie_between_the_certain_and_the_possible() {
    let hist = h(
        &[(1, 10), (2, 20)],
        &[
            (0, Op::Len, Some(Ret::Len(2)), 0, Some(5)),
            (1, ins(3, 30), v(None), 1, Some(2)),
        ],
    );
    assert_eq!(iteration::check_len(&hist), None, "2 of the possible 3");
    let too_few = h(
        &[(1, 10), (2, 20)],
        &[(0, Op::Len, Some(Ret::Len(1)), 0, Some(5))],
    );
    assert!(iteration::check_len(&too_few).is_some());
    let too_many = h(&[(1, 10)], &[(0, Op::Len, Some(Ret::Len(2)), 0, Some(5))]);
    assert!(iteration::check_len(&too_many).is_some());
    let during_delete = h(
        &[(1, 10), (2, 20)],
        &[
            (0, Op::Len, Some(Ret::Len(1)), 0, Some(5)),
            (1, rem(2), v(Some(20)), 1, Some(2)),
        ],
    );
    assert_eq!(iteration::check_len(&during_delete), None);
}

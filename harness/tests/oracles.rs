//! The specific oracles on hand-written histories: each must fail its known-bad histories, with the
//! evidence naming the right operations, and pass the known-good ones.

mod common;

use common::*;
use mapcheck_harness::history::{Event, Op, Quiescence, Ret};
use mapcheck_harness::oracle::{exactly_once, iteration, lost_delete, reclamation};
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
    let f = iteration::check(&hist).expect("a duplicate");
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
    let f = iteration::check(&hist).expect("a skipped key");
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
    assert_eq!(iteration::check(&hist), None);
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
        assert_eq!(iteration::check(&hist), None, "{y:?}");
    }
}

#[test]
fn iteration_yielding_a_value_never_current_fails() {
    let never = h(&[(1, 10)], &[(0, iter_op(), yielded(&[(1, 99)]), 0, Some(1))]);
    assert!(iteration::check(&never).is_some());
    // A value overwritten before the iteration began cannot be yielded.
    let stale = h(
        &[(1, 10)],
        &[
            (1, ins(1, 11), v(Some(10)), 0, Some(1)),
            (0, iter_op(), yielded(&[(1, 10)]), 2, Some(3)),
        ],
    );
    let f = iteration::check(&stale).expect("a stale value");
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
    assert_eq!(iteration::check(&hist), None);
    assert_eq!(lost_delete::check(&hist), None);
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
    assert!(reclamation::check(&q(fp(2, 0, 1, 4)), ShrinksWithLive).is_none());
    assert!(reclamation::check(&q(fp(2, 0, 1, 1024)), ShrinksWithLive).is_some());
    assert!(reclamation::check(&q(fp(2, 0, 1, 4)), TombstonesPurgedByGc).is_none());
    assert!(reclamation::check(&q(fp(2, 3, 1, 4)), TombstonesPurgedByGc).is_some());
    assert!(reclamation::check(&q(fp(2, 1, 1, 4)), StalePurgedByPromotion).is_some());
    assert!(reclamation::check(&q(fp(2, 0, 1, 4)), OneSnapshotRetained).is_none());
    assert!(reclamation::check(&q(fp(2, 0, 3, 4)), OneSnapshotRetained).is_some());
    assert!(reclamation::check(&q(fp(0, 0, 1, 0)), RebuiltWhenDrained).is_none());
    assert!(reclamation::check(&q(fp(0, 0, 1, 512)), RebuiltWhenDrained).is_some());
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
    assert!(reclamation::check(&q, ReclamationPolicy::NeverShrinks).is_none());
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

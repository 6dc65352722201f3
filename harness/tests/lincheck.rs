//! The linearizability checker on hand-written histories: known-good ones must pass, known-bad ones
//! must fail with a witness, a hard one must need backtracking, and a tiny budget gives unknown.

use crate::common;

use common::*;
use mapcheck_harness::history::{History, Op, Ret};
use mapcheck_harness::lincheck::{check, LinOptions, LinVerdict, Partition};

fn verdict(hist: &History) -> LinVerdict {
    check(hist, LinOptions::default()).expect("well-formed")
}

#[test]
fn sequential_history_is_linearizable() {
    let hist = h(
        &[],
        &[
            (0, ins(1, 10), v(None), 0, Some(1)),
            (0, get(1), v(Some(10)), 2, Some(3)),
            (1, rem(1), v(Some(10)), 4, Some(5)),
            (1, get(1), v(None), 6, Some(7)),
        ],
    );
    assert_eq!(verdict(&hist), LinVerdict::Ok);
}

/// The textbook register anomaly: a read that returns the new value, followed by a read that returns
/// the old one, while a write overlaps both (a new-old inversion).
#[test]
fn new_old_inversion_is_not_linearizable() {
    let hist = h(
        &[(1, 0)],
        &[
            (0, ins(1, 1), v(Some(0)), 0, Some(10)),
            (1, get(1), v(Some(1)), 1, Some(2)),
            (1, get(1), v(Some(0)), 3, Some(4)),
        ],
    );
    match verdict(&hist) {
        LinVerdict::Violation(w) => {
            assert_eq!(w.partition, Partition::Key(1));
            assert!(w.stuck.contains(&2), "the stale read is stuck: {w:?}");
            assert_eq!(w.witness, vec![0, 1, 2], "all three operations are needed");
        }
        other => panic!("expected a violation, got {other:?}"),
    }
}

/// A lost delete: the remove completed, then a get that starts after it sees the value again with
/// no insert to explain it.
#[test]
fn lost_delete_is_not_linearizable() {
    let hist = h(
        &[(7, 70)],
        &[
            (0, rem(7), v(Some(70)), 0, Some(1)),
            (1, get(7), v(Some(70)), 2, Some(3)),
        ],
    );
    assert!(matches!(verdict(&hist), LinVerdict::Violation(_)));
}

/// Two removes of one insert both return its value: not linearizable.
#[test]
fn double_delete_is_not_linearizable() {
    let hist = h(
        &[(3, 30)],
        &[
            (0, rem(3), v(Some(30)), 0, Some(3)),
            (1, rem(3), v(Some(30)), 1, Some(2)),
        ],
    );
    assert!(matches!(verdict(&hist), LinVerdict::Violation(_)));
}

/// Overlapping operations whose only valid order is not the invocation order: the first candidate the
/// search tries (the earliest invocation) leads to a dead end, so it must backtrack.
#[test]
fn history_that_needs_backtracking_is_linearizable() {
    let hist = h(
        &[],
        &[
            (0, ins(1, 1), v(Some(2)), 0, Some(10)),
            (1, ins(1, 2), v(None), 1, Some(11)),
            (2, get(1), v(Some(1)), 12, Some(13)),
        ],
    );
    assert_eq!(verdict(&hist), LinVerdict::Ok);
}

/// A whole-map operation forces the whole-history search: len must match some instant.
#[test]
fn len_is_checked_against_the_whole_map() {
    let good = h(
        &[(1, 1)],
        &[
            (0, ins(2, 2), v(None), 0, Some(3)),
            (1, Op::Len, Some(Ret::Len(2)), 1, Some(2)),
        ],
    );
    assert_eq!(verdict(&good), LinVerdict::Ok);
    let bad = h(
        &[(1, 1)],
        &[
            (0, ins(2, 2), v(None), 0, Some(1)),
            (1, Op::Len, Some(Ret::Len(1)), 2, Some(3)),
        ],
    );
    match verdict(&bad) {
        LinVerdict::Violation(w) => assert_eq!(w.partition, Partition::Whole),
        other => panic!("expected a violation, got {other:?}"),
    }
}

/// A snapshot iteration must yield the map at one instant.
#[test]
fn snapshot_iteration_is_checked() {
    let good = h(
        &[(1, 1), (2, 2)],
        &[(
            0,
            Op::Iterate {
                delete: mapcheck_harness::DeleteIf::Nothing,
            },
            Some(Ret::Yielded(vec![(2, 2), (1, 1)])),
            0,
            Some(1),
        )],
    );
    assert_eq!(verdict(&good), LinVerdict::Ok);
    let skipped = h(
        &[(1, 1), (2, 2)],
        &[(
            0,
            Op::Iterate {
                delete: mapcheck_harness::DeleteIf::Nothing,
            },
            Some(Ret::Yielded(vec![(1, 1)])),
            0,
            Some(1),
        )],
    );
    assert!(matches!(verdict(&skipped), LinVerdict::Violation(_)));
}

/// A pending operation (its thread never returned) may or may not have taken effect.
#[test]
fn pending_operations_are_optional() {
    let took_effect = h(
        &[],
        &[(0, ins(1, 1), None, 0, None), (1, get(1), v(Some(1)), 1, Some(2))],
    );
    assert_eq!(verdict(&took_effect), LinVerdict::Ok);
    let did_not = h(
        &[],
        &[(0, ins(1, 1), None, 0, None), (1, get(1), v(None), 1, Some(2))],
    );
    assert_eq!(verdict(&did_not), LinVerdict::Ok);
}

/// Many fully overlapping writes that each found the key absent, and a read of one of them: only
/// one of those writes can go first, and nothing but a search finds that out (no value is read
/// before it is written or after it is replaced). With a budget of a few steps the search cannot
/// finish, and says unknown rather than ok.
#[test]
fn exhausted_budget_is_unknown_not_ok() {
    let mut rows: Vec<_> = (0..12)
        .map(|t| (t, ins(1, t as u64 + 100), v(None), t as u64, Some(100 + t as u64)))
        .collect();
    rows.push((12, get(1), v(Some(100)), 200, Some(201)));
    let hist = h(&[], &rows);
    let opts = LinOptions {
        max_steps: 5,
        ..LinOptions::default()
    };
    assert!(matches!(check(&hist, opts).unwrap(), LinVerdict::Unknown { .. }));
    assert!(
        matches!(verdict(&hist), LinVerdict::Violation(_)),
        "decided with the default budget"
    );
}

#[test]
fn malformed_histories_are_errors() {
    let mut hist = h(&[], &[(0, ins(1, 1), v(None), 5, Some(3))]);
    assert!(
        check(&hist, LinOptions::default()).is_err(),
        "return before invoke"
    );
    hist = h(
        &[],
        &[
            (0, ins(1, 1), v(None), 0, Some(3)),
            (0, get(1), v(Some(1)), 1, Some(2)),
        ],
    );
    assert!(
        check(&hist, LinOptions::default()).is_err(),
        "one thread, two overlapping operations"
    );
}

/// A clear that is not atomic (sharded) is judged per key: each key goes at some point in the call.
#[test]
fn non_atomic_clear_is_judged_per_key() {
    let hist = h(
        &[(1, 1), (2, 2)],
        &[
            (0, Op::Clear, Some(Ret::Unit), 0, Some(10)),
            (1, get(1), v(None), 1, Some(2)),
            (1, get(2), v(Some(2)), 3, Some(4)),
        ],
    );
    let opts = LinOptions {
        atomic_whole_map: false,
        ..LinOptions::default()
    };
    assert_eq!(check(&hist, opts).unwrap(), LinVerdict::Ok);
    assert!(
        matches!(verdict(&hist), LinVerdict::Violation(_)),
        "an atomic clear cannot explain it"
    );
}

/// A clear that is not atomic may take a key out again that was put back while it ran: three
/// get-or-inserts that each found the key absent, all during one clear (a table walked once meets
/// the key again where the next insert placed it). Per key that is two removals by the clear, which
/// it may make; a clear that removes the key at one point only cannot explain it.
#[test]
fn non_atomic_clear_may_take_a_key_out_again() {
    let per_key = LinOptions {
        atomic_whole_map: false,
        ..LinOptions::default()
    };
    let goi = |value| Op::GetOrInsert { key: 1, value };
    let hist = h(
        &[],
        &[
            (0, Op::Clear, Some(Ret::Unit), 0, Some(20)),
            (1, goi(1), v(None), 1, Some(2)),
            (1, goi(2), v(None), 3, Some(4)),
            (1, goi(3), v(None), 5, Some(6)),
            (1, get(1), v(Some(3)), 21, Some(22)),
        ],
    );
    assert_eq!(check(&hist, per_key).unwrap(), LinVerdict::Ok);
    assert!(
        matches!(verdict(&hist), LinVerdict::Violation(_)),
        "an atomic clear cannot explain it"
    );
    // Known-bad, per key all the same: the clear leaves the key that was there when it began, with
    // nothing to put it back; and a get-or-insert after the clear returned that finds the key
    // absent although the one before it, also after the clear, put it there.
    let skipped = h(
        &[(1, 5)],
        &[
            (0, Op::Clear, Some(Ret::Unit), 0, Some(10)),
            (1, get(1), v(Some(5)), 11, Some(12)),
        ],
    );
    assert!(matches!(
        check(&skipped, per_key).unwrap(),
        LinVerdict::Violation(_)
    ));
    let after = h(
        &[],
        &[
            (0, Op::Clear, Some(Ret::Unit), 0, Some(10)),
            (1, goi(1), v(None), 1, Some(2)),
            (1, goi(2), v(None), 11, Some(12)),
            (1, goi(3), v(None), 13, Some(14)),
        ],
    );
    match check(&after, per_key).unwrap() {
        LinVerdict::Violation(w) => assert!(w.stuck.contains(&3), "the third get-or-insert: {w:?}"),
        other => panic!("expected a violation, got {other:?}"),
    }
}

/// Operations that play no part in a violation are left out of its witness.
#[test]
fn witness_is_minimal() {
    let hist = h(
        &[(1, 0)],
        &[
            (0, ins(1, 1), v(Some(0)), 0, Some(20)),
            (2, get(1), v(Some(0)), 1, Some(2)),
            (1, get(1), v(Some(1)), 3, Some(4)),
            (2, get(1), v(Some(1)), 5, Some(6)),
            (1, get(1), v(Some(0)), 7, Some(8)),
        ],
    );
    match verdict(&hist) {
        LinVerdict::Violation(w) => assert_eq!(w.witness.len(), 3, "{w:?}"),
        other => panic!("expected a violation, got {other:?}"),
    }
}

/// The benchmark's generator: about `threads` operations really open at once, linearizable as
/// generated, and a violation wherever one is placed; the checker decides every one of them.
#[test]
fn generated_histories_overlap_and_are_judged_right() {
    use mapcheck_harness::lincheck::generate::{generate, Placement, Shape};
    for (threads, keys, whole_map_permille) in [(8, 1, 0), (4, 16, 0), (6, 8, 60)] {
        for violation in [
            None,
            Some(Placement::Early),
            Some(Placement::Middle),
            Some(Placement::Late),
        ] {
            let shape = Shape {
                ops: 3_000,
                threads,
                keys,
                whole_map_permille,
                violation,
            };
            let g = generate(&shape, 11);
            g.history.validate().expect("well-formed");
            assert_eq!(g.history.events.len(), 3_000);
            assert!(
                g.overlap.mean > 0.8 * threads as f64 && g.overlap.max == threads,
                "{shape:?}: {:?}",
                g.overlap
            );
            let whole = g.history.events.iter().filter(|e| e.op.key().is_none()).count();
            assert_eq!(whole > 0, whole_map_permille > 0, "{shape:?}");
            assert_eq!(g.corrupted.is_some(), violation.is_some(), "{shape:?}");
            if let (Some(at), Some(Placement::Late)) = (g.corrupted, violation) {
                assert!(at > 2_700, "a late violation at event {at}");
            }
            let v = check(&g.history, LinOptions::default()).expect("well-formed");
            match (violation, v) {
                (None, LinVerdict::Ok) | (Some(_), LinVerdict::Violation(_)) => {}
                (_, other) => panic!("{shape:?}: {other:?}"),
            }
        }
    }
}

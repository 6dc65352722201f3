//! The one-key checker's pruning by value groups (`lincheck/groups.rs`) on hand-written histories:
//! the entry gate lets the right group go first, a violation shows where the groups cannot be
//! ordered, pending and unobserved writes are judged as before, and a one-key history with 64
//! threads is decided either way.

use crate::common;

use common::*;
use mapcheck_harness::history::{History, Op, Ret};
use mapcheck_harness::lincheck::{check, LinOptions, LinVerdict, Partition};

fn verdict(hist: &History) -> LinVerdict {
    check(hist, LinOptions::default()).expect("well-formed")
}

fn is_violation(v: &LinVerdict) -> bool {
    matches!(v, LinVerdict::Violation(w) if w.partition == Partition::Key(1))
}

/// Two inserts that found the key absent overlap; the second one's group must come first, because
/// one of its reads returned before the first group's read was invoked. The search tries threads in
/// order, so the gate has to hold the first insert back, not refuse the history.
#[test]
fn the_group_that_must_come_first_goes_first() {
    let hist = h(
        &[],
        &[
            (0, ins(1, 10), v(None), 0, Some(20)),
            (1, ins(1, 20), v(None), 1, Some(21)),
            (2, get(1), v(Some(20)), 2, Some(3)),
            (3, rem(1), v(Some(20)), 4, Some(22)),
            (4, get(1), v(Some(10)), 23, Some(24)),
        ],
    );
    assert_eq!(verdict(&hist), LinVerdict::Ok);
}

/// Group {10} has a read that returned before group {20} began and one invoked after group {20}'s
/// read returned: each group must come before the other. No value is read after the write that
/// replaced it returned, so only the order of the groups shows it.
#[test]
fn groups_that_must_each_come_first_are_a_violation() {
    let hist = h(
        &[],
        &[
            (0, ins(1, 10), v(None), 0, Some(1)),
            (1, rem(1), v(Some(10)), 2, Some(20)),
            (2, ins(1, 20), v(None), 3, Some(4)),
            (2, get(1), v(Some(20)), 5, Some(6)),
            (3, get(1), v(Some(10)), 7, Some(8)),
        ],
    );
    assert!(is_violation(&verdict(&hist)));
    // With the late read of 10 gone, group {10} ends (the remove) before group {20} begins.
    let fine = h(
        &[],
        &hist.events[..4]
            .iter()
            .map(|e| (e.thread, e.op, e.ret.clone(), e.invoke, e.ret_at))
            .collect::<Vec<_>>(),
    );
    assert_eq!(verdict(&fine), LinVerdict::Ok);
}

/// A read of a value before its only write was invoked, and a read after the write that replaced
/// it returned.
#[test]
fn a_value_read_outside_its_lifetime_is_a_violation() {
    let early = h(
        &[],
        &[
            (0, get(1), v(Some(10)), 0, Some(1)),
            (1, ins(1, 10), v(None), 2, Some(3)),
        ],
    );
    assert!(is_violation(&verdict(&early)));
    let stale = h(
        &[],
        &[
            (0, ins(1, 10), Some(Ret::Unobserved), 0, Some(1)),
            (1, get(1), v(Some(10)), 2, Some(3)),
            (1, rem(1), v(Some(10)), 4, Some(5)),
            (2, get(1), v(Some(10)), 6, Some(7)),
        ],
    );
    assert!(is_violation(&verdict(&stale)));
    // The same without the stale read is fine.
    let fine = h(
        &[],
        &[
            (0, ins(1, 10), Some(Ret::Unobserved), 0, Some(1)),
            (1, get(1), v(Some(10)), 2, Some(3)),
            (1, rem(1), v(Some(10)), 4, Some(5)),
            (2, get(1), v(None), 6, Some(7)),
        ],
    );
    assert_eq!(verdict(&fine), LinVerdict::Ok);
}

/// Writes whose results say nothing: a pending remove may end a group at any point (here it must
/// have, for the read of absent), a clear that is not atomic may too, and a pending insert may
/// start one. None of it is refused.
#[test]
fn pending_and_unobserved_writes_are_judged_as_before() {
    let hist = h(
        &[(1, 5)],
        &[
            (0, ins(1, 10), v(Some(5)), 0, Some(3)),
            (1, rem(1), None, 1, None),
            (2, get(1), v(None), 4, Some(5)),
            (2, ins(1, 20), v(None), 6, Some(7)),
            (3, get(1), v(Some(20)), 8, Some(9)),
            (3, ins(1, 30), None, 10, None),
            (2, get(1), v(Some(30)), 11, Some(12)),
            (4, Op::Clear, Some(Ret::Unit), 13, Some(16)),
            (2, get(1), v(None), 17, Some(18)),
        ],
    );
    let per_key = LinOptions {
        atomic_whole_map: false,
        ..LinOptions::default()
    };
    assert_eq!(check(&hist, per_key).unwrap(), LinVerdict::Ok);
    // A read of 30 that returned before the pending insert of 30 was invoked cannot be explained.
    let early = h(
        &[(1, 5)],
        &[
            (0, ins(1, 10), v(Some(5)), 0, Some(3)),
            (1, rem(1), None, 1, None),
            (2, get(1), v(None), 4, Some(5)),
            (2, ins(1, 20), v(None), 6, Some(7)),
            (3, get(1), v(Some(30)), 8, Some(9)),
            (3, ins(1, 30), None, 10, None),
        ],
    );
    assert!(is_violation(&check(&early, per_key).unwrap()));
}

/// Every thread on one key (about 60 operations open at once): the linearizable history and a late
/// violation are both decided with the default budget, and the violation's prefix reaches the
/// corrupted read.
#[test]
fn one_key_with_64_threads_is_decided() {
    use mapcheck_harness::lincheck::generate::{generate, Placement, Shape};
    for violation in [None, Some(Placement::Late)] {
        let shape = Shape {
            ops: 20_000,
            threads: 64,
            keys: 1,
            whole_map_permille: 0,
            violation,
        };
        let g = generate(&shape, 23);
        assert!(g.overlap.mean > 50.0, "{:?}", g.overlap);
        match (check(&g.history, LinOptions::default()).unwrap(), g.corrupted) {
            (LinVerdict::Ok, None) => {}
            (LinVerdict::Violation(w), Some(at)) => {
                assert!(
                    w.longest_prefix.len() > at - 100,
                    "prefix of {} for a read at {at}",
                    w.longest_prefix.len()
                );
                assert!(!w.stuck.is_empty());
            }
            (other, _) => panic!("{violation:?}: {other:?}"),
        }
    }
}

//! The reclamation oracle beyond the declared bounds: the findings of the policies that declare
//! none, and the live entries it counts itself from the history.

use crate::common;

use common::*;
use mapcheck_harness::history::{Op, Quiescence};
use mapcheck_harness::oracle::{iteration, reclamation};
use mapcheck_harness::{DeleteIf, Footprint, IterationGuarantee, Oracle, ReclamationPolicy};

fn fp(live: usize, stale: usize) -> Footprint {
    Footprint {
        live,
        stale,
        snapshots: 1,
        capacity: live + stale,
        bytes: 16 * (live + stale),
    }
}

fn quiet(at_end: Footprint, after_reclaim: Footprint) -> Quiescence {
    Quiescence {
        at_end,
        after_reclaim,
    }
}

#[test]
fn stale_entries_kept_by_declaration_are_a_finding_not_a_failure() {
    let q = quiet(fp(2, 3), fp(2, 3));
    assert!(reclamation::check(&q, ReclamationPolicy::StaleRetained, 0).is_none());
    let f = reclamation::finding(&q, ReclamationPolicy::StaleRetained).expect("a finding");
    assert!(
        f.contains("3 deleted entries are still held beside 2 live ones"),
        "{f}"
    );
    // Nothing held: nothing to report.
    assert!(reclamation::finding(&quiet(fp(2, 0), fp(2, 0)), ReclamationPolicy::StaleRetained).is_none());
    // A policy with a bound has no finding: it is judged.
    assert!(reclamation::finding(&q, ReclamationPolicy::TombstonesPurgedByGc).is_none());
    assert!(reclamation::check(&q, ReclamationPolicy::TombstonesPurgedByGc, 0).is_some());
}

#[test]
fn live_bounds_follow_the_last_writes_of_each_key() {
    // Key 1: inserted, then removed after the insert returned: absent. Key 2: a remove and an insert
    // that overlap: either. Key 3: initial and untouched: present. Key 4: inserted: present.
    let hist = h(
        &[(1, 10), (3, 30)],
        &[
            (0, ins(1, 11), v(Some(10)), 0, Some(1)),
            (0, rem(1), v(Some(11)), 2, Some(3)),
            (1, ins(2, 20), v(None), 4, Some(7)),
            (0, rem(2), v(None), 5, Some(6)),
            (1, ins(4, 40), v(None), 8, Some(9)),
        ],
    );
    assert_eq!(reclamation::live_bounds(&hist), (2, 3));
}

#[test]
fn a_clear_that_precedes_an_insert_leaves_the_insert() {
    let hist = h(
        &[(1, 10), (2, 20)],
        &[
            (0, Op::Clear, Some(mapcheck_harness::Ret::Unit), 0, Some(1)),
            (1, ins(2, 21), v(None), 2, Some(3)),
        ],
    );
    assert_eq!(reclamation::live_bounds(&hist), (1, 1));
}

#[test]
fn live_entries_that_drift_from_the_history_are_a_lost_write() {
    let mut hist = h(&[(1, 10), (2, 20)], &[(0, rem(1), v(Some(10)), 0, Some(1))]);
    hist.quiescence = Some(quiet(fp(1, 1), fp(1, 0)));
    assert!(reclamation::check_live(&hist, hist.quiescence.as_ref().unwrap()).is_none());
    // A counter that forgot the delete: two live entries where the history leaves one.
    let q = quiet(fp(2, 0), fp(2, 0));
    let f = reclamation::check_live(&hist, &q).expect("a drift");
    assert_eq!(f.oracle, Oracle::LostDelete);
    assert!(
        f.summary
            .contains("holds 2 live entries, but the history leaves 1 keys"),
        "{}",
        f.summary
    );
    // An entry gone that the history leaves present: a lost insert.
    let f = reclamation::check_live(&hist, &quiet(fp(0, 0), fp(0, 0))).expect("a loss");
    assert_eq!(f.oracle, Oracle::LostInsert);
}

#[test]
fn a_key_deleted_and_recreated_during_an_iteration_may_be_yielded_twice() {
    let it = Op::Iterate {
        delete: DeleteIf::Nothing,
    };
    let yielded = Some(mapcheck_harness::Ret::Yielded(vec![(1, 10), (1, 11)]));
    let hist = h(
        &[(1, 10)],
        &[
            (0, it, yielded.clone(), 0, Some(10)),
            (1, rem(1), v(Some(10)), 2, Some(3)),
            (1, ins(1, 11), v(None), 4, Some(5)),
        ],
    );
    assert!(
        iteration::check(&hist, IterationGuarantee::WeaklyConsistent).is_none(),
        "two entries of one key"
    );
    // A snapshot holds one entry per key: the same history is a failure there.
    assert!(iteration::check(&hist, IterationGuarantee::Snapshot).is_some());
    // Without the delete in between, it is one entry yielded twice.
    let hist = h(
        &[(1, 10)],
        &[
            (0, it, yielded, 0, Some(10)),
            (1, ins(1, 11), v(Some(10)), 4, Some(5)),
        ],
    );
    assert!(iteration::check(&hist, IterationGuarantee::WeaklyConsistent).is_some());
}

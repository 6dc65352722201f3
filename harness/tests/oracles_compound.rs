//! Every oracle that judges a compound operation (get-or-insert, compare-and-swap,
//! compare-and-delete, remove-if, update, retain), on hand-written histories: each fails its
//! known-bad histories with the evidence naming the right operations, and passes the known-good
//! ones, where a conditional write is read by its result and one whose result is not known may
//! explain what another operation saw but is never relied on.

use crate::common;

use common::*;
use mapcheck_harness::history::{Op, Quiescence, Ret, ValueIf};
use mapcheck_harness::lincheck::{check, LinOptions, LinVerdict};
use mapcheck_harness::oracle::{exactly_once, iteration, lost_delete, reclamation};
use mapcheck_harness::IterationGuarantee::WeaklyConsistent;
use mapcheck_harness::{Footprint, Oracle};

fn goi(key: u64, value: u64) -> Op {
    Op::GetOrInsert { key, value }
}
fn cas(key: u64, old: u64, new: u64) -> Op {
    Op::CompareAndSwap { key, old, new }
}
fn cad(key: u64, old: u64) -> Op {
    Op::CompareAndDelete { key, old }
}
fn remove_if(key: u64, delete: ValueIf) -> Op {
    Op::RemoveIf { key, delete }
}
fn update(key: u64, add: u64, insert: Option<u64>) -> Op {
    Op::Update { key, add, insert }
}
fn retain(delete: ValueIf) -> Op {
    Op::Retain { delete }
}
fn b(x: bool) -> Option<Ret> {
    Some(Ret::Bool(x))
}
fn yielded(kv: &[(u64, u64)]) -> Option<Ret> {
    Some(Ret::Yielded(kv.to_vec()))
}

#[test]
fn two_compare_and_deletes_of_one_put_break_exactly_once() {
    let hist = h(
        &[(1, 10)],
        &[
            (0, cad(1, 10), b(true), 0, Some(3)),
            (1, cad(1, 10), b(true), 1, Some(2)),
        ],
    );
    let f = exactly_once::check(&hist).expect("a double delete");
    assert_eq!(f.oracle, Oracle::ExactlyOnceDelete);
    assert_eq!(f.evidence, vec![0, 1]);
    assert!(f.summary.contains("compare_and_delete(1, 10)"), "{}", f.summary);
    // One of them failed: one take.
    let good = h(
        &[(1, 10)],
        &[
            (0, cad(1, 10), b(true), 0, Some(3)),
            (1, cad(1, 10), b(false), 1, Some(2)),
        ],
    );
    assert_eq!(exactly_once::check(&good), None);
}

#[test]
fn every_conditional_take_counts_once() {
    // A compare-and-swap replaced 10, and a remove returned it too.
    let swapped = h(
        &[(1, 10)],
        &[
            (0, cas(1, 10, 11), b(true), 0, Some(3)),
            (1, rem(1), v(Some(10)), 1, Some(2)),
        ],
    );
    assert_eq!(
        exactly_once::check(&swapped).map(|f| f.evidence),
        Some(vec![0, 1])
    );
    // An update replaced 10, and a remove-if removed it too.
    let updated = h(
        &[(1, 10)],
        &[
            (0, update(1, 1, None), v(Some(10)), 0, Some(3)),
            (1, remove_if(1, ValueIf::All), v(Some(10)), 1, Some(2)),
        ],
    );
    assert!(exactly_once::check(&updated).is_some());
    // A retain removed 10, and a compare-and-delete too.
    let retained = h(
        &[(1, 10), (2, 21)],
        &[
            (0, retain(ValueIf::Even), yielded(&[(1, 10), (2, 21)]), 0, Some(3)),
            (1, cad(1, 10), b(true), 1, Some(2)),
        ],
    );
    let f = exactly_once::check(&retained).expect("a double take");
    assert!(f.summary.contains("retain(delete: even)"), "{}", f.summary);
    // The retain kept 21 (odd): taking it out once more is fine.
    let kept = h(
        &[(2, 21)],
        &[
            (0, retain(ValueIf::Even), yielded(&[(2, 21)]), 0, Some(1)),
            (1, rem(2), v(Some(21)), 2, Some(3)),
        ],
    );
    assert_eq!(exactly_once::check(&kept), None);
}

#[test]
fn a_conditional_put_is_a_put_when_its_result_says_so_or_is_not_known() {
    // get-or-insert inserted 10 (none back), compare-and-delete took it, get-or-insert put it again,
    // a remove took it again: two puts, two takes.
    let good = h(
        &[],
        &[
            (0, goi(1, 10), v(None), 0, Some(1)),
            (0, cad(1, 10), b(true), 2, Some(3)),
            (1, goi(1, 10), v(None), 4, Some(5)),
            (1, rem(1), v(Some(10)), 6, Some(7)),
        ],
    );
    assert_eq!(exactly_once::check(&good), None);
    // The second get-or-insert found 10 there: it put nothing, so 10 was taken twice for one put.
    let found = h(
        &[],
        &[
            (0, goi(1, 10), v(None), 0, Some(1)),
            (0, cad(1, 10), b(true), 2, Some(3)),
            (1, goi(1, 10), v(Some(10)), 4, Some(5)),
            (1, rem(1), v(Some(10)), 6, Some(7)),
        ],
    );
    assert!(exactly_once::check(&found).is_some());
    // A pending get-or-insert may have put it.
    let pending = h(
        &[],
        &[
            (0, goi(1, 10), v(None), 0, Some(1)),
            (0, cad(1, 10), b(true), 2, Some(3)),
            (1, goi(1, 10), None, 4, None),
            (2, rem(1), v(Some(10)), 6, Some(7)),
        ],
    );
    assert_eq!(exactly_once::check(&pending), None);
}

#[test]
fn a_compare_and_delete_that_deleted_then_the_old_value_seen_is_a_lost_delete() {
    let hist = h(
        &[(1, 10)],
        &[
            (0, cad(1, 10), b(true), 0, Some(1)),
            (1, get(1), v(Some(10)), 2, Some(3)),
        ],
    );
    let f = lost_delete::check(&hist).expect("a lost delete");
    assert_eq!(f.oracle, Oracle::LostDelete);
    assert_eq!(f.evidence, vec![0, 1]);
    assert!(
        f.summary.contains("compare_and_delete(1, 10) returned true"),
        "{}",
        f.summary
    );
    // One that failed deleted nothing.
    let failed = h(
        &[(1, 10)],
        &[
            (0, cad(1, 11), b(false), 0, Some(1)),
            (1, get(1), v(Some(10)), 2, Some(3)),
        ],
    );
    assert_eq!(lost_delete::check(&failed), None);
    // A remove-if that removed, then the value seen by a get-or-insert that found it.
    let removed = h(
        &[(1, 10)],
        &[
            (0, remove_if(1, ValueIf::Is(10)), v(Some(10)), 0, Some(1)),
            (1, goi(1, 12), v(Some(10)), 2, Some(3)),
        ],
    );
    assert!(lost_delete::check(&removed).is_some());
}

#[test]
fn a_retain_that_removed_a_key_is_a_delete_and_a_conditional_write_may_explain_it() {
    let hist = h(
        &[(1, 10)],
        &[
            (0, retain(ValueIf::Even), yielded(&[(1, 10)]), 0, Some(1)),
            (1, get(1), v(Some(10)), 2, Some(3)),
        ],
    );
    let f = lost_delete::check(&hist).expect("a lost delete");
    assert!(
        f.summary.contains("retain(delete: even) removed key 1"),
        "{}",
        f.summary
    );
    // A get-or-insert overlapping both that inserted 10 explains it.
    let reinserted = h(
        &[(1, 10)],
        &[
            (0, retain(ValueIf::Even), yielded(&[(1, 10)]), 0, Some(2)),
            (2, goi(1, 10), v(None), 1, Some(5)),
            (1, get(1), v(Some(10)), 3, Some(4)),
        ],
    );
    assert_eq!(lost_delete::check(&reinserted), None);
    // So does a compare-and-swap whose result is not known (pending).
    let pending = h(
        &[(1, 9)],
        &[
            (2, cas(1, 9, 10), None, 0, None),
            (0, retain(ValueIf::Even), yielded(&[(1, 10)]), 1, Some(2)),
            (1, get(1), v(Some(10)), 3, Some(4)),
        ],
    );
    assert_eq!(lost_delete::check(&pending), None);
    // But not one that said it failed.
    let failed = h(
        &[(1, 9)],
        &[
            (0, retain(ValueIf::Even), yielded(&[(1, 10)]), 1, Some(2)),
            (2, cas(1, 9, 10), b(false), 0, Some(5)),
            (1, get(1), v(Some(10)), 3, Some(4)),
        ],
    );
    assert!(lost_delete::check(&failed).is_some());
}

#[test]
fn a_get_or_insert_that_inserted_then_the_key_seen_absent_is_a_lost_insert() {
    let hist = h(
        &[],
        &[
            (0, goi(5, 50), v(None), 0, Some(1)),
            (1, get(5), v(None), 2, Some(3)),
        ],
    );
    let f = lost_delete::check_lost_insert(&hist).expect("a lost insert");
    assert_eq!(f.oracle, Oracle::LostInsert);
    assert_eq!(f.evidence, vec![0, 1]);
    assert!(
        f.summary.contains("get_or_insert(5, 50) completed"),
        "{}",
        f.summary
    );
    // One that found a value inserted nothing.
    let found = h(
        &[(5, 49)],
        &[
            (0, goi(5, 50), v(Some(49)), 0, Some(1)),
            (1, get(5), v(Some(49)), 2, Some(3)),
        ],
    );
    assert_eq!(lost_delete::check_lost_insert(&found), None);
    // A compare-and-delete overlapping the read explains the miss.
    let deleted = h(
        &[],
        &[
            (0, goi(5, 50), v(None), 0, Some(1)),
            (2, cad(5, 50), None, 2, None),
            (1, get(5), v(None), 3, Some(4)),
        ],
    );
    assert_eq!(lost_delete::check_lost_insert(&deleted), None);
}

#[test]
fn a_swap_or_update_then_the_old_value_seen_is_a_lost_insert() {
    let swapped = h(
        &[(5, 50)],
        &[
            (0, cas(5, 50, 51), b(true), 0, Some(1)),
            (1, get(5), v(Some(50)), 2, Some(3)),
        ],
    );
    let f = lost_delete::check_lost_insert(&swapped).expect("a lost swap");
    assert!(f.summary.contains("compare_and_swap(5, 50, 51)"), "{}", f.summary);
    let updated = h(
        &[(5, 50)],
        &[
            (0, update(5, 1, None), v(Some(50)), 0, Some(1)),
            (1, get(5), v(Some(50)), 2, Some(3)),
        ],
    );
    assert!(lost_delete::check_lost_insert(&updated).is_some());
    // A compare-and-swap that fails on the value just written saw it missing.
    let missed = h(
        &[],
        &[
            (0, ins(5, 50), v(None), 0, Some(1)),
            (1, cas(5, 50, 52), b(false), 2, Some(3)),
        ],
    );
    let f = lost_delete::check_lost_insert(&missed).expect("a failed swap on a certain value");
    assert!(f.summary.contains("not holding 50"), "{}", f.summary);
    // An update overlapping it explains that: it may have changed 50 to 51 first.
    let raced = h(
        &[],
        &[
            (0, ins(5, 50), v(None), 0, Some(1)),
            (2, update(5, 1, None), v(Some(50)), 2, Some(5)),
            (1, cas(5, 50, 52), b(false), 3, Some(4)),
        ],
    );
    assert_eq!(lost_delete::check_lost_insert(&raced), None);
}

#[test]
fn a_retain_is_judged_by_the_iteration_rules() {
    let twice = h(
        &[(1, 10)],
        &[(
            0,
            retain(ValueIf::Nothing),
            yielded(&[(1, 10), (1, 10)]),
            0,
            Some(1),
        )],
    );
    let f = iteration::check(&twice, WeaklyConsistent).expect("a duplicate");
    assert!(
        f.summary.contains("retain(delete: none): yielded key 1 twice"),
        "{}",
        f.summary
    );
    let skipped = h(
        &[(1, 10), (2, 20)],
        &[(0, retain(ValueIf::Odd), yielded(&[(1, 10)]), 0, Some(1))],
    );
    let f = iteration::check(&skipped, WeaklyConsistent).expect("a skip");
    assert!(f.summary.contains("skipped key 2"), "{}", f.summary);
    let stale = h(
        &[(1, 10)],
        &[
            (1, cas(1, 10, 11), b(true), 0, Some(1)),
            (0, retain(ValueIf::Odd), yielded(&[(1, 10)]), 2, Some(3)),
        ],
    );
    let f = iteration::check(&stale, WeaklyConsistent).expect("a value replaced before the retain");
    assert!(f.summary.contains("yielded 1 = 10"), "{}", f.summary);
    // Skipping a key a concurrent compare-and-delete removed, seeing a key a concurrent
    // get-or-insert put: fine.
    let good = h(
        &[(1, 10), (2, 20)],
        &[
            (0, retain(ValueIf::Odd), yielded(&[(1, 10), (3, 30)]), 0, Some(5)),
            (1, cad(2, 20), b(true), 1, Some(2)),
            (2, goi(3, 30), v(None), 3, Some(4)),
        ],
    );
    assert_eq!(iteration::check(&good, WeaklyConsistent), None);
    // Another iteration skipping a key the retain removed: fine, the retain is a remove.
    let after = h(
        &[(1, 10), (2, 21)],
        &[
            (0, retain(ValueIf::Odd), yielded(&[(1, 10), (2, 21)]), 0, Some(3)),
            (
                1,
                Op::Iterate {
                    delete: mapcheck_harness::DeleteIf::Nothing,
                },
                yielded(&[(1, 10)]),
                1,
                Some(2),
            ),
        ],
    );
    assert_eq!(iteration::check(&after, WeaklyConsistent), None);
}

#[test]
fn a_non_atomic_len_counts_conditional_writes_by_their_results() {
    // Both keys present throughout: a compare-and-delete that failed removed neither.
    let failed = h(
        &[(1, 10), (2, 20)],
        &[
            (1, cad(2, 21), b(false), 1, Some(2)),
            (0, Op::Len, Some(Ret::Len(1)), 0, Some(5)),
        ],
    );
    assert!(iteration::check_len(&failed).is_some());
    // One that removed may have come first.
    let removed = h(
        &[(1, 10), (2, 20)],
        &[
            (1, cad(2, 20), b(true), 1, Some(2)),
            (0, Op::Len, Some(Ret::Len(1)), 0, Some(5)),
        ],
    );
    assert_eq!(iteration::check_len(&removed), None);
    // A get-or-insert that found its key added none: 3 is too many.
    let found = h(
        &[(1, 10), (2, 20)],
        &[
            (1, goi(2, 22), v(Some(20)), 1, Some(2)),
            (0, Op::Len, Some(Ret::Len(3)), 0, Some(5)),
        ],
    );
    assert!(iteration::check_len(&found).is_some());
}

#[test]
fn live_bounds_read_conditional_writes_by_their_results() {
    // Key 1: get-or-insert inserted, then a compare-and-delete removed: absent. Key 2: a
    // compare-and-delete that failed: present. Key 3: a remove-if that removed, overlapping an
    // update that inserts: either. Key 4: removed by a retain: absent.
    let hist = h(
        &[(2, 20), (4, 40)],
        &[
            (0, goi(1, 10), v(None), 0, Some(1)),
            (0, cad(1, 10), b(true), 2, Some(3)),
            (1, cad(2, 21), b(false), 4, Some(5)),
            (1, update(3, 1, Some(30)), v(None), 6, Some(9)),
            (2, remove_if(3, ValueIf::All), v(Some(30)), 7, Some(8)),
            (
                2,
                retain(ValueIf::Is(40)),
                yielded(&[(2, 20), (4, 40)]),
                10,
                Some(11),
            ),
        ],
    );
    assert_eq!(reclamation::live_bounds(&hist), (1, 2));
    let fp = |live| Footprint {
        live,
        capacity: live,
        snapshots: 1,
        ..Footprint::default()
    };
    let q = |live| Quiescence {
        at_end: fp(live),
        after_reclaim: fp(live),
    };
    assert!(reclamation::check_live(&hist, &q(2)).is_none());
    assert_eq!(
        reclamation::check_live(&hist, &q(3)).map(|f| f.oracle),
        Some(Oracle::LostDelete)
    );
    // A retain whose result is not known may have removed any key.
    let unknown = h(
        &[(2, 20)],
        &[(2, retain(ValueIf::Is(20)), Some(Ret::Unobserved), 0, Some(1))],
    );
    assert_eq!(reclamation::live_bounds(&unknown), (0, 1));
}

fn lin(hist: &mapcheck_harness::History) -> LinVerdict {
    check(hist, LinOptions::default()).expect("well-formed")
}

#[test]
fn two_get_or_inserts_that_both_inserted_are_not_linearizable() {
    let hist = h(
        &[],
        &[
            (0, goi(1, 10), v(None), 0, Some(2)),
            (1, goi(1, 11), v(None), 1, Some(3)),
        ],
    );
    let LinVerdict::Violation(violation) = lin(&hist) else {
        panic!("both inserted: {:?}", lin(&hist))
    };
    assert_eq!(violation.witness.len(), 2, "{violation:?}");
    // A remove between them explains it.
    let removed = h(
        &[],
        &[
            (0, goi(1, 10), v(None), 0, Some(2)),
            (2, rem(1), v(Some(10)), 1, Some(4)),
            (1, goi(1, 11), v(None), 3, Some(5)),
        ],
    );
    assert_eq!(lin(&removed), LinVerdict::Ok);
    // One found the other's value: fine.
    let found = h(
        &[],
        &[
            (0, goi(1, 10), v(None), 0, Some(2)),
            (1, goi(1, 11), v(Some(10)), 1, Some(3)),
        ],
    );
    assert_eq!(lin(&found), LinVerdict::Ok);
}

#[test]
fn a_compare_and_delete_of_a_replaced_value_is_not_linearizable() {
    // The insert of 11 returned before the compare-and-delete began: 10 was gone.
    let hist = h(
        &[(1, 10)],
        &[
            (0, ins(1, 11), v(Some(10)), 0, Some(1)),
            (1, cad(1, 10), b(true), 2, Some(3)),
            (1, get(1), v(None), 4, Some(5)),
        ],
    );
    assert!(matches!(lin(&hist), LinVerdict::Violation(_)));
    let overlapping = h(
        &[(1, 10)],
        &[
            (0, ins(1, 11), v(None), 0, Some(3)),
            (1, cad(1, 10), b(true), 1, Some(2)),
            (1, get(1), v(Some(11)), 4, Some(5)),
        ],
    );
    assert_eq!(lin(&overlapping), LinVerdict::Ok);
}

#[test]
fn updates_that_lose_an_increment_are_not_linearizable() {
    // Two increments of 0 both returned 0: one was lost.
    let hist = h(
        &[(1, 0)],
        &[
            (0, update(1, 1, None), v(Some(0)), 0, Some(2)),
            (1, update(1, 1, None), v(Some(0)), 1, Some(3)),
            (0, get(1), v(Some(1)), 4, Some(5)),
        ],
    );
    assert!(matches!(lin(&hist), LinVerdict::Violation(_)));
    let counted = h(
        &[(1, 0)],
        &[
            (0, update(1, 1, None), v(Some(0)), 0, Some(2)),
            (1, update(1, 1, None), v(Some(1)), 1, Some(3)),
            (0, get(1), v(Some(2)), 4, Some(5)),
        ],
    );
    assert_eq!(lin(&counted), LinVerdict::Ok);
}

/// `history` judged under `judging` as a structure with a snapshot iteration and atomic whole-map
/// operations.
fn judged(
    history: &mapcheck_harness::History,
    judging: mapcheck_harness::verdict::Judging,
) -> mapcheck_harness::Verdict {
    use mapcheck_harness::{IterationGuarantee, StructureInfo};
    let info = StructureInfo::new("hand-built")
        .iteration(IterationGuarantee::Snapshot)
        .atomic_whole_map();
    mapcheck_harness::verdict::judge_judging(
        history,
        &mapcheck_harness::Claims::info(info),
        1_000_000,
        judging,
        &mut mapcheck_harness::witness::Witness::default(),
        &mut Vec::new(),
    )
}

#[test]
fn the_witness_shortcut_judges_compound_operations_as_every_oracle_does() {
    use mapcheck_harness::verdict::Judging;
    use mapcheck_harness::witness::Witness;
    use mapcheck_harness::Verdict;
    // A fill, a swap, an increment, a retain and a retire, each seeing what the one before left.
    let good = h(
        &[(2, 21)],
        &[
            (0, goi(1, 10), v(None), 0, Some(1)),
            (1, cas(1, 10, 11), b(true), 2, Some(3)),
            (0, update(1, 1, None), v(Some(11)), 4, Some(5)),
            (1, retain(ValueIf::Odd), yielded(&[(1, 12), (2, 21)]), 6, Some(7)),
            (0, cad(1, 12), b(true), 8, Some(9)),
            (1, get(2), v(None), 10, Some(11)),
        ],
    );
    assert!(Witness::default().exists(&good));
    assert_eq!(judged(&good, Judging::Full), Verdict::Pass);
    assert_eq!(judged(&good, Judging::Witness), Verdict::Pass);
    // Two fills that both inserted: no witness, and every judging fails it.
    let bad = h(
        &[],
        &[
            (0, goi(1, 10), v(None), 0, Some(2)),
            (1, goi(1, 11), v(None), 1, Some(3)),
            (0, get(1), v(Some(11)), 4, Some(5)),
        ],
    );
    assert!(!Witness::default().exists(&bad));
    let full = judged(&bad, Judging::Full);
    assert_eq!(judged(&bad, Judging::Witness), full);
    assert!(
        matches!(full, Verdict::Fail(ref f) if f.oracle == Oracle::Linearizability),
        "{full:?}"
    );
}

//! What a linearizability failure names: the operation that cannot take effect, and a smallest set
//! that cannot be ordered even with any one of the history's other writes put back (a witness that
//! left out the `clear` explaining a `get` would blame innocent operations).

use crate::common::*;
use mapcheck_harness::history::{History, Op, Ret};
use mapcheck_harness::verdict::{linearizability, Verdict};
use mapcheck_harness::StructureInfo;

const ATOMIC: StructureInfo = StructureInfo::new("atomic").atomic_whole_map();

fn evidence(hist: &History) -> (String, Vec<usize>) {
    match linearizability(hist, &ATOMIC) {
        Verdict::Fail(f) => (f.summary, f.evidence),
        other => panic!("expected a violation, got {other:?}"),
    }
}

/// A `len` that no history could give (a counter that wrapped below zero) beside a clear that
/// explains every other result: the len is named, and nothing the clear explains is.
#[test]
fn the_operation_that_cannot_take_effect_is_named_and_a_clear_is_not_left_out() {
    let hist = h(
        &[(1, 10), (2, 20)],
        &[
            (0, ins(3, 30), v(None), 0, Some(1)),
            (1, Op::Clear, Some(Ret::Unit), 2, Some(3)),
            (0, get(1), v(None), 4, Some(5)),
            (0, get(3), v(None), 6, Some(7)),
            (1, Op::Len, Some(Ret::Len(usize::MAX)), 8, Some(9)),
            (0, get(2), v(None), 10, Some(11)),
        ],
    );
    let (summary, named) = evidence(&hist);
    assert!(
        summary.contains("len() -> 18446744073709551615 cannot take effect"),
        "{summary}"
    );
    assert_eq!(named, vec![4], "the len alone cannot be ordered: {summary}");
}

/// A get that returns nothing after an insert, explained by a remove: the witness keeps the remove
/// (or does not blame the get at all); the real violation, a second remove taking the value again,
/// is what it names.
#[test]
fn a_witness_never_leaves_out_the_write_that_explains_a_result() {
    let hist = h(
        &[],
        &[
            (0, ins(1, 10), v(None), 0, Some(1)),
            (1, rem(1), v(Some(10)), 2, Some(3)),
            (0, get(1), v(None), 4, Some(5)),
            (2, rem(1), v(Some(10)), 6, Some(7)),
        ],
    );
    let (summary, named) = evidence(&hist);
    // The second remove of the one value is the violation; the get is innocent.
    assert!(named.contains(&3), "{summary}");
    assert!(
        !named.contains(&2) || named.contains(&1),
        "a get named without its remove: {summary}"
    );
    // Every named set is a violation with each other write put back: here, with the insert.
    assert!(
        named.contains(&0),
        "the insert explains the value both removes saw: {summary}"
    );
}

/// The witness of a simple double delete is still small.
#[test]
fn a_double_delete_is_named_by_its_two_removes() {
    let hist = h(
        &[(1, 10)],
        &[
            (0, rem(1), v(Some(10)), 0, Some(1)),
            (1, get(1), v(None), 2, Some(3)),
            (1, rem(1), v(Some(10)), 4, Some(5)),
        ],
    );
    let (summary, named) = evidence(&hist);
    assert_eq!(named, vec![0, 2], "{summary}");
}

//! What a structure declares, on hand-written histories: a `len` that is not judged is judged by no
//! oracle (the live count at quiescence included), an iteration declared to repeat keys is excused
//! that rule and no other, and a behaviour declared known is noted, not failed, while every other
//! oracle still judges the run.

use crate::common;

use common::*;
use mapcheck_harness::history::{History, Leaks, Op, Quiescence, Ret};
use mapcheck_harness::oracle::iteration;
use mapcheck_harness::structure::REPEATS;
use mapcheck_harness::verdict::{judge, judge_noting};
use mapcheck_harness::{
    Claims, DeleteIf, Footprint, IterationGuarantee, Known, Oracle, ReclamationPolicy, Settle, StructureInfo,
    Verdict,
};

const INFO: StructureInfo = StructureInfo::new("test").atomic_whole_map();

fn iter_op() -> Op {
    Op::Iterate {
        delete: DeleteIf::Nothing,
    }
}

/// `hist` with the live entries at quiescence reported as `live`, before and after reclamation.
fn with_live(mut hist: History, live: usize) -> History {
    let f = Footprint {
        live,
        ..Footprint::default()
    };
    hist.quiescence = Some(Quiescence {
        at_end: f,
        after_reclaim: f,
    });
    hist
}

/// Two inserts that completed, and a footprint that counts none of them: a count that lags until
/// the map's maintenance runs (a cache's entry count).
fn lagging_count() -> History {
    with_live(
        h(
            &[],
            &[
                (0, ins(1, 10), v(None), 0, Some(1)),
                (1, ins(2, 20), v(None), 2, Some(3)),
            ],
        ),
        0,
    )
}

#[test]
fn a_live_count_read_from_a_judged_len_is_judged() {
    match judge(&lagging_count(), &INFO) {
        Verdict::Fail(f) => assert_eq!(f.oracle, Oracle::LostInsert, "{}", f.summary),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_len_not_judged_is_not_judged_at_quiescence_either() {
    let claims = Claims {
        len_judged: false,
        ..Claims::info(INFO)
    };
    assert_eq!(judge(&lagging_count(), claims), Verdict::Pass);
    // A footprint with more entries than the history leaves is not judged either, and the
    // reclamation bound is judged on the history's count of live entries instead of the lagging one.
    let over = with_live(lagging_count(), 9);
    assert_eq!(judge(&over, claims), Verdict::Pass);
    let mut held = lagging_count();
    held.quiescence = Some(Quiescence {
        at_end: Footprint::default(),
        after_reclaim: Footprint {
            live: 0,
            capacity: 2 * 2 + 16,
            ..Footprint::default()
        },
    });
    let shrinks = Claims {
        info: INFO.reclamation(ReclamationPolicy::ShrinksWithLive),
        ..claims
    };
    assert_eq!(
        judge(&held, shrinks),
        Verdict::Pass,
        "20 slots for the 2 live entries"
    );
    assert!(
        judge(&held, Claims::info(shrinks.info)).is_fail(),
        "judged on a live count of 0"
    );
}

#[test]
fn a_len_not_judged_is_not_judged_by_the_len_bounds() {
    // A len that is not atomic is judged by bounds: 0 while a key is certainly present is outside.
    let hist = h(&[(1, 10)], &[(0, Op::Len, Some(Ret::Len(0)), 0, Some(1))]);
    let info = StructureInfo::new("test");
    assert!(judge(&hist, &info).is_fail());
    let claims = Claims {
        len_judged: false,
        ..Claims::info(info)
    };
    assert_eq!(judge(&hist, claims), Verdict::Pass);
}

/// An iteration of `yielded` entries at `visits`, invoked at `invoke` and returning at `ret`.
fn iterate(hist: &mut History, thread: usize, yielded: &[(u64, u64)], invoke: u64, visits: &[u64], ret: u64) {
    let id = hist.events.len();
    hist.events.push(mapcheck_harness::Event {
        id,
        thread,
        op: iter_op(),
        ret: Some(Ret::Yielded(yielded.to_vec())),
        invoke,
        ret_at: Some(ret),
        parent: None,
        visits: visits.to_vec(),
    });
    hist.events.sort_by_key(|e| e.invoke);
    for (i, e) in hist.events.iter_mut().enumerate() {
        e.id = i;
    }
}

const REPEAT: IterationGuarantee = IterationGuarantee::WeaklyConsistentMayRepeat;

/// Keys 1 and 2 present throughout; key 3 inserted while the iteration runs (the table grows), and
/// the iteration yields key 1 again after the growth.
fn repeated_during_growth() -> History {
    let mut hist = h(&[(1, 10), (2, 20)], &[(1, ins(3, 30), v(None), 2, Some(4))]);
    iterate(
        &mut hist,
        0,
        &[(1, 10), (2, 20), (1, 10), (3, 30)],
        0,
        &[1, 3, 5, 6],
        7,
    );
    hist
}

#[test]
fn an_iteration_that_may_repeat_keys_may_yield_one_twice() {
    let hist = repeated_during_growth();
    assert_eq!(iteration::check(&hist, REPEAT), None);
    let f = iteration::check(&hist, IterationGuarantee::WeaklyConsistentSinceStart).expect("a key twice");
    assert!(f.summary.contains("yielded key 1 twice"), "{}", f.summary);
}

#[test]
fn an_iteration_that_may_repeat_keys_still_yields_nothing_never_present() {
    let mut hist = h(&[(1, 10), (2, 20)], &[]);
    iterate(
        &mut hist,
        0,
        &[(1, 10), (2, 20), (9, 90), (1, 10)],
        0,
        &[1, 2, 3, 4],
        5,
    );
    let f = iteration::check(&hist, REPEAT).expect("key 9 was never present");
    assert!(f.summary.contains("yielded 9 = 90"), "{}", f.summary);
}

#[test]
fn an_iteration_that_may_repeat_keys_still_yields_values_within_their_window() {
    // Key 1 was overwritten with 11 before the iteration started: a repeat of 10 is a value the key
    // no longer held at any point since the start.
    let mut hist = h(&[(1, 10), (2, 20)], &[(1, ins(1, 11), v(Some(10)), 0, Some(1))]);
    iterate(&mut hist, 0, &[(1, 11), (2, 20), (1, 10)], 2, &[3, 4, 5], 6);
    let f = iteration::check(&hist, REPEAT).expect("a stale repeat");
    assert!(f.summary.contains("yielded 1 = 10"), "{}", f.summary);
}

#[test]
fn an_iteration_that_may_repeat_keys_still_yields_every_key_present_throughout() {
    let mut hist = h(&[(1, 10), (2, 20)], &[]);
    iterate(&mut hist, 0, &[(1, 10), (1, 10)], 0, &[1, 2], 3);
    let f = iteration::check(&hist, REPEAT).expect("key 2 skipped");
    assert!(f.summary.contains("skipped key 2"), "{}", f.summary);
}

#[test]
fn an_iteration_that_may_repeat_keys_still_ends() {
    let mut hist = h(&[(1, 10)], &[]);
    let n = REPEATS + 1;
    let visits: Vec<u64> = (1..=n as u64).collect();
    iterate(&mut hist, 0, &vec![(1, 10); n], 0, &visits, n as u64 + 1);
    let f = iteration::check(&hist, REPEAT).expect("an iteration that does not end");
    assert!(f.summary.contains("does not end"), "{}", f.summary);
    // One fewer visit is within the bound.
    let mut hist = h(&[(1, 10)], &[]);
    iterate(&mut hist, 0, &vec![(1, 10); n - 1], 0, &visits[..n - 1], n as u64);
    assert_eq!(iteration::check(&hist, REPEAT), None);
}

/// A run that leaked, with nothing else wrong.
fn leaked(hist: History) -> History {
    History {
        leaks: Some(Leaks {
            bytes: 48,
            allocations: 1,
            threads: 0,
            blocks: Vec::new(),
        }),
        ..hist
    }
}

const KNOWN_LEAK: &[Known] = &[Known::leak("the crate documents that it leaks one node per map")];

#[test]
fn a_known_leak_is_noted_and_the_run_passes() {
    let hist = leaked(h(&[], &[(0, ins(1, 10), v(None), 0, Some(1))]));
    match judge(&hist, &INFO) {
        Verdict::Fail(f) => assert_eq!(f.oracle, Oracle::Leak),
        other => panic!("{other:?}"),
    }
    let claims = Claims {
        known: KNOWN_LEAK,
        ..Claims::info(INFO)
    };
    let mut noted = Vec::new();
    assert_eq!(judge_noting(&hist, &claims, 100_000, &mut noted), Verdict::Pass);
    assert_eq!(noted.len(), 1);
    assert_eq!(noted[0].oracle, Oracle::Leak);
}

#[test]
fn a_known_leak_hides_no_other_oracle() {
    // The run leaked and lost a delete: the lost delete fails it.
    let hist = leaked(h(
        &[(1, 10)],
        &[
            (0, rem(1), v(Some(10)), 0, Some(1)),
            (1, get(1), v(Some(10)), 2, Some(3)),
        ],
    ));
    let claims = Claims {
        known: KNOWN_LEAK,
        ..Claims::info(INFO)
    };
    let mut noted = Vec::new();
    match judge_noting(&hist, &claims, 100_000, &mut noted) {
        Verdict::Fail(f) => assert_eq!(f.oracle, Oracle::LostDelete, "{}", f.summary),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_liveness_oracle_cannot_be_declared_known() {
    const DEADLOCK: &[Known] = &[Known::new(Oracle::Deadlock, "no")];
    let claims = Claims {
        known: DEADLOCK,
        ..Claims::info(INFO)
    };
    assert!(claims.known(Oracle::Deadlock).is_none());
}

#[test]
fn a_leak_report_names_the_likely_causes_and_the_settle_step_to_declare() {
    let leaks = Leaks {
        bytes: 1280,
        allocations: 1,
        threads: 0,
        blocks: Vec::new(),
    };
    let f = mapcheck_harness::oracle::leak::check(&leaks, &Settle::NONE).expect("a leak");
    for part in [
        "1280 bytes in 1 allocation(s)",
        "Settle::after_drop",
        "per-thread registration",
        "Settle::per_thread",
        "Known::leak",
    ] {
        assert!(f.summary.contains(part), "{part}: {}", f.summary);
    }
    // A structure that declares its steps is told they ran.
    let declared = Settle {
        once: &[],
        per_thread: &[|| ()],
        after_drop: &[|| ()],
    };
    let f = mapcheck_harness::oracle::leak::check(&leaks, &declared).expect("a leak");
    assert!(
        f.summary.contains("declared after-drop settle steps ran"),
        "{}",
        f.summary
    );
}

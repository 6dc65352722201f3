//! The mutant zoo: every mutant has a profile, and is caught by the model built for it, by one of
//! its profile's oracles, under the engines that can reach it (loom with preemption bound at most 3
//! and shuttle PCT; loom alone for a memory-ordering bug), with fixed seeds and bounds; and every
//! correct structure passes every model under both with zero false reports (one test each).

use mapcheck_harness::{Engine, Limits, Oracle, Size, Verdict};
use mapcheck_models::mutants::{profile_of, Class, PROFILES};
use mapcheck_models::patterns::{model, MODELS};
use mapcheck_models::structures;
use std::time::Duration;

fn limits(n: usize) -> Limits {
    Limits {
        max_schedules: n,
        budget: Duration::from_secs(60),
        max_steps: 100_000,
        ..Limits::default()
    }
}

/// The engines that must catch a mutant of `class`: a memory-ordering bug is invisible to shuttle,
/// which runs one thread at a time with every write visible at once.
fn engines(class: Class) -> Vec<Engine> {
    let mut e = vec![Engine::Loom { preemption_bound: 3 }];
    if class != Class::MemoryOrdering {
        e.push(Engine::ShuttlePct { seed: 17, depth: 3 });
    }
    e
}

#[test]
fn every_mutant_has_one_profile_and_every_profile_one_mutant() {
    let mutants: Vec<&str> = structures()
        .into_iter()
        .filter(|e| e.info.mutant.is_some())
        .map(|e| e.info.name)
        .collect();
    for m in &mutants {
        assert!(profile_of(m).is_some(), "mutant {m} has no profile");
    }
    for p in PROFILES {
        assert!(mutants.contains(&p.name), "profile {} names no mutant", p.name);
        assert!(!p.oracles.is_empty(), "profile {} names no oracle", p.name);
    }
    assert_eq!(mutants.len(), PROFILES.len(), "one profile per mutant");
}

#[test]
fn every_mutant_is_caught_by_its_model_with_its_oracle() {
    for e in structures().into_iter().filter(|e| e.info.mutant.is_some()) {
        let p = profile_of(e.info.name).expect("a profile");
        assert!(
            !e.targets.is_empty(),
            "{} names the model that catches it",
            e.info.name
        );
        for m in e.targets {
            let m = model(m).expect("target model exists");
            // A weak-memory mutant is out of shuttle's reach (n/a there); loom must catch it.
            for engine in engines(p.class)
                .into_iter()
                .filter(|en| (e.not_applicable)(en).is_none())
            {
                let w = (m.build)(Size::for_engine(&engine));
                let o = (e.run)(&w, engine, limits(20_000));
                match &o.verdict {
                    Verdict::Fail(f) => assert!(
                        p.oracles.contains(&f.oracle),
                        "{} on {} under {engine}: caught by {} ({}), expected one of {:?}",
                        e.info.name,
                        m.name,
                        f.oracle,
                        f.summary,
                        p.oracles
                    ),
                    other => panic!(
                        "{} not caught by {} under {engine} in {} schedules: {other:?}",
                        e.info.name, m.name, o.schedules
                    ),
                }
            }
        }
    }
}

/// Shuttle runs sequentially consistent schedules only: the memory-ordering mutant is out of its
/// reach, however long it explores, while loom finds it.
#[test]
fn a_memory_ordering_mutant_is_caught_by_loom_and_not_by_shuttle() {
    for p in PROFILES.iter().filter(|p| p.class == Class::MemoryOrdering) {
        let e = mapcheck_models::structure(p.name).expect("registered");
        for m in e.targets {
            let m = model(m).expect("target model exists");
            for engine in [
                Engine::ShuttleRandom { seed: 5 },
                Engine::ShuttlePct { seed: 5, depth: 3 },
            ] {
                let o = (e.run)(&(m.build)(Size::SHUTTLE), engine, limits(3_000));
                assert!(
                    matches!(o.verdict, Verdict::Pass | Verdict::NotApplicable { .. }),
                    "{} under {engine}: {:?}",
                    p.name,
                    o.verdict
                );
            }
            let o = (e.run)(
                &(m.build)(Size::LOOM),
                Engine::Loom { preemption_bound: 2 },
                limits(1_000),
            );
            assert!(o.verdict.is_fail(), "{} under loom: {:?}", p.name, o.verdict);
        }
    }
}

/// Every model under loom (preemption bound 2) and shuttle PCT on one correct structure.
fn passes_every_model(name: &str) {
    let e = mapcheck_models::structure(name).expect("registered");
    assert!(!e.info.expected_to_fail(), "{name} is a correct structure");
    for m in MODELS {
        for engine in [
            Engine::Loom { preemption_bound: 2 },
            Engine::ShuttlePct { seed: 17, depth: 3 },
        ] {
            let w = (m.build)(Size::for_engine(&engine));
            let o = (e.run)(&w, engine, limits(1_000));
            // A model that calls an operation the structure lacks is not applicable, never run.
            if let Some(absent) = e.absent(&w) {
                assert!(
                    matches!(o.verdict, Verdict::NotApplicable { .. }),
                    "{name} on {} lacks {absent} but ran: {:?}",
                    m.name,
                    o.verdict
                );
                continue;
            }
            assert_eq!(
                o.verdict,
                Verdict::Pass,
                "{name} on {} under {engine}: {:?}",
                m.name,
                o.failure
            );
        }
    }
}

/// One test per correct structure, so they run side by side.
const CORRECT: &[&str] = &[
    "gomap-locked",
    "locked",
    "syncmap",
    "cow",
    "sharded",
    "tombstone",
    "rebuild",
    "slots",
    "pooled",
];

macro_rules! correct_structure_tests {
    ($($test:ident: $name:literal),* $(,)?) => {$(
        #[test]
        fn $test() {
            passes_every_model($name)
        }
    )*};
}

correct_structure_tests! {
    gomap_locked_passes_every_model: "gomap-locked",
    locked_passes_every_model: "locked",
    syncmap_passes_every_model: "syncmap",
    cow_passes_every_model: "cow",
    sharded_passes_every_model: "sharded",
    tombstone_passes_every_model: "tombstone",
    rebuild_passes_every_model: "rebuild",
    slots_passes_every_model: "slots",
    pooled_passes_every_model: "pooled",
}

#[test]
fn every_correct_structure_has_its_test() {
    let correct: Vec<&str> = structures()
        .into_iter()
        .filter(|e| !e.info.expected_to_fail())
        .map(|e| e.info.name)
        .collect();
    assert_eq!(
        correct, CORRECT,
        "add a `*_passes_every_model` test for each correct structure"
    );
}

/// Go's map never shrinks: the churn model's run keeps its peak table, reported as a finding (the
/// run itself passes the reclamation oracle).
#[test]
fn gomap_never_shrinking_is_a_reclamation_finding_on_churn() {
    let e = mapcheck_models::structure("gomap").unwrap();
    let w = (model("churn").unwrap().build)(Size {
        threads: 1,
        ops: 1,
        keys: 4,
    });
    let (verdict, history) = (e.sequential)(&w);
    assert_eq!(verdict, Verdict::Pass);
    let f = mapcheck_harness::verdict::finding(&history, &e.info).expect("a finding");
    assert!(f.starts_with("never shrinks"), "{f}");
}

/// sync.Map keeps a deleted entry until a new key and a promotion: after the promotion model the
/// deleted entries it keeps are a finding, not a failure.
#[test]
fn syncmap_stale_entries_are_a_reclamation_finding() {
    let e = mapcheck_models::structure("syncmap").unwrap();
    let w = mapcheck_harness::Workload {
        initial: vec![(1, 10), (2, 20)],
        threads: vec![vec![
            mapcheck_harness::Op::Len,
            mapcheck_harness::Op::Remove { key: 1 },
            mapcheck_harness::Op::Reclaim,
        ]],
    };
    let (verdict, history) = (e.sequential)(&w);
    assert_eq!(verdict, Verdict::Pass);
    let f = mapcheck_harness::verdict::finding(&history, &e.info).expect("a finding");
    assert!(f.contains("1 deleted entries are still held"), "{f}");
    let q = history.quiescence.expect("quiescence");
    assert_eq!((q.after_reclaim.live, q.after_reclaim.stale), (1, 1));
}

/// Tombstones are counted from the slots: the counter-resetting purge's leftover shows, where the
/// structure's own counter says zero.
#[test]
fn the_reclamation_oracle_does_not_trust_the_tombstone_counter() {
    let e = mapcheck_models::structure("tombstone-reclaim-reset").unwrap();
    let w = (model("reclaim-race").unwrap().build)(Size::LOOM);
    let o = (e.run)(&w, Engine::Loom { preemption_bound: 2 }, limits(5_000));
    let failure = o.failure.expect("caught");
    let q = failure.history.quiescence.expect("a quiescent footprint");
    assert!(q.after_reclaim.stale > 0, "{q:?}");
    match failure.verdict {
        Verdict::Fail(f) => assert_eq!(f.oracle, Oracle::Reclamation, "{}", f.summary),
        other => panic!("{other:?}"),
    }
}

//! The mutant zoo: every mutant is caught by the model built for it, under loom (preemption bound at
//! most 3) and shuttle PCT, with fixed seeds and bounds; and every correct structure passes every
//! model under both with zero false reports.

use mapcheck_harness::{Engine, Limits, Size, Verdict};
use mapcheck_models::patterns::{model, MODELS};
use mapcheck_models::structures;
use std::time::Duration;

#[global_allocator]
static ALLOC: mapcheck_harness::alloc::Counting = mapcheck_harness::alloc::Counting;

fn limits(n: usize) -> Limits {
    Limits {
        max_schedules: n,
        budget: Duration::from_secs(60),
        max_steps: 100_000,
        ..Limits::default()
    }
}

fn engines() -> [Engine; 2] {
    [
        Engine::Loom { preemption_bound: 3 },
        Engine::ShuttlePct { seed: 17, depth: 3 },
    ]
}

#[test]
fn every_mutant_is_caught_by_its_model_under_loom_and_pct() {
    for e in structures().into_iter().filter(|e| e.info.mutant.is_some()) {
        assert!(
            !e.targets.is_empty(),
            "{} names the model that catches it",
            e.info.name
        );
        for m in e.targets {
            let m = model(m).expect("target model exists");
            // A weak-memory mutant is out of shuttle's reach (n/a there); loom must catch it.
            for engine in engines()
                .into_iter()
                .filter(|en| (e.not_applicable)(en).is_none())
            {
                let w = (m.build)(Size::for_engine(&engine));
                let o = (e.run)(&w, engine, limits(20_000));
                assert!(
                    o.verdict.is_fail(),
                    "{} not caught by {} under {engine} in {} schedules",
                    e.info.name,
                    m.name,
                    o.schedules
                );
            }
        }
    }
}

#[test]
fn every_correct_structure_passes_every_model_under_loom_and_pct() {
    for e in structures().into_iter().filter(|e| !e.info.expected_to_fail()) {
        for m in MODELS {
            for engine in [
                Engine::Loom { preemption_bound: 2 },
                Engine::ShuttlePct { seed: 17, depth: 3 },
            ] {
                let w = (m.build)(Size::for_engine(&engine));
                let o = (e.run)(&w, engine, limits(1_000));
                assert_eq!(
                    o.verdict,
                    Verdict::Pass,
                    "{} on {} under {engine}: {:?}",
                    e.info.name,
                    m.name,
                    o.failure
                );
            }
        }
    }
}

/// Go's map never shrinks: the churn model reports its retained and peak figures as a finding.
#[test]
fn gomap_never_shrinking_is_a_reclamation_finding_on_churn() {
    let e = mapcheck_models::structure("gomap").unwrap();
    let w = (model("churn").unwrap().build)(Size {
        threads: 1,
        ops: 1,
        keys: 4,
    });
    let o = (e.run)(&w, Engine::ShuttleRandom { seed: 1 }, limits(1));
    match &o.verdict {
        Verdict::Fail(f) => {
            assert_eq!(f.oracle, mapcheck_harness::Oracle::Reclamation);
            assert!(f.summary.starts_with("finding: never shrinks"), "{}", f.summary);
        }
        other => panic!("expected a finding, got {other:?}"),
    }
}

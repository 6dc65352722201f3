//! The mutants whose bug needs an interleaving: a one-thread run never shows it. For each, neither
//! the sequential engine (the threads of each model built for it, one after another, at every size
//! the check uses) nor the `ops` fuzz target (one-thread operation sequences, here on a fixed set
//! of seeded inputs) fails, while the engines do (asserted with the oracle in `mutants.rs`).

use mapcheck_harness::engine::splitmix;
use mapcheck_harness::{Engine, Limits, Ops, Size, Verdict};
use mapcheck_models::mutants::PROFILES;
use mapcheck_models::patterns::model;
use mapcheck_models::{structure, Entry};
use std::time::Duration;

fn racy() -> Vec<Entry> {
    PROFILES
        .iter()
        .filter(|p| p.needs_interleaving)
        .map(|p| structure(p.name).expect("every profile names a registered mutant"))
        .collect()
}

/// `n` byte strings of 8 to `8 + len` bytes from a fixed seed.
fn inputs(seed: u64, n: usize, len: usize) -> Vec<Vec<u8>> {
    let mut state = seed;
    (0..n)
        .map(|_| {
            let l = 8 + (splitmix(&mut state) as usize % len);
            (0..l).map(|_| splitmix(&mut state) as u8).collect()
        })
        .collect()
}

#[test]
fn at_least_eight_mutants_need_an_interleaving() {
    assert!(racy().len() >= 8, "{} race-dependent mutants", racy().len());
}

/// The check-then-act races of the compound operations are race-dependent mutants, each built to
/// be caught by models that call the operation it breaks (at every size the check uses).
#[test]
fn the_compound_operation_mutants_are_race_dependent() {
    for (name, op) in [
        ("locked-racy-get-or-insert", Ops::GET_OR_INSERT),
        ("sharded-racy-update", Ops::UPDATE),
        ("sharded-racy-compare-delete", Ops::COMPARE_AND_DELETE),
        ("locked-racy-retain", Ops::RETAIN),
    ] {
        let e = racy()
            .into_iter()
            .find(|e| e.info.name == name)
            .unwrap_or_else(|| panic!("{name} is not among the race-dependent mutants"));
        assert!(!e.targets.is_empty(), "{name} names its models");
        for m in e.targets {
            let m = model(m).expect("target model exists");
            for size in [Size::LOOM, Size::SHUTTLE, Size::THREADS] {
                assert!(
                    (m.build)(size).operations().contains(op),
                    "{} at {size:?} does not call what {name} breaks",
                    m.name
                );
            }
        }
    }
}

/// Every seed design has a planted bug that only an interleaving exposes (a race-dependent mutant
/// named after it), so every design shows that the engines find a schedule to catch its bugs; the
/// sharded map, whose first two mutants fail with one thread, has at least two.
#[test]
fn every_seed_design_has_a_race_dependent_mutant() {
    let of = |design: &str| {
        racy()
            .into_iter()
            .filter(|e| e.info.name.starts_with(&format!("{design}-")))
            .count()
    };
    for design in [
        "gomap",
        "locked",
        "syncmap",
        "cow",
        "sharded",
        "tombstone",
        "rebuild",
    ] {
        assert!(of(design) >= 1, "{design} has no race-dependent mutant");
    }
    assert!(
        of("sharded") >= 2,
        "{} race-dependent sharded mutants",
        of("sharded")
    );
}

#[test]
fn the_sequential_engine_does_not_catch_a_race_dependent_mutant() {
    for e in racy() {
        for m in e.targets {
            let m = model(m).expect("target model exists");
            for size in [Size::LOOM, Size::SHUTTLE, Size::THREADS] {
                let w = (m.build)(size);
                assert!(w.threads.len() >= 2, "{} has one thread at {size:?}", m.name);
                let (verdict, _) = (e.sequential)(&w);
                assert_eq!(
                    verdict,
                    Verdict::Pass,
                    "{} on {} at {size:?}",
                    e.info.name,
                    m.name
                );
            }
        }
    }
}

#[test]
fn the_ops_fuzz_target_does_not_catch_a_race_dependent_mutant() {
    let data = inputs(14, 1_500, 300);
    for e in racy() {
        for d in &data {
            if let Some(found) = mapcheck_fuzz::ops::check_with(d, &[e]).found() {
                panic!("the ops target caught {}: {found}", e.info.name);
            }
        }
    }
}

/// The same workloads do fail when their threads interleave: under one engine at least, each
/// race-dependent mutant fails on every model built for it within 1,000 schedules.
#[test]
fn an_engine_catches_each_race_dependent_mutant_within_a_thousand_schedules() {
    let limits = Limits {
        max_schedules: 1_000,
        budget: Duration::from_secs(60),
        max_steps: 100_000,
        ..Limits::default()
    };
    for e in racy() {
        for m in e.targets {
            let m = model(m).expect("target model exists");
            let caught = [
                Engine::Loom { preemption_bound: 2 },
                Engine::ShuttleRandom { seed: 3 },
                Engine::ShuttlePct { seed: 3, depth: 2 },
                Engine::ShuttlePct { seed: 3, depth: 3 },
            ]
            .into_iter()
            .find(|engine| {
                let o = (e.run)(&(m.build)(Size::for_engine(engine)), *engine, limits);
                o.verdict.is_fail()
            });
            assert!(
                caught.is_some(),
                "{} on {}: no engine within 1,000 schedules",
                e.info.name,
                m.name
            );
        }
    }
}

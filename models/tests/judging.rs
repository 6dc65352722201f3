//! Judging by witness loses nothing. A run whose operations have a witness (an order the atomic
//! sequential map accepts) skips the operation oracles; these tests show the engines still find the
//! same failures: every mutant, under every engine that catches it with every oracle run on every
//! run, is caught on the same schedule with the same verdict; and judged both ways at once
//! (`Judging::CrossCheck`) on every model, structure and engine, no run gets two verdicts.

use mapcheck_harness::verdict::{disagreements, set_judging, Judging};
use mapcheck_harness::{Engine, Limits, Size, Verdict};
use mapcheck_models::patterns::{model, MODELS};
use mapcheck_models::structures;
use std::sync::Mutex;
use std::time::Duration;

/// The judging mode is the process's: under plain `cargo test`, which runs these tests on threads of
/// one process, each holds this while it sets and uses the mode (nextest gives each its process).
static JUDGING: Mutex<()> = Mutex::new(());

/// Bounded by schedules only, so that both judgings explore exactly the same runs.
fn limits(n: usize) -> Limits {
    Limits {
        max_schedules: n,
        budget: Duration::from_secs(600),
        max_steps: 100_000,
        ..Limits::default()
    }
}

/// Every deterministic engine: loom, and shuttle with fixed seeds.
fn engines() -> [Engine; 5] {
    [
        Engine::Loom { preemption_bound: 2 },
        Engine::Loom { preemption_bound: 3 },
        Engine::ShuttleRandom { seed: 5 },
        Engine::ShuttlePct { seed: 5, depth: 3 },
        Engine::ShuttleDfs,
    ]
}

/// Mutants whose bugs a witness alone does not see, or that need an interleaving, a weak-memory
/// execution or a random draw: the cross-check below must cover them, not only the mutants it was
/// written for.
const MUST_COVER: &[&str] = &[
    "slots-relaxed-publish",
    "gomap-no-relookup",
    "gomap-iter-revisit",
    "tombstone-reclaim-reset",
    "rebuild-clear-inversion",
    "locked-racy-insert",
];

#[test]
fn every_mutant_is_caught_the_same_with_and_without_the_witness() {
    let _mode = JUDGING.lock().unwrap_or_else(|e| e.into_inner());
    let mutants: Vec<_> = structures()
        .into_iter()
        .filter(|e| e.info.mutant.is_some())
        .collect();
    let names: Vec<&str> = mutants.iter().map(|e| e.info.name).collect();
    for name in MUST_COVER {
        assert!(
            names.contains(name),
            "{name} is not a mutant of the registry: {names:?}"
        );
    }
    for prefix in ["pooled-", "syncmap-"] {
        assert!(
            names.iter().any(|n| n.starts_with(prefix)),
            "no {prefix}* mutant in {names:?}"
        );
    }
    let mut caught = 0;
    for e in mutants {
        let mut by_any = false;
        for m in e.targets {
            let m = model(m).expect("target model exists");
            for engine in engines() {
                let w = (m.build)(Size::for_engine(&engine));
                set_judging(Judging::Full);
                let full = (e.run)(&w, engine, limits(2_000));
                set_judging(Judging::Witness);
                let fast = (e.run)(&w, engine, limits(2_000));
                let what = format!("{} on {} under {engine}", e.info.name, m.name);
                assert_eq!(fast.verdict, full.verdict, "{what}");
                assert_eq!(fast.schedules, full.schedules, "{what}");
                assert_eq!(
                    fast.failure.as_ref().map(|f| (&f.history, &f.pinned)),
                    full.failure.as_ref().map(|f| (&f.history, &f.pinned)),
                    "{what}"
                );
                if full.verdict.is_fail() {
                    caught += 1;
                    by_any = true;
                }
            }
        }
        assert!(by_any, "{} is caught by no engine", e.info.name);
    }
    assert!(caught > 20, "{caught} catches");
}

/// Judged both ways at once under one engine, every model on every structure: no run gets two
/// verdicts, and only mutants fail. One test per engine, so that they run side by side.
fn no_run_gets_two_verdicts_under(engine: Engine) {
    let _mode = JUDGING.lock().unwrap_or_else(|e| e.into_inner());
    set_judging(Judging::CrossCheck);
    for e in structures() {
        for m in MODELS {
            let w = (m.build)(Size::for_engine(&engine));
            let outcome = if engine.real_threads() {
                // Ten runs take milliseconds; a budget of 4 s puts the watchdog's stall cap at its
                // least (2 s), so a run of a hanging mutant is given up after 2 s, not 10.
                let limits = Limits {
                    budget: Duration::from_secs(4),
                    ..limits(10)
                };
                (e.run)(&w, engine, limits)
            } else {
                (e.run)(&w, engine, limits(40))
            };
            let what = format!("{} on {} under {engine}", e.info.name, m.name);
            if let Verdict::Fail(f) = &outcome.verdict {
                assert!(!f.summary.contains("disagree"), "{what}: {}", f.summary);
                assert!(e.info.expected_to_fail(), "{what}: {}", f.summary);
            }
        }
    }
    set_judging(Judging::Witness);
    assert_eq!(disagreements(), 0);
}

// Every engine but loom at bound 3, which the test above covers for the mutants.

#[test]
fn no_run_gets_two_verdicts_under_loom() {
    no_run_gets_two_verdicts_under(Engine::Loom { preemption_bound: 2 });
}

#[test]
fn no_run_gets_two_verdicts_under_shuttle_random() {
    no_run_gets_two_verdicts_under(Engine::ShuttleRandom { seed: 5 });
}

#[test]
fn no_run_gets_two_verdicts_under_shuttle_pct() {
    no_run_gets_two_verdicts_under(Engine::ShuttlePct { seed: 5, depth: 3 });
}

#[test]
fn no_run_gets_two_verdicts_under_shuttle_dfs() {
    no_run_gets_two_verdicts_under(Engine::ShuttleDfs);
}

#[test]
fn no_run_gets_two_verdicts_under_real_threads() {
    no_run_gets_two_verdicts_under(Engine::Threads { seed: 5 });
}

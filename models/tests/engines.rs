//! Every correct structure passes the first model under every engine, with fixed seeds and bounds.

use mapcheck_harness::Size;
use mapcheck_harness::{Engine, Limits, Verdict};
use mapcheck_models::patterns::insert_remove_get;
use mapcheck_models::structures;
use std::time::Duration;

/// With the counting allocator installed, the leak oracle judges every run too.
fn limits(n: usize) -> Limits {
    Limits {
        max_schedules: n,
        budget: Duration::from_secs(60),
        max_steps: 100_000,
        ..Limits::default()
    }
}

fn correct() -> Vec<mapcheck_models::Entry> {
    structures()
        .into_iter()
        .filter(|e| !e.info.expected_to_fail())
        .collect()
}

#[test]
fn correct_structures_pass_loom_with_preemption_bound_2() {
    let w = insert_remove_get(Size::LOOM);
    for e in correct() {
        let o = (e.run)(&w, Engine::Loom { preemption_bound: 2 }, limits(20_000));
        assert_eq!(o.verdict, Verdict::Pass, "{}: {:?}", e.info.name, o.failure);
        eprintln!(
            "{}: loom {} schedules, exhausted {}",
            e.info.name, o.schedules, o.exhausted
        );
    }
}

#[test]
fn correct_structures_pass_shuttle_pct() {
    let w = insert_remove_get(Size::SHUTTLE);
    for e in correct() {
        let o = (e.run)(&w, Engine::ShuttlePct { seed: 7, depth: 2 }, limits(500));
        assert_eq!(o.verdict, Verdict::Pass, "{}: {:?}", e.info.name, o.failure);
    }
}

#[test]
fn correct_structures_pass_shuttle_random() {
    let w = insert_remove_get(Size::SHUTTLE);
    for e in correct() {
        let o = (e.run)(&w, Engine::ShuttleRandom { seed: 11 }, limits(500));
        assert_eq!(o.verdict, Verdict::Pass, "{}: {:?}", e.info.name, o.failure);
    }
}

#[test]
fn correct_structures_pass_real_threads() {
    let w = insert_remove_get(Size::THREADS);
    for e in correct() {
        let o = (e.run)(&w, Engine::Threads { seed: 3 }, limits(50));
        assert_eq!(o.verdict, Verdict::Pass, "{}: {:?}", e.info.name, o.failure);
    }
}

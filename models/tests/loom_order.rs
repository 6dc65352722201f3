//! Real-time order under loom. loom gives `SeqCst` loads and stores no single total order, so
//! without the recorder's ordering points an operation invoked after another returned may read an
//! older value, and the oracles would blame a correct structure: `slots`, a lock-free map built on
//! `SeqCst` atomics only, must pass every model. loom's weak-memory power stays visible: a
//! publication mistake between overlapping operations is still caught.

use mapcheck_harness::{Engine, Limits, Oracle, Size, Verdict};
use mapcheck_models::patterns::MODELS;
use mapcheck_models::structure;
use std::time::Duration;

fn limits(n: usize) -> Limits {
    Limits {
        max_schedules: n,
        budget: Duration::from_secs(120),
        max_steps: 100_000,
        ..Limits::default()
    }
}

/// Every model, explored exhaustively by loom at preemption bound 2: no false failure.
#[test]
fn slots_passes_every_model_under_loom() {
    let slots = structure("slots").unwrap();
    // The models that call an operation slots lacks (a compound one) are not applicable.
    for m in MODELS
        .iter()
        .filter(|m| slots.absent(&(m.build)(Size::LOOM)).is_none())
    {
        let w = (m.build)(Size::LOOM);
        let o = (slots.run)(&w, Engine::Loom { preemption_bound: 2 }, limits(200_000));
        assert_eq!(o.verdict, Verdict::Pass, "slots on {}: {:#?}", m.name, o.failure);
        assert!(
            o.exhausted,
            "slots on {}: loom explored {} schedules, not all",
            m.name, o.schedules
        );
        eprintln!("slots on {}: {} schedules, exhausted", m.name, o.schedules);
    }
}

/// The models built to catch `slots-relaxed-publish`.
fn relaxed_targets() -> (
    mapcheck_models::Entry,
    Vec<&'static mapcheck_models::patterns::Model>,
) {
    let e = structure("slots-relaxed-publish").unwrap();
    let models = e
        .targets
        .iter()
        .map(|m| mapcheck_models::patterns::model(m).unwrap())
        .collect();
    (e, models)
}

/// loom catches the `Relaxed` publication on each model built for it, at the check's preemption
/// bound, with the data-race oracle (its causality checker sees the chunk's atomics touched before
/// their initialisation happened-before), between two threads' overlapping operations.
#[test]
fn loom_catches_the_relaxed_publication_as_a_data_race() {
    let (e, models) = relaxed_targets();
    for m in models {
        let w = (m.build)(Size::LOOM);
        let o = (e.run)(&w, Engine::Loom { preemption_bound: 2 }, limits(200_000));
        let Verdict::Fail(f) = &o.verdict else {
            panic!(
                "{} not caught on {} in {} schedules",
                e.info.name, m.name, o.schedules
            );
        };
        assert_eq!(f.oracle, Oracle::DataRace, "{}: {}", m.name, f.summary);
        assert!(f.summary.contains("Causality violation"), "{}", f.summary);
        // The run stopped inside an operation whose data race it was: both threads had begun, and
        // an operation of one overlaps (is still pending, or returned after the invocation of) the
        // other thread's operation in progress.
        let h = &o.failure.as_ref().unwrap().history;
        let pending: Vec<_> = h.events.iter().filter(|e| e.ret_at.is_none()).collect();
        assert!(!pending.is_empty(), "{}: the race stopped an operation", m.name);
        assert!(
            h.events
                .iter()
                .map(|e| e.thread)
                .collect::<std::collections::BTreeSet<_>>()
                .len()
                == 2,
            "{}: both threads ran",
            m.name
        );
        eprintln!("{} caught on {} at schedule {}", e.info.name, m.name, o.schedules);
    }
}

/// Shuttle explores sequentially consistent executions only, so it cannot reach the mistake: its
/// random and PCT schedulers run 2,000 schedules each of every model built for the mutant without a
/// report. The check therefore shows the shuttle columns as n/a, saying why.
#[test]
fn shuttle_random_and_pct_cannot_reach_the_relaxed_publication() {
    use shuttle::scheduler::{PctScheduler, RandomScheduler};
    const SCHEDULES: usize = 2_000;
    let (e, models) = relaxed_targets();
    for m in models {
        let w = (m.build)(Size::SHUTTLE);
        let schedulers: [(&str, Box<dyn shuttle::scheduler::Scheduler + Send>); 2] = [
            ("random", Box::new(RandomScheduler::new_from_seed(42, SCHEDULES))),
            ("pct", Box::new(PctScheduler::new_from_seed(42, 2, SCHEDULES))),
        ];
        for (name, scheduler) in schedulers {
            let o = (e.with_scheduler)(&w, scheduler, limits(SCHEDULES));
            assert_eq!(
                o.verdict,
                Verdict::Pass,
                "shuttle {name} on {}: {:?}",
                m.name,
                o.failure
            );
            assert_eq!(
                o.schedules, SCHEDULES,
                "shuttle {name} on {} ran every schedule",
                m.name
            );
        }
        for engine in [
            Engine::ShuttleRandom { seed: 42 },
            Engine::ShuttlePct { seed: 42, depth: 2 },
            Engine::ShuttleDfs,
        ] {
            let why = (e.not_applicable)(&engine).expect("shuttle is n/a for a weak-memory mutant");
            assert!(why.contains("weak-memory"), "{why}");
        }
        assert_eq!((e.not_applicable)(&Engine::Loom { preemption_bound: 2 }), None);
    }
}

/// The mistake needs two threads: run on one thread, with no scheduler, every model built for it
/// passes at every size.
#[test]
fn the_relaxed_publication_needs_two_threads() {
    let (e, models) = relaxed_targets();
    for m in models {
        for size in [Size::LOOM, Size::SHUTTLE, Size::THREADS] {
            let (verdict, _) = (e.sequential)(&(m.build)(size));
            assert_eq!(verdict, Verdict::Pass, "sequential {} at {size:?}", m.name);
        }
    }
}

/// An unsynchronised structure gets no ordering points: its operations have no atomic or lock
/// inside, so under loom they never overlap, and ordering them would hide the data race loom
/// reports between any two of them on different threads. `gomap`'s race is reported on every model it
/// can run (it has none of the compound operations).
#[test]
fn loom_still_reports_the_unsynchronised_map_s_data_race_on_every_model() {
    let gomap = structure("gomap").unwrap();
    assert!(gomap.info.unsynchronised);
    for m in MODELS
        .iter()
        .filter(|m| gomap.absent(&(m.build)(Size::LOOM)).is_none())
    {
        let w = (m.build)(Size::LOOM);
        let o = (gomap.run)(&w, Engine::Loom { preemption_bound: 2 }, limits(10_000));
        let Verdict::Fail(f) = &o.verdict else {
            panic!("gomap on {} passed {} loom schedules", m.name, o.schedules);
        };
        assert_eq!(f.oracle, Oracle::DataRace, "gomap on {}: {}", m.name, f.summary);
    }
}

//! Go's map while it is iterated: each iteration starts at a random bucket and offset, drawn from
//! the engine (every shuttle scheduler answers the draw, depth-first search with a fixed seed; a
//! failure found with draws replays exactly; the start does vary with the draw), and the model built
//! for it grows the table while the iteration runs, at the sizes the check uses.

use mapcheck_harness::{Engine, Limits, Size, Verdict};
use mapcheck_models::patterns::model;
use mapcheck_models::structure;
use std::time::Duration;

fn limits(n: usize) -> Limits {
    Limits {
        max_schedules: n,
        budget: Duration::from_secs(60),
        max_steps: 100_000,
        ..Limits::default()
    }
}

#[test]
fn every_shuttle_scheduler_answers_the_iteration_draw() {
    let e = structure("gomap-locked").unwrap();
    for m in ["delete-during-iteration", "sharded-whole-map"] {
        let w = (model(m).unwrap().build)(Size::LOOM);
        for engine in [
            Engine::ShuttleDfs,
            Engine::ShuttleRandom { seed: 2 },
            Engine::ShuttlePct { seed: 2, depth: 2 },
            Engine::Loom { preemption_bound: 1 },
        ] {
            let o = (e.run)(&w, engine, limits(300));
            assert_eq!(o.verdict, Verdict::Pass, "{m} under {engine}: {:?}", o.failure);
        }
    }
}

#[test]
fn a_failure_with_draws_replays_exactly() {
    let e = structure("gomap-iter-revisit").unwrap();
    let w = (model("delete-during-iteration").unwrap().build)(Size::SHUTTLE);
    let o = (e.run)(&w, Engine::ShuttleRandom { seed: 9 }, limits(2_000));
    let failure = o.failure.expect("caught");
    match &failure.pinned {
        mapcheck_harness::Pinned::Shuttle { steps, .. } => {
            assert!(steps.contains('r'), "the draws are in the schedule: {steps}")
        }
        other => panic!("{other:?}"),
    }
    for _ in 0..3 {
        let again = (e.replay)(&w, Engine::ShuttleRandom { seed: 9 }, &failure.pinned, limits(1));
        assert_eq!(again.verdict, failure.verdict);
        assert_eq!(
            again.failure.expect("fails again").history.events,
            failure.history.events
        );
    }
}

/// Different draws start the iteration at different entries: over shuttle executions (each with
/// its own draw), a map of 13 entries is iterated starting from more than one of them.
#[test]
fn the_iteration_start_follows_the_draw() {
    use mapcheck_harness::rt::Shuttle;
    use mapcheck_harness::{Map, Structure};
    use mapcheck_models::structures::gomap::GomapLocked;
    use std::ops::ControlFlow;
    use std::sync::{Arc, Mutex};
    let firsts = Arc::new(Mutex::new(std::collections::BTreeSet::new()));
    let seen = firsts.clone();
    shuttle::check_random(
        move || {
            let m = GomapLocked::new::<Shuttle>();
            for k in 1..=13 {
                m.insert(k, k);
            }
            let mut first = None;
            m.iterate(&mut |k, _| {
                first.get_or_insert(k);
                ControlFlow::Break(())
            });
            seen.lock()
                .unwrap()
                .insert(first.expect("a non-empty map yields"));
        },
        32,
    );
    let firsts = firsts.lock().unwrap();
    assert!(
        firsts.len() > 1,
        "every iteration started at the same entry: {firsts:?}"
    );
}

/// At the sizes the check uses for loom and shuttle, the writer's first insert of
/// `delete-during-iteration` grows Go's table: run here inside the iteration (as a range body's own
/// insert), the table is larger after it than when the iteration started.
#[test]
fn the_table_grows_during_the_iteration_at_the_check_sizes() {
    use mapcheck_harness::rt::Std;
    use mapcheck_harness::{Map, Op, Structure};
    use mapcheck_models::structures::gomap::Gomap;
    use std::ops::ControlFlow;
    for size in [Size::LOOM, Size::SHUTTLE] {
        let w = (model("delete-during-iteration").unwrap().build)(size);
        let m = Gomap::new::<Std>();
        for &(k, v) in &w.initial {
            m.insert(k, v);
        }
        let before = m.footprint().capacity;
        let Op::Insert { key, value } = w.threads[1][0] else {
            panic!("the writer starts with an insert")
        };
        let mut during = None;
        m.iterate(&mut |_, _| {
            if during.is_none() {
                m.insert(key, value);
                during = Some(m.footprint().capacity);
            }
            ControlFlow::Continue(())
        });
        let during = during.expect("the iteration yielded");
        assert!(during > before, "at {size:?} the table kept {before} slots");
    }
}

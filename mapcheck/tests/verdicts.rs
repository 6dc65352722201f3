//! What a cell's verdict may claim: `all` only when the engine really exhausted its bounded space
//! within the budget, never on real threads; a run without a verdict makes the cell unknown, never
//! a pass, and the reclamation and leak oracles still judge such a run.

use mapcheck::outcome::CellResult;
use mapcheck_harness::verdict::{set_judging, Judging};
use mapcheck_harness::{Engine, Limits, Oracle, Size, Verdict};
use mapcheck_models::patterns::model;
use mapcheck_models::structure;
use std::time::Duration;

/// The leak oracle needs every allocation.
fn limits(max_schedules: usize, budget: Duration) -> Limits {
    Limits {
        max_schedules,
        budget,
        ..Limits::default()
    }
}

#[test]
fn loom_stopped_by_the_clock_is_not_all() {
    let locked = structure("tombstone").unwrap();
    let m = model("insert-remove-get").unwrap();
    // A space far larger than a few milliseconds can exhaust.
    let w = (m.build)(Size::SHUTTLE);
    let o = (locked.run)(
        &w,
        Engine::Loom { preemption_bound: 3 },
        limits(1_000_000, Duration::from_millis(30)),
    );
    assert_eq!(o.verdict, Verdict::Pass);
    assert!(
        !o.exhausted,
        "cut by the clock after {} schedules, yet exhausted",
        o.schedules
    );
    let r = CellResult::of(&locked, m.name, &o);
    assert!(!r.text(o.schedules).contains("all"), "{}", r.text(o.schedules));
    // The same engine on a space it can finish is exhaustive.
    let small = (m.build)(Size::LOOM);
    let o = (structure("locked").unwrap().run)(
        &small,
        Engine::Loom { preemption_bound: 2 },
        limits(1_000_000, Duration::from_secs(60)),
    );
    assert!(o.exhausted && o.verdict == Verdict::Pass, "{o:?}");
}

#[test]
fn real_threads_are_never_all() {
    let locked = structure("locked").unwrap();
    let w = (model("concurrent-delete").unwrap().build)(Size::LOOM);
    let o = (locked.run)(
        &w,
        Engine::Threads { seed: 3 },
        limits(5, Duration::from_secs(60)),
    );
    assert_eq!((o.schedules, &o.verdict), (5, &Verdict::Pass));
    assert!(!o.exhausted, "five runs of real threads exhaust nothing");
}

/// A linearizability search allowed one step cannot decide any run: every engine's cell is then
/// unknown, with the count, and never a pass. Judged in full: under the default judging, a run with
/// a witness (a linearization found without the search) is decided, and passes.
#[test]
fn runs_without_a_verdict_make_the_cell_unknown_under_every_engine() {
    set_judging(Judging::Full);
    let locked = structure("locked").unwrap();
    let m = model("insert-remove-get").unwrap();
    for engine in [
        Engine::Loom { preemption_bound: 1 },
        Engine::ShuttleRandom { seed: 1 },
        Engine::ShuttlePct { seed: 1, depth: 2 },
        Engine::ShuttleDfs,
        Engine::Threads { seed: 1 },
    ] {
        let w = (m.build)(Size::LOOM);
        let l = Limits {
            lin_steps: 1,
            ..limits(20, Duration::from_secs(60))
        };
        let o = (locked.run)(&w, engine, l);
        let Verdict::Unknown { reason } = &o.verdict else {
            panic!("{engine}: {:?}", o.verdict)
        };
        assert!(reason.contains("budget exhausted"), "{engine}: {reason}");
        assert!(
            o.unknown_runs > 0 && o.unknown_runs <= o.schedules,
            "{engine}: {o:?}"
        );
        let r = CellResult::of(&locked, m.name, &o);
        assert_eq!(r.word(), "unknown", "{engine}");
        assert!(r.as_expected());
    }
}

/// The reclamation and leak oracles judge the footprint and the allocations, not the operations,
/// so an unknown linearizability verdict does not hide their failures.
#[test]
fn reclamation_and_leaks_are_judged_when_linearizability_is_unknown() {
    for (name, model_name, oracle) in [
        ("locked-noshrink", "churn", Oracle::Reclamation),
        ("locked-leaky-remove", "concurrent-delete", Oracle::Leak),
    ] {
        let e = structure(name).unwrap();
        let w = (model(model_name).unwrap().build)(Size::LOOM);
        let l = Limits {
            lin_steps: 1,
            ..limits(5, Duration::from_secs(60))
        };
        let o = (e.run)(&w, Engine::ShuttleRandom { seed: 2 }, l);
        match &o.verdict {
            Verdict::Fail(f) => assert_eq!(f.oracle, oracle, "{name}: {}", f.summary),
            other => panic!("{name}: {other:?}"),
        }
    }
}

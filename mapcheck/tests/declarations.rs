//! Declarations through the front door: a model that calls an operation the structure declares
//! absent is not applicable under every engine, with the reason, in the check's report; a
//! behaviour declared known is a finding in the report, not a failure.

use mapcheck::outcome::CellResult;
use mapcheck::prelude::*;
use mapcheck_harness::{Engine, Entry, Limits, Size, Verdict};
use mapcheck_models::patterns::{model, MODELS};
use mapcheck_models::structures::locked::{Locked, LockedMap};
use std::time::Duration;

/// `locked`, declared without iteration (as a map whose API has none would be).
struct NoIteration;

impl Structure for NoIteration {
    type Map<R: Runtime> = LockedMap<R>;
    fn new<R: Runtime>() -> LockedMap<R> {
        Locked::new::<R>()
    }
    const INFO: StructureInfo = StructureInfo::new("test-no-iteration").atomic_whole_map();
    const SUPPORTS: Ops = Ops::STANDARD.without(Ops::ITERATE);
}

const ENGINES: [Engine; 5] = [
    Engine::Loom { preemption_bound: 2 },
    Engine::ShuttleRandom { seed: 1 },
    Engine::ShuttlePct { seed: 1, depth: 2 },
    Engine::ShuttleDfs,
    Engine::Threads { seed: 1 },
];

#[test]
fn a_model_that_iterates_is_not_applicable_to_a_map_without_iteration_under_every_engine() {
    let entry = Entry::of::<NoIteration>();
    let iterating = model("delete-during-iteration").unwrap();
    let limits = Limits {
        max_schedules: 5,
        budget: Duration::from_secs(30),
        ..Limits::default()
    };
    for engine in ENGINES {
        let w = (iterating.build)(Size::for_engine(&engine));
        assert!(w.operations().contains(Ops::ITERATE));
        let o = (entry.run)(&w, engine, limits);
        let Verdict::NotApplicable { reason } = &o.verdict else {
            panic!("{engine}: {:?}", o.verdict);
        };
        assert!(reason.contains("declares no iterate"), "{engine}: {reason}");
        assert_eq!(o.schedules, 0, "{engine}");
        assert!(entry.not_applicable_to(&engine, &w).is_some());
        assert!(matches!(
            CellResult::of(&entry, iterating.name, &o),
            CellResult::NotApplicable { .. }
        ));
        // A replay is not applicable either.
        let o = (entry.replay)(
            &w,
            engine,
            &mapcheck_harness::Pinned::Threads { iteration: 0 },
            limits,
        );
        assert!(o.verdict.is_not_applicable(), "{engine}: {:?}", o.verdict);
    }
    // A model that does not iterate runs.
    let plain = model("concurrent-delete").unwrap();
    let w = (plain.build)(Size::LOOM);
    assert!(!w.operations().contains(Ops::ITERATE));
    let o = (entry.run)(&w, Engine::Loom { preemption_bound: 2 }, limits);
    assert_eq!(o.verdict, Verdict::Pass);
}

#[test]
fn the_front_doors_report_shows_each_absent_operation_as_not_applicable_with_its_reason() {
    let names: Vec<&str> = ["delete-during-iteration", "concurrent-delete"].to_vec();
    let report = mapcheck::Check::new()
        .models(&names)
        .engines(&["shuttle-random", "threads"])
        .budget(Duration::from_secs(2))
        .run::<NoIteration>();
    let na: Vec<_> = report
        .cells
        .iter()
        .filter(|c| matches!(c.result, CellResult::NotApplicable { .. }))
        .collect();
    assert_eq!(na.len(), 2, "{report}");
    assert!(
        na.iter().all(|c| c.model == "delete-during-iteration"),
        "{report}"
    );
    let line = report.summary();
    assert!(
        line.contains("not judged: delete-during-iteration (test-no-iteration declares no iterate"),
        "{line}"
    );
    assert!(report
        .cells
        .iter()
        .filter(|c| c.model == "concurrent-delete")
        .all(|c| matches!(c.result, CellResult::Pass { .. })));
    // Every model that does not iterate (nor call a compound operation, which it does not declare
    // either) is applicable, every one that does is not.
    let entry = Entry::of::<NoIteration>();
    for m in MODELS {
        let w = (m.build)(Size::SHUTTLE);
        let compound = !Ops::STANDARD.contains(w.operations());
        assert_eq!(
            entry.absent(&w).is_some(),
            w.operations().contains(Ops::ITERATE) || compound,
            "{}",
            m.name
        );
    }
}

/// `locked` whose remove leaks a small allocation, declared as a known leak.
struct KnownLeak;

struct LeakyMap<R: Runtime>(LockedMap<R>);

impl<R: Runtime> Map for LeakyMap<R> {
    fn insert(&self, k: Key, v: Value) -> Option<Value> {
        self.0.insert(k, v)
    }
    fn remove(&self, k: Key) -> Option<Value> {
        std::mem::forget(std::hint::black_box(Box::new([0u8; 32])));
        self.0.remove(k)
    }
    fn get(&self, k: Key) -> Option<Value> {
        self.0.get(k)
    }
    fn len(&self) -> usize {
        self.0.len()
    }
    fn clear(&self) {
        self.0.clear()
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        self.0.iterate(visit)
    }
}

impl Structure for KnownLeak {
    type Map<R: Runtime> = LeakyMap<R>;
    fn new<R: Runtime>() -> LeakyMap<R> {
        LeakyMap(Locked::new::<R>())
    }
    const INFO: StructureInfo = StructureInfo::new("test-known-leak")
        .iteration(IterationGuarantee::Snapshot)
        .atomic_whole_map();
    const KNOWN: &'static [Known] = &[Known::leak("every remove leaks 32 bytes (documented)")];
}

#[test]
fn a_known_leak_is_a_finding_in_the_front_doors_report_and_the_check_passes() {
    let report = mapcheck::Check::new()
        .models(&["concurrent-delete"])
        .engines(&["shuttle-random"])
        .budget(Duration::from_secs(1))
        .run::<KnownLeak>();
    let cell = &report.cells[0];
    assert!(matches!(cell.result, CellResult::Pass { .. }), "{report}");
    assert!(cell.schedules > 1, "exploration went on: {report}");
    let line = cell.finding.as_ref().expect("a finding");
    assert!(
        line.starts_with("known leak (declared: every remove leaks 32 bytes (documented)): in "),
        "{line}"
    );
    assert!(line.contains(&format!(" of {} run(s)", cell.schedules)), "{line}");
    assert!(
        report
            .to_string()
            .contains("FINDING (declared, not a failure) known leak"),
        "{report}"
    );
}

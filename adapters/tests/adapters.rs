//! Every adapter on real threads: the correct crates pass bounded runs of the models, the broken
//! adapters are caught, and the example adapter of docs/adapters.md is the one built and run here.

use mapcheck_adapters::{broken, dashmap, flurry, mutex, papaya, scc, structures};
use mapcheck_harness::adapter::{Adapted, Adapter};
use mapcheck_harness::{
    Engine, Key, Limits, Map, Oracle, Outcome, Size, Structure, StructureInfo, Value, Verdict,
};
use mapcheck_models::patterns::model;
use std::ops::ControlFlow;
use std::time::Duration;

use crate::custom_adapter;

fn limits(runs: usize) -> Limits {
    Limits {
        max_schedules: runs,
        budget: Duration::from_secs(60),
        ..Limits::default()
    }
}

fn run<S: Structure>(name: &str, runs: usize) -> Outcome {
    let workload = (model(name).expect("a model").build)(Size::THREADS);
    mapcheck_harness::run::<S>(&workload, Engine::Threads { seed: 42 }, limits(runs))
}

const MODELS: [&str; 5] = [
    "insert-remove-get",
    "concurrent-delete",
    "delete-during-iteration",
    "sharded-whole-map",
    "churn",
];

/// The models every correct adapter passes, each for a bounded number of runs.
fn passes<S: Structure>() {
    passes_or::<S>(&[]);
}

/// Like [`passes`], but a failure of one of `documented` (a finding the README records) is allowed.
fn passes_or<S: Structure>(documented: &[Oracle]) {
    for m in MODELS {
        let o = run::<S>(m, 25);
        match &o.verdict {
            Verdict::Pass => assert_eq!(o.schedules, 25, "{} on {m} ran every run", S::INFO.name),
            Verdict::Fail(f) if documented.contains(&f.oracle) => {}
            other => panic!("{} on {m}: {other:?}", S::INFO.name),
        }
    }
}

#[test]
fn mutex_hashmap_passes() {
    passes::<Adapted<mutex::MutexHashMap>>();
}

#[test]
fn dashmap_passes() {
    passes::<Adapted<dashmap::DashMapAdapter>>();
}

#[test]
fn papaya_passes() {
    passes::<Adapted<papaya::PapayaAdapter>>();
}

#[test]
fn scc_passes() {
    passes::<Adapted<scc::SccAdapter>>();
}

#[test]
fn flurry_passes() {
    passes::<Adapted<flurry::FlurryAdapter>>();
}

#[test]
fn a_remove_that_does_not_remove_is_caught() {
    let o = run::<Adapted<broken::FakeRemove>>("concurrent-delete", 50);
    let Verdict::Fail(f) = &o.verdict else {
        panic!("the fake remove was not caught: {:?}", o.verdict);
    };
    assert!(
        matches!(
            f.oracle,
            Oracle::LostDelete | Oracle::ExactlyOnceDelete | Oracle::Linearizability
        ),
        "{f:?}"
    );
    assert!(o.failure.is_some(), "the failing history is kept");
}

/// A mutex-hashmap whose remove also leaks a small allocation: the first run leaks, and is
/// reported.
struct LeakyRemove(mutex::MutexHashMap);

impl Adapter for LeakyRemove {
    const INFO: StructureInfo = StructureInfo {
        name: "test-leaky-remove",
        mutant: Some("remove leaks a small allocation"),
        ..mutex::MutexHashMap::INFO
    };
    fn new() -> Self {
        LeakyRemove(mutex::MutexHashMap::new())
    }
}

impl Map for LeakyRemove {
    fn insert(&self, k: Key, v: Value) -> Option<Value> {
        self.0.insert(k, v)
    }
    fn remove(&self, k: Key) -> Option<Value> {
        // black_box: an allocation nobody reads may be removed by the optimiser, and then there
        // is no leak to report (it was, once this file was compiled into the shared test binary).
        std::mem::forget(std::hint::black_box(Box::new([0u8; 48])));
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

#[test]
fn a_leak_on_every_run_is_reported_on_the_first_run() {
    let o = run::<Adapted<LeakyRemove>>("concurrent-delete", 20);
    match &o.verdict {
        Verdict::Fail(f) => assert_eq!(f.oracle, Oracle::Leak, "{}", f.summary),
        other => panic!("the leak was not reported: {other:?}"),
    }
    assert_eq!(o.schedules, 1, "reported on the run where it happened");
}

#[test]
fn removing_inside_dashmaps_own_iter_hangs_and_the_evidence_names_the_threads() {
    let workload = (model("delete-during-iteration").unwrap().build)(Size::THREADS);
    let limits = Limits {
        max_schedules: 10,
        budget: Duration::from_secs(4),
        ..Limits::default()
    };
    let o = mapcheck_harness::run::<Adapted<broken::DashMapRemoveInIter>>(
        &workload,
        Engine::Threads { seed: 42 },
        limits,
    );
    let Verdict::Fail(f) = &o.verdict else {
        panic!("the self-deadlock was not caught: {:?}", o.verdict);
    };
    assert_eq!(f.oracle, Oracle::Deadlock, "{}", f.summary);
    assert!(
        f.summary
            .contains("T0 blocked in iterate(delete: even) > remove("),
        "the iterating thread is named with the remove it waits in: {}",
        f.summary
    );
    assert!(f.summary.contains("T1 "), "every thread is named: {}", f.summary);
    let history = &o.failure.as_ref().unwrap().history;
    assert!(
        f.evidence.iter().all(|&id| history.events[id].ret.is_none()),
        "evidence: the pending operations"
    );
}

#[test]
fn adapters_are_not_applicable_under_loom_and_shuttle() {
    let workload = (model("concurrent-delete").unwrap().build)(Size::LOOM);
    for engine in [
        Engine::Loom { preemption_bound: 2 },
        Engine::ShuttleRandom { seed: 1 },
        Engine::ShuttlePct { seed: 1, depth: 2 },
        Engine::ShuttleDfs,
    ] {
        let o = mapcheck_harness::run::<Adapted<dashmap::DashMapAdapter>>(&workload, engine, limits(10));
        assert_eq!(o.schedules, 0, "{engine}");
        match &o.verdict {
            Verdict::NotApplicable { reason } => assert!(reason.contains("real threads only"), "{reason}"),
            other => panic!("{engine}: {other:?}"),
        }
    }
    let entry = structures()
        .into_iter()
        .find(|e| e.info.name == "dashmap")
        .unwrap();
    assert!((entry.not_applicable)(&Engine::ShuttleDfs).is_some());
    assert!((entry.not_applicable)(&Engine::Threads { seed: 1 }).is_none());
}

#[test]
fn the_readme_example_adapter_compiles_runs_and_is_the_one_in_the_readme() {
    custom_adapter::main();
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/adapters.md")).unwrap();
    let example = include_str!("../examples/custom_adapter.rs");
    let body = &example[example.find("use mapcheck::prelude").unwrap()..];
    assert!(
        readme.contains(body),
        "docs/adapters.md quotes adapters/examples/custom_adapter.rs from its first `use`"
    );
}

//! The liveness oracle: a deadlock, a panic and a runaway loop are each reported as failures, with
//! the schedule that led there, under the engines that can see them.

use mapcheck_harness::rt::{yield_now, AtomicUsize, AtomicUsizeOps, Ordering, Runtime, RwLock};
use mapcheck_harness::{
    Engine, Footprint, IterationGuarantee, Key, Limits, Map, Op, Oracle, Pinned, ReclamationPolicy,
    Structure, StructureInfo, Value, Verdict, Workload,
};
use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::time::Duration;

/// A locked map whose iteration holds the read lock while it visits, so a visitor that deletes
/// (Go's `for k := range m { delete(m, k) }` under an RWMutex) waits for the write lock forever;
/// `get` of key 13 panics, and `insert` of key 99 spins until a flag nobody sets.
struct Hazards<R: Runtime> {
    m: RwLock<R, BTreeMap<Key, Value>>,
    never: AtomicUsize<R>,
}

impl<R: Runtime> Map for Hazards<R> {
    fn insert(&self, k: Key, v: Value) -> Option<Value> {
        if k == 99 {
            while self.never.load(Ordering::SeqCst) == 0 {
                yield_now::<R>();
            }
        }
        self.m.write().insert(k, v)
    }
    fn remove(&self, k: Key) -> Option<Value> {
        self.m.write().remove(&k)
    }
    fn get(&self, k: Key) -> Option<Value> {
        assert_ne!(k, 13, "get(13) is unlucky");
        self.m.read().get(&k).copied()
    }
    fn len(&self) -> usize {
        self.m.read().len()
    }
    fn clear(&self) {
        self.m.write().clear()
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        let g = self.m.read();
        for (k, v) in g.iter() {
            if visit(*k, *v).is_break() {
                break;
            }
        }
    }
    fn footprint(&self) -> Footprint {
        Footprint::default()
    }
}

struct HazardsS;
impl Structure for HazardsS {
    type Map<R: Runtime> = Hazards<R>;
    fn new<R: Runtime>() -> Hazards<R> {
        Hazards {
            m: RwLock::new(BTreeMap::new()),
            never: AtomicUsize::new(0),
        }
    }
    const INFO: StructureInfo = StructureInfo {
        name: "test-hazards",
        summary: "deadlocks, panics and spins on purpose",
        iteration: IterationGuarantee::Snapshot,
        reclamation: ReclamationPolicy::ShrinksWithLive,
        atomic_whole_map: true,
        unsynchronised: false,
        mutant: Some("delete under the read lock of an iteration; a panic; a spin loop"),
    };
}

fn one(op: Op) -> Workload {
    Workload {
        initial: vec![(1, 10)],
        threads: vec![vec![op], vec![Op::Get { key: 1 }]],
    }
}

fn limits() -> Limits {
    Limits {
        max_schedules: 100,
        budget: Duration::from_secs(60),
        max_steps: 2_000,
        ..Limits::default()
    }
}

fn failure(o: &mapcheck_harness::Outcome) -> (Oracle, &str) {
    match &o.verdict {
        Verdict::Fail(f) => (f.oracle, f.summary.as_str()),
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn delete_during_iteration_under_the_read_lock_deadlocks() {
    let w = one(Op::Iterate {
        delete: mapcheck_harness::DeleteIf::All,
    });
    for engine in [
        Engine::Loom { preemption_bound: 1 },
        Engine::ShuttlePct { seed: 1, depth: 2 },
    ] {
        let o = mapcheck_harness::run::<HazardsS>(&w, engine, limits());
        assert_eq!(failure(&o).0, Oracle::Deadlock, "{engine}");
        assert!(o.failure.is_some(), "{engine}: the schedule is kept");
    }
}

#[test]
fn a_panic_is_reported_with_its_message() {
    let w = one(Op::Get { key: 13 });
    for engine in [
        Engine::Loom { preemption_bound: 1 },
        Engine::ShuttleRandom { seed: 1 },
        Engine::Threads { seed: 1 },
    ] {
        let o = mapcheck_harness::run::<HazardsS>(&w, engine, limits());
        let (oracle, summary) = failure(&o);
        assert_eq!(oracle, Oracle::Panic, "{engine}");
        assert!(summary.contains("unlucky"), "{engine}: {summary}");
    }
}

#[test]
fn a_runaway_loop_hits_the_step_bound_and_replays() {
    let w = one(Op::Insert { key: 99, value: 1 });
    let engine = Engine::ShuttleRandom { seed: 2 };
    let o = mapcheck_harness::run::<HazardsS>(&w, engine, limits());
    assert_eq!(failure(&o).0, Oracle::StepBound);
    let pinned = o.failure.as_ref().unwrap().pinned.clone();
    assert!(matches!(pinned, Pinned::Shuttle { .. }));
    let again = mapcheck_harness::replay::<HazardsS>(&w, engine, &pinned, limits());
    assert_eq!(failure(&again).0, Oracle::StepBound);
}

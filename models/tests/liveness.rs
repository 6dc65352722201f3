//! The liveness oracle: a deadlock, a panic and a runaway loop are each reported as failures, with
//! the schedule that led there, under the engines that can see them; an iteration that deletes and
//! reinserts for ever is cut and judged, and one that ignores its visitor's `Break` is stopped. A
//! panic while the map is built and filled, or in its reclamation step after the threads, is the
//! run's panic with its message under every engine.

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
/// `get` of key 13 panics, `insert` of key 99 spins until a flag nobody sets, `insert` of key 66
/// panics, and so does the reclamation step while key 77 is present.
struct Hazards<R: Runtime> {
    m: RwLock<R, BTreeMap<Key, Value>>,
    never: AtomicUsize<R>,
}

impl<R: Runtime> Map for Hazards<R> {
    fn insert(&self, k: Key, v: Value) -> Option<Value> {
        assert_ne!(k, 66, "sixty-six is refused");
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
    fn reclaim(&self) {
        assert!(!self.m.read().contains_key(&77), "reclaim refuses 77");
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
fn a_panic_while_the_map_is_filled_or_reclaimed_is_reported_with_its_message() {
    let filled = Workload {
        initial: vec![(66, 1)],
        threads: vec![vec![Op::Get { key: 1 }], vec![Op::Get { key: 2 }]],
    };
    let reclaimed = Workload {
        initial: vec![(77, 1)],
        threads: vec![vec![Op::Get { key: 1 }], vec![Op::Get { key: 2 }]],
    };
    for (w, message) in [
        (&filled, "sixty-six is refused"),
        (&reclaimed, "reclaim refuses 77"),
    ] {
        for engine in [
            Engine::Loom { preemption_bound: 1 },
            Engine::ShuttleRandom { seed: 1 },
            Engine::Threads { seed: 1 },
        ] {
            let o = mapcheck_harness::run::<HazardsS>(w, engine, limits());
            let (oracle, summary) = failure(&o);
            assert_eq!(oracle, Oracle::Panic, "{engine}: {summary}");
            assert!(summary.contains(message), "{engine}: {summary}");
        }
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

/// A map whose iteration never ends on its own. With `WRAPS`, it walks its entries round and round
/// (a cursor that wraps instead of stopping); otherwise it restarts whenever its pass changed the
/// map and puts back every entry the visitor removed, so with a visitor that removes every key it
/// deletes and reinserts for ever, recording a remove each time. `HONOURS_BREAK` says whether it
/// stops when the visitor returns `ControlFlow::Break`.
struct Endless<R: Runtime, const WRAPS: bool, const HONOURS_BREAK: bool> {
    m: RwLock<R, BTreeMap<Key, Value>>,
}

impl<R: Runtime, const WRAPS: bool, const HONOURS_BREAK: bool> Map for Endless<R, WRAPS, HONOURS_BREAK> {
    fn insert(&self, k: Key, v: Value) -> Option<Value> {
        self.m.write().insert(k, v)
    }
    fn remove(&self, k: Key) -> Option<Value> {
        self.m.write().remove(&k)
    }
    fn get(&self, k: Key) -> Option<Value> {
        self.m.read().get(&k).copied()
    }
    fn len(&self) -> usize {
        self.m.read().len()
    }
    fn clear(&self) {
        self.m.write().clear()
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        loop {
            let pass: Vec<(Key, Value)> = self.m.read().iter().map(|(k, v)| (*k, *v)).collect();
            let mut changed = WRAPS && !pass.is_empty();
            for (k, v) in pass {
                if visit(k, v).is_break() && HONOURS_BREAK {
                    return;
                }
                if !WRAPS && self.get(k).is_none() {
                    self.insert(k, v);
                    changed = true;
                }
            }
            if !changed {
                return;
            }
        }
    }
    fn footprint(&self) -> Footprint {
        Footprint::default()
    }
}

struct EndlessS<const WRAPS: bool, const HONOURS_BREAK: bool>;
impl<const WRAPS: bool, const HONOURS_BREAK: bool> Structure for EndlessS<WRAPS, HONOURS_BREAK> {
    type Map<R: Runtime> = Endless<R, WRAPS, HONOURS_BREAK>;
    fn new<R: Runtime>() -> Endless<R, WRAPS, HONOURS_BREAK> {
        Endless {
            m: RwLock::new(BTreeMap::new()),
        }
    }
    const INFO: StructureInfo = StructureInfo {
        name: "test-endless",
        summary: "an iteration that never ends on its own",
        iteration: IterationGuarantee::WeaklyConsistent,
        reclamation: ReclamationPolicy::NotObservable,
        atomic_whole_map: true,
        unsynchronised: false,
        mutant: Some("an iteration that wraps round, or deletes and reinserts, for ever"),
    };
}

fn iterate_while_reading(delete: mapcheck_harness::DeleteIf) -> Workload {
    Workload {
        initial: vec![(1, 10), (2, 20)],
        threads: vec![vec![Op::Iterate { delete }], vec![Op::Get { key: 1 }]],
    }
}

const ENGINES: [Engine; 3] = [
    Engine::Threads { seed: 1 },
    Engine::ShuttleRandom { seed: 1 },
    Engine::Loom { preemption_bound: 1 },
];

#[test]
fn an_iteration_that_wraps_round_for_ever_is_cut_and_judged() {
    let w = iterate_while_reading(mapcheck_harness::DeleteIf::Nothing);
    for engine in ENGINES {
        let o = mapcheck_harness::run::<EndlessS<true, true>>(&w, engine, limits());
        let (oracle, summary) = failure(&o);
        assert_eq!(oracle, Oracle::Iteration, "{engine}: {summary}");
        assert!(summary.contains("yielded key 1 twice"), "{engine}: {summary}");
    }
}

#[test]
fn an_iteration_that_deletes_and_reinserts_for_ever_is_cut_and_judged() {
    // The reinserted key comes back after the visitor's remove of it completed: a lost delete.
    let w = iterate_while_reading(mapcheck_harness::DeleteIf::All);
    for engine in ENGINES {
        let o = mapcheck_harness::run::<EndlessS<false, true>>(&w, engine, limits());
        let (oracle, summary) = failure(&o);
        assert_eq!(oracle, Oracle::LostDelete, "{engine}: {summary}");
    }
}

#[test]
fn an_iteration_that_ignores_break_is_stopped() {
    for (engine, delete) in [
        (Engine::Threads { seed: 1 }, mapcheck_harness::DeleteIf::All),
        (Engine::Threads { seed: 1 }, mapcheck_harness::DeleteIf::Nothing),
        (Engine::ShuttleRandom { seed: 1 }, mapcheck_harness::DeleteIf::All),
    ] {
        let w = iterate_while_reading(delete);
        let o = if delete == mapcheck_harness::DeleteIf::All {
            mapcheck_harness::run::<EndlessS<false, false>>(&w, engine, limits())
        } else {
            mapcheck_harness::run::<EndlessS<true, false>>(&w, engine, limits())
        };
        let (oracle, summary) = failure(&o);
        assert_eq!(oracle, Oracle::Panic, "{engine}: {summary}");
        assert!(summary.contains("runaway iteration"), "{engine}: {summary}");
    }
}

#[test]
fn a_deadlock_on_real_threads_is_caught_and_names_the_blocked_operations() {
    let w = one(Op::Iterate {
        delete: mapcheck_harness::DeleteIf::All,
    });
    let limits = Limits {
        budget: Duration::from_secs(1),
        ..limits()
    };
    let o = mapcheck_harness::run::<HazardsS>(&w, Engine::Threads { seed: 1 }, limits);
    let (oracle, summary) = failure(&o);
    assert_eq!(oracle, Oracle::Deadlock, "{summary}");
    assert!(
        summary.contains("T0 blocked in iterate(delete: all) > remove(1)"),
        "{summary}"
    );
}

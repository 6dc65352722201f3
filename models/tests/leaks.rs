//! The leak oracle under loom, shuttle and real threads: a structure that keeps a byte it allocated
//! after it is dropped, and one whose background thread is never stopped, are both reported as
//! leaks (and as nothing else); correct structures are not (see `engines.rs`, which runs them with
//! the same allocator).

use mapcheck_harness::rt::{spawn, Condvar, Mutex, Runtime};
use mapcheck_harness::{
    Engine, Footprint, IterationGuarantee, Key, Limits, Map, Op, Oracle, ReclamationPolicy, Structure,
    StructureInfo, Value, Verdict, Workload,
};
use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::time::Duration;

/// A locked map whose remove unlinks the entry but leaks a boxed copy of it.
struct Leaky<R: Runtime> {
    m: Mutex<R, BTreeMap<Key, Value>>,
}

impl<R: Runtime> Map for Leaky<R> {
    fn insert(&self, k: Key, v: Value) -> Option<Value> {
        self.m.lock().insert(k, v)
    }
    fn remove(&self, k: Key) -> Option<Value> {
        let r = self.m.lock().remove(&k);
        if let Some(v) = r {
            std::hint::black_box(Box::leak(Box::new(v)));
        }
        r
    }
    fn get(&self, k: Key) -> Option<Value> {
        self.m.lock().get(&k).copied()
    }
    fn len(&self) -> usize {
        self.m.lock().len()
    }
    fn clear(&self) {
        self.m.lock().clear()
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        let copy: Vec<_> = self.m.lock().iter().map(|(k, v)| (*k, *v)).collect();
        for (k, v) in copy {
            if visit(k, v).is_break() {
                break;
            }
        }
    }
    fn footprint(&self) -> Footprint {
        let n = self.m.lock().len();
        Footprint {
            live: n,
            capacity: n,
            snapshots: 1,
            ..Footprint::default()
        }
    }
}

const INFO: StructureInfo = StructureInfo {
    name: "test-leaky",
    summary: "remove leaks a box",
    iteration: IterationGuarantee::Snapshot,
    reclamation: ReclamationPolicy::ShrinksWithLive,
    atomic_whole_map: true,
    unsynchronised: false,
    mutant: Some("a remove that unlinks an entry without freeing it"),
};

struct LeakyS;
impl Structure for LeakyS {
    type Map<R: Runtime> = Leaky<R>;
    fn new<R: Runtime>() -> Leaky<R> {
        Leaky {
            m: Mutex::new(BTreeMap::new()),
        }
    }
    const INFO: StructureInfo = INFO;
}

/// A map with a background thread that waits for a stop signal nobody sends.
struct Unstopped<R: Runtime> {
    inner: Leaky<R>,
}

impl<R: Runtime> Map for Unstopped<R> {
    fn insert(&self, k: Key, v: Value) -> Option<Value> {
        self.inner.insert(k, v)
    }
    fn remove(&self, k: Key) -> Option<Value> {
        self.inner.m.lock().remove(&k)
    }
    fn get(&self, k: Key) -> Option<Value> {
        self.inner.get(k)
    }
    fn len(&self) -> usize {
        self.inner.len()
    }
    fn clear(&self) {
        self.inner.clear()
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        self.inner.iterate(visit)
    }
    fn footprint(&self) -> Footprint {
        self.inner.footprint()
    }
}

struct UnstoppedS;
impl Structure for UnstoppedS {
    type Map<R: Runtime> = Unstopped<R>;
    fn new<R: Runtime>() -> Unstopped<R> {
        // The thread parks on a condition variable for a signal that never comes; on real threads it
        // stays blocked for the rest of the test process.
        let signal = std::sync::Arc::new((Mutex::<R, bool>::new(false), Condvar::<R>::new()));
        let _ = spawn::<R, _>(move || {
            let mut stop = signal.0.lock();
            while !*stop {
                stop = signal.1.wait(stop);
            }
        });
        Unstopped {
            inner: LeakyS::new::<R>(),
        }
    }
    const INFO: StructureInfo = StructureInfo {
        name: "test-unstopped",
        mutant: Some("a background thread that is never stopped"),
        ..INFO
    };
}

fn workload() -> Workload {
    Workload {
        initial: vec![(1, 10)],
        threads: vec![
            vec![Op::Remove { key: 1 }],
            vec![Op::Insert { key: 2, value: 20 }],
        ],
    }
}

fn limits() -> Limits {
    Limits {
        max_schedules: 200,
        budget: Duration::from_secs(60),
        max_steps: 100_000,
        ..Limits::default()
    }
}

fn oracle(v: &Verdict) -> Option<Oracle> {
    match v {
        Verdict::Fail(f) => Some(f.oracle),
        _ => None,
    }
}

#[test]
fn the_counting_allocator_is_installed() {
    assert!(mapcheck_harness::alloc::installed());
}

#[test]
fn a_leaked_allocation_is_reported_under_every_engine() {
    for engine in [
        Engine::Loom { preemption_bound: 2 },
        Engine::ShuttlePct { seed: 1, depth: 2 },
        Engine::ShuttleRandom { seed: 1 },
        Engine::Threads { seed: 1 },
    ] {
        let o = mapcheck_harness::run::<LeakyS>(&workload(), engine, limits());
        assert_eq!(
            oracle(&o.verdict),
            Some(Oracle::Leak),
            "{engine}: {:?}",
            o.verdict
        );
        let Verdict::Fail(f) = &o.verdict else {
            unreachable!()
        };
        assert!(
            f.summary.contains("8 bytes in 1 allocation"),
            "{engine}: {}",
            f.summary
        );
    }
}

#[test]
fn a_thread_never_stopped_is_reported_as_a_leak_on_real_threads_and_shuttle() {
    for engine in [
        Engine::Threads { seed: 1 },
        Engine::ShuttlePct { seed: 1, depth: 2 },
    ] {
        let o = mapcheck_harness::run::<UnstoppedS>(&workload(), engine, limits());
        let Verdict::Fail(f) = &o.verdict else {
            panic!("{engine}: {:?}", o.verdict)
        };
        assert_eq!(f.oracle, Oracle::Leak, "{engine}: {f:?}");
        assert!(
            f.summary.contains("1 thread(s) it started were still running"),
            "{engine}: {}",
            f.summary
        );
        assert_eq!(o.schedules, 1, "{engine}: on the first run");
    }
}

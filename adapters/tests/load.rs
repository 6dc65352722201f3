//! The real-thread watchdog on a machine under heavy load: busy loops on every core, started here.
//! Every correct structure (the built-in ones that run on real threads, and every correct adapter)
//! gets no liveness failure, and every planted deadlock and livelock is still caught with the
//! oracle it deserves, under a stall cap a tenth of the default (200 ms of time the run's threads
//! could run).
//!
//! With wall-clock caps, as the watchdog had before it counted only the time the run's threads could
//! run, this load stops correct runs at these caps: their hand-offs wait for a CPU for hundreds of
//! milliseconds. The caps now stretch with the load, so the verdicts do not depend on how loaded the
//! machine is; only how long the planted livelocks take to catch does (they are caught once they
//! have spun for their cap on a CPU). The test prints its figures: runs, busy loops, false reports,
//! planted hangs caught, and the watchdog's summary line.

use mapcheck_adapters::broken::DashMapRemoveInIter;
use mapcheck_adapters::mutex::MutexHashMap;
use mapcheck_harness::adapter::{Adapted, Adapter};
use mapcheck_harness::engine::watchdog::{self, Caps};
use mapcheck_harness::{
    DeleteIf, Engine, Entry, Key, Limits, Map, Op, Oracle, Outcome, Size, Structure, StructureInfo, Value,
    Verdict, Workload,
};
use mapcheck_models::patterns::model;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Busy loops per core.
const PER_CORE: usize = 4;

/// Busy loops on every core until dropped.
struct Load {
    stop: Arc<AtomicBool>,
    loops: Vec<JoinHandle<()>>,
}

impl Load {
    fn start(n: usize) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let loops = (0..n)
            .map(|_| {
                let stop = stop.clone();
                std::thread::spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        std::hint::spin_loop();
                    }
                })
            })
            .collect();
        Load { stop, loops }
    }
}

impl Drop for Load {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for l in self.loops.drain(..) {
            let _ = l.join();
        }
    }
}

/// Caps for this test; the defaults come back when dropped.
struct SmallCaps;

impl SmallCaps {
    fn set(caps: Caps) -> SmallCaps {
        watchdog::set_caps(Some(caps));
        SmallCaps
    }
}

/// The stall cap of the correct runs and of the planted deadlocks: a tenth of the default.
const STALL: Duration = Duration::from_millis(200);

/// The caps of the planted spinning livelock: it is caught once it has spun for its stall cap on a
/// CPU, and under this load a thread gets a few percent of one (less when other processes load the
/// machine too), so the cap is smaller still. The verdict does not depend on it, only how long it
/// takes.
const SPIN_CAPS: Caps = Caps {
    stall: Duration::from_millis(10),
    operation: Duration::from_secs(60),
    run: Duration::from_secs(60),
};

/// The caps of the planted operation that never ends while another thread sleeps and records.
const STARVE_CAPS: Caps = Caps {
    stall: Duration::from_millis(400),
    operation: Duration::from_millis(20),
    run: Duration::from_secs(60),
};

const MODELS: [&str; 5] = [
    "insert-remove-get",
    "concurrent-delete",
    "delete-during-iteration",
    "sharded-whole-map",
    "churn",
];

/// A smaller workload than the engine's default, so that every structure gets several runs in a
/// short budget even under the load.
const SIZE: Size = Size {
    threads: 4,
    ops: 12,
    keys: 6,
};

fn limits(budget_ms: u64) -> Limits {
    Limits {
        max_schedules: 10_000,
        budget: Duration::from_millis(budget_ms),
        ..Limits::default()
    }
}

/// The correct structures that run on real threads.
fn correct() -> Vec<Entry> {
    let threads = Engine::Threads { seed: 0 };
    mapcheck_models::structures()
        .into_iter()
        .chain(mapcheck_adapters::structures())
        .filter(|e| e.info.mutant.is_none() && (e.not_applicable)(&threads).is_none())
        .collect()
}

/// A planted hang and the oracle that must report it.
struct Planted {
    name: &'static str,
    run: fn() -> Outcome,
    oracle: Oracle,
    caps: Caps,
    /// A fragment the failure's summary must hold (the thread or phase it names).
    names: &'static str,
    release: fn(),
}

fn planted() -> Vec<Planted> {
    vec![
        Planted {
            name: "lock-order inversion (both threads blocked)",
            run: || {
                run_once::<Adapted<Abba>>(Workload {
                    initial: Vec::new(),
                    threads: vec![vec![Op::Insert { key: 1, value: 1 }], vec![Op::Remove { key: 1 }]],
                })
            },
            oracle: Oracle::Deadlock,
            caps: Caps::from_stall(STALL),
            names: "T1 blocked in remove(1)",
            release: || {},
        },
        Planted {
            name: "dashmap-remove-in-iter (a self-deadlock in an iteration)",
            run: || {
                run_once::<Adapted<DashMapRemoveInIter>>(Workload {
                    initial: vec![(2, 20)],
                    threads: vec![
                        vec![Op::Iterate {
                            delete: DeleteIf::Even,
                        }],
                        vec![Op::Get { key: 2 }],
                    ],
                })
            },
            oracle: Oracle::Deadlock,
            caps: Caps::from_stall(STALL),
            names: "T0 blocked in iterate(delete: even) > remove(2)",
            release: || {},
        },
        Planted {
            name: "a drop that never returns (structure code outside the operations)",
            run: || run_once::<Adapted<StuckDrop>>(two(Op::Get { key: 1 }, Op::Get { key: 2 })),
            oracle: Oracle::Deadlock,
            caps: Caps::from_stall(STALL),
            names: "while reading the footprint, reclaiming and dropping the map",
            release: || {},
        },
        Planted {
            name: "an operation spinning on a CPU for ever (a livelock with nothing recorded)",
            run: || run_once::<Adapted<Spin>>(two(Op::Get { key: 0 }, Op::Get { key: 1 })),
            oracle: Oracle::Deadlock,
            caps: SPIN_CAPS,
            names: "T0 blocked in get(0)",
            release: || SPIN.store(true, Ordering::SeqCst),
        },
        Planted {
            name: "an operation that never ends while another thread goes on (step bound)",
            run: || {
                run_once::<Adapted<Starve>>(Workload {
                    initial: Vec::new(),
                    threads: vec![vec![Op::Get { key: 0 }], vec![Op::Get { key: 1 }; 100_000]],
                })
            },
            oracle: Oracle::StepBound,
            caps: STARVE_CAPS,
            names: "an operation of T0 was still running",
            release: Starve::release,
        },
    ]
}

fn two(a: Op, b: Op) -> Workload {
    Workload {
        initial: vec![(1, 10)],
        threads: vec![vec![a], vec![b]],
    }
}

fn run_once<S: Structure>(workload: Workload) -> Outcome {
    mapcheck_harness::run::<S>(&workload, Engine::Threads { seed: 5 }, limits(60_000))
}

#[test]
fn under_heavy_load_correct_structures_pass_and_planted_hangs_are_caught() {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let load = Load::start(cores * PER_CORE);
    let started = Instant::now();
    let mut runs = 0;
    let mut false_reports = Vec::new();
    let caps = SmallCaps::set(Caps::from_stall(STALL));
    for (i, e) in correct().iter().enumerate() {
        let m = MODELS[i % MODELS.len()];
        let workload = (model(m).expect("a model").build)(SIZE);
        let o = (e.run)(&workload, Engine::Threads { seed: 7 }, limits(200));
        runs += o.schedules;
        if o.verdict != Verdict::Pass {
            false_reports.push(format!("{} on {m}: {:?}", e.name(), o.verdict));
        }
    }
    let mut caught = 0;
    let mut missed = Vec::new();
    let planted = planted();
    drop(caps);
    for p in &planted {
        let _caps = SmallCaps::set(p.caps);
        let o = (p.run)();
        (p.release)();
        match &o.verdict {
            Verdict::Fail(f) if f.oracle == p.oracle && f.summary.contains(p.names) => caught += 1,
            other => missed.push(format!("{}: {other:?}", p.name)),
        }
    }
    let elapsed = started.elapsed();
    drop(load);
    let stats = watchdog::stats();
    eprintln!(
        "{runs} runs of {} correct structures and {} planted hangs under {} busy loops on {cores} \
         cores in {:.1} s: {} false report(s), {caught} planted hang(s) caught\n{}",
        correct().len(),
        planted.len(),
        cores * PER_CORE,
        elapsed.as_secs_f64(),
        false_reports.len(),
        stats.line().unwrap_or_default(),
    );
    assert!(
        false_reports.is_empty(),
        "false reports under load: {false_reports:#?}"
    );
    assert!(missed.is_empty(), "planted hangs not caught: {missed:#?}");
    assert!(runs >= correct().len(), "every correct structure ran");
}

/// The mutex-hashmap baseline's declaration, renamed for a planted structure.
const fn planted_info(name: &'static str) -> StructureInfo {
    StructureInfo {
        name,
        mutant: Some("hangs on purpose"),
        ..MutexHashMap::INFO
    }
}

/// Forwards the map operations the planted structures do not change to the baseline at `.0`.
macro_rules! forward {
    ($($op:ident),*) => {
        $(forward!(@one $op);)*
    };
    (@one insert) => { fn insert(&self, k: Key, v: Value) -> Option<Value> { self.0.insert(k, v) } };
    (@one remove) => { fn remove(&self, k: Key) -> Option<Value> { self.0.remove(k) } };
    (@one get) => { fn get(&self, k: Key) -> Option<Value> { self.0.get(k) } };
    (@one rest) => {
        fn len(&self) -> usize { self.0.len() }
        fn clear(&self) { self.0.clear() }
        fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) { self.0.iterate(visit) }
    };
}

/// `insert` takes lock A then lock B, `remove` lock B then lock A, and both meet between the two:
/// a lock-order inversion that deadlocks on every run.
struct Abba(MutexHashMap, Mutex<()>, Mutex<()>, Barrier);

impl Adapter for Abba {
    const INFO: StructureInfo = planted_info("test-abba");
    fn new() -> Self {
        Abba(
            MutexHashMap::new(),
            Mutex::new(()),
            Mutex::new(()),
            Barrier::new(2),
        )
    }
}

impl Map for Abba {
    fn insert(&self, k: Key, v: Value) -> Option<Value> {
        let _a = self.1.lock();
        self.3.wait();
        let _b = self.2.lock();
        self.0.insert(k, v)
    }
    fn remove(&self, k: Key) -> Option<Value> {
        let _b = self.2.lock();
        self.3.wait();
        let _a = self.1.lock();
        self.0.remove(k)
    }
    forward!(get, rest);
}

/// Its drop waits for a message that never comes (it holds the sender itself).
struct StuckDrop(
    MutexHashMap,
    Mutex<(std::sync::mpsc::Sender<()>, std::sync::mpsc::Receiver<()>)>,
);

impl Adapter for StuckDrop {
    const INFO: StructureInfo = planted_info("test-stuck-drop");
    fn new() -> Self {
        StuckDrop(MutexHashMap::new(), Mutex::new(std::sync::mpsc::channel()))
    }
}

impl Drop for StuckDrop {
    fn drop(&mut self) {
        let _ = self.1.lock().unwrap_or_else(|e| e.into_inner()).1.recv();
    }
}

impl Map for StuckDrop {
    forward!(insert, remove, get, rest);
}

static SPIN: AtomicBool = AtomicBool::new(false);

/// `get(0)` spins on its CPU until the test ends: a livelock that records nothing.
struct Spin(MutexHashMap);

impl Adapter for Spin {
    const INFO: StructureInfo = planted_info("test-spin");
    fn new() -> Self {
        Spin(MutexHashMap::new())
    }
}

impl Map for Spin {
    fn get(&self, k: Key) -> Option<Value> {
        while k == 0 && !SPIN.load(Ordering::Relaxed) {
            std::hint::spin_loop();
        }
        self.0.get(k)
    }
    forward!(insert, remove, rest);
}

static STARVE: (Mutex<bool>, Condvar) = (Mutex::new(false), Condvar::new());

/// `get(0)` waits until the test ends; every other `get` sleeps for a millisecond first, so a thread
/// making them records progress all the time without needing much of a CPU.
struct Starve(MutexHashMap);

impl Starve {
    fn release() {
        *STARVE.0.lock().unwrap_or_else(|e| e.into_inner()) = true;
        STARVE.1.notify_all();
    }

    fn released() -> bool {
        *STARVE.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Adapter for Starve {
    const INFO: StructureInfo = planted_info("test-starve");
    fn new() -> Self {
        Starve(MutexHashMap::new())
    }
}

impl Map for Starve {
    fn get(&self, k: Key) -> Option<Value> {
        if k == 0 {
            let mut done = STARVE.0.lock().unwrap_or_else(|e| e.into_inner());
            while !*done {
                done = STARVE.1.wait(done).unwrap_or_else(|e| e.into_inner());
            }
        } else if !Starve::released() {
            std::thread::sleep(Duration::from_millis(1));
        }
        self.0.get(k)
    }
    forward!(insert, remove, rest);
}

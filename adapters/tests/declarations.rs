//! Declarations on real threads, as an adapter for a real crate makes them: a count that lags until
//! maintenance runs (len unobserved), operations the API lacks, a documented leak, a settle step
//! that needs the map, and settle steps for a crate version other than the one this crate pins.

use mapcheck_harness::adapter::{Adapted, Adapter};
use mapcheck_harness::{
    Engine, Key, Known, Limits, Map, Ops, Oracle, Outcome, Settle, Size, Structure, StructureInfo,
    Unobserved, Value, Verdict,
};
use mapcheck_models::patterns::{model, Model, MODELS};
use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

fn limits(runs: usize) -> Limits {
    Limits {
        max_schedules: runs,
        budget: Duration::from_secs(60),
        ..Limits::default()
    }
}

fn run<S: Structure>(name: &str, runs: usize) -> Outcome {
    let workload = (model(name).expect("a model").build)(Size::THREADS);
    mapcheck_harness::run::<S>(&workload, Engine::Threads { seed: 11 }, limits(runs))
}

/// A table behind a mutex whose entry count is brought up to date only by its maintenance (the
/// reclamation step), as a cache's is by its pending tasks: `len` lags behind the entries.
/// `DECLARED` says whether the adapter declares its `len` unobserved.
#[derive(Default)]
struct LaggingCount<const DECLARED: bool> {
    table: Mutex<HashMap<Key, Value>>,
    count: AtomicUsize,
}

impl<const DECLARED: bool> LaggingCount<DECLARED> {
    fn table(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Value>> {
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<const DECLARED: bool> Map for LaggingCount<DECLARED> {
    fn insert(&self, k: Key, v: Value) -> Option<Value> {
        self.table().insert(k, v)
    }
    fn remove(&self, k: Key) -> Option<Value> {
        self.table().remove(&k)
    }
    fn get(&self, k: Key) -> Option<Value> {
        self.table().get(&k).copied()
    }
    /// The count as of the last maintenance.
    fn len(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }
    fn clear(&self) {
        self.table().clear()
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        let copy: Vec<(Key, Value)> = self.table().iter().map(|(k, v)| (*k, *v)).collect();
        for (k, v) in copy {
            if visit(k, v).is_break() {
                break;
            }
        }
    }
    /// The maintenance: brings the count up to date.
    fn reclaim(&self) {
        let n = self.table().len();
        self.count.store(n, Ordering::SeqCst);
    }
}

impl<const DECLARED: bool> Adapter for LaggingCount<DECLARED> {
    const INFO: StructureInfo = StructureInfo::new("test-lagging-count")
        .iteration(mapcheck_harness::IterationGuarantee::Snapshot)
        .atomic_whole_map();
    const UNOBSERVED: Unobserved = Unobserved {
        len: DECLARED,
        ..Unobserved::NONE
    };
    fn new() -> Self {
        LaggingCount::default()
    }
}

#[test]
fn a_count_that_lags_until_maintenance_passes_every_model_when_len_is_declared_unobserved() {
    // Every model it can run: it has none of the compound operations.
    let runs =
        |m: &&Model| Adapted::<LaggingCount<true>>::SUPPORTS.contains((m.build)(Size::THREADS).operations());
    for m in MODELS.iter().filter(runs) {
        let o = run::<Adapted<LaggingCount<true>>>(m.name, 20);
        assert_eq!(o.verdict, Verdict::Pass, "{}", m.name);
        assert_eq!(o.schedules, 20, "{}", m.name);
    }
}

#[test]
fn a_count_that_lags_until_maintenance_fails_when_len_is_not_declared_unobserved() {
    let lost: Vec<Oracle> = MODELS
        .iter()
        .filter_map(
            |m| match run::<Adapted<LaggingCount<false>>>(m.name, 20).verdict {
                Verdict::Fail(f) => Some(f.oracle),
                _ => None,
            },
        )
        .collect();
    assert!(
        lost.iter()
            .any(|o| matches!(o, Oracle::LostInsert | Oracle::LostDelete)),
        "{lost:?}"
    );
}

/// A table behind a mutex with neither `clear` nor iteration in its API: the adapter declares them
/// absent and does not write them.
#[derive(Default)]
struct NoClearNoIteration(Mutex<HashMap<Key, Value>>);

impl Map for NoClearNoIteration {
    fn insert(&self, k: Key, v: Value) -> Option<Value> {
        self.0.lock().unwrap().insert(k, v)
    }
    fn remove(&self, k: Key) -> Option<Value> {
        self.0.lock().unwrap().remove(&k)
    }
    fn get(&self, k: Key) -> Option<Value> {
        self.0.lock().unwrap().get(&k).copied()
    }
    fn len(&self) -> usize {
        self.0.lock().unwrap().len()
    }
}

impl Adapter for NoClearNoIteration {
    const INFO: StructureInfo = StructureInfo::new("test-no-clear-no-iteration").atomic_whole_map();
    const SUPPORTS: Ops = Ops::STANDARD.without(Ops::CLEAR).without(Ops::ITERATE);
    fn new() -> Self {
        NoClearNoIteration::default()
    }
}

#[test]
fn models_that_call_an_absent_operation_are_not_applicable_and_say_why() {
    let mut applicable = 0;
    for m in MODELS {
        let workload = (m.build)(Size::THREADS);
        let needs = workload.operations();
        let o = run::<Adapted<NoClearNoIteration>>(m.name, 10);
        let lacks = needs.without(Adapted::<NoClearNoIteration>::SUPPORTS);
        if !lacks.is_empty() {
            let Verdict::NotApplicable { reason } = &o.verdict else {
                panic!("{}: {:?}", m.name, o.verdict);
            };
            assert_eq!(o.schedules, 0, "{}: nothing ran", m.name);
            assert!(
                reason.contains("test-no-clear-no-iteration declares no"),
                "{reason}"
            );
            assert!(
                lacks.names().iter().any(|op| reason.contains(op)),
                "names the operation: {reason}"
            );
        } else {
            applicable += 1;
            assert_eq!(o.verdict, Verdict::Pass, "{}", m.name);
        }
    }
    assert!(applicable > 0, "some models need neither");
}

/// A table behind a mutex whose remove leaks a small allocation, as a crate with a documented leak
/// would; `BUG` plants a lost delete besides (a remove that leaves the entry).
struct LeakyRemove<const BUG: bool>(Mutex<HashMap<Key, Value>>);

impl<const BUG: bool> Map for LeakyRemove<BUG> {
    fn insert(&self, k: Key, v: Value) -> Option<Value> {
        self.0.lock().unwrap().insert(k, v)
    }
    fn remove(&self, k: Key) -> Option<Value> {
        std::mem::forget(std::hint::black_box(Box::new([0u8; 48])));
        if BUG {
            return self.0.lock().unwrap().get(&k).copied();
        }
        self.0.lock().unwrap().remove(&k)
    }
    fn get(&self, k: Key) -> Option<Value> {
        self.0.lock().unwrap().get(&k).copied()
    }
    fn len(&self) -> usize {
        self.0.lock().unwrap().len()
    }
    fn clear(&self) {
        self.0.lock().unwrap().clear()
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        let copy: Vec<(Key, Value)> = self.0.lock().unwrap().iter().map(|(k, v)| (*k, *v)).collect();
        for (k, v) in copy {
            if visit(k, v).is_break() {
                break;
            }
        }
    }
}

impl<const BUG: bool> Adapter for LeakyRemove<BUG> {
    const INFO: StructureInfo = StructureInfo::new("test-known-leak")
        .iteration(mapcheck_harness::IterationGuarantee::Snapshot)
        .atomic_whole_map();
    const KNOWN: &'static [Known] = &[Known::leak("remove leaks 48 bytes (documented)")];
    fn new() -> Self {
        LeakyRemove(Mutex::default())
    }
}

#[test]
fn a_known_leak_is_a_finding_and_exploration_goes_on() {
    let o = run::<Adapted<LeakyRemove<false>>>("concurrent-delete", 25);
    assert_eq!(o.verdict, Verdict::Pass);
    assert_eq!(o.schedules, 25, "every run ran");
    assert_eq!(o.findings.len(), 1, "{:?}", o.findings);
    let f = &o.findings[0];
    assert_eq!(f.oracle, Oracle::Leak);
    assert_eq!(f.runs, 25, "every run removes, so every run leaks");
    assert_eq!(f.declared, "remove leaks 48 bytes (documented)");
    assert!(f.first.contains("bytes in"), "{}", f.first);
}

#[test]
fn a_known_leak_hides_no_other_bug() {
    let o = run::<Adapted<LeakyRemove<true>>>("concurrent-delete", 25);
    let Verdict::Fail(f) = &o.verdict else {
        panic!("the lost delete was hidden: {:?}", o.verdict);
    };
    assert_ne!(f.oracle, Oracle::Leak, "{}", f.summary);
}

/// A map that defers its frees to a garbage list only the map can flush (a collector it shares with
/// others, which its drop does not reclaim); `SETTLES` says whether it flushes it in its own
/// settle step.
struct DeferredFrees<const SETTLES: bool> {
    table: Mutex<HashMap<Key, Value>>,
    garbage: &'static Mutex<Vec<Box<[u8; 64]>>>,
}

static GARBAGE_SETTLED: Mutex<Vec<Box<[u8; 64]>>> = Mutex::new(Vec::new());
static GARBAGE_UNSETTLED: Mutex<Vec<Box<[u8; 64]>>> = Mutex::new(Vec::new());

impl<const SETTLES: bool> Map for DeferredFrees<SETTLES> {
    fn insert(&self, k: Key, v: Value) -> Option<Value> {
        self.table.lock().unwrap().insert(k, v)
    }
    fn remove(&self, k: Key) -> Option<Value> {
        // Every remove retires a node to the shared collector.
        self.garbage.lock().unwrap().push(Box::new([0; 64]));
        self.table.lock().unwrap().remove(&k)
    }
    fn get(&self, k: Key) -> Option<Value> {
        self.table.lock().unwrap().get(&k).copied()
    }
    fn len(&self) -> usize {
        self.table.lock().unwrap().len()
    }
    fn clear(&self) {
        self.table.lock().unwrap().clear()
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        let copy: Vec<(Key, Value)> = self.table.lock().unwrap().iter().map(|(k, v)| (*k, *v)).collect();
        for (k, v) in copy {
            if visit(k, v).is_break() {
                break;
            }
        }
    }
    /// Flushes the shared collector: what it retired is freed.
    fn settle(&self) {
        if SETTLES {
            drop(std::mem::take(&mut *self.garbage.lock().unwrap()));
        }
    }
}

impl<const SETTLES: bool> Adapter for DeferredFrees<SETTLES> {
    const INFO: StructureInfo = StructureInfo::new("test-deferred-frees")
        .iteration(mapcheck_harness::IterationGuarantee::Snapshot)
        .atomic_whole_map();
    fn new() -> Self {
        DeferredFrees {
            table: Mutex::default(),
            garbage: if SETTLES {
                &GARBAGE_SETTLED
            } else {
                &GARBAGE_UNSETTLED
            },
        }
    }
}

#[test]
fn a_settle_step_that_sees_the_map_frees_what_only_the_map_can_flush() {
    let o = run::<Adapted<DeferredFrees<true>>>("concurrent-delete", 20);
    assert_eq!(o.verdict, Verdict::Pass);
    let o = run::<Adapted<DeferredFrees<false>>>("concurrent-delete", 20);
    let Verdict::Fail(f) = &o.verdict else {
        panic!("the deferred frees were not reported: {:?}", o.verdict);
    };
    assert_eq!(f.oracle, Oracle::Leak);
    assert!(
        f.summary.contains("deferred frees") && f.summary.contains("Settle::after_drop"),
        "the report names the likely cause and the step: {}",
        f.summary
    );
}

/// parking_lot_core 0.8's settle step, built by the library for a version this crate's maps do not
/// use: no helper is copied, the user's own dependency path is all it takes.
const PARKING_LOT_08: Settle = mapcheck_harness::settle!(parking_lot_core: parking_lot_core_08);

#[test]
fn settle_steps_serve_whichever_version_of_the_crate_the_user_has() {
    use mapcheck_harness::alloc::{untracked, Scope};
    assert_eq!(PARKING_LOT_08.per_thread.len(), 1);
    std::thread::spawn(|| {
        untracked(PARKING_LOT_08.per_thread[0]);
        // Registered: a second call on this thread allocates nothing.
        let scope = Scope::new();
        scope.run(PARKING_LOT_08.per_thread[0]);
        let live = scope.live();
        scope.close();
        assert_eq!(live, (0, 0));
    })
    .join()
    .unwrap();
    // Several crates in one declaration.
    const BOTH: Settle = mapcheck_harness::settle!(sdd: sdd, parking_lot_core: parking_lot_core);
    assert_eq!(
        (BOTH.once.len(), BOTH.per_thread.len(), BOTH.after_drop.len()),
        (0, 2, 1)
    );
}

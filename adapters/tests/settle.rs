//! Deferred reclamation is not a leak, and a real leak is still one: an epoch-based map
//! (crossbeam-epoch) passes with its declared settle step and leaks without it, a variant that
//! forgets one node once in the whole process is caught on its first run, one that leaks on every
//! run is caught, process-wide state declared as such is not blamed on a run, and the helpers for
//! sdd and parking_lot free or create what they say.

use crossbeam_epoch::{Atomic, Owned};
use mapcheck_adapters::settle;
use mapcheck_harness::adapter::{Adapted, Adapter};
use mapcheck_harness::alloc::{untracked, Scope};
use mapcheck_harness::{
    Engine, IterationGuarantee, Key, Limits, Map, Oracle, Outcome, ReclamationPolicy, Settle, Size,
    Structure, StructureInfo, Value, Verdict,
};
use mapcheck_models::patterns::{model, Model, MODELS};
use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// What an [`EpochMap`] gets wrong, if anything.
const CORRECT: u8 = 0;
/// The first snapshot retired in the process is never retired: one node leaked, once.
const FORGETS_ONE: u8 = 1;
/// The snapshot a successful remove replaces is never retired: a little on every run.
const LEAKS_ON_REMOVE: u8 = 2;

/// A copy-on-write map over crossbeam-epoch: writers copy the current snapshot under a lock,
/// publish the copy and defer the old snapshot's destruction to the epoch collector; readers pin
/// and read the snapshot they load. Correct for `BUG == CORRECT`; `DECLARED` says whether it
/// declares crossbeam-epoch's settle step.
struct EpochMap<const BUG: u8, const DECLARED: bool> {
    writer: Mutex<()>,
    current: Atomic<BTreeMap<Key, Value>>,
}

static FORGOT: AtomicBool = AtomicBool::new(false);

impl<const BUG: u8, const DECLARED: bool> EpochMap<BUG, DECLARED> {
    /// Replaces the snapshot with `change` applied to a copy; returns what `change` returns.
    fn write<T>(&self, removes: bool, change: impl FnOnce(&mut BTreeMap<Key, Value>) -> T) -> T {
        let _w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let guard = crossbeam_epoch::pin();
        let old = self.current.load(Ordering::Acquire, &guard);
        // SAFETY: the snapshot is loaded under a guard and only retired under the writer lock.
        let mut copy = unsafe { old.deref() }.clone();
        let out = change(&mut copy);
        self.current.store(Owned::new(copy), Ordering::Release);
        let forget = match BUG {
            FORGETS_ONE => !FORGOT.swap(true, Ordering::SeqCst),
            LEAKS_ON_REMOVE => removes,
            _ => false,
        };
        if !forget {
            // SAFETY: `old` is unlinked; readers that loaded it hold guards.
            unsafe { guard.defer_destroy(old) };
        }
        out
    }

    fn read<T>(&self, f: impl FnOnce(&BTreeMap<Key, Value>) -> T) -> T {
        let guard = crossbeam_epoch::pin();
        // SAFETY: loaded under a guard.
        f(unsafe { self.current.load(Ordering::Acquire, &guard).deref() })
    }
}

impl<const BUG: u8, const DECLARED: bool> Drop for EpochMap<BUG, DECLARED> {
    fn drop(&mut self) {
        // SAFETY: `&mut self`: no reader or writer is left.
        unsafe {
            drop(
                self.current
                    .load(Ordering::Relaxed, crossbeam_epoch::unprotected())
                    .into_owned(),
            )
        };
    }
}

impl<const BUG: u8, const DECLARED: bool> Map for EpochMap<BUG, DECLARED> {
    fn insert(&self, k: Key, v: Value) -> Option<Value> {
        self.write(false, |m| m.insert(k, v))
    }
    fn remove(&self, k: Key) -> Option<Value> {
        self.write(true, |m| m.remove(&k))
    }
    fn get(&self, k: Key) -> Option<Value> {
        self.read(|m| m.get(&k).copied())
    }
    fn len(&self) -> usize {
        self.read(|m| m.len())
    }
    fn clear(&self) {
        self.write(false, |m| m.clear())
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        let copy: Vec<(Key, Value)> = self.read(|m| m.iter().map(|(k, v)| (*k, *v)).collect());
        for (k, v) in copy {
            if visit(k, v).is_break() {
                break;
            }
        }
    }
}

impl<const BUG: u8, const DECLARED: bool> Adapter for EpochMap<BUG, DECLARED> {
    const INFO: StructureInfo = StructureInfo {
        name: "test-epoch-cow",
        summary: "copy-on-write snapshots retired through crossbeam-epoch",
        iteration: IterationGuarantee::Snapshot,
        reclamation: ReclamationPolicy::NotObservable,
        atomic_whole_map: true,
        unsynchronised: false,
        mutant: match BUG {
            CORRECT => None,
            FORGETS_ONE => Some("forgets to retire one snapshot, once in the process"),
            _ => Some("forgets to retire the snapshot a remove replaces"),
        },
    };
    const SETTLE: Settle = if DECLARED {
        settle::CROSSBEAM_EPOCH
    } else {
        Settle::NONE
    };
    fn new() -> Self {
        EpochMap {
            writer: Mutex::new(()),
            current: Atomic::new(BTreeMap::new()),
        }
    }
}

fn limits(runs: usize) -> Limits {
    Limits {
        max_schedules: runs,
        budget: Duration::from_secs(60),
        ..Limits::default()
    }
}

fn run<S: Structure>(name: &str, runs: usize) -> Outcome {
    let workload = (model(name).expect("a model").build)(Size::THREADS);
    mapcheck_harness::run::<S>(&workload, Engine::Threads { seed: 7 }, limits(runs))
}

fn leak(o: &Outcome) -> &str {
    match &o.verdict {
        Verdict::Fail(f) if f.oracle == Oracle::Leak => &f.summary,
        other => panic!("expected a leak, got {other:?}"),
    }
}

#[test]
fn an_epoch_map_with_its_settle_step_passes_every_model() {
    // Every model it can run: it has none of the compound operations.
    let runs = |m: &&Model| {
        Adapted::<EpochMap<CORRECT, true>>::SUPPORTS.contains((m.build)(Size::THREADS).operations())
    };
    for m in MODELS.iter().filter(runs) {
        let o = run::<Adapted<EpochMap<CORRECT, true>>>(m.name, 30);
        assert_eq!(o.verdict, Verdict::Pass, "{}", m.name);
        assert_eq!(o.schedules, 30, "{}", m.name);
    }
}

#[test]
fn an_epoch_map_without_its_settle_step_leaks_what_the_epochs_still_hold() {
    let o = run::<Adapted<EpochMap<CORRECT, false>>>("churn", 30);
    leak(&o);
    assert_eq!(o.schedules, 1, "on the first run");
}

#[test]
fn forgetting_one_node_once_in_the_process_is_caught_on_the_first_run() {
    let o = run::<Adapted<EpochMap<FORGETS_ONE, true>>>("insert-remove-get", 30);
    let summary = leak(&o);
    assert!(summary.contains("in 1 allocation(s)"), "{summary}");
    assert_eq!(o.schedules, 1, "on the run that leaked");
}

#[test]
fn leaking_on_every_remove_is_caught() {
    let o = run::<Adapted<EpochMap<LEAKS_ON_REMOVE, true>>>("concurrent-delete", 30);
    leak(&o);
    assert_eq!(o.schedules, 1, "on the first run");
}

/// A mutex-hashmap whose first use creates a process-wide pool (as a cache's global maintenance
/// pool would be), kept for the life of the process; `DECLARED` says whether it declares the pool's
/// creation as its process-wide step.
struct PooledMap<const DECLARED: bool>(mapcheck_adapters::mutex::MutexHashMap);

static POOL_DECLARED: OnceLock<Vec<u8>> = OnceLock::new();
static POOL_UNDECLARED: OnceLock<Vec<u8>> = OnceLock::new();

fn pool<const DECLARED: bool>() -> &'static Vec<u8> {
    let pool = if DECLARED {
        &POOL_DECLARED
    } else {
        &POOL_UNDECLARED
    };
    pool.get_or_init(|| vec![0; 4096])
}

fn create_pool() {
    pool::<true>();
}

impl<const DECLARED: bool> Map for PooledMap<DECLARED> {
    fn insert(&self, k: Key, v: Value) -> Option<Value> {
        self.0.insert(k, v)
    }
    fn remove(&self, k: Key) -> Option<Value> {
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

impl<const DECLARED: bool> Adapter for PooledMap<DECLARED> {
    const INFO: StructureInfo = StructureInfo {
        name: "test-pooled",
        ..mapcheck_adapters::mutex::MutexHashMap::INFO
    };
    const SETTLE: Settle = Settle {
        once: if DECLARED { &[create_pool] } else { &[] },
        per_thread: &[],
        after_drop: &[],
    };
    fn new() -> Self {
        std::hint::black_box(pool::<DECLARED>());
        PooledMap(mapcheck_adapters::mutex::MutexHashMap::new())
    }
}

#[test]
fn a_process_wide_pool_declared_once_is_not_a_leak() {
    for m in ["insert-remove-get", "churn"] {
        let o = run::<Adapted<PooledMap<true>>>(m, 20);
        assert_eq!(o.verdict, Verdict::Pass, "{m}");
    }
}

#[test]
fn a_process_wide_pool_not_declared_is_blamed_on_the_run_that_made_it() {
    let summary = leak(&run::<Adapted<PooledMap<false>>>("insert-remove-get", 20)).to_string();
    assert!(summary.contains("4096 bytes in 1 allocation(s)"), "{summary}");
}

#[test]
fn sdds_step_frees_what_the_thread_retired() {
    std::thread::spawn(|| {
        untracked(settle::SDD.per_thread[0]);
        let scope = Scope::new();
        scope.run(|| drop(sdd::Owned::new([0u8; 256])));
        assert!(scope.live().0 > 0, "sdd defers the free");
        untracked(settle::SDD.after_drop[0]);
        assert_eq!(scope.live(), (0, 0), "freed once the thread witnessed the epochs");
        scope.close();
    })
    .join()
    .unwrap();
}

#[test]
fn parking_lots_step_creates_each_threads_record_before_the_run() {
    // Many threads at once, so the process-wide table must grow for them: each registers first,
    // then parks (without sleeping) inside a scope, which must then allocate nothing.
    let threads = 48;
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                untracked(settle::PARKING_LOT.per_thread[0]);
                barrier.wait();
                let scope = Scope::new();
                scope.run(settle::PARKING_LOT.per_thread[0]);
                let live = scope.live();
                scope.close();
                barrier.wait();
                live
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), (0, 0));
    }
}

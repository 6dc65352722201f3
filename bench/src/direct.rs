//! The workload without mapcheck's engines: a naive real-thread stress loop (plain `std` threads in a
//! loop, as a user would write it) and bare `loom::model` / `shuttle::check_random` closures, all
//! driving a structure through the `Map` trait and judged by the hand-written checks.

use crate::handcheck::{apply, check};
use mapcheck_harness::rt::{Loom, Shuttle, Std};
use mapcheck_harness::{Map, Ret, Structure, Workload};
use mapcheck_models::mutants;
use mapcheck_models::structures::{cow, gomap, locked, pooled, rebuild, sharded, syncmap, tombstone};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How a stress loop ended.
#[derive(Debug, Clone)]
pub struct Stress {
    /// Iterations run, the detecting one included.
    pub iterations: usize,
    pub elapsed: Duration,
    /// What the hand-written check (or the hang timeout) said, if anything fired.
    pub detected: Option<String>,
}

/// How long one stress iteration may take before it counts as hung (a deadlock).
const HANG: Duration = Duration::from_secs(2);

/// Runs `w` on fresh `S::Map<Std>`s with plain threads, up to `max_iterations` or `budget`, until the
/// hand-written check fails. Each iteration starts its threads behind a barrier to make them overlap.
pub fn stress<S: Structure>(w: &Workload, max_iterations: usize, budget: Duration) -> Stress {
    let started = Instant::now();
    let mut iterations = 0;
    while iterations < max_iterations && started.elapsed() < budget {
        iterations += 1;
        let map = Arc::new(S::new::<Std>());
        for &(k, v) in &w.initial {
            map.insert(k, v);
        }
        let barrier = Arc::new(std::sync::Barrier::new(w.threads.len()));
        let (tx, rx) = std::sync::mpsc::channel();
        for (t, ops) in w.threads.iter().enumerate() {
            let (map, barrier, tx, ops) = (map.clone(), barrier.clone(), tx.clone(), ops.clone());
            std::thread::spawn(move || {
                barrier.wait();
                let rets: Vec<Ret> = ops.into_iter().map(|op| apply(&*map, op)).collect();
                let _ = tx.send((t, rets));
            });
        }
        drop(tx);
        let mut results = vec![Vec::new(); w.threads.len()];
        let deadline = Instant::now() + HANG;
        for _ in 0..w.threads.len() {
            match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok((t, rets)) => results[t] = rets,
                Err(_) => {
                    // The stuck threads are left blocked: real threads cannot be cancelled.
                    return Stress {
                        iterations,
                        elapsed: started.elapsed(),
                        detected: Some(format!("no progress within {HANG:?} (deadlock)")),
                    };
                }
            }
        }
        if let Err(e) = check(w, &results, &*map, S::INFO.reclamation) {
            return Stress {
                iterations,
                elapsed: started.elapsed(),
                detected: Some(e),
            };
        }
    }
    Stress {
        iterations,
        elapsed: started.elapsed(),
        detected: None,
    }
}

/// A bare `loom::model` exploration of `w` on `S`, with the hand-written checks as assertions:
/// every interleaving up to `preemption_bound`, at most `max_permutations`. Returns the executions.
pub fn bare_loom<S: Structure>(w: &Workload, preemption_bound: usize, max_permutations: usize) -> usize {
    let count = Arc::new(AtomicUsize::new(0));
    let mut b = loom::model::Builder::new();
    b.preemption_bound = Some(preemption_bound);
    b.max_permutations = Some(max_permutations);
    b.max_branches = 10_000;
    let (w, c) = (Arc::new(w.clone()), count.clone());
    b.check(move || {
        c.fetch_add(1, Ordering::Relaxed);
        let map = loom::sync::Arc::new(S::new::<Loom>());
        for &(k, v) in &w.initial {
            map.insert(k, v);
        }
        let handles: Vec<_> = w
            .threads
            .iter()
            .map(|ops| {
                let (map, ops) = (map.clone(), ops.clone());
                loom::thread::spawn(move || ops.into_iter().map(|op| apply(&*map, op)).collect::<Vec<_>>())
            })
            .collect();
        let results: Vec<Vec<Ret>> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        check(&w, &results, &*map, S::INFO.reclamation).unwrap();
    });
    count.load(Ordering::Relaxed)
}

/// A bare `shuttle::check_random` exploration of `w` on `S`, `iterations` schedules, with the
/// hand-written checks as assertions.
pub fn bare_shuttle<S: Structure>(w: &Workload, iterations: usize) {
    let w = Arc::new(w.clone());
    shuttle::check_random(
        move || {
            let map = shuttle::sync::Arc::new(S::new::<Shuttle>());
            for &(k, v) in &w.initial {
                map.insert(k, v);
            }
            let handles: Vec<_> = w
                .threads
                .iter()
                .map(|ops| {
                    let (map, ops) = (map.clone(), ops.clone());
                    shuttle::thread::spawn(move || {
                        ops.into_iter().map(|op| apply(&*map, op)).collect::<Vec<_>>()
                    })
                })
                .collect();
            let results: Vec<Vec<Ret>> = handles.into_iter().map(|h| h.join().unwrap()).collect();
            check(&w, &results, &*map, S::INFO.reclamation).unwrap();
        },
        iterations,
    );
}

/// The naive stress loop of each structure that runs on real threads, by name.
pub type StressFn = fn(&Workload, usize, Duration) -> Stress;

pub fn stress_fns() -> Vec<(&'static str, StressFn)> {
    fn e<S: Structure>() -> (&'static str, StressFn) {
        (S::INFO.name, stress::<S>)
    }
    vec![
        e::<locked::Locked>(),
        e::<syncmap::Syncmap>(),
        e::<cow::Cow>(),
        e::<sharded::Sharded>(),
        e::<tombstone::Tombstone>(),
        e::<rebuild::Rebuild>(),
        e::<mutants::CowNoCas>(),
        e::<mutants::LockedRacyRemove>(),
        e::<mutants::LockedIterLock>(),
        e::<mutants::ShardedMisroute>(),
        e::<mutants::TombstoneGcRace>(),
        e::<mutants::RebuildUnguarded>(),
        e::<mutants::TombstoneGcLeak>(),
        e::<mutants::LockedLeakyRemove>(),
        e::<mutants::ShardedClearSkips>(),
        e::<mutants::LockedNoShrink>(),
        e::<gomap::GomapLocked>(),
        e::<pooled::Pooled>(),
        e::<mutants::SyncmapStaleDelete>(),
        e::<mutants::SyncmapExpungeStore>(),
        e::<mutants::PooledAba>(),
        e::<mutants::GomapIterRevisit>(),
        e::<mutants::TombstoneReclaimReset>(),
        e::<mutants::PooledLostPush>(),
        e::<mutants::RebuildClearInversion>(),
        e::<mutants::PooledRelaxed>(),
        e::<mutants::LockedRacyInsert>(),
        e::<mutants::ShardedTornSnapshot>(),
        e::<mutants::ShardedClearCount>(),
        e::<mutants::ShardedGrowRace>(),
        e::<mutants::LockedRacyGetOrInsert>(),
        e::<mutants::ShardedRacyUpdate>(),
        e::<mutants::ShardedRacyCompareDelete>(),
        e::<mutants::LockedRacyRetain>(),
    ]
}

/// The structure the throughput comparison runs: correct, and simple enough that the harness's
/// overhead, not the structure, dominates.
pub type Reference = locked::Locked;

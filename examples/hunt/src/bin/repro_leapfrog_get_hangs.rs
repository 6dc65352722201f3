//! leapfrog 0.3.3: operations that never return, and crashes. One thread removes and reads keys
//! 1..8, one inserts keys 9..28 (the table migrates to a larger one), two read keys 1..8; every
//! few tens of thousands of trials an operation spins for ever after the other threads have
//! finished, or the process dies of a segmentation fault. Only `std::thread` and leapfrog.
//!
//! `cargo run --release --bin repro_leapfrog_get_hangs`

use leapfrog::LeapMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::BuildHasherDefault;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Barrier};
use std::thread;
use std::time::Duration;

type Map = LeapMap<u64, u64, BuildHasherDefault<DefaultHasher>>;

/// A cheap per-thread random yield, to vary the interleavings.
fn jitter(state: &mut u64) {
    *state = state
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    if (*state >> 33) % 5 == 0 {
        thread::yield_now();
    }
}

fn main() {
    let trials = 200_000;
    for trial in 0..trials {
        let map = Arc::new(Map::with_capacity_and_hasher(8, Default::default()));
        for k in 1..=8 {
            map.insert(k, k * 10);
        }
        let barrier = Arc::new(Barrier::new(4));
        // The operation each thread is in (1 get, 2 insert, 3 remove) and its key, or 0 between
        // operations.
        let doing: Arc<Vec<AtomicU64>> = Arc::new((0..4).map(|_| AtomicU64::new(0)).collect());
        let (tx, rx) = mpsc::channel();
        for t in 0..4u64 {
            let (map, barrier, doing, tx) = (map.clone(), barrier.clone(), doing.clone(), tx.clone());
            thread::spawn(move || {
                let mut rng = trial * 4 + t + 1;
                let doing = |op: u64, k: u64| doing[t as usize].store(op << 32 | k, Ordering::SeqCst);
                let get = |k: u64| {
                    doing(1, k);
                    let v = map.get(&k).and_then(|mut r| r.value());
                    doing(0, 0);
                    v
                };
                barrier.wait();
                for i in 0..20u64 {
                    jitter(&mut rng);
                    let k = i % 8 + 1;
                    match t {
                        0 => {
                            doing(3, k);
                            map.remove(&k);
                            get(k);
                        }
                        1 => {
                            doing(2, 9 + i);
                            map.insert(9 + i, 1000 + i);
                            get(9 + i);
                        }
                        _ => {
                            get(k);
                            get(9 - k);
                        }
                    }
                }
                let _ = tx.send(t);
            });
        }
        drop(tx);
        for _ in 0..4 {
            if rx.recv_timeout(Duration::from_secs(5)).is_err() {
                let stuck: Vec<String> = doing
                    .iter()
                    .enumerate()
                    .filter(|(_, d)| d.load(Ordering::SeqCst) != 0)
                    .map(|(t, d)| {
                        let d = d.load(Ordering::SeqCst);
                        let op = ["", "get", "insert", "remove"][(d >> 32) as usize];
                        format!("thread {t} in {op}({})", d & 0xffff_ffff)
                    })
                    .collect();
                println!(
                    "leapfrog 0.3.3: trial {trial}: no thread finished for 5 s; still running: {}",
                    stuck.join(", ")
                );
                std::process::exit(1);
            }
        }
    }
    println!("leapfrog 0.3.3: {trials} trials, no operation hung");
}

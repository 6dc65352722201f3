//! leapfrog 0.3.3: an iteration that runs while another thread inserts new keys (the table
//! migrates to a larger one) misses keys that were in the map before it started and stayed there
//! until it ended. The iterator walks the cells by index and goes on at the same index in the new
//! table, whose layout differs, so it yields some keys twice and never reaches others. Only
//! `std::thread` and leapfrog.
//!
//! `cargo run --release --bin repro_leapfrog_iter_skips_keys`

use leapfrog::LeapMap;
use std::collections::hash_map::DefaultHasher;
use std::collections::BTreeSet;
use std::hash::BuildHasherDefault;
use std::sync::{mpsc, Arc, Barrier};
use std::thread;
use std::time::Duration;

type Map = LeapMap<u64, u64, BuildHasherDefault<DefaultHasher>>;

fn main() {
    let trials = 20_000;
    let (mut skipped_trials, mut repeated_trials, mut first) = (0, 0, None);
    let mut ran = 0;
    for trial in 0..trials {
        let map = Arc::new(Map::with_capacity_and_hasher(8, Default::default()));
        for k in 1..=52 {
            map.insert(k, k * 10);
        }
        let barrier = Arc::new(Barrier::new(2));
        let (tx, rx) = mpsc::channel();
        let iterator = {
            let (map, barrier, tx) = (map.clone(), barrier.clone(), tx.clone());
            thread::spawn(move || {
                barrier.wait();
                let keys: Vec<u64> = map
                    .iter()
                    .filter_map(|mut r| r.key_value())
                    .map(|(k, _)| k)
                    .collect();
                let _ = tx.send(keys);
            })
        };
        {
            let (map, barrier, tx) = (map.clone(), barrier.clone(), tx.clone());
            thread::spawn(move || {
                barrier.wait();
                for k in 53..=72 {
                    map.insert(k, k * 10);
                }
                let _ = tx.send(Vec::new());
            });
        }
        drop(tx);
        let mut yielded = None;
        for _ in 0..2 {
            match rx.recv_timeout(Duration::from_secs(5)) {
                Ok(keys) if !keys.is_empty() => yielded = Some(keys),
                Ok(_) => {}
                Err(_) => {
                    println!("trial {trial}: an operation did not return within 5 s (the hang of repro_leapfrog_get_hangs); stopping");
                    break;
                }
            }
        }
        let Some(keys) = yielded else { break };
        let _ = iterator.join();
        ran += 1;
        // Keys 1..=52 were present for the whole iteration: none is removed.
        let set: BTreeSet<u64> = keys.iter().copied().collect();
        let missing: Vec<u64> = (1..=52).filter(|k| !set.contains(k)).collect();
        if set.len() < keys.len() {
            repeated_trials += 1;
        }
        if !missing.is_empty() {
            skipped_trials += 1;
            first.get_or_insert((trial, missing));
        }
    }
    println!("leapfrog 0.3.3: {ran} trials of iterating over keys 1..=52 while another thread inserts keys 53..=72");
    println!("iterations that yielded some key twice: {repeated_trials}");
    println!("iterations that missed a key present throughout (never removed): {skipped_trials}");
    if let Some((trial, missing)) = first {
        println!("the first: trial {trial} missed keys {missing:?}");
    }
}

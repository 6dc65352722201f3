//! leapfrog 0.3.3: `insert` returns the previous value, but when two threads overwrite the same
//! keys while a third inserts new ones (the table migrates to a larger one), an insert sometimes
//! gets back the very value it is inserting, which no one had put there before. Only
//! `std::thread` and leapfrog.
//!
//! `cargo run --release --bin repro_leapfrog_insert_returns_own_value`

use leapfrog::LeapMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::BuildHasherDefault;
use std::sync::{mpsc, Arc, Barrier};
use std::thread;
use std::time::Duration;

type Map = LeapMap<u64, u64, BuildHasherDefault<DefaultHasher>>;

fn main() {
    let trials = 100_000;
    let (mut own, mut first, mut hung) = (0, None, false);
    for trial in 0..trials {
        let map = Arc::new(Map::with_capacity_and_hasher(8, Default::default()));
        for k in 1..=8 {
            map.insert(k, k * 10);
        }
        let barrier = Arc::new(Barrier::new(3));
        let (tx, rx) = mpsc::channel();
        // Thread t overwrites keys 1..=8 with values of its own, never written by anyone else.
        for t in 0..2u64 {
            let (map, barrier, tx) = (map.clone(), barrier.clone(), tx.clone());
            thread::spawn(move || {
                barrier.wait();
                let own: Vec<(u64, u64)> = (1..=8u64)
                    .filter_map(|k| {
                        let mine = 1000 * (t + 1) + k;
                        (map.insert(k, mine) == Some(mine)).then_some((k, mine))
                    })
                    .collect();
                let _ = tx.send(own);
            });
        }
        {
            let (map, barrier, tx) = (map.clone(), barrier.clone(), tx.clone());
            thread::spawn(move || {
                barrier.wait();
                for k in 9..=40 {
                    map.insert(k, k * 10);
                }
                let _ = tx.send(Vec::new());
            });
        }
        drop(tx);
        for _ in 0..3 {
            match rx.recv_timeout(Duration::from_secs(5)) {
                Ok(found) => {
                    for (k, v) in found {
                        own += 1;
                        first.get_or_insert((trial, k, v));
                    }
                }
                Err(_) => {
                    println!("trial {trial}: an insert did not return within 5 s (the hang of repro_leapfrog_get_hangs); stopping");
                    hung = true;
                    break;
                }
            }
        }
        if hung {
            break;
        }
    }
    println!("leapfrog 0.3.3: up to {trials} trials: two threads overwrite keys 1..=8 with values of their own while a third inserts keys 9..=40");
    println!("{own} inserts returned, as the previous value, the value they were inserting themselves");
    if let Some((trial, k, v)) = first {
        println!("the first: trial {trial}: insert({k}, {v}) returned Some({v})");
    }
}

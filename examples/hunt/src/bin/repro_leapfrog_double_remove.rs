//! leapfrog 0.3.3: two threads remove the same key at once while a third inserts new keys (the
//! table migrates to a larger one), and both removes get its value back: a value inserted once is
//! taken out twice. Only `std::thread` and leapfrog.
//!
//! `cargo run --release --bin repro_leapfrog_double_remove`

use leapfrog::LeapMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::BuildHasherDefault;
use std::sync::{Arc, Barrier};
use std::thread;

type Map = LeapMap<u64, u64, BuildHasherDefault<DefaultHasher>>;

fn main() {
    let trials = 100_000;
    let (mut twice, mut first) = (0, None);
    for trial in 0..trials {
        let map = Arc::new(Map::with_capacity_and_hasher(8, Default::default()));
        for k in 1..=8 {
            map.insert(k, k * 10);
        }
        let barrier = Arc::new(Barrier::new(3));
        let removers: Vec<_> = (0..2)
            .map(|_| {
                let (map, barrier) = (map.clone(), barrier.clone());
                thread::spawn(move || {
                    barrier.wait();
                    (1..=8u64).map(|k| map.remove(&k)).collect::<Vec<Option<u64>>>()
                })
            })
            .collect();
        let grower = {
            let (map, barrier) = (map.clone(), barrier.clone());
            thread::spawn(move || {
                barrier.wait();
                for k in 9..=40 {
                    map.insert(k, k * 10);
                }
            })
        };
        let got: Vec<Vec<Option<u64>>> = removers.into_iter().map(|h| h.join().unwrap()).collect();
        grower.join().unwrap();
        for k in 0..8 {
            if got[0][k].is_some() && got[1][k].is_some() {
                twice += 1;
                first.get_or_insert((trial, k + 1, got[0][k], got[1][k]));
            }
        }
    }
    println!("leapfrog 0.3.3: {trials} trials: keys 1..=8 inserted once, removed by two threads at once while a third inserts keys 9..=40");
    println!("{twice} keys were returned by both removes (at most one remove may return a key)");
    if let Some((trial, k, a, b)) = first {
        println!("the first: trial {trial}, key {k}: the removes returned {a:?} and {b:?}");
    }
}

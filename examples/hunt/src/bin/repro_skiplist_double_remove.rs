//! crossbeam-skiplist 0.1.3: two threads remove the same key at once, and both get the entry back.
//! `SkipList::remove` returns `Some(entry)` whether or not this thread's `mark_tower` won the race
//! (the `return Some(entry)` sits after the `if n.mark_tower() { .. }` block), so a value inserted
//! once is taken out twice. Only `std::thread` and crossbeam-skiplist.
//!
//! `cargo run --release --bin repro_skiplist_double_remove`

use crossbeam_skiplist::SkipMap;
use std::sync::{Arc, Barrier};
use std::thread;

fn main() {
    let keys = 1_000_000u64;
    let map = Arc::new(SkipMap::<u64, u64>::new());
    for k in 0..keys {
        map.insert(k, k * 10);
    }
    // Two threads remove every key, in the same order, so that they race on each one.
    let barrier = Arc::new(Barrier::new(2));
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let (map, barrier) = (map.clone(), barrier.clone());
            thread::spawn(move || {
                barrier.wait();
                (0..keys).map(|k| map.remove(&k).is_some()).collect::<Vec<bool>>()
            })
        })
        .collect();
    let got: Vec<Vec<bool>> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let both: Vec<u64> = (0..keys)
        .filter(|&k| got[0][k as usize] && got[1][k as usize])
        .collect();
    println!("crossbeam-skiplist 0.1.3: {keys} keys inserted once each, then removed by two threads at once");
    println!(
        "{} keys were returned by both removes (at most one remove may return a key); the first: {:?}",
        both.len(),
        &both[..both.len().min(5)]
    );
}

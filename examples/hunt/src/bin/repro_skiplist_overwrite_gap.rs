//! crossbeam-skiplist 0.1.3: while one thread overwrites a key with `insert`, another thread's `get`
//! of that key can find nothing, though the key is present before, during and after the overwrite:
//! `insert` marks the old entry removed and only then links the new one (upstream issue
//! crossbeam-rs/crossbeam#1023). Only `std::thread` and crossbeam-skiplist.
//!
//! `cargo run --release --bin repro_skiplist_overwrite_gap`

use crossbeam_skiplist::SkipMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;

fn main() {
    let map = Arc::new(SkipMap::<u64, u64>::new());
    map.insert(1, 0);
    let done = Arc::new(AtomicBool::new(false));
    let writer = {
        let (map, done) = (map.clone(), done.clone());
        thread::spawn(move || {
            for v in 1..=1_000_000u64 {
                map.insert(1, v);
            }
            done.store(true, Ordering::SeqCst);
        })
    };
    let (mut reads, mut absent) = (0u64, 0u64);
    while !done.load(Ordering::SeqCst) {
        reads += 1;
        if map.get(&1).is_none() {
            absent += 1;
        }
    }
    writer.join().unwrap();
    println!("crossbeam-skiplist 0.1.3: one thread overwrites key 1 a million times, another reads it");
    println!("{absent} of {reads} reads found key 1 absent (it is never removed: there should be none)");
}

//! moka 0.12.16: after `invalidate_all` returns, `get` no longer returns an entry inserted before
//! it, as documented, but `remove` of the same key still returns its value: the entry is taken
//! out (and handed back) after the cache said it was gone. Only `std::thread` and moka.
//!
//! `cargo run --release --bin repro_moka_remove_after_invalidate_all`

use moka::sync::Cache;
use std::thread;

fn main() {
    let trials = 10_000;
    let (mut get_saw, mut remove_saw) = (0, 0);
    for _ in 0..trials {
        let cache: Cache<u64, u64> = Cache::builder().build();
        cache.insert(1, 10);
        cache.insert(2, 20);
        // Another thread invalidates everything, and is joined: invalidate_all has returned.
        let c = cache.clone();
        thread::spawn(move || c.invalidate_all()).join().unwrap();
        let c = cache.clone();
        let (got, removed) = thread::spawn(move || (c.get(&1), c.remove(&2))).join().unwrap();
        get_saw += got.is_some() as usize;
        remove_saw += removed.is_some() as usize;
    }
    println!("moka 0.12.16: {trials} trials of: insert(1, 10); insert(2, 20); invalidate_all() on another thread, joined; then get(1) and remove(2)");
    println!("get(1) returned a value in {get_saw} trials (documented: never)");
    println!("remove(2) returned the invalidated value in {remove_saw} trials");
}

// Source: https://github.com/smg-project/smg/pull/2507 (review: for a DashMap, contains_key, len,
// clear and entry(...).or_default() are separate calls, each locking shards on its own; the policy
// clears the map when it holds too many candidate sets while other requests insert and read).
// Hazard: S5, a whole-map clear goes shard by shard and is not atomic while others write and read.
// mapcheck-expect: sharded-clear-skips
use dashmap::DashMap;
use std::sync::Arc;
use std::thread;

const MAX_TRACKED_SETS: usize = 2;

fn counter_for(counters: &DashMap<u64, u64>, key: u64) -> u64 {
    if !counters.contains_key(&key) && counters.len() >= MAX_TRACKED_SETS {
        counters.clear();
    }
    counters.insert(key, 1);
    counters.get(&key).map(|v| *v).unwrap_or(0)
}

fn main() {
    let counters: Arc<DashMap<u64, u64>> = Arc::new(DashMap::new());
    counters.insert(10, 1);
    counters.insert(11, 1);
    let workers: Vec<_> = (0..2u64)
        .map(|w| {
            let counters = Arc::clone(&counters);
            thread::spawn(move || counter_for(&counters, 20 + w))
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
}

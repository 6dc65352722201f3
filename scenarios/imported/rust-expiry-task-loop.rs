// Source: https://github.com/mozilla-services/merino/pull/292 ("Offload the cache expiry task to the
// blocking threads": a loop that wakes on a timer and removes expired entries from the memory
// cache, for the life of the process).
// Hazard: S6, a background cleaner that is never stopped outlives the map (a thread leak).
// Its `retain` is an iteration that deletes the entries it visits (failure class 3) as well.
// mapcheck-expect: tombstone-gc-leak
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::thread;
use std::time::{Duration, Instant};

struct Storage {
    items: RwLock<HashMap<String, Instant>>,
}

fn spawn_expiry(storage: Arc<Storage>) {
    thread::spawn(move || {
        let mut ticks = 0u64;
        loop {
            thread::sleep(Duration::from_secs(30));
            ticks += 1;
            let now = Instant::now();
            storage.items.write().unwrap().retain(|_, exp| *exp > now);
        }
    });
}

fn main() {
    let storage = Arc::new(Storage { items: RwLock::new(HashMap::new()) });
    storage.items.write().unwrap().insert("suggest:a".into(), Instant::now());
    spawn_expiry(storage.clone());
    let s = storage.clone();
    thread::spawn(move || {
        s.items.write().unwrap().insert("suggest:b".into(), Instant::now());
    })
    .join()
    .unwrap();
}

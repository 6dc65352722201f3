// Source: https://github.com/PeggyJV/steward/issues/191 (the cache thread: `loop { sleep(period);
// refresh() }`, started once and never stopped).
// Hazard: S6, a background cleaner that is never stopped outlives the map (a thread leak).
// Its `retain` is an iteration that deletes the entries it visits (failure class 3) as well.
// mapcheck-expect: tombstone-gc-leak
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

fn start_cache_thread(cache: Arc<Mutex<HashMap<u64, u64>>>) -> thread::JoinHandle<()> {
    thread::spawn(move || loop {
        thread::sleep(Duration::from_secs(60));
        let mut c = cache.lock().unwrap();
        c.retain(|_, expires| *expires > 100);
    })
}

fn main() {
    let cache = Arc::new(Mutex::new(HashMap::new()));
    cache.lock().unwrap().insert(1, 50);
    cache.lock().unwrap().insert(2, 500);
    let _refresher = start_cache_thread(cache.clone());
    let writer = {
        let cache = cache.clone();
        thread::spawn(move || {
            cache.lock().unwrap().insert(3, 900);
        })
    };
    writer.join().unwrap();
}

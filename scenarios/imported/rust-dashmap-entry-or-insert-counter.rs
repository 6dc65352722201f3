// Source: https://github.com/xacrimon/dashmap/issues/47 ("Lost updates with `Entry::or_*`
// methods": two threads count into one key with `entry(key).or_insert(AtomicU64::new(0))` and
// `fetch_add(1)`; if both can find the key missing and both insert, one count is lost).
// Hazard: a get-or-insert that checks for the key, then inserts under the lock again: both fills
// insert, each told its counter went in, and one of them is overwritten.
// mapcheck-expect: locked-racy-get-or-insert
use dashmap::DashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;

fn main() {
    let map: Arc<DashMap<String, AtomicU64>> = Arc::new(DashMap::new());
    let mut handles = Vec::new();
    for _ in 0..2 {
        let map = map.clone();
        handles.push(thread::spawn(move || {
            let value = map.entry("requests".to_string()).or_insert(AtomicU64::new(0));
            value.fetch_add(1, Ordering::Relaxed);
        }));
    }
    for h in handles {
        h.join().unwrap();
    }
}

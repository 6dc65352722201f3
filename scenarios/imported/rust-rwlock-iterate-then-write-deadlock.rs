// Source: https://github.com/jankotek/mapdb-site/issues/14 ("Lock issue when iterating map":
// forEach holds the segment's read lock and the callback's remove waits for the write lock
// forever) and https://github.com/efficient/libcuckoo/issues/32 (erase inside a locked table's
// iteration deadlocks).
// Hazard: S2 and failure class 3, removing while an iteration holds the read lock.
// mapcheck-expect: locked-iterlock
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::thread;

fn main() {
    let ready: Arc<RwLock<HashMap<String, String>>> = Arc::new(RwLock::new(HashMap::new()));
    ready.write().unwrap().insert("myKey1".to_string(), "value1".to_string());
    ready.write().unwrap().insert("myKey2".to_string(), "value2".to_string());
    let r = Arc::clone(&ready);
    let t = thread::spawn(move || {
        for (key, _) in r.read().unwrap().iter() {
            r.write().unwrap().remove(key);
        }
    });
    ready.write().unwrap().insert("myKey3".to_string(), "value3".to_string());
    t.join().unwrap();
}

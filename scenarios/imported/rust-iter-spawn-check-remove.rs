// Source: https://github.com/stusmall/ttl_cache/issues/8 ("`contains_key()` is race condition-prone":
// checking for a key, then acting on it in a second call, lets another thread act in between).
// Hazard: S2 and failure class 4, a check under the read lock and a remove under the write lock let
// two threads each take the same entry out.
// mapcheck-expect: locked-racy-remove
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::thread;

fn main() {
    let cache: Arc<RwLock<HashMap<String, u32>>> = Arc::new(RwLock::new(HashMap::new()));
    cache.write().unwrap().insert("token".to_string(), 7);
    cache.write().unwrap().insert("other".to_string(), 8);

    let handles: Vec<_> = (0..4)
        .map(|_| {
            let cache = Arc::clone(&cache);
            thread::spawn(move || {
                if cache.read().unwrap().contains_key("token") {
                    cache.write().unwrap().remove("token");
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}

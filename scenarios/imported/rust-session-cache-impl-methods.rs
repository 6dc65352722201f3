// Source: https://github.com/UnsafeLabs/Bounty-Hunters/pull/60 ("Synchronize Rust session cache
// access": the session cache becomes Arc<RwLock<HashMap>>, with store, get and remove methods and a
// test of threads storing, reading and removing sessions).
// Hazard: S2 and failure class 4, two threads remove the same present session.
// mapcheck-expect: locked-racy-remove
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::thread;

#[derive(Clone)]
struct SessionCache {
    inner: Arc<RwLock<HashMap<String, u64>>>,
}

impl SessionCache {
    fn new() -> Self {
        SessionCache { inner: Arc::new(RwLock::new(HashMap::new())) }
    }

    fn store_session(&self, id: &str, ticket: u64) {
        self.inner.write().unwrap().insert(id.to_string(), ticket);
    }

    fn get_session(&self, id: &str) -> Option<u64> {
        self.inner.read().unwrap().get(id).cloned()
    }

    fn remove_session(&self, id: &str) -> Option<u64> {
        self.inner.write().unwrap().remove(id)
    }
}

#[test]
fn concurrent_sessions() {
    let cache = SessionCache::new();
    cache.store_session("abc", 1);
    cache.store_session("def", 2);
    let mut handles = vec![];
    for _ in 0..10 {
        let c = cache.clone();
        handles.push(thread::spawn(move || {
            c.remove_session("abc");
            assert!(c.get_session("abc").is_none());
        }));
    }
    for h in handles {
        h.join().unwrap();
    }
}

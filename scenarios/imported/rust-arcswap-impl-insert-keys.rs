// Source: https://github.com/JanssenProject/jans/pull/14108 (review "lost updates in ArcSwap write
// paths": insert_keys loads the map, clones it, inserts and stores it, with no compare-and-swap
// retry; two issuers refreshing at once lose one's keys).
// Hazard: S4 and failure classes 1-2, copy-on-write published without compare-and-swap loses a write.
// mapcheck-expect: cow-nocas
use arc_swap::ArcSwap;
use std::collections::HashMap;
use std::sync::Arc;
use std::thread;

struct KeyService {
    keys: ArcSwap<HashMap<String, String>>,
}

impl KeyService {
    fn new() -> Self {
        KeyService { keys: ArcSwap::from_pointee(HashMap::new()) }
    }

    fn insert_keys(&self, issuer: &str, jwk: &str) {
        let mut new_keys = (**self.keys.load()).clone();
        new_keys.insert(issuer.to_string(), jwk.to_string());
        self.keys.store(Arc::new(new_keys));
    }

    fn get_key(&self, issuer: &str) -> Option<String> {
        self.keys.load().get(issuer).cloned()
    }
}

fn main() {
    let service = Arc::new(KeyService::new());
    let a = Arc::clone(&service);
    let b = Arc::clone(&service);
    let t1 = thread::spawn(move || {
        a.insert_keys("https://issuer-a", "key-a");
        assert!(a.get_key("https://issuer-a").is_some());
    });
    let t2 = thread::spawn(move || {
        b.insert_keys("https://issuer-b", "key-b");
        assert!(b.get_key("https://issuer-b").is_some());
    });
    t1.join().unwrap();
    t2.join().unwrap();
}

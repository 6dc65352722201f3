// Source: https://github.com/palfrey/serial_test/pull/45 ("Fix race condition in check_new_key": two
// threads check for the key under the read lock, both miss it, and the second to get the write
// lock replaces the value the first inserted).
// Hazard: S2 and failure class 4, a check under the read lock and an insert under the write lock:
// the value the first insert put is overwritten without anyone taking it out.
// mapcheck-expect: locked-racy-insert
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::thread;

fn check_new_key(locks: &RwLock<HashMap<String, u64>>, name: &str, id: u64) {
    let exists = locks.read().unwrap().contains_key(name);
    if !exists {
        locks.write().unwrap().insert(name.to_string(), id);
    }
}

#[test]
fn test_hammer_check_new_key() {
    let locks: Arc<RwLock<HashMap<String, u64>>> = Arc::new(RwLock::new(HashMap::new()));
    let mut threads = Vec::new();
    for id in 1..100 {
        let local = locks.clone();
        threads.push(thread::spawn(move || {
            check_new_key(&local, "foo", id);
            local.read().unwrap().get("foo").cloned()
        }));
    }
    for t in threads {
        t.join().unwrap();
    }
}

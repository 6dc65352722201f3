// Source: https://github.com/ds1sqe/reovim/issues/721 ("TOCTOU race between read and write locks":
// contains_key under the read lock, then the write under the write lock; two callers both pass the
// check). Same bug class: https://github.com/mlir-rs/melior/pull/206.
// Hazard: S2 (upgrading a read lock to a write lock) and failure class 4, two removes both succeed.
// mapcheck-expect: locked-racy-remove
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::thread;

fn take(specs: &RwLock<HashMap<&'static str, u32>>, name: &'static str) -> Option<u32> {
    if specs.read().unwrap().contains_key(name) {
        return specs.write().unwrap().remove(name);
    }
    None
}

#[test]
fn two_callers_take_one_option() {
    let specs = Arc::new(RwLock::new(HashMap::new()));
    specs.write().unwrap().insert("tabstop", 8);
    let mut handles = Vec::new();
    for _ in 0..2 {
        let specs = Arc::clone(&specs);
        handles.push(thread::spawn(move || {
            let s = &specs;
            if s.read().unwrap().contains_key("tabstop") {
                s.write().unwrap().remove("tabstop");
            }
        }));
    }
    for h in handles {
        h.join().unwrap();
    }
}

// Source: https://github.com/rsimmonsjr/axiom/pull/60 (breaking a get-or-insert into separate
// calls leaves "a brief moment" where another thread acts on the same entry).
// Hazard: S2 and failure class 4, two threads look the same key up and each removes it.
// mapcheck-expect: locked-racy-remove
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::thread;

fn unmonitor(map: &RwLock<HashMap<u64, Vec<u64>>>, actor: u64) -> bool {
    let found = map.read().unwrap().get(&actor).cloned();
    match found {
        Some(_) => {
            map.write().unwrap().remove(&actor);
            true
        }
        None => false,
    }
}

fn main() {
    let monitoring: Arc<RwLock<HashMap<u64, Vec<u64>>>> = Arc::new(RwLock::new(HashMap::new()));
    monitoring.write().unwrap().insert(1, vec![2, 3]);
    monitoring.write().unwrap().insert(4, vec![5]);
    let m1 = monitoring.clone();
    let m2 = monitoring.clone();
    let a = thread::spawn(move || unmonitor(&m1, 1));
    let b = thread::spawn(move || unmonitor(&m2, 1));
    assert!(!(a.join().unwrap() && b.join().unwrap()));
}

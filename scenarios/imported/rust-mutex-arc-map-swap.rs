// Source: https://github.com/near/nearcore/pull/7453 ("Introducing ArcMutex": readers clone an Arc
// of a consistent snapshot; the review is about writers that clone the snapshot, change the clone
// and put it back without holding the lock throughout).
// Hazard: S4 and failure classes 1-2, copy-on-write published without compare-and-swap loses a write.
// mapcheck-expect: cow-nocas
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::thread;

fn main() {
    let peers: Arc<Mutex<Arc<HashMap<u64, u64>>>> = Arc::new(Mutex::new(Arc::new(HashMap::new())));

    let mut handles = Vec::new();
    for id in 1..=2u64 {
        let peers = peers.clone();
        handles.push(thread::spawn(move || {
            let snapshot = peers.lock().unwrap().clone();
            let mut next = (*snapshot).clone();
            next.insert(id, id * 10);
            *peers.lock().unwrap() = Arc::new(next);
            assert!(peers.lock().unwrap().get(&id).is_some());
        }));
    }
    for h in handles {
        h.join().unwrap();
    }
}

// Source: https://github.com/NLnetLabs/cascade/pull/369 ("Use ArcSwap::rcu to update values": the
// code assumed that updating the arc_swap value is atomic; a load, change and store beside another
// writer can lose that writer's change).
// Hazard: S4 and failure classes 1-2, copy-on-write published without compare-and-swap loses a write.
// mapcheck-expect: cow-nocas
use arc_swap::ArcSwap;
use std::collections::HashMap;
use std::sync::Arc;
use std::thread;

fn main() {
    let zones: Arc<ArcSwap<HashMap<String, u32>>> = Arc::new(ArcSwap::from_pointee(HashMap::new()));

    let z1 = zones.clone();
    let publish = thread::spawn(move || {
        let current = z1.load();
        let mut next = HashMap::clone(&current);
        next.insert("example.org".to_string(), 1);
        z1.store(Arc::new(next));
        assert_eq!(z1.load().get("example.org"), Some(&1));
    });
    let z2 = zones.clone();
    let other = thread::spawn(move || {
        let current = z2.load();
        let mut next = HashMap::clone(&current);
        next.insert("example.com".to_string(), 2);
        z2.store(Arc::new(next));
        assert_eq!(z2.load().get("example.com"), Some(&2));
    });
    publish.join().unwrap();
    other.join().unwrap();
}

// Source: https://github.com/maidsafe/temp_safe_network/pull/357 ("Fix PrefixMap deadlock": a read
// reference into the DashMap was held while the same map was written, sometimes deadlocking).
// The question https://github.com/xacrimon/dashmap/issues/284 hits the same shape.
// Hazard: S2 and failure class 3, removing from a shard while an iterator holds its read lock.
// mapcheck-expect: locked-iterlock
use dashmap::DashMap;
use std::sync::Arc;
use std::thread;

#[test]
fn prune_while_iterating() {
    let sections: Arc<DashMap<u64, u64>> = Arc::new(DashMap::new());
    for prefix in 0..6 {
        sections.insert(prefix, prefix * 10);
    }
    let map = Arc::clone(&sections);
    let pruner = thread::spawn(move || {
        for entry in map.iter() {
            if *entry.key() % 2 == 0 {
                map.remove(entry.key());
            }
        }
    });
    let map = Arc::clone(&sections);
    let writer = thread::spawn(move || {
        map.insert(7, 70);
    });
    pruner.join().unwrap();
    writer.join().unwrap();
}

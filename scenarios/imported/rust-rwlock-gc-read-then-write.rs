// Source: https://github.com/hextriclosan/rusty-jvm/pull/675 ("Remove RwLock in favor of a
// deadlock-resistant concurrent map": walking the table under the read guard and removing through a
// helper that takes the write guard blocks the thread on itself).
// Hazard: S2 and failure class 3, removing while an iteration holds the read lock deadlocks.
// mapcheck-expect: locked-iterlock
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::thread;

struct Heap {
    objects: RwLock<HashMap<i32, bool>>,
}

impl Heap {
    fn release(&self, id: i32) {
        self.objects.write().unwrap().remove(&id);
    }

    fn collect(&self) {
        let objects = self.objects.read().unwrap();
        for (id, reachable) in objects.iter() {
            if !*reachable {
                self.release(*id);
            }
        }
    }
}

fn main() {
    let heap = Arc::new(Heap { objects: RwLock::new(HashMap::new()) });
    heap.objects.write().unwrap().insert(1, false);
    heap.objects.write().unwrap().insert(2, true);
    let h = heap.clone();
    let gc = thread::spawn(move || h.collect());
    heap.objects.write().unwrap().insert(3, true);
    gc.join().unwrap();
}

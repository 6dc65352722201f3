// Source: https://github.com/maxcountryman/tower-sessions/pull/41 ("use dashmap entry api": the
// memory store moved to DashMap's entry API, "necessary to ensure atomic updates to entries",
// fixing a concurrency bug introduced by switching to DashMap).
// Hazard: an update in place that reads the record, then writes the new one under the lock again:
// two saves of one session both read the same record and one save is lost.
// mapcheck-expect: sharded-racy-update
use dashmap::DashMap;
use std::sync::Arc;
use std::thread;

struct MemoryStore(Arc<DashMap<u64, u64>>);

impl MemoryStore {
    // Each save bumps the session's record version, or starts it at 1.
    fn save(&self, id: u64) {
        self.0.entry(id).and_modify(|version| *version += 1).or_insert(1);
    }
}

fn main() {
    let store = Arc::new(MemoryStore(Arc::new(DashMap::new())));
    store.save(7);
    let a = store.clone();
    let b = store.clone();
    let t1 = thread::spawn(move || a.save(7));
    let t2 = thread::spawn(move || b.save(7));
    t1.join().unwrap();
    t2.join().unwrap();
}

// Source: https://github.com/anza-xyz/agave/pull/8314 ("add ReadOptimizedDashMap": its `retain`
// is documented as losing modifications made concurrently to values it does not retain; the review
// asks whether the sweep can be made safe against a writer refreshing an entry it drops).
// Hazard: a retain that judges the entries, then removes each one it drops by key under the lock
// again, removes a value a writer stored in between.
// mapcheck-expect: locked-racy-retain
use dashmap::DashMap;
use std::thread;

fn main() {
    // Account slots: the value is the slot they were last used in.
    let cache: DashMap<u64, u64> = DashMap::new();
    cache.insert(1, 100);
    cache.insert(2, 205);
    cache.insert(3, 300);
    thread::scope(|s| {
        // The cleaner: drop what was last used in an even (old) slot.
        s.spawn(|| {
            cache.retain(|_, slot| *slot % 2 == 1);
        });
        // A transaction uses account 1 again, in slot 301.
        s.spawn(|| {
            cache.insert(1, 301);
            cache.get(&1);
        });
    });
}

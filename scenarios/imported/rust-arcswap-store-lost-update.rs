// Source: https://github.com/JanssenProject/jans/pull/14108 (review "lost updates in ArcSwap write
// paths": `load`, clone, change, `store` without a compare-and-swap retry; two writers race and one
// overwrites the other). Same fix elsewhere: https://github.com/majiayu000/litellm-rs/issues/89.
// Hazard: S4 and failure classes 1-2, copy-on-write without compare-and-swap loses a write.
// mapcheck-expect: cow-nocas
use arc_swap::ArcSwap;
use std::collections::HashMap;
use std::sync::Arc;
use std::thread;

#[test]
fn concurrent_key_refresh() {
    let keys = Arc::new(ArcSwap::from_pointee(HashMap::new()));
    let a = Arc::clone(&keys);
    let t1 = thread::spawn(move || {
        let mut new_keys = (**a.load()).clone();
        new_keys.insert(1, 100);
        a.store(Arc::new(new_keys));
        assert_eq!(a.load().get(&1), Some(&100));
    });
    let b = Arc::clone(&keys);
    let t2 = thread::spawn(move || {
        let mut new_keys = (**b.load()).clone();
        new_keys.insert(2, 200);
        b.store(Arc::new(new_keys));
        assert_eq!(b.load().get(&2), Some(&200));
    });
    t1.join().unwrap();
    t2.join().unwrap();
}

//! The std-only copy of the crate's maps (`std-only/`, what the crate was before mapcheck) still
//! compiles and works; `xtask/tests/tidy.rs` holds the drop-in version's diff to it to a few lines.

#[path = "../std-only/lib.rs"]
mod std_only;

use std::sync::Arc;

#[test]
fn the_std_only_maps_work_on_std_threads() {
    let map = Arc::new(std_only::MyMap::new());
    let threads: Vec<_> = (0..4u64)
        .map(|t| {
            let map = map.clone();
            std::thread::spawn(move || {
                for k in 0..100 {
                    map.insert(t * 100 + k, k);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(map.len(), 400);
    assert_eq!(map.remove(&105), Some(5));
    assert_eq!(map.snapshot().len(), 399);
    let buggy = std_only::FastRemoveMap::new();
    buggy.insert(1, 1);
    assert_eq!(buggy.remove(&1), Some(1));
    assert!(buggy.is_empty());
}

// Source: https://github.com/crossbeam-rs/crossbeam/pull/736 ("Fix memory leak in iterator of
// skiplist": an entry removed while an iterator still held it) and
// https://github.com/crossbeam-rs/crossbeam/issues/737 (an iterator resuming from the start).
// Hazard: failure class 3, an iteration that removes what it visits while another thread writes.
// mapcheck-expect: locked-iterlock
use crossbeam_skiplist::SkipMap;
use std::sync::Arc;
use std::thread;

#[test]
fn remove_visited_entries() {
    let map: Arc<SkipMap<i32, i32>> = Arc::new(SkipMap::new());
    map.insert(1, 1);
    map.insert(2, 2);
    map.insert(3, 3);
    let m = Arc::clone(&map);
    let remover = thread::spawn(move || {
        for e in m.iter() {
            if *e.key() == 2 {
                m.remove(e.key());
            }
        }
    });
    let m = Arc::clone(&map);
    let writer = thread::spawn(move || {
        m.insert(4, 4);
        m.get(&3);
    });
    remover.join().unwrap();
    writer.join().unwrap();
}

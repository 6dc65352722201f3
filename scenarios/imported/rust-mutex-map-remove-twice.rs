// Source: https://github.com/wvwwvwwv/scalable-concurrent-containers/issues/176 ("Removing a value
// from HashMap while read is ongoing results in use after free": a value removed by one thread was
// still being used by another). The value a remove returns must belong to that caller alone.
// Hazard: failure class 4, exactly-once delete: a removed value handed out twice.
// mapcheck-expect: locked-racy-remove
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::thread;

fn main() {
    let map = Arc::new(Mutex::new(HashMap::new()));
    map.lock().unwrap().insert("first".to_string(), 123);
    let mut workers = Vec::new();
    for _ in 0..3 {
        let m = map.clone();
        workers.push(thread::spawn(move || {
            let taken = m.lock().unwrap().remove("first");
            drop(taken);
        }));
    }
    for w in workers {
        w.join().unwrap();
    }
}

// Source: https://github.com/xacrimon/dashmap/issues/284 ("question when iter to remove key": one
// task inserts while another walks the map removing entries; the answer points at `retain`).
// Hazard: failure class 3, deleting during iteration while another thread inserts.
// mapcheck-expect: locked-iterlock
use dashmap::DashMap;
use std::thread;

fn main() {
    let message: DashMap<String, i64> = DashMap::new();
    for count in 0..4 {
        message.insert(count.to_string(), count + 1);
    }
    thread::scope(|s| {
        s.spawn(|| {
            message.retain(|_, v| *v % 2 == 0);
        });
        s.spawn(|| {
            message.insert("9".to_string(), 10);
            message.get("9");
        });
    });
}

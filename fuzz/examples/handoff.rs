//! What a hand-off between two OS threads costs on this machine, the price a structure with a
//! thread of its own pays on real threads: `handoff` prints the mean of a `std::thread::spawn` and
//! join, and of a round trip through a mutex and condition variable to a thread that waits on it.
//! Run it under `taskset -c 0` to keep both threads on one core.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;

const N: u32 = 2_000;

fn main() {
    let started = Instant::now();
    for _ in 0..N {
        std::thread::spawn(|| ()).join().expect("an empty thread");
    }
    let spawn = started.elapsed().as_secs_f64() / f64::from(N) * 1e6;
    // A counter passed back and forth: odd values are the other thread's turn.
    let shared = Arc::new((Mutex::new(0u32), Condvar::new()));
    let other = shared.clone();
    let peer = std::thread::spawn(move || {
        let (m, c) = &*other;
        let mut turn = m.lock().expect("unpoisoned");
        loop {
            while *turn % 2 == 0 {
                turn = c.wait(turn).expect("unpoisoned");
            }
            if *turn > 2 * N {
                return;
            }
            *turn += 1;
            c.notify_all();
        }
    });
    let started = Instant::now();
    {
        let (m, c) = &*shared;
        let mut turn = m.lock().expect("unpoisoned");
        for _ in 0..N {
            *turn += 1;
            c.notify_all();
            while *turn % 2 == 1 {
                turn = c.wait(turn).expect("unpoisoned");
            }
        }
        *turn = 2 * N + 1;
        c.notify_all();
    }
    let round_trip = started.elapsed().as_secs_f64() / f64::from(N) * 1e6;
    peer.join().expect("the peer thread");
    println!("spawn and join: {spawn:.1} us; condition-variable round trip: {round_trip:.1} us");
}

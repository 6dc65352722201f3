//! The `rebuild-race` model (its doc comment below says what it drives and why).

use super::Size;
use mapcheck_harness::{Op, Workload};

/// Thread 0 drains the map and runs the reclamation step (the rebuild); thread 1 inserts and reads
/// back; an insert that lands in the storage being thrown away is lost.
///
/// Hazard: replacing a drained map with a fresh one while a writer still writes to the old one.
///
/// Built to catch: `rebuild-unguarded` (lost insert).
pub fn rebuild_race(size: Size) -> Workload {
    let mut threads = vec![
        vec![Op::Remove { key: 1 }, Op::Reclaim],
        vec![Op::Insert { key: 2, value: 20 }, Op::Get { key: 2 }],
    ];
    for _ in 2..size.threads {
        threads.push(vec![Op::Get { key: 2 }]);
    }
    Workload {
        initial: vec![(1, 10)],
        threads,
    }
}

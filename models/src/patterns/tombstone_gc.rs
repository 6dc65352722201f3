//! The `tombstone-gc` model (its doc comment below says what it drives and why).

use super::Size;
use mapcheck_harness::{Op, Workload};

/// Thread 0 deletes a key and reinserts it; thread 1 deletes another key and runs the reclamation
/// step (a GC tick), racing the reinsert; both read the reinserted key back.
///
/// Hazard: a background GC that removes tombstones racing a reinsert of a tombstoned key, and a GC
/// thread nobody stops.
///
/// Built to catch: `tombstone-gc-race` (the GC removes the reinserted key: lost insert) and
/// `tombstone-gc-leak` (the GC thread outlives the map: leak).
pub fn tombstone_gc(size: Size) -> Workload {
    let mut threads = vec![
        vec![
            Op::Remove { key: 1 },
            Op::Insert { key: 1, value: 11 },
            Op::Get { key: 1 },
        ],
        vec![Op::Remove { key: 2 }, Op::Reclaim, Op::Get { key: 1 }],
    ];
    for t in 2..size.threads {
        threads.push(vec![
            Op::Get {
                key: 1 + t as u64 % 2
            };
            size.ops.clamp(1, 3)
        ]);
    }
    Workload {
        initial: vec![(1, 10), (2, 20)],
        threads,
    }
}

//! The `delete-reinsert` model (its doc comment below says what it drives and why).

use super::Size;
use mapcheck_harness::{Op, Workload};

/// Thread 0 deletes key 1 and inserts it again with a new value, then reads it; thread 1 deletes
/// key 1 at the same time and reads it; further threads read it.
///
/// Hazard: a remove that decides on what it read before a racing remove and reinsert of the same
/// key: with recycled storage (a node back from a free list, a reused slot) the reinsert can look
/// exactly like what the remove read (the ABA problem), and the remove takes out the new value while
/// it returns the old one. Each value may be taken out once.
///
/// Built to catch: `pooled-aba` (entry words without a generation: exactly-once delete).
pub fn delete_reinsert(size: Size) -> Workload {
    let mut threads = vec![
        vec![
            Op::Remove { key: 1 },
            Op::Insert { key: 1, value: 11 },
            Op::Get { key: 1 },
        ],
        vec![Op::Remove { key: 1 }, Op::Get { key: 1 }],
    ];
    for _ in 2..size.threads {
        threads.push(vec![Op::Get { key: 1 }; size.ops.clamp(1, 2)]);
    }
    Workload {
        initial: vec![(1, 10)],
        threads,
    }
}

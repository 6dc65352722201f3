//! The `syncmap-promotion` model (its doc comment below says what it drives and why).

use super::Size;
use mapcheck_harness::{Op, Workload};

/// sync.Map's promotion: thread 0 misses until the dirty map is promoted, deletes a key that is now
/// in the read part and runs the reclamation step; thread 1 stores a new key (into the dirty part),
/// deletes another and reads. Stale entries must be gone after the reclamation step.
pub fn syncmap_promotion(size: Size) -> Workload {
    let mut threads = vec![
        vec![
            Op::Get { key: 3 },
            Op::Get { key: 4 },
            Op::Remove { key: 1 },
            Op::Reclaim,
        ],
        vec![
            Op::Insert { key: 5, value: 50 },
            Op::Remove { key: 2 },
            Op::Get { key: 1 },
        ],
    ];
    for _ in 2..size.threads {
        threads.push(vec![Op::Get { key: 5 }]);
    }
    Workload {
        initial: vec![(1, 10), (2, 20)],
        threads,
    }
}

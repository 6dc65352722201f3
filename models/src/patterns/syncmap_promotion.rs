//! The `syncmap-promotion` model (its doc comment below says what it drives and why).

use super::Size;
use mapcheck_harness::{Op, Workload};

/// sync.Map's promotion and expunging, racing the operations that go around the lock. Keys 1 and 2
/// start in the dirty map only. Thread 0 misses twice (the second miss promotes the dirty map),
/// deletes key 1 (now in the read map: its entry turns nil), stores a new key (which builds a new
/// dirty map and expunges key 1's entry), runs the reclamation step (a promotion) and reads key 1.
/// Thread 1 deletes key 2 and reads it back, then stores key 1 again and reads it back.
///
/// Hazard: the lock-free paths of `Load`, `Store` and `LoadAndDelete` racing a promotion and an
/// expunge: a delete that started before the promotion and takes the lock after it, a store that
/// races the expunge of the entry it revives. Afterwards the deleted entries that stay are the
/// reports' stale entries (a finding for `syncmap`, which keeps them as Go does).
///
/// Built to catch: `syncmap-stale-delete` (the delete of key 2 misses after a promotion: lost
/// delete) and `syncmap-expunge-store` (the store of key 1 is overwritten by the expunge: lost
/// insert).
pub fn syncmap_promotion(size: Size) -> Workload {
    let mut threads = vec![
        vec![
            Op::Get { key: 3 },
            Op::Get { key: 4 },
            Op::Remove { key: 1 },
            Op::Insert { key: 5, value: 50 },
            Op::Reclaim,
            Op::Get { key: 1 },
        ],
        vec![
            Op::Remove { key: 2 },
            Op::Get { key: 2 },
            Op::Insert { key: 1, value: 11 },
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

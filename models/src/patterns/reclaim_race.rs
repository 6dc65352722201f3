//! The `reclaim-race` model (its doc comment below says what it drives and why).

use super::Size;
use mapcheck_harness::{Op, Workload};

/// Thread 1 deletes key 2 and runs the reclamation step while thread 0 deletes key 1; each reads
/// its key back; the run ends with the reclamation step at quiescence.
///
/// Hazard: a reclamation step that works in more than one step (a purge that collects, then
/// removes) racing a delete it did not see: the deleted entry must still be gone after the final
/// reclamation step, and counting it must not be left to a counter the purge resets.
///
/// Built to catch: `tombstone-reclaim-reset` (the purge resets its tombstone counter after a
/// delete slipped in: the tombstone stays, counted from the slots: reclamation).
pub fn reclaim_race(size: Size) -> Workload {
    let mut threads = vec![
        vec![Op::Remove { key: 1 }, Op::Get { key: 1 }],
        vec![Op::Remove { key: 2 }, Op::Reclaim, Op::Get { key: 2 }],
    ];
    for _ in 2..size.threads {
        threads.push(vec![Op::Get { key: 3 }]);
    }
    Workload {
        initial: vec![(1, 10), (2, 20), (3, 30)],
        threads,
    }
}

//! The `counter-update` model (its doc comment below says what it drives and why).

use super::Size;
use mapcheck_harness::{Op, Workload};

/// Counters updated in place: every counter starts at 0; every thread but the last increments the
/// counters (an update that adds 1, or inserts 1 when the counter is gone) and reads the first one
/// back; the last thread retires the first counter if it was never used (compare-and-delete of 0),
/// increments it, and at the larger sizes resets the last counter from 1 with a compare-and-swap,
/// then reads the first counter back. Each counter's values are taken out (replaced or removed)
/// once each: an increment that is lost, or a retire that removes a counter already incremented,
/// takes one value out twice.
///
/// Hazard: a read-modify-write split in two (the value read under the lock, the new one written
/// under it again): two increments read the same value and one is lost. A compare-and-delete that
/// compares, lets go of the lock, then removes: it removes a value written in between (the counter
/// incremented after the compare).
///
/// Built to catch: `sharded-racy-update` (a lost increment: exactly-once delete) and
/// `sharded-racy-compare-delete` (a retire that removes an incremented counter: exactly-once
/// delete).
pub fn counter_update(size: Size) -> Workload {
    let threads = size.threads.max(2);
    let keys = size.keys.clamp(1, 3);
    let steps = size.ops.max(2) - 1;
    let increment = |key| Op::Update {
        key,
        add: 1,
        insert: Some(1),
    };
    let mut out: Vec<Vec<Op>> = (0..threads - 1)
        .map(|t| {
            let mut ops: Vec<Op> = (0..steps).map(|i| increment(1 + (i + t) as u64 % keys)).collect();
            ops.push(Op::Get { key: 1 });
            ops
        })
        .collect();
    let mut retirer = vec![
        Op::CompareAndDelete { key: 1, old: 0 },
        increment(1),
        Op::CompareAndSwap {
            key: keys,
            old: 1,
            new: 0,
        },
    ];
    retirer.truncate(steps);
    retirer.push(Op::Get { key: 1 });
    out.push(retirer);
    Workload {
        initial: (1..=keys).map(|k| (k, 0)).collect(),
        threads: out,
    }
}

//! The `concurrent-delete` model (its doc comment below says what it drives and why).

use super::Size;
use mapcheck_harness::{Op, Workload};

/// The concurrent-delete reproducer scaled down: every thread removes the same keys, in a rotated
/// order, then reads one back. Each key's value may be returned by one remove only.
///
/// Hazard: two deletes of one key at once (the reports' "concurrent map writes", and a delete that
/// checks before it takes the lock), deletes routed to the wrong part of the map, and the frees of
/// two removers racing.
///
/// Built to catch: `locked-racy-remove` (exactly-once delete), `sharded-misroute` (lost delete),
/// `locked-leaky-remove` (leak) and `pooled-lost-push` (two removers free their nodes at once and
/// one node is lost: leak).
pub fn concurrent_delete(size: Size) -> Workload {
    let keys = size.keys.max(1);
    let initial = (1..=keys).map(|k| (k, k * 10)).collect();
    let threads = (0..size.threads.max(2))
        .map(|t| {
            let mut ops: Vec<Op> = (0..size.ops.saturating_sub(1).max(1))
                .map(|i| Op::Remove {
                    key: 1 + (t as u64 + i as u64) % keys,
                })
                .collect();
            ops.push(Op::Get {
                key: 1 + t as u64 % keys,
            });
            ops
        })
        .collect();
    Workload { initial, threads }
}

//! The `retain-sweep` model (its doc comment below says what it drives and why).

use super::Size;
use mapcheck_harness::{Op, ValueIf, Workload};

/// An expiry sweeper racing writers: every entry starts expired (an odd value); thread 0 sweeps
/// with a retain that drops the odd values, then reads the first key back; the other threads
/// refresh keys (overwrite them with an even value) and add new ones, then read the first key back.
///
/// Hazard: a retain that judges an entry and removes it in two steps (the entries read under the
/// lock, each removal by key under the lock again): a refresh that lands in between is removed,
/// and the expired value it replaced is taken out twice (by the overwrite and by the sweep). A
/// retain that walks the table part by part may also skip or revisit entries a concurrent writer
/// moves; the iteration rules judge its visits.
///
/// Built to catch: `locked-racy-retain` (a refreshed entry swept: exactly-once delete).
pub fn retain_sweep(size: Size) -> Workload {
    let threads = size.threads.max(2);
    let keys = size.keys.max(1);
    let writes = size.ops.max(2) - 1;
    let mut out = vec![vec![Op::Retain { delete: ValueIf::Odd }, Op::Get { key: 1 }]];
    for t in 1..threads {
        let mut ops: Vec<Op> = (0..writes)
            .map(|i| {
                // Refresh the existing keys, starting with the first; then add new ones.
                let key = if i < keys as usize {
                    1 + (i + t - 1) as u64 % keys
                } else {
                    keys + 1 + (i as u64 - keys) + 10 * t as u64
                };
                Op::Insert {
                    key,
                    value: 2 * (10 * t as u64 + i as u64 + 1),
                }
            })
            .collect();
        ops.push(Op::Get { key: 1 });
        out.push(ops);
    }
    Workload {
        initial: (1..=keys).map(|k| (k, 10 * k + 1)).collect(),
        threads: out,
    }
}

//! The `insert-remove-get` model (its doc comment below says what it drives and why).

use super::Size;
use mapcheck_harness::{Op, Workload};

/// Thread `t`'s `i`-th operation works on key `1 + (t + i/2) % keys`: even steps write (insert
/// and remove alternate between threads, so writes to one key overlap), odd steps read it back.
/// Odd keys start present, so removes and gets see both outcomes.
///
/// Hazard: a reader on one thread reading what a writer on another published, with nothing else
/// ordering the two: every write must be visible, whole, to the reads after it.
///
/// It is the one model where two threads overwrite the same present key.
///
/// Built to catch: `pooled-relaxed` (a node written and published with relaxed ordering: a reader sees the entry
/// but a value the key never held; loom only) and `locked-racy-insert` (two racing overwrites both
/// return the value they replaced: exactly-once delete).
pub fn insert_remove_get(size: Size) -> Workload {
    let keys = size.keys.max(1);
    let initial = (1..=keys).filter(|k| k % 2 == 1).map(|k| (k, k * 10)).collect();
    let threads = (0..size.threads)
        .map(|t| {
            (0..size.ops)
                .map(|i| {
                    let key = 1 + (t as u64 + (i / 2) as u64) % keys;
                    if i % 2 == 1 {
                        Op::Get { key }
                    } else if (t + i / 2) % 2 == 0 {
                        Op::Insert {
                            key,
                            value: 100 * (t as u64 + 1) + i as u64,
                        }
                    } else {
                        Op::Remove { key }
                    }
                })
                .collect()
        })
        .collect();
    Workload { initial, threads }
}

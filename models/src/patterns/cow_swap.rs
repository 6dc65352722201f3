//! The `cow-swap` model (its doc comment below says what it drives and why).

use super::Size;
use mapcheck_harness::{Op, Workload};

/// The copy-on-write swap hazard: thread 0 deletes keys that start present and reads each back,
/// thread 1 inserts fresh keys and reads them back and ends by reading thread 0's first key, further
/// threads read. The writers never touch the same key, so any key that comes back after its delete
/// was resurrected by a racing swap, and any inserted key that goes missing was dropped by one.
///
/// Hazard: a copy-on-write writer that loads, clones and stores without compare-and-swap,
/// overwriting a concurrent writer's change.
///
/// Built to catch: `cow-nocas` (lost delete or lost insert).
pub fn cow_swap(size: Size) -> Workload {
    let keys = size.keys.max(1);
    let initial = (1..=keys).map(|k| (k, k * 10)).collect();
    let threads = (0..size.threads.max(2))
        .map(|t| {
            (0..size.ops)
                .map(|i| {
                    let step = (i / 2) as u64;
                    match (t, i % 2) {
                        (1, _) if i + 1 == size.ops && i > 0 => Op::Get { key: 1 },
                        (0, 0) => Op::Remove { key: 1 + step % keys },
                        (0, _) => Op::Get { key: 1 + step % keys },
                        (1, 0) => Op::Insert {
                            key: keys + 1 + step,
                            value: 1000 + step,
                        },
                        (1, _) => Op::Get { key: keys + 1 + step },
                        _ => Op::Get {
                            key: 1 + (i as u64) % keys,
                        },
                    }
                })
                .collect()
        })
        .collect();
    Workload { initial, threads }
}

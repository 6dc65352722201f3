//! The `delete-during-iteration` model (its doc comment below says what it drives and why).

use super::Size;
use mapcheck_harness::{DeleteIf, Op, Workload};

/// Go's `for k := range m { if k%2 == 0 { delete(m, k) } }` in thread 0, while thread 1 inserts new
/// even keys and deletes odd ones, and any further threads read. At least six keys start present, so
/// thread 1's inserts push `gomap` past its load factor: it grows, with evacuation in progress, while
/// the iteration runs.
pub fn delete_during_iteration(size: Size) -> Workload {
    let keys = size.keys.max(3) * 2;
    let initial = (1..=keys).map(|k| (k, k * 10)).collect();
    let mut threads = vec![
        vec![
            Op::Iterate {
                delete: DeleteIf::Even,
            },
            Op::Get { key: 2 },
        ],
        (0..size.ops.max(1))
            .map(|i| match i % 2 {
                0 => Op::Insert {
                    key: keys + 2 + i as u64,
                    value: 500 + i as u64,
                },
                _ => Op::Remove { key: 1 + i as u64 },
            })
            .collect(),
    ];
    for t in 2..size.threads {
        threads.push(
            (0..size.ops)
                .map(|i| Op::Get {
                    key: 1 + (t + i) as u64 % keys,
                })
                .collect(),
        );
    }
    Workload { initial, threads }
}

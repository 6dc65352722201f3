//! The access-pattern models: each builds a workload (initial contents and per-thread operations)
//! for a size, small enough for loom or larger for shuttle and real threads.

pub use mapcheck_harness::report::Size;
use mapcheck_harness::{Op, Workload};

/// A named access pattern.
#[derive(Debug, Clone, Copy)]
pub struct Model {
    pub name: &'static str,
    pub summary: &'static str,
    pub build: fn(Size) -> Workload,
}

/// Every model, in the order the check matrix lists them.
pub const MODELS: &[Model] = &[
    Model {
        name: "insert-remove-get",
        summary: "threads insert, remove and get overlapping keys",
        build: insert_remove_get,
    },
    Model {
        name: "cow-swap",
        summary: "a deleter and an inserter write different keys while a reader reads; a racing swap must not undo the delete",
        build: cow_swap,
    },
];

pub fn model(name: &str) -> Option<&'static Model> {
    MODELS.iter().find(|m| m.name == name)
}

/// Thread `t`'s `i`-th operation works on key `1 + (t + i/2) % keys`: even steps write (insert
/// and remove alternate between threads, so writes to one key overlap), odd steps read it back.
/// Odd keys start present, so removes and gets see both outcomes.
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

/// The copy-on-write swap hazard: thread 0 deletes keys that start present and reads each back,
/// thread 1 inserts fresh keys and reads them back, further threads read. The writers never touch
/// the same key, so any key that comes back after its delete was resurrected by a racing swap.
pub fn cow_swap(size: Size) -> Workload {
    let keys = size.keys.max(1);
    let initial = (1..=keys).map(|k| (k, k * 10)).collect();
    let threads = (0..size.threads.max(2))
        .map(|t| {
            (0..size.ops)
                .map(|i| {
                    let step = (i / 2) as u64;
                    match (t, i % 2) {
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

//! The access-pattern models: each builds a workload (initial contents and per-thread operations)
//! for a size, small enough for loom or larger for shuttle and real threads.

pub use mapcheck_harness::report::Size;
use mapcheck_harness::{DeleteIf, Op, Workload};

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
        name: "concurrent-delete",
        summary: "every thread deletes the same keys (the reports' reproducer), then reads them back",
        build: concurrent_delete,
    },
    Model {
        name: "delete-during-iteration",
        summary: "one thread iterates deleting even keys while another inserts and deletes",
        build: delete_during_iteration,
    },
    Model {
        name: "tombstone-gc",
        summary: "delete, reinsert of the same key, and a GC tick racing, then reads",
        build: tombstone_gc,
    },
    Model {
        name: "syncmap-promotion",
        summary: "misses promote the dirty map while keys in the read and dirty parts are deleted; then the reclamation step",
        build: syncmap_promotion,
    },
    Model {
        name: "rebuild-race",
        summary: "a writer drains the map and triggers the rebuild while another writer inserts",
        build: rebuild_race,
    },
    Model {
        name: "sharded-whole-map",
        summary: "len, iteration and clear race writers across shards, then every key is read back",
        build: sharded_whole_map,
    },
    Model {
        name: "churn",
        summary: "insert many keys, delete them all, twice, then the reclamation step: memory must follow",
        build: churn,
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

/// The concurrent-delete reproducer scaled down: every thread removes the same keys, in a rotated
/// order, then reads one back. Each key's value may be returned by one remove only.
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

/// Thread 0 deletes a key and reinserts it; thread 1 deletes another key and runs the reclamation
/// step (a GC tick), racing the reinsert; both read the reinserted key back.
pub fn tombstone_gc(size: Size) -> Workload {
    let mut threads = vec![
        vec![
            Op::Remove { key: 1 },
            Op::Insert { key: 1, value: 11 },
            Op::Get { key: 1 },
        ],
        vec![Op::Remove { key: 2 }, Op::Reclaim, Op::Get { key: 1 }],
    ];
    for t in 2..size.threads {
        threads.push(vec![
            Op::Get {
                key: 1 + t as u64 % 2
            };
            size.ops.clamp(1, 3)
        ]);
    }
    Workload {
        initial: vec![(1, 10), (2, 20)],
        threads,
    }
}

/// Thread 0 drains the map and runs the reclamation step (the rebuild); thread 1 inserts and reads
/// back; an insert that lands in the storage being thrown away is lost.
pub fn rebuild_race(size: Size) -> Workload {
    let mut threads = vec![
        vec![Op::Remove { key: 1 }, Op::Reclaim],
        vec![Op::Insert { key: 2, value: 20 }, Op::Get { key: 2 }],
    ];
    for _ in 2..size.threads {
        threads.push(vec![Op::Get { key: 2 }]);
    }
    Workload {
        initial: vec![(1, 10)],
        threads,
    }
}

/// Insert many keys and delete them all, twice, then the reclamation step; threads work on disjoint
/// keys. Judged by the reclamation oracle against each structure's declared policy.
pub fn churn(size: Size) -> Workload {
    let n = (size.keys * 8).max(16);
    let threads = (0..size.threads.clamp(1, 2))
        .map(|t| {
            let base = 1 + t as u64 * n;
            let mut ops = Vec::new();
            for round in 0..2u64 {
                ops.extend((base..base + n).map(|key| Op::Insert { key, value: round }));
                ops.extend((base..base + n).map(|key| Op::Remove { key }));
            }
            ops.push(Op::Reclaim);
            ops
        })
        .collect();
    Workload {
        initial: vec![],
        threads,
    }
}

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

/// Whole-map operations racing single-key writers: thread 0 takes len, iterates and clears, then
/// reads every key back; thread 1 inserts a new key and deletes an old one. Keys 1..=4 land in
/// different shards of `sharded`.
pub fn sharded_whole_map(size: Size) -> Workload {
    let mut t0 = vec![
        Op::Len,
        Op::Iterate {
            delete: DeleteIf::Nothing,
        },
        Op::Clear,
    ];
    t0.extend((1..=4).map(|key| Op::Get { key }));
    let mut threads = vec![
        t0,
        vec![Op::Insert { key: 5, value: 50 }, Op::Remove { key: 2 }, Op::Len],
    ];
    for _ in 2..size.threads {
        threads.push(vec![Op::Len]);
    }
    Workload {
        initial: (1..=4).map(|k| (k, k * 10)).collect(),
        threads,
    }
}

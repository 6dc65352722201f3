//! The `sharded-whole-map` model (its doc comment below says what it drives and why).

use super::Size;
use mapcheck_harness::{DeleteIf, Op, Workload};

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

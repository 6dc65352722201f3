//! The `sharded-whole-map` model (its doc comment below says what it drives and why).

use super::Size;
use mapcheck_harness::{DeleteIf, Op, Workload};

/// Whole-map operations racing single-key writers: thread 0 takes len, iterates and clears, then
/// reads every key back; thread 1 inserts a new key and deletes an old one, then takes len.
///
/// Hazard: len, iteration and clear that are not atomic across the parts of a map (the shards of
/// `sharded`, whose keys 1, 2, 3, 4 and 5 land in shards 1, 2, 0, 1 and 3: every shard holds a key
/// that thread 0 reads back after its clear), and whole-map operations that take their locks in
/// another order than single-key ones.
///
/// Built to catch: `sharded-clear-skips` (a clear that leaves the last shard: its key is read
/// back), `rebuild-clear-inversion` (a clear that takes the storage lock before the outer lock,
/// racing an insert that takes them the other way round: deadlock) and `sharded-clear-count` (a
/// count kept beside the shards that the clear resets only after emptying them all: thread 1's
/// len in between counts keys the clear has already removed, more than were present at any point
/// of the call; or its insert lands in an emptied shard and is never counted).
pub fn sharded_whole_map(size: Size) -> Workload {
    let mut t0 = vec![
        Op::Len,
        Op::Iterate {
            delete: DeleteIf::Nothing,
        },
        Op::Clear,
    ];
    t0.extend((1..=5).map(|key| Op::Get { key }));
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

//! The `delete-during-iteration` model (its doc comment below says what it drives and why).

use super::Size;
use mapcheck_harness::{DeleteIf, Op, Workload};

/// Go's `for k := range m { if k%2 == 0 { delete(m, k) } }` in thread 0, while thread 1 inserts new
/// keys and then deletes odd ones, and any further threads read.
///
/// Hazard: an iteration that deletes the keys it visits while the map changes and grows under it
/// (Go's iteration rules: nothing yielded twice, nothing present throughout skipped, no deleted
/// value produced). The map starts with as many entries as Go's map holds in `2^B` buckets, `2^B`
/// the first power of two at least `size.keys` (13 at the loom size, 26 at the shuttle size), so
/// thread 1's first insert grows the table while the iteration runs, at every size the check uses;
/// at the shuttle size the grow is still evacuating when the next writes come.
///
/// Built to catch: `locked-iterlock` (the delete waits for the write lock under the iteration's
/// read lock: deadlock), `gomap-iter-revisit` (an iterator that follows the grown table visits
/// evacuated entries again: a key yielded twice, or skipped) and `sharded-torn-snapshot` (a
/// "snapshot" copied one shard at a time: thread 1's two inserts land in different shards, the
/// first in one already copied, the second in one not yet copied, and the snapshot holds the second
/// without the first, a set the map never held: linearizability).
pub fn delete_during_iteration(size: Size) -> Workload {
    let b = size.keys.max(2).next_power_of_two().trailing_zeros();
    // Go's load factor 6.5 per bucket: the most entries `2^b` buckets hold without growing.
    let keys = 13u64 << b.saturating_sub(1);
    let initial = (1..=keys).map(|k| (k, k * 10)).collect();
    let ops = size.ops.max(1);
    let inserts = ops.div_ceil(2);
    let mut writer: Vec<Op> = (0..inserts)
        .map(|i| Op::Insert {
            key: keys + 1 + i as u64,
            value: 500 + i as u64,
        })
        .collect();
    writer.extend((0..ops - inserts).map(|i| Op::Remove {
        key: 1 + 2 * i as u64,
    }));
    let mut threads = vec![
        vec![
            Op::Iterate {
                delete: DeleteIf::Even,
            },
            Op::Get { key: 2 },
        ],
        writer,
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

//! The `cache-fill` model (its doc comment below says what it drives and why).

use super::Size;
use mapcheck_harness::{Op, Workload};

/// A cache filled on a miss with get-or-insert (Go's `LoadOrStore`, Rust's
/// `entry(k).or_insert(v)`) racing an invalidation. Every thread but the last fills the same keys in
/// the same order, each with a value of its own, then reads the first key back; the last thread
/// fills the first key, invalidates it (remove), fills it again and, at the larger sizes, clears the
/// whole cache before reading the first key back.
///
/// Hazard: a get-or-insert that checks for the key and inserts in two steps (a check under a read
/// lock, the insert under the write lock): two fills of one missing key both find it missing and
/// both insert, each told its own value went in, and one of them is overwritten. A fill racing an
/// invalidation may legitimately insert twice (the invalidation between the two); the checker tells
/// the two apart.
///
/// Built to catch: `locked-racy-get-or-insert` (two fills both insert: linearizability).
pub fn cache_fill(size: Size) -> Workload {
    let threads = size.threads.max(2);
    let keys = size.keys.max(1);
    let fills = size.ops.max(2) - 1;
    let value = |t: usize, i: usize| 100 * (t as u64 + 1) + i as u64;
    let mut out: Vec<Vec<Op>> = (0..threads - 1)
        .map(|t| {
            let mut ops: Vec<Op> = (0..fills)
                .map(|i| Op::GetOrInsert {
                    key: 1 + i as u64 % keys,
                    value: value(t, i),
                })
                .collect();
            ops.push(Op::Get { key: 1 });
            ops
        })
        .collect();
    let t = threads - 1;
    let mut invalidator = vec![
        Op::GetOrInsert {
            key: 1,
            value: value(t, 0),
        },
        Op::Remove { key: 1 },
        Op::GetOrInsert {
            key: 1,
            value: value(t, 2),
        },
        Op::Clear,
    ];
    invalidator.truncate(fills);
    invalidator.push(Op::Get { key: 1 });
    out.push(invalidator);
    Workload {
        initial: Vec::new(),
        threads: out,
    }
}

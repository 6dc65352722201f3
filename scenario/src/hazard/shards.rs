//! Keys and shards. A sharded map's whole-map hazards depend on which shards hold the keys: the
//! `sharded` structures route a key by a multiplicative hash over [`SHARDS`] shards, and a clear
//! that misses a shard misses its last one. Keys in a reproducer are names (string keys are
//! numbered in order of appearance), so when none of a scenario's keys lives in the last shard,
//! one is renumbered to a free key that does, and the scenario says so.

use crate::Step;
use mapcheck_harness::{DeleteIf, Op};
use std::collections::BTreeSet;

/// The shards of the `sharded` structures.
pub const SHARDS: usize = 4;

/// The shard the `sharded` structures route `key` to (the models' `sharded::shard_of`).
pub fn shard_of(key: u64) -> usize {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as usize % SHARDS
}

/// When the scenario clears the map and none of its keys lives in the last shard, renumbers the
/// first key that may be present to the smallest unused key that does: `Some((from, to))`.
/// Iterations that delete by parity keep their keys (a renumbering could change which they
/// delete).
pub fn spread(threads: &mut [Vec<Step>], initial: &mut [(u64, u64)]) -> Option<(u64, u64)> {
    let ops = || threads.iter().flatten().map(|s| s.op);
    if !ops().any(|op| op == Op::Clear) {
        return None;
    }
    if ops().any(|op| {
        matches!(
            op,
            Op::Iterate {
                delete: DeleteIf::Even | DeleteIf::Odd
            }
        )
    }) {
        return None;
    }
    let mut used: BTreeSet<u64> = initial.iter().map(|(k, _)| *k).collect();
    used.extend(ops().filter_map(|op| crate::build::key_of(&op)));
    if used.iter().any(|k| shard_of(*k) == SHARDS - 1) {
        return None;
    }
    let inserted = ops().find_map(|op| op.may_add());
    let from = initial.first().map(|(k, _)| *k).or(inserted)?;
    let to = (1..).find(|k| shard_of(*k) == SHARDS - 1 && !used.contains(k))?;
    let swap = |k: u64| if k == from { to } else { k };
    for (k, _) in initial.iter_mut() {
        *k = swap(*k);
    }
    for s in threads.iter_mut().flatten() {
        s.op = crate::ops::map_keys(s.op, swap);
    }
    Some((from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_moved_to_the_last_shard_when_none_is_there() {
        let mut threads = vec![
            vec![Step::new(Op::Clear)],
            vec![
                Step::new(Op::Insert { key: 3, value: 3 }),
                Step::new(Op::Get { key: 1 }),
            ],
        ];
        let mut initial = vec![(1, 1), (2, 2)];
        assert_eq!(spread(&mut threads, &mut initial), Some((1, 5)));
        assert_eq!(initial, [(5, 1), (2, 2)]);
        assert_eq!(threads[1][1].op, Op::Get { key: 5 });
        assert_eq!(shard_of(5), SHARDS - 1);
        // Already spread: nothing changes.
        assert_eq!(spread(&mut threads, &mut initial), None);
    }

    #[test]
    fn the_route_is_the_sharded_structures_own() {
        for k in 0..10_000u64 {
            assert_eq!(
                shard_of(k),
                mapcheck_models::structures::sharded::shard_of(k),
                "key {k}"
            );
        }
    }
}

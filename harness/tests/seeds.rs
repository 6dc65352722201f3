//! Seeds never overlap: the runs of one thread-engine exploration, of two seeds and of two shards
//! of one seed are driven by distinct jitter, and two shards start distinct streams of shuttle
//! schedules.

use mapcheck_harness::engine::{derive_seed, shard_seed};
use shuttle::scheduler::{RandomScheduler, Scheduler};
use std::collections::HashSet;

/// Every value must be new to `seen`; names the first repeat.
fn all_new(seen: &mut HashSet<u64>, values: impl IntoIterator<Item = (String, u64)>) {
    for (what, v) in values {
        assert!(seen.insert(v), "{what} repeats an earlier run's seed {v:#x}");
    }
}

#[test]
fn the_runs_of_different_seeds_never_share_jitter() {
    // Seed 42's run 1 was seed 43's run 0 when runs were seeded with `seed ^ iteration`.
    assert_ne!(derive_seed(42, 1), derive_seed(43, 0));
    let mut seen = HashSet::new();
    for seed in 0..64 {
        all_new(
            &mut seen,
            (0..10_000).map(|i| (format!("seed {seed} run {i}"), derive_seed(seed, i))),
        );
    }
}

#[test]
fn shards_and_seeds_get_distinct_seeds() {
    let mut seen = HashSet::new();
    for seed in 0..200 {
        for of in 1..=16 {
            all_new(
                &mut seen,
                (1..=of).map(|k| (format!("seed {seed} shard {k}/{of}"), shard_seed(seed, k, of))),
            );
        }
    }
    assert_eq!(shard_seed(42, 1, 1), 42, "a single shard runs the seed given");
}

#[test]
fn the_runs_of_two_shards_never_coincide_on_real_threads() {
    // Each run of the thread engine is seeded with `derive_seed(engine seed, iteration)`.
    let mut seen = HashSet::new();
    for seed in [42, 43] {
        for k in 1..=4 {
            let s = shard_seed(seed, k, 4);
            all_new(
                &mut seen,
                (0..20_000).map(|i| (format!("seed {seed} shard {k}/4 run {i}"), derive_seed(s, i))),
            );
        }
    }
}

#[test]
fn the_shuttle_schedules_of_two_shards_never_coincide() {
    // shuttle's random and PCT schedulers draw each execution's seed from a stream started by the
    // scheduler's seed.
    let mut seen = HashSet::new();
    for seed in [42, 43] {
        for k in 1..=4 {
            let mut scheduler = RandomScheduler::new_from_seed(shard_seed(seed, k, 4), 5_000);
            let mut i = 0;
            while let Some(schedule) = scheduler.new_execution() {
                assert!(
                    seen.insert(schedule.seed),
                    "seed {seed} shard {k}/4 execution {i} repeats an earlier execution's seed"
                );
                i += 1;
            }
            assert_eq!(i, 5_000);
        }
    }
}

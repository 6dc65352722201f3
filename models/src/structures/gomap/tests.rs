//! `gomap`'s own tests: against a `BTreeMap`, growth, overflow chains, iteration during growth,
//! and the concurrent-writes detector under shuttle and loom.

use super::*;
use mapcheck_harness::rt::Std;
use std::collections::{BTreeMap, BTreeSet};

use crate::structures::TestRng as Rng;

fn new_map() -> GoMap<Std> {
    Gomap::new::<Std>()
}

fn contents(m: &GoMap<Std>) -> BTreeMap<Key, Value> {
    let mut out = BTreeMap::new();
    m.iterate(&mut |k, v| {
        assert!(out.insert(k, v).is_none(), "key {k} yielded twice");
        ControlFlow::Continue(())
    });
    out
}

/// Runs `ops` random operations on keys below `range` against a `BTreeMap`.
fn differential(seed: u64, range: u64, ops: usize) {
    let m = new_map();
    let mut reference = BTreeMap::new();
    let mut rng = Rng(seed);
    for step in 0..ops {
        let key = rng.below(range);
        match rng.below(100) {
            0..=44 => {
                let value = rng.next();
                assert_eq!(m.insert(key, value), reference.insert(key, value), "insert {key}");
            }
            45..=69 => assert_eq!(m.remove(key), reference.remove(&key), "remove {key}"),
            70..=97 => assert_eq!(m.get(key), reference.get(&key).copied(), "get {key}"),
            _ if step % 7 == 0 => {
                m.clear();
                reference.clear();
            }
            _ => assert_eq!(contents(&m), reference),
        }
        assert_eq!(m.len(), reference.len());
    }
    assert_eq!(contents(&m), reference);
    for (k, v) in &reference {
        assert_eq!(m.get(*k), Some(*v));
    }
}

#[test]
fn matches_btreemap_small_key_range() {
    for seed in 1..5 {
        differential(seed, 16, 3000);
    }
}

#[test]
fn matches_btreemap_large_key_range() {
    for seed in 1..4 {
        differential(seed * 77, 1 << 20, 4000);
    }
}

#[test]
fn grows_and_keeps_every_entry() {
    let m = new_map();
    for k in 0..5000u64 {
        assert_eq!(m.insert(k, k * 3), None);
    }
    assert_eq!(m.len(), 5000);
    for k in 0..5000u64 {
        assert_eq!(m.get(k), Some(k * 3));
    }
    assert!(m.b.get() >= 9, "B = {}", m.b.get());
    assert_eq!(contents(&m).len(), 5000);
}

/// Keys whose hashes share their low 12 bits land in one bucket for every B up to 12, so they
/// build a long overflow chain; deleting them in a random order exercises the conversion of
/// trailing emptyOne slots to emptyRest across overflow buckets.
#[test]
fn colliding_keys_build_overflow_chains() {
    let m = new_map();
    let keys: Vec<Key> = (0..2_000_000u64)
        .filter(|k| hash_key(*k, HASH0) & 0xfff == 0)
        .take(60)
        .collect();
    assert_eq!(keys.len(), 60);
    for (n, k) in keys.iter().enumerate() {
        m.insert(*k, n as Value);
    }
    assert!(m.noverflow.get() > 0, "no overflow bucket was allocated");
    for (n, k) in keys.iter().enumerate() {
        assert_eq!(m.get(*k), Some(n as Value));
    }
    let mut order = keys.clone();
    let mut rng = Rng(9);
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i as u64 + 1) as usize);
    }
    for (n, k) in order.iter().enumerate() {
        assert_eq!(
            m.remove(*k),
            Some(keys.iter().position(|x| x == k).unwrap() as Value)
        );
        assert_eq!(m.len(), keys.len() - n - 1);
        assert_eq!(m.get(*k), None);
        for later in &order[n + 1..] {
            assert!(m.get(*later).is_some(), "key {later} lost after removing {k}");
        }
    }
    assert!(contents(&m).is_empty());
}

/// Filling one bucket's chain and emptying it again, bucket after bucket, piles up overflow
/// buckets while `count` stays low: Go's trigger for a same-size growth, which compacts them.
#[test]
fn overflow_churn_triggers_same_size_growth() {
    let m = new_map();
    let mut reference = BTreeMap::new();
    for k in 0..40u64 {
        m.insert(k, k);
    }
    finish_growth(&m);
    for k in 0..40u64 {
        m.remove(k);
    }
    let b = m.b.get();
    assert_eq!(b, 3);
    let mut saw_same_size = false;
    let mut candidates = 1_000u64..;
    for j in 0..8u64 {
        let keys: Vec<Key> = candidates
            .by_ref()
            .filter(|k| hash_key(*k, HASH0) & 7 == j)
            .take(20)
            .collect();
        for k in &keys {
            assert_eq!(m.insert(*k, *k + 1), reference.insert(*k, *k + 1));
            saw_same_size |= m.same_size_grow();
        }
        // Keep the last key of each round so the contents stay non-trivial.
        for k in &keys[..19] {
            assert_eq!(m.remove(*k), reference.remove(k));
        }
    }
    assert!(saw_same_size, "no same-size growth happened");
    assert_eq!(m.b.get(), b, "a same-size growth must not change B");
    assert_eq!(contents(&m), reference);
    assert_eq!(m.len(), reference.len());
}

/// Overwrites existing keys (each write does growth work) until no growth is in progress.
fn finish_growth(m: &GoMap<Std>) {
    while m.growing() {
        let mut it = m.iter_init().expect("a growing map is not empty");
        let (k, v) = m.iter_next::<true>(&mut it).expect("a growing map is not empty");
        drop(it);
        m.insert(k, v);
    }
}

#[test]
fn capacity_never_decreases_after_deletes() {
    let m = new_map();
    let mut rng = Rng(3);
    let mut keys = Vec::new();
    for _ in 0..3000 {
        let k = rng.next();
        keys.push(k);
        m.insert(k, 1);
    }
    finish_growth(&m);
    let peak = m.footprint();
    assert_eq!(peak.live, 3000);
    let mut last = peak.capacity;
    for k in &keys {
        assert_eq!(m.remove(*k), Some(1));
        let now = m.footprint();
        assert!(
            now.capacity >= last,
            "capacity fell from {last} to {}",
            now.capacity
        );
        last = now.capacity;
    }
    let drained = m.footprint();
    assert_eq!(drained.live, 0);
    assert_eq!(drained.capacity, peak.capacity);
    assert_eq!(drained.bytes, peak.bytes);
    // `clear` keeps the main bucket array too.
    m.insert(1, 1);
    m.clear();
    assert!(m.footprint().capacity >= bucket_shift(m.b.get()) * BUCKET_CNT);
    assert_eq!(m.len(), 0);
    assert_eq!(m.get(1), None);
}

/// Inserts keys `0..` until a growth has just started; returns the reference contents.
fn map_in_mid_growth(target: usize) -> (GoMap<Std>, BTreeMap<Key, Value>) {
    let m = new_map();
    let mut reference = BTreeMap::new();
    let mut k = 0u64;
    while reference.len() < target || !m.growing() {
        m.insert(k, k + 1000);
        reference.insert(k, k + 1000);
        k += 1;
    }
    assert!(m.growing());
    (m, reference)
}

/// Iterates a map whose growth is in progress while the visitor deletes the visited key,
/// deletes keys not visited yet and inserts new keys (each write does growth work, and enough
/// inserts start a second growth), in every combination, including none of them.
#[test]
fn iteration_during_growth_with_deletes_and_inserts() {
    for target in [9usize, 14, 30, 60, 110, 250, 500, 1000] {
        for (del_visited, del_other, inserts) in (0..12).map(|m| (m & 1 != 0, m & 2 != 0, m / 4)) {
            let (m, initial) = map_in_mid_growth(target);
            let mut yielded = BTreeSet::new();
            let mut deleted_unvisited = BTreeSet::new();
            let mut next_new = 1_000_000u64;
            let mut current = initial.clone();
            let mut rng = Rng(target as u64 * 31 + inserts as u64 + 1);
            m.iterate(&mut |k, v| {
                assert!(yielded.insert(k), "key {k} yielded twice (target {target})");
                assert!(!deleted_unvisited.contains(&k), "deleted key {k} was yielded");
                assert_eq!(current.get(&k), Some(&v), "stale value for key {k}");
                if del_visited && k % 2 == 0 {
                    assert_eq!(m.remove(k), Some(v));
                    current.remove(&k);
                }
                if del_other {
                    // Delete another key that has not been visited yet.
                    let other = rng.below(initial.len() as u64);
                    if !yielded.contains(&other) && current.contains_key(&other) {
                        assert!(m.remove(other).is_some());
                        current.remove(&other);
                        deleted_unvisited.insert(other);
                    }
                }
                for _ in 0..inserts * inserts {
                    m.insert(next_new, next_new);
                    current.insert(next_new, next_new);
                    next_new += 1;
                }
                ControlFlow::Continue(())
            });
            for k in initial.keys() {
                if !deleted_unvisited.contains(k) {
                    assert!(yielded.contains(k), "key {k} present throughout was skipped");
                }
            }
            for k in &yielded {
                assert!(initial.contains_key(k) || *k >= 1_000_000);
            }
            assert_eq!(contents(&m), current);
            assert_eq!(m.len(), current.len());
        }
    }
}

#[test]
fn deleting_every_visited_key_empties_the_map() {
    for target in [5usize, 9, 40, 100, 700, 2000] {
        let (m, initial) = if target < 9 {
            let m = new_map();
            let mut r = BTreeMap::new();
            for k in 0..target as u64 {
                m.insert(k, k);
                r.insert(k, k);
            }
            (m, r)
        } else {
            map_in_mid_growth(target)
        };
        let mut yielded = BTreeSet::new();
        m.iterate(&mut |k, v| {
            assert!(yielded.insert(k), "key {k} yielded twice");
            assert_eq!(m.remove(k), Some(v));
            ControlFlow::Continue(())
        });
        assert_eq!(yielded.len(), initial.len());
        assert_eq!(m.len(), 0);
        assert!(contents(&m).is_empty());
    }
}

#[test]
fn footprint_counts_buckets() {
    let m = new_map();
    assert_eq!(m.footprint().capacity, 0);
    m.insert(1, 2);
    let f = m.footprint();
    assert_eq!((f.live, f.stale, f.snapshots), (1, 0, 1));
    assert_eq!(f.capacity, BUCKET_CNT);
    assert_eq!(f.bytes, HMAP_BYTES + BUCKET_BYTES);
    m.reclaim();
    assert_eq!(m.footprint(), f);
}

/// Two writers racing under shuttle: Go's detector fires for some schedule.
#[test]
fn shuttle_two_writers_trip_the_detector() {
    use mapcheck_harness::rt::{spawn, Shuttle};
    let result = std::panic::catch_unwind(|| {
        shuttle::check_random_with_seed(
            || {
                let m = Arc::<Shuttle, _>::new(Gomap::new::<Shuttle>());
                let handles: Vec<_> = (0..2u64)
                    .map(|t| {
                        let m = m.clone();
                        spawn::<Shuttle, _>(move || {
                            for k in 0..3 {
                                m.insert(t * 100 + k, k);
                            }
                        })
                    })
                    .collect();
                for h in handles {
                    if let Err(e) = h.join() {
                        std::panic::resume_unwind(e);
                    }
                }
            },
            0x5eed,
            1000,
        )
    });
    let err = result.expect_err("no schedule tripped the concurrent-write detector");
    let msg = err
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    assert!(msg.contains("concurrent map writes"), "unexpected panic: {msg}");
}

/// The same two writers under loom: the unsynchronised cells are reported as a data race.
#[test]
fn loom_two_writers_race() {
    use mapcheck_harness::rt::{spawn, Loom};
    let result = std::panic::catch_unwind(|| {
        loom::model(|| {
            let m = Arc::<Loom, _>::new(Gomap::new::<Loom>());
            let handles: Vec<_> = (0..2u64)
                .map(|t| {
                    let m = m.clone();
                    spawn::<Loom, _>(move || {
                        m.insert(t * 100, t);
                    })
                })
                .collect();
            for h in handles {
                if let Err(e) = h.join() {
                    std::panic::resume_unwind(e);
                }
            }
        })
    });
    let err = result.expect_err("loom did not report the racing writers");
    let msg = err
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    assert!(
        msg.contains("Causality violation") || msg.contains("concurrent map writes"),
        "unexpected panic: {msg}"
    );
}

//! `syncmap`'s own tests: against the sequential spec, promotion, expunging, and stale entries.

use super::*;
use mapcheck_harness::rt::Std;
use std::collections::BTreeMap;

use crate::structures::TestRng as Rng;

fn new_map() -> SyncMap<Std> {
    Syncmap::new::<Std>()
}

fn contents<R: Runtime>(m: &SyncMap<R>) -> BTreeMap<Key, Value> {
    let mut out = BTreeMap::new();
    m.iterate(&mut |k, v| {
        assert!(out.insert(k, v).is_none(), "key {k} yielded twice");
        ControlFlow::Continue(())
    });
    out
}

fn is_amended(m: &SyncMap<Std>) -> bool {
    m.with_read(|ro| ro.amended)
}

fn read_len(m: &SyncMap<Std>) -> usize {
    m.with_read(|ro| ro.m.len())
}

#[test]
fn matches_btreemap() {
    for (seed, range) in [(1u64, 8u64), (2, 64), (3, 1 << 20), (4, 20)] {
        let m = new_map();
        let mut reference = BTreeMap::new();
        let mut rng = Rng(seed);
        for step in 0..4000 {
            let key = rng.below(range);
            match rng.below(100) {
                0..=39 => {
                    let v = rng.below(1 << 40);
                    assert_eq!(m.insert(key, v), reference.insert(key, v), "insert {key}");
                }
                40..=64 => assert_eq!(m.remove(key), reference.remove(&key), "remove {key}"),
                65..=94 => assert_eq!(m.get(key), reference.get(&key).copied(), "get {key}"),
                95 => assert_eq!(m.len(), reference.len()),
                96 => assert_eq!(contents(&m), reference),
                97 => m.reclaim(),
                _ if step % 5 == 0 => {
                    m.clear();
                    reference.clear();
                }
                _ => {}
            }
        }
        assert_eq!(contents(&m), reference);
        m.reclaim();
        assert_eq!(m.footprint().live, reference.len());
        assert_eq!(contents(&m), reference);
    }
}

#[test]
fn misses_promote_the_dirty_map() {
    let m = new_map();
    for k in 0..4 {
        m.insert(k, k + 10);
    }
    // Every key is new, so all of them are in the dirty map only.
    assert!(is_amended(&m));
    assert_eq!(read_len(&m), 0);
    for k in 0..3 {
        assert_eq!(m.get(k), Some(k + 10));
        assert!(is_amended(&m), "promoted after {} misses", k + 1);
        assert_eq!(m.mu.lock().misses, k as usize + 1);
    }
    // The fourth miss equals the dirty map's size: the dirty map becomes the read map.
    assert_eq!(m.get(100), None);
    assert!(!is_amended(&m));
    assert_eq!(read_len(&m), 4);
    assert!(m.mu.lock().dirty.is_none());
    assert_eq!(m.mu.lock().misses, 0);
    // Now loads are served by the read map without a miss.
    for k in 0..4 {
        assert_eq!(m.get(k), Some(k + 10));
    }
    assert_eq!(m.mu.lock().misses, 0);
    assert_eq!(m.footprint().snapshots, 1, "retired read maps were not freed");
}

#[test]
fn stale_entries_linger_until_a_new_key_and_a_promotion() {
    let m = new_map();
    for k in 0..100 {
        m.insert(k, k);
    }
    // Range promotes: every entry is in the read map.
    assert_eq!(m.len(), 100);
    for k in 0..50 {
        assert_eq!(m.remove(k), Some(k));
    }
    let f = m.footprint();
    assert_eq!((f.live, f.stale), (50, 50));
    // With no new key, a promotion has nothing to promote: the deleted entries stay.
    m.reclaim();
    assert_eq!(m.footprint().stale, 50);
    // A new key creates the dirty map, which expunges the deleted entries; they stay in the
    // read map.
    m.insert(1000, 1);
    let f = m.footprint();
    assert_eq!((f.live, f.stale), (51, 50));
    assert!(m.with_read(|ro| ro.m.values().any(|e| e.p.load(SeqCst) == EXPUNGED)));
    // Storing to an expunged key unexpunges it and puts it back in the dirty map.
    assert_eq!(m.insert(7, 70), None);
    assert_eq!(m.get(7), Some(70));
    assert_eq!(m.footprint().stale, 49);
    // The promotion replaces the read map with the dirty map, which never held the expunged
    // entries: they are gone.
    m.reclaim();
    let f = m.footprint();
    assert_eq!((f.live, f.stale, f.snapshots), (52, 0, 1));
    assert!(!is_amended(&m));
    assert!(m.mu.lock().dirty.is_none());
    let mut expected: BTreeMap<Key, Value> = (50..100).map(|k| (k, k)).collect();
    expected.insert(1000, 1);
    expected.insert(7, 70);
    assert_eq!(contents(&m), expected);
    // A delete with no new key after it is retained, promotion or not.
    m.remove(60);
    m.reclaim();
    assert_eq!(m.footprint().stale, 1);
    assert_eq!(m.get(60), None);
    assert_eq!(m.insert(60, 6), None);
    assert_eq!(m.get(60), Some(6));
    assert_eq!(m.footprint().stale, 0);
}

#[test]
fn deleting_the_visited_key_during_iteration() {
    for amended in [false, true] {
        let m = new_map();
        for k in 0..40 {
            m.insert(k, k * 2);
        }
        if !amended {
            m.reclaim();
        }
        assert_eq!(is_amended(&m), amended);
        let mut seen = BTreeSet::new();
        m.iterate(&mut |k, v| {
            assert!(seen.insert(k));
            assert_eq!(m.remove(k), Some(v));
            assert_eq!(m.get(k), None);
            // Inserting during the iteration is allowed too.
            m.insert(k + 1000, v);
            ControlFlow::Continue(())
        });
        assert_eq!(seen, (0..40).collect());
        for k in 0..40 {
            assert_eq!(m.get(k), None);
            assert_eq!(m.get(k + 1000), Some(k * 2));
        }
        assert_eq!(m.len(), 40);
    }
}

#[test]
fn clear_empties_and_dropping_frees_every_read_map() {
    let m = new_map();
    for k in 0..30 {
        m.insert(k, k);
    }
    m.len();
    m.insert(99, 9);
    m.clear();
    assert_eq!(m.len(), 0);
    assert_eq!(m.get(3), None);
    assert_eq!(m.insert(3, 4), None);
    assert_eq!(m.get(3), Some(4));
    let alive = m.read_maps.clone();
    assert!(alive.load(SeqCst) >= 1);
    drop(m);
    assert_eq!(alive.load(SeqCst), 0, "a read map leaked");
}

/// One thread's operations in the concurrent tests.
#[derive(Clone, Copy, Debug)]
enum Op {
    Insert(Key, Value),
    Remove(Key),
    Get(Key),
    Reclaim,
}

fn apply<M: Map>(m: &M, op: Op) -> Option<Value> {
    match op {
        Op::Insert(k, v) => m.insert(k, v),
        Op::Remove(k) => m.remove(k),
        Op::Get(k) => m.get(k),
        Op::Reclaim => {
            m.reclaim();
            None
        }
    }
}

/// Whether some interleaving of the threads' programs, run one operation at a time on a
/// `BTreeMap` holding `initial`, gives every observed result and the observed final contents
/// (sequential consistency).
fn explained(
    initial: &BTreeMap<Key, Value>,
    programs: &[Vec<Op>],
    observed: &[Vec<Option<Value>>],
    final_contents: &BTreeMap<Key, Value>,
) -> bool {
    fn go(
        programs: &[Vec<Op>],
        observed: &[Vec<Option<Value>>],
        next: &mut Vec<usize>,
        state: &mut BTreeMap<Key, Value>,
        final_contents: &BTreeMap<Key, Value>,
    ) -> bool {
        if next.iter().zip(programs).all(|(n, p)| *n == p.len()) {
            return state == final_contents;
        }
        for t in 0..programs.len() {
            let Some(op) = programs[t].get(next[t]).copied() else {
                continue;
            };
            let saved = state.clone();
            let result = match op {
                Op::Insert(k, v) => state.insert(k, v),
                Op::Remove(k) => state.remove(&k),
                Op::Get(k) => state.get(&k).copied(),
                Op::Reclaim => None,
            };
            if result == observed[t][next[t]] {
                next[t] += 1;
                if go(programs, observed, next, state, final_contents) {
                    return true;
                }
                next[t] -= 1;
            }
            *state = saved;
        }
        false
    }
    let mut next = vec![0; programs.len()];
    let mut state = initial.clone();
    go(programs, observed, &mut next, &mut state, final_contents)
}

/// Runs `setup` on the main thread, then the programs on `R`'s threads, and checks the results
/// against the sequential outcomes; then checks the footprint after `reclaim`.
fn run_programs<R: Runtime>(setup: &[Op], programs: &[Vec<Op>]) {
    let m = Arc::<R, _>::new(Syncmap::new::<R>());
    for op in setup {
        apply(&*m, *op);
    }
    let initial = contents(&*m);
    let handles: Vec<_> = programs
        .iter()
        .map(|p| {
            let m = m.clone();
            let p = p.clone();
            mapcheck_harness::rt::spawn::<R, _>(move || {
                p.iter().map(|op| apply(&*m, *op)).collect::<Vec<_>>()
            })
        })
        .collect();
    let observed: Vec<Vec<Option<Value>>> = handles
        .into_iter()
        .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
        .collect();
    let final_contents = contents(&*m);
    assert!(
        explained(&initial, programs, &observed, &final_contents),
        "no sequential order explains {observed:?} with final contents {final_contents:?}"
    );
    m.reclaim();
    let f = m.footprint();
    assert_eq!(f.snapshots, 1);
    assert_eq!(f.live, final_contents.len());
}

/// Key 1 deleted but still in the read map (nil), key 2 live in the read map.
const SETUP: [Op; 4] = [Op::Insert(1, 1), Op::Insert(2, 2), Op::Reclaim, Op::Remove(1)];

/// Two threads store and delete overlapping keys while a third loads and reclaims, from an
/// empty map and from one with a deleted entry in its read map.
#[test]
fn shuttle_pct_store_delete_load() {
    let programs = vec![
        vec![Op::Insert(1, 11), Op::Insert(2, 12), Op::Remove(1)],
        vec![Op::Insert(1, 21), Op::Remove(2), Op::Insert(2, 22)],
        vec![Op::Get(1), Op::Reclaim, Op::Get(2)],
    ];
    shuttle::check_pct(
        move || {
            run_programs::<mapcheck_harness::rt::Shuttle>(&[], &programs);
            run_programs::<mapcheck_harness::rt::Shuttle>(&SETUP, &programs);
        },
        1000,
        2,
    );
}

/// A store to a deleted key races with a promotion, and a load.
#[test]
fn loom_store_races_with_reclaim() {
    let programs = vec![
        vec![Op::Insert(1, 11), Op::Remove(2)],
        vec![Op::Reclaim, Op::Get(1)],
    ];
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(3);
    builder.check(move || run_programs::<mapcheck_harness::rt::Loom>(&SETUP, &programs));
}

/// A store, a delete and a load of one key that starts in the dirty map only.
#[test]
fn loom_store_delete_load() {
    let programs = vec![
        vec![Op::Insert(1, 11), Op::Remove(1)],
        vec![Op::Get(1), Op::Insert(1, 21)],
    ];
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(3);
    builder.check(move || run_programs::<mapcheck_harness::rt::Loom>(&[], &programs));
}

#[test]
fn load_or_store_and_compare_and_swap_unexpunge_or_skip_an_expunged_entry() {
    let m = new_map();
    m.insert(1, 10);
    m.reclaim(); // key 1 in the read map
    assert_eq!(m.remove(1), Some(10)); // nil in the read map
    m.insert(2, 20); // a new key: the dirty map is built, key 1 expunged
    assert!(is_amended(&m));
    // An expunged entry holds no value: compare-and-swap and compare-and-delete fail on it.
    assert!(!m.compare_and_swap(1, 10, 11));
    assert!(!m.compare_and_delete(1, 10));
    // LoadOrStore unexpunges it under the lock and adds it back to the dirty map before storing,
    // so the promotion keeps it.
    assert_eq!(m.get_or_insert(1, 12), None);
    assert_eq!(m.get_or_insert(1, 13), Some(12));
    m.reclaim();
    assert!(!is_amended(&m));
    assert_eq!(contents(&m), BTreeMap::from([(1, 12), (2, 20)]));
    // CompareAndSwap on the read map without the lock; CompareAndDelete leaves a nil entry.
    assert!(m.compare_and_swap(1, 12, 14));
    assert!(!m.compare_and_swap(1, 12, 15));
    assert!(m.compare_and_delete(1, 14));
    assert_eq!(
        read_len(&m),
        2,
        "a compare-and-delete leaves the entry nil in the read map"
    );
    assert_eq!(m.footprint().stale, 1);
    // A key only in the dirty map: found under the lock, with a miss counted.
    m.insert(3, 30);
    assert!(m.compare_and_swap(3, 30, 31));
    assert!(m.compare_and_delete(3, 31));
    assert_eq!(m.get(3), None);
    assert_eq!(m.get_or_insert(3, 32), None);
    assert_eq!(contents(&m), BTreeMap::from([(2, 20), (3, 32)]));
}

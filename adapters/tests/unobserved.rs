//! An adapter over a cache-like API whose insert (`put`) and remove (`invalidate`) return nothing:
//! it declares those results unobserved instead of faking them with a racy `get`. The correct
//! cache passes every model; one with a planted lost delete (invalidate misses a read cache) is
//! still caught by what is observed.

use mapcheck_harness::adapter::{Adapted, Adapter};
use mapcheck_harness::Structure as _;
use mapcheck_harness::{
    Engine, IterationGuarantee, Key, Limits, Map, Op, Oracle, ReclamationPolicy, Ret, Size, StructureInfo,
    Unobserved, Value, Verdict,
};
use mapcheck_models::patterns::{model, MODELS};
use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::Mutex;
use std::time::Duration;

/// A cache whose writes return nothing. With `STALE_READS`, reads are answered from a read cache
/// that `put` writes through but `invalidate` forgets to clear: a lost delete.
#[derive(Default)]
struct Cache<const STALE_READS: bool> {
    table: Mutex<HashMap<Key, Value>>,
    reads: Mutex<HashMap<Key, Value>>,
}

impl<const STALE_READS: bool> Cache<STALE_READS> {
    fn put(&self, k: Key, v: Value) {
        let mut table = self.table.lock().unwrap();
        table.insert(k, v);
        if STALE_READS {
            self.reads.lock().unwrap().insert(k, v);
        }
    }
    fn invalidate(&self, k: Key) {
        self.table.lock().unwrap().remove(&k);
    }
    fn read(&self, k: Key) -> Option<Value> {
        if STALE_READS {
            if let Some(v) = self.reads.lock().unwrap().get(&k) {
                return Some(*v);
            }
        }
        self.table.lock().unwrap().get(&k).copied()
    }
}

impl<const STALE_READS: bool> Map for Cache<STALE_READS> {
    /// `put` returns nothing; declared unobserved.
    fn insert(&self, k: Key, v: Value) -> Option<Value> {
        self.put(k, v);
        None
    }
    /// `invalidate` returns nothing; declared unobserved.
    fn remove(&self, k: Key) -> Option<Value> {
        self.invalidate(k);
        None
    }
    fn get(&self, k: Key) -> Option<Value> {
        self.read(k)
    }
    fn len(&self) -> usize {
        self.table.lock().unwrap().len()
    }
    fn clear(&self) {
        self.table.lock().unwrap().clear();
        self.reads.lock().unwrap().clear();
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        let copy: Vec<(Key, Value)> = self.table.lock().unwrap().iter().map(|(k, v)| (*k, *v)).collect();
        for (k, v) in copy {
            if visit(k, v).is_break() {
                break;
            }
        }
    }
}

impl<const STALE_READS: bool> Adapter for Cache<STALE_READS> {
    const INFO: StructureInfo = StructureInfo {
        name: "test-cache",
        summary: "a cache whose put and invalidate return nothing",
        iteration: IterationGuarantee::Snapshot,
        reclamation: ReclamationPolicy::NotObservable,
        atomic_whole_map: false,
        unsynchronised: false,
        mutant: if STALE_READS {
            Some("invalidate leaves the read cache stale")
        } else {
            None
        },
    };
    const UNOBSERVED: Unobserved = Unobserved {
        insert: true,
        remove: true,
        len: false,
    };
    fn new() -> Self {
        Cache::default()
    }
}

fn limits(runs: usize) -> Limits {
    Limits {
        max_schedules: runs,
        budget: Duration::from_secs(60),
        ..Limits::default()
    }
}

#[test]
fn a_correct_cache_whose_writes_return_nothing_passes_every_model() {
    // Every model it can run: it has none of the compound operations.
    for m in MODELS {
        let w = (m.build)(Size::THREADS);
        if !Adapted::<Cache<false>>::SUPPORTS.contains(w.operations()) {
            continue;
        }
        let o = mapcheck_harness::run::<Adapted<Cache<false>>>(&w, Engine::Threads { seed: 3 }, limits(30));
        assert_eq!(o.verdict, Verdict::Pass, "{}", m.name);
        assert_eq!(o.schedules, 30, "{}", m.name);
    }
}

#[test]
fn a_lost_delete_is_caught_through_the_observed_reads() {
    let w = (model("concurrent-delete").unwrap().build)(Size::THREADS);
    let o = mapcheck_harness::run::<Adapted<Cache<true>>>(&w, Engine::Threads { seed: 3 }, limits(30));
    let Verdict::Fail(f) = &o.verdict else {
        panic!("the stale read cache was not caught: {:?}", o.verdict);
    };
    assert_eq!(f.oracle, Oracle::LostDelete, "{}", f.summary);
    let history = &o.failure.as_ref().unwrap().history;
    for e in &history.events {
        if matches!(e.op, Op::Insert { .. } | Op::Remove { .. }) {
            assert_eq!(e.ret, Some(Ret::Unobserved), "{}", e.op);
        }
    }
    let delete = &history.events[f.evidence[0]];
    assert!(
        matches!(delete.op, Op::Remove { .. }),
        "the evidence starts with the delete"
    );
}

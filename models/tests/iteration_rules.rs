//! Go's iteration rules, per visit: an entry removed before the iteration reaches it is not
//! produced, and the value produced is the one current when the entry is visited. `gomap` keeps
//! them by looking entries up again after the table grew; the `gomap-no-relookup` mutant does not,
//! and the iteration oracle catches it only because it judges each entry between the previous
//! visit and its own. `sharded` copies a shard and then visits it, so it declares the weaker level
//! and is judged by it.

use mapcheck_harness::engine::shuttle::{Schedule, Scheduler, Task, TaskId};
use mapcheck_harness::oracle::iteration;
use mapcheck_harness::rt::Std;
use mapcheck_harness::{
    DeleteIf, Footprint, IterationGuarantee, Key, Limits, Map, Op, Oracle, Recorder, Ret, Structure, Value,
    Verdict, Workload,
};
use mapcheck_models::structures::sharded::{shard_of, Sharded, ShardedMap};
use mapcheck_models::{structure, Entry};
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::Arc;
use std::time::Duration;

fn limits(n: usize) -> Limits {
    Limits {
        max_schedules: n,
        budget: Duration::from_secs(60),
        max_steps: 100_000,
        ..Limits::default()
    }
}

/// One schedule: the main task sets up and starts both threads, thread 0 (task 1) runs `head`
/// scheduling steps, then thread 1 (task 2) runs to its end, then thread 0 runs on.
struct Burst {
    head: usize,
    taken: usize,
    started: bool,
}

impl Burst {
    fn new(head: usize) -> Burst {
        Burst {
            head,
            taken: 0,
            started: false,
        }
    }
}

impl Scheduler for Burst {
    fn new_execution(&mut self) -> Option<Schedule> {
        (!std::mem::replace(&mut self.started, true)).then(|| Schedule::new(0))
    }
    fn next_task(&mut self, runnable: &[&Task], _: Option<TaskId>, _: bool) -> Option<TaskId> {
        let has = |t: usize| runnable.iter().any(|r| usize::from(r.id()) == t);
        let order: [usize; 3] = if has(0) {
            [0, 1, 2]
        } else if self.taken < self.head {
            [1, 2, 0]
        } else {
            [2, 1, 0]
        };
        let pick = order.into_iter().find(|&t| has(t)).map(TaskId::from);
        let pick = pick.unwrap_or_else(|| runnable[0].id());
        if usize::from(pick) == 1 {
            self.taken += 1;
        }
        Some(pick)
    }
    fn next_u64(&mut self) -> u64 {
        0
    }
}

/// A full bucket of eight keys (`gomap` holds eight before it grows); thread 0 iterates, thread 1
/// inserts a ninth key (the table grows, and the insert evacuates the old bucket) and removes key 2.
fn grow_then_remove() -> Workload {
    Workload {
        initial: (1..=8).map(|k| (k, k * 10)).collect(),
        threads: vec![
            vec![Op::Iterate {
                delete: DeleteIf::Nothing,
            }],
            vec![Op::Insert { key: 9, value: 90 }, Op::Remove { key: 2 }],
        ],
    }
}

/// Runs `e` once on `w` with thread 1's operations in one burst after `head` steps of thread 0.
fn burst(e: &Entry, w: &Workload, head: usize) -> mapcheck_harness::Outcome {
    (e.with_scheduler)(w, Box::new(Burst::new(head)), limits(1))
}

#[test]
fn gomap_without_the_relookup_is_caught_by_the_per_visit_rule() {
    let mutant = structure("gomap-no-relookup").unwrap();
    let gomap = structure("gomap").unwrap();
    let w = grow_then_remove();
    // The burst points at which the mutant yields key 2 after its removal returned before the
    // previous visit; at earlier ones thread 1 may land inside one of the iterator's steps, a race
    // this unsynchronised map may answer with anything. Go's iterator, on the same schedule, looks
    // key 2 up again and does not produce it.
    let mut caught = None;
    for head in 0..200 {
        let o = burst(&mutant, &w, head);
        let Some(failed) = o.failure else { continue };
        let Verdict::Fail(f) = &failed.verdict else {
            unreachable!("a failed run has a failing verdict")
        };
        if f.oracle == Oracle::Iteration && f.summary.contains("yielded 2 = 20") {
            assert!(f.summary.contains("between the previous visit"), "{}", f.summary);
            let o = burst(&gomap, &w, head);
            assert_eq!(
                o.verdict,
                Verdict::Pass,
                "gomap at burst point {head}: {:?}",
                o.failure
            );
            caught = Some(failed);
            break;
        }
    }
    let failed = caught.expect("a burst point at which the iteration oracle catches the mutant");
    // Judged over the whole iteration, as before visits were recorded, the stale entry passes:
    // key 2 held 20 when the iteration started.
    let mut whole = failed.history.clone();
    for e in &mut whole.events {
        e.visits.clear();
    }
    let level = IterationGuarantee::WeaklyConsistent;
    assert!(iteration::check(&failed.history, level).is_some());
    assert_eq!(iteration::check(&whole, level), None);
}

/// `sharded` with a remove of another thread landing between the copy of a shard and its first
/// visit, as a preemption there does on real threads (shuttle and loom cannot put one there: the
/// copy releases the shard's lock and visits with no scheduling point between).
struct RemoveAfterCopy {
    map: Arc<ShardedMap<Std>>,
    rec: Arc<Recorder>,
    done: AtomicBool,
}

impl Map for RemoveAfterCopy {
    fn insert(&self, k: Key, v: Value) -> Option<Value> {
        self.map.insert(k, v)
    }
    fn remove(&self, k: Key) -> Option<Value> {
        self.map.remove(k)
    }
    fn get(&self, k: Key) -> Option<Value> {
        self.map.get(k)
    }
    fn len(&self) -> usize {
        self.map.len()
    }
    fn clear(&self) {
        self.map.clear()
    }
    fn footprint(&self) -> Footprint {
        self.map.footprint()
    }
    /// At the first visit, before it is recorded, thread 1 removes the other key of the visited
    /// key's shard: the shard's copy still holds it.
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        self.map.iterate(&mut |k, v| {
            if !self.done.swap(true, SeqCst) {
                let other = (1..=8).find(|&o| o != k && shard_of(o) == shard_of(k));
                let key = other.expect("every shard holds two of the keys 1..=8");
                self.rec.apply(1, &*self.map, Op::Remove { key });
            }
            visit(k, v)
        })
    }
}

#[test]
fn sharded_copy_then_visit_breaks_the_per_visit_rule_but_not_its_declared_level() {
    assert_eq!(
        Sharded::INFO.iteration,
        IterationGuarantee::WeaklyConsistentSinceStart
    );
    let initial: Vec<(Key, Value)> = (1..=8).map(|k| (k, k * 10)).collect();
    let rec = Recorder::new(2);
    let map = Arc::new(Sharded::new::<Std>());
    for &(k, v) in &initial {
        map.insert(k, v);
    }
    let wrapped = RemoveAfterCopy {
        map,
        rec: rec.clone(),
        done: AtomicBool::new(false),
    };
    let yielded = rec.apply(
        0,
        &wrapped,
        Op::Iterate {
            delete: DeleteIf::Nothing,
        },
    );
    let h = rec.history(initial);
    h.validate().expect("a well-formed history");
    let Ret::Yielded(entries) = yielded else {
        unreachable!("an iteration yields")
    };
    assert_eq!(entries.len(), 8, "the removed key was still in its shard's copy");
    let f = iteration::check(&h, IterationGuarantee::WeaklyConsistent).expect("per visit, it fails");
    assert!(f.summary.contains("between the previous visit"), "{}", f.summary);
    assert_eq!(
        iteration::check(&h, IterationGuarantee::WeaklyConsistentSinceStart),
        None
    );
    assert_eq!(
        mapcheck_harness::verdict::judge(&h, &Sharded::INFO),
        Verdict::Pass
    );
}

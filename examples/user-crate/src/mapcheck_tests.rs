//! The crate's maps checked by mapcheck: `MyMap` passes every model under loom, shuttle and real
//! threads; the planted bug in `FastRemoveMap` is caught, shrunk, and its printed replay line
//! reproduces it. Each map is told to mapcheck by two impls: `Map` (how to call it) and `Adapter`
//! (how to build it, and what it promises).

use crate::{FastRemoveMap, MyMap};
use mapcheck::prelude::*;

/// Counts allocations, so that mapcheck judges leaks too.
#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

impl Map for MyMap<Key, Value> {
    fn insert(&self, key: Key, value: Value) -> Option<Value> {
        MyMap::insert(self, key, value)
    }
    fn remove(&self, key: Key) -> Option<Value> {
        MyMap::remove(self, &key)
    }
    fn get(&self, key: Key) -> Option<Value> {
        MyMap::get(self, &key)
    }
    fn len(&self) -> usize {
        MyMap::len(self)
    }
    fn clear(&self) {
        MyMap::clear(self)
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        for (k, v) in self.snapshot() {
            if visit(k, v).is_break() {
                break;
            }
        }
    }
}

impl Adapter for MyMap<Key, Value> {
    const INFO: StructureInfo = StructureInfo::new("my-map").iteration(IterationGuarantee::Snapshot);
    fn new() -> Self {
        MyMap::new()
    }
}

#[test]
fn my_map_passes_mapcheck() {
    mapcheck::check::<DropIn<MyMap<Key, Value>>>();
}

impl Map for FastRemoveMap<Key, Value> {
    fn insert(&self, key: Key, value: Value) -> Option<Value> {
        FastRemoveMap::insert(self, key, value)
    }
    fn remove(&self, key: Key) -> Option<Value> {
        FastRemoveMap::remove(self, &key)
    }
    fn get(&self, key: Key) -> Option<Value> {
        FastRemoveMap::get(self, &key)
    }
    fn len(&self) -> usize {
        FastRemoveMap::len(self)
    }
    fn clear(&self) {
        FastRemoveMap::clear(self)
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        for (k, v) in self.snapshot() {
            if visit(k, v).is_break() {
                break;
            }
        }
    }
}

/// It declares itself correct, as a real bug would.
impl Adapter for FastRemoveMap<Key, Value> {
    const INFO: StructureInfo = StructureInfo::new("fast-remove").iteration(IterationGuarantee::Snapshot);
    fn new() -> Self {
        FastRemoveMap::new()
    }
}

#[test]
fn the_planted_bug_is_caught_shrunk_and_its_replay_line_reproduces_it() {
    let failed = Check::new()
        .budget(std::time::Duration::from_secs(10))
        .try_run::<DropIn<FastRemoveMap<Key, Value>>>()
        .expect_err("mapcheck catches the racy remove");
    println!("{failed}");
    let report = failed.to_string();
    assert!(report.contains("oracle   exactly-once-delete"), "{report}");
    assert!(report.contains("shrunk from"), "the failure is shrunk:\n{report}");
    let line = report
        .lines()
        .find(|l| l.starts_with("replay:  MAPCHECK_REPLAY="))
        .expect("the report ends with the test's replay line");
    let test = "mapcheck_tests::the_planted_bug_is_caught_shrunk_and_its_replay_line_reproduces_it";
    assert!(line.ends_with(&format!(" cargo test {test}")), "{line}");
    // What the line sets, run in this test: the same failure, reproduced.
    let token = line
        .trim_start_matches("replay:  MAPCHECK_REPLAY=")
        .split_whitespace()
        .next()
        .unwrap();
    let replayed = Check::new()
        .replay(token)
        .try_run::<DropIn<FastRemoveMap<Key, Value>>>()
        .expect_err("a replay of a failure fails the test again");
    let text = replayed.to_string();
    assert!(
        text.contains("reproduced: the run failed exactly-once-delete again"),
        "{text}"
    );
}

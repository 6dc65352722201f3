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
    // The failure as fields: its oracle, its evidence, where its record is, and how to replay it.
    let found = &failed.failures[0];
    assert_eq!(
        found.oracle,
        Some(mapcheck::harness::Oracle::ExactlyOnceDelete),
        "{failed}"
    );
    assert!(found.evidence.contains("taken out 2 times"), "{}", found.evidence);
    assert!(
        found
            .shrinking
            .as_deref()
            .unwrap_or("")
            .starts_with("shrunk from"),
        "{failed}"
    );
    let record = found.record.as_ref().expect("the record was written");
    let test = "mapcheck_tests::the_planted_bug_is_caught_shrunk_and_its_replay_line_reproduces_it";
    assert_eq!(
        found.replay,
        format!("MAPCHECK_REPLAY={} cargo test {test}", record.display())
    );
    // The printed report says the same, in lines no wider than 120 columns.
    assert!(
        failed.message.lines().all(|l| l.chars().count() <= 120),
        "{failed}"
    );
    // What the line sets, run in this test: the same failure, reproduced, with a picture of its own.
    let replayed = Check::new()
        .replay(&record.display().to_string())
        .try_run::<DropIn<FastRemoveMap<Key, Value>>>()
        .expect_err("a replay of a failure fails the test again");
    assert!(
        replayed.replayed.as_ref().is_some_and(|r| r.reproduced()),
        "{replayed}"
    );
    let again = replayed.failures[0]
        .picture
        .as_ref()
        .expect("the replay's picture");
    assert_ne!(
        Some(again),
        found.picture.as_ref(),
        "the replay keeps the original picture"
    );
    // The token replays it too, from anywhere.
    let by_token = Check::new()
        .replay(&found.token)
        .try_run::<DropIn<FastRemoveMap<Key, Value>>>()
        .expect_err("the token replays the failure");
    assert!(
        by_token.replayed.as_ref().is_some_and(|r| r.reproduced()),
        "{by_token}"
    );
}

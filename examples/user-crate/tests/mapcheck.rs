//! The crate's maps checked by mapcheck from their own tests: the correct map passes every model
//! under every engine; the planted bug fails with a report whose replay line reproduces it.

use mapcheck::Check;
use my_maps::{CheckThenRemoveFamily, MyMapFamily};
use std::time::Duration;

/// Counts allocations, so that mapcheck judges leaks too.
#[global_allocator]
static ALLOC: mapcheck::CountingAllocator = mapcheck::CountingAllocator;

#[test]
fn my_map_passes_mapcheck() {
    mapcheck::check::<MyMapFamily>();
}

#[test]
fn the_planted_bug_is_caught_and_its_replay_line_reproduces_it() {
    let failed = Check::new()
        .budget(Duration::from_secs(10))
        .try_run::<CheckThenRemoveFamily>()
        .expect_err("mapcheck catches the racy remove");
    println!("{failed}");
    let report = failed.to_string();
    assert!(report.contains("oracle   exactly-once-delete"), "{report}");
    assert!(report.contains("check-then-remove"), "{report}");
    let line = report
        .lines()
        .find(|l| l.starts_with("replay:  MAPCHECK_REPLAY="))
        .expect("the report ends with the test's replay line");
    assert!(line.ends_with(" cargo test the_planted_bug_is_caught_and_its_replay_line_reproduces_it"), "{line}");
    // What the line sets, run in this test: the same failure, reproduced.
    let token = line
        .trim_start_matches("replay:  MAPCHECK_REPLAY=")
        .split_whitespace()
        .next()
        .unwrap();
    let replayed = Check::new()
        .replay(token)
        .try_run::<CheckThenRemoveFamily>()
        .expect_err("a replay of a failure fails the test again");
    let text = replayed.to_string();
    assert!(text.contains("reproduced: the run failed exactly-once-delete again"), "{text}");
}

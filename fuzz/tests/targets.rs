//! The fuzz targets' decoding and checks, fed fixed byte strings without libFuzzer: the correct
//! structures pass, and planted bugs are caught by the right oracle.

use mapcheck_fuzz::{ops, scenario, schedules, selection};
use mapcheck_harness::Oracle;

#[global_allocator]
static ALLOC: mapcheck_harness::alloc::Counting = mapcheck_harness::alloc::Counting;

/// `n` byte strings of up to `len` bytes from a fixed seed.
fn inputs(seed: u64, n: usize, len: usize) -> Vec<Vec<u8>> {
    let mut state = seed;
    (0..n)
        .map(|_| {
            let l = 8 + (mapcheck_harness::engine::splitmix(&mut state) as usize % len);
            (0..l)
                .map(|_| mapcheck_harness::engine::splitmix(&mut state) as u8)
                .collect()
        })
        .collect()
}

#[test]
fn correct_structures_pass_the_ops_target() {
    let correct = selection("correct").unwrap();
    assert!(!correct.is_empty());
    for data in inputs(1, 300, 400) {
        if let Err(found) = ops::check_with(&data, &correct) {
            panic!("{found}");
        }
    }
}

/// Inserts keys 0..16, then removes them all: `[0; 4]` picks `Insert` and `[0x30; 4]` picks
/// `Remove` among the operation kinds whichever way the four bytes are read.
fn fill_then_drain() -> Vec<u8> {
    let mut data = vec![0, 0]; // the structure, no initial entries
    for k in 0..16u8 {
        data.extend([0, 0, 0, 0, k, 1, 0]);
    }
    for k in 0..16u8 {
        data.extend([0x30, 0x30, 0x30, 0x30, k]);
    }
    data
}

#[test]
fn the_ops_target_finds_a_leak_and_a_table_that_never_shrinks() {
    let data = fill_then_drain();
    if let Err(found) = ops::check_with(&data, &selection("correct").unwrap()) {
        panic!("{found}");
    }
    for (mutant, oracle) in [
        ("locked-leaky-remove", Oracle::Leak),
        ("locked-noshrink", Oracle::Reclamation),
    ] {
        let entries = selection(mutant).unwrap();
        let found = ops::check_with(&data, &entries).expect_err(mutant);
        assert_eq!(found.structure, mutant);
        assert_eq!(found.oracle(), Some(oracle), "{found}");
        let record = mapcheck_fuzz::to_record("ops", &data, &entries)
            .unwrap()
            .expect("the failing input fails again under shuttle");
        assert_eq!(record.token.structure, mutant);
        assert_eq!(record.verdict, found.verdict);
    }
}

#[test]
fn correct_structures_pass_the_schedules_target() {
    let correct = selection("correct").unwrap();
    for data in inputs(3, 200, 64) {
        if let Err(found) = schedules::check_with(&data, &correct) {
            panic!("{found}");
        }
    }
}

#[test]
fn the_schedules_target_finds_a_racy_remove_and_records_its_schedule() {
    let entries = selection("locked-racy-remove").unwrap();
    let data = inputs(4, 3000, 64)
        .into_iter()
        .find(|d| schedules::check_with(d, &entries).is_err())
        .expect("some input interleaves two removes of one key");
    let record = mapcheck_fuzz::to_record("schedules", &data, &entries)
        .unwrap()
        .expect("the input fails again");
    assert!(matches!(
        record.token.pinned,
        mapcheck_harness::Pinned::Shuttle { .. }
    ));
    let replayed = mapcheck_harness::replay::<mapcheck_models::mutants::LockedRacyRemove>(
        &record.workload,
        record.token.engine,
        &record.token.pinned,
        record.limits,
    );
    assert_eq!(
        replayed.verdict, record.verdict,
        "the pinned schedule replays the failure"
    );
}

#[test]
fn the_scenario_target_accepts_every_scenario_file_and_garbage() {
    // The target's seeds: every scenario file and every reproducer under `scenarios/`.
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for f in std::fs::read_dir(dir).unwrap() {
            let p = f.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(
        concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios").as_ref(),
        &mut files,
    );
    // Inputs the target once failed on, kept as regressions.
    walk(
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scenario-regressions").as_ref(),
        &mut files,
    );
    for f in files {
        let data = std::fs::read(&f).unwrap();
        scenario::check(&data).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
    }
    for data in inputs(5, 300, 200) {
        scenario::check(&data).unwrap();
    }
    scenario::check(b"[[thread]]\nops = [\"insert(1,\"]\n").unwrap();
}

#[test]
fn a_bad_selection_is_a_clear_error() {
    let Err(e) = selection("no-such-map") else {
        panic!("accepted")
    };
    assert!(e.contains("unknown structure `no-such-map`"), "{e}");
}

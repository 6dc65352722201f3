//! Replay round trips: a failing run is reported, the command printed in the report is parsed back,
//! and replaying it gives the same failure (the same history, under loom and shuttle).

use mapcheck::record::Fingerprint;
use mapcheck::runner::{recheck, replay, replay_input, run_cell, CellSpec, Replayed};
use mapcheck::FailureRecord;
use mapcheck::Registry;
use mapcheck_harness::{Engine, Limits, Pinned, Verdict};
use mapcheck_models::patterns::model;
use mapcheck_models::structure;
use std::time::Duration;

fn fail_and_report(engine: Engine) -> (FailureRecord, String, tempdir::Dir) {
    fail_and_report_on("insert-remove-get", "cow-nocas", engine)
}

fn fail_and_report_on(
    model_name: &str,
    structure_name: &str,
    engine: Engine,
) -> (FailureRecord, String, tempdir::Dir) {
    let dir = tempdir::Dir::new();
    let m = model(model_name).unwrap();
    let e = structure(structure_name).unwrap();
    let limits = Limits {
        max_schedules: 5_000,
        budget: Duration::from_secs(60),
        max_steps: 100_000,
        ..Limits::default()
    };
    let cell = run_cell(
        &CellSpec::of_model(
            m,
            &e,
            engine,
            mapcheck_harness::Size::for_engine(&engine),
            limits,
            Some(Duration::from_secs(2)),
        ),
        dir.path(),
    );
    let recorded = cell.record.expect("the mutant is caught");
    let (record, path) = (recorded.record, recorded.path.unwrap());
    assert!(path.exists(), "the record is on disk");
    // Shrinking replays candidates; only the deterministic engines replay them exactly, so only
    // there is the shrunk size guaranteed (real threads may or may not fail again in the budget).
    if !engine.real_threads() {
        assert!(
            record.workload.threads.len() <= 3,
            "the failure is shrunk to at most 3 threads"
        );
    }
    let printed = record.render(&record.token.encode());
    (record, printed, dir)
}

/// The argument of the `cargo xtask replay` line of a printed report.
fn printed_replay_arg(report: &str) -> String {
    // The command, with the lines a ` \` continues joined back as a shell would.
    let mut lines = report.lines().skip_while(|l| !l.starts_with("replay:"));
    let mut command = lines
        .next()
        .expect("every report ends with a replay command")
        .to_string();
    while command.ends_with(" \\") {
        command.truncate(command.len() - 2);
        command.push(' ');
        command.push_str(lines.next().expect("a continued line goes on").trim_start());
    }
    command.split_whitespace().last().unwrap().to_string()
}

fn round_trip(engine: Engine) {
    let (record, printed, _dir) = fail_and_report(engine);
    let Verdict::Fail(original) = &record.verdict else {
        panic!("a failure")
    };
    let arg = printed_replay_arg(&printed);
    let input =
        replay_input(&Registry::of(mapcheck_models::structures()), &arg).expect("the printed token parses");
    assert_eq!(input.token, record.token);
    let again = replay(&Registry::of(mapcheck_models::structures()), &input).unwrap();
    let failure = again.failure.expect("the replay fails again");
    let Verdict::Fail(f) = &failure.verdict else {
        panic!("a failure")
    };
    assert_eq!(f.oracle, original.oracle);
    if !matches!(record.token.pinned, Pinned::Threads { .. }) {
        assert_eq!(
            failure.history, record.history,
            "the replay is the same interleaving"
        );
        assert_eq!(failure.pinned, record.token.pinned);
    }
}

#[test]
fn loom_failure_replays_exactly() {
    round_trip(Engine::Loom { preemption_bound: 2 });
}

#[test]
fn shuttle_random_failure_replays_exactly() {
    round_trip(Engine::ShuttleRandom { seed: 5 });
}

#[test]
fn shuttle_pct_failure_replays_exactly() {
    round_trip(Engine::ShuttlePct { seed: 5, depth: 2 });
}

/// Real threads cannot be replayed step for step: the recorded history is rechecked and fails the
/// same oracle, and the record file reruns the same workload under the same seed and iteration. The
/// mutant here fails on every interleaving (a remove that goes to the wrong shard), so the rerun
/// must fail again, with the same oracle.
#[test]
fn thread_failure_is_rechecked_and_rerun() {
    let (record, _printed, dir) = fail_and_report_on(
        "concurrent-delete",
        "sharded-misroute",
        Engine::Threads { seed: 9 },
    );
    let Verdict::Fail(original) = &record.verdict else {
        panic!("a failure")
    };
    let Verdict::Fail(again) = recheck(&Registry::of(mapcheck_models::structures()), &record).unwrap() else {
        panic!("the recorded history fails again")
    };
    assert_eq!(again.oracle, original.oracle);
    let file = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .expect("the record is written");
    let input = replay_input(
        &Registry::of(mapcheck_models::structures()),
        file.to_str().unwrap(),
    )
    .expect("the record file parses");
    assert_eq!(input.workload, record.workload);
    let rerun = replay(&Registry::of(mapcheck_models::structures()), &input).unwrap();
    assert_eq!(rerun.schedules, 1, "exactly the recorded iteration runs");
    let replayed = Replayed::of(input.expected(), &rerun);
    assert!(replayed.reproduced(), "the rerun fails again: {replayed:?}");
}

/// A shuttle schedule that the code no longer follows is reported as a divergence, never as a panic
/// of the structure, and a replay that passes or fails another oracle says so.
#[test]
fn a_replay_that_does_not_reproduce_says_which_way() {
    let (record, _printed, _dir) = fail_and_report(Engine::ShuttleRandom { seed: 5 });
    let Pinned::Shuttle { seed, steps } = &record.token.pinned else {
        panic!("a shuttle schedule")
    };
    let registry = Registry::of(mapcheck_models::structures());
    let run = |steps: String| {
        let mut input = replay_input(&registry, &record.token.encode()).unwrap();
        input.token.pinned = Pinned::Shuttle { seed: *seed, steps };
        let outcome = replay(&registry, &input).unwrap();
        Replayed::of(input.expected(), &outcome)
    };
    assert!(run(steps.clone()).reproduced());
    // A task that never exists, first: the run leaves the schedule at step 1.
    let r = run(format!("(30){steps}"));
    assert!(
        matches!(&r, Replayed::Diverged(why) if why.contains("step 1")),
        "{r:?}"
    );
    assert!(r.describe().starts_with("NOT reproduced"), "{}", r.describe());
    // The schedule cut short: the run goes on past its end.
    let r = run(steps[..steps.len() / 2].to_string());
    assert!(matches!(r, Replayed::Diverged(_)), "{r:?}");
    // Another oracle, and a pass.
    let other = mapcheck_harness::Outcome {
        verdict: Verdict::Pass,
        schedules: 1,
        elapsed: Duration::ZERO,
        exhausted: false,
        unknown_runs: 0,
        diverged: None,
        failure: None,
        findings: Vec::new(),
    };
    let r = Replayed::of(record.token.oracle, &other);
    assert_eq!(r, Replayed::Passed(Verdict::Pass));
    assert!(!r.reproduced());
}

/// A loom replay of a permutation the exploration no longer reaches is a divergence.
#[test]
fn a_loom_replay_past_the_end_of_the_exploration_diverges() {
    let (record, _printed, _dir) = fail_and_report(Engine::Loom { preemption_bound: 2 });
    let registry = Registry::of(mapcheck_models::structures());
    let mut input = replay_input(&registry, &record.token.encode()).unwrap();
    input.token.pinned = Pinned::Loom { execution: 1_000_000 };
    input.token.structure = "locked".into();
    let outcome = replay(&registry, &input).unwrap();
    let r = Replayed::of(input.expected(), &outcome);
    assert!(
        matches!(&r, Replayed::Diverged(why) if why.contains("permutation")),
        "{r:?}"
    );
}

/// A record carries the fingerprint of the build that wrote it, and a replay under another
/// fingerprint names what differs.
#[test]
fn records_carry_a_fingerprint_and_a_different_build_is_named() {
    let (record, _printed, dir) = fail_and_report(Engine::Loom { preemption_bound: 2 });
    let fp = record.fingerprint.clone().expect("a fingerprint");
    assert_eq!(fp, Fingerprint::current());
    assert!(fp.loom.starts_with("0.7"), "{fp:?}");
    assert!(fp.shuttle.starts_with("0.9"), "{fp:?}");
    assert!(fp.rustc.starts_with("rustc "), "{fp:?}");
    let file = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .unwrap();
    let registry = Registry::of(mapcheck_models::structures());
    assert!(replay_input(&registry, file.to_str().unwrap())
        .unwrap()
        .fingerprint_differences()
        .is_empty());
    let mut other = record.clone();
    other.fingerprint.as_mut().unwrap().binary = "0000".into();
    other.fingerprint.as_mut().unwrap().loom = "0.6.0".into();
    let path = other.write(dir.path()).unwrap();
    let differs = replay_input(&registry, path.to_str().unwrap())
        .unwrap()
        .fingerprint_differences();
    assert_eq!(differs.len(), 2, "{differs:?}");
    assert!(differs[0].contains("loom 0.6.0 then"), "{differs:?}");
}

#[test]
fn bad_replay_arguments_are_clear_errors() {
    let e = replay_input(&Registry::of(mapcheck_models::structures()), "mc1-%%%")
        .err()
        .unwrap();
    assert!(e.contains("base64"), "{e}");
    let e = replay_input(&Registry::of(mapcheck_models::structures()), "target/none.json")
        .err()
        .unwrap();
    assert!(e.contains("no such failure record"), "{e}");
    let e = replay_input(&Registry::of(mapcheck_models::structures()), "hello")
        .err()
        .unwrap();
    assert!(e.contains("starts with `mc1-`"), "{e}");
}

/// A throwaway directory under the target dir, removed on drop.
mod tempdir {
    pub struct Dir(std::path::PathBuf);
    impl Dir {
        pub fn new() -> Dir {
            static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
            let p = std::env::temp_dir().join(format!(
                "mapcheck-test-{}-{}",
                std::process::id(),
                N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            ));
            std::fs::create_dir_all(&p).unwrap();
            Dir(p)
        }
        pub fn path(&self) -> &std::path::Path {
            &self.0
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

//! Replay round trips: a failing run is reported, the command printed in the report is parsed back,
//! and replaying it gives the same failure (the same history, under loom and shuttle).

use mapcheck::runner::{recheck, replay, replay_input, run_cell};
use mapcheck::FailureRecord;
use mapcheck::Registry;
use mapcheck_harness::{Engine, Limits, Pinned, Verdict};
use mapcheck_models::patterns::model;
use mapcheck_models::structure;
use std::time::Duration;

fn fail_and_report(engine: Engine) -> (FailureRecord, String, tempdir::Dir) {
    let dir = tempdir::Dir::new();
    let m = model("insert-remove-get").unwrap();
    let e = structure("cow-nocas").unwrap();
    let limits = Limits {
        max_schedules: 5_000,
        budget: Duration::from_secs(60),
        max_steps: 100_000,
    };
    let cell = run_cell(
        m,
        &e,
        engine,
        mapcheck_harness::Size::for_engine(&engine),
        limits,
        dir.path(),
        Duration::from_secs(2),
    )
    .unwrap();
    let (record, path) = cell.record.expect("the mutant is caught");
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
    let line = report
        .lines()
        .find(|l| l.starts_with("replay:"))
        .expect("every report ends with a replay command");
    line.split_whitespace().last().unwrap().to_string()
}

fn round_trip(engine: Engine) {
    let (record, printed, _dir) = fail_and_report(engine);
    let Verdict::Fail(original) = &record.verdict else {
        panic!("a failure")
    };
    let arg = printed_replay_arg(&printed);
    let input = replay_input(&Registry::builtin(), &arg).expect("the printed token parses");
    assert_eq!(input.token, record.token);
    let again = replay(&Registry::builtin(), &input).unwrap();
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
/// same oracle, and the record file replays the same workload under the same seed and iteration.
#[test]
fn thread_failure_is_rechecked_and_rerun() {
    let (record, _printed, dir) = fail_and_report(Engine::Threads { seed: 9 });
    let Verdict::Fail(original) = &record.verdict else {
        panic!("a failure")
    };
    let Verdict::Fail(again) = recheck(&Registry::builtin(), &record).unwrap() else {
        panic!("the recorded history fails again")
    };
    assert_eq!(again.oracle, original.oracle);
    let file = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .expect("the record is written");
    let input = replay_input(&Registry::builtin(), file.to_str().unwrap()).expect("the record file parses");
    assert_eq!(input.workload, record.workload);
    let rerun = replay(&Registry::builtin(), &input).unwrap();
    assert_eq!(rerun.schedules, 1, "exactly the recorded iteration runs");
}

#[test]
fn bad_replay_arguments_are_clear_errors() {
    let e = replay_input(&Registry::builtin(), "mc1-%%%").err().unwrap();
    assert!(e.contains("base64"), "{e}");
    let e = replay_input(&Registry::builtin(), "target/none.json")
        .err()
        .unwrap();
    assert!(e.contains("no such failure record"), "{e}");
    let e = replay_input(&Registry::builtin(), "hello").err().unwrap();
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

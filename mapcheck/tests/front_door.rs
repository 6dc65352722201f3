//! The front door as a map's own tests meet it, on maps written with the drop-in types: a passing
//! check prints one line saying what it ran and what it did not judge; `keep_going` reports every
//! cell and every failure as fields; a map still on `std::sync` is not explored by loom or shuttle
//! (it would pass without being looked at) and the line says why; a replay's command works where it
//! was printed.

use mapcheck::prelude::*;
use mapcheck::sync::{Mutex, RwLock};
use mapcheck_harness::Oracle;
use std::collections::BTreeMap;
use std::io::Read;
use std::time::Duration;

/// A correct map on the drop-in types.
struct Locked(RwLock<BTreeMap<Key, Value>>);

/// The same map with a remove that checks under the read lock and deletes under the write lock.
struct CheckThenRemove(RwLock<BTreeMap<Key, Value>>);

/// A map on std's own lock: its synchronisation is invisible to loom and shuttle.
struct OnStd(std::sync::Mutex<BTreeMap<Key, Value>>);

macro_rules! map_over_rwlock {
    ($t:ident, $remove:expr) => {
        impl Map for $t {
            fn insert(&self, k: Key, v: Value) -> Option<Value> {
                self.0.write().unwrap().insert(k, v)
            }
            fn remove(&self, k: Key) -> Option<Value> {
                let f: fn(&$t, Key) -> Option<Value> = $remove;
                f(self, k)
            }
            fn get(&self, k: Key) -> Option<Value> {
                self.0.read().unwrap().get(&k).copied()
            }
            fn len(&self) -> usize {
                self.0.read().unwrap().len()
            }
            fn clear(&self) {
                self.0.write().unwrap().clear()
            }
            fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
                let copy = self.0.read().unwrap().clone();
                for (k, v) in copy {
                    if visit(k, v).is_break() {
                        break;
                    }
                }
            }
        }
    };
}

map_over_rwlock!(Locked, |m, k| m.0.write().unwrap().remove(&k));
map_over_rwlock!(CheckThenRemove, |m, k| {
    let seen = m.0.read().unwrap().get(&k).copied();
    if seen.is_some() {
        m.0.write().unwrap().remove(&k);
    }
    seen
});

impl Adapter for Locked {
    const INFO: StructureInfo =
        StructureInfo::new("front-door-locked").iteration(IterationGuarantee::Snapshot);
    fn new() -> Self {
        Locked(RwLock::default())
    }
}

impl Adapter for CheckThenRemove {
    const INFO: StructureInfo = StructureInfo::new("front-door-check-then-remove");
    fn new() -> Self {
        CheckThenRemove(RwLock::default())
    }
}

impl Map for OnStd {
    fn insert(&self, k: Key, v: Value) -> Option<Value> {
        self.0.lock().unwrap().insert(k, v)
    }
    fn remove(&self, k: Key) -> Option<Value> {
        self.0.lock().unwrap().remove(&k)
    }
    fn get(&self, k: Key) -> Option<Value> {
        self.0.lock().unwrap().get(&k).copied()
    }
    fn len(&self) -> usize {
        self.0.lock().unwrap().len()
    }
    fn clear(&self) {
        self.0.lock().unwrap().clear()
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        let copy = self.0.lock().unwrap().clone();
        for (k, v) in copy {
            if visit(k, v).is_break() {
                break;
            }
        }
    }
}

impl Adapter for OnStd {
    const INFO: StructureInfo = StructureInfo::new("front-door-on-std");
    fn new() -> Self {
        OnStd(std::sync::Mutex::default())
    }
}

fn quick(dir: &tempfile::TempDir) -> Check {
    Check::new()
        .models(&["concurrent-delete", "insert-remove-get"])
        .budget(Duration::from_secs(2))
        .failures_dir(dir.path())
}

/// A passing check prints one line: cells, schedules, seed.
#[test]
fn a_passing_check_prints_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut err = gag::BufferRedirect::stderr().unwrap();
    let report = quick(&dir).run::<DropIn<Locked>>();
    let mut printed = String::new();
    err.read_to_string(&mut printed).unwrap();
    drop(err);
    let lines: Vec<&str> = printed.lines().filter(|l| l.starts_with("mapcheck:")).collect();
    assert_eq!(lines.len(), 1, "{printed}");
    assert_eq!(lines[0], report.summary());
    assert!(
        lines[0].starts_with("mapcheck: front-door-locked: 10 of 10 cell(s) passed, "),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("(seed 42)"), "{}", lines[0]);
    // The test binary installs the counting allocator, so leaks were judged and nothing is left out.
    assert!(!lines[0].contains("not judged"), "{}", lines[0]);
    assert!(report.cells.iter().all(|c| c.schedules > 0));
}

/// With `keep_going`, every cell runs and every failure is a value with its oracle, evidence,
/// record, picture and replay line.
#[test]
fn keep_going_reports_every_cell_and_every_failure_as_fields() {
    let dir = tempfile::tempdir().unwrap();
    let failed = quick(&dir)
        .engines(&["shuttle-random", "shuttle-pct"])
        .keep_going()
        .try_run::<DropIn<CheckThenRemove>>()
        .expect_err("the racy remove is caught");
    assert_eq!(failed.report.cells.len(), 4, "every cell ran: {failed}");
    assert!(failed.failures.len() >= 2, "{failed}");
    for f in &failed.failures {
        assert_eq!(f.oracle, Some(Oracle::ExactlyOnceDelete), "{}", f.text);
        assert!(f.evidence.contains("taken out 2 times"), "{}", f.evidence);
        let record = f.record.as_ref().expect("written");
        assert!(record.starts_with(dir.path()) && record.exists());
        assert!(f.picture.as_ref().is_some_and(|p| p.exists()));
        assert!(f.token.starts_with("mc1-"));
        assert!(f
            .replay
            .starts_with(&format!("MAPCHECK_REPLAY={} cargo test ", record.display())));
        // No line is wider than 120 columns, but for one holding a word that cannot be cut (this
        // test's records are under a long temporary path).
        let fits =
            |l: &str| l.chars().count() <= 120 || l.split_whitespace().any(|w| w.chars().count() > 120 - 30);
        assert!(f.text.lines().all(fits), "{}", f.text);
    }
    assert_eq!(failed.oracles().len(), failed.failures.len());
}

/// A map still on `std::sync` behind `DropIn` creates no drop-in value: loom and shuttle do not
/// explore it, each cell says why, and the passing line names what was not judged.
#[test]
fn a_map_still_on_std_is_not_explored_by_loom_or_shuttle_and_the_line_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let report = quick(&dir)
        .try_run::<DropIn<OnStd>>()
        .expect("it passes on real threads");
    let not_applicable: Vec<_> = report
        .cells
        .iter()
        .filter(|c| matches!(c.result, mapcheck::outcome::CellResult::NotApplicable { .. }))
        .collect();
    assert_eq!(
        not_applicable.len(),
        8,
        "loom and the three shuttle engines on two models: {report}"
    );
    assert!(report
        .cells
        .iter()
        .any(|c| c.engine == "threads" && c.schedules > 0));
    let line = report.summary();
    assert!(
        line.contains("not judged: loom, shuttle-random, shuttle-pct, shuttle-dfs"),
        "{line}"
    );
    assert!(line.contains("created no mapcheck::sync value"), "{line}");
    // The drop-in map itself is explored by all of them.
    let dir = tempfile::tempdir().unwrap();
    let report = quick(&dir)
        .engines(&["loom", "shuttle-dfs"])
        .try_run::<DropIn<Locked>>()
        .unwrap();
    assert!(
        report.cells.iter().all(|c| c.result.ran() && c.schedules > 0),
        "{report}"
    );
}

/// From a program of the user's own (no test thread), the replay line is that program's command.
#[test]
fn from_a_program_the_replay_line_is_the_programs_command() {
    let dir = tempfile::tempdir().unwrap();
    let check = quick(&dir).engines(&["shuttle-random"]);
    let failed = std::thread::Builder::new()
        .spawn(move || check.try_run::<DropIn<CheckThenRemove>>().expect_err("caught"))
        .unwrap()
        .join()
        .unwrap();
    let f = &failed.failures[0];
    let program = std::env::args().next().unwrap();
    let record = f.record.as_ref().unwrap();
    assert!(
        f.replay
            .starts_with(&format!("MAPCHECK_REPLAY={} {program}", record.display())),
        "{}",
        f.replay
    );
    assert!(!f.replay.contains("cargo test"), "{}", f.replay);
}

/// A replay writes a record and picture of its own, and leaves the original's as they were.
#[test]
fn a_replay_keeps_the_original_record_and_picture() {
    let dir = tempfile::tempdir().unwrap();
    let failed = quick(&dir)
        .engines(&["shuttle-random"])
        .try_run::<DropIn<CheckThenRemove>>()
        .expect_err("caught");
    let f = &failed.failures[0];
    let original = std::fs::read(f.picture.as_ref().unwrap()).unwrap();
    let record = f.record.as_ref().unwrap().display().to_string();
    let replayed = Check::new()
        .failures_dir(dir.path())
        .replay(&record)
        .try_run::<DropIn<CheckThenRemove>>()
        .expect_err("a replay fails the test again");
    assert!(
        replayed.replayed.as_ref().is_some_and(|r| r.reproduced()),
        "{replayed}"
    );
    let again = &replayed.failures[0];
    assert_ne!(again.picture, f.picture);
    assert_eq!(std::fs::read(f.picture.as_ref().unwrap()).unwrap(), original);
    assert!(
        again.replay.contains("--replay.json cargo test"),
        "{}",
        again.replay
    );
}

#[test]
fn the_mutex_guard_derefs_like_std() {
    let m = Mutex::new(vec![1]);
    m.lock().unwrap().push(2);
    assert_eq!(*m.lock().unwrap(), vec![1, 2]);
}

/// A map whose `remove` never returns: it spins, as a livelocked lock-free retry loop would.
struct SpinOnRemove(std::sync::Mutex<BTreeMap<Key, Value>>);

impl Map for SpinOnRemove {
    fn insert(&self, k: Key, v: Value) -> Option<Value> {
        self.0.lock().unwrap().insert(k, v)
    }
    fn remove(&self, _: Key) -> Option<Value> {
        loop {
            std::hint::spin_loop();
        }
    }
    fn get(&self, k: Key) -> Option<Value> {
        self.0.lock().unwrap().get(&k).copied()
    }
    fn len(&self) -> usize {
        self.0.lock().unwrap().len()
    }
    fn clear(&self) {
        self.0.lock().unwrap().clear()
    }
    fn iterate(&self, _: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {}
}

impl Adapter for SpinOnRemove {
    const INFO: StructureInfo = StructureInfo::new("front-door-spin-on-remove");
    fn new() -> Self {
        SpinOnRemove(std::sync::Mutex::default())
    }
}

/// This process's threads, as the kernel counts them.
fn threads_alive() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("Threads:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// A real-thread run that hangs is caught, and its threads end with its cell: the cell ran in a
/// process of its own. Run in this process instead, they stay (and spin) after the check returns.
#[test]
fn a_hung_real_thread_run_ends_with_its_cells_process() {
    // Short caps (in this process and in each cell's, which runs this test again): the watchdog
    // counts only the time the spinning threads get a CPU, which a loaded machine makes slow.
    use mapcheck_harness::engine::watchdog::{set_caps, Caps};
    set_caps(Some(Caps::from_stall(Duration::from_millis(100))));
    let dir = tempfile::tempdir().unwrap();
    let check = || {
        Check::new()
            .models(&["concurrent-delete"])
            .engines(&["threads"])
            .budget(Duration::from_secs(2))
            .failures_dir(dir.path())
    };
    let before = threads_alive();
    let failed = check()
        .try_run::<Adapted<SpinOnRemove>>()
        .expect_err("the spinning remove is caught");
    let oracle = failed.failures[0].oracle;
    assert!(
        matches!(oracle, Some(Oracle::StepBound | Oracle::Deadlock)),
        "{failed}"
    );
    assert_eq!(threads_alive(), before, "no thread of the hung run is left here");
    let failed = check()
        .in_process()
        .try_run::<Adapted<SpinOnRemove>>()
        .expect_err("caught in process too");
    assert_eq!(failed.failures[0].oracle, oracle);
    assert!(
        threads_alive() > before,
        "in process, the hung run's threads are still here"
    );
}

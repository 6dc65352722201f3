//! Real-thread cells in a child process of their own, so that a run that hangs stops costing CPU
//! when its cell ends.
//!
//! Real threads cannot be cancelled: when the watchdog declares a run deadlocked or livelocked,
//! the run's threads stay blocked, or spin, for the rest of the process, and slow every later
//! cell. So a plan runs each real-thread cell by starting its own program again, told by the
//! [`CELL_ENV`] variable to run just that cell, write the cell's result to a file and exit (which
//! ends whatever threads still hang). The failure record is written by the child, where the parent
//! would have written it; the parent reads it back.
//!
//! From a test, the program is the test binary run for that one test (`NAME --exact`): the test
//! calls the check again, which finds the variable and runs the one cell. From the command line
//! it is `mapcheck` itself. A program that is neither (a user's own `main`) runs its cells in
//! process. If the child gives no result (it could not start, or the test did something else
//! first), the cell runs in process, as it would have without isolation.

use crate::outcome::CellResult;
use crate::record::FailureRecord;
use crate::runner::{run_cell, Cell, CellSpec, Recorded};
use mapcheck_harness::{Engine, Outcome};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The variable that tells a child which cell to run: the JSON of a [`CellOrder`].
pub const CELL_ENV: &str = "MAPCHECK_CELL";

/// How a plan's real-thread cells run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Isolation {
    /// In this process.
    None,
    /// In a child: this program started again with these arguments (the program's own path first).
    Child(Vec<String>),
}

impl Isolation {
    /// Isolation for the check running now: from a test (a thread named after it), the test binary
    /// run for that one test; elsewhere none. `MAPCHECK_ISOLATE=0` turns it off.
    pub fn for_current_test() -> Isolation {
        if std::env::var("MAPCHECK_ISOLATE").is_ok_and(|v| v.trim() == "0") {
            return Isolation::None;
        }
        let (Some(test), Ok(exe)) = (
            std::thread::current()
                .name()
                .filter(|n| *n != "main")
                .map(str::to_string),
            std::env::current_exe(),
        ) else {
            return Isolation::None;
        };
        Isolation::Child(vec![
            exe.display().to_string(),
            test,
            "--exact".into(),
            "--nocapture".into(),
            "--test-threads".into(),
            "1".into(),
        ])
    }
}

/// One cell for a child to run, as the parent would have run it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CellOrder {
    pub structure: String,
    pub model: String,
    pub size: mapcheck_harness::Size,
    pub engine: Engine,
    pub limits: mapcheck_harness::Limits,
    pub shrink: Option<Duration>,
    pub dir: PathBuf,
    /// Where the child writes its [`CellReply`].
    pub out: PathBuf,
}

/// What a child sends back.
#[derive(Debug, Serialize, Deserialize)]
struct CellReply {
    outcome: Outcome,
    result: CellResult,
    finding: Option<String>,
    record: Option<Result<PathBuf, String>>,
}

/// The cell this process was started to run, if it was.
pub fn order() -> Option<CellOrder> {
    let text = std::env::var(CELL_ENV).ok()?;
    serde_json::from_str(&text).ok()
}

/// Runs `order` here (this process is the child), writes the reply and ends the process: the
/// threads of a hung run end with it.
pub fn serve(spec: &CellSpec, order: &CellOrder) -> ! {
    let cell = run_cell(spec, &order.dir);
    let reply = CellReply {
        result: cell.result,
        finding: cell.finding,
        record: cell.record.map(|r| r.path),
        outcome: cell.outcome,
    };
    let code = match serde_json::to_vec(&reply).map(|json| std::fs::write(&order.out, json)) {
        Ok(Ok(())) => 0,
        _ => 3,
    };
    std::process::exit(code)
}

/// Runs `spec` in a child started as `isolation` says, waiting at most `wait`; `None` when the
/// child gave no result (the caller then runs the cell itself).
pub fn run_in_child(spec: &CellSpec, dir: &Path, isolation: &Isolation, wait: Duration) -> Option<Cell> {
    let Isolation::Child(args) = isolation else {
        return None;
    };
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let out = std::env::temp_dir().join(format!(
        "mapcheck-cell-{}-{}.json",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let order = CellOrder {
        structure: spec.entry.info.name.into(),
        model: spec.model.clone(),
        size: spec.size,
        engine: spec.engine,
        limits: spec.limits,
        shrink: spec.shrink,
        dir: dir.to_path_buf(),
        out: out.clone(),
    };
    let mut child = Command::new(&args[0])
        .args(&args[1..])
        .env(CELL_ENV, serde_json::to_string(&order).ok()?)
        .env_remove("MAPCHECK_REPLAY")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() < wait => std::thread::sleep(Duration::from_millis(5)),
            _ => {
                // Past any cap the watchdog sets: stop it, and everything it left running.
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    let reply: Option<CellReply> = status
        .filter(|s| s.success())
        .and_then(|_| std::fs::read(&out).ok())
        .and_then(|bytes| serde_json::from_slice(&bytes).ok());
    let _ = std::fs::remove_file(&out);
    let reply = reply?;
    let record = match reply.record {
        Some(Ok(path)) => Some(Recorded {
            record: FailureRecord::read(&path).ok()?,
            path: Ok(path),
        }),
        Some(Err(e)) => {
            // The child could not write the record: the failure is still in its outcome.
            let f = reply.outcome.failure.as_ref()?;
            let token = crate::record::ReplayToken {
                model: spec.model.clone(),
                size: spec.size,
                structure: spec.entry.info.name.into(),
                engine: spec.engine,
                pinned: f.pinned.clone(),
                workload: Some(spec.workload.clone()),
                oracle: None,
            };
            let record = FailureRecord::of(
                token,
                spec.limits,
                spec.workload.clone(),
                f,
                reply.outcome.schedules,
                None,
            );
            Some(Recorded { record, path: Err(e) })
        }
        None => None,
    };
    Some(Cell {
        outcome: reply.outcome,
        result: reply.result,
        record,
        finding: reply.finding,
    })
}

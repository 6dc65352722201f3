//! The front door: check a map from its own crate's tests, as `loom::model` and
//! `shuttle::check_random` are used. [`check`] runs every model under every engine that applies;
//! [`Check`] picks models, engines, budget and seed, and can keep going past the first failure. A
//! failure is shrunk, written to disk with its picture, and reported by a panic that ends with the
//! line replaying it in the same test: `MAPCHECK_REPLAY=<record> cargo test <name>`; a passing check
//! prints one line. [`Check::try_run`] returns the same as values ([`Report`], [`Failed`]).

use crate::isolate::Isolation;
use crate::outcome::CellResult;
use crate::plan::{Event, Plan};
use crate::record::{picture_path, FailureRecord, ReplayToken};
use crate::report::{CellLine, Failed, Found, Report};
use crate::runner::{failures_dir, CellSpec, Recorded, Replayed};
use mapcheck_harness::{EngineSpec, Entry, Limits, Structure, Workload};
use mapcheck_models::patterns::{model, Model, MODELS};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Checks structure `S` with every model under every engine that applies, within the default
/// budget; panics with the report and a replay line if it fails. See [`Check`] for the settings
/// and the environment variables that override them.
///
/// ```no_run
/// # use mapcheck::prelude::*;
/// # use mapcheck::sync::Mutex;
/// # struct MyMap(Mutex<std::collections::BTreeMap<Key, Value>>);
/// # impl Map for MyMap {
/// #     fn insert(&self, k: Key, v: Value) -> Option<Value> { self.0.lock().unwrap().insert(k, v) }
/// #     fn remove(&self, k: Key) -> Option<Value> { self.0.lock().unwrap().remove(&k) }
/// #     fn get(&self, k: Key) -> Option<Value> { self.0.lock().unwrap().get(&k).copied() }
/// #     fn len(&self) -> usize { self.0.lock().unwrap().len() }
/// #     fn clear(&self) { self.0.lock().unwrap().clear() }
/// #     fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
/// #         let copy = self.0.lock().unwrap().clone();
/// #         for (k, v) in copy { if visit(k, v).is_break() { break; } }
/// #     }
/// # }
/// # impl Adapter for MyMap {
/// #     const INFO: StructureInfo = StructureInfo::new("my-map");
/// #     fn new() -> Self { MyMap(Mutex::default()) }
/// # }
/// #[test]
/// fn my_map_passes_mapcheck() {
///     mapcheck::check::<DropIn<MyMap>>();
/// }
/// ```
pub fn check<S: Structure>() -> Report {
    Check::new().run::<S>()
}

/// The settings of one check. Each default can be overridden from the environment, parsed once
/// here: `MAPCHECK_BUDGET` (seconds, default 10), `MAPCHECK_SEED` (default 42), `MAPCHECK_REPLAY`
/// (a replay token or a failure record's path: run that one failure again instead of checking), `MAPCHECK_DIR` (where failure
/// records go, below it `failures/`; default `target/mapcheck`).
#[derive(Debug, Clone)]
pub struct Check {
    models: Vec<&'static Model>,
    engines: Option<Vec<EngineSpec>>,
    budget: Duration,
    seed: u64,
    dir: PathBuf,
    replay: Option<String>,
    allow_unknown: bool,
    keep_going: bool,
    isolate: bool,
}

impl Default for Check {
    fn default() -> Check {
        Check::new()
    }
}

/// Reads a setting from the environment; a value that does not parse, or a budget out of its
/// bounds, is a setup error, reported with the variable's name and what it takes rather than
/// ignored.
fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    let takes = match name {
        "MAPCHECK_BUDGET" => "seconds as a number (10, 2.5)",
        "MAPCHECK_SEED" => "a whole number from 0 to 18446744073709551615",
        _ => "a value",
    };
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => {
            let shown = crate::bounds::excerpt(&v, 40);
            let parsed = v
                .trim()
                .parse()
                .unwrap_or_else(|_| panic!("mapcheck: {name}={shown:?} does not parse; it takes {takes}"));
            if name == "MAPCHECK_BUDGET" {
                if let Err(e) = crate::bounds::budget_secs(name, v.trim().parse().unwrap_or(f64::NAN)) {
                    panic!("mapcheck: {e}");
                }
            }
            parsed
        }
        _ => default,
    }
}

impl Check {
    /// Every model, every engine that applies to the structure, the default budget and seed.
    pub fn new() -> Check {
        let budget: f64 = env("MAPCHECK_BUDGET", 10.0);
        assert!(
            budget.is_finite() && budget > 0.0,
            "mapcheck: MAPCHECK_BUDGET must be a positive number of seconds, found {budget}"
        );
        Check {
            models: MODELS.iter().collect(),
            engines: None,
            budget: Duration::from_secs_f64(budget),
            seed: env("MAPCHECK_SEED", 42),
            dir: failures_dir(),
            replay: std::env::var("MAPCHECK_REPLAY")
                .ok()
                .filter(|t| !t.trim().is_empty()),
            allow_unknown: false,
            keep_going: false,
            isolate: true,
        }
    }

    /// Only these models (see `mapcheck::models::patterns::MODELS`).
    pub fn models(mut self, names: &[&str]) -> Check {
        self.models = names
            .iter()
            .map(|n| {
                model(n).unwrap_or_else(|| {
                    let known: Vec<&str> = MODELS.iter().map(|m| m.name).collect();
                    panic!(
                        "mapcheck: unknown model `{n}`; the models are {}",
                        known.join(", ")
                    )
                })
            })
            .collect();
        self
    }

    /// Only these engines, spelled as on the command line: `loom`, `loom:3`, `shuttle-random`,
    /// `shuttle-pct`, `shuttle-pct:2`, `shuttle-dfs`, `threads`.
    pub fn engines(mut self, specs: &[&str]) -> Check {
        self.engines = Some(
            specs
                .iter()
                .map(|s| EngineSpec::parse(s).unwrap_or_else(|e| panic!("mapcheck: {e}")))
                .collect(),
        );
        self
    }

    /// Wall clock for the whole check, shared by its cells.
    pub fn budget(mut self, budget: Duration) -> Check {
        self.budget = budget;
        self
    }

    /// The seed of shuttle's schedulers and of the thread engine's jitter.
    pub fn seed(mut self, seed: u64) -> Check {
        self.seed = seed;
        self
    }

    /// Where failure records and pictures go.
    pub fn failures_dir(mut self, dir: impl Into<PathBuf>) -> Check {
        self.dir = dir.into();
        self
    }

    /// Runs the failure `token` names again instead of checking (what `MAPCHECK_REPLAY` does): a
    /// replay token, or the path of a failure record.
    pub fn replay(mut self, token: &str) -> Check {
        self.replay = Some(token.to_string());
        self
    }

    /// Lets cells whose runs had no verdict (a linearizability search budget spent) pass the test;
    /// by default they fail it, since nothing was shown about them.
    pub fn allow_unknown(mut self) -> Check {
        self.allow_unknown = true;
        self
    }

    /// Runs real-thread cells in this process rather than each in a child process of its own (the
    /// default from a test: a hung real-thread run cannot be stopped, and would slow every later
    /// cell). `MAPCHECK_ISOLATE=0` does the same.
    pub fn in_process(mut self) -> Check {
        self.isolate = false;
        self
    }

    /// Runs every cell, past the first failure: [`Failed::failures`] then holds every failure
    /// found, and [`Report::cells`] every cell. By default a check stops at its first failure.
    pub fn keep_going(mut self) -> Check {
        self.keep_going = true;
        self
    }

    /// Runs the check; prints its one-line summary when it passes, panics with the report when
    /// `S` fails.
    pub fn run<S: Structure>(self) -> Report {
        match self.try_run::<S>() {
            Ok(report) => {
                eprintln!("{}", report.summary());
                report
            }
            Err(failed) => panic!("{failed}"),
        }
    }

    /// Runs the check and returns the failures instead of panicking.
    pub fn try_run<S: Structure>(self) -> Result<Report, Box<Failed>> {
        let entry = Entry::of::<S>();
        if let Some(order) = crate::isolate::order() {
            // This process was started to run one real-thread cell of this test's check.
            if order.structure != entry.info.name {
                return Ok(self.report(&entry));
            }
            if let Some(m) = model(&order.model) {
                let spec =
                    CellSpec::of_model(m, &entry, order.engine, order.size, order.limits, order.shrink);
                crate::isolate::serve(&spec, &order);
            }
        }
        match self.replay.clone() {
            Some(arg) => self.replay_one(&entry, &arg),
            None => self.explore(&entry),
        }
    }

    fn report(&self, entry: &Entry) -> Report {
        Report {
            structure: entry.info.name,
            cells: Vec::new(),
            elapsed: Duration::ZERO,
            seed: self.seed,
            leaks_judged: mapcheck_harness::alloc::installed(),
            opt_level: crate::report::OPT_LEVEL,
        }
    }

    fn explore(&self, entry: &Entry) -> Result<Report, Box<Failed>> {
        let engines = self.engines.clone().unwrap_or_else(|| EngineSpec::ALL.to_vec());
        let plan = Plan {
            models: self.models.clone(),
            structures: vec![entry],
            engines,
            budget: self.budget,
            seed: self.seed,
            shard: (1, 1),
            dir: self.dir.clone(),
            shrink: true,
            isolation: if self.isolate {
                Isolation::for_current_test()
            } else {
                Isolation::None
            },
        };
        let started = Instant::now();
        let mut report = self.report(entry);
        let mut failures = Vec::new();
        plan.run(|event| {
            let Event::Cell {
                model, spec, cell, ..
            } = event
            else {
                return ControlFlow::Continue(());
            };
            report.cells.push(CellLine {
                model: model.name,
                engine: spec.family(),
                schedules: cell.outcome.schedules,
                result: cell.result.clone(),
                finding: Some(cell.findings().join("; ")).filter(|f| !f.is_empty()),
            });
            match (&cell.result, &cell.record) {
                (CellResult::Failed(_), Some(recorded)) => {
                    failures.push(found(recorded));
                    if self.keep_going {
                        ControlFlow::Continue(())
                    } else {
                        ControlFlow::Break(())
                    }
                }
                _ => ControlFlow::Continue(()),
            }
        });
        report.elapsed = started.elapsed();
        if !failures.is_empty() {
            let mut message = format!("mapcheck: {} failed", entry.info.name);
            if failures.len() > 1 {
                message.push_str(&format!(" ({} failures)", failures.len()));
            }
            message.push('\n');
            for f in &failures {
                message.push_str(&f.text);
                message.push('\n');
            }
            message.push_str(&report.summary());
            message.push('\n');
            return Err(Box::new(Failed {
                replay: failures.iter().map(|f| f.replay.clone()).collect(),
                failures,
                replayed: None,
                message,
                report,
            }));
        }
        let unknown: Vec<&CellLine> = report
            .cells
            .iter()
            .filter(|c| matches!(c.result, CellResult::Unknown { .. }))
            .collect();
        if !unknown.is_empty() && !self.allow_unknown {
            let lines: Vec<String> = unknown.iter().map(|c| c.to_string()).collect();
            return Err(Box::new(Failed {
                message: format!(
                    "mapcheck: {} could not be decided in {} cell(s), so nothing is shown about them \
                     (allow this with Check::allow_unknown):\n  {}\n{report}",
                    entry.info.name,
                    unknown.len(),
                    lines.join("\n  ")
                ),
                failures: Vec::new(),
                replayed: None,
                replay: Vec::new(),
                report,
            }));
        }
        Ok(report)
    }

    /// Runs again the failure `arg` names: a replay token, or a failure record's path.
    fn replay_one(&self, entry: &Entry, arg: &str) -> Result<Report, Box<Failed>> {
        let report = self.report(entry);
        let refused = |message: String, report: Report| {
            Err(Box::new(Failed {
                message,
                failures: Vec::new(),
                replayed: None,
                replay: Vec::new(),
                report,
            }))
        };
        let (token, workload) = match replay_source(arg) {
            Ok(source) => source,
            Err(e) => return refused(format!("mapcheck: MAPCHECK_REPLAY: {e}"), report),
        };
        if token.structure != entry.info.name {
            // Another test's failure: this test has nothing to replay.
            eprintln!(
                "mapcheck: MAPCHECK_REPLAY names structure `{}`; this check of `{}` is skipped",
                token.structure, entry.info.name
            );
            return Ok(report);
        }
        let workload = match (workload, model(&token.model)) {
            (Some(w), _) => w,
            (None, Some(m)) => (m.build)(token.size),
            (None, None) => {
                return refused(
                    format!(
                        "mapcheck: the replay token names an unknown model `{}`",
                        token.model
                    ),
                    report,
                )
            }
        };
        let outcome = (entry.replay)(&workload, token.engine, &token.pinned, Limits::default());
        let replayed = Replayed::of(token.oracle, &outcome);
        let mut message = format!(
            "mapcheck: replaying {} on {} under {}\n",
            token.model, token.structure, token.engine
        );
        let mut failures = Vec::new();
        if let Some(f) = &outcome.failure {
            let record = crate::FailureRecord::of(
                token.clone(),
                Limits::default(),
                workload,
                f,
                outcome.schedules,
                None,
            );
            // The replay's record and picture are its own: the original's stay as they were.
            let stem = format!("{}--replay", record.file_stem());
            let recorded = Recorded {
                path: record.write_as(&self.dir, &stem).map_err(|e| e.to_string()),
                record,
            };
            let found = found(&recorded);
            message.push_str(&found.text);
            failures.push(found);
        }
        message.push_str(&replayed.describe());
        message.push('\n');
        Err(Box::new(Failed {
            replay: failures.iter().map(|f| f.replay.clone()).collect(),
            failures,
            replayed: Some(replayed),
            message,
            report,
        }))
    }
}

/// The token and workload `arg` names: a replay token (`mc1-...`), or the path of a failure record.
fn replay_source(arg: &str) -> Result<(ReplayToken, Option<Workload>), String> {
    let arg = arg.trim();
    if arg.starts_with("mc") {
        let token = ReplayToken::decode(arg)?;
        let workload = token.workload.clone();
        return Ok((token, workload));
    }
    let record = FailureRecord::read(Path::new(arg))?;
    Ok((record.token.clone(), Some(record.workload)))
}

/// The failure of `recorded` as a value, its replay line naming its record (or, when the record
/// could not be written, its token), and its picture rewritten to show that line.
fn found(recorded: &Recorded) -> Found {
    let arg = match &recorded.path {
        Ok(p) => p.display().to_string(),
        Err(_) => recorded.record.token.encode(),
    };
    let replay = replay_command(&arg);
    if let Ok(p) = &recorded.path {
        // The picture the runner wrote names the command line's replay; this one names the test's.
        let _ = recorded
            .record
            .write_picture_with(&picture_path(p), vec![("replay".into(), replay.clone())]);
    }
    Found::of(recorded, replay)
}

/// The command that runs the failure `arg` names again, here: from a test, the test by its name;
/// from a program of the user's own, that program as it was started.
fn replay_command(arg: &str) -> String {
    match std::thread::current().name().filter(|n| *n != "main") {
        Some(test) => format!("MAPCHECK_REPLAY={arg} cargo test {test}"),
        None => {
            let args: Vec<String> = std::env::args().map(|a| shell_word(&a)).collect();
            format!("MAPCHECK_REPLAY={arg} {}", args.join(" "))
        }
    }
}

/// `s` as one shell word.
fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

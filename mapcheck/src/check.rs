//! The front door: check a map from its own crate's tests, as `loom::model` and
//! `shuttle::check_random` are used. [`check`] runs every model under every engine that applies;
//! [`Check`] picks models, engines, budget and seed. A failure is shrunk, written to disk with its
//! picture, and reported by a panic that ends with the line replaying it in the same test:
//! `MAPCHECK_REPLAY=<token> cargo test <name>`.

use crate::outcome::CellResult;
use crate::plan::{Event, Plan};
use crate::record::{picture_path, ReplayToken};
use crate::runner::{failures_dir, Recorded, Replayed};
use mapcheck_harness::{EngineSpec, Entry, Limits, Structure};
use mapcheck_models::patterns::{model, Model, MODELS};
use std::fmt;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Checks structure `S` with every model under every engine that applies, within the default
/// budget; panics with the report and a replay line if it fails. See [`Check`] for the settings
/// and the environment variables that override them.
///
/// ```no_run
/// # struct MyMapFamily;
/// # impl mapcheck::Structure for MyMapFamily {
/// #     type Map<R: mapcheck::Runtime> = mapcheck::models::structures::locked::LockedMap<R>;
/// #     fn new<R: mapcheck::Runtime>() -> Self::Map<R> { mapcheck::models::structures::locked::Locked::new::<R>() }
/// #     const INFO: mapcheck::StructureInfo = mapcheck::StructureInfo::new("my-map");
/// # }
/// #[test]
/// fn my_map_passes_mapcheck() {
///     mapcheck::check::<MyMapFamily>();
/// }
/// ```
pub fn check<S: Structure>() -> Report {
    Check::new().run::<S>()
}

/// The settings of one check. Each default can be overridden from the environment, parsed once
/// here: `MAPCHECK_BUDGET` (seconds, default 10), `MAPCHECK_SEED` (default 42), `MAPCHECK_REPLAY`
/// (a replay token: run that one failure again instead of checking), `MAPCHECK_DIR` (where failure
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
}

impl Default for Check {
    fn default() -> Check {
        Check::new()
    }
}

/// Reads a setting from the environment; a value that does not parse is a setup error, reported
/// with the variable's name rather than ignored.
fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("mapcheck: {name}={v:?} does not parse")),
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

    /// Runs the failure of `token` again instead of checking (what `MAPCHECK_REPLAY` does).
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

    /// Runs the check; panics with the report if `S` fails.
    pub fn run<S: Structure>(self) -> Report {
        match self.try_run::<S>() {
            Ok(report) => report,
            Err(failed) => panic!("{failed}"),
        }
    }

    /// Runs the check and returns the failure instead of panicking.
    pub fn try_run<S: Structure>(self) -> Result<Report, Box<Failed>> {
        let entry = Entry::of::<S>();
        match self.replay.clone() {
            Some(token) => self.replay_one(&entry, &token),
            None => self.explore(&entry),
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
        };
        let started = Instant::now();
        let mut report = Report {
            structure: entry.info.name,
            cells: Vec::new(),
            elapsed: Duration::ZERO,
            leaks_judged: mapcheck_harness::alloc::installed(),
        };
        let mut failure = None;
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
                findings: cell.findings(),
            });
            match (&cell.result, cell.record) {
                (CellResult::Failed(_), Some(recorded)) => {
                    failure = Some(recorded);
                    ControlFlow::Break(())
                }
                _ => ControlFlow::Continue(()),
            }
        });
        report.elapsed = started.elapsed();
        if let Some(recorded) = failure {
            return Err(Box::new(Failed::found(recorded, report)));
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
                replay: Vec::new(),
                report,
            }));
        }
        Ok(report)
    }

    fn replay_one(&self, entry: &Entry, token: &str) -> Result<Report, Box<Failed>> {
        let report = Report {
            structure: entry.info.name,
            cells: Vec::new(),
            elapsed: Duration::ZERO,
            leaks_judged: mapcheck_harness::alloc::installed(),
        };
        let token = match ReplayToken::decode(token) {
            Ok(t) => t,
            Err(e) => {
                return Err(Box::new(Failed {
                    message: format!("mapcheck: MAPCHECK_REPLAY: {e}"),
                    replay: Vec::new(),
                    report,
                }))
            }
        };
        if token.structure != entry.info.name {
            // Another test's failure: this test has nothing to replay.
            eprintln!(
                "mapcheck: MAPCHECK_REPLAY names structure `{}`; this check of `{}` is skipped",
                token.structure, entry.info.name
            );
            return Ok(report);
        }
        let workload = match (&token.workload, model(&token.model)) {
            (Some(w), _) => w.clone(),
            (None, Some(m)) => (m.build)(token.size),
            (None, None) => {
                return Err(Box::new(Failed {
                    message: format!(
                        "mapcheck: the replay token names an unknown model `{}`",
                        token.model
                    ),
                    replay: Vec::new(),
                    report,
                }))
            }
        };
        let outcome = (entry.replay)(&workload, token.engine, &token.pinned, Limits::default());
        let replayed = Replayed::of(token.oracle, &outcome);
        let mut message = format!(
            "mapcheck: replaying {} on {} under {}\n",
            token.model, token.structure, token.engine
        );
        if let Some(f) = &outcome.failure {
            let record = crate::FailureRecord::of(
                token.clone(),
                Limits::default(),
                workload,
                f,
                outcome.schedules,
                None,
            );
            let recorded = Recorded {
                path: record.write(&self.dir).map_err(|e| e.to_string()),
                record,
            };
            message.push_str(&recorded.record.render_for(
                &replay_command(&token.encode()),
                recorded.path.as_ref().ok().map(|p| picture_path(p)).as_deref(),
            ));
        }
        message.push_str(&replayed.describe());
        message.push('\n');
        Err(Box::new(Failed {
            message,
            replay: vec![replay_command(&token.encode())],
            report,
        }))
    }
}

/// The line that replays a failure in the test running now.
fn replay_command(token: &str) -> String {
    let test = std::thread::current()
        .name()
        .filter(|n| *n != "main")
        .map(str::to_string)
        .unwrap_or_else(|| "<test name>".into());
    format!("MAPCHECK_REPLAY={token} cargo test {test}")
}

/// One cell of a passing check.
#[derive(Debug, Clone)]
pub struct CellLine {
    pub model: &'static str,
    pub engine: &'static str,
    pub schedules: usize,
    /// `n/a` carries its reason: an engine that cannot run the structure, or an operation the
    /// model calls that the structure declares absent.
    pub result: CellResult,
    /// Findings, not failures: known behaviours the runs showed, retained memory (see
    /// `runner::Cell::findings`).
    pub findings: Vec<String>,
}

impl fmt::Display for CellLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:<24} {:<15} {}",
            self.model,
            self.engine,
            self.result.text(self.schedules)
        )
    }
}

/// What a check ran.
#[derive(Debug, Clone)]
pub struct Report {
    pub structure: &'static str,
    pub cells: Vec<CellLine>,
    pub elapsed: Duration,
    /// Whether the counting allocator was installed, so that leaks were judged.
    pub leaks_judged: bool,
}

impl Report {
    /// Schedules run over every cell.
    pub fn schedules(&self) -> usize {
        self.cells.iter().map(|c| c.schedules).sum()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "mapcheck: {}: {} cell(s), {} schedule(s) in {:.1}s{}",
            self.structure,
            self.cells.len(),
            self.schedules(),
            self.elapsed.as_secs_f64(),
            if self.leaks_judged {
                ""
            } else {
                " (leaks not judged: install mapcheck::CountingAllocator as the global allocator)"
            }
        )?;
        for c in &self.cells {
            writeln!(f, "  {c}")?;
            if let CellResult::NotApplicable { reason } = &c.result {
                writeln!(f, "    n/a: {reason}")?;
            }
            for finding in &c.findings {
                writeln!(f, "    FINDING (declared, not a failure) {finding}")?;
            }
        }
        Ok(())
    }
}

/// A failed check: the printed report, and the lines that replay each failure.
#[derive(Debug, Clone)]
pub struct Failed {
    pub message: String,
    /// `MAPCHECK_REPLAY=<token> cargo test <name>`, one per failure.
    pub replay: Vec<String>,
    pub report: Report,
}

impl Failed {
    fn found(recorded: Recorded, report: Report) -> Failed {
        let replay = replay_command(&recorded.record.token.encode());
        let picture = recorded.path.as_ref().ok().map(|p| picture_path(p));
        if let Some(p) = &picture {
            // The picture the runner wrote names the command line's replay; this one names the test's.
            let _ = recorded
                .record
                .write_picture_with(p, vec![("replay".into(), replay.clone())]);
        }
        let mut message = format!("mapcheck: {} failed\n", report.structure);
        if let Err(e) = &recorded.path {
            message.push_str(&format!(
                "warning: the failure record could not be written: {e}\n"
            ));
        }
        message.push_str(&recorded.record.render_for(&replay, picture.as_deref()));
        if let Ok(p) = &recorded.path {
            message.push_str(&format!("record:  {}\n", p.display()));
        }
        Failed {
            message,
            replay: vec![replay],
            report,
        }
    }
}

impl fmt::Display for Failed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failed {}

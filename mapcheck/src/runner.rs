//! Runs one cell (a workload on a structure under an engine, explored or replaying a pinned
//! schedule) and replays failures. The only place that turns a failing run into a failure record,
//! and it writes the record to disk before anything is reported.

use crate::outcome::CellResult;
use crate::record::Fingerprint;
use crate::record::{FailureRecord, ReplayToken};
use crate::Registry;
use mapcheck_harness::{Engine, Entry, Limits, Oracle, Outcome, Pinned, Size, Verdict, Workload};
use mapcheck_models::patterns::{model, Model};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where failure records go: `$MAPCHECK_DIR/failures`, by default `target/mapcheck/failures`.
pub fn failures_dir() -> PathBuf {
    std::env::var_os("MAPCHECK_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/mapcheck"))
        .join("failures")
}

/// One cell to run.
#[derive(Debug, Clone)]
pub struct CellSpec<'a> {
    /// The model's name (or `scenario-NAME`): what the record and the report call the workload.
    pub model: String,
    /// The size the workload was built at (for a token that rebuilds it from the model).
    pub size: Size,
    pub workload: Workload,
    /// Whether the model rebuilds exactly this workload at `size`, so a token need not carry it.
    pub model_built: bool,
    pub entry: &'a Entry,
    pub engine: Engine,
    pub limits: Limits,
    /// Replay this schedule instead of exploring.
    pub pinned: Option<Pinned>,
    /// Shrink a failure for at most this long; `None`: report it as found.
    pub shrink: Option<Duration>,
}

impl<'a> CellSpec<'a> {
    /// A model's cell: its workload at `size` on `entry` under `engine`, explored and, when
    /// `shrink` is given, a failure shrunk for at most that long.
    pub fn of_model(
        model: &Model,
        entry: &'a Entry,
        engine: Engine,
        size: Size,
        limits: Limits,
        shrink: Option<Duration>,
    ) -> CellSpec<'a> {
        CellSpec {
            model: model.name.into(),
            size,
            workload: (model.build)(size),
            model_built: true,
            entry,
            engine,
            limits,
            pinned: None,
            shrink,
        }
    }

    /// The token that runs `workload` under `engine` with `pinned` again.
    fn token(&self, workload: &Workload, engine: Engine, pinned: Pinned) -> ReplayToken {
        let own = self.model_built && *workload == self.workload;
        ReplayToken {
            oracle: None,
            model: self.model.clone(),
            size: self.size,
            structure: self.entry.info.name.into(),
            engine,
            pinned,
            workload: (!own).then(|| workload.clone()),
        }
    }
}

/// One explored cell.
#[derive(Debug)]
pub struct Cell {
    pub outcome: Outcome,
    pub result: CellResult,
    /// The failure, with its replay token, and where its record was written.
    pub record: Option<Recorded>,
    /// For a cell with no failure, on a structure whose reclamation policy declares no bound (it
    /// never shrinks, or keeps deleted entries): what its footprint retains after the model's
    /// threads ran one after another and the reclamation step ran ([`finding`]). Not a failure.
    pub finding: Option<String>,
}

impl Cell {
    /// A cell a deterministic engine leaves to shard 1.
    pub fn other_shard() -> Cell {
        Cell {
            outcome: Outcome {
                verdict: mapcheck_harness::Verdict::NotApplicable {
                    reason: "deterministic engines run on shard 1 only".into(),
                },
                schedules: 0,
                elapsed: Duration::ZERO,
                exhausted: false,
                unknown_runs: 0,
                diverged: None,
                failure: None,
                findings: Vec::new(),
            },
            result: CellResult::OtherShard,
            record: None,
            finding: None,
        }
    }
}

impl Cell {
    /// The cell's findings, one line each: the behaviours the structure declares known that its
    /// runs showed, and the reclamation finding of a structure whose policy declares no bound.
    pub fn findings(&self) -> Vec<String> {
        let schedules = self.outcome.schedules;
        self.outcome
            .findings
            .iter()
            .map(|f| {
                format!(
                    "known {} (declared: {}): in {} of {schedules} run(s); the first: {}",
                    f.oracle, f.declared, f.runs, f.first
                )
            })
            .chain(self.finding.clone())
            .collect()
    }
}

/// A failure record and where it went.
#[derive(Debug)]
pub struct Recorded {
    pub record: FailureRecord,
    /// The record's file, or why it could not be written (the failure is then reported with its
    /// token, which carries the same run).
    pub path: Result<PathBuf, String>,
}

impl Recorded {
    /// What `cargo xtask replay` takes to run it again: the file, or else the token.
    pub fn replay_arg(&self) -> String {
        match &self.path {
            Ok(p) => p.display().to_string(),
            Err(_) => self.record.token.encode(),
        }
    }

    /// The printed report, with a warning first when the record could not be written.
    pub fn render(&self) -> String {
        let report = self.record.render(&self.replay_arg());
        match &self.path {
            Ok(_) => report,
            Err(e) => format!("warning: the failure record could not be written: {e}\n{report}"),
        }
    }
}

/// Runs `spec`, shrinks a failure when asked, and writes its record under `dir` before returning.
pub fn run_cell(spec: &CellSpec, dir: &Path) -> Cell {
    let CellSpec {
        entry,
        engine,
        limits,
        ..
    } = *spec;
    let outcome = match &spec.pinned {
        Some(p) => (entry.replay)(&spec.workload, engine, p, limits),
        None => (entry.run)(&spec.workload, engine, limits),
    };
    let result = CellResult::of(entry, &spec.model, &outcome);
    let Some(found) = &outcome.failure else {
        let applicable = entry.not_applicable_to(&engine, &spec.workload).is_none();
        return Cell {
            finding: applicable.then(|| finding(entry, &spec.workload)).flatten(),
            outcome,
            result,
            record: None,
        };
    };
    let schedules = outcome.schedules;
    let record = match spec.shrink {
        Some(budget) if spec.pinned.is_none() => {
            let shrunk = (entry.shrink)(&spec.workload, engine, limits, outcome.clone(), budget);
            let f = shrunk.outcome.failure.as_ref().unwrap_or(found);
            let smaller = shrunk.workload != spec.workload || shrunk.engine != engine;
            let note = shrunk.note(&spec.workload, oracle_of(&found.verdict));
            let mut record = FailureRecord::of(
                spec.token(&shrunk.workload, shrunk.engine, f.pinned.clone()),
                limits,
                shrunk.workload.clone(),
                f,
                schedules,
                smaller.then(|| {
                    format!(
                        "{} under {engine}",
                        mapcheck_harness::shrink::describe(&spec.workload)
                    )
                }),
            );
            record.shrink_note = note;
            record
        }
        _ => {
            let mut record = FailureRecord::of(
                spec.token(&spec.workload, engine, found.pinned.clone()),
                limits,
                spec.workload.clone(),
                found,
                schedules,
                None,
            );
            record.shrink_note = Some(if spec.pinned.is_some() {
                "not shrunk: a pinned schedule is replayed as it was recorded".into()
            } else {
                "not shrunk: shrinking was turned off for this run".into()
            });
            record
        }
    };
    let path = record
        .write(dir)
        .map_err(|e| format!("writing under {}: {e}", dir.display()));
    Cell {
        outcome,
        result,
        record: Some(Recorded { record, path }),
        finding: None,
    }
}

/// The reclamation finding of `workload` on `entry`: one run on the calling thread (the threads one
/// after another, then the reclamation step), judged by `verdict::finding`. `None` when the
/// structure's policy has a bound to judge instead, or when the footprint is within it.
pub fn finding(entry: &Entry, workload: &Workload) -> Option<String> {
    use mapcheck_harness::ReclamationPolicy::{NeverShrinks, StaleRetained};
    if !matches!(entry.info.reclamation, NeverShrinks | StaleRetained) {
        return None;
    }
    let (_, history) = (entry.sequential)(workload);
    mapcheck_harness::verdict::finding(&history, &entry.info)
        .map(|f| format!("{f} (the model's threads run one after another)"))
}

/// What a replay argument named: the original failure (when it came from a record) and the
/// token, workload and limits to run.
pub struct ReplayInput {
    pub original: Option<FailureRecord>,
    pub token: ReplayToken,
    pub workload: Workload,
    pub limits: Limits,
}

/// Reads a replay argument: a failure record's path, or a token printed by a report. Both are
/// checked against the bounds ([`crate::bounds`]) as they are read.
pub fn replay_input(registry: &Registry, arg: &str) -> Result<ReplayInput, String> {
    let path = Path::new(arg);
    if path.exists() {
        let rec = FailureRecord::read(path)?;
        return ReplayInput::of_record(registry, rec, &path.display().to_string());
    }
    if !arg.starts_with("mc1-") && (arg.contains('/') || arg.ends_with(".json")) {
        return Err(format!(
            "no such failure record: {}",
            crate::bounds::excerpt(arg, 120)
        ));
    }
    ReplayInput::of_token(ReplayToken::decode(arg)?)
}

impl ReplayInput {
    /// What replaying `rec` (read from `file`) runs: its own workload and limits.
    pub fn of_record(registry: &Registry, rec: FailureRecord, file: &str) -> Result<ReplayInput, String> {
        registry.get(&rec.token.structure).ok_or_else(|| {
            format!(
                "{file}: unknown structure `{}`",
                crate::bounds::excerpt(&rec.token.structure, 40)
            )
        })?;
        Ok(ReplayInput {
            token: rec.token.clone(),
            workload: rec.workload.clone(),
            limits: rec.limits,
            original: Some(rec),
        })
    }

    /// What replaying `token` runs: the workload it carries, or its model's at its size.
    pub fn of_token(token: ReplayToken) -> Result<ReplayInput, String> {
        // A token carries its workload when it is not a model's own (a shrunk failure, a scenario).
        let workload = match &token.workload {
            Some(w) => w.clone(),
            None => {
                let m = model(&token.model).ok_or_else(|| {
                    format!(
                        "the token names an unknown model `{}`",
                        crate::bounds::excerpt(&token.model, 40)
                    )
                })?;
                (m.build)(token.size)
            }
        };
        Ok(ReplayInput {
            workload,
            token,
            limits: Limits::default(),
            original: None,
        })
    }
}

impl ReplayInput {
    /// The oracle the recorded run failed: from the record, or from the token.
    pub fn expected(&self) -> Option<Oracle> {
        match self.original.as_ref().map(|r| &r.verdict) {
            Some(Verdict::Fail(f)) => Some(f.oracle),
            _ => self.token.oracle,
        }
    }

    /// How the recording's build differs from this one (empty when it matches or is not known).
    pub fn fingerprint_differences(&self) -> Vec<String> {
        self.original
            .as_ref()
            .and_then(|r| r.fingerprint.as_ref())
            .map(|f| f.differences(&Fingerprint::current()))
            .unwrap_or_default()
    }
}

/// What a replay did, against what was recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replayed {
    /// The run failed the recorded oracle again.
    Reproduced(Oracle),
    /// The run failed, but another oracle fired.
    OtherOracle { expected: Oracle, found: Oracle },
    /// The run did not fail (it passed, or had no verdict).
    Passed(Verdict),
    /// The run left the recorded schedule, so it is not the recorded run.
    Diverged(String),
    /// Nothing was recorded to compare with (a token from before tokens named their oracle): the
    /// run's own verdict.
    Unrecorded(Verdict),
}

impl Replayed {
    /// Compares a replay's outcome with the `expected` oracle.
    pub fn of(expected: Option<Oracle>, outcome: &Outcome) -> Replayed {
        if let Some(why) = &outcome.diverged {
            return Replayed::Diverged(why.clone());
        }
        match (expected, &outcome.verdict) {
            (None, v) => Replayed::Unrecorded(v.clone()),
            (Some(e), Verdict::Fail(f)) if f.oracle == e => Replayed::Reproduced(e),
            (Some(e), Verdict::Fail(f)) => Replayed::OtherOracle {
                expected: e,
                found: f.oracle,
            },
            (Some(_), v) => Replayed::Passed(v.clone()),
        }
    }

    /// Whether the replay reproduced the recorded failure.
    pub fn reproduced(&self) -> bool {
        matches!(self, Replayed::Reproduced(_))
    }

    /// What happened, in one line (two for a divergence: what it means comes second).
    pub fn describe(&self) -> String {
        match self {
            Replayed::Reproduced(o) => format!("reproduced: the run failed {o} again, as recorded"),
            Replayed::OtherOracle { expected, found } => {
                format!("NOT reproduced: the recording failed {expected}, the replay failed {found}")
            }
            Replayed::Passed(v) => format!("NOT reproduced: the replayed run {}", did(v)),
            Replayed::Diverged(why) => format!(
                "NOT reproduced: the replay left the recorded schedule ({why})\n\
                 the code that ran is not the code that was recorded"
            ),
            Replayed::Unrecorded(Verdict::Fail(f)) => {
                format!(
                    "the replayed run failed {} (the token does not say which oracle was recorded)",
                    f.oracle
                )
            }
            Replayed::Unrecorded(v) => {
                format!(
                    "the replayed run {}; the token does not say what was recorded",
                    did(v)
                )
            }
        }
    }
}

/// What a replayed run with verdict `v` did, after "the replayed run".
fn did(v: &Verdict) -> String {
    match v {
        Verdict::Pass => "passed".into(),
        Verdict::Fail(f) => format!("failed {}", f.oracle),
        Verdict::Unknown { reason } => format!("had no verdict ({reason})"),
        Verdict::NotApplicable { reason } => {
            format!("did not run: the engine does not apply here ({reason})")
        }
    }
}

/// Runs the pinned schedule of `input` again.
pub fn replay(registry: &Registry, input: &ReplayInput) -> Result<Outcome, String> {
    let entry = registry.require(&input.token.structure)?;
    Ok((entry.replay)(
        &input.workload,
        input.token.engine,
        &input.token.pinned,
        input.limits,
    ))
}

/// Judges a recorded history again, with the structure's declared guarantees: how a real-thread
/// failure, which no scheduler can replay step for step, is confirmed.
pub fn recheck(registry: &Registry, record: &FailureRecord) -> Result<mapcheck_harness::Verdict, String> {
    let entry = registry.require(&record.token.structure)?;
    Ok(mapcheck_harness::verdict::judge(&record.history, &entry.claims))
}

/// The oracle a failing verdict names.
fn oracle_of(v: &Verdict) -> Option<Oracle> {
    match v {
        Verdict::Fail(f) => Some(f.oracle),
        _ => None,
    }
}

//! Runs one cell of the check matrix (a model on a structure under an engine) and replays failures,
//! writing every failure record to disk before it is reported.

use crate::record::{FailureRecord, ReplayToken};
use crate::Registry;
use mapcheck_harness::{Engine, Entry, Limits, Outcome, Size, Workload};
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

/// One explored cell.
pub struct Cell {
    pub outcome: Outcome,
    /// The failure, already on disk, with its replay token.
    pub record: Option<(FailureRecord, PathBuf)>,
    /// For a cell with no failure, on a structure whose reclamation policy declares no bound (it
    /// never shrinks, or keeps deleted entries): what its footprint retains after the model's
    /// threads ran one after another and the reclamation step ran ([`finding`]).
    pub finding: Option<String>,
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

/// Explores `model` on `entry` with `engine`. A failure is shrunk (for at most `shrink_budget`)
/// and its record written under `dir` before anything is reported.
pub fn run_cell(
    model: &Model,
    entry: &Entry,
    engine: Engine,
    size: Size,
    limits: Limits,
    dir: &Path,
    shrink_budget: Duration,
) -> std::io::Result<Cell> {
    let original = (model.build)(size);
    let outcome = (entry.run)(&original, engine, limits);
    if outcome.failure.is_none() {
        let applicable = (entry.not_applicable)(&engine).is_none();
        return Ok(Cell {
            finding: applicable.then(|| finding(entry, &original)).flatten(),
            outcome,
            record: None,
        });
    }
    let schedules = outcome.schedules;
    let shrunk = (entry.shrink)(&original, engine, limits, outcome.clone(), shrink_budget);
    let record = match &shrunk.outcome.failure {
        Some(f) => {
            let smaller = shrunk.workload != original;
            let record = FailureRecord {
                token: ReplayToken {
                    model: model.name.into(),
                    size,
                    structure: entry.info.name.into(),
                    engine: shrunk.engine,
                    pinned: f.pinned.clone(),
                    workload: smaller.then(|| shrunk.workload.clone()),
                },
                limits,
                workload: shrunk.workload.clone(),
                verdict: f.verdict.clone(),
                history: f.history.clone(),
                schedules,
                shrunk_from: (smaller || shrunk.engine != engine)
                    .then(|| format!("{} under {engine}", mapcheck_harness::shrink::describe(&original))),
            };
            let path = record.write(dir)?;
            Some((record, path))
        }
        None => None,
    };
    Ok(Cell {
        outcome,
        record,
        finding: None,
    })
}

/// What a replay argument named: the original failure (when it came from a record) and the
/// token, workload and limits to run.
pub struct ReplayInput {
    pub original: Option<FailureRecord>,
    pub token: ReplayToken,
    pub workload: Workload,
    pub limits: Limits,
}

/// Reads a replay argument: a failure record's path, or a token printed by a report.
pub fn replay_input(registry: &Registry, arg: &str) -> Result<ReplayInput, String> {
    let path = Path::new(arg);
    if path.exists() {
        let rec = FailureRecord::read(path)?;
        registry
            .get(&rec.token.structure)
            .ok_or_else(|| format!("{}: unknown structure `{}`", path.display(), rec.token.structure))?;
        return Ok(ReplayInput {
            token: rec.token.clone(),
            workload: rec.workload.clone(),
            limits: rec.limits,
            original: Some(rec),
        });
    }
    if !arg.starts_with("mc1-") && (arg.contains('/') || arg.ends_with(".json")) {
        return Err(format!("no such failure record: {arg}"));
    }
    let token = ReplayToken::decode(arg)?;
    // A token carries its workload when it is not a model's own (a shrunk failure, a scenario).
    let workload = match &token.workload {
        Some(w) => w.clone(),
        None => {
            let m = model(&token.model)
                .ok_or_else(|| format!("the token names an unknown model `{}`", token.model))?;
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

/// Runs the pinned schedule of `input` again.
pub fn replay(registry: &Registry, input: &ReplayInput) -> Result<Outcome, String> {
    let entry = registry
        .get(&input.token.structure)
        .ok_or_else(|| format!("the token names an unknown structure `{}`", input.token.structure))?;
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
    let entry = registry.get(&record.token.structure).ok_or_else(|| {
        format!(
            "the record names an unknown structure `{}`",
            record.token.structure
        )
    })?;
    Ok(mapcheck_harness::verdict::judge_with(
        &record.history,
        &entry.info,
        entry.len_is_estimate,
    ))
}

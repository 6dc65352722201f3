//! The fuzz targets' logic: how libFuzzer's bytes decode into a workload, a schedule, a scenario
//! file, a replay token or a failure record, how each is run and judged, and how a crashing input
//! becomes a failure record.
//!
//! The targets in `fuzz_targets/` are one line each around [`ops::check`], [`schedules::check`],
//! [`scenario::check`] and [`replay::check`], so the same functions run under libFuzzer, in the
//! tests and in the `record` example that turns a crash into a `FailureRecord`.
//!
//! Which structures the `ops` and `schedules` targets run is chosen by `MAPCHECK_FUZZ_STRUCTURES`:
//! unset or `correct` (the correct structures: no input may fail), `all`, or a comma-separated list
//! of names (a mutant, to show the fuzzer finds it). The first input byte picks one of them, so
//! libFuzzer explores each.

pub mod draw;
pub mod ops;
pub mod reach;
pub mod registry;
pub mod replay;
pub mod scenario;
pub mod schedules;

use arbitrary::Unstructured;
use mapcheck::FailureRecord;
use mapcheck_harness::{History, Limits, Oracle, Outcome, Verdict, Workload};
use mapcheck_models::Entry;
use registry::Named;
use std::fmt;

/// The environment variable that selects the structures.
pub const STRUCTURES_VAR: &str = "MAPCHECK_FUZZ_STRUCTURES";

/// The structures a selection names among the registry's: `correct` (every structure not expected
/// to fail), `all`, or comma-separated structure names.
pub fn selection(spec: &str) -> Result<Vec<Entry>, String> {
    select(spec, mapcheck_models::structures())
}

/// The items of `all` a selection names (see [`selection`]).
pub fn select<T: Named + Copy>(spec: &str, all: Vec<T>) -> Result<Vec<T>, String> {
    match spec.trim() {
        "" | "correct" => Ok(all.into_iter().filter(|e| !e.info().expected_to_fail()).collect()),
        "all" => Ok(all),
        names => names
            .split(',')
            .map(|n| {
                let n = n.trim();
                all.iter().find(|e| e.info().name == n).copied().ok_or_else(|| {
                    let known: Vec<&str> = all.iter().map(|e| e.info().name).collect();
                    format!(
                        "{STRUCTURES_VAR}: unknown structure `{n}`; expected `correct`, `all` or names from: {}",
                        known.join(", ")
                    )
                })
            })
            .collect(),
    }
}

/// The items of `all` selected by [`STRUCTURES_VAR`]. A bad selection stops the process with a
/// clear message (a fuzz target has no other way to refuse its configuration).
fn selected<T: Named + Copy>(all: Vec<T>) -> Vec<T> {
    let spec = std::env::var(STRUCTURES_VAR).unwrap_or_default();
    select(&spec, all).unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(2)
    })
}

/// What a shuttle run of an input of `target` on `structure` did.
fn checked(target: &'static str, structure: &'static str, workload: &Workload, outcome: Outcome) -> Checked {
    match (outcome.failure, outcome.verdict) {
        (Some(failure), _) => Checked::Found(Box::new(Found {
            target,
            structure,
            verdict: failure.verdict,
            workload: workload.clone(),
            history: failure.history,
        })),
        (None, Verdict::Unknown { reason }) => Checked::Unknown(reason),
        (None, _) => Checked::Pass,
    }
}

/// What one fuzz input did.
#[derive(Debug)]
pub enum Checked {
    /// Judged, and nothing failed (or the input was too short to decode).
    Pass,
    /// Run, but without a verdict (a malformed history, a search budget spent): nothing is known
    /// to be wrong, and nothing is known to be right. The reason says which.
    Unknown(String),
    /// A failure.
    Found(Box<Found>),
}

impl Checked {
    /// The failure, if the input made one.
    pub fn found(self) -> Option<Box<Found>> {
        match self {
            Checked::Found(f) => Some(f),
            _ => None,
        }
    }

    pub fn is_found(&self) -> bool {
        matches!(self, Checked::Found(_))
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Checked::Unknown(_))
    }
}

/// The environment variable naming the folder where inputs without a verdict are kept, one file per
/// distinct input (named by its hash) under a folder per target. `cargo xtask fuzz` sets it to
/// `target/mapcheck/fuzz/unknown`; unset, such inputs are only reported on stderr.
pub const UNKNOWN_DIR_VAR: &str = "MAPCHECK_FUZZ_UNKNOWN_DIR";

/// What a fuzz target does with an input's result: a failure panics with its report (libFuzzer's
/// crash); an input without a verdict is no crash, but it is kept and reported (see
/// [`UNKNOWN_DIR_VAR`]) so that it is never counted as a pass.
pub fn conclude(target: &str, data: &[u8], checked: Checked) {
    match checked {
        Checked::Pass => {}
        Checked::Unknown(reason) => keep_unknown(target, data, &reason),
        Checked::Found(found) => panic!("{found}"),
    }
}

/// Keeps an input that had no verdict: written once to `$MAPCHECK_FUZZ_UNKNOWN_DIR/<target>/<hash>`
/// and reported on stderr the first time it is seen.
pub fn keep_unknown(target: &str, data: &[u8], reason: &str) {
    let name = format!("{:016x}", fnv1a(data));
    let Some(dir) = std::env::var_os(UNKNOWN_DIR_VAR) else {
        eprintln!("mapcheck fuzz `{target}`: input {name} had no verdict: {reason}");
        return;
    };
    let dir = std::path::Path::new(&dir).join(target);
    let path = dir.join(&name);
    if path.exists() {
        return;
    }
    let written = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, data));
    match written {
        Ok(()) => eprintln!(
            "mapcheck fuzz `{target}`: no verdict for input {name}, kept at {}: {reason}",
            path.display()
        ),
        Err(e) => eprintln!(
            "mapcheck fuzz `{target}`: no verdict for input {name} ({reason}); it could not be kept at {}: {e}",
            path.display()
        ),
    }
}

/// FNV-1a, 64 bits: names a kept input by its content.
pub fn fnv1a(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// What a fuzz input made fail: the structure, the oracle, and the run.
#[derive(Debug, Clone)]
pub struct Found {
    pub target: &'static str,
    pub structure: &'static str,
    pub verdict: Verdict,
    pub workload: Workload,
    pub history: History,
}

impl Found {
    /// The oracle that fired.
    pub fn oracle(&self) -> Option<Oracle> {
        match &self.verdict {
            Verdict::Fail(f) => Some(f.oracle),
            _ => None,
        }
    }
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.verdict {
            Verdict::Fail(fail) => writeln!(
                f,
                "mapcheck fuzz `{}`: structure `{}` failed the {} oracle: {}",
                self.target, self.structure, fail.oracle, fail.summary
            )?,
            v => writeln!(
                f,
                "mapcheck fuzz `{}`: structure `{}`: {v:?}",
                self.target, self.structure
            )?,
        }
        let w = serde_json::to_string(&self.workload).unwrap_or_default();
        write!(
            f,
            "workload: {w}\nits failure record: cargo run -p mapcheck-fuzz --example record -- {} CRASH-FILE RECORD.json",
            self.target
        )
    }
}

/// Initial entries as the decoders read them: reduced like [`draw::reduce`], at most `max`, a key seen
/// again dropped.
fn reduce_initial(initial: &[(u64, u64)], max: usize, keys: u8) -> Vec<(u64, u64)> {
    let mut out: Vec<(u64, u64)> = Vec::new();
    for &(k, v) in initial.iter().take(max) {
        let k = k % u64::from(keys);
        if out.iter().all(|(o, _)| *o != k) {
            out.push((k, v % (1 << 16)));
        }
    }
    out
}

/// Up to `max` initial entries with distinct keys below `keys`.
fn initial(u: &mut Unstructured, max: usize, keys: u8) -> arbitrary::Result<Vec<(u64, u64)>> {
    let mut out = Vec::new();
    initial_into(u, max, keys, &mut out)?;
    Ok(out)
}

/// [`initial`] into `out`, cleared first.
fn initial_into(
    u: &mut Unstructured,
    max: usize,
    keys: u8,
    out: &mut Vec<(u64, u64)>,
) -> arbitrary::Result<()> {
    out.clear();
    let n = u.int_in_range(0..=max)?;
    for _ in 0..n {
        let key = u64::from(u.arbitrary::<u8>()? % keys);
        let value = u64::from(u.arbitrary::<u16>()?);
        if out.iter().all(|(k, _)| *k != key) {
            out.push((key, value));
        }
    }
    Ok(())
}

/// The structure the input's first byte picks among `entries`.
fn pick<T: Copy>(u: &mut Unstructured, entries: &[T]) -> arbitrary::Result<T> {
    if entries.is_empty() {
        return Err(arbitrary::Error::NotEnoughData);
    }
    let b: u8 = u.arbitrary()?;
    Ok(entries[usize::from(b) % entries.len()])
}

/// A failing input's record, with the fuzz target as its model name, so that
/// `cargo xtask scenario import` turns it into a scenario with its schedule pinned.
fn record(
    target: &str,
    entry: &impl Named,
    workload: &Workload,
    outcome: mapcheck_harness::Outcome,
) -> Option<FailureRecord> {
    let failure = outcome.failure?;
    let token = mapcheck::ReplayToken {
        oracle: None,
        model: format!("fuzz-{target}"),
        size: mapcheck_scenario::run::size_of(workload),
        structure: entry.info().name.to_string(),
        engine: RECORD_ENGINE,
        pinned: failure.pinned.clone(),
        workload: Some(workload.clone()),
    };
    Some(FailureRecord::of(
        token,
        record_limits(),
        workload.clone(),
        &failure,
        outcome.schedules,
        None,
    ))
}

/// The engine a record names: shuttle with a pinned schedule (the seed plays no part in a replay).
const RECORD_ENGINE: mapcheck_harness::Engine = mapcheck_harness::Engine::ShuttleRandom { seed: 0 };

fn record_limits() -> Limits {
    Limits {
        max_schedules: 1,
        budget: std::time::Duration::from_secs(10),
        max_steps: 20_000,
        ..Limits::default()
    }
}

/// Turns a crashing input of `target` (`ops` or `schedules`) into a failure record, decoding it as
/// the target does with the structures `entries`. `Ok(None)` when the input does not fail.
pub fn to_record(target: &str, data: &[u8], entries: &[Entry]) -> Result<Option<FailureRecord>, String> {
    match target {
        "ops" => Ok(ops::to_record(data, entries)),
        "schedules" => Ok(schedules::to_record(data, entries)),
        "scenario" => Err(
            "the `scenario` target has no structure to record: its crash is a parser panic; \
                           keep the input as the artifact"
                .into(),
        ),
        t => Err(format!(
            "unknown fuzz target `{t}`; expected ops, schedules or scenario"
        )),
    }
}

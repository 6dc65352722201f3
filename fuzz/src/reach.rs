//! Which of the registry's mutants each fuzz target can reach, found by trying rather than listed by
//! hand: a mutant's own models (the workloads the registry names as built to catch it, at every
//! engine size), cut to what the target's inputs can express, run as the target runs them; then the
//! target's checked-in seeds and a fixed set of generated inputs.
//!
//! - `ops` runs the projected workload single-threaded on real threads' primitives, as the target
//!   does (a structure with threads of its own under shuttle without preemption, so every run of a
//!   workload is the same run), under a watchdog: a run that does not finish (a deadlock) is one
//!   the target would hang on, not report.
//! - `schedules` explores the projected workload under shuttle's random and PCT schedulers: the
//!   target's scheduler can make every choice they make.
//!
//! A mutant reached this way is one the fuzzer must find; one not reached is reported with the
//! reason, and not fuzzed. "Not reached" means none of these inputs fails, not a proof that no
//! input could.

use crate::{ops, schedules};
use mapcheck_harness::{Engine, Limits, Oracle, Size, Verdict, Workload};
use mapcheck_models::patterns::model;
use mapcheck_models::Entry;
use std::time::Duration;

/// The targets that run structures.
pub const TARGETS: &[&str] = &["ops", "schedules"];

/// Whether a target reaches a mutant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// An input of the target (`by` says which: a projection of a model, a seed, a generated one)
    /// fails the `oracle`.
    Reaches { by: String, oracle: Oracle },
    /// Why no projection failed.
    Not(String),
}

/// The mutants of the registry (the built-in structures with a planted hazard).
pub fn mutants() -> Vec<Entry> {
    mapcheck_models::structures()
        .into_iter()
        .filter(|e| e.info.mutant.is_some())
        .collect()
}

/// The workloads of `entry`'s models at every engine size (every model when it names none).
fn workloads(entry: &Entry) -> Vec<(&'static str, Workload)> {
    let models: Vec<_> = if entry.targets.is_empty() {
        mapcheck_models::patterns::MODELS.to_vec()
    } else {
        entry.targets.iter().filter_map(|m| model(m).copied()).collect()
    };
    let mut out = Vec::new();
    for m in models {
        for size in [Size::LOOM, Size::SHUTTLE, Size::THREADS] {
            out.push((m.name, (m.build)(size)));
        }
    }
    out
}

/// Whether `target` (`ops` or `schedules`) reaches `entry`.
pub fn reach(target: &str, entry: &Entry) -> Result<Reach, String> {
    match target {
        "ops" => Ok(reach_ops(entry)),
        "schedules" => Ok(reach_schedules(entry)),
        t => Err(format!(
            "the `{t}` target runs no structure; expected one of {TARGETS:?}"
        )),
    }
}

/// Inputs tried after the models: the target's checked-in seeds, then this many generated ones.
const GENERATED: usize = 2_000;

/// The target's checked-in seed inputs, then [`GENERATED`] byte strings from a fixed seed, each
/// named for the report.
fn inputs(target: &str, max_len: usize) -> Vec<(String, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .filter_map(|f| {
            let path = f.ok()?.path();
            let data = std::fs::read(&path).ok()?;
            Some((format!("seed input {}", path.display()), data))
        })
        .collect();
    out.sort();
    let mut state = 0x5eed;
    for i in 0..GENERATED {
        let len = 8 + mapcheck_harness::engine::splitmix(&mut state) as usize % max_len;
        let data = (0..len)
            .map(|_| mapcheck_harness::engine::splitmix(&mut state) as u8)
            .collect();
        out.push((format!("generated input {i}"), data));
    }
    out
}

/// How long one single-threaded run may take before it counts as hung.
const OPS_HANG: Duration = Duration::from_secs(10);

/// One thing the `ops` probe runs.
enum Probe {
    Model(&'static str, Workload),
    Input(String, Vec<u8>),
}

fn reach_ops(entry: &Entry) -> Reach {
    let mut probes: Vec<Probe> = Vec::new();
    for (name, w) in workloads(entry) {
        let w = ops::project(&w);
        probes.push(Probe::Model(name, w));
    }
    probes.extend(inputs("ops", 400).into_iter().map(|(n, d)| Probe::Input(n, d)));
    // The runs get their own thread so that a hang can be seen; a hung thread is left behind.
    let (tx, rx) = std::sync::mpsc::channel();
    let e = *entry;
    std::thread::spawn(move || {
        for p in probes {
            let (what, checked) = match p {
                Probe::Model(name, w) => {
                    let what = format!("its model `{name}`");
                    let _ = tx.send((what.clone(), None));
                    (what, ops::check_workload(&e, &w))
                }
                Probe::Input(name, data) => {
                    let _ = tx.send((name.clone(), None));
                    (name, ops::check_with(&data, &[e]))
                }
            };
            let found = checked.found().and_then(|f| f.oracle());
            if found.is_some() {
                let _ = tx.send((what, found));
                return;
            }
        }
    });
    // Each probe announces itself before it runs, so a silence names the run that hung.
    let mut running = String::new();
    loop {
        match rx.recv_timeout(OPS_HANG) {
            Ok((what, Some(oracle))) => return Reach::Reaches { by: what, oracle },
            Ok((what, None)) => running = what,
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                return Reach::Not(format!(
                    "{running}, run single-threaded, did not finish within {OPS_HANG:?} (a \
                     deadlock): on real threads the ops target would hang on it, not report it"
                ))
            }
        }
    }
    Reach::Not(format!(
        "neither its models ({}), run single-threaded as the ops target runs them, nor the target's \
         seeds and {GENERATED} generated inputs fail: the planted bug needs an interleaving",
        names(entry)
    ))
}

/// Schedules per scheduler when exploring a projected workload.
const SCHEDULES: usize = 2_000;

fn reach_schedules(entry: &Entry) -> Reach {
    let limits = Limits {
        max_schedules: SCHEDULES,
        budget: Duration::from_secs(10),
        max_steps: 20_000,
        ..Limits::default()
    };
    for (name, w) in workloads(entry) {
        let Some(w) = schedules::project(&w) else {
            continue;
        };
        for engine in [
            Engine::ShuttleRandom { seed: 1 },
            Engine::ShuttlePct { seed: 1, depth: 2 },
            Engine::ShuttlePct { seed: 1, depth: 3 },
        ] {
            if let Verdict::Fail(f) = (entry.run)(&w, engine, limits).verdict {
                return Reach::Reaches {
                    by: format!("its model `{name}` under {engine}"),
                    oracle: f.oracle,
                };
            }
        }
    }
    for (name, data) in inputs("schedules", 64) {
        if let Some(oracle) = schedules::check_with(&data, &[*entry])
            .found()
            .and_then(|f| f.oracle())
        {
            return Reach::Reaches { by: name, oracle };
        }
    }
    Reach::Not(format!(
        "neither its models ({}), cut to the schedules target's bounds (2-3 threads of at most 4 \
         operations, keys below {}) and explored for {SCHEDULES} schedules of shuttle random and PCT, \
         nor the target's seeds and {GENERATED} generated inputs fail: the planted bug needs more than \
         these bounds",
        names(entry),
        schedules::KEYS
    ))
}

fn names(entry: &Entry) -> String {
    if entry.targets.is_empty() {
        "every model".into()
    } else {
        entry.targets.join(", ")
    }
}

//! Verdicts: pass, a failure naming the oracle that fired with its evidence, or unknown.

use crate::history::History;
use crate::lincheck::{self, LinOptions, LinVerdict, Partition};
use crate::oracle;
use crate::structure::{IterationGuarantee, Key, StructureInfo};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The oracle that judged a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Oracle {
    Linearizability,
    /// A thread panicked (Go's "concurrent map writes" detector is one such panic).
    Panic,
    Deadlock,
    /// The runtime's race checker saw unsynchronised conflicting accesses (loom).
    DataRace,
    /// A run exceeded its step bound: a runaway or livelocked loop.
    StepBound,
    /// A completed delete undone: the key seen again with no insert to explain it.
    LostDelete,
    /// A completed insert undone: the key seen without it and no write to explain it.
    LostInsert,
    /// One inserted value taken out twice.
    ExactlyOnceDelete,
    /// An iteration broke its declared guarantee.
    Iteration,
    /// The footprint after the reclamation step is outside the declared policy.
    Reclamation,
    /// Bytes or threads the structure did not give back after it was dropped.
    Leak,
}

impl fmt::Display for Oracle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Oracle::Linearizability => "linearizability",
            Oracle::Panic => "panic",
            Oracle::Deadlock => "deadlock",
            Oracle::DataRace => "data-race",
            Oracle::StepBound => "step-bound",
            Oracle::LostDelete => "lost-delete",
            Oracle::LostInsert => "lost-insert",
            Oracle::ExactlyOnceDelete => "exactly-once-delete",
            Oracle::Iteration => "iteration",
            Oracle::Reclamation => "reclamation",
            Oracle::Leak => "leak",
        };
        f.write_str(s)
    }
}

/// A failed run: the oracle, one line of evidence, and the event ids it names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub oracle: Oracle,
    pub summary: String,
    pub evidence: Vec<usize>,
    /// For a linearizability failure: how far the checker got ordering the operations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linearization: Option<Linearization>,
}

/// The longest linearizable prefix the linearizability search found, as porcupine's visualisation
/// shows it: the operations it could order, in order, and those it was stuck on after them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Linearization {
    /// The key whose operations were searched, or `None` for the whole history.
    pub key: Option<Key>,
    /// Event ids of the operations in the longest prefix, in the order they were linearized.
    pub prefix: Vec<usize>,
    /// Event ids that could not come next: first the completed operation that had to, then the other
    /// candidates that were tried.
    pub stuck: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "kebab-case")]
pub enum Verdict {
    Pass,
    Fail(Failure),
    /// No verdict within the bounds (a search budget ran out); never reported as a pass.
    Unknown {
        reason: String,
    },
    /// The engine cannot run the structure at all (an unsynchronised structure on real threads, a
    /// third-party crate under loom or shuttle): nothing was run, nothing is claimed.
    NotApplicable {
        reason: String,
    },
}

impl Verdict {
    pub fn is_fail(&self) -> bool {
        matches!(self, Verdict::Fail(_))
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Verdict::Unknown { .. })
    }

    pub fn is_not_applicable(&self) -> bool {
        matches!(self, Verdict::NotApplicable { .. })
    }
}

/// Classifies a panic message from a run into the oracle it belongs to.
pub fn classify_panic(message: &str) -> Failure {
    let oracle = if message.contains("deadlock") {
        Oracle::Deadlock
    } else if message.contains("Causality violation") {
        Oracle::DataRace
    } else if message.contains("max_steps") || message.contains("maximum number of branches") {
        Oracle::StepBound
    } else {
        Oracle::Panic
    };
    let first = message.lines().next().unwrap_or("").trim();
    Failure {
        oracle,
        summary: first.chars().take(300).collect(),
        evidence: Vec::new(),
        linearization: None,
    }
}

/// Judges one completed run (no panic) of a structure: the specific oracles first (lost delete,
/// lost insert, exactly-once delete, iteration), then linearizability, then the live entries at
/// quiescence against the history, then reclamation at quiescence, then leaks after drop.
pub fn judge(history: &History, info: &StructureInfo) -> Verdict {
    judge_with(history, info, false)
}

/// [`judge`], for a structure whose `len` may be only an estimate (`len_is_estimate`: its results
/// are then not judged; see `Structure::LEN_IS_ESTIMATE`).
pub fn judge_with(history: &History, info: &StructureInfo, len_is_estimate: bool) -> Verdict {
    judge_limited(history, info, len_is_estimate, LinOptions::default().max_steps)
}

/// [`judge_with`], with the linearizability search allowed `lin_steps` steps per partition.
pub fn judge_limited(
    history: &History,
    info: &StructureInfo,
    len_is_estimate: bool,
    lin_steps: u64,
) -> Verdict {
    // The operation oracles need a well-formed history; the reclamation and leak oracles judge the
    // footprint and the allocations, which do not depend on it, so they run whatever the others say.
    let operations = match history.validate() {
        Err(e) => Verdict::Unknown {
            reason: e.to_string(),
        },
        Ok(()) => judge_operations(history, info, len_is_estimate, lin_steps),
    };
    if operations.is_fail() {
        return operations;
    }
    let reclamation = history.quiescence.as_ref().and_then(|q| {
        oracle::reclamation::check(q, info.reclamation, oracle::reclamation::keys_inserted(history))
    });
    match reclamation.or_else(|| history.leaks.as_ref().and_then(oracle::leak::check)) {
        Some(f) => Verdict::Fail(f),
        None => operations,
    }
}

/// The oracles on the operations of a validated history: the specific ones first, then
/// linearizability.
fn judge_operations(
    history: &History,
    info: &StructureInfo,
    len_is_estimate: bool,
    lin_steps: u64,
) -> Verdict {
    let specific = [
        oracle::lost_delete::check,
        oracle::lost_delete::check_lost_insert,
        oracle::exactly_once::check,
    ];
    let specific = specific.iter().find_map(|check| check(history));
    if let Some(f) = specific.or_else(|| oracle::iteration::check(history, info.iteration)) {
        return Verdict::Fail(f);
    }
    if !info.atomic_whole_map && !len_is_estimate {
        if let Some(f) = oracle::iteration::check_len(history) {
            return Verdict::Fail(f);
        }
    }
    let lin = linearizability_of(history, info, true, lin_steps);
    if lin.is_fail() {
        return lin;
    }
    // What the structure holds at quiescence, counted against the history (a write lost where no
    // read saw it); it needs no search, so it runs when linearizability is unknown too.
    if let Some(q) = history.quiescence.as_ref().filter(|_| !len_is_estimate) {
        if let Some(f) = oracle::reclamation::check_live(history, q) {
            return Verdict::Fail(f);
        }
    }
    lin
}

/// The reclamation finding of a run, for a structure whose policy declares no bound (it never
/// shrinks, or it keeps deleted entries): the figures of its footprint after the reclamation step.
/// A finding is not a failure: [`judge`] passes such a run, and the caller reports the finding
/// beside the verdict.
pub fn finding(history: &History, info: &StructureInfo) -> Option<String> {
    let q = history.quiescence.as_ref()?;
    oracle::reclamation::finding(q, info.reclamation)
}

/// The linearizability oracle alone.
pub fn linearizability(history: &History, info: &StructureInfo) -> Verdict {
    linearizability_of(history, info, false, LinOptions::default().max_steps)
}

/// The linearizability oracle; `validated` when the caller has validated the history already.
fn linearizability_of(history: &History, info: &StructureInfo, validated: bool, max_steps: u64) -> Verdict {
    let opts = LinOptions {
        snapshot_iteration: info.iteration == IterationGuarantee::Snapshot,
        atomic_whole_map: info.atomic_whole_map,
        max_steps,
    };
    let checked = if validated {
        Ok(lincheck::check_valid(history, opts))
    } else {
        lincheck::check(history, opts)
    };
    match checked {
        Err(e) => Verdict::Unknown {
            reason: e.to_string(),
        },
        Ok(LinVerdict::Ok) => Verdict::Pass,
        Ok(LinVerdict::Unknown { steps }) => Verdict::Unknown {
            reason: format!("linearizability search budget exhausted after {steps} steps"),
        },
        Ok(LinVerdict::Violation(v)) => {
            let describe = |id: &usize| {
                let e = &history.events[*id];
                let ret = e.ret.as_ref().map(|r| r.to_string()).unwrap_or("pending".into());
                format!("T{} {} -> {}", e.thread, e.op, ret)
            };
            let key = match v.partition {
                Partition::Key(k) => Some(k),
                Partition::Whole => None,
            };
            let what = match key {
                Some(k) => format!("key {k}"),
                None => "the whole map".into(),
            };
            let named = if v.witness.is_empty() {
                &v.stuck
            } else {
                &v.witness
            };
            let ops: Vec<String> = named.iter().take(6).map(describe).collect();
            Verdict::Fail(Failure {
                oracle: Oracle::Linearizability,
                summary: format!(
                    "no sequential order of the operations on {what} explains their results; \
                     these {} cannot be ordered: [{}]",
                    named.len(),
                    ops.join("; ")
                ),
                evidence: named.clone(),
                linearization: Some(Linearization {
                    key,
                    prefix: v.longest_prefix,
                    stuck: v.stuck,
                }),
            })
        }
    }
}

//! Verdicts: pass, a failure naming the oracle that fired with its evidence, or unknown.

pub use crate::failure::{Failure, Linearization, Oracle};
use crate::history::{History, Leaks, Quiescence};
use crate::lincheck::{self, LinOptions, LinVerdict, Partition};
use crate::oracle;
use crate::structure::{IterationGuarantee, StructureInfo};
use crate::witness::Witness;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};

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
    match footprint_of(history, info) {
        Some(f) => Verdict::Fail(f),
        None => operations,
    }
}

/// [`judge_footprint`] on a history's quiescence and leaks.
fn footprint_of(history: &History, info: &StructureInfo) -> Option<Failure> {
    let keys_inserted = oracle::reclamation::keys_inserted(history);
    judge_footprint(
        history.quiescence.as_ref(),
        history.leaks.as_ref(),
        info,
        keys_inserted,
    )
}

/// The footprint oracles alone: reclamation at quiescence, then leaks after drop; `keys_inserted` is
/// the number of distinct keys the run put in the map ([`oracle::reclamation::keys_inserted`]). They
/// judge what the structure held, not what its operations returned, so they run on every run.
pub fn judge_footprint(
    quiescence: Option<&Quiescence>,
    leaks: Option<&Leaks>,
    info: &StructureInfo,
    keys_inserted: usize,
) -> Option<Failure> {
    quiescence
        .and_then(|q| oracle::reclamation::check(q, info.reclamation, keys_inserted))
        .or_else(|| leaks.and_then(oracle::leak::check))
}

/// How the engines judge their runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Judging {
    /// A run with a witness (an order of its operations the atomic sequential map accepts; see
    /// [`crate::witness`]) that also passes the oracles a witness does not imply (see
    /// [`passes_beyond_witness`]) cannot fail an operation oracle, so only the footprint oracles
    /// judge it; every other run is judged by every oracle. The default: the same verdicts as
    /// `Full`, except that a run with a witness passes where a linearizability search cut short by
    /// its step budget would leave it unknown (the witness is a linearization).
    Witness,
    /// Every run by every oracle.
    Full,
    /// Both, and a run on which they disagree panics: for the tests that show the witness loses
    /// nothing.
    CrossCheck,
}

static JUDGING: AtomicU8 = AtomicU8::new(0);

static DISAGREEMENTS: AtomicUsize = AtomicUsize::new(0);

/// Runs on which the cheap judgement and the full oracles disagreed under [`Judging::CrossCheck`]
/// in this process (each also panics, which inside a model checker fails that exploration).
pub fn disagreements() -> usize {
    DISAGREEMENTS.load(Ordering::Relaxed)
}

/// Under [`Judging::CrossCheck`]: counts and reports a run whose cheap verdict `fast` is not the
/// full oracles' `full`.
pub fn cross_checked(fast: &Verdict, full: &Verdict, what: &dyn fmt::Debug) {
    if fast != full {
        DISAGREEMENTS.fetch_add(1, Ordering::Relaxed);
        panic!(
            "mapcheck: the cheap judgement ({fast:?}) and the full oracles ({full:?}) disagree on {what:?}"
        );
    }
}

/// Sets how every engine of this process judges its runs (tests and benchmarks compare the modes).
pub fn set_judging(judging: Judging) {
    let n = match judging {
        Judging::Witness => 0,
        Judging::Full => 1,
        Judging::CrossCheck => 2,
    };
    JUDGING.store(n, Ordering::Relaxed);
}

/// How the engines of this process judge their runs.
pub fn judging() -> Judging {
    match JUDGING.load(Ordering::Relaxed) {
        0 => Judging::Witness,
        1 => Judging::Full,
        _ => Judging::CrossCheck,
    }
}

/// [`judge_limited`], judged as `judging` says, with `witness`'s buffers.
///
/// The cheap judgement of [`Judging::Witness`] applies only to a run that [`passes_beyond_witness`]:
/// it has a witness, and the operation oracles a witness does not imply pass too. Such a run is
/// judged by the footprint oracles alone; every other run by every oracle.
pub fn judge_judging(
    history: &History,
    info: &StructureInfo,
    len_is_estimate: bool,
    lin_steps: u64,
    judging: Judging,
    witness: &mut Witness,
) -> Verdict {
    let full = || judge_limited(history, info, len_is_estimate, lin_steps);
    let cheap = |witness: &mut Witness| {
        (witness.exists(history) && passes_beyond_witness(history, info, len_is_estimate))
            .then(|| footprint_of(history, info).map_or(Verdict::Pass, Verdict::Fail))
    };
    match judging {
        Judging::Full => full(),
        Judging::Witness => cheap(witness).unwrap_or_else(full),
        Judging::CrossCheck => {
            let verdict = full();
            if let Some(fast) = cheap(witness) {
                cross_checked(&fast, &verdict, history);
            }
            verdict
        }
    }
}

/// Whether the operation oracles that a witness (a snapshot-style linearization with atomic len and
/// clear; see [`crate::witness`]) does not imply pass on `history`: the per-visit iteration rules
/// of the structure's declared guarantee (a witness places a whole iteration at one point, where the
/// rules judge each yielded entry within its own visit's window), and the live entries at
/// quiescence counted against the history (the witness knows nothing of the footprint), which the
/// full judgement skips for a structure whose `len` is an estimate.
pub fn passes_beyond_witness(history: &History, info: &StructureInfo, len_is_estimate: bool) -> bool {
    oracle::iteration::check(history, info.iteration).is_none()
        && (len_is_estimate
            || history
                .quiescence
                .as_ref()
                .is_none_or(|q| oracle::reclamation::check_live(history, q).is_none()))
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
            // The operation that cannot take effect: the one that had to come next after the
            // longest sequence the search could order. Then the smallest set that cannot be ordered
            // (see `lincheck::witness`), when the partition was small enough to minimise.
            let culprit = v.stuck.first().copied();
            let mut named: Vec<usize> = if v.witness.is_empty() {
                v.stuck.iter().take(6).copied().collect()
            } else {
                v.witness.clone()
            };
            if let Some(c) = culprit {
                if !named.contains(&c) {
                    named.insert(0, c);
                }
            }
            let listed: Vec<String> = named.iter().take(6).map(describe).collect();
            let more = named.len().saturating_sub(listed.len());
            let list = format!(
                "[{}{}]",
                listed.join("; "),
                if more > 0 {
                    format!("; and {more} more")
                } else {
                    String::new()
                }
            );
            let stuck_part = match culprit {
                Some(c) => format!(
                    "{} cannot take effect after the {} operation(s) ordered before it",
                    describe(&c),
                    v.longest_prefix.len()
                ),
                None => "no operation can be ordered first".into(),
            };
            let set_part = if v.witness.is_empty() {
                format!("the candidates tried next: {list}")
            } else {
                format!("the smallest set that cannot be ordered: {list}")
            };
            Verdict::Fail(Failure {
                oracle: Oracle::Linearizability,
                summary: format!(
                    "no sequential order of the operations on {what} explains their results: {stuck_part}; \
                     {set_part}"
                ),
                evidence: named,
                linearization: Some(Linearization {
                    key,
                    prefix: v.longest_prefix,
                    stuck: v.stuck,
                }),
            })
        }
    }
}

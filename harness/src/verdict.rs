//! Verdicts: pass, a failure naming the oracle that fired with its evidence, or unknown.

pub use crate::failure::{Failure, Linearization, Oracle};
use crate::history::{History, Leaks, Quiescence};
use crate::lincheck::{self, LinOptions, LinVerdict, Partition};
use crate::oracle;
use crate::structure::{Claims, IterationGuarantee, StructureInfo};
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

/// A behaviour a structure declares known ([`Known`](crate::structure::Known)), as an exploration
/// saw it: reported beside the verdict, never as a failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub oracle: Oracle,
    /// The declaration's reason.
    pub declared: String,
    /// Runs in which the oracle fired.
    pub runs: usize,
    /// What it said the first time.
    pub first: String,
}

impl Finding {
    /// Adds one run's `noted` failures (of the oracles `claims` declares known) to `findings`.
    pub fn tally(findings: &mut Vec<Finding>, noted: &[Failure], claims: &Claims) {
        let mut oracles: Vec<Oracle> = noted.iter().map(|f| f.oracle).collect();
        oracles.sort();
        oracles.dedup();
        for oracle in oracles {
            match findings.iter_mut().find(|f| f.oracle == oracle) {
                Some(f) => f.runs += 1,
                None => {
                    let first = noted.iter().find(|f| f.oracle == oracle).expect("noted");
                    findings.push(Finding {
                        oracle,
                        declared: claims.known(oracle).map_or("", |k| k.why).to_string(),
                        runs: 1,
                        first: first.summary.clone(),
                    });
                }
            }
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "known {} (declared: {}): in {} run(s); the first: {}",
            self.oracle, self.declared, self.runs, self.first
        )
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
///
/// `claims` is what the structure declares: a [`StructureInfo`] alone, or [`Claims`] with whether
/// its `len` is judged and the behaviours it declares known (whose oracles do not fail the run:
/// see [`judge_noting`]).
pub fn judge(history: &History, claims: impl Into<Claims>) -> Verdict {
    judge_limited(history, &claims.into(), LinOptions::default().max_steps)
}

/// [`judge`], with the linearizability search allowed `lin_steps` steps per partition.
pub fn judge_limited(history: &History, claims: &Claims, lin_steps: u64) -> Verdict {
    judge_noting(history, claims, lin_steps, &mut Vec::new())
}

/// [`judge_limited`], with the failures of the oracles `claims` declares known pushed on `noted`
/// rather than failing the run: every other oracle still judges it.
pub fn judge_noting(history: &History, claims: &Claims, lin_steps: u64, noted: &mut Vec<Failure>) -> Verdict {
    // The operation oracles need a well-formed history; the reclamation and leak oracles judge the
    // footprint and the allocations, which do not depend on it, so they run whatever the others say.
    let operations = match history.validate() {
        Err(e) => Verdict::Unknown {
            reason: e.to_string(),
        },
        Ok(()) => judge_operations(history, claims, lin_steps, noted),
    };
    if operations.is_fail() {
        return operations;
    }
    match footprint_of(history, claims, noted) {
        Some(f) => Verdict::Fail(f),
        None => operations,
    }
}

/// `found`, unless `claims` declares its oracle known: then it is pushed on `noted` and the run
/// goes on being judged.
fn sift(found: Option<Failure>, claims: &Claims, noted: &mut Vec<Failure>) -> Option<Failure> {
    let f = found?;
    if claims.known(f.oracle).is_some() {
        noted.push(f);
        return None;
    }
    Some(f)
}

/// [`judge_footprint`] on a history's quiescence and leaks.
fn footprint_of(history: &History, claims: &Claims, noted: &mut Vec<Failure>) -> Option<Failure> {
    let keys_inserted = oracle::reclamation::keys_inserted(history);
    // A count of live entries read from a `len` that is not judged says nothing; the history's own
    // count stands in for it, so that the reclamation bounds are not judged on a lagging count.
    let live = (!claims.len_judged).then(|| oracle::reclamation::live_bounds(history).1);
    let quiescence = history.quiescence.map(|mut q| {
        if let Some(live) = live {
            q.at_end.live = q.at_end.live.max(live);
            q.after_reclaim.live = q.after_reclaim.live.max(live);
        }
        q
    });
    judge_footprint(
        quiescence.as_ref(),
        history.leaks.as_ref(),
        claims,
        keys_inserted,
        noted,
    )
}

/// The footprint oracles alone: reclamation at quiescence, then leaks after drop; `keys_inserted` is
/// the number of distinct keys the run put in the map ([`oracle::reclamation::keys_inserted`]). They
/// judge what the structure held, not what its operations returned, so they run on every run. The
/// failures of an oracle `claims` declares known are pushed on `noted`.
pub fn judge_footprint(
    quiescence: Option<&Quiescence>,
    leaks: Option<&Leaks>,
    claims: &Claims,
    keys_inserted: usize,
    noted: &mut Vec<Failure>,
) -> Option<Failure> {
    let reclamation =
        quiescence.and_then(|q| oracle::reclamation::check(q, claims.info.reclamation, keys_inserted));
    sift(reclamation, claims, noted).or_else(|| {
        sift(
            leaks.and_then(|l| oracle::leak::check(l, &claims.settle)),
            claims,
            noted,
        )
    })
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

/// [`judge_noting`], judged as `judging` says, with `witness`'s buffers.
///
/// The cheap judgement of [`Judging::Witness`] applies only to a run that [`passes_beyond_witness`]:
/// it has a witness, and the operation oracles a witness does not imply pass too. Such a run is
/// judged by the footprint oracles alone; every other run by every oracle.
pub fn judge_judging(
    history: &History,
    claims: &Claims,
    lin_steps: u64,
    judging: Judging,
    witness: &mut Witness,
    noted: &mut Vec<Failure>,
) -> Verdict {
    let full = |noted: &mut Vec<Failure>| judge_noting(history, claims, lin_steps, noted);
    let cheap = |witness: &mut Witness, noted: &mut Vec<Failure>| {
        (witness.exists(history) && passes_beyond_witness(history, claims))
            .then(|| footprint_of(history, claims, noted).map_or(Verdict::Pass, Verdict::Fail))
    };
    match judging {
        Judging::Full => full(noted),
        Judging::Witness => match cheap(witness, noted) {
            Some(v) => v,
            None => full(noted),
        },
        Judging::CrossCheck => {
            let verdict = full(noted);
            if let Some(fast) = cheap(witness, &mut Vec::new()) {
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
/// full judgement skips for a structure whose `len` is not judged.
pub fn passes_beyond_witness(history: &History, claims: &Claims) -> bool {
    oracle::iteration::check(history, claims.info.iteration).is_none()
        && (!claims.len_judged
            || history
                .quiescence
                .as_ref()
                .is_none_or(|q| oracle::reclamation::check_live(history, q).is_none()))
}

/// The oracles on the operations of a validated history: the specific ones first, then
/// linearizability. The failures of the oracles `claims` declares known are pushed on `noted`.
fn judge_operations(history: &History, claims: &Claims, lin_steps: u64, noted: &mut Vec<Failure>) -> Verdict {
    let info = &claims.info;
    let specific = [
        oracle::lost_delete::check,
        oracle::lost_delete::check_lost_insert,
        oracle::exactly_once::check,
    ];
    for check in specific {
        if let Some(f) = sift(check(history), claims, noted) {
            return Verdict::Fail(f);
        }
    }
    if let Some(f) = sift(oracle::iteration::check(history, info.iteration), claims, noted) {
        return Verdict::Fail(f);
    }
    if !info.atomic_whole_map && claims.len_judged {
        if let Some(f) = sift(oracle::iteration::check_len(history), claims, noted) {
            return Verdict::Fail(f);
        }
    }
    let lin = match linearizability_of(history, info, true, lin_steps) {
        Verdict::Fail(f) => match sift(Some(f), claims, noted) {
            Some(f) => return Verdict::Fail(f),
            None => Verdict::Pass,
        },
        other => other,
    };
    // What the structure holds at quiescence, counted against the history (a write lost where no
    // read saw it); it needs no search, so it runs when linearizability is unknown too. A count read
    // from a `len` that is not judged is not judged either.
    if let Some(q) = history.quiescence.as_ref().filter(|_| claims.len_judged) {
        if let Some(f) = sift(oracle::reclamation::check_live(history, q), claims, noted) {
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

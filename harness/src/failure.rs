//! What a failed run is: the oracle that fired, its evidence, and how far linearization got.
//!
//! These are plain types below every oracle: each oracle builds a [`Failure`], and `verdict`
//! gathers the oracles' answers into a `Verdict`, so that neither imports the other both ways.

use crate::structure::Key;
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

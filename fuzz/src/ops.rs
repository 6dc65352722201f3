//! The `ops` target: an arbitrary operation sequence (iterations that delete and reclamation steps
//! included) run single-threaded on one structure with no scheduler, judged by every oracle.
//!
//! A single-threaded history is linearizable exactly when every return value equals the sequential
//! spec's, so the linearizability oracle is the differential check against `spec.rs`; a `len()` is
//! recorded after every operation that changes the map, so len is compared at every step. After the
//! run come the reclamation step (the reclamation oracle judges the footprint against the
//! structure's policy) and the drop (the leak oracle counts the bytes not returned).

use crate::{initial, pick, Found, FuzzOp};
use arbitrary::Unstructured;
use mapcheck::FailureRecord;
use mapcheck_harness::{Op, Workload};
use mapcheck_models::Entry;

/// Keys are below this, so operations meet the same keys and tables still grow.
pub const KEYS: u8 = 48;
/// Operations per input at most, the recorded `len()`s included: the scenario format's limit per
/// thread, so that every failing input imports as a scenario.
pub const MAX_OPS: usize = 64;

/// The structure and the one-thread workload an input decodes to; `None` when it is too short.
pub fn decode(data: &[u8], entries: &[Entry]) -> Option<(Entry, Workload)> {
    let mut u = Unstructured::new(data);
    let entry = pick(&mut u, entries).ok()?;
    let initial = initial(&mut u, 8, KEYS).ok()?;
    let mut ops = Vec::new();
    while !u.is_empty() && ops.len() + 2 <= MAX_OPS {
        let Ok(op) = u.arbitrary::<FuzzOp>() else { break };
        let op = op.op(KEYS);
        ops.push(op);
        let changes = match op {
            Op::Insert { .. } | Op::Remove { .. } | Op::Clear | Op::Reclaim => true,
            Op::Iterate { delete } => delete != mapcheck_harness::DeleteIf::Nothing,
            Op::Get { .. } | Op::Len => false,
        };
        if changes {
            ops.push(Op::Len);
        }
    }
    Some((
        entry,
        Workload {
            initial,
            threads: vec![ops],
        },
    ))
}

/// Runs one input on the structures `entries`.
pub fn check_with(data: &[u8], entries: &[Entry]) -> Result<(), Box<Found>> {
    let Some((entry, workload)) = decode(data, entries) else {
        return Ok(());
    };
    let (verdict, history) = (entry.sequential)(&workload);
    if verdict.is_fail() {
        return Err(Box::new(Found {
            target: "ops",
            structure: entry.info.name,
            verdict,
            workload,
            history,
        }));
    }
    Ok(())
}

/// Runs one input on the structures selected by `MAPCHECK_FUZZ_STRUCTURES`.
pub fn check(data: &[u8]) -> Result<(), Box<Found>> {
    check_with(data, crate::selected())
}

/// The failure record of a failing input: the workload run again under shuttle, where a
/// one-thread run is the same run and comes back with a schedule to pin.
pub fn to_record(data: &[u8], entries: &[Entry]) -> Option<FailureRecord> {
    let (entry, workload) = decode(data, entries)?;
    let outcome = (entry.run)(&workload, crate::RECORD_ENGINE, crate::record_limits());
    crate::record("ops", &entry, &workload, outcome)
}

//! The `churn` model (its doc comment below says what it drives and why).

use super::Size;
use mapcheck_harness::{Op, Workload};

/// Insert many keys and delete them all, twice, then the reclamation step; threads work on disjoint
/// keys. Judged by the reclamation oracle against each structure's declared policy.
///
/// Hazard: memory that deletes never give back (the reports' maps that never shrink): a table sized
/// for a peak long gone. Go's map, which never shrinks, gets its retained and peak figures reported
/// as a finding.
///
/// Built to catch: `locked-noshrink` (a reclamation step that does nothing: reclamation).
pub fn churn(size: Size) -> Workload {
    let n = (size.keys * 8).max(16);
    let threads = (0..size.threads.clamp(1, 2))
        .map(|t| {
            let base = 1 + t as u64 * n;
            let mut ops = Vec::new();
            for round in 0..2u64 {
                ops.extend((base..base + n).map(|key| Op::Insert { key, value: round }));
                ops.extend((base..base + n).map(|key| Op::Remove { key }));
            }
            ops.push(Op::Reclaim);
            ops
        })
        .collect();
    Workload {
        initial: vec![],
        threads,
    }
}

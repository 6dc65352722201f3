//! The reclamation oracle: after quiescence and the structure's own reclamation step, the footprint
//! must be within the declared policy. A structure that never shrinks has its retained and peak
//! figures reported as a finding.

use crate::history::{History, Op, Quiescence};
use crate::structure::{Footprint, ReclamationPolicy};
use crate::verdict::{Failure, Oracle};

/// Slots a structure that shrinks may keep for `live` entries: a table at most twice the live
/// entries, plus a small constant for the smallest table.
pub fn shrink_bound(live: usize) -> usize {
    2 * live + 16
}

/// The distinct keys a run put in the map: its initial contents and the key of every insert.
pub fn keys_inserted(h: &History) -> usize {
    let inserted = h.events.iter().filter_map(|e| match e.op {
        Op::Insert { key, .. } => Some(key),
        _ => None,
    });
    let keys: std::collections::BTreeSet<_> = h.initial.iter().map(|(k, _)| *k).chain(inserted).collect();
    keys.len()
}

/// Judges the footprint after the reclamation step against `policy`; `keys_inserted` is the number
/// of distinct keys the run put in the map ([`keys_inserted`]), which bounds a structure that keeps a
/// slot for every key.
pub fn check(q: &Quiescence, policy: ReclamationPolicy, keys_inserted: usize) -> Option<Failure> {
    let Footprint {
        live,
        stale,
        snapshots,
        capacity,
        ..
    } = q.after_reclaim;
    let fail = |summary: String| {
        Some(Failure {
            oracle: Oracle::Reclamation,
            summary,
            evidence: Vec::new(),
            linearization: None,
        })
    };
    match policy {
        ReclamationPolicy::ShrinksWithLive if capacity > shrink_bound(live) => fail(format!(
            "after the reclamation step the table keeps {capacity} slots for {live} live entries \
             (bound {})",
            shrink_bound(live)
        )),
        ReclamationPolicy::ShrinksWithin { factor, floor }
            if capacity > factor.saturating_mul(live).saturating_add(floor) =>
        {
            fail(format!(
                "after the reclamation step the table keeps {capacity} slots for {live} live entries \
             (declared bound {factor} x {live} + {floor})"
            ))
        }
        ReclamationPolicy::TombstonesPurgedByGc | ReclamationPolicy::StalePurgedByPromotion if stale > 0 => {
            fail(format!(
                "{stale} stale entries (tombstones or expunged) remain after the reclamation step"
            ))
        }
        ReclamationPolicy::OneSnapshotRetained if snapshots > 1 => fail(format!(
            "{snapshots} snapshots are alive after the reclamation step with no reader holding one"
        )),
        ReclamationPolicy::KeySlotsRetained { factor } if capacity > factor.saturating_mul(keys_inserted) => {
            fail(format!(
                "after the reclamation step the table keeps {capacity} slots for the {keys_inserted} \
                 distinct keys ever inserted (declared bound {factor} x {keys_inserted})"
            ))
        }
        ReclamationPolicy::RebuiltWhenDrained if live == 0 && capacity > shrink_bound(0) => fail(format!(
            "drained, but the storage keeps {capacity} slots after the reclamation step"
        )),
        ReclamationPolicy::NeverShrinks if capacity > shrink_bound(live) => fail(format!(
            "finding: never shrinks: retained {capacity} slots ({} bytes) for {live} live entries after \
             the reclamation step; peak {} slots ({} bytes); retained/peak {:.2}",
            q.after_reclaim.bytes,
            q.at_end.capacity.max(capacity),
            q.at_end.bytes.max(q.after_reclaim.bytes),
            capacity as f64 / q.at_end.capacity.max(capacity).max(1) as f64
        )),
        _ => None,
    }
}

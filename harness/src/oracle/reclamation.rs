//! The reclamation oracle: after quiescence and the structure's own reclamation step, the footprint
//! must be within the declared policy. A structure that declares it never shrinks, or that keeps
//! deleted entries with no bound, is not judged on them: its figures are a finding ([`finding`]).
//!
//! The quiescent footprint is also counted against the history ([`check_live`]): the live entries
//! must be what the history leaves in the map, or an insert or a delete was lost at the end of the
//! run where no read could see it.

use super::effect::{self, Presence};
use crate::failure::{Failure, Oracle};
use crate::history::{History, Op, Quiescence, Ret};
use crate::structure::{Footprint, Key, ReclamationPolicy};
use std::collections::{BTreeMap, BTreeSet};

/// Slots a structure that shrinks may keep for `live` entries: a table at most twice the live
/// entries, plus a small constant for the smallest table.
pub fn shrink_bound(live: usize) -> usize {
    2 * live + 16
}

/// The distinct keys a run put in the map: its initial contents and the key of every insert (and
/// of every get-or-insert and update that may insert).
pub fn keys_inserted(h: &History) -> usize {
    let inserted = h.events.iter().filter_map(|e| e.op.may_add());
    let keys: BTreeSet<_> = h.initial.iter().map(|(k, _)| *k).chain(inserted).collect();
    keys.len()
}

fn fail(summary: String) -> Option<Failure> {
    Some(Failure {
        oracle: Oracle::Reclamation,
        summary,
        evidence: Vec::new(),
        linearization: None,
    })
}

/// Judges the footprint after the reclamation step against `policy`; `keys_inserted` is the number
/// of distinct keys the run put in the map ([`keys_inserted`]), which bounds a structure that keeps a
/// slot for every key. The policies that declare no bound (`NeverShrinks`, `StaleRetained`) never
/// fail here; see [`finding`].
pub fn check(q: &Quiescence, policy: ReclamationPolicy, keys_inserted: usize) -> Option<Failure> {
    let Footprint {
        live,
        stale,
        snapshots,
        capacity,
        ..
    } = q.after_reclaim;
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
        _ => None,
    }
}

/// The finding of a policy that declares no bound: what a structure that never shrinks retains
/// against its peak, or the deleted entries a structure that keeps them still holds after the
/// reclamation step. `None` for the other policies, and when there is nothing to report.
pub fn finding(q: &Quiescence, policy: ReclamationPolicy) -> Option<String> {
    let Footprint {
        live,
        stale,
        capacity,
        bytes,
        ..
    } = q.after_reclaim;
    match policy {
        ReclamationPolicy::NeverShrinks if capacity > shrink_bound(live) => Some(format!(
            "never shrinks: retained {capacity} slots ({bytes} bytes) for {live} live entries after \
             the reclamation step; peak {} slots ({} bytes); retained/peak {:.2}",
            q.at_end.capacity.max(capacity),
            q.at_end.bytes.max(bytes),
            capacity as f64 / q.at_end.capacity.max(capacity).max(1) as f64
        )),
        ReclamationPolicy::StaleRetained if stale > 0 => Some(format!(
            "stale entries retained: {stale} deleted entries are still held beside {live} live ones \
             after the reclamation step ({} before it), and nothing bounds how long they stay",
            q.at_end.stale
        )),
        _ => None,
    }
}

/// The number of keys the history leaves in the map at quiescence, as bounds: `(certain,
/// possible)`. A key's final presence is decided by its last writes (the operations that may change
/// whether it is present: inserts, removes, clears, the removes an iteration made, get-or-inserts,
/// updates that insert, and conditional removals, read by their results as `effect.rs` does): the
/// writes on it that no other write on it follows in real time. When they all leave the key present
/// or all leave it absent, the key is certainly present or absent; when they disagree (or one may
/// leave it either way), it may be either. A key nobody wrote keeps its initial presence.
pub fn live_bounds(history: &History) -> (usize, usize) {
    #[derive(Clone, Copy)]
    struct Write {
        invoke: u64,
        ret_at: u64,
        presence: Presence,
    }
    let mut keys: BTreeSet<Key> = history.initial.iter().map(|(k, _)| *k).collect();
    keys.extend(history.events.iter().filter_map(|e| e.op.key()));
    let mut writes: BTreeMap<Key, Vec<Write>> = BTreeMap::new();
    let mut whole = Vec::new();
    for e in &history.events {
        let Some(ret_at) = e.ret_at else { continue };
        let write = |presence| Write {
            invoke: e.invoke,
            ret_at,
            presence,
        };
        match (e.op, &e.ret) {
            (Op::Clear, _) => whole.push(write(Presence::Absent)),
            // A retain whose result is not known may have removed any key.
            (Op::Retain { .. }, Some(Ret::Yielded(kv))) => {
                for &(k, _) in kv {
                    if let Some(p) = effect::presence(e, k) {
                        writes.entry(k).or_default().push(write(p));
                    }
                }
            }
            (Op::Retain { .. }, _) => whole.push(write(Presence::Either)),
            (op, _) => {
                // A remove that found nothing still leaves the key absent.
                if let Some(key) = op.key() {
                    if let Some(p) = effect::presence(e, key) {
                        writes.entry(key).or_default().push(write(p));
                    }
                }
            }
        }
    }
    let (mut certain, mut possible) = (0, 0);
    for key in keys {
        let mut all = writes.remove(&key).unwrap_or_default();
        all.extend_from_slice(&whole);
        let last: Vec<&Write> = all
            .iter()
            .filter(|w| !all.iter().any(|o| w.ret_at < o.invoke))
            .collect();
        let initially = history.initial.iter().any(|(k, _)| *k == key);
        let (some_present, some_absent) = if last.is_empty() {
            (initially, !initially)
        } else {
            (
                last.iter().any(|w| w.presence != Presence::Absent),
                last.iter().any(|w| w.presence != Presence::Present),
            )
        };
        if some_present && !some_absent {
            certain += 1;
        }
        if some_present {
            possible += 1;
        }
    }
    (certain, possible)
}

/// Counts the live entries itself: the live entries the footprint reports at quiescence, before
/// and after the reclamation step, must lie within [`live_bounds`] of the history. Fewer entries than
/// the keys the history certainly leaves present is a lost insert (an insert that completed, and
/// whose key is gone with no write to explain it, though no read saw it); more than the keys it may
/// leave present is a lost delete. (A footprint that miscounts its entries fails the same way.)
pub fn check_live(history: &History, q: &Quiescence) -> Option<Failure> {
    let (certain, possible) = live_bounds(history);
    for (when, f) in [("before", &q.at_end), ("after", &q.after_reclaim)] {
        if f.live < certain || f.live > possible {
            let range = if certain == possible {
                format!("{certain}")
            } else {
                format!("between {certain} and {possible}")
            };
            let (oracle, what) = if f.live < certain {
                (Oracle::LostInsert, "lost insert")
            } else {
                (Oracle::LostDelete, "lost delete")
            };
            return Some(Failure {
                oracle,
                summary: format!(
                    "{what} at quiescence: {when} the reclamation step the structure holds {} live \
                     entries, but the history leaves {range} keys in the map",
                    f.live
                ),
                evidence: Vec::new(),
                linearization: None,
            });
        }
    }
    None
}

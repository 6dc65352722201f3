//! Which structures an imported reproducer must catch: each hazard of the incident reports has a
//! trigger on the workload (what the threads do) and, for some, on the design the script uses
//! (an unlocked Go map, sync.Map, copy-on-write, a sharded map). When the trigger holds, the
//! structure that plants that hazard is named as expected to fail, with the oracles that judge it;
//! every correct structure must pass. The triggers are sufficient conditions read off the
//! workload, so the importers name a structure only when some interleaving reaches its hazard;
//! the command line then runs the scenario and refuses to keep it when that is not so.

pub mod compound;
pub mod shards;
pub mod syncmap;

use crate::{Expect, Named, Step};
use mapcheck_harness::{DeleteIf, Op, Oracle, ValueIf};
use std::collections::BTreeSet;

/// What the importer learnt about the script's design.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Design {
    /// A plain map written without a lock (Go's `map`, S1).
    pub unlocked_map: bool,
    /// Go's sync.Map (S3).
    pub sync_map: bool,
    /// A map published by an atomic pointer and replaced by a changed copy (S4); `true` when the
    /// publication uses compare-and-swap.
    pub copy_on_write: Option<bool>,
    /// A map split into shards, each with its lock (S5).
    pub sharded: bool,
    /// One map behind one lock (a `Mutex` or an `RWMutex`/`RwLock`), every use under it (S2).
    pub locked: bool,
    /// A background goroutine or thread that cleans the map and is never stopped (S6).
    pub unstopped_cleaner: bool,
    /// The script measures or gives back memory (failure class 5).
    pub memory: bool,
}

/// The structures to run and what each must show, with a note per hazard.
#[derive(Debug, Clone, Default)]
pub struct Hazards {
    pub structures: Vec<Named>,
    pub expect: Vec<(Named, Expect)>,
    pub notes: Vec<String>,
}

/// Slots a structure whose policy is to shrink may keep for `live` entries (the reclamation
/// oracle's bound).
fn shrink_bound(live: usize) -> usize {
    mapcheck_harness::oracle::reclamation::shrink_bound(live)
}

/// Names the structures whose hazard the workload exercises.
pub fn analyse(threads: &[Vec<Step>], initial: &[(u64, u64)], design: &Design) -> Hazards {
    let mut h = Hazards::default();
    let name = |h: &mut Hazards, structure: &str, oracles: &[Oracle], why: &str| {
        if let Some((_, Expect::Fail(set))) = h.expect.iter_mut().find(|(n, _)| n.name == structure) {
            set.extend(oracles.iter().copied());
        } else {
            h.expect.push((
                Named::new(structure),
                Expect::Fail(oracles.iter().copied().collect()),
            ));
        }
        h.notes
            .push(format!("hazard: {why}; expected to fail on `{structure}`"));
    };
    // A structure that keeps the memory by design (Go's map never shrinks, sync.Map keeps deleted
    // entries): not a failure, but the run must report it as a reclamation finding.
    let finding = |h: &mut Hazards, structure: &str, why: &str| {
        if !h.expect.iter().any(|(n, _)| n.name == structure) {
            h.expect.push((Named::new(structure), Expect::Finding));
        }
        h.notes.push(format!(
            "hazard: {why}; `{structure}` keeps that memory by design, so the check must report it as a \
             reclamation finding (not a failure)"
        ));
    };
    let ops = |t: &Vec<Step>| t.iter().map(|s| s.op).collect::<Vec<Op>>();
    let threads: Vec<Vec<Op>> = threads.iter().map(ops).collect();
    let writes = |t: &[Op]| t.iter().any(writes);
    let writers = threads.iter().filter(|t| writes(t)).count();
    let present: BTreeSet<u64> = initial.iter().map(|(k, _)| *k).collect();
    let inserted: BTreeSet<u64> = threads.iter().flatten().filter_map(Op::may_add).collect();
    let ever_filled = !present.is_empty() || !inserted.is_empty();

    // S1: an unlocked Go map written while another goroutine uses it.
    if design.unlocked_map && writers >= 1 && threads.len() >= 2 {
        if ever_filled {
            name(
                &mut h,
                "gomap",
                &[Oracle::Panic, Oracle::DataRace],
                "an unlocked Go map written while another goroutine uses it (\"concurrent map writes\")",
            );
        } else {
            h.notes.push(
                "the map is empty and nothing inserts: Go's delete returns early on an empty map, so only \
                 the race detector would flag this"
                    .into(),
            );
        }
    }

    // S2 and failure class 3: a delete from inside an iteration, under a lock the iteration holds.
    let may_hold = |k: u64| present.contains(&k) || inserted.contains(&k);
    let keys: BTreeSet<u64> = present.union(&inserted).copied().collect();
    let deletes_a_visited_key = threads.iter().flatten().any(|op| match op {
        Op::Iterate {
            delete: DeleteIf::All,
        } => !keys.is_empty(),
        Op::Iterate {
            delete: DeleteIf::Even,
        } => keys.iter().any(|k| k % 2 == 0),
        Op::Iterate {
            delete: DeleteIf::Odd,
        } => keys.iter().any(|k| k % 2 == 1),
        Op::Iterate {
            delete: DeleteIf::Key(k),
        } => may_hold(*k),
        _ => false,
    });
    if deletes_a_visited_key {
        name(
            &mut h,
            "locked-iterlock",
            &[Oracle::Deadlock],
            "deleting while a range holds the read lock",
        );
    }

    // S2 and failure class 4: two deletes of one present key, with a remove that checks under the
    // read lock and deletes under the write lock (the lock upgrade race).
    let removers = |k: u64| {
        threads
            .iter()
            .filter(|t| t.contains(&Op::Remove { key: k }))
            .count()
    };
    if present.iter().any(|&k| removers(k) >= 2) {
        name(
            &mut h,
            "locked-racy-remove",
            &[
                Oracle::ExactlyOnceDelete,
                Oracle::Linearizability,
                Oracle::LostDelete,
            ],
            "two threads delete the same present key",
        );
    }

    // S2 and failure class 4: two writes of one key, on a map behind a lock, where a write that
    // checks under the read lock and writes under the write lock returns a value another write
    // already replaced.
    let inserters = |k: u64| {
        threads
            .iter()
            .filter(|t| {
                t.iter()
                    .any(|op| matches!(op, Op::Insert { key, .. } if *key == k))
            })
            .count()
    };
    if design.locked && inserted.iter().any(|&k| inserters(k) >= 2) {
        name(
            &mut h,
            "locked-racy-insert",
            &[Oracle::ExactlyOnceDelete, Oracle::Linearizability],
            "two threads write the same key; a write that checks under the read lock and writes under \
             the write lock returns a value the other already replaced",
        );
    }

    // S4 and failure classes 1-2: writers racing on a copy-on-write map, one reading back what it
    // wrote.
    if design.copy_on_write.is_some() && writers >= 2 && reads_back_own_write(&threads) {
        name(
            &mut h,
            "cow-nocas",
            &[Oracle::LostDelete, Oracle::LostInsert, Oracle::Linearizability],
            "two writers clone and publish the map; without compare-and-swap one loses the other's change",
        );
    }

    // S3: a sync.Map whose deleted entries sit in its read-only part.
    if design.sync_map && syncmap::stale_after(&threads, initial) > 0 {
        finding(
            &mut h,
            "syncmap",
            "deleted sync.Map entries linger as expunged entries until a new key and a promotion",
        );
    }

    // S5: a clear that goes shard by shard while others write and read.
    if design.sharded
        && threads.iter().any(|t| t.contains(&Op::Clear))
        && threads.len() >= 2
        && threads
            .iter()
            .flatten()
            .any(|op| matches!(op, Op::Len | Op::Get { .. } | Op::Iterate { .. }))
    {
        name(
            &mut h,
            "sharded-clear-skips",
            &[Oracle::Iteration, Oracle::Linearizability, Oracle::LostDelete],
            "a whole-map clear is not atomic across shards",
        );
    }

    // S6: a reinsert racing with the cleaner's pass; a cleaner nobody stops.
    // The reinsert must be read afterwards: later in its own thread, or by another thread.
    let reinserts = threads.iter().enumerate().any(|(i, t)| {
        t.iter().enumerate().any(|(j, op)| {
            let Op::Remove { key } = op else { return false };
            let Some(ins) = t[j..]
                .iter()
                .position(|o| matches!(o, Op::Insert { key: k, .. } if k == key))
            else {
                return false;
            };
            let read_later = t[j + ins..].contains(&Op::Get { key: *key })
                || threads
                    .iter()
                    .enumerate()
                    .any(|(o, other)| o != i && other.contains(&Op::Get { key: *key }));
            read_later
                && threads
                    .iter()
                    .enumerate()
                    .any(|(o, other)| o != i && other.contains(&Op::Reclaim))
        })
    });
    if reinserts {
        name(
            &mut h,
            "tombstone-gc-race",
            &[Oracle::LostInsert, Oracle::LostDelete, Oracle::Linearizability],
            "a reinsert races with the cleaner removing the key's tombstone",
        );
    }
    if design.unstopped_cleaner {
        name(
            &mut h,
            "tombstone-gc-leak",
            &[Oracle::Leak],
            "the background cleaner is never stopped and outlives the map",
        );
    }

    // S7: a rebuild that swaps the storage while another thread writes and reads back.
    let rebuilds = threads.iter().enumerate().any(|(i, t)| {
        t.contains(&Op::Reclaim)
            && threads
                .iter()
                .enumerate()
                .any(|(o, other)| o != i && reads_back_own_write(std::slice::from_ref(other)))
    });
    let can_drain = present.iter().all(|&k| removers(k) >= 1);
    if rebuilds && can_drain {
        name(
            &mut h,
            "rebuild-unguarded",
            &[Oracle::LostInsert, Oracle::LostDelete, Oracle::Linearizability],
            "the map is rebuilt while another thread writes to it",
        );
    }

    // Failure class 5: a table sized for a peak long gone, and values never freed.
    let peak = present.len() + inserted.difference(&present).count();
    let removed: BTreeSet<u64> = threads.iter().flatten().filter_map(removes).collect();
    let drained_all = threads.iter().flatten().any(|op| {
        matches!(
            op,
            Op::Clear
                | Op::Iterate {
                    delete: DeleteIf::All
                }
                | Op::Retain { delete: ValueIf::All }
        )
    });
    let left = if drained_all {
        0
    } else {
        peak.saturating_sub(removed.len())
    };
    // A table holds at least as many slots as entries it ever held; beyond the bound for what is
    // left, a table that never shrinks fails the reclamation oracle.
    if design.memory && peak > shrink_bound(left) {
        name(
            &mut h,
            "locked-noshrink",
            &[Oracle::Reclamation],
            "the map is drained after a peak, and a table that never shrinks keeps the peak's memory",
        );
        if design.unlocked_map {
            finding(
                &mut h,
                "gomap",
                "Go's map never shrinks: its buckets stay sized for the peak",
            );
        }
    }
    if design.memory && present.iter().any(|k| removed.contains(k)) {
        name(
            &mut h,
            "locked-leaky-remove",
            &[Oracle::Leak],
            "deleted values must be freed; a delete that unlinks without freeing leaks them",
        );
    }

    // The compound operations' hazards.
    for (structure, oracles, why) in compound::hazards(&threads, initial) {
        name(&mut h, structure, oracles, why);
    }

    // A structure named for a workload that calls an operation it lacks could only be not
    // applicable: it is left out, noted.
    let calls = mapcheck_harness::Ops::called_by(threads.iter().flatten());
    h.expect.retain(|(n, _)| {
        let lacks = calls.without(compound::supports(&n.name));
        if lacks.is_empty() {
            return true;
        }
        h.notes.push(format!(
            "`{}` has the hazard but not every operation the workload calls (it lacks {lacks}); it is \
             not run",
            n.name
        ));
        false
    });

    h.structures = vec![Named::new("correct")];
    h.structures.extend(h.expect.iter().map(|(n, _)| n.clone()));
    h
}

/// Whether an operation may change the map (an iteration that deletes aside).
fn writes(op: &Op) -> bool {
    match op {
        Op::Get { .. } | Op::Len | Op::Iterate { .. } | Op::Reclaim => false,
        Op::Retain { delete } => *delete != ValueIf::Nothing,
        _ => true,
    }
}

/// The key an operation may remove: a remove's, a compare-and-delete's, a remove-if's.
fn removes(op: &Op) -> Option<u64> {
    match *op {
        Op::Remove { key } | Op::CompareAndDelete { key, .. } | Op::RemoveIf { key, .. } => Some(key),
        _ => None,
    }
}

/// Whether some thread writes a key and reads it back later (so a lost write is observed).
fn reads_back_own_write(threads: &[Vec<Op>]) -> bool {
    threads.iter().any(|t| {
        t.iter().enumerate().any(|(i, op)| {
            let Some(key) = op.key().filter(|_| writes(op)) else {
                return false;
            };
            t[i + 1..].iter().any(|later| {
                matches!(later, Op::Get { key: k } | Op::GetOrInsert { key: k, .. } if *k == key)
                    || matches!(later, Op::Len | Op::Iterate { .. } | Op::Retain { .. })
            })
        })
    })
}

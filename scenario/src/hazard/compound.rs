//! The hazards of the compound operations, each planted by a mutant that splits the operation's one
//! step in two (a check, then the act under the lock again): two fills of one missing key
//! (`locked-racy-get-or-insert`), two updates of one key (`sharded-racy-update`), a
//! compare-and-delete racing a write of the key (`sharded-racy-compare-delete`), a retain racing
//! an overwrite of an entry it drops (`locked-racy-retain`). And which structures the importers
//! may name have which compound operations (`SUPPORTS`): a structure named for a workload it cannot
//! run is left out, with a note, since it could only be not applicable.

use mapcheck_harness::{Op, Ops, Oracle, ValueIf};
use std::collections::BTreeSet;

/// The structures the hazards name that have compound operations, with the ones they have (the
/// zoo's `SUPPORTS`, checked against it by a test); every other has the six alone.
pub const SUPPORTS: &[(&str, Ops)] = &[
    ("locked", Ops::STANDARD.with(Ops::COMPOUND)),
    ("sharded", Ops::STANDARD.with(Ops::COMPOUND)),
    ("gomap-locked", Ops::STANDARD.with(Ops::COMPOUND)),
    (
        "syncmap",
        Ops::STANDARD
            .with(Ops::GET_OR_INSERT)
            .with(Ops::COMPARE_AND_SWAP)
            .with(Ops::COMPARE_AND_DELETE),
    ),
    ("tombstone", Ops::STANDARD.with(Ops::RETAIN)),
    ("tombstone-gc-leak", Ops::STANDARD.with(Ops::RETAIN)),
    ("locked-racy-get-or-insert", Ops::STANDARD.with(Ops::COMPOUND)),
    ("locked-racy-retain", Ops::STANDARD.with(Ops::COMPOUND)),
    ("sharded-racy-compare-delete", Ops::STANDARD.with(Ops::COMPOUND)),
    ("sharded-racy-update", Ops::STANDARD.with(Ops::COMPOUND)),
];

/// The operations `structure` has.
pub fn supports(structure: &str) -> Ops {
    SUPPORTS
        .iter()
        .find(|(n, _)| *n == structure)
        .map_or(Ops::STANDARD, |(_, o)| *o)
}

/// A hazard: the structure that plants it, the oracles that judge it, why.
pub type Named = (&'static str, &'static [Oracle], &'static str);

/// The compound hazards the threads exercise. `initial` is the map before the threads.
pub fn hazards(threads: &[Vec<Op>], initial: &[(u64, u64)]) -> Vec<Named> {
    let mut out: Vec<Named> = Vec::new();
    let present: BTreeSet<u64> = initial.iter().map(|(k, _)| *k).collect();
    let initial_value = |k: u64| initial.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
    let removed_by = |t: &[Op], k: u64| {
        t.iter().any(|op| match *op {
            Op::Remove { key } | Op::CompareAndDelete { key, .. } | Op::RemoveIf { key, .. } => key == k,
            Op::Clear => true,
            Op::Retain { delete } => delete != ValueIf::Nothing,
            Op::Iterate { delete } => delete.matches(k),
            _ => false,
        })
    };
    let may_be_absent = |k: u64| !present.contains(&k) || threads.iter().any(|t| removed_by(t, k));
    let threads_with = |f: &dyn Fn(&Op) -> bool| threads.iter().filter(|t| t.iter().any(f)).count();
    // The values a key may hold: its initial value and every value written to it.
    let values_of = |k: u64| -> BTreeSet<u64> {
        let mut vs: BTreeSet<u64> = initial_value(k).into_iter().collect();
        for op in threads.iter().flatten() {
            match *op {
                Op::Insert { key, value } | Op::GetOrInsert { key, value } if key == k => {
                    vs.insert(value);
                }
                Op::CompareAndSwap { key, new, .. } if key == k => {
                    vs.insert(new);
                }
                Op::Update {
                    key, insert: Some(v), ..
                } if key == k => {
                    vs.insert(v);
                }
                _ => {}
            }
        }
        vs
    };
    // A write that replaces a present value of `k` with another one.
    let overwrites = |op: &Op, k: u64, not: Option<u64>| match *op {
        Op::Insert { key, value } => key == k && Some(value) != not,
        Op::Update { key, add, .. } => key == k && add != 0,
        Op::CompareAndSwap { key, old, new } => key == k && old != new && Some(new) != not,
        _ => false,
    };
    let keys: BTreeSet<u64> = threads.iter().flatten().filter_map(Op::key).collect();

    let fills = keys.iter().any(|&k| {
        may_be_absent(k) && threads_with(&|op| matches!(op, Op::GetOrInsert { key, .. } if *key == k)) >= 2
    });
    if fills {
        out.push((
            "locked-racy-get-or-insert",
            &[Oracle::Linearizability, Oracle::LostInsert],
            "two threads get-or-insert one key that may be missing; a get-or-insert that checks, then \
             inserts under the lock again, inserts twice",
        ));
    }

    let updates = keys.iter().any(|&k| {
        let filled = present.contains(&k) || threads.iter().flatten().any(|op| op.may_add() == Some(k));
        filled && threads_with(&|op| matches!(op, Op::Update { key, .. } if *key == k)) >= 2
    });
    if updates {
        out.push((
            "sharded-racy-update",
            &[
                Oracle::ExactlyOnceDelete,
                Oracle::Linearizability,
                Oracle::LostInsert,
            ],
            "two threads update one key in place; an update that reads, then writes under the lock \
             again, loses one",
        ));
    }

    let compare_deletes = threads.iter().enumerate().any(|(i, t)| {
        t.iter().any(|op| {
            let Op::CompareAndDelete { key, old } = *op else {
                return false;
            };
            values_of(key).contains(&old)
                && threads
                    .iter()
                    .enumerate()
                    .any(|(j, u)| j != i && u.iter().any(|w| overwrites(w, key, Some(old))))
        })
    });
    if compare_deletes {
        out.push((
            "sharded-racy-compare-delete",
            &[
                Oracle::ExactlyOnceDelete,
                Oracle::Linearizability,
                Oracle::LostInsert,
                Oracle::LostDelete,
            ],
            "a compare-and-delete races another thread's write of the key; one that compares, then \
             removes under the lock again, removes the newer value",
        ));
    }

    let retains = threads.iter().enumerate().any(|(i, t)| {
        t.iter().any(|op| {
            let Op::Retain { delete } = *op else {
                return false;
            };
            keys.iter().chain(present.iter()).any(|&k| {
                // The entry must be there for the retain to drop and then be overwritten: present
                // at the start, or written twice.
                let written = threads
                    .iter()
                    .flatten()
                    .filter(|w| overwrites(w, k, None))
                    .count();
                (present.contains(&k) || written >= 2)
                    && values_of(k).iter().any(|v| delete.matches(*v))
                    && threads
                        .iter()
                        .enumerate()
                        .any(|(j, u)| j != i && u.iter().any(|w| overwrites(w, k, None)))
            })
        })
    });
    if retains {
        out.push((
            "locked-racy-retain",
            &[
                Oracle::ExactlyOnceDelete,
                Oracle::Linearizability,
                Oracle::LostInsert,
                Oracle::LostDelete,
            ],
            "a retain races another thread's overwrite of an entry it drops; a retain that judges a \
             copy, then removes by key under the lock again, removes the fresh value",
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn goi(key: u64, value: u64) -> Op {
        Op::GetOrInsert { key, value }
    }

    #[test]
    fn two_fills_of_a_missing_key_name_the_racy_get_or_insert() {
        let named = |t: &[Vec<Op>], init: &[(u64, u64)]| -> Vec<&str> {
            hazards(t, init).iter().map(|(n, _, _)| *n).collect()
        };
        assert_eq!(
            named(&[vec![goi(1, 1)], vec![goi(1, 2)]], &[]),
            ["locked-racy-get-or-insert"]
        );
        // Present and never removed: both fills read it; no interleaving inserts.
        assert!(named(&[vec![goi(1, 1)], vec![goi(1, 2)]], &[(1, 0)]).is_empty());
        // Present but removed by a thread: a fill may find it missing.
        assert_eq!(
            named(
                &[vec![goi(1, 1)], vec![goi(1, 2), Op::Remove { key: 1 }]],
                &[(1, 0)]
            ),
            ["locked-racy-get-or-insert"]
        );
        // One fill: nothing to race.
        assert!(named(&[vec![goi(1, 1)], vec![Op::Get { key: 1 }]], &[]).is_empty());
    }

    #[test]
    fn updates_compare_deletes_and_retains_need_a_racing_write() {
        let named = |t: &[Vec<Op>], init: &[(u64, u64)]| -> Vec<&str> {
            hazards(t, init).iter().map(|(n, _, _)| *n).collect()
        };
        let upd = |key| Op::Update {
            key,
            add: 1,
            insert: None,
        };
        assert_eq!(
            named(&[vec![upd(1)], vec![upd(1)]], &[(1, 0)]),
            ["sharded-racy-update"]
        );
        assert!(named(&[vec![upd(1)], vec![upd(1)]], &[]).is_empty());
        let cad = Op::CompareAndDelete { key: 1, old: 10 };
        let ins = Op::Insert { key: 1, value: 11 };
        assert_eq!(
            named(&[vec![cad], vec![ins]], &[(1, 10)]),
            ["sharded-racy-compare-delete"]
        );
        // The key never holds the old value: the compare never matches.
        assert!(named(&[vec![cad], vec![ins]], &[(1, 9)]).is_empty());
        let retain = Op::Retain {
            delete: ValueIf::Even,
        };
        assert_eq!(
            named(&[vec![retain], vec![ins]], &[(1, 10)]),
            ["locked-racy-retain"]
        );
        // Nothing the retain drops is overwritten.
        assert!(named(&[vec![retain], vec![Op::Get { key: 1 }]], &[(1, 10)]).is_empty());
        // A new key inserted once: nothing there to drop before the write.
        assert!(named(&[vec![retain], vec![Op::Insert { key: 2, value: 2 }]], &[(1, 10)]).is_empty());
    }
}

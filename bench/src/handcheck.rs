//! The workload as a user would run it without mapcheck: apply each thread's operations to a map and
//! check the results with hand-written assertions. No history, no oracles: the checks below are the
//! kind a test author writes for one model, made general enough to cover every model.
//!
//! Used by the naive real-thread stress loop and by the bare `loom::model` / shuttle closures that
//! mapcheck's exploration throughput is compared with.

use mapcheck_harness::{Map, Op, ReclamationPolicy, Ret, Workload};
use std::collections::HashMap;
use std::ops::ControlFlow;

/// Applies one operation to `map`; an iteration removes the keys it is told to as it visits them.
pub fn apply<M: Map + ?Sized>(map: &M, op: Op) -> Ret {
    match op {
        Op::Insert { key, value } => Ret::Value(map.insert(key, value)),
        Op::Remove { key } => Ret::Value(map.remove(key)),
        Op::Get { key } => Ret::Value(map.get(key)),
        Op::Len => Ret::Len(map.len()),
        Op::Clear => {
            map.clear();
            Ret::Unit
        }
        Op::Reclaim => {
            map.reclaim();
            Ret::Unit
        }
        Op::GetOrInsert { key, value } => Ret::Value(map.get_or_insert(key, value)),
        Op::CompareAndSwap { key, old, new } => Ret::Bool(map.compare_and_swap(key, old, new)),
        Op::CompareAndDelete { key, old } => Ret::Bool(map.compare_and_delete(key, old)),
        Op::RemoveIf { key, delete } => Ret::Value(map.remove_if(key, &|v| delete.matches(v))),
        Op::Update { key, add, insert } => {
            Ret::Value(map.update(key, &|v| mapcheck_harness::op::added(v, add), insert))
        }
        Op::Retain { delete } => {
            let mut yielded = Vec::new();
            map.retain(&mut |k, v| {
                yielded.push((k, v));
                !delete.matches(v)
            });
            Ret::Yielded(yielded)
        }
        Op::Iterate { delete } => {
            let mut yielded = Vec::new();
            map.iterate(&mut |k, v| {
                yielded.push((k, v));
                if delete.matches(k) {
                    map.remove(k);
                }
                ControlFlow::Continue(())
            });
            Ret::Yielded(yielded)
        }
    }
}

/// Whether `op` may change `key`.
fn writes(op: &Op, key: u64) -> bool {
    match *op {
        Op::Insert { key: k, .. } | Op::Remove { key: k } => k == key,
        Op::Clear => true,
        Op::Iterate { delete } => delete.matches(key),
        _ => false,
    }
}

/// The hand-written checks, run after every thread joined:
///
/// 1. each value is taken out (removed, returned by an overwrite, or replaced or removed by a
///    compound operation whose result says so) at most as often as it was put;
/// 2. a thread that is the only writer of a key reads back its own last write;
/// 3. a key written by one thread only ends with that thread's last write, a key written by no
///    thread ends with its initial value, and a key deleted but never inserted ends absent (2 and 3
///    on workloads of the six plain operations only);
/// 4. no iteration yields a key twice;
/// 5. after the reclamation step, no stale entries remain in a structure that says it purges them,
///    and a structure that shrinks keeps a table bounded by its live entries.
pub fn check<M: Map + ?Sized>(
    w: &Workload,
    results: &[Vec<Ret>],
    map: &M,
    policy: ReclamationPolicy,
) -> Result<(), String> {
    // 1. Exactly once.
    exactly_once(w, results)?;
    // Checks 2 and 3 know the six operations; a workload with compound ones skips them.
    if !w.threads.iter().flatten().any(Op::is_compound) {
        checks_2_and_3(w, results, map)?;
    }
    // 4. No key twice in one iteration.
    for rets in results {
        for ret in rets {
            if let Ret::Yielded(kv) = ret {
                let mut keys: Vec<u64> = kv.iter().map(|(k, _)| *k).collect();
                keys.sort_unstable();
                if let Some(w) = keys.windows(2).find(|w| w[0] == w[1]) {
                    return Err(format!("an iteration yielded key {} twice", w[0]));
                }
            }
        }
    }
    // 5. Reclamation.
    map.reclaim();
    let f = map.footprint();
    let purges = matches!(
        policy,
        ReclamationPolicy::TombstonesPurgedByGc | ReclamationPolicy::StalePurgedByPromotion
    );
    if purges && f.stale > 0 {
        return Err(format!(
            "{} stale entries remain after the reclamation step",
            f.stale
        ));
    }
    if matches!(policy, ReclamationPolicy::ShrinksWithLive) && f.capacity > 2 * f.live + 16 {
        return Err(format!(
            "{} slots kept for {} live entries after the reclamation step",
            f.capacity, f.live
        ));
    }
    Ok(())
}

/// Checks 1 to 3 of [`check`], over the six operations.
/// Check 1 of [`check`]: each value taken out at most as often as it was put, reading each
/// operation's result as a test author would (a get-or-insert that returned none put its value, a
/// compare-and-swap that returned true replaced `old` with `new`, ...).
fn exactly_once(w: &Workload, results: &[Vec<Ret>]) -> Result<(), String> {
    use mapcheck_harness::op::added;
    let mut put: HashMap<(u64, u64), i64> = HashMap::new();
    for &(k, v) in &w.initial {
        *put.entry((k, v)).or_default() += 1;
    }
    let pairs = || {
        w.threads
            .iter()
            .zip(results)
            .flat_map(|(ops, rets)| ops.iter().zip(rets))
    };
    for (op, ret) in pairs() {
        let value = match (*op, ret) {
            (Op::Insert { key, value }, _) | (Op::GetOrInsert { key, value }, Ret::Value(None)) => {
                Some((key, value))
            }
            (Op::CompareAndSwap { key, new, .. }, Ret::Bool(true)) => Some((key, new)),
            (Op::Update { key, add, .. }, Ret::Value(Some(v))) => Some((key, added(*v, add))),
            (Op::Update { key, insert, .. }, Ret::Value(None)) => insert.map(|i| (key, i)),
            _ => None,
        };
        if let Some(kv) = value {
            *put.entry(kv).or_default() += 1;
        }
    }
    for (op, ret) in pairs() {
        let taken: Vec<(u64, u64)> = match (*op, ret) {
            (
                Op::Remove { key }
                | Op::Insert { key, .. }
                | Op::RemoveIf { key, .. }
                | Op::Update { key, .. },
                Ret::Value(Some(v)),
            ) => vec![(key, *v)],
            (Op::CompareAndSwap { key, old, .. } | Op::CompareAndDelete { key, old }, Ret::Bool(true)) => {
                vec![(key, old)]
            }
            (Op::Retain { delete }, Ret::Yielded(kv)) => {
                kv.iter().copied().filter(|(_, v)| delete.matches(*v)).collect()
            }
            _ => Vec::new(),
        };
        for (key, v) in taken {
            let n = put.entry((key, v)).or_default();
            *n -= 1;
            if *n < 0 {
                return Err(format!(
                    "value {v} of key {key} was taken out more often than it was put"
                ));
            }
        }
    }
    Ok(())
}

/// Checks 2 and 3 of [`check`], over the six operations.
fn checks_2_and_3<M: Map + ?Sized>(w: &Workload, results: &[Vec<Ret>], map: &M) -> Result<(), String> {
    // The writers of each key.
    let mut keys: Vec<u64> = w.initial.iter().map(|(k, _)| *k).collect();
    for ops in &w.threads {
        keys.extend(ops.iter().filter_map(Op::key));
    }
    keys.sort_unstable();
    keys.dedup();
    let writers = |key: u64| -> Vec<usize> {
        (0..w.threads.len())
            .filter(|&t| w.threads[t].iter().any(|op| writes(op, key)))
            .collect()
    };
    for &key in &keys {
        let ws = writers(key);
        let initial = w.initial.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
        // 2. Read your own writes.
        if let [t] = ws[..] {
            let mut last = None;
            for (op, ret) in w.threads[t].iter().zip(&results[t]) {
                match *op {
                    Op::Insert { key: k, value } if k == key => last = Some(Some(value)),
                    Op::Remove { key: k } if k == key => last = Some(None),
                    Op::Clear => last = Some(None),
                    Op::Iterate { delete } if delete.matches(key) => last = None,
                    Op::Get { key: k } if k == key => {
                        if let (Some(expected), Ret::Value(got)) = (last, ret) {
                            if *got != expected {
                                return Err(format!(
                                    "thread {t} read key {key} as {got:?} after writing {expected:?}"
                                ));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        // 3. The final value.
        let inserted = w
            .threads
            .iter()
            .flatten()
            .any(|op| matches!(*op, Op::Insert { key: k, .. } if k == key));
        let expected = match ws[..] {
            [] => Some(initial),
            _ if !inserted => Some(None),
            [t] => w.threads[t]
                .iter()
                .rev()
                .find(|op| writes(op, key))
                .and_then(|op| match *op {
                    Op::Insert { value, .. } => Some(Some(value)),
                    Op::Remove { .. } | Op::Clear => Some(None),
                    _ => None,
                }),
            _ => None,
        };
        if let Some(expected) = expected {
            let got = map.get(key);
            if got != expected {
                return Err(format!("key {key} ends as {got:?}, expected {expected:?}"));
            }
        }
    }
    Ok(())
}

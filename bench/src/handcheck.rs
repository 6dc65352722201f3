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
/// 1. each value is taken out (removed, or returned by an overwrite) at most as often as it was put;
/// 2. a thread that is the only writer of a key reads back its own last write;
/// 3. a key written by one thread only ends with that thread's last write, a key written by no
///    thread ends with its initial value, and a key deleted but never inserted ends absent;
/// 4. no iteration yields a key twice;
/// 5. after the reclamation step, no stale entries remain in a structure that says it purges them,
///    and a structure that shrinks keeps a table bounded by its live entries.
pub fn check<M: Map + ?Sized>(
    w: &Workload,
    results: &[Vec<Ret>],
    map: &M,
    policy: ReclamationPolicy,
) -> Result<(), String> {
    // The checks below know the six operations; a workload with compound ones gets checks 4 and 5.
    let compound = w.threads.iter().flatten().any(Op::is_compound);
    if !compound {
        checks_1_to_3(w, results, map)?;
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
fn checks_1_to_3<M: Map + ?Sized>(w: &Workload, results: &[Vec<Ret>], map: &M) -> Result<(), String> {
    // 1. Exactly once.
    let mut put: HashMap<(u64, u64), i64> = HashMap::new();
    for &(k, v) in &w.initial {
        *put.entry((k, v)).or_default() += 1;
    }
    for ops in &w.threads {
        for op in ops {
            if let Op::Insert { key, value } = *op {
                *put.entry((key, value)).or_default() += 1;
            }
        }
    }
    for (ops, rets) in w.threads.iter().zip(results) {
        for (op, ret) in ops.iter().zip(rets) {
            if let (Op::Remove { key } | Op::Insert { key, .. }, Ret::Value(Some(v))) = (op, ret) {
                let n = put.entry((*key, *v)).or_default();
                *n -= 1;
                if *n < 0 {
                    return Err(format!(
                        "value {v} of key {key} was taken out more often than it was put"
                    ));
                }
            }
        }
    }
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

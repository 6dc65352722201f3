//! The exhaustive reference the linearizability checker is cross-checked against, written
//! independently of the harness's spec and checker: its own sequential map, every order of the
//! operations that respects real time, no memo and no reduction; and the histories it is run on,
//! built by interleaving threads' operations and giving each its effect at a random point of its
//! interval (so they start out linearizable).
#![allow(dead_code)]

use mapcheck_harness::history::{Event, History, Op, Ret, ValueIf};
use std::collections::BTreeMap;

/// Whether the reference's predicate removes `value`.
fn removes(delete: ValueIf, value: u64) -> bool {
    match delete {
        ValueIf::Nothing => false,
        ValueIf::All => true,
        ValueIf::Even => value % 2 == 0,
        ValueIf::Odd => value % 2 != 0,
        ValueIf::Is(v) => value == v,
        ValueIf::Not(v) => value != v,
    }
}

/// The reference's own sequential map.
pub fn apply(map: &mut BTreeMap<u64, u64>, op: &Op) -> Ret {
    match *op {
        Op::Insert { key, value } => Ret::Value(map.insert(key, value)),
        Op::Remove { key } => Ret::Value(map.remove(&key)),
        Op::Get { key } => Ret::Value(map.get(&key).copied()),
        Op::Len => Ret::Len(map.len()),
        Op::Clear => {
            map.clear();
            Ret::Unit
        }
        Op::Iterate { .. } => Ret::Yielded(map.iter().map(|(k, v)| (*k, *v)).collect()),
        Op::Reclaim => Ret::Unit,
        Op::GetOrInsert { key, value } => match map.get(&key) {
            Some(v) => Ret::Value(Some(*v)),
            None => {
                map.insert(key, value);
                Ret::Value(None)
            }
        },
        Op::CompareAndSwap { key, old, new } => {
            let hit = map.get(&key) == Some(&old);
            if hit {
                map.insert(key, new);
            }
            Ret::Bool(hit)
        }
        Op::CompareAndDelete { key, old } => {
            let hit = map.get(&key) == Some(&old);
            if hit {
                map.remove(&key);
            }
            Ret::Bool(hit)
        }
        Op::RemoveIf { key, delete } => match map.get(&key).copied() {
            Some(v) if removes(delete, v) => {
                map.remove(&key);
                Ret::Value(Some(v))
            }
            _ => Ret::Value(None),
        },
        Op::Update { key, add, insert } => {
            let before = map.get(&key).copied();
            match (before, insert) {
                (Some(v), _) => {
                    map.insert(key, v.wrapping_add(add) % (1 << 63));
                }
                (None, Some(i)) => {
                    map.insert(key, i);
                }
                (None, None) => {}
            }
            Ret::Value(before)
        }
        Op::Retain { delete } => {
            let all = map.iter().map(|(k, v)| (*k, *v)).collect();
            map.retain(|_, v| !removes(delete, *v));
            Ret::Yielded(all)
        }
    }
}

/// Whether an observed result is what the reference's map returned; a result the map does not
/// return (`Unobserved`) matches anything.
pub fn same(observed: &Ret, expected: &Ret) -> bool {
    match (observed, expected) {
        (Ret::Unobserved, _) => true,
        (Ret::Yielded(a), Ret::Yielded(b)) => {
            let mut a = a.clone();
            a.sort_unstable();
            a == *b
        }
        _ => observed == expected,
    }
}

/// The map after `e`, when `e` can come next: every operation that returned before it was invoked
/// is placed (real time), and the map gives it its observed result, if it has one.
fn after(h: &History, placed: &[bool], e: &Event, map: &BTreeMap<u64, u64>) -> Option<BTreeMap<u64, u64>> {
    let ready = h
        .events
        .iter()
        .all(|o| placed[o.id] || o.ret_at.is_none_or(|r| r > e.invoke));
    if !ready {
        return None;
    }
    let mut next = map.clone();
    let expected = apply(&mut next, &e.op);
    (!e.ret.as_ref().is_some_and(|r| !same(r, &expected))).then_some(next)
}

/// Whether some order of the operations that respects real time gives every completed operation its
/// observed result (pending ones may be left out), and, when none does, the length of the longest
/// sequence that does so for the operations in it. Exhaustive: every order is tried.
pub fn deepest(h: &History, placed: &mut Vec<bool>, map: &BTreeMap<u64, u64>) -> (usize, bool) {
    let completed_left = h.events.iter().any(|e| e.ret.is_some() && !placed[e.id]);
    if !completed_left {
        return (0, true);
    }
    let mut best = (0, false);
    for e in &h.events {
        if placed[e.id] {
            continue;
        }
        // Copies of one operation ([`key_part`]'s of a clear) are interchangeable: only the first
        // one not yet placed is tried.
        let copy_of_earlier = h.events[..e.id].iter().any(|o| {
            !placed[o.id] && (o.op, o.invoke, o.ret_at, &o.ret) == (e.op, e.invoke, e.ret_at, &e.ret)
        });
        if copy_of_earlier {
            continue;
        }
        let Some(next) = after(h, placed, e, map) else {
            continue;
        };
        placed[e.id] = true;
        let (d, ok) = deepest(h, placed, &next);
        placed[e.id] = false;
        if ok {
            return (d + 1, true);
        }
        best = best.max((d + 1, false));
    }
    best
}

/// Runs the threads' operations with invocations and returns interleaved by `order` (an index picks
/// the thread whose next step comes next), then finishes every thread, leaving the last operation
/// of each thread that `pending` names open when it is still open. Each operation takes effect at a
/// random point inside its interval (drawn from `seed`; a pending one half the time never does), so
/// the history is linearizable.
pub fn schedule(
    threads: &[Vec<Op>],
    order: &[usize],
    pending: impl Fn(usize) -> bool,
    seed: u64,
    initial: Vec<(u64, u64)>,
) -> History {
    schedule_with(threads, order, pending, seed, initial, 1)
}

/// [`schedule`], with each clear taking effect at 1 to `clear_points` random points of its interval
/// (a clear that is not atomic, meeting a key again that was put back).
pub fn schedule_with(
    threads: &[Vec<Op>],
    order: &[usize],
    pending: impl Fn(usize) -> bool,
    seed: u64,
    initial: Vec<(u64, u64)>,
    clear_points: u64,
) -> History {
    let n = threads.len();
    let initial: Vec<(u64, u64)> = initial
        .into_iter()
        .collect::<BTreeMap<_, _>>()
        .into_iter()
        .collect();
    // Invocation and return positions from the interleaving; then every thread is finished.
    let mut next = vec![0usize; n];
    let mut open: Vec<Option<(Op, u64)>> = vec![None; n];
    let mut done: Vec<(usize, Op, u64, Option<u64>)> = Vec::new();
    let mut clock = 0u64;
    let mut tick = |t: usize, next: &mut Vec<usize>, open: &mut Vec<Option<(Op, u64)>>, done: &mut Vec<_>| {
        if let Some((op, inv)) = open[t].take() {
            done.push((t, op, inv, Some(clock)));
        } else if next[t] < threads[t].len() {
            open[t] = Some((threads[t][next[t]], clock));
            next[t] += 1;
        }
        clock += 1;
    };
    for &t in order {
        tick(t % n, &mut next, &mut open, &mut done);
    }
    for t in 0..n {
        while next[t] < threads[t].len() || (open[t].is_some() && !pending(t)) {
            tick(t, &mut next, &mut open, &mut done);
        }
        if let Some((op, inv)) = open[t].take() {
            done.push((t, op, inv, None));
        }
    }
    done.sort_by_key(|d| d.2);
    // Effects: each operation at a random point inside its interval; a pending one half the time
    // never takes effect.
    let mut roll = lcg(seed);
    let mut effects: Vec<(u64, usize)> = Vec::new();
    for (i, (_, op, inv, ret)) in done.iter().enumerate() {
        if ret.is_none() && roll().is_multiple_of(2) {
            continue;
        }
        let span = ret.map_or(8, |x| x - inv) * 1000;
        let points = if *op == Op::Clear {
            1 + roll() % clear_points
        } else {
            1
        };
        for _ in 0..points {
            effects.push((inv * 1000 + 1 + roll() % (span - 1), i));
        }
    }
    effects.sort_unstable();
    let mut map: BTreeMap<u64, u64> = initial.iter().copied().collect();
    let mut results: Vec<Ret> = vec![Ret::Unit; done.len()];
    for (_, i) in effects {
        results[i] = apply(&mut map, &done[i].1);
    }
    let events: Vec<Event> = done
        .iter()
        .enumerate()
        .map(|(id, (t, op, inv, ret))| Event {
            id,
            thread: *t,
            op: *op,
            ret: ret.map(|_| results[id].clone()),
            invoke: *inv,
            ret_at: *ret,
            parent: None,
            visits: Vec::new(),
        })
        .collect();
    History {
        initial,
        events,
        quiescence: None,
        leaks: None,
    }
}

/// The ids of the operations of `h` that returned (the ones a test may give another result).
pub fn completed(h: &History) -> Vec<usize> {
    h.events
        .iter()
        .filter(|e| e.ret.is_some())
        .map(|e| e.id)
        .collect()
}

/// A small deterministic generator of draws from `seed`.
pub fn lcg(mut r: u64) -> impl FnMut() -> u64 {
    move || {
        r = r
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        r >> 33
    }
}

/// The history restricted to one key, as the checker judges it when clear is not atomic and
/// iteration is not a snapshot: that key's operations and every clear (which removes the key at
/// some point during the call, and once more for each operation that may put it back during the
/// call); len and iterations are left out; a retain is a remove-if of the key at some point during
/// the call for each time it removed it, or, when its result is not known, one with the same result.
pub fn key_part(h: &History, key: u64) -> History {
    key_part_with(h, key, true)
}

/// [`key_part`] without the copies of the clears: each clear once, as [`deepest_any`] reads it.
pub fn key_part_once(h: &History, key: u64) -> History {
    key_part_with(h, key, false)
}

fn key_part_with(h: &History, key: u64, copies_of_clears: bool) -> History {
    let mut events: Vec<Event> = Vec::new();
    for e in &h.events {
        if e.op.key() == Some(key) || e.op == Op::Clear {
            events.push(e.clone());
        } else if let Op::Retain { delete } = e.op {
            let rets: Vec<Option<Ret>> = match &e.ret {
                Some(Ret::Yielded(kv)) => kv
                    .iter()
                    .filter(|(k, v)| *k == key && removes(delete, *v))
                    .map(|(_, v)| Some(Ret::Value(Some(*v))))
                    .collect(),
                other => vec![other.clone()],
            };
            for ret in rets {
                events.push(Event {
                    op: Op::RemoveIf { key, delete },
                    ret,
                    ..e.clone()
                });
            }
        }
    }
    // A clear that is not atomic may take the key out again when something put it back: once more
    // for every operation on the key that may put it back (an insert, a get-or-insert, an update
    // that inserts) while the clear is running. The checker makes the same copies; `deepest_any`
    // below, which lets a clear remove the key at any number of points, is the semantics they
    // stand for.
    let open_during = |e: &Event, c: &Event| {
        let puts_back = matches!(
            e.op,
            Op::Insert { .. } | Op::GetOrInsert { .. } | Op::Update { insert: Some(_), .. }
        );
        puts_back && e.invoke < c.ret_at.unwrap_or(u64::MAX) && e.ret_at.unwrap_or(u64::MAX) > c.invoke
    };
    let mut copies = Vec::new();
    for c in events.iter().filter(|c| copies_of_clears && c.op == Op::Clear) {
        let n = events.iter().filter(|e| open_during(e, c)).count();
        copies.extend(std::iter::repeat_n(c.clone(), n));
    }
    events.extend(copies);
    for (id, e) in events.iter_mut().enumerate() {
        e.id = id;
    }
    History {
        initial: h.initial.iter().copied().filter(|(k, _)| *k == key).collect(),
        events,
        quiescence: None,
        leaks: None,
    }
}

/// The history judged whole when a clear is not atomic: each clear becomes, for each key the
/// history names, a removal of that key with an unobserved result during the clear's call, and
/// one more for each operation on the key that may put it back during the call (as in
/// [`key_part`]).
pub fn clears_split(h: &History) -> History {
    let mut keys: Vec<u64> = h.events.iter().filter_map(|e| e.op.key()).collect();
    keys.extend(h.initial.iter().map(|(k, _)| *k));
    for e in &h.events {
        if let Some(Ret::Yielded(kv)) = &e.ret {
            keys.extend(kv.iter().map(|(k, _)| *k));
        }
    }
    keys.sort_unstable();
    keys.dedup();
    let mut events: Vec<Event> = h.events.iter().filter(|e| e.op != Op::Clear).cloned().collect();
    for c in h.events.iter().filter(|e| e.op == Op::Clear) {
        for &key in &keys {
            let puts_back = h
                .events
                .iter()
                .filter(|e| e.op.key() == Some(key))
                .filter(|e| {
                    matches!(
                        e.op,
                        Op::Insert { .. } | Op::GetOrInsert { .. } | Op::Update { insert: Some(_), .. }
                    )
                })
                .filter(|e| {
                    e.invoke < c.ret_at.unwrap_or(u64::MAX) && e.ret_at.unwrap_or(u64::MAX) > c.invoke
                })
                .count();
            let removal = Event {
                op: Op::RemoveIf {
                    key,
                    delete: ValueIf::All,
                },
                ret: c.ret.as_ref().map(|_| Ret::Unobserved),
                ..c.clone()
            };
            events.extend(std::iter::repeat_n(removal, 1 + puts_back));
        }
    }
    for (id, e) in events.iter_mut().enumerate() {
        e.id = id;
    }
    History {
        initial: h.initial.clone(),
        events,
        quiescence: None,
        leaks: None,
    }
}

/// [`deepest`]'s verdict on a one-key history in which a clear is not atomic, by the semantics
/// itself: a clear takes the key out at its place in the order, and may take it out again at any
/// later place before it returns (no operation placed after it was invoked after its return).
/// The history is [`key_part`]'s without the copies of the clears.
pub fn deepest_any(h: &History, placed: &mut Vec<bool>, map: &BTreeMap<u64, u64>) -> bool {
    if !h.events.iter().any(|e| e.ret.is_some() && !placed[e.id]) {
        return true;
    }
    for e in &h.events {
        if placed[e.id] {
            continue;
        }
        let Some(next) = after(h, placed, e, map) else {
            continue;
        };
        placed[e.id] = true;
        let ok = deepest_any(h, placed, &next);
        placed[e.id] = false;
        if ok {
            return true;
        }
    }
    // A clear already placed takes the key out again, while it has not returned.
    let again = !map.is_empty()
        && h.events.iter().any(|c| {
            c.op == Op::Clear
                && placed[c.id]
                && h.events
                    .iter()
                    .all(|o| !placed[o.id] || c.ret_at.is_none_or(|r| o.invoke < r))
        });
    again && deepest_any(h, placed, &BTreeMap::new())
}

/// The reference on one history: whether it is linearizable, and the depth of its deepest sequence.
pub fn reference(h: &History) -> (usize, bool) {
    let (depth, ok) = deepest(
        h,
        &mut vec![false; h.events.len()],
        &h.initial.iter().copied().collect(),
    );
    (depth, ok)
}

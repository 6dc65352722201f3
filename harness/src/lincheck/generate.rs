//! Generated map histories with real overlap, for measuring the linearizability checker (the
//! `checker_speed` example and `cargo xtask bench` use this one generator).
//!
//! Each thread runs its operations back to back: a short gap, then an operation that lasts much
//! longer than the gap, so at almost every instant every thread has one operation open and about
//! `threads` operations overlap. Each operation takes effect at a linearization point drawn inside
//! its own interval; the results are computed by applying the operations to the sequential spec in
//! the order of those points, so the history is linearizable by construction. A violation, when
//! asked for, is one read changed to return a value its key had lost before the read began: the
//! value was replaced or removed by a write that returned before the read was invoked, and inserted
//! values are unique, so no order can explain it.

use crate::history::{DeleteIf, Event, History, Op, Ret};
use crate::seed::splitmix;
use crate::spec::SpecMap;
use crate::structure::Key;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where in the history the violation goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Placement {
    /// The first read eligible after a tenth of the operations.
    Early,
    /// The first read eligible after half of the operations.
    Middle,
    /// The last eligible read.
    Late,
}

impl fmt::Display for Placement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Placement::Early => "early",
            Placement::Middle => "middle",
            Placement::Late => "late",
        })
    }
}

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Shape {
    pub ops: usize,
    pub threads: usize,
    /// Keys the single-key operations draw from (at least 1).
    pub keys: u64,
    /// Operations per thousand that are whole-map: len, clear and a snapshot iteration in equal
    /// shares. The rest are insert (35%), get (40%) and remove (25%) on a random key.
    pub whole_map_permille: u32,
    /// A violation and where it goes; `None` for a linearizable history.
    pub violation: Option<Placement>,
}

/// A generated history and what was done to it.
#[derive(Debug, Clone)]
pub struct Generated {
    pub history: History,
    /// The event whose result was changed, when a violation was asked for and a read was eligible.
    pub corrupted: Option<usize>,
    pub overlap: Overlap,
}

/// How many operations are open at once, over the whole history: sampled after every invocation
/// and return, in the history's own order.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Overlap {
    pub mean: f64,
    pub max: usize,
}

/// Measures [`Overlap`] on any history (a pending operation stays open to the end).
pub fn overlap(h: &History) -> Overlap {
    let mut points: Vec<(u64, i64)> = Vec::with_capacity(h.events.len() * 2);
    for e in &h.events {
        points.push((e.invoke, 1));
        if let Some(r) = e.ret_at {
            points.push((r, -1));
        }
    }
    points.sort_unstable();
    let (mut open, mut sum, mut max) = (0i64, 0i64, 0i64);
    for (_, d) in &points {
        open += d;
        sum += open;
        max = max.max(open);
    }
    Overlap {
        mean: if points.is_empty() {
            0.0
        } else {
            sum as f64 / points.len() as f64
        },
        max: max as usize,
    }
}

/// One operation before its result is known.
struct Planned {
    thread: usize,
    op: Op,
    invoke: u64,
    ret_at: u64,
    /// The linearization point, strictly inside `(invoke, ret_at)`.
    point: u64,
}

/// Gap between a thread's operations and an operation's duration, in time units: the duration
/// dwarfs the gap, so a thread has an operation open about 93% of the time.
const GAP: (u64, u64) = (1, 4);
const DURATION: (u64, u64) = (16, 48);
/// Time units are subdivided this finely for linearization points, so that points are distinct.
const FINE: u64 = 1 << 16;

fn between(rng: &mut u64, (lo, hi): (u64, u64)) -> u64 {
    lo + splitmix(rng) % (hi - lo + 1)
}

/// Generates a history of `shape.ops` operations over `shape.threads` threads from `seed`.
pub fn generate(shape: &Shape, seed: u64) -> Generated {
    let threads = shape.threads.max(1);
    let keys = shape.keys.max(1);
    let mut rng = seed ^ 0x6d61_7063_6865_636b;
    let mut planned: Vec<Planned> = Vec::with_capacity(shape.ops);
    let mut clock: Vec<u64> = (0..threads).map(|_| between(&mut rng, (0, DURATION.1))).collect();
    for i in 0..shape.ops {
        let thread = i % threads;
        let invoke = clock[thread] + between(&mut rng, GAP);
        let ret_at = invoke + between(&mut rng, DURATION);
        clock[thread] = ret_at;
        let span = (ret_at - invoke) * FINE;
        let point = invoke * FINE + 1 + splitmix(&mut rng) % (span - 1);
        let key: Key = splitmix(&mut rng) % keys;
        let roll = splitmix(&mut rng) % 1000;
        let op = if roll < u64::from(shape.whole_map_permille) {
            match roll % 3 {
                0 => Op::Len,
                1 => Op::Clear,
                _ => Op::Iterate {
                    delete: DeleteIf::Nothing,
                },
            }
        } else {
            match splitmix(&mut rng) % 20 {
                0..=6 => Op::Insert {
                    key,
                    // Unique values: the violation relies on a value never coming back.
                    value: i as u64 + 1,
                },
                7..=14 => Op::Get { key },
                _ => Op::Remove { key },
            }
        };
        planned.push(Planned {
            thread,
            op,
            invoke,
            ret_at,
            point,
        });
    }
    // Results at the linearization points.
    let mut by_point: Vec<usize> = (0..planned.len()).collect();
    by_point.sort_unstable_by_key(|&i| (planned[i].point, i));
    let mut spec = SpecMap::default();
    let mut results: Vec<Option<Ret>> = vec![None; planned.len()];
    for &i in &by_point {
        results[i] = Some(spec.apply(&planned[i].op));
    }
    // Positions: every invocation and return ranked by time (an invocation before a return at the
    // same time, so operations that touch at an instant count as overlapping).
    let mut ends: Vec<(u64, bool, usize)> = Vec::with_capacity(planned.len() * 2);
    for (i, p) in planned.iter().enumerate() {
        ends.push((p.invoke, false, i));
        ends.push((p.ret_at, true, i));
    }
    ends.sort_unstable();
    let mut invoke_pos = vec![0u64; planned.len()];
    let mut ret_pos = vec![0u64; planned.len()];
    for (pos, (_, is_ret, i)) in ends.iter().enumerate() {
        if *is_ret {
            ret_pos[*i] = pos as u64;
        } else {
            invoke_pos[*i] = pos as u64;
        }
    }
    let mut order: Vec<usize> = (0..planned.len()).collect();
    order.sort_unstable_by_key(|&i| invoke_pos[i]);
    let mut events: Vec<Event> = order
        .iter()
        .enumerate()
        .map(|(id, &i)| Event {
            id,
            thread: planned[i].thread,
            op: planned[i].op,
            ret: results[i].take(),
            invoke: invoke_pos[i],
            ret_at: Some(ret_pos[i]),
            parent: None,
            visits: Vec::new(),
        })
        .collect();
    let corrupted = shape.violation.and_then(|at| corrupt(&mut events, at));
    let history = History {
        initial: Vec::new(),
        events,
        quiescence: None,
        leaks: None,
    };
    let overlap = overlap(&history);
    Generated {
        history,
        corrupted,
        overlap,
    }
}

/// Changes one read to return a value its key had lost before the read was invoked: the previous
/// value of the last write to that key (an insert that replaced a value, or a remove that took
/// one) that returned before the read began. Returns the read's event id.
fn corrupt(events: &mut [Event], at: Placement) -> Option<usize> {
    let stale = |events: &[Event], g: usize| -> Option<u64> {
        let Op::Get { key } = events[g].op else {
            return None;
        };
        let begin = events[g].invoke;
        // Events are in invocation order; a write that returned before `begin` was invoked before it.
        events[..g]
            .iter()
            .rev()
            .filter(|w| w.ret_at.is_some_and(|r| r < begin))
            .find(|w| matches!(w.op, Op::Insert { key: k, .. } | Op::Remove { key: k } if k == key))
            .and_then(|w| match w.ret {
                Some(Ret::Value(Some(old))) => Some(old),
                _ => None,
            })
    };
    let n = events.len();
    let pick = match at {
        Placement::Early => (n / 10..n).find_map(|g| stale(events, g).map(|v| (g, v))),
        Placement::Middle => (n / 2..n).find_map(|g| stale(events, g).map(|v| (g, v))),
        Placement::Late => (0..n).rev().find_map(|g| stale(events, g).map(|v| (g, v))),
    };
    let (g, old) = pick?;
    events[g].ret = Some(Ret::Value(Some(old)));
    Some(g)
}

//! Measures the linearizability checker on generated map histories: `cargo run --release -p
//! mapcheck-harness --example checker_speed -- [OPS] [THREADS] [KEYS]` (default 100000 8 64).
//!
//! The history is made linearizable by construction: operations are applied to the spec in order,
//! each at its linearization point, and each thread's invocation and return are placed around that
//! point without overlapping the thread's previous operation.

use mapcheck_harness::engine::splitmix;
use mapcheck_harness::history::{Event, History, Op};
use mapcheck_harness::lincheck::{check, LinOptions};
use mapcheck_harness::spec::SpecMap;
use std::time::Instant;

fn generate(ops: usize, threads: usize, keys: u64, seed: u64) -> History {
    let mut rng = seed;
    let mut spec = SpecMap::default();
    let mut prev_ret = vec![0u64; threads];
    let mut events = Vec::with_capacity(ops);
    let spacing = 64u64;
    for j in 0..ops {
        let t = (splitmix(&mut rng) % threads as u64) as usize;
        let point = (j as u64 + 1) * spacing * threads as u64;
        let spread = spacing * threads as u64 / 2;
        let invoke = (point - 1 - splitmix(&mut rng) % spread).max(prev_ret[t] + 1);
        if invoke >= point {
            continue;
        }
        let ret_at = point + 1 + splitmix(&mut rng) % spread;
        let key = splitmix(&mut rng) % keys;
        let op = match splitmix(&mut rng) % 3 {
            0 => Op::Insert { key, value: j as u64 },
            1 => Op::Remove { key },
            _ => Op::Get { key },
        };
        let ret = spec.apply(&op);
        prev_ret[t] = ret_at;
        // Positions are made unique by the thread index in the low bits.
        events.push(Event {
            id: 0,
            thread: t,
            op,
            ret: Some(ret),
            invoke: invoke * 16 + t as u64,
            ret_at: Some(ret_at * 16 + t as u64),
            parent: None,
            visits: Vec::new(),
        });
    }
    events.sort_by_key(|e| e.invoke);
    for (i, e) in events.iter_mut().enumerate() {
        e.id = i;
    }
    History {
        initial: vec![],
        events,
        quiescence: None,
        leaks: None,
    }
}

fn main() {
    let args: Vec<u64> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let ops = *args.first().unwrap_or(&100_000) as usize;
    let threads = *args.get(1).unwrap_or(&8) as usize;
    let keys = *args.get(2).unwrap_or(&64);
    let h = generate(ops, threads, keys, 7);
    let n = h.events.len();
    let started = Instant::now();
    let v = check(&h, LinOptions::default()).expect("well-formed");
    let secs = started.elapsed().as_secs_f64();
    println!(
        "linearizable history: {n} ops, {threads} threads, {keys} keys: {v:?} in {secs:.3}s ({:.0} ops/s)",
        n as f64 / secs
    );
    // The same history with one read's result changed to a value never written.
    let mut bad = h.clone();
    if let Some(e) = bad
        .events
        .iter_mut()
        .rev()
        .find(|e| matches!(e.op, Op::Get { .. }))
    {
        e.ret = Some(mapcheck_harness::Ret::Value(Some(u64::MAX)));
    }
    let started = Instant::now();
    let v = check(&bad, LinOptions::default()).expect("well-formed");
    let secs = started.elapsed().as_secs_f64();
    let kind = match v {
        mapcheck_harness::lincheck::LinVerdict::Violation(_) => "violation",
        mapcheck_harness::lincheck::LinVerdict::Ok => "ok (wrong!)",
        mapcheck_harness::lincheck::LinVerdict::Unknown { .. } => "unknown",
    };
    println!(
        "non-linearizable history: {kind} in {secs:.3}s ({:.0} ops/s)",
        n as f64 / secs
    );
}

//! Measures the linearizability checker on generated map histories with real overlap:
//! `cargo run --release -p mapcheck-harness --example checker_speed -- [OPS] [THREADS] [KEYS]
//! [WHOLE_MAP_PERMILLE]` (default 100000 8 64 0).
//!
//! The histories come from `lincheck::generate` (about THREADS operations open at once, each
//! linearized inside its interval). The linearizable history is checked, then the same history with
//! a stale read placed early, in the middle and late.

use mapcheck_harness::lincheck::generate::{generate, Placement, Shape};
use mapcheck_harness::lincheck::{check, LinOptions, LinVerdict};
use std::time::Instant;

fn main() {
    let args: Vec<u64> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let mut shape = Shape {
        ops: *args.first().unwrap_or(&100_000) as usize,
        threads: *args.get(1).unwrap_or(&8) as usize,
        keys: *args.get(2).unwrap_or(&64),
        whole_map_permille: *args.get(3).unwrap_or(&0) as u32,
        violation: None,
    };
    for violation in [
        None,
        Some(Placement::Early),
        Some(Placement::Middle),
        Some(Placement::Late),
    ] {
        shape.violation = violation;
        let g = generate(&shape, 7);
        let started = Instant::now();
        let v = check(&g.history, LinOptions::default()).expect("well-formed");
        let secs = started.elapsed().as_secs_f64();
        let verdict = match (&v, violation) {
            (LinVerdict::Ok, None) | (LinVerdict::Violation(_), Some(_)) => "correct",
            (LinVerdict::Unknown { .. }, _) => "unknown",
            _ => "WRONG",
        };
        let what = violation.map_or("linearizable".to_string(), |p| format!("violation {p}"));
        let kind = match v {
            LinVerdict::Ok => "ok".to_string(),
            LinVerdict::Violation(_) => "violation".to_string(),
            LinVerdict::Unknown { steps } => format!("unknown after {steps} steps"),
        };
        println!(
            "{what:>18}: {} ops, {} threads, {} keys, overlap mean {:.2} max {}: {kind} ({verdict}) in {secs:.3}s",
            g.history.events.len(),
            shape.threads,
            shape.keys,
            g.overlap.mean,
            g.overlap.max,
        );
    }
}

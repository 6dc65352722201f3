//! What loom's exhaustive exploration costs per model: schedules and wall time to exhaust each model
//! at the loom size, for the structures and preemption bounds given, as a Markdown table.
//!
//! `cargo run --release -p mapcheck-models --example loom_cost -- [--bound N]... [STRUCTURE]...`
//! (default: bounds 2 and 3, structures `locked` and `slots`). A cell that does not finish within
//! ten minutes or 10,000,000 schedules says so.

use mapcheck_harness::{Engine, Limits, Size, Verdict};
use mapcheck_models::patterns::MODELS;
use std::time::Duration;

fn main() {
    let mut bounds = Vec::new();
    let mut names = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--bound" => match args.next().and_then(|b| b.parse().ok()) {
                Some(b) => bounds.push(b),
                None => {
                    eprintln!("error: --bound takes a whole number");
                    std::process::exit(2);
                }
            },
            _ => names.push(a),
        }
    }
    if bounds.is_empty() {
        bounds = vec![2, 3];
    }
    if names.is_empty() {
        names = vec!["locked".into(), "slots".into()];
    }
    let limits = Limits {
        max_schedules: 10_000_000,
        budget: Duration::from_secs(600),
        max_steps: 100_000,
        ..Limits::default()
    };
    println!("| structure | model | bound | schedules | exhausted | verdict | seconds |");
    println!("|---|---|---|---|---|---|---|");
    for name in &names {
        let Some(entry) = mapcheck_models::structure(name) else {
            eprintln!("error: no built-in structure named `{name}`");
            std::process::exit(2);
        };
        for &bound in &bounds {
            for m in MODELS {
                let w = (m.build)(Size::LOOM);
                let o = (entry.run)(
                    &w,
                    Engine::Loom {
                        preemption_bound: bound,
                    },
                    limits,
                );
                let verdict = match &o.verdict {
                    Verdict::Pass => "pass".to_string(),
                    Verdict::Fail(f) => format!("fail: {}", f.oracle),
                    Verdict::Unknown { reason } => format!("unknown: {reason}"),
                    Verdict::NotApplicable { reason } => format!("n/a: {reason}"),
                };
                println!(
                    "| {name} | {} | {bound} | {} | {} | {verdict} | {:.2} |",
                    m.name,
                    o.schedules,
                    if o.exhausted { "yes" } else { "no" },
                    o.elapsed.as_secs_f64()
                );
            }
        }
    }
}

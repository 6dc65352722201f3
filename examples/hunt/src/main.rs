//! `cargo xtask hunt [NAME...] [--seed N]... [--budget SECONDS]`: checks each adapter of
//! `mapcheck_hunt::maps` through mapcheck's front door on real threads, with the default budget
//! and seeds 42 and 7 unless told otherwise, and prints per crate what it declares, the runs and
//! the result, then one table.

use mapcheck_hunt::maps::ALL;
use mapcheck_hunt::Hunted;
use std::process::ExitCode;
use std::time::Duration;

#[global_allocator]
static ALLOC: mapcheck::CountingAllocator = mapcheck::CountingAllocator;

fn main() -> ExitCode {
    let mut seeds = Vec::new();
    let mut budget = None;
    let mut names = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let value = |args: &mut dyn Iterator<Item = String>, what: &str| -> Option<String> {
            let v = args.next();
            if v.is_none() {
                eprintln!("hunt: {a} needs {what}");
            }
            v
        };
        match a.as_str() {
            "--seed" => match value(&mut args, "a number").and_then(|v| v.parse().ok()) {
                Some(s) => seeds.push(s),
                None => return usage("--seed takes a number"),
            },
            "--budget" => match value(&mut args, "seconds").and_then(|v| v.parse::<f64>().ok()) {
                Some(s) if s > 0.0 => budget = Some(Duration::from_secs_f64(s)),
                _ => return usage("--budget takes a positive number of seconds"),
            },
            "--list" => {
                for (name, declared, _) in ALL {
                    println!("{name}: {}", declared());
                }
                return ExitCode::SUCCESS;
            }
            name if ALL.iter().any(|(n, _, _)| *n == name) => names.push(name.to_string()),
            other => return usage(&format!("unknown argument or adapter `{other}`")),
        }
    }
    if seeds.is_empty() {
        seeds = vec![42, 7];
    }
    let mut rows: Vec<Hunted> = Vec::new();
    for (name, declared, hunt) in ALL {
        if !names.is_empty() && !names.iter().any(|n| n == name) {
            continue;
        }
        println!("== {name}\ndeclared: {}", declared());
        for &seed in &seeds {
            let h = hunt(seed, budget);
            println!(
                "seed {seed}: {} runs, {} of {} cells passed",
                h.runs, h.passed, h.cells
            );
            for (model, reason) in &h.not_applicable {
                println!("  n/a {model}: {reason}");
            }
            for f in &h.findings {
                println!("  FINDING {f}");
            }
            for f in &h.failures {
                println!("  FAIL {f}");
            }
            rows.push(h);
        }
        println!();
    }
    println!("| adapter | seed | runs | cells passed | n/a | findings | failures |");
    println!("|---|---|---|---|---|---|---|");
    for h in &rows {
        println!(
            "| `{}` | {} | {} | {} of {} | {} | {} | {} |",
            h.name,
            h.seed,
            h.runs,
            h.passed,
            h.cells,
            h.not_applicable.len(),
            h.findings.len(),
            h.failures.len()
        );
    }
    if rows.iter().any(|h| !h.failures.is_empty()) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("hunt: {problem}\nusage: hunt [NAME...] [--seed N]... [--budget SECONDS] [--list]");
    ExitCode::from(2)
}

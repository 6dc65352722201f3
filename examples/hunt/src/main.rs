//! `cargo xtask hunt [NAME...] [--seed N]... [--budget SECONDS]`: checks each adapter of
//! `mapcheck_hunt::maps` through mapcheck's front door on real threads, with the default budget
//! and seeds 42 and 7 unless told otherwise, and prints per crate what it declares, the runs and
//! the result, then one table. Each adapter runs in a child process of its own (this program
//! again, naming it), so that the threads of a run that hangs (real threads cannot be cancelled)
//! stop spinning when its check ends instead of slowing every later crate.

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
    let selected: Vec<&str> = ALL
        .iter()
        .map(|(n, _, _)| *n)
        .filter(|n| names.is_empty() || names.iter().any(|m| m == n))
        .collect();
    if selected.len() > 1 {
        return in_children(&selected, &seeds, budget);
    }
    let mut rows: Vec<Hunted> = Vec::new();
    for (name, declared, hunt) in ALL {
        if !selected.contains(name) {
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
    println!("{HEADER}");
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

const HEADER: &str =
    "| adapter | seed | runs | cells passed | n/a | findings | failures |\n|---|---|---|---|---|---|---|";

/// Runs each adapter in a child process (this program, naming it and the same seeds and budget),
/// prints what each printed, then the table of all their rows.
fn in_children(names: &[&str], seeds: &[u64], budget: Option<Duration>) -> ExitCode {
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => {
            eprintln!("hunt: cannot find this program to start it again: {e}");
            return ExitCode::from(2);
        }
    };
    let mut rows = Vec::new();
    let mut failed = false;
    for name in names {
        let mut child = std::process::Command::new(&exe);
        child.arg(name);
        for s in seeds {
            child.args(["--seed", &s.to_string()]);
        }
        if let Some(b) = budget {
            child.args(["--budget", &b.as_secs_f64().to_string()]);
        }
        let out = match child.stderr(std::process::Stdio::inherit()).output() {
            Ok(out) => out,
            Err(e) => {
                eprintln!("hunt: cannot start the check of {name}: {e}");
                return ExitCode::from(2);
            }
        };
        failed |= !out.status.success();
        let text = String::from_utf8_lossy(&out.stdout);
        let (report, table) = text.split_once(HEADER).unwrap_or((&text, ""));
        print!("{report}");
        rows.extend(table.lines().filter(|l| l.starts_with("| `")).map(str::to_string));
        if table.is_empty() {
            println!("({name}: the check ended without its table: {})\n", out.status);
            failed = true;
        }
    }
    println!("{HEADER}");
    for r in rows {
        println!("{r}");
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("hunt: {problem}\nusage: hunt [NAME...] [--seed N]... [--budget SECONDS] [--list]");
    ExitCode::from(2)
}

//! The mapcheck command line: the check matrix, replay of a failure, and listings.
//!
//! `cargo xtask check` and `cargo xtask replay` build this binary in release mode and run it.

mod scenario;

use anyhow::{bail, Result};
use clap::{Parser, Subcommand};
use mapcheck::isolate::Isolation;
use mapcheck::outcome::{CellResult, Reach};
use mapcheck::plan::{Event, Plan};
use mapcheck::runner::{failures_dir, replay, replay_input, CellSpec};
use mapcheck::Registry;
use mapcheck_harness::{Engine, Size, Verdict};
use mapcheck_harness::{EngineSpec, Entry};
use mapcheck_models::patterns::{Model, MODELS};
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

mod cells;
mod progress;
mod summary;

/// The leak oracle needs to see every allocation.
#[global_allocator]
static ALLOC: mapcheck_harness::alloc::Counting = mapcheck_harness::alloc::Counting;

#[derive(Parser)]
#[command(
    name = "mapcheck",
    about = "Checks concurrent maps for lost deletes, iteration anomalies and leaks"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run every model on every structure under every engine and print the matrix of verdicts.
    Check(CheckArgs),
    /// Run one failure again, from its replay token or its record file.
    Replay {
        /// A token (`mc1-...`) or a path under target/mapcheck/failures/.
        token_or_file: String,
    },
    /// List the models, structures and engines.
    List,
    /// Scenario files: list, run, import.
    #[command(subcommand)]
    Scenario(scenario::Command),
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Only these models (repeatable).
    #[arg(long = "model")]
    models: Vec<String>,
    /// Only these structures (repeatable); an adapter's name selects it.
    #[arg(long = "structure")]
    structures: Vec<String>,
    /// Add the third-party adapters (dashmap, papaya, scc, flurry, ...) to the matrix.
    #[arg(long)]
    adapters: bool,
    /// Only these engines (repeatable): loom, loom:BOUND, shuttle-random, shuttle-pct,
    /// shuttle-pct:DEPTH, shuttle-dfs, threads.
    #[arg(long = "engine")]
    engines: Vec<String>,
    /// Wall-clock budget in seconds for the whole matrix, shared evenly between its cells (at most
    /// 86400, a day).
    #[arg(long, value_parser = parse_budget, default_value = "60")]
    budget: Duration,
    /// Seed for shuttle's random and PCT schedulers and the thread engine's jitter.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Print one JSON object per cell instead of the matrix.
    #[arg(long)]
    json: bool,
    /// Run shard K of N (1-based), for N machines sharing one exploration: each shard's shuttle and
    /// thread seed is a hash of the seed, K and N, so shards (and seeds) explore different schedules;
    /// loom and shuttle-dfs, deterministic, run on shard 1 only.
    #[arg(long, value_parser = parse_shard, default_value = "1/1")]
    shard: (u64, u64),
}

fn parse_budget(s: &str) -> Result<Duration, String> {
    let secs: f64 = s.trim().parse().map_err(|_| {
        format!(
            "--budget takes seconds as a number (60, 2.5), found `{}`",
            mapcheck::bounds::excerpt(s, 40)
        )
    })?;
    mapcheck::bounds::budget_secs("--budget", secs)
}

fn parse_shard(s: &str) -> Result<(u64, u64), String> {
    let bad = || {
        format!(
            "--shard takes K/N with 1 <= K <= N, found `{}`",
            mapcheck::bounds::excerpt(s, 40)
        )
    };
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let (k, n): (u64, u64) = (
        k.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if k == 0 || n == 0 || k > n {
        return Err(bad());
    }
    Ok((k, n))
}

fn main() -> ExitCode {
    let registry = match Registry::of(mapcheck_models::structures()).with(mapcheck_adapters::structures()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    // Started again by a check to run one real-thread cell in a process of its own.
    if let Some(order) = mapcheck::isolate::order() {
        if let (Some(entry), Some(m)) = (
            registry.get(&order.structure),
            mapcheck_models::patterns::model(&order.model),
        ) {
            let spec = CellSpec::of_model(m, entry, order.engine, order.size, order.limits, order.shrink);
            mapcheck::isolate::serve(&spec, &order);
        }
        return ExitCode::from(2);
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Help and version go where clap sends them; an error is printed with its lines cut, as
        // clap quotes the offending value whole.
        Err(e) if !e.use_stderr() => e.exit(),
        Err(e) => {
            use clap::error::{ContextKind, ContextValue};
            let source = std::error::Error::source(&e).map(|s| s.to_string());
            let context = |kind| match e.get(kind) {
                Some(ContextValue::String(s)) => Some(s.clone()),
                _ => None,
            };
            let (arg, value) = (
                context(ContextKind::InvalidArg),
                context(ContextKind::InvalidValue),
            );
            let message = match (source, arg, value) {
                (Some(source), Some(arg), Some(value)) => format!(
                    "error: invalid value '{}' for '{arg}': {source}",
                    mapcheck::bounds::excerpt(&value, 40),
                ),
                _ => e.render().to_string().trim_end().to_string(),
            };
            eprintln!("{}", short_lines(&message));
            return ExitCode::from(2);
        }
    };
    let r = match cli.command {
        Command::Check(args) => check(&registry, args),
        Command::Replay { token_or_file } => replay_cmd(&registry, &token_or_file),
        Command::List => list(&registry),
        Command::Scenario(cmd) => scenario::main(&registry, cmd),
    };
    match r {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", short_lines(&format!("{e:#}")));
            ExitCode::from(2)
        }
    }
}

/// An error as printed: each line cut below 200 characters, so that no input echoed into a message
/// (a name, a path, a value) can make it long; the messages are written to say what was wrong
/// first.
fn short_lines(text: &str) -> String {
    let lines: Vec<String> = text
        .lines()
        .map(|l| {
            if l.chars().count() < 200 {
                return l.to_string();
            }
            let cut: String = l.chars().take(196).collect();
            // A coloured diagnostic's line may be cut inside a colour: reset it.
            let reset = if l.contains('\u{1b}') { "\u{1b}[0m" } else { "" };
            format!("{cut}...{reset}")
        })
        .collect();
    lines.join("\n")
}

fn pick<'a, T>(all: &'a [T], wanted: &[String], name: impl Fn(&T) -> &str, what: &str) -> Result<Vec<&'a T>> {
    for w in wanted {
        if !all.iter().any(|x| name(x) == w) {
            let names: Vec<&str> = all.iter().map(&name).collect();
            bail!("--{what}: {}", mapcheck::bounds::unknown_name(what, w, &names));
        }
    }
    Ok(all
        .iter()
        .filter(|x| wanted.is_empty() || wanted.iter().any(|w| w == name(x)))
        .collect())
}

fn check(registry: &Registry, args: CheckArgs) -> Result<ExitCode> {
    let models = pick(MODELS, &args.models, |m: &Model| m.name, "model")?;
    let builtin = mapcheck_models::structures();
    let structures: Vec<&Entry> = pick(
        registry.entries(),
        &args.structures,
        |e: &Entry| e.info.name,
        "structure",
    )?
    .into_iter()
    .filter(|e| {
        // The third-party adapters join the matrix when asked for, by name or with --adapters.
        !args.structures.is_empty() || args.adapters || builtin.iter().any(|b| b.info.name == e.info.name)
    })
    .collect();
    let engines: Vec<EngineSpec> = if args.engines.is_empty() {
        EngineSpec::ALL.to_vec()
    } else {
        args.engines
            .iter()
            .map(|e| EngineSpec::parse(e).map_err(|m| anyhow::anyhow!("--engine: {m}")))
            .collect::<Result<_>>()?
    };
    let plan = Plan {
        models,
        structures,
        engines,
        budget: args.budget,
        seed: args.seed,
        shard: args.shard,
        dir: failures_dir(),
        shrink: true,
        // Each real-thread cell in a `mapcheck` process of its own: a hung run ends with it.
        isolation: match std::env::current_exe() {
            Ok(exe) if std::env::var("MAPCHECK_ISOLATE").map_or(true, |v| v.trim() != "0") => {
                Isolation::Child(vec![exe.display().to_string()])
            }
            _ => Isolation::None,
        },
    };
    let engine_names: Vec<String> = plan.engines.iter().map(|e| e.family().to_string()).collect();
    let started = Instant::now();
    if !args.json {
        println!(
            "mapcheck check: {} model(s) x {} structure(s) x {} engine(s), seed {}, shard {}/{}, budget {:.0}s ({:.2}s per cell)",
            plan.models.len(),
            plan.structures.len(),
            plan.engines.len(),
            args.seed,
            args.shard.0,
            args.shard.1,
            args.budget.as_secs_f64(),
            plan.per_cell().as_secs_f64()
        );
        let specs: Vec<String> = plan.engines.iter().map(|e| e.to_string()).collect();
        println!(
            "engines: {}; sizes: loom and shuttle-dfs {:?}, shuttle {:?}, threads {:?}\n",
            specs.join(", "),
            Size::LOOM,
            Size::SHUTTLE,
            Size::THREADS
        );
    }
    let mut ok = true;
    let mut reports = Vec::new();
    let mut unknowns: Vec<String> = Vec::new();
    let mut missed: Vec<String> = Vec::new();
    let mut unreached: Vec<String> = Vec::new();
    // Cells not applicable because the model calls an operation the structure declares absent.
    let mut not_applicable: Vec<String> = Vec::new();
    // Reclamation findings (not failures), one per model and structure.
    let mut findings: Vec<(String, usize, String)> = Vec::new();
    let mut totals = summary::Summary::default();
    let mut progress = progress::Progress::new(
        "cells",
        (plan.models.len() * plan.structures.len() * plan.engines.len()) as u64,
        Some(plan.budget),
    );
    let mut rows: Vec<(String, Vec<String>)> = Vec::new();
    let mut row: Vec<String> = Vec::new();
    plan.run(|event| {
        match event {
            Event::Model(model) => {
                progress.stage(&format!("model {}", model.name));
                rows.clear();
            }
            Event::Cell {
                model,
                structure,
                spec,
                engine,
                size,
                cell,
            } => {
                let o = &cell.outcome;
                let r = &cell.result;
                ok &= r.as_expected();
                totals.add(r, o.schedules);
                progress.step(o.schedules as u64, o.verdict.is_fail(), !r.as_expected());
                if let CellResult::Unknown { runs, reason } = r {
                    unknowns.push(format!(
                        "unknown: {} on {} under {}: {runs} run(s) without a verdict ({reason})",
                        model.name,
                        structure.info.name,
                        spec.family()
                    ));
                }
                if let (CellResult::NotApplicable { reason }, Some(engine)) = (r, engine) {
                    if (structure.not_applicable)(&engine).is_none() {
                        not_applicable.push(format!(
                            "n/a: {} on {} under {}: {reason}",
                            model.name,
                            structure.info.name,
                            spec.family()
                        ));
                    }
                }
                if args.json {
                    let line = cells::json(model, structure, spec, engine, size, &cell);
                    progress.suspend(|| {
                        println!("{line}");
                        let _ = std::io::stdout().flush();
                    });
                }
                // Known behaviours, one line per cell that showed them.
                for f in &o.findings {
                    let key = format!(
                        "{} on {} under {}: {}",
                        structure.info.name,
                        model.name,
                        spec.family(),
                        f.oracle
                    );
                    findings.push((
                        key.clone(),
                        size.ops,
                        format!(
                            "{key} (declared: {}): in {} of {} run(s); the first: {}",
                            f.declared, f.runs, o.schedules, f.first
                        ),
                    ));
                }
                // One finding per structure and model, at the largest size run (a mutant's are
                // its base structure's, and not repeated).
                if let Some(f) = cell.finding.as_ref().filter(|_| structure.info.mutant.is_none()) {
                    let key = format!("{} on {}", structure.info.name, model.name);
                    let line = format!(
                        "{key} ({} threads x {} ops, {} keys): {f}",
                        size.threads, size.ops, size.keys
                    );
                    match findings.iter_mut().find(|(k, _, _)| *k == key) {
                        Some(found) if found.1 < size.ops => *found = (key, size.ops, line),
                        Some(_) => {}
                        None => findings.push((key, size.ops, line)),
                    }
                }
                if let Some(recorded) = &cell.record {
                    totals.records += usize::from(recorded.path.is_ok());
                    totals.records_unwritten += usize::from(recorded.path.is_err());
                    if !structure.info.expected_to_fail() || recorded.path.is_err() {
                        reports.push(recorded.render());
                    }
                }
                row.push(r.text(o.schedules));
                if row.len() == engine_names.len() {
                    let tag = if structure.info.expected_to_fail() {
                        " (expected to fail)"
                    } else {
                        ""
                    };
                    rows.push((format!("{}{tag}", structure.info.name), std::mem::take(&mut row)));
                }
                if rows.len() == plan.structures.len() && row.is_empty() {
                    if !args.json {
                        progress.suspend(|| print_matrix(model.name, &engine_names, &rows));
                    }
                    progress.milestone(&format!("model {} done", model.name));
                }
            }
            Event::Reach {
                model,
                structure,
                reach,
            } => match reach {
                Reach::Caught | Reach::NotApplicable => {}
                Reach::MissedByAll { ran } => {
                    ok = false;
                    totals.mutants_missed += 1;
                    missed.push(format!(
                        "MISSED by every engine that applies ({}): {} on {}",
                        ran.join(", "),
                        structure.info.name,
                        model.name
                    ));
                }
                Reach::NotReached { ran, not_run } => {
                    totals.mutants_unreached += 1;
                    unreached.push(format!(
                        "not reached by this selection: {} on {} (ran: {}; not run here: {})",
                        structure.info.name,
                        model.name,
                        if ran.is_empty() {
                            "none".into()
                        } else {
                            ran.join(", ")
                        },
                        not_run.join(", ")
                    ));
                }
            },
        }
        std::ops::ControlFlow::Continue(())
    });
    progress.finish();
    let dir = &plan.dir;
    if args.json {
        println!("{}", totals.json(started.elapsed(), dir, ok));
        return Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE });
    }
    for r in &reports {
        println!("{r}");
    }
    println!(
        "cells: pass N = N schedules judged correct, `all` only when the engine exhausted its bounded space;"
    );
    println!(
        "cells: caught = an expected failure was found; unknown = runs without a verdict (never a pass);"
    );
    println!("cells: missed = a bounded exploration did not reach the planted bug; MISSED = an exhaustive one did not.");
    for n in &not_applicable {
        println!("{n}");
    }
    for u in &unknowns {
        println!("{u}");
    }
    for m in &missed {
        println!("{m}");
    }
    for m in &unreached {
        println!("{m}");
    }
    for (_, _, f) in &findings {
        println!("FINDING (declared, not a failure) {f}");
    }
    if !ok {
        println!("RESULT: a correct structure failed or a planted bug went undetected");
    }
    println!("{}", totals.text(started.elapsed(), dir));
    if let Some(line) = mapcheck_harness::engine::watchdog::stats().line() {
        println!("{line}");
    }
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn print_matrix(model: &str, engines: &[String], rows: &[(String, Vec<String>)]) {
    let first = rows.iter().map(|r| r.0.len()).max().unwrap_or(9).max(9);
    let widths: Vec<usize> = (0..engines.len())
        .map(|i| {
            rows.iter()
                .map(|r| r.1[i].len())
                .max()
                .unwrap_or(0)
                .max(engines[i].len())
        })
        .collect();
    println!("model {model}");
    print!("{:<first$}", "structure");
    for (e, w) in engines.iter().zip(&widths) {
        print!(" | {:<w$}", e);
    }
    println!();
    for (name, cells) in rows {
        print!("{name:<first$}");
        for (c, w) in cells.iter().zip(&widths) {
            print!(" | {c:<w$}");
        }
        println!();
    }
    println!();
}

fn replay_cmd(registry: &Registry, arg: &str) -> Result<ExitCode> {
    let input = replay_input(registry, arg).map_err(anyhow::Error::msg)?;
    let t = &input.token;
    let differs = input.fingerprint_differences();
    if !differs.is_empty() {
        println!(
            "note: this record was made by another build ({}); the replay runs the code built now",
            differs.join("; ")
        );
    }
    let pinned = match &t.pinned {
        mapcheck_harness::Pinned::Loom { execution } => format!("permutation {execution}"),
        mapcheck_harness::Pinned::Shuttle { seed, steps } => format!(
            "schedule {} ({} steps, seed {seed})",
            mapcheck::bounds::excerpt(steps, 60),
            steps.len()
        ),
        mapcheck_harness::Pinned::Threads { iteration } => format!("iteration {iteration}"),
    };
    println!(
        "replaying model {} on {} with {} ({pinned})",
        mapcheck::bounds::excerpt(&t.model, 60),
        t.structure,
        t.engine
    );
    let threads = matches!(t.pinned, mapcheck_harness::Pinned::Threads { .. });
    if threads {
        if let Some(orig) = &input.original {
            let v = mapcheck::runner::recheck(registry, orig).map_err(anyhow::Error::msg)?;
            println!(
                "recorded history rechecked: {}",
                match &v {
                    Verdict::Fail(f) => format!("fails {}: {}", f.oracle, f.summary),
                    other => format!("{other:?}"),
                }
            );
        }
        println!(
            "real threads do not replay step for step: this is a rerun of the same workload with the same seed \
             and iteration, which may or may not fail again"
        );
    }
    let mut progress = progress::Progress::new("run", 1, None);
    progress.stage("replaying");
    let outcome = replay(registry, &input).map_err(anyhow::Error::msg);
    progress.step(outcome.as_ref().map_or(0, |o| o.schedules as u64), false, false);
    progress.finish();
    let outcome = outcome?;
    if let Some(f) = &outcome.failure {
        let record = mapcheck::FailureRecord::of(
            t.clone(),
            input.limits,
            input.workload.clone(),
            f,
            outcome.schedules,
            None,
        );
        // The replayed run's picture, beside the records but never over the original record. A
        // picture that cannot be written is said apart; the verdict is printed all the same.
        let dir = failures_dir();
        let picture = dir.join(format!("{}.replay.html", record.file_stem()));
        let written = std::fs::create_dir_all(&dir).and_then(|_| record.write_picture(&picture, arg));
        match written {
            Ok(()) => println!("{}", record.render_with_picture(arg, Some(&picture))),
            Err(e) => {
                eprintln!(
                    "warning: the replay's picture could not be written ({}): {e}",
                    picture.display()
                );
                println!("{}", record.render_with_picture(arg, None));
            }
        }
    }
    let replayed = mapcheck::runner::Replayed::of(input.expected(), &outcome);
    println!("{}", replayed.describe());
    Ok(if replayed.reproduced() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn list(registry: &Registry) -> Result<ExitCode> {
    println!("models:");
    for m in MODELS {
        println!("  {:<22} {}", m.name, m.summary);
    }
    println!("structures:");
    for e in registry.entries() {
        let i = &e.info;
        let kind = match i.mutant {
            Some(h) => format!("mutant: {h}"),
            None if i.unsynchronised => "unsynchronised on purpose".into(),
            None => "correct".into(),
        };
        let kind = match (e.not_applicable)(&Engine::ShuttleDfs) {
            Some(_) if !i.unsynchronised => format!("{kind}; third-party, real threads only"),
            _ => kind,
        };
        println!(
            "  {:<22} {} [{:?} iteration, {:?}; {kind}]",
            i.name, i.summary, i.iteration, i.reclamation
        );
    }
    println!("engines: {} (defaults: {})", EngineSpec::FORMS, {
        let d: Vec<String> = EngineSpec::ALL.iter().map(|e| e.to_string()).collect();
        d.join(", ")
    });
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 21, cause 4: `--budget 1e20` panicked converting to a duration, and `1e9` was
    /// accepted; a budget is a positive number of seconds up to a day, and the error says so.
    #[test]
    fn budget_is_a_number_of_seconds_up_to_a_day() {
        assert_eq!(parse_budget("60"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_budget("2.5"), Ok(Duration::from_millis(2500)));
        assert_eq!(parse_budget("86400"), Ok(Duration::from_secs(86_400)));
        for (bad, expected) in [
            (
                "1e20",
                "--budget is 100000000000000000000 seconds; at most 86400 (a day)",
            ),
            ("1e9", "at most 86400"),
            ("0", "must be a positive number of seconds"),
            ("-1", "must be a positive number of seconds"),
            ("NaN", "must be a positive number of seconds"),
            ("3s", "--budget takes seconds as a number (60, 2.5), found `3s`"),
        ] {
            let e = parse_budget(bad).unwrap_err();
            assert!(e.contains(expected), "{bad}: {e}");
        }
    }

    #[test]
    fn error_lines_are_cut_below_200_characters() {
        let long = format!("unknown thing `{}`\nsecond line", "x".repeat(500));
        let short = short_lines(&long);
        assert!(short.lines().all(|l| l.chars().count() < 200), "{short}");
        assert!(short.ends_with("...\nsecond line"));
    }
}

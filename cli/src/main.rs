//! The mapcheck command line: the check matrix, replay of a failure, and listings.
//!
//! `cargo xtask check` and `cargo xtask replay` build this binary in release mode and run it.

mod scenario;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use mapcheck::outcome::{CellResult, Reach};
use mapcheck::plan::{Event, Plan};
use mapcheck::runner::{failures_dir, replay, replay_input};
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
    /// Wall-clock budget in seconds for the whole matrix, shared evenly between its cells.
    #[arg(long, default_value_t = 60.0)]
    budget: f64,
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

fn parse_shard(s: &str) -> Result<(u64, u64), String> {
    let bad = || format!("--shard takes K/N with 1 <= K <= N, found `{s}`");
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
    let cli = Cli::parse();
    let registry = match Registry::of(mapcheck_models::structures()).with(mapcheck_adapters::structures()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
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
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn pick<'a, T>(all: &'a [T], wanted: &[String], name: impl Fn(&T) -> &str, what: &str) -> Result<Vec<&'a T>> {
    for w in wanted {
        if !all.iter().any(|x| name(x) == w) {
            let names: Vec<&str> = all.iter().map(&name).collect();
            bail!("unknown {what} `{w}`; expected one of: {}", names.join(", "));
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
    if !(args.budget > 0.0 && args.budget.is_finite()) {
        bail!(
            "--budget must be a positive number of seconds, found {}",
            args.budget
        );
    }
    let plan = Plan {
        models,
        structures,
        engines,
        budget: Duration::from_secs_f64(args.budget),
        seed: args.seed,
        shard: args.shard,
        dir: failures_dir(),
        shrink: true,
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
            args.budget,
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
                Reach::Caught => {}
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
    println!(
        "replaying model {} on {} with {} ({:?})",
        t.model, t.structure, t.engine, t.pinned
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
        // The replayed run's picture, beside the records but never over the original record.
        let dir = failures_dir();
        let picture = dir.join(format!("{}.replay.html", record.file_stem()));
        std::fs::create_dir_all(&dir)
            .and_then(|_| record.write_picture(&picture, arg))
            .with_context(|| format!("writing the picture {}", picture.display()))?;
        println!("{}", record.render_with_picture(arg, Some(&picture)));
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

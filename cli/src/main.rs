//! The mapcheck command line: the check matrix, replay of a failure, and listings.
//!
//! `cargo xtask check` and `cargo xtask replay` build this binary in release mode and run it.

mod scenario;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use mapcheck::runner::{failures_dir, replay, replay_input, run_cell};
use mapcheck::Registry;
use mapcheck_harness::Entry;
use mapcheck_harness::{Engine, Limits, Size, Verdict};
use mapcheck_models::patterns::{Model, MODELS};
use serde_json::json;
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

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
    /// Only these engines (repeatable): loom, shuttle-random, shuttle-pct, shuttle-dfs, threads.
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
    /// Run shard K of N (1-based), for N machines sharing one exploration: shuttle and thread seeds
    /// are split so shards never overlap; loom and shuttle-dfs, deterministic, run on shard 1 only.
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

const ENGINES: &[&str] = &["loom", "shuttle-random", "shuttle-pct", "shuttle-dfs", "threads"];

/// The engine for a column; `seed` is already this shard's seed.
fn engine(name: &str, seed: u64) -> Engine {
    match name {
        "loom" => Engine::Loom { preemption_bound: 2 },
        "shuttle-random" => Engine::ShuttleRandom { seed },
        "shuttle-pct" => Engine::ShuttlePct { seed, depth: 2 },
        "shuttle-dfs" => Engine::ShuttleDfs,
        _ => Engine::Threads { seed },
    }
}

fn max_schedules(e: &Engine) -> usize {
    match e {
        Engine::Loom { .. } => 200_000,
        Engine::Threads { .. } => 1_000_000,
        _ => 50_000,
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let registry = match Registry::builtin().with(mapcheck_adapters::structures()) {
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

/// How one cell came out, judged against what the structure declares.
fn cell_text(
    entry: &Entry,
    model: &str,
    verdict: &Verdict,
    schedules: usize,
    exhausted: bool,
    skipped: bool,
) -> (String, bool) {
    let expect_fail = entry.info.expected_to_fail();
    let must = entry.must_catch(model);
    let all = if exhausted { " all" } else { "" };
    match verdict {
        _ if skipped => ("n/a".into(), true),
        // A bounded exploration that did not reach the bug is not conclusive; an exhaustive one is.
        Verdict::Pass if must && exhausted => (format!("MISSED {schedules}{all}"), false),
        Verdict::Pass if expect_fail => (format!("missed {schedules}"), true),
        Verdict::Pass => (format!("pass {schedules}{all}"), true),
        Verdict::Fail(f) if expect_fail => (format!("caught {schedules} {}", f.oracle), true),
        Verdict::Fail(f) => (format!("FAIL {schedules} {}", f.oracle), false),
        Verdict::Unknown { .. } => (format!("unknown {schedules}"), true),
    }
}

fn check(registry: &Registry, args: CheckArgs) -> Result<ExitCode> {
    let models = pick(MODELS, &args.models, |m: &Model| m.name, "model")?;
    let builtin = mapcheck_models::structures();
    let entries: Vec<&Entry> = pick(
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
    let engines = pick(ENGINES, &args.engines, |e: &&str| e, "engine")?;
    if !(args.budget > 0.0 && args.budget.is_finite()) {
        bail!(
            "--budget must be a positive number of seconds, found {}",
            args.budget
        );
    }
    // The budget goes to the cells an engine can run (not to n/a ones).
    let applicable: usize = entries
        .iter()
        .map(|e| {
            engines
                .iter()
                .filter(|n| (e.not_applicable)(&engine(n, 0)).is_none())
                .count()
        })
        .sum();
    let cells = models.len() * applicable;
    let per_cell = Duration::from_secs_f64(args.budget / cells.max(1) as f64);
    let dir = failures_dir();
    let started = Instant::now();
    if !args.json {
        println!(
            "mapcheck check: {} model(s) x {} structure(s) x {} engine(s), seed {}, budget {:.0}s ({:.2}s per cell)",
            models.len(),
            entries.len(),
            engines.len(),
            args.seed,
            args.budget,
            per_cell.as_secs_f64()
        );
        println!(
            "loom: preemption bound 2; shuttle-pct: depth 2; sizes: loom {:?}, shuttle {:?}, threads {:?}\n",
            Size::LOOM,
            Size::SHUTTLE,
            Size::THREADS
        );
    }
    let mut ok = true;
    let mut reports = Vec::new();
    let mut missed: Vec<String> = Vec::new();
    // Reclamation findings (not failures), one per model and structure.
    let mut findings: Vec<String> = Vec::new();
    let mut totals = summary::Summary::default();
    let mut progress =
        progress::Progress::new("cells", cells as u64, Some(Duration::from_secs_f64(args.budget)));
    for model in &models {
        progress.stage(&format!("model {}", model.name));
        let mut rows: Vec<(String, Vec<String>)> = Vec::new();
        for entry in &entries {
            let mut row = Vec::new();
            let mut caught = false;
            for name in &engines {
                let (k, n) = args.shard;
                let deterministic = matches!(**name, "loom" | "shuttle-dfs");
                if deterministic && k != 1 {
                    row.push("on shard 1".into());
                    totals.add(summary::CellResult::OtherShard, 0);
                    progress.step(0, false, false);
                    continue;
                }
                // Shard k of n explores seeds congruent to k-1 modulo n: disjoint across shards.
                let engine = engine(name, args.seed.wrapping_mul(n).wrapping_add(k - 1));
                let size = Size::for_engine(&engine);
                let limits = Limits {
                    max_schedules: max_schedules(&engine),
                    budget: per_cell,
                    ..Limits::default()
                };
                let skipped = (entry.not_applicable)(&engine).is_some();
                let cell = run_cell(
                    model,
                    entry,
                    engine,
                    size,
                    limits,
                    &dir,
                    per_cell.max(Duration::from_millis(200)),
                )
                .with_context(|| format!("writing a failure record under {}", dir.display()))?;
                let o = &cell.outcome;
                let (text, good) =
                    cell_text(entry, model.name, &o.verdict, o.schedules, o.exhausted, skipped);
                caught |= o.verdict.is_fail();
                ok &= good;
                let result = summary::CellResult::of(
                    &o.verdict,
                    entry.info.expected_to_fail(),
                    entry.must_catch(model.name),
                    o.exhausted,
                    skipped,
                );
                totals.add(result, o.schedules);
                progress.step(
                    o.schedules as u64,
                    o.verdict.is_fail() && !skipped,
                    result == summary::CellResult::Failed,
                );
                let replay = cell
                    .record
                    .as_ref()
                    .map(|(r, _)| format!("cargo xtask replay {}", r.token.encode()));
                if args.json {
                    let (oracle, summary) = match &o.verdict {
                        Verdict::Fail(f) => (Some(f.oracle.to_string()), Some(f.summary.clone())),
                        Verdict::Unknown { reason } => (None, Some(reason.clone())),
                        Verdict::Pass => (None, None),
                    };
                    let verdict = match (&o.verdict, skipped) {
                        (_, true) => "n/a",
                        (Verdict::Pass, _) => "pass",
                        (Verdict::Fail(_), _) => "fail",
                        (Verdict::Unknown { .. }, _) => "unknown",
                    };
                    progress.suspend(|| {
                        println!(
                            "{}",
                            json!({
                            "model": model.name,
                            "structure": entry.info.name,
                            "engine": name,
                            "engine_params": engine.to_string(),
                            "expected": if entry.info.expected_to_fail() { "fail" } else { "pass" },
                            "verdict": verdict,
                            "as_expected": good,
                            "schedules": o.schedules,
                            // Top-level operations run: the workload's, once per schedule.
                            "operations": o.schedules * size_ops(model, size),
                            "exhausted": o.exhausted,
                            "elapsed_ms": o.elapsed.as_millis() as u64,
                            "oracle": oracle,
                            "summary": summary,
                            "replay": replay,
                            "record": cell.record.as_ref().map(|(_, p)| p.display().to_string()),
                            "picture": cell.record.as_ref().map(|(_, p)| {
                                mapcheck::record::picture_path(p).display().to_string()
                            }),
                            "finding": cell.finding,
                            })
                        );
                        let _ = std::io::stdout().flush();
                    });
                }
                if let Some(f) = &cell.finding {
                    let line = format!(
                        "{} on {} ({} threads x {} ops, {} keys): {f}",
                        entry.info.name, model.name, size.threads, size.ops, size.keys
                    );
                    if !findings.contains(&line) {
                        findings.push(line);
                    }
                }
                if let Some((record, path)) = &cell.record {
                    if !entry.info.expected_to_fail() {
                        reports.push(record.render(&path.display().to_string()));
                    }
                }
                row.push(text);
            }
            if entry.must_catch(model.name) && !caught {
                missed.push(format!("{} on {}", entry.info.name, model.name));
                totals.mutants_missed += 1;
                ok = false;
            }
            let tag = if entry.info.expected_to_fail() {
                " (expected to fail)"
            } else {
                ""
            };
            rows.push((format!("{}{tag}", entry.info.name), row));
        }
        if !args.json {
            progress.suspend(|| print_matrix(model.name, &engines, &rows));
        }
        progress.milestone(&format!("model {} done", model.name));
    }
    progress.finish();
    if args.json {
        println!("{}", totals.json(started.elapsed(), &dir, ok));
    }
    if !args.json {
        for r in &reports {
            println!("{r}");
        }
        println!("cells: pass N = N schedules, all explored when marked `all`; caught = an expected failure was found.");
        println!("cells: missed = a bounded exploration did not reach the planted bug; MISSED = an exhaustive one did not.");
        for m in &missed {
            println!("MISSED by every engine: {m}");
        }
        for f in &findings {
            println!("FINDING (declared, not a failure) {f}");
        }
        if !ok {
            println!("RESULT: a correct structure failed or a failure went undetected");
        }
        println!("{}", totals.text(started.elapsed(), &dir));
    }
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// The operations of one run of `model` at `size`.
fn size_ops(model: &Model, size: Size) -> usize {
    (model.build)(size).threads.iter().map(Vec::len).sum()
}

fn print_matrix(model: &str, engines: &[&&str], rows: &[(String, Vec<String>)]) {
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
    println!(
        "replaying model {} on {} with {} ({:?})",
        t.model, t.structure, t.engine, t.pinned
    );
    if let (Some(orig), mapcheck_harness::Pinned::Threads { .. }) = (&input.original, &t.pinned) {
        let v = mapcheck::runner::recheck(registry, orig).map_err(anyhow::Error::msg)?;
        println!(
            "recorded history rechecked: {}",
            match &v {
                Verdict::Fail(f) => format!("fails {}: {}", f.oracle, f.summary),
                other => format!("{other:?}"),
            }
        );
        println!("real threads do not replay step for step; running the same workload with the same seed and iteration:");
    }
    let mut progress = progress::Progress::new("run", 1, None);
    progress.stage("replaying");
    let outcome = replay(registry, &input).map_err(anyhow::Error::msg);
    progress.step(outcome.as_ref().map_or(0, |o| o.schedules as u64), false, false);
    progress.finish();
    let outcome = outcome?;
    match &outcome.failure {
        Some(f) => {
            let record = mapcheck::FailureRecord {
                token: t.clone(),
                limits: input.limits,
                workload: input.workload.clone(),
                verdict: f.verdict.clone(),
                history: f.history.clone(),
                schedules: outcome.schedules,
                shrunk_from: None,
            };
            // The replayed run's picture, beside the records but never over the original record.
            let dir = failures_dir();
            let picture = dir.join(format!("{}.replay.html", record.file_stem()));
            std::fs::create_dir_all(&dir)
                .and_then(|_| record.write_picture(&picture, arg))
                .with_context(|| format!("writing the picture {}", picture.display()))?;
            println!("{}", record.render_with_picture(arg, Some(&picture)));
            if let Some(orig) = &input.original {
                let same = match (&orig.verdict, &f.verdict) {
                    (Verdict::Fail(a), Verdict::Fail(b)) => a.oracle == b.oracle,
                    _ => false,
                };
                println!(
                    "{}",
                    if same {
                        "reproduced: the same oracle failed"
                    } else {
                        "NOT reproduced: a different failure"
                    }
                );
            }
            Ok(ExitCode::FAILURE)
        }
        None => {
            println!("the replayed run did not fail: {:?}", outcome.verdict);
            Ok(ExitCode::SUCCESS)
        }
    }
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
    println!("engines: {}", ENGINES.join(", "));
    Ok(ExitCode::SUCCESS)
}

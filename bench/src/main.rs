//! `mapcheck-bench [--quick]`: runs every benchmark behind `cargo xtask bench`, prints progress lines
//! to stderr, and writes the summary as Markdown and JSON to `target/mapcheck/bench/`.
//!
//! `mapcheck-bench peer <stateright|todc> OPS THREADS KEYS <ok|bad>` is the child process a peer
//! checker runs in, so that it can be stopped at its timeout (neither peer takes a budget).
//!
//! `mapcheck-bench loop <loom|shuttle> <mapcheck|bare> MODEL SECONDS` explores one model on `locked`
//! over and over, for a profiler (`perf record`) to sample.

mod detect_race;

use anyhow::{bail, Context, Result};
use mapcheck_bench::checker::{generate, stateright_spec, todc_spec, Shape};
use mapcheck_bench::direct::{bare_loom, bare_shuttle, stress_fns, Reference};
use mapcheck_bench::fuzzstats;
use mapcheck_bench::summary::{Section, Summary};
use mapcheck_harness::lincheck::{check, LinOptions, LinVerdict};
use mapcheck_harness::{Engine, Limits, Size};
use mapcheck_models::patterns::{model, MODELS};
use mapcheck_models::{structure, structures, Entry};
use serde_json::json;
use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// As in the `mapcheck` binary: the leak oracle needs to see every allocation, and the figures
/// should be those of a real run.
#[global_allocator]
static ALLOC: mapcheck_harness::alloc::Counting = mapcheck_harness::alloc::Counting;

/// The bounds of one run of the whole suite.
struct Config {
    quick: bool,
    /// Seeds per (mutant, shuttle engine).
    seeds: usize,
    shuttle_cap: usize,
    shuttle_budget: Duration,
    loom_cap: usize,
    loom_budget: Duration,
    stress_iterations: usize,
    stress_budget: Duration,
    /// Shuttle schedules per throughput measurement, and loom's cap per exploration.
    throughput_schedules: usize,
    loom_throughput_cap: usize,
    /// Alternating rounds of mapcheck and bare runs per throughput figure; the best of each is kept.
    rounds: usize,
    shapes: Vec<(usize, usize, u64)>,
    peer_timeout: Duration,
    peer_memory_gib: u64,
    scaling_threads: Vec<usize>,
    scaling_ops: Vec<usize>,
    scaling_seeds: usize,
    scaling_throughput: usize,
}

impl Config {
    fn new(quick: bool) -> Config {
        if quick {
            Config {
                quick,
                seeds: 5,
                shuttle_cap: 2_000,
                shuttle_budget: Duration::from_secs(1),
                loom_cap: 50_000,
                loom_budget: Duration::from_secs(5),
                stress_iterations: 2_000,
                stress_budget: Duration::from_millis(500),
                throughput_schedules: 300,
                loom_throughput_cap: 2_000,
                rounds: 1,
                shapes: vec![
                    (10_000, 4, 1),
                    (10_000, 16, 64),
                    (280_000, 4, 64),
                    (1_000_000, 16, 1000),
                ],
                peer_timeout: Duration::from_secs(2),
                peer_memory_gib: 4,
                scaling_threads: vec![2, 3, 4, 5],
                scaling_ops: vec![2, 4, 8],
                scaling_seeds: 3,
                scaling_throughput: 100,
            }
        } else {
            Config {
                quick,
                seeds: 21,
                shuttle_cap: 10_000,
                shuttle_budget: Duration::from_secs(3),
                loom_cap: 200_000,
                loom_budget: Duration::from_secs(30),
                stress_iterations: 10_000,
                stress_budget: Duration::from_secs(5),
                throughput_schedules: 2_000,
                loom_throughput_cap: 5_000,
                rounds: 3,
                shapes: vec![
                    (10_000, 4, 1),
                    (10_000, 4, 1000),
                    (10_000, 16, 64),
                    (100_000, 8, 1),
                    (100_000, 8, 64),
                    (280_000, 4, 1),
                    (280_000, 4, 64),
                    (1_000_000, 4, 1000),
                    (1_000_000, 16, 1000),
                ],
                peer_timeout: Duration::from_secs(10),
                peer_memory_gib: 6,
                scaling_threads: vec![2, 3, 4, 5],
                scaling_ops: vec![2, 4, 6, 8],
                scaling_seeds: 7,
                scaling_throughput: 400,
            }
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let r = match args.first().map(String::as_str) {
        Some("peer") => peer_child(&args[1..]),
        Some("loop") => profile_loop(&args[1..]),
        Some("detect-race") => detect_race::standalone(&args[1..]),
        _ => run(&args),
    };
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn progress(section: &str, msg: impl AsRef<str>) {
    eprintln!("[bench {section}] {}", msg.as_ref());
}

fn base_dir() -> PathBuf {
    std::env::var_os("MAPCHECK_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/mapcheck"))
}

fn run(args: &[String]) -> Result<()> {
    let mut quick = false;
    for a in args {
        match a.as_str() {
            "--quick" => quick = true,
            other => bail!("unknown argument `{other}`; usage: mapcheck-bench [--quick]"),
        }
    }
    let cfg = Config::new(quick);
    let started = Instant::now();
    let date = utc_now();
    let fuzz = fuzzstats::read(&base_dir().join("fuzz/stats.json")).map_err(anyhow::Error::msg)?;
    let sections = vec![
        detect(&cfg, fuzz.as_ref()),
        detect_race::detect_race(&cfg),
        throughput(&cfg),
        checker(&cfg)?,
        fuzz_section(fuzz.as_ref()),
        scaling(&cfg),
    ];
    let summary = Summary {
        command: format!("cargo xtask bench{}", if quick { " --quick" } else { "" }),
        date,
        machine: machine(),
        quick,
        seconds: started.elapsed().as_secs_f64(),
        sections,
    };
    let dir = base_dir().join("bench");
    summary
        .write(&dir)
        .with_context(|| format!("writing the summary to {}", dir.display()))?;
    println!("{}", summary.to_markdown());
    println!(
        "written to {} and {}",
        dir.join("summary.md").display(),
        dir.join("summary.json").display()
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 1. Time to detect each mutant.

/// One exploration's result: schedules and seconds to the first detection, or `None` (missed).
type Hit = Option<(usize, f64)>;

/// The median of `hits`, a miss counting as later than any hit: `None` when it falls on a miss.
/// Schedules and seconds are each the median of their own column.
fn median(hits: &[Hit]) -> Hit {
    let n = hits.len();
    if n == 0 {
        return None;
    }
    let column = |f: &dyn Fn(&(usize, f64)) -> f64| {
        let mut v: Vec<f64> = hits.iter().map(|h| h.as_ref().map_or(f64::INFINITY, f)).collect();
        v.sort_by(f64::total_cmp);
        if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        }
    };
    let sched = column(&|h| h.0 as f64);
    let secs = column(&|h| h.1);
    sched.is_finite().then(|| (sched.round() as usize, secs))
}

fn fmt_secs(s: f64) -> String {
    if s < 1e-3 {
        format!("{:.0} µs", s * 1e6)
    } else if s < 1.0 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{s:.2} s")
    }
}

fn fmt_n(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn hit_text(h: Hit) -> String {
    match h {
        Some((n, s)) => format!("{} / {}", fmt_n(n), fmt_secs(s)),
        None => "missed".into(),
    }
}

fn limits(max_schedules: usize, budget: Duration) -> Limits {
    Limits {
        max_schedules,
        budget,
        max_steps: 100_000,
    }
}

/// Explores `seeds` seeds of one shuttle engine (seeds `base`, `base + 1`, ...); stops early once
/// more than half have missed, or the first three all did (the median is then a miss).
fn seeded(
    cfg: &Config,
    entry: &Entry,
    w: &mapcheck_harness::Workload,
    seeds: usize,
    base: u64,
    engine: impl Fn(u64) -> Engine,
) -> Vec<Hit> {
    let mut hits = Vec::new();
    for i in 0..seeds {
        let o = (entry.run)(
            w,
            engine(base + i as u64),
            limits(cfg.shuttle_cap, cfg.shuttle_budget),
        );
        hits.push(
            o.verdict
                .is_fail()
                .then_some((o.schedules, o.elapsed.as_secs_f64())),
        );
        let misses = hits.iter().filter(|h| h.is_none()).count();
        if misses * 2 > seeds || (hits.len() == 3 && misses == 3) {
            break;
        }
    }
    hits
}

/// A shuttle engine for a seed.
type EngineFor = fn(u64) -> Engine;

fn detect(cfg: &Config, fuzz: Option<&fuzzstats::FuzzStats>) -> Section {
    let shuttle_engines: [(&str, EngineFor); 4] = [
        ("shuttle random", |seed| Engine::ShuttleRandom { seed }),
        ("shuttle PCT d1", |seed| Engine::ShuttlePct { seed, depth: 1 }),
        ("shuttle PCT d2", |seed| Engine::ShuttlePct { seed, depth: 2 }),
        ("shuttle PCT d3", |seed| Engine::ShuttlePct { seed, depth: 3 }),
    ];
    let stressers = stress_fns();
    let mut columns = vec!["mutant".to_string(), "model".to_string()];
    columns.extend(shuttle_engines.iter().map(|(n, _)| n.to_string()));
    columns.extend([
        "loom (bound 2)".to_string(),
        "naive std-thread loop".to_string(),
        "fuzz-driven schedules".to_string(),
        "best engine".to_string(),
    ]);
    let mut rows = Vec::new();
    let mut data = serde_json::Map::new();
    let mut all_met = true;
    for entry in structures().into_iter().filter(|e| e.info.mutant.is_some()) {
        let name = entry.info.name;
        let Some(m) = entry.targets.first().and_then(|t| model(t)) else {
            continue;
        };
        let mut row = vec![name.to_string(), m.name.to_string()];
        let mut best: Option<(String, usize, f64)> = None;
        let mut consider = |label: &str, h: Hit| {
            if let Some((n, s)) = h {
                if best.as_ref().is_none_or(|b| (n, s) < (b.1, b.2)) {
                    best = Some((label.to_string(), n, s));
                }
            }
        };
        let mut cell_data = serde_json::Map::new();
        let w = (m.build)(Size::SHUTTLE);
        for (label, engine) in &shuttle_engines {
            let hits = seeded(cfg, &entry, &w, cfg.seeds, 1000, engine);
            let med = median(&hits);
            let found = hits.iter().flatten().count();
            let text = match med {
                Some(_) => hit_text(med),
                None => format!(
                    "missed (>{} in {}/{} seeds)",
                    fmt_n(cfg.shuttle_cap),
                    hits.len() - found,
                    hits.len()
                ),
            };
            progress(
                "detect",
                format!("{name} {label}: {text} ({found}/{} seeds found it)", hits.len()),
            );
            consider(label, med);
            cell_data.insert(
                label.to_string(),
                json!({"median_schedules": med.map(|h| h.0), "median_seconds": med.map(|h| h.1),
                       "seeds_run": hits.len(), "seeds_detected": found, "cap": cfg.shuttle_cap}),
            );
            row.push(text);
        }
        // loom: deterministic, one run.
        let lw = (m.build)(Size::LOOM);
        let o = (entry.run)(
            &lw,
            Engine::Loom { preemption_bound: 2 },
            limits(cfg.loom_cap, cfg.loom_budget),
        );
        let lh = o
            .verdict
            .is_fail()
            .then_some((o.schedules, o.elapsed.as_secs_f64()));
        let text = match lh {
            Some(_) => hit_text(lh),
            None if o.exhausted => format!("missed ({} schedules, all)", fmt_n(o.schedules)),
            None => format!("missed (>{})", fmt_n(o.schedules)),
        };
        progress("detect", format!("{name} loom: {text}"));
        consider("loom", lh);
        cell_data.insert(
            "loom".into(),
            json!({"schedules": lh.map(|h| h.0), "seconds": lh.map(|h| h.1), "explored": o.schedules}),
        );
        row.push(text);
        // The naive loop a user would write.
        let text = match stressers.iter().find(|(n, _)| *n == name) {
            Some((_, f)) => {
                let tw = (m.build)(Size::THREADS);
                let s = f(&tw, cfg.stress_iterations, cfg.stress_budget);
                cell_data.insert(
                    "naive".into(),
                    json!({"iterations": s.iterations, "seconds": s.elapsed.as_secs_f64(),
                           "detected": s.detected}),
                );
                match &s.detected {
                    Some(_) => format!(
                        "{} it / {}",
                        fmt_n(s.iterations),
                        fmt_secs(s.elapsed.as_secs_f64())
                    ),
                    None => format!(
                        "missed ({} it, {})",
                        fmt_n(s.iterations),
                        fmt_secs(s.elapsed.as_secs_f64())
                    ),
                }
            }
            None => "n/a".into(),
        };
        progress("detect", format!("{name} naive loop: {text}"));
        row.push(text);
        row.push(match fuzz.and_then(|f| f.detect.get(name)) {
            Some(d) => format!("{} execs / {}", fmt_n(d.execs as usize), fmt_secs(d.seconds)),
            None => "not run".into(),
        });
        let met = best.as_ref().is_some_and(|b| b.1 <= 1000 && b.2 <= 1.0);
        all_met &= met;
        row.push(match &best {
            Some((l, n, s)) => format!(
                "{l}: {} / {}{}",
                fmt_n(*n),
                fmt_secs(*s),
                if met { "" } else { " (goal not met)" }
            ),
            None => "none (goal not met)".into(),
        });
        data.insert(name.into(), serde_json::Value::Object(cell_data));
        rows.push(row);
    }
    let size = |s: Size| format!("{} threads x {} ops, {} keys", s.threads, s.ops, s.keys);
    Section {
        id: "detect".into(),
        title: "1. Time to detect each mutant".into(),
        goal: Some("every mutant detected within a median of 1,000 schedules and 1 second by the best engine".into()),
        goal_met: Some(all_met),
        notes: vec![
            format!(
                "Cells: median schedules / median wall time to the first failing run (`Outcome::schedules`, `Outcome::elapsed`), over {} seeds{} for each shuttle engine; \
                 a shuttle run stops at {} schedules or {}, and a column stops early once more than half its seeds missed, or its first three did (\"missed (>cap in k/n seeds)\" counts the seeds run).",
                cfg.seeds,
                if cfg.quick { " (quick mode; the full run uses 21)" } else { "" },
                fmt_n(cfg.shuttle_cap),
                fmt_secs(cfg.shuttle_budget.as_secs_f64())
            ),
            format!("Workloads: the mutant's model at the check's sizes: shuttle {}, loom {}, naive loop {}.", size(Size::SHUTTLE), size(Size::LOOM), size(Size::THREADS)),
            "loom is deterministic: one exploration at preemption bound 2, schedules to the first failure.".into(),
            format!(
                "Naive loop: plain std threads (started behind a barrier) run the workload on the structure's `Std` map, then hand-written checks \
                 (exactly-once removal, read-your-writes, final values, stale entries and table size after the reclamation step) and a {} hang timeout; \
                 iterations to the first detection, at most {} or {}. It has no leak check: a user without a counting allocator does not see leaked bytes or threads.",
                "2 s",
                fmt_n(cfg.stress_iterations),
                fmt_secs(cfg.stress_budget.as_secs_f64())
            ),
            "Fuzz-driven schedules: read from `target/mapcheck/fuzz/stats.json` (`detect.<mutant>`), written by the fuzz command; \"not run\" when absent.".into(),
        ],
        columns,
        rows,
        data: serde_json::Value::Object(data),
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Exploration throughput against bare loom and shuttle.

/// Runs `f` (which returns schedules) until `min` has passed; schedules per second.
fn rate(mut f: impl FnMut() -> usize, min: Duration) -> (f64, usize) {
    let started = Instant::now();
    let mut n = 0;
    loop {
        n += f();
        if started.elapsed() >= min {
            return (n as f64 / started.elapsed().as_secs_f64(), n);
        }
    }
}

fn throughput(cfg: &Config) -> Section {
    let locked = structure("locked").expect("locked is registered");
    let min = if cfg.quick {
        Duration::from_millis(150)
    } else {
        Duration::from_millis(400)
    };
    let mut rows = Vec::new();
    let mut data = serde_json::Map::new();
    let mut worst: f64 = f64::INFINITY;
    for m in MODELS {
        let lw = (m.build)(Size::LOOM);
        let sw = (m.build)(Size::SHUTTLE);
        let (mut lm, mut lb, mut sm, mut sb) = (0f64, 0f64, 0f64, 0f64);
        let (mut l_sched_m, mut l_sched_b) = (0, 0);
        for _ in 0..cfg.rounds {
            let (r, _) = rate(
                || {
                    let o = (locked.run)(
                        &lw,
                        Engine::Loom { preemption_bound: 2 },
                        limits(cfg.loom_throughput_cap, Duration::from_secs(60)),
                    );
                    l_sched_m = o.schedules;
                    o.schedules
                },
                min,
            );
            lm = lm.max(r);
            let (r, _) = rate(
                || {
                    l_sched_b = bare_loom::<Reference>(&lw, 2, cfg.loom_throughput_cap);
                    l_sched_b
                },
                min,
            );
            lb = lb.max(r);
            let n = cfg.throughput_schedules;
            let (r, _) = rate(
                || {
                    (locked.run)(
                        &sw,
                        Engine::ShuttleRandom { seed: 7 },
                        limits(n, Duration::from_secs(60)),
                    )
                    .schedules
                },
                min,
            );
            sm = sm.max(r);
            let (r, _) = rate(
                || {
                    bare_shuttle::<Reference>(&sw, n);
                    n
                },
                min,
            );
            sb = sb.max(r);
        }
        let (lr, sr) = (lm / lb, sm / sb);
        worst = worst.min(lr).min(sr);
        progress(
            "throughput",
            format!(
                "{}: loom {:.0}/s vs bare {:.0}/s ({lr:.2}); shuttle {:.0}/s vs bare {:.0}/s ({sr:.2})",
                m.name, lm, lb, sm, sb
            ),
        );
        data.insert(
            m.name.into(),
            json!({"loom": {"mapcheck": lm, "bare": lb, "ratio": lr, "schedules_mapcheck": l_sched_m, "schedules_bare": l_sched_b},
                   "shuttle": {"mapcheck": sm, "bare": sb, "ratio": sr}}),
        );
        rows.push(vec![
            m.name.to_string(),
            format!("{:.0}", lm),
            format!("{:.0}", lb),
            format!("{lr:.2}"),
            format!("{} / {}", fmt_n(l_sched_m), fmt_n(l_sched_b)),
            format!("{:.0}", sm),
            format!("{:.0}", sb),
            format!("{sr:.2}"),
        ]);
    }
    Section {
        id: "throughput".into(),
        title: "2. Exploration throughput (schedules per second), mapcheck against bare loom and shuttle".into(),
        goal: Some("mapcheck keeps at least 0.75 of bare throughput".into()),
        goal_met: Some(worst >= 0.75),
        notes: vec![
            "Structure `locked` (correct, so every exploration runs to its bound), instantiated for the runtime and driven through the `Map` trait in both columns.".into(),
            format!(
                "mapcheck: `run` with loom (preemption bound 2, at most {} schedules) on the loom-sized workload and shuttle random ({} schedules) on the shuttle-sized one: recording, judging every run with every oracle, allocation scopes. \
                 bare: the same workload as a `loom::model` closure (same bound and cap) or `shuttle::check_random` closure with the hand-written assertions of the naive loop.",
                fmt_n(cfg.loom_throughput_cap),
                fmt_n(cfg.throughput_schedules)
            ),
            format!(
                "Each figure is the best of {} alternating rounds of at least {} each, measured in the same process (which has the counting allocator installed, as the `mapcheck` binary does); the machine is shared, so figures vary by some 10-20% between runs.",
                cfg.rounds,
                fmt_secs(min.as_secs_f64())
            ),
            "loom schedules: executions of one exploration, mapcheck / bare; both run the same program, so they agree except where the cap stops them (loom's `max_permutations` is not a count of executions).".into(),
        ],
        columns: [
            "model",
            "loom mapcheck",
            "loom bare",
            "ratio",
            "loom schedules (mapcheck / bare)",
            "shuttle mapcheck",
            "shuttle bare",
            "ratio",
        ]
        .map(String::from)
        .to_vec(),
        rows,
        data: serde_json::Value::Object(data),
    }
}

/// The profiling loop: one throughput measurement, run for `SECONDS`.
fn profile_loop(args: &[String]) -> Result<()> {
    let [rt, who, name, secs] = args else {
        bail!("usage: mapcheck-bench loop <loom|shuttle> <mapcheck|bare> MODEL SECONDS");
    };
    let m = model(name).with_context(|| format!("unknown model `{name}`"))?;
    let min = Duration::from_secs_f64(secs.parse()?);
    let locked = structure("locked").expect("registered");
    let (r, n) = match (rt.as_str(), who.as_str()) {
        ("loom", "mapcheck") => {
            let w = (m.build)(Size::LOOM);
            let l = limits(5_000, Duration::from_secs(600));
            rate(
                || (locked.run)(&w, Engine::Loom { preemption_bound: 2 }, l).schedules,
                min,
            )
        }
        ("loom", "bare") => {
            let w = (m.build)(Size::LOOM);
            rate(|| bare_loom::<Reference>(&w, 2, 5_000), min)
        }
        ("shuttle", "mapcheck") => {
            let w = (m.build)(Size::SHUTTLE);
            let l = limits(1_000, Duration::from_secs(600));
            rate(
                || (locked.run)(&w, Engine::ShuttleRandom { seed: 7 }, l).schedules,
                min,
            )
        }
        ("shuttle", "bare") => {
            let w = (m.build)(Size::SHUTTLE);
            rate(
                || {
                    bare_shuttle::<Reference>(&w, 1_000);
                    1_000
                },
                min,
            )
        }
        _ => bail!("usage: mapcheck-bench loop <loom|shuttle> <mapcheck|bare> MODEL SECONDS"),
    };
    println!("{rt} {who} {name}: {n} schedules, {r:.0}/s");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 3. Checker speed against stateright and todc-utils.

const SEED: u64 = 7;

/// What one peer did with one history.
#[derive(Debug, Clone)]
enum PeerResult {
    Done { linearizable: bool, seconds: f64 },
    Timeout,
    OutOfMemory,
    Crashed(String),
    Skipped(String),
}

impl PeerResult {
    fn text(&self, ours: f64, timeout: Duration, gib: u64) -> String {
        match self {
            PeerResult::Done {
                linearizable,
                seconds,
            } => format!(
                "{} ({}, {:.0}x)",
                fmt_secs(*seconds),
                if *linearizable { "ok" } else { "violation" },
                seconds / ours
            ),
            PeerResult::Timeout => format!("timeout (>{})", fmt_secs(timeout.as_secs_f64())),
            PeerResult::OutOfMemory => format!("out of memory (>{gib} GiB)"),
            PeerResult::Crashed(m) => format!("crashed: {m}"),
            PeerResult::Skipped(m) => format!("not run: {m}"),
        }
    }
}

/// The child side: generate, translate, then time the peer's check alone.
fn peer_child(args: &[String]) -> Result<()> {
    let [which, ops, threads, keys, lin] = args else {
        bail!("usage: mapcheck-bench peer <stateright|todc> OPS THREADS KEYS <ok|bad>");
    };
    let shape = Shape {
        ops: ops.parse()?,
        threads: threads.parse()?,
        keys: keys.parse()?,
        linearizable: lin == "ok",
    };
    let h = generate(shape, SEED);
    let (linearizable, seconds) = match which.as_str() {
        "stateright" => {
            let t = stateright_spec::tester(&h);
            // The tester recurses once per operation.
            std::thread::Builder::new()
                .stack_size(4 << 30)
                .spawn(move || {
                    println!("ready");
                    let started = Instant::now();
                    let ok = stateright_spec::check(&t);
                    (ok, started.elapsed().as_secs_f64())
                })?
                .join()
                .map_err(|_| anyhow::anyhow!("the checker panicked"))?
        }
        "todc" => {
            let th = todc_spec::history(&h);
            println!("ready");
            let started = Instant::now();
            let ok = todc_spec::check(th);
            (ok, started.elapsed().as_secs_f64())
        }
        other => bail!("unknown peer `{other}`"),
    };
    println!("{} {seconds}", if linearizable { "ok" } else { "violation" });
    Ok(())
}

fn rss_bytes(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .unwrap_or(0)
        * 1024
}

/// Runs one peer in a child process and stops it at the timeout or the memory limit.
fn run_peer(which: &str, shape: Shape, timeout: Duration, gib: u64) -> PeerResult {
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => return PeerResult::Crashed(e.to_string()),
    };
    let mut child = match std::process::Command::new(exe)
        .args([
            "peer",
            which,
            &shape.ops.to_string(),
            &shape.threads.to_string(),
            &shape.keys.to_string(),
            if shape.linearizable { "ok" } else { "bad" },
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => return PeerResult::Crashed(e.to_string()),
    };
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().expect("piped");
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // Generation and translation are not timed; the clock starts at "ready".
    let mut deadline: Option<Instant> = None;
    let setup_deadline = Instant::now() + Duration::from_secs(120);
    let result = loop {
        match rx.recv_timeout(Duration::from_millis(20)) {
            Ok(line) if line == "ready" => deadline = Some(Instant::now() + timeout),
            Ok(line) => {
                let mut parts = line.split_whitespace();
                let ok = parts.next() == Some("ok");
                let seconds = parts.next().and_then(|s| s.parse().ok()).unwrap_or(f64::NAN);
                break PeerResult::Done {
                    linearizable: ok,
                    seconds,
                };
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                let status = child.wait().map(|s| s.to_string()).unwrap_or_default();
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    let _ = std::io::Read::read_to_string(&mut e, &mut err);
                }
                let last = err.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("");
                break PeerResult::Crashed(format!("{status} {last}").trim().to_string());
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                if rss_bytes(pid) > gib << 30 {
                    break PeerResult::OutOfMemory;
                }
                if deadline.is_some_and(|d| Instant::now() > d) || Instant::now() > setup_deadline {
                    break PeerResult::Timeout;
                }
            }
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    result
}

fn checker(cfg: &Config) -> Result<Section> {
    let mut rows = Vec::new();
    let mut data = Vec::new();
    let peers = ["stateright", "todc"];
    // A peer that timed out (or ran out of memory) on a history is not run on larger ones of the same kind.
    let mut gave_up: std::collections::HashMap<(&str, bool), usize> = Default::default();
    let mut goal_speed = true;
    let mut goal_peers = true;
    for &(ops, threads, keys) in &cfg.shapes {
        for linearizable in [true, false] {
            let shape = Shape {
                ops,
                threads,
                keys,
                linearizable,
            };
            let h = generate(shape, SEED);
            let n = h.events.len();
            let opts = LinOptions {
                max_steps: (20 * n as u64).max(2_000_000),
                ..LinOptions::default()
            };
            let started = Instant::now();
            let v = check(&h, opts).map_err(|e| anyhow::anyhow!("{e}"))?;
            let ours = started.elapsed().as_secs_f64();
            let verdict = match v {
                LinVerdict::Ok => "ok",
                LinVerdict::Violation(_) => "violation",
                LinVerdict::Unknown { .. } => "unknown",
            };
            let correct = (verdict == "ok") == linearizable && verdict != "unknown";
            if ops == 280_000 && threads == 4 {
                goal_speed &= ours < 0.5 && correct;
            }
            let mut row = vec![
                fmt_n(n),
                threads.to_string(),
                keys.to_string(),
                if linearizable { "yes" } else { "no" }.to_string(),
                format!(
                    "{} ({verdict}{})",
                    fmt_secs(ours),
                    if correct { "" } else { ", WRONG" }
                ),
            ];
            let mut peer_data = serde_json::Map::new();
            for p in peers {
                let r = match gave_up.get(&(p, linearizable)) {
                    Some(at) if ops > *at => PeerResult::Skipped(format!("gave up at {} ops", fmt_n(*at))),
                    _ => run_peer(p, shape, cfg.peer_timeout, cfg.peer_memory_gib),
                };
                match &r {
                    PeerResult::Timeout | PeerResult::OutOfMemory | PeerResult::Crashed(_) => {
                        gave_up.entry((p, linearizable)).or_insert(ops);
                    }
                    PeerResult::Done {
                        linearizable: l,
                        seconds,
                    } => {
                        goal_peers &= seconds / ours >= 10.0;
                        if *l != linearizable {
                            row[4].push_str(&format!(" ({p} disagrees)"));
                        }
                    }
                    PeerResult::Skipped(_) => {}
                }
                let text = r.text(ours, cfg.peer_timeout, cfg.peer_memory_gib);
                peer_data.insert(p.into(), json!(text));
                row.push(text);
            }
            progress("checker", row.join(" | "));
            data.push(
                json!({"ops": n, "threads": threads, "keys": keys, "linearizable": linearizable,
                             "mapcheck_seconds": ours, "mapcheck_verdict": verdict, "peers": peer_data}),
            );
            rows.push(row);
        }
    }
    Ok(Section {
        id: "checker".into(),
        title: "3. Linearizability checker speed against stateright and todc-utils".into(),
        goal: Some("280,000 operations over 4 threads checked in under 0.5 s, and at least 10x faster than the peers wherever they finish".into()),
        goal_met: Some(goal_speed && goal_peers),
        notes: vec![
            "Histories: generated as in `harness/examples/checker_speed.rs` (insert, remove and get on random keys, linearizable by construction); the non-linearizable one has its last read changed to a value never written.".into(),
            "mapcheck: `lincheck::check` (per-key partitions when only single-key operations occur, as here). Peer cells: their time, their verdict, and how many times mapcheck's time it is.".into(),
            "Peers get the same history as a map specification (`BTreeMap` state; insert and remove return the previous value, get the current one): stateright 0.31 `LinearizabilityTester` (operations fed through `on_invoke`/`on_return` in time order, then `is_consistent`) and todc-utils 0.1.1 `WGLChecker` (`History::from_actions`, then `is_linearizable`). With one key the map is one register-like partition, so the 1-key rows compare the searches head to head.".into(),
            format!(
                "Each peer runs in a child process, timed from the end of its setup, and is stopped after {} or above {} GiB of memory; one that gave up is not run on larger histories of the same kind.",
                fmt_secs(cfg.peer_timeout.as_secs_f64()),
                cfg.peer_memory_gib
            ),
        ],
        columns: ["ops", "threads", "keys", "linearizable", "mapcheck", "stateright", "todc-utils"]
            .map(String::from)
            .to_vec(),
        rows,
        data: serde_json::Value::Array(data),
    })
}

// ---------------------------------------------------------------------------------------------
// 4. Fuzz throughput.

fn fuzz_section(fuzz: Option<&fuzzstats::FuzzStats>) -> Section {
    let rows = match fuzz {
        Some(f) if !f.targets.is_empty() => f
            .targets
            .iter()
            .map(|(name, t)| {
                vec![
                    name.clone(),
                    t.sanitizer.clone(),
                    format!("{:.0}", t.execs_per_sec),
                ]
            })
            .collect(),
        _ => vec![vec!["(every target)".into(), "-".into(), "not run".into()]],
    };
    progress(
        "fuzz",
        if fuzz.is_some() {
            "read target/mapcheck/fuzz/stats.json"
        } else {
            "not run (no target/mapcheck/fuzz/stats.json)"
        },
    );
    Section {
        id: "fuzz".into(),
        title: "4. Fuzz throughput (executions per second)".into(),
        goal: None,
        goal_met: None,
        notes: vec!["Read from `target/mapcheck/fuzz/stats.json` (`targets.<name>`), written by the fuzz command with and without sanitizers; \"not run\" when absent.".into()],
        columns: ["target", "sanitizer", "execs/s"].map(String::from).to_vec(),
        rows,
        data: serde_json::to_value(fuzz.map(|f| {
            f.targets
                .iter()
                .map(|(k, t)| (k.clone(), json!({"execs_per_sec": t.execs_per_sec, "sanitizer": t.sanitizer})))
                .collect::<serde_json::Map<_, _>>()
        }))
        .unwrap_or_default(),
    }
}

// ---------------------------------------------------------------------------------------------
// 5. Scaling.

fn scaling(cfg: &Config) -> Section {
    let mutant = structure("locked-racy-remove").expect("registered");
    let locked = structure("locked").expect("registered");
    let m = model("concurrent-delete").expect("registered");
    let mut columns = vec!["threads \\ ops per thread".to_string()];
    columns.extend(cfg.scaling_ops.iter().map(|o| o.to_string()));
    let mut rows = Vec::new();
    let mut data = Vec::new();
    for &threads in &cfg.scaling_threads {
        let mut row = vec![threads.to_string()];
        for &ops in &cfg.scaling_ops {
            let w = (m.build)(Size {
                threads,
                ops,
                keys: 3,
            });
            let hits = seeded(cfg, &mutant, &w, cfg.scaling_seeds, 2000, |seed| {
                Engine::ShuttlePct { seed, depth: 2 }
            });
            let med = median(&hits);
            let min = Duration::from_millis(if cfg.quick { 100 } else { 300 });
            let (per_sec, _) = rate(
                || {
                    let l = limits(cfg.scaling_throughput, Duration::from_secs(30));
                    (locked.run)(&w, Engine::ShuttlePct { seed: 3000, depth: 2 }, l).schedules
                },
                min,
            );
            let text = format!(
                "{} / {:.0}/s",
                med.map(|h| fmt_n(h.0))
                    .unwrap_or_else(|| format!(">{}", fmt_n(cfg.shuttle_cap))),
                per_sec
            );
            progress("scaling", format!("{threads} threads x {ops} ops: {text}"));
            data.push(
                json!({"threads": threads, "ops": ops, "median_schedules_to_detect": med.map(|h| h.0),
                             "median_seconds_to_detect": med.map(|h| h.1), "schedules_per_sec": per_sec}),
            );
            row.push(text);
        }
        rows.push(row);
    }
    Section {
        id: "scaling".into(),
        title: "5. Scaling with threads and operations (shuttle PCT, depth 2)".into(),
        goal: None,
        goal_met: None,
        notes: vec![
            format!(
                "Cells: median schedules to detect `locked-racy-remove` with the `concurrent-delete` model (3 keys) over {} seeds / schedules per second of the same workload on the correct `locked` \
                 (explorations of {} schedules, repeated for at least {}).",
                cfg.scaling_seeds,
                cfg.scaling_throughput,
                if cfg.quick { "100 ms" } else { "300 ms" }
            ),
            "With 2 ops per thread each thread removes one key, a different one per thread, so the racy remove has no race to lose: the misses there are expected.".into(),
            "Use it to size a model: schedules per second fall with the work per schedule, and schedules to detect grow with the ways a bug can hide.".into(),
        ],
        columns,
        rows,
        data: serde_json::Value::Array(data),
    }
}

// ---------------------------------------------------------------------------------------------

fn machine() -> String {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    format!("{cores} cores, {cpu}, {}", std::env::consts::OS)
}

/// Now in UTC as `YYYY-MM-DD HH:MM` (Howard Hinnant's civil-from-days).
fn utc_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60
    )
}

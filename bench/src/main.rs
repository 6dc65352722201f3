//! `mapcheck-bench [--quick] [--only SECTION]...`: runs every benchmark behind `cargo xtask bench`
//! (or only the sections named), prints progress lines to stderr, and writes the summary as
//! Markdown and JSON to `target/mapcheck/bench/`.
//!
//! `mapcheck-bench peer <mapcheck|stateright|todc> OPS THREADS KEYS WHOLE_MAP_PERMILLE VIOLATION` is
//! the child process a checker runs in, so that it is timed and measured alone and can be stopped
//! at its timeout (neither Rust peer takes a budget).
//!
//! `mapcheck-bench loop <loom|shuttle> <mapcheck|bare> MODEL SECONDS` explores one model on `locked`
//! over and over, for a profiler (`perf record`) to sample.
//!
//! Each section of the summary is one module of `sections/`: `detect` (time to detect each mutant),
//! `detect_race` (the mutants whose bug needs an interleaving, against a naive real-thread loop),
//! `throughput` (exploration throughput and the profiling loop), `checker` (linearizability checker
//! speed), `fuzz` (fuzz throughput), `scaling`, `build` (the times `cargo xtask test` and `cargo
//! xtask ci` recorded from a fresh clone); `peer` runs a peer checker in a child process, and `util`
//! holds what they share.

mod sections;

use anyhow::{bail, Context, Result};
use mapcheck_bench::checker::{Placement, Shape};
use mapcheck_bench::fuzzstats;
use mapcheck_bench::summary::Summary;
use sections::checker::{checker, ALL_PLACEMENTS};
use sections::detect::detect;
use sections::fuzz::fuzz_section;
use sections::peer::peer_child;
use sections::scaling::scaling;
use sections::throughput::{profile_loop, throughput};
use sections::{base_dir, load_average, machine, utc_now};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// As in the `mapcheck` binary: the leak oracle needs to see every allocation, and the figures
/// should be those of a real run.
#[global_allocator]
static ALLOC: mapcheck_harness::alloc::Counting = mapcheck_harness::alloc::Counting;

/// The bounds of one run of the whole suite.
pub(crate) struct Config {
    pub(crate) quick: bool,
    /// Seeds per (mutant, shuttle engine).
    pub(crate) seeds: usize,
    pub(crate) shuttle_cap: usize,
    pub(crate) shuttle_budget: Duration,
    pub(crate) loom_cap: usize,
    pub(crate) loom_budget: Duration,
    pub(crate) stress_iterations: usize,
    pub(crate) stress_budget: Duration,
    /// Shuttle schedules per throughput measurement, and loom's cap per exploration.
    pub(crate) throughput_schedules: usize,
    pub(crate) loom_throughput_cap: usize,
    /// Alternating rounds of mapcheck and bare runs per throughput figure; the best of each is kept.
    pub(crate) rounds: usize,
    /// The checker's histories, each run linearizable and with a violation at each of `placements`.
    pub(crate) checker_shapes: Vec<Shape>,
    pub(crate) placements: Vec<Option<Placement>>,
    pub(crate) peer_timeout: Duration,
    /// Extra time a peer with a timeout of its own (porcupine) gets before it is stopped.
    pub(crate) peer_grace: Duration,
    pub(crate) mapcheck_timeout: Duration,
    pub(crate) peer_memory_gib: u64,
    pub(crate) scaling_threads: Vec<usize>,
    pub(crate) scaling_ops: Vec<usize>,
    pub(crate) scaling_seeds: usize,
    pub(crate) scaling_throughput: usize,
}

/// A linearizable history's shape (the violations are added per placement).
fn shape(ops: usize, threads: usize, keys: u64, whole_map_permille: u32) -> Shape {
    Shape {
        ops,
        threads,
        keys,
        whole_map_permille,
        violation: None,
    }
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
                checker_shapes: vec![
                    shape(10_000, 4, 1, 0),
                    shape(100_000, 8, 1, 0),
                    shape(100_000, 64, 1, 0),
                    shape(280_000, 4, 1000, 0),
                    shape(10_000, 8, 64, 15),
                ],
                placements: vec![None, Some(Placement::Late)],
                peer_timeout: Duration::from_secs(2),
                peer_grace: Duration::from_secs(3),
                mapcheck_timeout: Duration::from_secs(60),
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
                checker_shapes: vec![
                    shape(1_000, 4, 1, 0),
                    shape(10_000, 4, 1, 0),
                    shape(100_000, 8, 1, 0),
                    shape(100_000, 64, 1, 0),
                    shape(100_000, 8, 4, 0),
                    shape(100_000, 8, 64, 0),
                    shape(280_000, 4, 1000, 0),
                    shape(10_000, 4, 4, 50),
                    shape(100_000, 8, 64, 15),
                ],
                placements: ALL_PLACEMENTS.to_vec(),
                peer_timeout: Duration::from_secs(10),
                peer_grace: Duration::from_secs(5),
                mapcheck_timeout: Duration::from_secs(120),
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
        Some("detect-race") => sections::detect_race::standalone(&args[1..]),
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

fn run(args: &[String]) -> Result<()> {
    const USAGE: &str =
        "usage: mapcheck-bench [--quick] [--only detect|detect-race|throughput|drop-in|checker|fuzz|scaling|build]...";
    let mut quick = false;
    let mut only: Vec<String> = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => quick = true,
            "--only" => match it.next().map(String::as_str) {
                Some(
                    s @ ("detect" | "detect-race" | "throughput" | "drop-in" | "checker" | "fuzz" | "scaling"
                    | "build"),
                ) => only.push(s.to_string()),
                Some(other) => bail!("unknown section `{other}`; {USAGE}"),
                None => bail!("--only needs a section; {USAGE}"),
            },
            other => bail!("unknown argument `{other}`; {USAGE}"),
        }
    }
    let wanted = |s: &str| only.is_empty() || only.iter().any(|o| o == s);
    let cfg = Config::new(quick);
    let started = Instant::now();
    let date = utc_now();
    let mut machine = machine();
    let fuzz = fuzzstats::read(&base_dir().join("fuzz/stats.json")).map_err(anyhow::Error::msg)?;
    let mut sections = Vec::new();
    if wanted("detect") {
        sections.push(detect(&cfg, fuzz.as_ref()));
    }
    if wanted("detect-race") {
        sections.push(sections::detect_race::detect_race(&cfg));
    }
    if wanted("throughput") {
        sections.push(throughput(&cfg));
    }
    if wanted("drop-in") {
        sections.push(sections::dropin::dropin(&cfg));
    }
    if wanted("checker") {
        sections.push(checker(&cfg)?);
    }
    if wanted("fuzz") {
        sections.push(fuzz_section(fuzz.as_ref()));
    }
    if wanted("scaling") {
        sections.push(scaling(&cfg));
    }
    if wanted("build") {
        let timings = sections::build::read(&base_dir().join("timings.json")).map_err(anyhow::Error::msg)?;
        sections.push(sections::build::build_section(timings.as_ref()));
    }
    let command = if only.is_empty() {
        format!("cargo xtask bench{}", if quick { " --quick" } else { "" })
    } else {
        let only: Vec<String> = only.iter().map(|s| format!(" --only {s}")).collect();
        format!(
            "cargo run --release -p mapcheck-bench --{}{}",
            if quick { " --quick" } else { "" },
            only.concat()
        )
    };
    let summary = Summary {
        command,
        date,
        machine: {
            machine.load_average_end = load_average();
            machine
        },
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

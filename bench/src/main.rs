//! `mapcheck-bench [--quick]`: runs every benchmark behind `cargo xtask bench`, prints progress lines
//! to stderr, and writes the summary as Markdown and JSON to `target/mapcheck/bench/`.
//!
//! `mapcheck-bench peer <stateright|todc> OPS THREADS KEYS <ok|bad>` is the child process a peer
//! checker runs in, so that it can be stopped at its timeout (neither peer takes a budget).
//!
//! `mapcheck-bench loop <loom|shuttle> <mapcheck|bare> MODEL SECONDS` explores one model on `locked`
//! over and over, for a profiler (`perf record`) to sample.
//!
//! Each section of the summary is one module of `sections/`: `detect` (time to detect each mutant),
//! `throughput` (exploration throughput and the profiling loop), `checker` (linearizability checker
//! speed), `fuzz` (fuzz throughput), `scaling`; `peer` runs a peer checker in a child process, and
//! `util` holds what they share.

mod sections;

use anyhow::{bail, Context, Result};
use mapcheck_bench::fuzzstats;
use mapcheck_bench::summary::Summary;
use sections::checker::checker;
use sections::detect::detect;
use sections::fuzz::fuzz_section;
use sections::peer::peer_child;
use sections::scaling::scaling;
use sections::throughput::{profile_loop, throughput};
use sections::{base_dir, machine, utc_now};
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
    pub(crate) shapes: Vec<(usize, usize, u64)>,
    pub(crate) peer_timeout: Duration,
    pub(crate) peer_memory_gib: u64,
    pub(crate) scaling_threads: Vec<usize>,
    pub(crate) scaling_ops: Vec<usize>,
    pub(crate) scaling_seeds: usize,
    pub(crate) scaling_throughput: usize,
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

//! `cargo xtask`: the project's commands. One `Shell`, rooted at the workspace; one module per
//! command.

mod bench;
mod check;
mod fuzz;
mod fuzz_cover;
mod hunt;
mod test;
mod timings;

use anyhow::{bail, Result};
use std::process::ExitCode;
use xshell::Shell;

const HELP: &str = "\
cargo xtask <command>

commands:
  check [FLAGS]        every model on every structure under every engine; prints the matrix
                       (flags: --model M --structure S --engine E --budget SECONDS --seed N
                        --json --shard K/N; --adapters adds the third-party maps, also
                        turned on by naming one: --structure dashmap)
  replay TOKEN|FILE    run one failure again, exactly
  list                 the models, structures and engines
  scenario list [PATH...]            the scenario files, their sources and expectations
  scenario run [PATH...] [FLAGS]     run scenarios and grade them (flags: --structure S --engine E)
  scenario import INPUT [--out FILE] [--force] [--no-run]
                       a failure record or token, a Markdown report or a Go reproducer
                       (FILE.go or FILE:FIRST-LAST) becomes a scenario file, then runs
  test                 the whole test suite through cargo-nextest, plus doc tests
  bench [--quick]      the performance figures (time to detect each mutant, exploration
                       throughput against bare loom and shuttle, checker speed against
                       stateright and todc-utils, fuzz throughput, scaling); writes
                       target/mapcheck/bench/summary.{md,json}; --quick: under two minutes
  hunt [NAME...] [--seed N]... [--budget SECONDS] [--list]
                       third-party concurrent maps and caches (examples/hunt, built into
                       target/hunt) checked through the public API on real threads, each with
                       seeds 42 and 7 and the default budget; --repro NAME runs the standalone
                       reproducer of a bug it found (examples/hunt/src/bin/repro_NAME.rs)
  ci                   what .ci/run runs: test, the user crate's tests (examples/user-crate),
                       cargo package of the library crates, a one-minute check (dev profile),
                       then fuzz --smoke --sanitizer none
  fuzz [TARGET] [FLAGS]  libFuzzer targets ops, schedules, scenario (default: all) through cargo-fuzz
                       (installed if missing), nightly + AddressSanitizer when present, else stable
                       (flags: --time SECONDS (60) --jobs N --structure NAME --sanitizer address|none;
                        --smoke: every target 15 s, correct structures; --mutants: each mutant <= 60 s,
                        must be found; --merge: shrink the grown corpus to the inputs that add
                        coverage, with the fuzzing build); a crash is minimised into
                        scenarios/fuzz-TARGET-HASH.toml;
                       figures in target/mapcheck/fuzz/stats.json
";

/// A command that ran and failed, with the exit status it failed with: reported as one line.
#[derive(Debug)]
pub struct Failed {
    pub what: String,
    pub code: u8,
}

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (exit status {})", self.what, self.code)
    }
}

impl std::error::Error for Failed {}

fn main() -> ExitCode {
    // Started by cargo as rustc's wrapper for a fuzz build (see `fuzz_cover`).
    if let Some(code) = fuzz_cover::as_wrapper() {
        return code;
    }
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line: a failing check has already printed its report; a backtrace of xtask itself
            // would only bury it.
            match e.downcast_ref::<Failed>() {
                Some(f) => {
                    eprintln!("cargo xtask: {f}");
                    ExitCode::from(f.code.max(1))
                }
                None => {
                    eprintln!("cargo xtask: {e:#}");
                    ExitCode::from(2)
                }
            }
        }
    }
}

fn run() -> Result<()> {
    let sh = Shell::new()?;
    sh.change_dir(project_root());
    let mut args = std::env::args().skip(1);
    let cmd = args.next().unwrap_or_default();
    let rest: Vec<String> = args.collect();
    match cmd.as_str() {
        "check" => check::run(&sh, "check", &rest),
        "replay" => check::run(&sh, "replay", &rest),
        "list" => check::run(&sh, "list", &rest),
        "scenario" => check::run(&sh, "scenario", &rest),
        // Only the whole suite's time is a figure for the goal.
        "test" if rest.is_empty() => timings::timed(&project_root(), "test", || test::run(&sh, &[])),
        "test" => test::run(&sh, &rest),
        "bench" => bench::run(&sh, &rest),
        "fuzz" => fuzz::run(&sh, &rest),
        "hunt" => hunt::run(&sh, &rest),
        "ci" => timings::timed(&project_root(), "ci", || ci(&sh)),
        "" | "help" | "--help" | "-h" => {
            print!("{HELP}");
            Ok(())
        }
        other => bail!("unknown command `{other}`\n\n{HELP}"),
    }
}

/// What `.ci/run` runs: the tests, the user crate's tests, the library crates packaged, a short
/// check, a fuzz smoke run.
fn ci(sh: &Shell) -> Result<()> {
    // The tests' part is `cargo xtask test`'s figure too (from a fresh clone, on a CI machine).
    timings::timed(&project_root(), "test", || test::run(sh, &[]))?;
    test::user_crate(sh)?;
    test::package(sh)?;
    // The short check on the binary the test build's dependencies serve (no second, release build).
    check::run_with(sh, "check", &["--budget".into(), "60".into()], "dev")?;
    // Every target on stable with no sanitizer: AddressSanitizer fuzzing is the nightly workflow's
    // (each target an hour), so CI builds no nightly instrumented tree.
    fuzz::run(sh, &["--smoke".into(), "--sanitizer".into(), "none".into()])
}

fn project_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

//! `cargo xtask bench [--quick]`: build the benchmark runner (`mapcheck-bench`) in release mode and
//! run it; it prints progress lines, then the summary, which it also writes as Markdown and JSON to
//! `target/mapcheck/bench/`. The full run also runs the divan micro benchmarks (`cargo bench`) and,
//! when cargo-fuzz is installed, a bounded run of the `ops`, `schedules` and `scenario` fuzz targets
//! without a sanitizer (30 s each), whose rates the summary shows beside their goals.

use anyhow::{bail, Result};
use xshell::{cmd, Shell};

pub fn run(sh: &Shell, args: &[String]) -> Result<()> {
    let mut quick = false;
    for a in args {
        match a.as_str() {
            "--quick" => quick = true,
            other => bail!("unknown flag `{other}` for bench; usage: cargo xtask bench [--quick]"),
        }
    }
    let cargo = super::check::cargo();
    let started = std::time::Instant::now();
    let flag: &[&str] = if quick { &["--quick"] } else { &[] };
    if !quick {
        eprintln!("[bench] micro benchmarks (divan): cargo bench -p mapcheck-bench");
        cmd!(
            sh,
            "{cargo} bench --quiet --package mapcheck-bench --features micro --bench micro"
        )
        .run()?;
    }
    if !quick {
        fuzz_throughput(sh);
    }
    eprintln!("[bench] building mapcheck-bench in release mode");
    super::check::status(
        cmd!(
            sh,
            "{cargo} run --quiet --release --package mapcheck-bench --features peers -- {flag...}"
        ),
        "mapcheck-bench failed",
    )?;
    eprintln!("[bench] done in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// Seconds each fuzz target runs for its figure.
const FUZZ_SECONDS: &str = "30";

/// Runs `ops`, `schedules` and `scenario` for [`FUZZ_SECONDS`] each without a sanitizer, as
/// `cargo xtask fuzz TARGET --time 30 --sanitizer none` does, which writes the rates the summary
/// reads. Skipped, with a line, when cargo-fuzz is not installed; a target that fails is reported
/// and the benchmarks go on.
fn fuzz_throughput(sh: &Shell) {
    let present = cmd!(sh, "cargo fuzz --version")
        .quiet()
        .ignore_stdout()
        .ignore_stderr()
        .run()
        .is_ok();
    if !present {
        eprintln!(
            "[bench] fuzz throughput skipped: cargo-fuzz is not installed (`cargo xtask fuzz` installs it)"
        );
        return;
    }
    for target in ["ops", "schedules", "scenario"] {
        eprintln!(
            "[bench] fuzz throughput: cargo xtask fuzz {target} --time {FUZZ_SECONDS} --sanitizer none"
        );
        let args = [target, "--time", FUZZ_SECONDS, "--sanitizer", "none"].map(String::from);
        if let Err(e) = super::fuzz::run(sh, &args) {
            eprintln!("[bench] fuzz {target}: {e:#}");
        }
    }
}

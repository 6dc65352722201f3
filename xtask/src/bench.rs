//! `cargo xtask bench [--quick]`: build the benchmark runner (`mapcheck-bench`) in release mode and
//! run it; it prints progress lines, then the summary, which it also writes as Markdown and JSON to
//! `target/mapcheck/bench/`. The full run also runs the divan micro benchmarks (`cargo bench`).

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

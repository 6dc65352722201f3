//! `cargo xtask fuzz`: the libFuzzer targets in `fuzz/` through cargo-fuzz (installed when missing),
//! on nightly with AddressSanitizer when a nightly toolchain is present, else on stable without a
//! sanitizer. Records executions per second and time to detect each mutant in
//! `target/mapcheck/fuzz/stats.json`, and turns a crash into a minimised input, a failure record and
//! a scenario file.

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;
use xshell::{cmd, Shell};

const TARGETS: &[&str] = &["ops", "schedules", "scenario"];

/// Mutants the `ops` target reaches single-threaded: a leak, a table that never shrinks, a clear that
/// skips a shard.
const OPS_MUTANTS: &[&str] = &["locked-leaky-remove", "locked-noshrink", "sharded-clear-skips"];
/// Mutants the `schedules` target reaches through an interleaving.
const SCHEDULE_MUTANTS: &[&str] = &[
    "cow-nocas",
    "locked-racy-remove",
    "locked-iter-lock",
    "sharded-misroute",
    "tombstone-gc-race",
    "rebuild-unguarded",
    "tombstone-gc-leak",
];

struct Opts {
    target: Option<String>,
    time: u64,
    jobs: usize,
    structure: Option<String>,
    sanitizer: Option<String>,
    smoke: bool,
    mutants: bool,
}

fn parse(args: &[String]) -> Result<Opts> {
    let mut o = Opts {
        target: None,
        time: 60,
        jobs: 1,
        structure: None,
        sanitizer: None,
        smoke: false,
        mutants: false,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .with_context(|| format!("{name} needs a value"))
        };
        match a.as_str() {
            "--time" => o.time = value("--time")?.parse().context("--time takes whole seconds")?,
            "--jobs" => o.jobs = value("--jobs")?.parse().context("--jobs takes a number")?,
            "--structure" => o.structure = Some(value("--structure")?),
            "--sanitizer" => {
                let s = value("--sanitizer")?;
                if s != "address" && s != "none" {
                    bail!("--sanitizer takes `address` or `none`, not `{s}`");
                }
                o.sanitizer = Some(s);
            }
            "--smoke" => o.smoke = true,
            "--mutants" => o.mutants = true,
            t if TARGETS.contains(&t) => o.target = Some(t.to_string()),
            other => bail!(
                "unknown fuzz argument `{other}`; usage: cargo xtask fuzz [ops|schedules|scenario] \
                 [--time SECONDS] [--jobs N] [--structure NAME] [--sanitizer address|none] [--smoke] [--mutants]"
            ),
        }
    }
    if o.jobs == 0 {
        bail!("--jobs must be at least 1");
    }
    Ok(o)
}

/// The toolchain and sanitizer a run uses.
struct Toolchain {
    nightly: bool,
    sanitizer: &'static str,
}

impl Toolchain {
    fn detect(sh: &Shell, wanted: Option<&str>) -> Toolchain {
        let nightly = cmd!(sh, "rustup toolchain list")
            .quiet()
            .ignore_stderr()
            .read()
            .map(|l| l.lines().any(|t| t.starts_with("nightly")))
            .unwrap_or(false);
        let tc = match (nightly, wanted) {
            (true, Some("none")) => Toolchain {
                nightly: false,
                sanitizer: "none",
            },
            (true, _) => Toolchain {
                nightly: true,
                sanitizer: "address",
            },
            (false, _) => Toolchain {
                nightly: false,
                sanitizer: "none",
            },
        };
        if wanted == Some("address") && !nightly {
            eprintln!("fuzz: AddressSanitizer needs a nightly toolchain and none is installed");
        }
        eprintln!(
            "fuzz: {} toolchain, sanitizer {}",
            if tc.nightly { "nightly" } else { "stable" },
            tc.sanitizer
        );
        tc
    }

    /// `cargo [+nightly] fuzz <sub> --features libfuzzer -s <san> --target-dir target/fuzz-<san>`.
    fn cargo_fuzz(&self, root: &Path, sub: &str) -> Command {
        let mut c = Command::new("cargo");
        // The harness's leak oracle judges the structures; LeakSanitizer would flag the runtimes'
        // deliberate process-lifetime allocations (shuttle's scheduler is never dropped).
        c.current_dir(root)
            .env_remove("RUSTUP_TOOLCHAIN")
            .env("ASAN_OPTIONS", "detect_leaks=0");
        if self.nightly {
            c.arg("+nightly");
        }
        c.args([
            "fuzz",
            sub,
            "--features",
            "libfuzzer",
            "-s",
            self.sanitizer,
            "--target-dir",
        ])
        .arg(format!("target/fuzz-{}", self.sanitizer));
        c
    }
}

/// Installs cargo-fuzz when `cargo fuzz` is missing; false when it cannot be installed.
fn ensure_cargo_fuzz(sh: &Shell) -> bool {
    let present = || {
        cmd!(sh, "cargo fuzz --version")
            .quiet()
            .ignore_stdout()
            .ignore_stderr()
            .run()
            .is_ok()
    };
    if present() {
        return true;
    }
    eprintln!("fuzz: cargo-fuzz is not installed; installing it with `cargo install --locked cargo-fuzz` (a few minutes)");
    cmd!(sh, "cargo install --locked cargo-fuzz").run().is_ok() && present()
}

pub fn run(sh: &Shell, args: &[String]) -> Result<()> {
    let o = parse(args)?;
    let root = sh.current_dir();
    if !ensure_cargo_fuzz(sh) {
        if o.smoke {
            eprintln!(
                "fuzz --smoke: cargo-fuzz could not be installed, so libFuzzer does not run; the targets' \
                 decoding and checks run on fixed inputs instead (cargo nextest run -p mapcheck-fuzz)"
            );
            let cargo = super::check::cargo();
            cmd!(sh, "{cargo} nextest run -p mapcheck-fuzz").run()?;
            return Ok(());
        }
        bail!("cargo-fuzz is not installed and `cargo install --locked cargo-fuzz` failed (see above)");
    }
    let tc = Toolchain::detect(sh, o.sanitizer.as_deref());
    if o.mutants {
        return mutants(&root, &tc, &o);
    }
    let (targets, time): (Vec<&str>, u64) = match (&o.target, o.smoke) {
        (_, true) => (TARGETS.to_vec(), if o.time == 60 { 15 } else { o.time }),
        (Some(t), false) => (vec![t.as_str()], o.time),
        (None, false) => (TARGETS.to_vec(), o.time),
    };
    if o.smoke {
        eprintln!("fuzz --smoke: every target for {time} s on the correct structures; no input may fail");
    }
    let structures = if o.smoke { None } else { o.structure.as_deref() };
    let mut failed = Vec::new();
    for t in targets {
        build(&root, &tc, t)?;
        let r = fuzz(
            &root,
            &tc,
            t,
            time,
            o.jobs,
            structures,
            &root.join("target/mapcheck/fuzz/corpus").join(t),
        )?;
        update_stats(&root, |s| {
            s["targets"][t] = json!({"execs_per_sec": r.execs_per_sec, "sanitizer": tc.sanitizer});
        })?;
        eprintln!(
            "fuzz {t}: {} executions, {:.0} exec/s ({})",
            r.execs, r.execs_per_sec, tc.sanitizer
        );
        if let Some(crash) = r.crash {
            let structure = structures.map(str::to_string);
            report_crash(&root, &tc, t, &crash, structure.as_deref())?;
            failed.push(t);
        }
    }
    if !failed.is_empty() {
        bail!("fuzzing found failures in {} (see above)", failed.join(", "));
    }
    Ok(())
}

fn build(root: &Path, tc: &Toolchain, target: &str) -> Result<()> {
    let status = tc.cargo_fuzz(root, "build").args(["-O", target]).status()?;
    if !status.success() {
        bail!("`cargo fuzz build {target}` failed");
    }
    Ok(())
}

/// What one libFuzzer run did.
struct Run {
    execs: u64,
    execs_per_sec: f64,
    seconds: f64,
    crash: Option<PathBuf>,
    /// The crash report's first lines (the finding's message).
    message: String,
}

/// The checked-in seeds of a target.
fn seeds(root: &Path, target: &str) -> PathBuf {
    if target == "scenario" {
        root.join("scenarios")
    } else {
        root.join("fuzz/corpus").join(target)
    }
}

fn fuzz(
    root: &Path,
    tc: &Toolchain,
    target: &str,
    time: u64,
    jobs: usize,
    structures: Option<&str>,
    corpus: &Path,
) -> Result<Run> {
    let artifacts = root.join("target/mapcheck/fuzz/artifacts").join(target);
    std::fs::create_dir_all(&artifacts)?;
    std::fs::create_dir_all(corpus)?;
    let mut c = tc.cargo_fuzz(root, "run");
    c.args(["-O", target])
        .arg(corpus)
        .arg(seeds(root, target))
        .arg("--");
    c.arg(format!("-max_total_time={time}"))
        .arg(format!("-artifact_prefix={}/", artifacts.display()))
        .arg("-print_final_stats=1")
        .arg("-detect_leaks=0");
    let dict = root.join("fuzz/dict").join(format!("{target}.dict"));
    if dict.exists() {
        c.arg(format!("-dict={}", dict.display()));
    }
    if jobs > 1 {
        c.arg(format!("-fork={jobs}"));
    }
    match structures {
        Some(s) => c.env("MAPCHECK_FUZZ_STRUCTURES", s),
        None => c.env_remove("MAPCHECK_FUZZ_STRUCTURES"),
    };
    let started = Instant::now();
    let mut child = c.stderr(Stdio::piped()).spawn()?;
    let mut lines = Vec::new();
    for line in BufReader::new(child.stderr.take().expect("piped")).lines() {
        let line = line?;
        eprintln!("{line}");
        lines.push(line);
    }
    child.wait()?;
    let seconds = started.elapsed().as_secs_f64();
    Ok(summarise(&lines, seconds))
}

/// Reads libFuzzer's final statistics, its last progress line and the crash artifact's path.
fn summarise(lines: &[String], seconds: f64) -> Run {
    let stat = |name: &str| {
        lines
            .iter()
            .rev()
            .find_map(|l| l.strip_prefix(name)?.trim().parse::<f64>().ok())
    };
    let last_progress = lines.iter().rev().find_map(|l| {
        let rest = l.strip_prefix('#')?;
        let n: u64 = rest.split_whitespace().next()?.parse().ok()?;
        let rate = l
            .split("exec/s: ")
            .nth(1)?
            .split_whitespace()
            .next()?
            .parse::<f64>()
            .ok();
        Some((n, rate))
    });
    let execs = stat("stat::number_of_executed_units:")
        .map(|v| v as u64)
        .or(last_progress.map(|p| p.0))
        .unwrap_or(0);
    let execs_per_sec = stat("stat::average_exec_per_sec:")
        .or(last_progress.and_then(|p| p.1))
        .unwrap_or(execs as f64 / seconds.max(1e-9));
    let crash = lines.iter().find_map(|l| {
        let p = l.split("Test unit written to ").nth(1)?;
        Some(PathBuf::from(p.trim()))
    });
    let message = lines
        .iter()
        .filter(|l| l.contains("mapcheck fuzz `") || l.contains("panicked at"))
        .take(3)
        .cloned()
        .collect::<Vec<_>>()
        .join("\n");
    Run {
        execs,
        execs_per_sec,
        seconds,
        crash,
        message,
    }
}

/// Minimises a crash with `cargo fuzz tmin`, then (for `ops` and `schedules`) writes its failure
/// record and imports it as `scenarios/fuzz-<target>-<hash>.toml`.
fn report_crash(
    root: &Path,
    tc: &Toolchain,
    target: &str,
    crash: &Path,
    structures: Option<&str>,
) -> Result<()> {
    eprintln!(
        "fuzz {target}: crash at {}; minimising it with `cargo fuzz tmin`",
        crash.display()
    );
    let before: Vec<PathBuf> = list(crash.parent().unwrap_or(root));
    let mut c = tc.cargo_fuzz(root, "tmin");
    c.args(["-O", "-r", "2000", target])
        .arg(crash)
        .args(["--", "-detect_leaks=0"]);
    if let Some(s) = structures {
        c.env("MAPCHECK_FUZZ_STRUCTURES", s);
    }
    let _ = c.stdout(Stdio::null()).stderr(Stdio::null()).status();
    let minimised = list(crash.parent().unwrap_or(root))
        .into_iter()
        .filter(|p| !before.contains(p))
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("minimized-from-"))
        })
        .unwrap_or_else(|| crash.to_path_buf());
    eprintln!("fuzz {target}: minimised input kept at {}", minimised.display());
    if target == "scenario" {
        eprintln!("fuzz scenario: a parser panic; the minimised input above is the artifact to fix it with");
        return Ok(());
    }
    let data = std::fs::read(&minimised)?;
    let hash = data.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
    });
    let record = root
        .join("target/mapcheck/fuzz/records")
        .join(format!("fuzz-{target}-{:08x}.json", hash as u32));
    std::fs::create_dir_all(record.parent().expect("a folder"))?;
    let mut c = Command::new(super::check::cargo());
    c.current_dir(root)
        .args([
            "run",
            "--quiet",
            "--release",
            "-p",
            "mapcheck-fuzz",
            "--example",
            "record",
            "--",
            target,
        ])
        .arg(&minimised)
        .arg(&record);
    if let Some(s) = structures {
        c.env("MAPCHECK_FUZZ_STRUCTURES", s);
    }
    if !c.status()?.success() {
        bail!("could not turn {} into a failure record", minimised.display());
    }
    let out = format!("scenarios/fuzz-{target}-{:08x}.toml", hash as u32);
    let sh = Shell::new()?;
    sh.change_dir(root);
    // The import runs the scenario, which fails on the structure by design; the file is what counts.
    let _ = super::check::run(
        &sh,
        "scenario",
        &[
            "import".into(),
            record.display().to_string(),
            "--out".into(),
            out.clone(),
            "--force".into(),
        ],
    );
    if root.join(&out).exists() {
        eprintln!("fuzz {target}: wrote {out}");
    }
    Ok(())
}

fn list(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default()
}

/// Fuzzes each reachable mutant for a bounded time and asserts each is found.
fn mutants(root: &Path, tc: &Toolchain, o: &Opts) -> Result<()> {
    let time = if o.time == 60 { 60 } else { o.time };
    let mut missed = Vec::new();
    for (target, list) in [("ops", OPS_MUTANTS), ("schedules", SCHEDULE_MUTANTS)] {
        build(root, tc, target)?;
        for mutant in list {
            if o.structure.as_deref().is_some_and(|s| s != *mutant) {
                continue;
            }
            // A fresh corpus per mutant: the time to detect starts from the checked-in seeds.
            let corpus = root
                .join("target/mapcheck/fuzz/mutants")
                .join(format!("{target}-{mutant}"));
            let _ = std::fs::remove_dir_all(&corpus);
            let r = fuzz(root, tc, target, time, 1, Some(mutant), &corpus)?;
            match &r.crash {
                Some(_) => {
                    eprintln!(
                        "fuzz --mutants: {target} found {mutant} after {} executions in {:.1} s\n{}",
                        r.execs, r.seconds, r.message
                    );
                    update_stats(root, |s| {
                        s["detect"][*mutant] = json!({"execs": r.execs, "seconds": r.seconds});
                    })?;
                }
                None => missed.push(format!("{target}/{mutant}")),
            }
        }
    }
    if !missed.is_empty() {
        bail!("fuzzing did not find {} within {time} s each", missed.join(", "));
    }
    eprintln!("fuzz --mutants: every mutant found; figures in target/mapcheck/fuzz/stats.json");
    Ok(())
}

/// Reads `target/mapcheck/fuzz/stats.json`, applies `f` and writes it back, keeping other entries.
fn update_stats(root: &Path, f: impl FnOnce(&mut Value)) -> Result<()> {
    let path = root.join("target/mapcheck/fuzz/stats.json");
    let mut stats: Value = std::fs::read_to_string(&path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .filter(Value::is_object)
        .unwrap_or_else(|| json!({}));
    for k in ["targets", "detect"] {
        if !stats[k].is_object() {
            stats[k] = json!({});
        }
    }
    f(&mut stats);
    std::fs::create_dir_all(path.parent().expect("a folder"))?;
    std::fs::write(&path, serde_json::to_string_pretty(&stats)? + "\n")?;
    Ok(())
}

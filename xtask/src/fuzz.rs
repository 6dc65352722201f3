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

const TARGETS: &[&str] = &["ops", "schedules", "scenario", "replay"];

/// Seconds one input may run before libFuzzer reports it as a timeout (a hang).
const TIMEOUT: u64 = 30;

struct Opts {
    target: Option<String>,
    time: u64,
    jobs: usize,
    structure: Option<String>,
    sanitizer: Option<String>,
    smoke: bool,
    mutants: bool,
    merge: bool,
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
        merge: false,
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
            "--merge" => o.merge = true,
            t if TARGETS.contains(&t) => o.target = Some(t.to_string()),
            other => bail!(
                "unknown fuzz argument `{other}`; usage: cargo xtask fuzz [ops|schedules|scenario|replay] \
                 [--time SECONDS] [--jobs N] [--structure NAME] [--sanitizer address|none] [--smoke] [--mutants] \
                 [--merge]"
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
        if let Some(plan) = super::fuzz_cover::plan() {
            super::fuzz_cover::configure(&mut c, &plan, root);
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
    if o.merge {
        for t in targets {
            build(&root, &tc, t)?;
            merge(&root, &tc, t)?;
        }
        return Ok(());
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
            s["targets"][t] = json!({
                "execs_per_sec": r.execs_per_sec,
                "execs": r.execs,
                "seconds": r.seconds,
                "sanitizer": tc.sanitizer,
                "unknown_inputs": r.unknown,
                "unknown_dir": unknown_dir(&root).join(t).display().to_string(),
                "measured": utc_now(),
                "cover": super::fuzz_cover::plan().unwrap_or_else(|| "all".into()),
            });
        })?;
        eprintln!(
            "fuzz {t}: {} executions, {:.0} exec/s ({})",
            r.execs, r.execs_per_sec, tc.sanitizer
        );
        report_unknown(&root, t, r.unknown);
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

/// Shrinks `target`'s grown corpus to the inputs that add coverage (libFuzzer's `-merge=1`) with
/// the build the fuzzing runs use: only the code under test instrumented, so an input is kept for
/// the structures' edges, not for a dependency's.
fn merge(root: &Path, tc: &Toolchain, target: &str) -> Result<()> {
    let corpus = root.join("target/mapcheck/fuzz/corpus").join(target);
    let merged = root.join("target/mapcheck/fuzz/merged").join(target);
    let _ = std::fs::remove_dir_all(&merged);
    std::fs::create_dir_all(&merged)?;
    std::fs::create_dir_all(&corpus)?;
    let before = list(&corpus).len();
    let status = tc
        .cargo_fuzz(root, "run")
        .args(["-O", target])
        .arg(&merged)
        .arg(&corpus)
        .args(["--", "-merge=1", "-detect_leaks=0"])
        .arg(format!("-timeout={TIMEOUT}"))
        .status()?;
    if !status.success() {
        bail!(
            "merging the {target} corpus failed; {} is left as it was",
            corpus.display()
        );
    }
    let after = list(&merged).len();
    std::fs::remove_dir_all(&corpus)?;
    std::fs::rename(&merged, &corpus)?;
    eprintln!(
        "fuzz {target}: corpus merged, {before} -> {after} inputs ({})",
        corpus.display()
    );
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
    /// Distinct inputs that had no verdict, kept under [`unknown_dir`].
    unknown: usize,
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
        .arg(format!("-timeout={TIMEOUT}"))
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
    let unknown = unknown_dir(root);
    let unknown_before = list(&unknown.join(target)).len();
    c.env("MAPCHECK_FUZZ_UNKNOWN_DIR", &unknown);
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
    let mut run = summarise(&lines, seconds);
    run.unknown = list(&unknown.join(target)).len().saturating_sub(unknown_before);
    Ok(run)
}

/// Where the fuzz targets keep the inputs that had no verdict, one folder per target.
fn unknown_dir(root: &Path) -> PathBuf {
    root.join("target/mapcheck/fuzz/unknown")
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
        unknown: 0,
    }
}

/// Says how many inputs of a run had no verdict, and where they are: never a pass, never a crash.
fn report_unknown(root: &Path, target: &str, n: usize) {
    if n > 0 {
        eprintln!(
            "fuzz {target}: {n} input(s) had no verdict (unknown, not passed); kept in {}",
            unknown_dir(root).join(target).display()
        );
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
    let timeout = crash
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("timeout-"));
    if timeout {
        // A hang: minimising it would wait out the timeout on every attempt. Its record is made
        // under shuttle, which reports a deadlock instead of hanging.
        eprintln!(
            "fuzz {target}: an input ran longer than {TIMEOUT} s (a hang: a deadlock or a livelock), kept at {}",
            crash.display()
        );
        return record_and_import(root, target, crash, structures);
    }
    eprintln!(
        "fuzz {target}: crash at {}; minimising it with `cargo fuzz tmin`",
        crash.display()
    );
    let places = minimised_places(root, target, crash);
    for p in &places {
        let _ = std::fs::remove_file(p);
    }
    let mut c = tc.cargo_fuzz(root, "tmin");
    c.args(["-O", "-r", "2000", target])
        .arg(crash)
        .args(["--", "-detect_leaks=0"]);
    if let Some(s) = structures {
        c.env("MAPCHECK_FUZZ_STRUCTURES", s);
    }
    let _ = c.stdout(Stdio::null()).stderr(Stdio::null()).status();
    let minimised = places
        .into_iter()
        .find(|p| p.exists())
        .unwrap_or_else(|| crash.to_path_buf());
    eprintln!("fuzz {target}: minimised input kept at {}", minimised.display());
    record_and_import(root, target, &minimised, structures)
}

/// Where `cargo fuzz tmin` may leave the minimised input of `crash`: libFuzzer names it after the
/// crash's hash (`crash-HASH` gives `minimized-from-HASH`), and cargo-fuzz writes it to its own
/// artifact folder (`fuzz/artifacts/TARGET/`) whatever folder the crash came from.
fn minimised_places(root: &Path, target: &str, crash: &Path) -> [PathBuf; 2] {
    let hash = crash
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .and_then(|n| n.split_once('-').map(|(_, h)| h.to_string()))
        .unwrap_or_default();
    let name = format!("minimized-from-{hash}");
    [
        crash.parent().unwrap_or(root).join(&name),
        root.join("fuzz/artifacts").join(target).join(&name),
    ]
}

/// Writes the failure record of a crashing input (for `ops` and `schedules`) and imports it as
/// `scenarios/fuzz-<target>-<hash>.toml`.
fn record_and_import(root: &Path, target: &str, minimised: &Path, structures: Option<&str>) -> Result<()> {
    if target == "scenario" || target == "replay" {
        eprintln!("fuzz {target}: a reader's panic or broken property; the input above is the artifact to fix it with");
        return Ok(());
    }
    let data = std::fs::read(minimised)?;
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
        .arg(minimised)
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

/// Now in UTC as `YYYY-MM-DD HH:MM UTC` (from `date`; empty when it cannot run).
pub(crate) fn utc_now() -> String {
    Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

fn list(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default()
}

/// One line of the `reach` example: whether a target reaches a mutant of the registry.
#[derive(serde::Deserialize)]
struct Reach {
    target: String,
    mutant: String,
    reaches: bool,
    #[serde(default)]
    by: String,
    #[serde(default)]
    oracle: String,
    #[serde(default)]
    why: String,
}

/// Which of the registry's mutants each target reaches, from the `reach` example
/// (`mapcheck_fuzz::reach`), which tries each mutant's own models and a fixed set of inputs.
fn reachable(root: &Path) -> Result<Vec<Reach>> {
    eprintln!("fuzz --mutants: which of the registry's mutants each target reaches (cargo run -p mapcheck-fuzz --example reach)");
    let out = Command::new(super::check::cargo())
        .current_dir(root)
        .args([
            "run",
            "--quiet",
            "--release",
            "-p",
            "mapcheck-fuzz",
            "--example",
            "reach",
        ])
        .stderr(Stdio::inherit())
        .output()?;
    if !out.status.success() {
        bail!("the `reach` example failed (see above)");
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).with_context(|| format!("`reach` printed `{l}`")))
        .collect()
}

/// Fuzzes each mutant of the registry with each target that reaches it, for a bounded time, and
/// asserts each is found; names the mutants a target does not reach, and why.
fn mutants(root: &Path, tc: &Toolchain, o: &Opts) -> Result<()> {
    let time = o.time;
    let reach = reachable(root)?;
    if let Some(s) = o.structure.as_deref() {
        if !reach.iter().any(|r| r.mutant == s) {
            let names: Vec<&str> = reach.iter().map(|r| r.mutant.as_str()).collect();
            bail!(
                "--structure {s}: not a mutant of the registry; the mutants are {}",
                names.join(", ")
            );
        }
    }
    let mut missed = Vec::new();
    let mut built = Vec::new();
    for r in &reach {
        if o.structure.as_deref().is_some_and(|s| s != r.mutant) {
            continue;
        }
        if o.target.as_deref().is_some_and(|t| t != r.target) {
            continue;
        }
        let (target, mutant) = (r.target.as_str(), r.mutant.as_str());
        if !r.reaches {
            eprintln!(
                "fuzz --mutants: {target} does not reach {mutant}, so it is not fuzzed with it: {}",
                r.why
            );
            update_stats(root, |s| s["unreached"][target][mutant] = json!(r.why))?;
            continue;
        }
        if !built.contains(&target) {
            build(root, tc, target)?;
            built.push(target);
        }
        eprintln!(
            "fuzz --mutants: {target} on {mutant} for at most {time} s ({} fails {} on it)",
            r.by, r.oracle
        );
        // A fresh corpus per mutant: the time to detect starts from the checked-in seeds.
        let corpus = root
            .join("target/mapcheck/fuzz/mutants")
            .join(format!("{target}-{mutant}"));
        let _ = std::fs::remove_dir_all(&corpus);
        let run = fuzz(root, tc, target, time, 1, Some(mutant), &corpus)?;
        report_unknown(root, target, run.unknown);
        match &run.crash {
            Some(_) => {
                eprintln!(
                    "fuzz --mutants: {target} found {mutant} after {} executions in {:.1} s\n{}",
                    run.execs, run.seconds, run.message
                );
                let figure = json!({
                    "execs": run.execs,
                    "seconds": run.seconds,
                    "target": target,
                    "unknown_inputs": run.unknown,
                });
                update_stats(root, |s| {
                    s["detect_by_target"][target][mutant] = figure.clone();
                    // The bench's column is the fuzz-driven schedules; the ops target stands in
                    // only for a mutant the schedules target does not reach.
                    if target == "schedules" || !s["detect"][mutant].is_object() {
                        s["detect"][mutant] = figure.clone();
                    }
                })?;
            }
            None => missed.push(format!("{target}/{mutant}")),
        }
    }
    if !missed.is_empty() {
        bail!("fuzzing did not find {} within {time} s each", missed.join(", "));
    }
    eprintln!("fuzz --mutants: every reached mutant found; figures in target/mapcheck/fuzz/stats.json");
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
    for k in ["targets", "detect", "detect_by_target", "unreached"] {
        if !stats[k].is_object() {
            stats[k] = json!({});
        }
    }
    f(&mut stats);
    std::fs::create_dir_all(path.parent().expect("a folder"))?;
    std::fs::write(&path, serde_json::to_string_pretty(&stats)? + "\n")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_is_a_flag_of_a_target_or_of_every_target() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let o = parse(&args(&["ops", "--merge"])).unwrap();
        assert!(o.merge && o.target.as_deref() == Some("ops"));
        let o = parse(&args(&["--merge"])).unwrap();
        assert!(o.merge && o.target.is_none());
        let e = parse(&args(&["--merged"])).err().unwrap().to_string();
        assert!(
            e.contains("unknown fuzz argument `--merged`") && e.contains("[--merge]"),
            "{e}"
        );
    }

    #[test]
    fn the_minimised_crash_is_looked_for_beside_it_and_where_cargo_fuzz_writes_it() {
        let root = Path::new("/w");
        let crash = Path::new("/w/target/mapcheck/fuzz/artifacts/ops/crash-2018990f");
        assert_eq!(
            minimised_places(root, "ops", crash),
            [
                PathBuf::from("/w/target/mapcheck/fuzz/artifacts/ops/minimized-from-2018990f"),
                PathBuf::from("/w/fuzz/artifacts/ops/minimized-from-2018990f"),
            ]
        );
        let hang = Path::new("/w/x/timeout-77ab");
        assert_eq!(
            minimised_places(root, "schedules", hang)[1],
            PathBuf::from("/w/fuzz/artifacts/schedules/minimized-from-77ab")
        );
    }
}

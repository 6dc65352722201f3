//! The child processes every checker runs in, so that each can be timed alone, measured for CPU
//! time and peak memory, and stopped at its timeout or memory limit: `mapcheck-bench peer <mapcheck|
//! stateright|todc> OPS THREADS KEYS WHOLE_MAP_PERMILLE VIOLATION` regenerates the history, prints
//! `ready`, checks it, and prints `VERDICT WALL_SECONDS CPU_SECONDS MAXRSS_KB`; the porcupine driver
//! (`bench/porcupine`) prints the same two lines.

use super::util::*;
use anyhow::{anyhow, bail, Result};
use mapcheck_bench::checker::{generate, shape_from_args, SEED};
#[cfg(feature = "peers")]
use mapcheck_bench::checker::{stateright_spec, todc_spec};
use mapcheck_harness::lincheck::{check, LinOptions, LinVerdict};
use std::io::BufRead;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A checker's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Answer {
    Ok,
    Violation,
    Unknown,
}

impl Answer {
    pub(crate) fn word(self) -> &'static str {
        match self {
            Answer::Ok => "ok",
            Answer::Violation => "violation",
            Answer::Unknown => "unknown",
        }
    }
}

/// What one checker did with one history.
#[derive(Debug, Clone)]
pub(crate) enum PeerResult {
    Done {
        answer: Answer,
        /// Wall-clock and CPU seconds of the check alone (generation and translation excluded).
        seconds: f64,
        cpu: f64,
        /// Peak resident set of the whole child process, in KiB (history included).
        max_rss_kb: u64,
    },
    Timeout,
    OutOfMemory,
    Crashed(String),
    Skipped(String),
}

impl PeerResult {
    /// A peer's table cell: wall time, answer (marked when wrong), the ratio to mapcheck's wall
    /// time, and CPU time.
    pub(crate) fn text(&self, expected: Answer, ours: Option<f64>, timeout: Duration, gib: u64) -> String {
        match self {
            PeerResult::Done {
                answer, seconds, cpu, ..
            } => {
                let wrong = if *answer != expected && *answer != Answer::Unknown {
                    ", WRONG"
                } else {
                    ""
                };
                // A ratio only where the peer decided: an unknown is where its own timeout stopped it.
                let ratio = ours
                    .filter(|_| *answer != Answer::Unknown)
                    .map_or(String::new(), |o| format!(", {:.0}x", seconds / o));
                format!(
                    "{} ({}{wrong}{ratio}; CPU {})",
                    fmt_secs(*seconds),
                    answer.word(),
                    fmt_secs(*cpu)
                )
            }
            PeerResult::Timeout => format!("timeout (>{})", fmt_secs(timeout.as_secs_f64())),
            PeerResult::OutOfMemory => format!("out of memory (>{gib} GiB)"),
            PeerResult::Crashed(m) => format!("crashed: {m}"),
            PeerResult::Skipped(m) => format!("not run: {m}"),
        }
    }

    pub(crate) fn json(&self) -> serde_json::Value {
        match self {
            PeerResult::Done {
                answer,
                seconds,
                cpu,
                max_rss_kb,
            } => {
                serde_json::json!({"verdict": answer.word(), "seconds": seconds, "cpu_seconds": cpu, "max_rss_kb": max_rss_kb})
            }
            PeerResult::Timeout => serde_json::json!({"verdict": "timeout"}),
            PeerResult::OutOfMemory => serde_json::json!({"verdict": "out of memory"}),
            PeerResult::Crashed(m) => serde_json::json!({"verdict": "crashed", "message": m}),
            PeerResult::Skipped(m) => serde_json::json!({"verdict": "not run", "message": m}),
        }
    }
}

/// CPU seconds (user and system) and peak resident set in KiB of this process so far. The peak is
/// Linux's `VmHWM`, which belongs to this program's own address space: `getrusage`'s `ru_maxrss`
/// would also count the parent's memory at the fork that started this child. Elsewhere it is
/// `ru_maxrss`, an upper bound.
fn usage() -> (f64, u64) {
    // SAFETY: getrusage only writes the struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    let hwm = status_kb("self", "VmHWM:").unwrap_or(u.ru_maxrss as u64);
    (secs(u.ru_utime) + secs(u.ru_stime), hwm)
}

/// A `kB` field of `/proc/PID/status`.
fn status_kb(pid: &str, field: &str) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Times `f` on this thread, in wall and CPU seconds.
fn timed<T>(f: impl FnOnce() -> T) -> (T, f64, f64) {
    let (cpu0, _) = usage();
    let started = Instant::now();
    let out = f();
    let wall = started.elapsed().as_secs_f64();
    (out, wall, usage().0 - cpu0)
}

/// The child side: generate, translate, then time the check alone.
pub(crate) fn peer_child(args: &[String]) -> Result<()> {
    let Some((which, rest)) = args.split_first() else {
        bail!("usage: mapcheck-bench peer <mapcheck|stateright|todc> OPS THREADS KEYS WHOLE_MAP_PERMILLE VIOLATION");
    };
    let shape = shape_from_args(rest).map_err(|e| anyhow!("mapcheck-bench peer: {e}"))?;
    let h = generate(&shape, SEED).history;
    let (answer, wall, cpu) = match which.as_str() {
        "mapcheck" => {
            println!("ready");
            let (v, wall, cpu) = timed(|| check(&h, LinOptions::default()));
            let answer = match v.map_err(|e| anyhow!("{e}"))? {
                LinVerdict::Ok => Answer::Ok,
                LinVerdict::Violation(_) => Answer::Violation,
                LinVerdict::Unknown { .. } => Answer::Unknown,
            };
            (answer, wall, cpu)
        }
        #[cfg(feature = "peers")]
        "stateright" => {
            let t = stateright_spec::tester(&h);
            // The tester recurses once per operation.
            std::thread::Builder::new()
                .stack_size(4 << 30)
                .spawn(move || {
                    println!("ready");
                    timed(|| stateright_spec::check(&t))
                })?
                .join()
                .map(|(ok, wall, cpu)| (if ok { Answer::Ok } else { Answer::Violation }, wall, cpu))
                .map_err(|_| anyhow!("the checker panicked"))?
        }
        #[cfg(feature = "peers")]
        "todc" => {
            let th = todc_spec::history(&h);
            println!("ready");
            let (ok, wall, cpu) = timed(|| todc_spec::check(th));
            (if ok { Answer::Ok } else { Answer::Violation }, wall, cpu)
        }
        #[cfg(not(feature = "peers"))]
        "stateright" | "todc" => bail!(
            "mapcheck-bench was built without its `peers` feature; `cargo xtask bench` builds it with them"
        ),
        other => bail!("unknown checker `{other}`"),
    };
    println!("{} {wall} {cpu} {}", answer.word(), usage().1);
    Ok(())
}

pub(crate) fn rss_bytes(pid: u32) -> u64 {
    status_kb(&pid.to_string(), "VmRSS:").unwrap_or(0) * 1024
}

/// This benchmark run again as a checker child (`mapcheck-bench peer WHICH SHAPE...`).
pub(crate) fn self_child(which: &str, shape_args: &[String]) -> Result<Command> {
    let mut c = Command::new(std::env::current_exe()?);
    c.arg("peer").arg(which).args(shape_args);
    Ok(c)
}

/// Runs one checker child and stops it at the timeout (counted from its `ready` line) or the
/// memory limit.
pub(crate) fn run_child(mut command: Command, timeout: Duration, gib: u64) -> PeerResult {
    let mut child = match command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn() {
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
                let parts: Vec<&str> = line.split_whitespace().collect();
                let answer = match parts.first() {
                    Some(&"ok") => Answer::Ok,
                    Some(&"violation") => Answer::Violation,
                    Some(&"unknown") => Answer::Unknown,
                    _ => break PeerResult::Crashed(format!("unexpected output `{line}`")),
                };
                let num = |i: usize| {
                    parts
                        .get(i)
                        .and_then(|s| s.parse::<f64>().ok())
                        .unwrap_or(f64::NAN)
                };
                break PeerResult::Done {
                    answer,
                    seconds: num(1),
                    cpu: num(2),
                    max_rss_kb: num(3) as u64,
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

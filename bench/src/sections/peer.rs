//! The child processes the peer checkers run in (`mapcheck-bench peer ...`), so that a peer can be
//! stopped at its timeout or memory limit.

use super::util::*;
use anyhow::{bail, Result};
use mapcheck_bench::checker::{generate, stateright_spec, todc_spec, Shape};
use std::io::BufRead;
use std::time::{Duration, Instant};

pub(crate) const SEED: u64 = 7;

/// What one peer did with one history.
#[derive(Debug, Clone)]
pub(crate) enum PeerResult {
    Done { linearizable: bool, seconds: f64 },
    Timeout,
    OutOfMemory,
    Crashed(String),
    Skipped(String),
}

impl PeerResult {
    pub(crate) fn text(&self, ours: f64, timeout: Duration, gib: u64) -> String {
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
pub(crate) fn peer_child(args: &[String]) -> Result<()> {
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

pub(crate) fn rss_bytes(pid: u32) -> u64 {
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
pub(crate) fn run_peer(which: &str, shape: Shape, timeout: Duration, gib: u64) -> PeerResult {
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

//! Section 3: the linearizability checker on histories where operations really overlap, side by
//! side with porcupine, stateright and todc-utils. Every checker runs in a child process of its own
//! (`peer.rs`), so its wall and CPU time and its peak memory are its own.

use super::peer::{run_child, self_child, Answer, PeerResult};
use super::porcupine;
use super::util::*;
use crate::Config;
use anyhow::{Context, Result};
use mapcheck_bench::checker::{export, generate, shape_args, Placement, Shape, SEED};
use mapcheck_bench::summary::Section;
use serde_json::json;
use std::collections::HashMap;
use std::process::Command;

/// A goal on time: the histories it covers, its limit, whether every one of them was decided right
/// within it (once on wall-clock time, once on CPU time: on a loaded machine the two differ
/// severalfold), and the slowest figures, printed beside the goal.
struct Timed {
    what: &'static str,
    ops: usize,
    threads: usize,
    keys: u64,
    limit: f64,
    met: bool,
    met_cpu: bool,
    slowest: (f64, f64),
}

impl Timed {
    fn new(what: &'static str, ops: usize, threads: usize, keys: u64, limit: f64) -> Timed {
        Timed {
            what,
            ops,
            threads,
            keys,
            limit,
            met: true,
            met_cpu: true,
            slowest: (0.0, 0.0),
        }
    }

    fn covers(&self, s: &Shape) -> bool {
        s.ops == self.ops && s.threads == self.threads && s.keys == self.keys && s.whole_map_permille == 0
    }

    /// One history's result: decided right in `seconds` and `cpu`, or not decided (`None`).
    fn record(&mut self, decided: Option<(f64, f64)>) {
        match decided {
            Some((wall, cpu)) => {
                self.met &= wall <= self.limit;
                self.met_cpu &= cpu <= self.limit;
                self.slowest = (self.slowest.0.max(wall), self.slowest.1.max(cpu));
            }
            None => (self.met, self.met_cpu) = (false, false),
        }
    }

    /// "8 threads met / met (slowest 310.0 ms / 250.0 ms; goal 1.00 s each)".
    fn text(&self) -> String {
        let word = |met: bool| if met { "met" } else { "not met" };
        format!(
            "{} {} / {} (slowest {} / {}; goal {} each)",
            self.what,
            word(self.met),
            word(self.met_cpu),
            fmt_secs(self.slowest.0),
            fmt_secs(self.slowest.1),
            fmt_secs(self.limit)
        )
    }
}

fn shape_name(s: &Shape) -> String {
    let whole = if s.whole_map_permille > 0 {
        format!(", {}‰ whole-map", s.whole_map_permille)
    } else {
        String::new()
    };
    let keys = if s.keys == 1 {
        "1 key".to_string()
    } else {
        format!("{} keys", fmt_n(s.keys as usize))
    };
    format!("{} ops, {} threads, {keys}{whole}", fmt_n(s.ops), s.threads)
}

fn fmt_kb(kb: u64) -> String {
    if kb >= 1 << 20 {
        format!("{:.2} GiB", kb as f64 / f64::from(1 << 20))
    } else {
        format!("{:.0} MiB", kb as f64 / 1024.0)
    }
}

pub(crate) fn checker(cfg: &Config) -> Result<Section> {
    let dir = std::env::current_dir()?.join(base_dir()).join("bench");
    let histories = dir.join("histories");
    std::fs::create_dir_all(&histories).with_context(|| format!("creating {}", histories.display()))?;
    let porcupine = porcupine::driver(&dir);
    match &porcupine {
        Ok((_, version)) => progress("checker", format!("porcupine driver built ({version})")),
        Err(why) => progress("checker", format!("porcupine not run: {why}")),
    }
    let mut rows = Vec::new();
    let mut data = Vec::new();
    // A peer that timed out, ran out of memory or crashed on a history is not run on larger ones
    // of the same kind (whole-map or not, linearizable or not, and for porcupine, which partitions
    // per key, the same number of keys).
    let mut gave_up: HashMap<(&str, bool, bool, u64), usize> = HashMap::new();
    let mut timed = [
        Timed::new("280,000 operations, 4 threads, 1,000 keys", 280_000, 4, 1000, 0.5),
        Timed::new("one key, 100,000 operations, 8 threads", 100_000, 8, 1, 1.0),
        Timed::new("one key, 100,000 operations, 64 threads", 100_000, 64, 1, 1.0),
    ];
    // Peak memory of every mapcheck run at most 1 GiB; every mapcheck verdict decided and right.
    let (mut memory, mut right) = (true, true);
    for base in &cfg.checker_shapes {
        for &violation in &cfg.placements {
            let shape = Shape { violation, ..*base };
            let g = generate(&shape, SEED);
            let n = g.history.events.len();
            let whole_ops = g.history.events.iter().filter(|e| e.op.key().is_none()).count();
            let whole = whole_ops > 0;
            let expected = match (violation, g.corrupted) {
                (Some(_), Some(_)) => Answer::Violation,
                _ => Answer::Ok,
            };
            let file = histories.join(format!(
                "{}-{}-{}-{}-{}.txt",
                shape.ops,
                shape.threads,
                shape.keys,
                shape.whole_map_permille,
                violation.map_or("none".to_string(), |p| p.to_string())
            ));
            std::fs::write(&file, export(&g.history))
                .with_context(|| format!("writing {}", file.display()))?;
            let args = shape_args(&shape);
            let ours = run_child(
                self_child("mapcheck", &args)?,
                cfg.mapcheck_timeout,
                cfg.peer_memory_gib,
            );
            let ours_secs = match &ours {
                PeerResult::Done {
                    answer,
                    seconds,
                    max_rss_kb,
                    ..
                } => {
                    right &= *answer == expected;
                    memory &= *max_rss_kb <= 1 << 20;
                    Some(*seconds)
                }
                _ => {
                    right = false;
                    None
                }
            };
            let decided = match &ours {
                PeerResult::Done {
                    answer, seconds, cpu, ..
                } if *answer == expected => Some((*seconds, *cpu)),
                _ => None,
            };
            for t in timed.iter_mut().filter(|t| t.covers(&shape)) {
                t.record(decided);
            }
            let mut peers: Vec<(&str, PeerResult)> = Vec::new();
            let peer_names: [&str; 3] = ["porcupine", "stateright", "todc-utils"];
            for p in peer_names {
                let key = (
                    p,
                    whole,
                    violation.is_some(),
                    if p == "porcupine" { shape.keys } else { 0 },
                );
                let r = if let Some(at) = gave_up.get(&key).filter(|at| shape.ops > **at) {
                    PeerResult::Skipped(format!("gave up at {} ops", fmt_n(*at)))
                } else if p == "porcupine" {
                    match &porcupine {
                        Ok((exe, _)) => {
                            let mut c = Command::new(exe);
                            c.arg(&file).arg(cfg.peer_timeout.as_secs_f64().to_string());
                            run_child(c, cfg.peer_timeout + cfg.peer_grace, cfg.peer_memory_gib)
                        }
                        Err(why) => PeerResult::Skipped(why.clone()),
                    }
                } else if whole {
                    PeerResult::Skipped("its map spec has no len, clear or iteration".into())
                } else {
                    let which = if p == "stateright" { "stateright" } else { "todc" };
                    run_child(self_child(which, &args)?, cfg.peer_timeout, cfg.peer_memory_gib)
                };
                let failed = match &r {
                    PeerResult::Done { answer, .. } => *answer == Answer::Unknown,
                    PeerResult::Skipped(_) => false,
                    _ => true,
                };
                if failed {
                    gave_up.entry(key).or_insert(shape.ops);
                }
                peers.push((p, r));
            }
            let ours_text = match &ours {
                PeerResult::Done { answer, seconds, .. } => {
                    let wrong = if *answer != expected && *answer != Answer::Unknown {
                        ", WRONG"
                    } else {
                        ""
                    };
                    format!("{} ({}{wrong})", fmt_secs(*seconds), answer.word())
                }
                other => other.text(expected, None, cfg.mapcheck_timeout, cfg.peer_memory_gib),
            };
            let (cpu, rss) = match &ours {
                PeerResult::Done { cpu, max_rss_kb, .. } => (fmt_secs(*cpu), fmt_kb(*max_rss_kb)),
                _ => ("-".into(), "-".into()),
            };
            let porcupine_rss = match &peers[0].1 {
                PeerResult::Done { max_rss_kb, .. } => fmt_kb(*max_rss_kb),
                _ => "-".into(),
            };
            let mut row = vec![
                shape_name(&shape),
                violation.map_or("none".to_string(), |p| p.to_string()),
                format!("{:.2} / {}", g.overlap.mean, g.overlap.max),
                ours_text,
                cpu,
                rss,
            ];
            for (_, r) in &peers {
                row.push(r.text(expected, ours_secs, cfg.peer_timeout, cfg.peer_memory_gib));
            }
            row.insert(7, porcupine_rss);
            progress("checker", row.join(" | "));
            data.push(json!({
                "ops": n, "threads": shape.threads, "keys": shape.keys,
                "whole_map_permille": shape.whole_map_permille, "whole_map_ops": whole_ops,
                "violation": violation.map(|p| p.to_string()), "corrupted_event": g.corrupted,
                "expected": expected.word(),
                "overlap_mean": g.overlap.mean, "overlap_max": g.overlap.max,
                "history_file": file.strip_prefix(std::env::current_dir()?).unwrap_or(&file).display().to_string(),
                "mapcheck": ours.json(),
                "porcupine": peers[0].1.json(), "stateright": peers[1].1.json(), "todc_utils": peers[2].1.json(),
            }));
            rows.push(row);
        }
    }
    let goal_text = |met: bool| if met { "met" } else { "not met" };
    Ok(Section {
        id: "checker".into(),
        title: "3. Linearizability checker on overlapping histories, against porcupine, stateright and todc-utils".into(),
        goal: Some("280,000 operations over 4 threads (1,000 keys) checked in at most 0.5 s; one key, 100,000 operations, 8 threads and 64 threads: the linearizable history and every violated one decided in at most 1 s; peak memory at most 1 GiB; no wrong or unknown verdict".into()),
        goal_met: Some(timed.iter().all(|t| t.met) && memory && right),
        notes: vec![
            format!(
                "Goals one by one, on wall-clock time (the goal as stated) / on CPU time: {}; memory {}; verdicts {}. \
                 The machine's load average is in the header: where it exceeds the cores, wall-clock time includes waiting for a core.",
                timed.iter().map(Timed::text).collect::<Vec<_>>().join("; "),
                goal_text(memory),
                goal_text(right)
            ),
            format!(
                "Histories: `lincheck::generate` with seed {SEED}. Each thread runs its operations back to back (a gap of 1-4 time units, then an operation lasting 16-48), each operation takes effect at a point drawn inside its interval, and results are the sequential map's at those points, so every history is linearizable as generated. \
                 Single-key operations are insert 35%, get 40%, remove 25% on a uniform key, with unique values; whole-map histories turn the given share (‰) into len, clear and snapshot iteration in equal parts."
            ),
            "Overlap: operations open at once, mean / max over every invocation and return of the history (measured on the history, not assumed).".into(),
            "Violation: one get changed to return the value its key had before a write that returned before the get was invoked (values are unique, so no order explains it): the first eligible get after 10% (early) or 50% (middle) of the operations, or the last eligible one (late).".into(),
            "mapcheck: `lincheck::check` with the default options (2,000,000 search steps per partition), in a child process; time and CPU time of the check alone; peak RSS of the child, which also generated the history.".into(),
            format!(
                "porcupine (commit 55508eb, from `../shared/peers/porcupine`): `CheckOperationsTimeout` with a {} timeout, driven by `bench/porcupine` (Go module with a `replace` directive) reading the exported history; single-key histories use a one-key model and porcupine's `Partition` per key, whole-map ones a whole-map model, unpartitioned. porcupine checks partitions on parallel goroutines, so its wall time can be below its CPU time; its cells give wall time, verdict, how many times mapcheck's wall time it is, and CPU time (stateright's and todc-utils' too).",
                fmt_secs(cfg.peer_timeout.as_secs_f64())
            ),
            "stateright 0.31 `LinearizabilityTester` and todc-utils 0.1.1 `WGLChecker`: the same history as a map specification (`BTreeMap` state; insert and remove return the previous value, get the current one); neither spec has len, clear or iteration, so they run on single-key histories only.".into(),
            format!(
                "Every checker runs in a child process, timed from the end of its setup, and is stopped after {} (mapcheck: {}) or above {} GiB; a peer that gave up is not run on larger histories of the same kind (whole-map or not, violated or not, and for porcupine the same number of keys).",
                fmt_secs(cfg.peer_timeout.as_secs_f64()),
                fmt_secs(cfg.mapcheck_timeout.as_secs_f64()),
                cfg.peer_memory_gib
            ),
            format!("The histories are written to `{}` in the driver's line format.", histories.strip_prefix(std::env::current_dir()?).unwrap_or(&histories).display()),
        ],
        columns: [
            "history",
            "violation",
            "overlap (mean / max)",
            "mapcheck",
            "mapcheck CPU",
            "mapcheck peak RSS",
            "porcupine",
            "porcupine peak RSS",
            "stateright",
            "todc-utils",
        ]
        .map(String::from)
        .to_vec(),
        rows,
        data: serde_json::Value::Array(data),
    })
}

/// The placements benchmarked: none (linearizable), then early, middle and late violations.
pub(crate) const ALL_PLACEMENTS: [Option<Placement>; 4] = [
    None,
    Some(Placement::Early),
    Some(Placement::Middle),
    Some(Placement::Late),
];

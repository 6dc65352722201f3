//! Section 3: linearizability checker speed against stateright and todc-utils.

use super::peer::{run_peer, PeerResult, SEED};
use super::util::*;
use crate::Config;
use anyhow::Result;
use mapcheck_bench::checker::{generate, Shape};
use mapcheck_bench::summary::Section;
use mapcheck_harness::lincheck::{check, LinOptions, LinVerdict};
use serde_json::json;
use std::time::Instant;

pub(crate) fn checker(cfg: &Config) -> Result<Section> {
    let mut rows = Vec::new();
    let mut data = Vec::new();
    let peers = ["stateright", "todc"];
    // A peer that timed out (or ran out of memory) on a history is not run on larger ones of the same kind.
    let mut gave_up: std::collections::HashMap<(&str, bool), usize> = Default::default();
    let mut goal_speed = true;
    let mut goal_peers = true;
    for &(ops, threads, keys) in &cfg.shapes {
        for linearizable in [true, false] {
            let shape = Shape {
                ops,
                threads,
                keys,
                linearizable,
            };
            let h = generate(shape, SEED);
            let n = h.events.len();
            let opts = LinOptions {
                max_steps: (20 * n as u64).max(2_000_000),
                ..LinOptions::default()
            };
            let started = Instant::now();
            let v = check(&h, opts).map_err(|e| anyhow::anyhow!("{e}"))?;
            let ours = started.elapsed().as_secs_f64();
            let verdict = match v {
                LinVerdict::Ok => "ok",
                LinVerdict::Violation(_) => "violation",
                LinVerdict::Unknown { .. } => "unknown",
            };
            let correct = (verdict == "ok") == linearizable && verdict != "unknown";
            if ops == 280_000 && threads == 4 {
                goal_speed &= ours < 0.5 && correct;
            }
            let mut row = vec![
                fmt_n(n),
                threads.to_string(),
                keys.to_string(),
                if linearizable { "yes" } else { "no" }.to_string(),
                format!(
                    "{} ({verdict}{})",
                    fmt_secs(ours),
                    if correct { "" } else { ", WRONG" }
                ),
            ];
            let mut peer_data = serde_json::Map::new();
            for p in peers {
                let r = match gave_up.get(&(p, linearizable)) {
                    Some(at) if ops > *at => PeerResult::Skipped(format!("gave up at {} ops", fmt_n(*at))),
                    _ => run_peer(p, shape, cfg.peer_timeout, cfg.peer_memory_gib),
                };
                match &r {
                    PeerResult::Timeout | PeerResult::OutOfMemory | PeerResult::Crashed(_) => {
                        gave_up.entry((p, linearizable)).or_insert(ops);
                    }
                    PeerResult::Done {
                        linearizable: l,
                        seconds,
                    } => {
                        goal_peers &= seconds / ours >= 10.0;
                        if *l != linearizable {
                            row[4].push_str(&format!(" ({p} disagrees)"));
                        }
                    }
                    PeerResult::Skipped(_) => {}
                }
                let text = r.text(ours, cfg.peer_timeout, cfg.peer_memory_gib);
                peer_data.insert(p.into(), json!(text));
                row.push(text);
            }
            progress("checker", row.join(" | "));
            data.push(
                json!({"ops": n, "threads": threads, "keys": keys, "linearizable": linearizable,
                             "mapcheck_seconds": ours, "mapcheck_verdict": verdict, "peers": peer_data}),
            );
            rows.push(row);
        }
    }
    Ok(Section {
        id: "checker".into(),
        title: "3. Linearizability checker speed against stateright and todc-utils".into(),
        goal: Some("280,000 operations over 4 threads checked in under 0.5 s, and at least 10x faster than the peers wherever they finish".into()),
        goal_met: Some(goal_speed && goal_peers),
        notes: vec![
            "Histories: generated as in `harness/examples/checker_speed.rs` (insert, remove and get on random keys, linearizable by construction); the non-linearizable one has its last read changed to a value never written.".into(),
            "mapcheck: `lincheck::check` (per-key partitions when only single-key operations occur, as here). Peer cells: their time, their verdict, and how many times mapcheck's time it is.".into(),
            "Peers get the same history as a map specification (`BTreeMap` state; insert and remove return the previous value, get the current one): stateright 0.31 `LinearizabilityTester` (operations fed through `on_invoke`/`on_return` in time order, then `is_consistent`) and todc-utils 0.1.1 `WGLChecker` (`History::from_actions`, then `is_linearizable`). With one key the map is one register-like partition, so the 1-key rows compare the searches head to head.".into(),
            format!(
                "Each peer runs in a child process, timed from the end of its setup, and is stopped after {} or above {} GiB of memory; one that gave up is not run on larger histories of the same kind.",
                fmt_secs(cfg.peer_timeout.as_secs_f64()),
                cfg.peer_memory_gib
            ),
        ],
        columns: ["ops", "threads", "keys", "linearizable", "mapcheck", "stateright", "todc-utils"]
            .map(String::from)
            .to_vec(),
        rows,
        data: serde_json::Value::Array(data),
    })
}

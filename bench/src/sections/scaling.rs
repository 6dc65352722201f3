//! Section 5: scaling with threads and operations under shuttle PCT.

use super::util::*;
use crate::Config;
use mapcheck_bench::summary::Section;
use mapcheck_harness::{Engine, Size};
use mapcheck_models::patterns::model;
use mapcheck_models::structure;
use serde_json::json;
use std::time::Duration;

pub(crate) fn scaling(cfg: &Config) -> Section {
    let mutant = structure("locked-racy-remove").expect("registered");
    let locked = structure("locked").expect("registered");
    let m = model("concurrent-delete").expect("registered");
    let mut columns = vec!["threads \\ ops per thread".to_string()];
    columns.extend(cfg.scaling_ops.iter().map(|o| o.to_string()));
    let mut rows = Vec::new();
    let mut data = Vec::new();
    for &threads in &cfg.scaling_threads {
        let mut row = vec![threads.to_string()];
        for &ops in &cfg.scaling_ops {
            let w = (m.build)(Size {
                threads,
                ops,
                keys: 3,
            });
            let hits = seeded(cfg, &mutant, &w, cfg.scaling_seeds, 2000, |seed| {
                Engine::ShuttlePct { seed, depth: 2 }
            });
            let med = median(&hits);
            let min = Duration::from_millis(if cfg.quick { 100 } else { 300 });
            let (per_sec, _) = rate(
                || {
                    let l = limits(cfg.scaling_throughput, Duration::from_secs(30));
                    (locked.run)(&w, Engine::ShuttlePct { seed: 3000, depth: 2 }, l).schedules
                },
                min,
            );
            let text = format!(
                "{} / {:.0}/s",
                med.map(|h| fmt_n(h.0))
                    .unwrap_or_else(|| format!(">{}", fmt_n(cfg.shuttle_cap))),
                per_sec
            );
            progress("scaling", format!("{threads} threads x {ops} ops: {text}"));
            data.push(
                json!({"threads": threads, "ops": ops, "median_schedules_to_detect": med.map(|h| h.0),
                             "median_seconds_to_detect": med.map(|h| h.1), "schedules_per_sec": per_sec}),
            );
            row.push(text);
        }
        rows.push(row);
    }
    Section {
        id: "scaling".into(),
        title: "5. Scaling with threads and operations (shuttle PCT, depth 2)".into(),
        goal: None,
        goal_met: None,
        notes: vec![
            format!(
                "Cells: median schedules to detect `locked-racy-remove` with the `concurrent-delete` model (3 keys) over {} seeds / schedules per second of the same workload on the correct `locked` \
                 (explorations of {} schedules, repeated for at least {}).",
                cfg.scaling_seeds,
                cfg.scaling_throughput,
                if cfg.quick { "100 ms" } else { "300 ms" }
            ),
            "With 2 ops per thread each thread removes one key, a different one per thread, so the racy remove has no race to lose: the misses there are expected.".into(),
            "Use it to size a model: schedules per second fall with the work per schedule, and schedules to detect grow with the ways a bug can hide.".into(),
        ],
        columns,
        rows,
        data: serde_json::Value::Array(data),
    }
}

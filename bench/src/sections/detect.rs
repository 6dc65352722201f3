//! Section 1: time to detect each mutant, per engine, against a naive stress loop.

use super::util::*;
use crate::Config;
use mapcheck_bench::direct::stress_fns;
use mapcheck_bench::fuzzstats;
use mapcheck_bench::summary::Section;
use mapcheck_harness::{Engine, Size};
use mapcheck_models::patterns::model;
use mapcheck_models::structures;
use serde_json::json;

pub(crate) fn detect(cfg: &Config, fuzz: Option<&fuzzstats::FuzzStats>) -> Section {
    let shuttle_engines: [(&str, EngineFor); 4] = [
        ("shuttle random", |seed| Engine::ShuttleRandom { seed }),
        ("shuttle PCT d1", |seed| Engine::ShuttlePct { seed, depth: 1 }),
        ("shuttle PCT d2", |seed| Engine::ShuttlePct { seed, depth: 2 }),
        ("shuttle PCT d3", |seed| Engine::ShuttlePct { seed, depth: 3 }),
    ];
    let stressers = stress_fns();
    let mut columns = vec!["mutant".to_string(), "model".to_string()];
    columns.extend(shuttle_engines.iter().map(|(n, _)| n.to_string()));
    columns.extend([
        "loom (bound 2)".to_string(),
        "naive std-thread loop".to_string(),
        "fuzz-driven schedules".to_string(),
        "best engine".to_string(),
    ]);
    let mut rows = Vec::new();
    let mut data = serde_json::Map::new();
    let mut all_met = true;
    for entry in structures().into_iter().filter(|e| e.info.mutant.is_some()) {
        let name = entry.info.name;
        let Some(m) = entry.targets.first().and_then(|t| model(t)) else {
            continue;
        };
        let mut row = vec![name.to_string(), m.name.to_string()];
        let mut best: Option<(String, usize, f64)> = None;
        let mut consider = |label: &str, h: Hit| {
            if let Some((n, s)) = h {
                if best.as_ref().is_none_or(|b| (n, s) < (b.1, b.2)) {
                    best = Some((label.to_string(), n, s));
                }
            }
        };
        let mut cell_data = serde_json::Map::new();
        let w = (m.build)(Size::SHUTTLE);
        for (label, engine) in &shuttle_engines {
            let hits = seeded(cfg, &entry, &w, cfg.seeds, 1000, engine);
            let med = median(&hits);
            let found = hits.iter().flatten().count();
            let text = match med {
                Some(_) => hit_text(med),
                None => format!(
                    "missed (>{} in {}/{} seeds)",
                    fmt_n(cfg.shuttle_cap),
                    hits.len() - found,
                    hits.len()
                ),
            };
            progress(
                "detect",
                format!("{name} {label}: {text} ({found}/{} seeds found it)", hits.len()),
            );
            consider(label, med);
            cell_data.insert(
                label.to_string(),
                json!({"median_schedules": med.map(|h| h.0), "median_seconds": med.map(|h| h.1),
                       "seeds_run": hits.len(), "seeds_detected": found, "cap": cfg.shuttle_cap}),
            );
            row.push(text);
        }
        // loom: deterministic, one run.
        let lw = (m.build)(Size::LOOM);
        let o = (entry.run)(
            &lw,
            Engine::Loom { preemption_bound: 2 },
            limits(cfg.loom_cap, cfg.loom_budget),
        );
        let lh = o
            .verdict
            .is_fail()
            .then_some((o.schedules, o.elapsed.as_secs_f64()));
        let text = match lh {
            Some(_) => hit_text(lh),
            None if o.exhausted => format!("missed ({} schedules, all)", fmt_n(o.schedules)),
            None => format!("missed (>{})", fmt_n(o.schedules)),
        };
        progress("detect", format!("{name} loom: {text}"));
        consider("loom", lh);
        cell_data.insert(
            "loom".into(),
            json!({"schedules": lh.map(|h| h.0), "seconds": lh.map(|h| h.1), "explored": o.schedules}),
        );
        row.push(text);
        // The naive loop a user would write.
        let text = match stressers.iter().find(|(n, _)| *n == name) {
            Some((_, f)) => {
                let tw = (m.build)(Size::THREADS);
                let s = f(&tw, cfg.stress_iterations, cfg.stress_budget);
                cell_data.insert(
                    "naive".into(),
                    json!({"iterations": s.iterations, "seconds": s.elapsed.as_secs_f64(),
                           "detected": s.detected}),
                );
                match &s.detected {
                    Some(_) => format!(
                        "{} it / {}",
                        fmt_n(s.iterations),
                        fmt_secs(s.elapsed.as_secs_f64())
                    ),
                    None => format!(
                        "missed ({} it, {})",
                        fmt_n(s.iterations),
                        fmt_secs(s.elapsed.as_secs_f64())
                    ),
                }
            }
            None => "n/a".into(),
        };
        progress("detect", format!("{name} naive loop: {text}"));
        row.push(text);
        row.push(match fuzz.and_then(|f| f.detect.get(name)) {
            Some(d) => format!("{} execs / {}", fmt_n(d.execs as usize), fmt_secs(d.seconds)),
            None => "not run".into(),
        });
        let met = best.as_ref().is_some_and(|b| b.1 <= 1000 && b.2 <= 1.0);
        all_met &= met;
        row.push(match &best {
            Some((l, n, s)) => format!(
                "{l}: {} / {}{}",
                fmt_n(*n),
                fmt_secs(*s),
                if met { "" } else { " (goal not met)" }
            ),
            None => "none (goal not met)".into(),
        });
        data.insert(name.into(), serde_json::Value::Object(cell_data));
        rows.push(row);
    }
    let size = |s: Size| format!("{} threads x {} ops, {} keys", s.threads, s.ops, s.keys);
    Section {
        id: "detect".into(),
        title: "1. Time to detect each mutant".into(),
        goal: Some("every mutant detected within a median of 1,000 schedules and 1 second by the best engine".into()),
        goal_met: Some(all_met),
        notes: vec![
            format!(
                "Cells: median schedules / median wall time to the first failing run (`Outcome::schedules`, `Outcome::elapsed`), over {} seeds{} for each shuttle engine; \
                 a shuttle run stops at {} schedules or {}, and a column stops early once more than half its seeds missed, or its first three did (\"missed (>cap in k/n seeds)\" counts the seeds run).",
                cfg.seeds,
                if cfg.quick { " (quick mode; the full run uses 21)" } else { "" },
                fmt_n(cfg.shuttle_cap),
                fmt_secs(cfg.shuttle_budget.as_secs_f64())
            ),
            format!("Workloads: the mutant's model at the check's sizes: shuttle {}, loom {}, naive loop {}.", size(Size::SHUTTLE), size(Size::LOOM), size(Size::THREADS)),
            "loom is deterministic: one exploration at preemption bound 2, schedules to the first failure.".into(),
            format!(
                "Naive loop: plain std threads (started behind a barrier) run the workload on the structure's `Std` map, then hand-written checks \
                 (exactly-once removal, read-your-writes, final values, stale entries and table size after the reclamation step) and a {} hang timeout; \
                 iterations to the first detection, at most {} or {}. It has no leak check: a user without a counting allocator does not see leaked bytes or threads.",
                "2 s",
                fmt_n(cfg.stress_iterations),
                fmt_secs(cfg.stress_budget.as_secs_f64())
            ),
            "Fuzz-driven schedules: read from `target/mapcheck/fuzz/stats.json` (`detect.<mutant>`), written by the fuzz command; \"not run\" when absent.".into(),
        ],
        columns,
        rows,
        data: serde_json::Value::Object(data),
    }
}

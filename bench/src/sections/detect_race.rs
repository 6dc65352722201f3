//! Section 1b of the benchmarks: time to detect the mutants whose bug needs an interleaving (a
//! one-thread run cannot show it), on their own, with each engine's figure beside the naive
//! real-thread loop a user would write. `mapcheck-bench detect-race [--quick]` runs this section
//! alone and writes `target/mapcheck/bench/detect-race.{md,json}`.

use super::{
    base_dir, fmt_n, fmt_secs, hit_text, limits, machine, median, progress, utc_now, EngineFor, Hit,
};
use crate::Config;
use anyhow::{bail, Context, Result};
use mapcheck_bench::direct::stress_fns;
use mapcheck_bench::summary::Section;
use mapcheck_harness::{Engine, Oracle, Size, Verdict};
use mapcheck_models::mutants::{Class, PROFILES};
use mapcheck_models::patterns::model;
use mapcheck_models::structure;
use serde_json::json;
use std::collections::BTreeSet;

/// The shuttle engines of the table, by column.
const SHUTTLE: [(&str, EngineFor); 4] = [
    ("shuttle random", |seed| Engine::ShuttleRandom { seed }),
    ("shuttle PCT d1", |seed| Engine::ShuttlePct { seed, depth: 1 }),
    ("shuttle PCT d2", |seed| Engine::ShuttlePct { seed, depth: 2 }),
    ("shuttle PCT d3", |seed| Engine::ShuttlePct { seed, depth: 3 }),
];

/// One engine's figure: the median over the seeds run, how many found it, and the oracles that fired.
struct Column {
    median: Hit,
    seeds_run: usize,
    found: usize,
    oracles: BTreeSet<Oracle>,
}

impl Column {
    fn text(&self, cap: usize) -> String {
        match self.median {
            Some(_) => hit_text(self.median),
            None => format!(
                "missed (>{} in {}/{} seeds)",
                fmt_n(cap),
                self.seeds_run - self.found,
                self.seeds_run
            ),
        }
    }
}

fn oracle_of(v: &Verdict) -> Option<Oracle> {
    match v {
        Verdict::Fail(f) => Some(f.oracle),
        _ => None,
    }
}

/// Explores `seeds` seeds of one shuttle engine; stops early once more than half have missed (the
/// median is then a miss).
fn shuttle_column(
    cfg: &Config,
    entry: &mapcheck_models::Entry,
    w: &mapcheck_harness::Workload,
    engine: EngineFor,
) -> Column {
    let mut hits = Vec::new();
    let mut oracles = BTreeSet::new();
    for i in 0..cfg.seeds {
        let o = (entry.run)(
            w,
            engine(1000 + i as u64),
            limits(cfg.shuttle_cap, cfg.shuttle_budget),
        );
        oracles.extend(oracle_of(&o.verdict));
        hits.push(
            o.verdict
                .is_fail()
                .then_some((o.schedules, o.elapsed.as_secs_f64())),
        );
        if hits.iter().filter(|h| h.is_none()).count() * 2 > cfg.seeds {
            break;
        }
    }
    Column {
        median: median(&hits),
        seeds_run: hits.len(),
        found: hits.iter().flatten().count(),
        oracles,
    }
}

/// The section: one row per race-dependent mutant.
pub(crate) fn detect_race(cfg: &Config) -> Section {
    let stressers = stress_fns();
    let mut columns = vec![
        "mutant".to_string(),
        "class".into(),
        "oracle".into(),
        "best engine".into(),
    ];
    columns.extend(SHUTTLE.iter().map(|(n, _)| n.to_string()));
    columns.extend(["loom (bound 2)".to_string(), "naive std-thread loop".into()]);
    let (mut rows, mut data, mut all_met) = (Vec::new(), serde_json::Map::new(), true);
    for p in PROFILES.iter().filter(|p| p.needs_interleaving) {
        let Some(entry) = structure(p.name) else { continue };
        let Some(m) = entry.targets.first().and_then(|t| model(t)) else {
            continue;
        };
        let mut cells = Vec::new();
        let mut best: Option<(String, usize, f64)> = None;
        let mut seen = BTreeSet::new();
        let mut cell_data = serde_json::Map::new();
        let w = (m.build)(Size::SHUTTLE);
        for (label, engine) in SHUTTLE {
            if p.class == Class::MemoryOrdering {
                // shuttle runs every access sequentially consistent: a weak-memory bug is out of
                // its reach, so its columns are not a miss.
                cells.push("n/a (sequentially consistent)".into());
                cell_data.insert(label.into(), json!({"applicable": false}));
                continue;
            }
            let c = shuttle_column(cfg, &entry, &w, engine);
            let text = c.text(cfg.shuttle_cap);
            progress("detect-race", format!("{} {label}: {text}", p.name));
            if let Some((n, s)) = c.median {
                if best.as_ref().is_none_or(|b| (n, s) < (b.1, b.2)) {
                    best = Some((label.to_string(), n, s));
                }
            }
            seen.extend(c.oracles.iter().copied());
            cell_data.insert(
                label.into(),
                json!({"median_schedules": c.median.map(|h| h.0), "median_seconds": c.median.map(|h| h.1),
                       "seeds_run": c.seeds_run, "seeds_detected": c.found, "cap": cfg.shuttle_cap,
                       "oracles": c.oracles.iter().map(|o| o.to_string()).collect::<Vec<_>>()}),
            );
            cells.push(text);
        }
        // loom: deterministic, one exploration.
        let o = (entry.run)(
            &(m.build)(Size::LOOM),
            Engine::Loom { preemption_bound: 2 },
            limits(cfg.loom_cap, cfg.loom_budget),
        );
        let lh = o
            .verdict
            .is_fail()
            .then_some((o.schedules, o.elapsed.as_secs_f64()));
        seen.extend(oracle_of(&o.verdict));
        let text = match lh {
            Some(_) => hit_text(lh),
            None if o.exhausted => format!("missed ({} schedules, all)", fmt_n(o.schedules)),
            None => format!("missed (>{})", fmt_n(o.schedules)),
        };
        progress("detect-race", format!("{} loom: {text}", p.name));
        if let Some((n, s)) = lh {
            if best.as_ref().is_none_or(|b| (n, s) < (b.1, b.2)) {
                best = Some(("loom".into(), n, s));
            }
        }
        cell_data.insert(
            "loom".into(),
            json!({"schedules": lh.map(|h| h.0), "seconds": lh.map(|h| h.1), "explored": o.schedules,
                   "oracle": oracle_of(&o.verdict).map(|o| o.to_string())}),
        );
        cells.push(text);
        // The naive loop a user would write.
        let text = match stressers.iter().find(|(n, _)| *n == p.name) {
            Some((_, f)) => {
                let s = f(
                    &(m.build)(Size::THREADS),
                    cfg.stress_iterations,
                    cfg.stress_budget,
                );
                cell_data.insert(
                    "naive".into(),
                    json!({"iterations": s.iterations, "seconds": s.elapsed.as_secs_f64(), "detected": s.detected}),
                );
                let it = fmt_n(s.iterations);
                let secs = fmt_secs(s.elapsed.as_secs_f64());
                match &s.detected {
                    Some(_) => format!("{it} it / {secs}"),
                    None => format!("missed ({it} it, {secs})"),
                }
            }
            None => "n/a".into(),
        };
        progress("detect-race", format!("{} naive loop: {text}", p.name));
        cells.push(text);
        let met = best.as_ref().is_some_and(|b| b.1 <= 1000);
        all_met &= met;
        let oracles: Vec<String> = seen.iter().map(|o| o.to_string()).collect();
        let mut row = vec![
            p.name.to_string(),
            p.class.to_string(),
            oracles.join(", "),
            match &best {
                Some((l, n, s)) => format!(
                    "{l}: {} / {}{}",
                    fmt_n(*n),
                    fmt_secs(*s),
                    if met { "" } else { " (goal not met)" }
                ),
                None => "none (goal not met)".into(),
            },
        ];
        row.extend(cells);
        cell_data.insert("model".into(), json!(m.name));
        cell_data.insert("class".into(), json!(p.class.to_string()));
        data.insert(p.name.into(), serde_json::Value::Object(cell_data));
        rows.push(row);
    }
    Section {
        id: "detect-race".into(),
        title: "1b. Time to detect the mutants that need an interleaving".into(),
        goal: Some("every race-dependent mutant detected within a median of 1,000 schedules by the best engine".into()),
        goal_met: Some(all_met),
        notes: vec![
            format!(
                "The mutants whose bug a one-thread run cannot show (the sequential engine and the `ops` fuzz target do not catch them; \
                 `models/tests/races.rs`), each on the first model built for it. Cells: median schedules / median wall time to the first failing run over {} seeds{} \
                 for each shuttle engine (at most {} schedules or {} per seed; a column stops once more than half its seeds missed); loom at preemption bound 2 is deterministic: one exploration.",
                cfg.seeds,
                if cfg.quick { " (quick mode; the full run uses 21)" } else { "" },
                fmt_n(cfg.shuttle_cap),
                fmt_secs(cfg.shuttle_budget.as_secs_f64())
            ),
            "Oracle: the oracles that fired in the detecting runs of every engine.".into(),
            "Naive loop: as in section 1 (plain std threads behind a barrier, the hand-written checks, a hang timeout); it has no leak check and cannot run an unsynchronised map.".into(),
        ],
        columns,
        rows,
        data: serde_json::Value::Object(data),
    }
}

/// `mapcheck-bench detect-race [--quick]`: this section alone, printed and written beside the
/// full summary.
pub(crate) fn standalone(args: &[String]) -> Result<()> {
    let mut quick = false;
    for a in args {
        match a.as_str() {
            "--quick" => quick = true,
            other => bail!("unknown argument `{other}`; usage: mapcheck-bench detect-race [--quick]"),
        }
    }
    let started = std::time::Instant::now();
    let date = utc_now();
    let section = detect_race(&Config::new(quick));
    let summary = mapcheck_bench::summary::Summary {
        command: format!(
            "mapcheck-bench detect-race{}",
            if quick { " --quick" } else { "" }
        ),
        date,
        machine: machine(),
        quick,
        seconds: started.elapsed().as_secs_f64(),
        sections: vec![section],
    };
    let dir = base_dir().join("bench");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let md = summary.to_markdown();
    std::fs::write(dir.join("detect-race.md"), &md)
        .with_context(|| format!("writing under {}", dir.display()))?;
    std::fs::write(
        dir.join("detect-race.json"),
        serde_json::to_string_pretty(&summary)?,
    )
    .with_context(|| format!("writing under {}", dir.display()))?;
    println!("{md}");
    Ok(())
}

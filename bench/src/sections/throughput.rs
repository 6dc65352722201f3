//! Section 2: exploration throughput against bare loom and shuttle closures, and the profiling
//! loop (`mapcheck-bench loop ...`).

use super::util::*;
use crate::Config;
use anyhow::{bail, Context, Result};
use mapcheck_bench::direct::{bare_loom, bare_shuttle, Reference};
use mapcheck_bench::summary::Section;
use mapcheck_harness::{Engine, Size};
use mapcheck_models::patterns::{model, MODELS};
use mapcheck_models::structure;
use serde_json::json;
use std::time::Duration;

pub(crate) fn throughput(cfg: &Config) -> Section {
    let locked = structure("locked").expect("locked is registered");
    let min = if cfg.quick {
        Duration::from_millis(150)
    } else {
        Duration::from_millis(400)
    };
    let mut rows = Vec::new();
    let mut data = serde_json::Map::new();
    let mut worst: f64 = f64::INFINITY;
    for m in MODELS {
        let lw = (m.build)(Size::LOOM);
        let sw = (m.build)(Size::SHUTTLE);
        let (mut lm, mut lb, mut sm, mut sb) = (0f64, 0f64, 0f64, 0f64);
        let (mut l_sched_m, mut l_sched_b) = (0, 0);
        for _ in 0..cfg.rounds {
            let (r, _) = rate(
                || {
                    let o = (locked.run)(
                        &lw,
                        Engine::Loom { preemption_bound: 2 },
                        limits(cfg.loom_throughput_cap, Duration::from_secs(60)),
                    );
                    l_sched_m = o.schedules;
                    o.schedules
                },
                min,
            );
            lm = lm.max(r);
            let (r, _) = rate(
                || {
                    l_sched_b = bare_loom::<Reference>(&lw, 2, cfg.loom_throughput_cap);
                    l_sched_b
                },
                min,
            );
            lb = lb.max(r);
            let n = cfg.throughput_schedules;
            let (r, _) = rate(
                || {
                    (locked.run)(
                        &sw,
                        Engine::ShuttleRandom { seed: 7 },
                        limits(n, Duration::from_secs(60)),
                    )
                    .schedules
                },
                min,
            );
            sm = sm.max(r);
            let (r, _) = rate(
                || {
                    bare_shuttle::<Reference>(&sw, n);
                    n
                },
                min,
            );
            sb = sb.max(r);
        }
        let (lr, sr) = (lm / lb, sm / sb);
        worst = worst.min(lr).min(sr);
        progress(
            "throughput",
            format!(
                "{}: loom {:.0}/s vs bare {:.0}/s ({lr:.2}); shuttle {:.0}/s vs bare {:.0}/s ({sr:.2})",
                m.name, lm, lb, sm, sb
            ),
        );
        data.insert(
            m.name.into(),
            json!({"loom": {"mapcheck": lm, "bare": lb, "ratio": lr, "schedules_mapcheck": l_sched_m, "schedules_bare": l_sched_b},
                   "shuttle": {"mapcheck": sm, "bare": sb, "ratio": sr}}),
        );
        rows.push(vec![
            m.name.to_string(),
            format!("{:.0}", lm),
            format!("{:.0}", lb),
            format!("{lr:.2}"),
            format!("{} / {}", fmt_n(l_sched_m), fmt_n(l_sched_b)),
            format!("{:.0}", sm),
            format!("{:.0}", sb),
            format!("{sr:.2}"),
        ]);
    }
    Section {
        id: "throughput".into(),
        title: "2. Exploration throughput (schedules per second), mapcheck against bare loom and shuttle".into(),
        goal: Some("mapcheck keeps at least 0.75 of bare throughput".into()),
        goal_met: Some(worst >= 0.75),
        notes: vec![
            "Structure `locked` (correct, so every exploration runs to its bound), instantiated for the runtime and driven through the `Map` trait in both columns.".into(),
            format!(
                "mapcheck: `run` with loom (preemption bound 2, at most {} schedules) on the loom-sized workload and shuttle random ({} schedules) on the shuttle-sized one: recording, judging every run with every oracle, allocation scopes. \
                 bare: the same workload as a `loom::model` closure (same bound and cap) or `shuttle::check_random` closure with the hand-written assertions of the naive loop.",
                fmt_n(cfg.loom_throughput_cap),
                fmt_n(cfg.throughput_schedules)
            ),
            format!(
                "Each figure is the best of {} alternating rounds of at least {} each, measured in the same process (which has the counting allocator installed, as the `mapcheck` binary does); the machine is shared, so figures vary by some 10-20% between runs.",
                cfg.rounds,
                fmt_secs(min.as_secs_f64())
            ),
            "loom schedules: executions of one exploration, mapcheck / bare; both run the same program, so they agree except where the cap stops them (loom's `max_permutations` is not a count of executions).".into(),
        ],
        columns: [
            "model",
            "loom mapcheck",
            "loom bare",
            "ratio",
            "loom schedules (mapcheck / bare)",
            "shuttle mapcheck",
            "shuttle bare",
            "ratio",
        ]
        .map(String::from)
        .to_vec(),
        rows,
        data: serde_json::Value::Object(data),
    }
}

/// The profiling loop: one throughput measurement, run for `SECONDS`.
pub(crate) fn profile_loop(args: &[String]) -> Result<()> {
    let [rt, who, name, secs] = args else {
        bail!("usage: mapcheck-bench loop <loom|shuttle> <mapcheck|bare> MODEL SECONDS");
    };
    let m = model(name).with_context(|| format!("unknown model `{name}`"))?;
    let min = Duration::from_secs_f64(secs.parse()?);
    let locked = structure("locked").expect("registered");
    let (r, n) = match (rt.as_str(), who.as_str()) {
        ("loom", "mapcheck") => {
            let w = (m.build)(Size::LOOM);
            let l = limits(5_000, Duration::from_secs(600));
            rate(
                || (locked.run)(&w, Engine::Loom { preemption_bound: 2 }, l).schedules,
                min,
            )
        }
        ("loom", "bare") => {
            let w = (m.build)(Size::LOOM);
            rate(|| bare_loom::<Reference>(&w, 2, 5_000), min)
        }
        ("shuttle", "mapcheck") => {
            let w = (m.build)(Size::SHUTTLE);
            let l = limits(1_000, Duration::from_secs(600));
            rate(
                || (locked.run)(&w, Engine::ShuttleRandom { seed: 7 }, l).schedules,
                min,
            )
        }
        ("shuttle", "bare") => {
            let w = (m.build)(Size::SHUTTLE);
            rate(
                || {
                    bare_shuttle::<Reference>(&w, 1_000);
                    1_000
                },
                min,
            )
        }
        _ => bail!("usage: mapcheck-bench loop <loom|shuttle> <mapcheck|bare> MODEL SECONDS"),
    };
    println!("{rt} {who} {name}: {n} schedules, {r:.0}/s");
    Ok(())
}

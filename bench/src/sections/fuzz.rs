//! Section 4: fuzz throughput, read from the fuzz command's statistics, beside the goals for the
//! targets that have one (without a sanitizer: `ops` at least 25,000 executions per second,
//! `schedules` at least 20,000).

use super::util::*;
use mapcheck_bench::fuzzstats;
use mapcheck_bench::summary::Section;
use serde_json::json;

/// Executions per second each target should reach without a sanitizer.
pub(crate) const GOALS: &[(&str, f64)] = &[("ops", 25_000.0), ("schedules", 20_000.0)];

/// The goal of `target` without a sanitizer, if it has one.
fn goal_of(target: &str) -> Option<f64> {
    GOALS.iter().find(|(t, _)| *t == target).map(|(_, g)| *g)
}

/// Whether every goal was met: `None` when a target with a goal was not measured without a
/// sanitizer (a run under AddressSanitizer measures something else).
pub(crate) fn goals_met(f: &fuzzstats::FuzzStats) -> Option<bool> {
    let mut met = true;
    for (t, goal) in GOALS {
        let s = f.targets.get(*t).filter(|s| s.sanitizer == "none")?;
        met &= s.execs_per_sec >= *goal;
    }
    Some(met)
}

pub(crate) fn fuzz_section(fuzz: Option<&fuzzstats::FuzzStats>) -> Section {
    let rows = match fuzz {
        Some(f) if !f.targets.is_empty() => f
            .targets
            .iter()
            .map(|(name, t)| {
                let goal = match goal_of(name) {
                    Some(g) if t.sanitizer == "none" => {
                        let met = if t.execs_per_sec >= g { "met" } else { "not met" };
                        format!("{} ({met})", fmt_n(g as usize))
                    }
                    Some(g) => format!("{} without a sanitizer", fmt_n(g as usize)),
                    None => "-".into(),
                };
                vec![
                    name.clone(),
                    t.sanitizer.clone(),
                    fmt_n(t.execs_per_sec.round() as usize),
                    if t.seconds > 0.0 {
                        format!("{} in {:.0} s", fmt_n(t.execs as usize), t.seconds)
                    } else {
                        "-".into()
                    },
                    if t.cover.is_empty() {
                        "-".into()
                    } else {
                        t.cover.clone()
                    },
                    if t.measured.is_empty() {
                        "-".into()
                    } else {
                        t.measured.clone()
                    },
                    goal,
                ]
            })
            .collect(),
        _ => vec![vec![
            "(every target)".into(),
            "-".into(),
            "not run".into(),
            "-".into(),
            "-".into(),
            "-".into(),
            "-".into(),
        ]],
    };
    progress(
        "fuzz",
        if fuzz.is_some() {
            "read target/mapcheck/fuzz/stats.json"
        } else {
            "not run (no target/mapcheck/fuzz/stats.json)"
        },
    );
    Section {
        id: "fuzz".into(),
        title: "4. Fuzz throughput (executions per second)".into(),
        goal: Some("without a sanitizer, ops at least 25,000 and schedules at least 20,000 executions per second".into()),
        goal_met: fuzz.and_then(goals_met),
        notes: vec![
            "Read from `target/mapcheck/fuzz/stats.json` (`targets.<name>`), written by the fuzz command (`cargo xtask fuzz TARGET --time SECONDS --sanitizer none|address`); the full `cargo xtask bench` first runs `ops`, `schedules` and `scenario` for 30 s each without a sanitizer when cargo-fuzz is installed. \"not run\" when absent.".into(),
            "cover: the crates instrumented for coverage (`cargo xtask fuzz` keeps cargo-fuzz's coverage flags for these only; `all` is cargo-fuzz's own build). Each run starts from the corpus the earlier runs grew, so its rate depends on it; the machine may be shared.".into(),
        ],
        columns: ["target", "sanitizer", "execs/s", "executions", "cover", "measured", "goal (execs/s)"]
            .map(String::from)
            .to_vec(),
        rows,
        data: serde_json::to_value(fuzz.map(|f| {
            f.targets
                .iter()
                .map(|(k, t)| {
                    (
                        k.clone(),
                        json!({
                            "execs_per_sec": t.execs_per_sec,
                            "sanitizer": t.sanitizer,
                            "execs": t.execs,
                            "seconds": t.seconds,
                            "cover": t.cover,
                            "measured": t.measured,
                            "goal_execs_per_sec": goal_of(k),
                        }),
                    )
                })
                .collect::<serde_json::Map<_, _>>()
        }))
        .unwrap_or_default(),
    }
}

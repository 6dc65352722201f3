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

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(targets: &[(&str, &str, f64)]) -> fuzzstats::FuzzStats {
        let json = serde_json::Value::Object(
            targets
                .iter()
                .map(|(t, san, rate)| (t.to_string(), json!({"execs_per_sec": rate, "sanitizer": san})))
                .collect(),
        );
        serde_json::from_value(json!({ "targets": json })).unwrap()
    }

    #[test]
    fn goals_are_met_only_when_each_target_reaches_its_rate_without_a_sanitizer() {
        let good = stats(&[
            ("ops", "none", 25_000.0),
            ("schedules", "none", 20_500.0),
            ("scenario", "none", 900.0),
        ]);
        assert_eq!(goals_met(&good), Some(true));
        let slow = stats(&[("ops", "none", 24_999.0), ("schedules", "none", 30_000.0)]);
        assert_eq!(goals_met(&slow), Some(false));
        let asan = stats(&[("ops", "address", 30_000.0), ("schedules", "none", 30_000.0)]);
        assert_eq!(
            goals_met(&asan),
            None,
            "a rate under AddressSanitizer is not judged"
        );
        assert_eq!(
            goals_met(&stats(&[("ops", "none", 30_000.0)])),
            None,
            "schedules not measured"
        );
    }

    #[test]
    fn the_table_puts_each_rate_beside_its_goal() {
        let s = fuzz_section(Some(&stats(&[
            ("ops", "none", 12_345.4),
            ("scenario", "none", 800.0),
        ])));
        assert_eq!(s.goal_met, None);
        let ops = s.rows.iter().find(|r| r[0] == "ops").unwrap();
        assert_eq!(ops[2], "12,345");
        assert_eq!(ops[6], "25,000 (not met)");
        let scenario = s.rows.iter().find(|r| r[0] == "scenario").unwrap();
        assert_eq!(scenario[6], "-");
        assert_eq!(s.data["ops"]["goal_execs_per_sec"], json!(25_000.0));
        assert_eq!(fuzz_section(None).rows[0][2], "not run");
    }
}

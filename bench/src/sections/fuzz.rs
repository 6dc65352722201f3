//! Section 4: fuzz throughput, read from the fuzz command's statistics.

use super::util::*;
use mapcheck_bench::fuzzstats;
use mapcheck_bench::summary::Section;
use serde_json::json;

pub(crate) fn fuzz_section(fuzz: Option<&fuzzstats::FuzzStats>) -> Section {
    let rows = match fuzz {
        Some(f) if !f.targets.is_empty() => f
            .targets
            .iter()
            .map(|(name, t)| {
                vec![
                    name.clone(),
                    t.sanitizer.clone(),
                    format!("{:.0}", t.execs_per_sec),
                ]
            })
            .collect(),
        _ => vec![vec!["(every target)".into(), "-".into(), "not run".into()]],
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
        goal: None,
        goal_met: None,
        notes: vec!["Read from `target/mapcheck/fuzz/stats.json` (`targets.<name>`), written by the fuzz command with and without sanitizers; \"not run\" when absent.".into()],
        columns: ["target", "sanitizer", "execs/s"].map(String::from).to_vec(),
        rows,
        data: serde_json::to_value(fuzz.map(|f| {
            f.targets
                .iter()
                .map(|(k, t)| (k.clone(), json!({"execs_per_sec": t.execs_per_sec, "sanitizer": t.sanitizer})))
                .collect::<serde_json::Map<_, _>>()
        }))
        .unwrap_or_default(),
    }
}

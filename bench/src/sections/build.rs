//! Section 6: how long a fresh clone waits, read from `target/mapcheck/timings.json`, which
//! `cargo xtask test` and `cargo xtask ci` write (see xtask's `timings.rs`): `cargo xtask test` at
//! most 3 minutes and `cargo xtask ci` (what `.ci/run` runs) at most 20, each from a target
//! directory in which the workspace was not built yet.

use super::util::*;
use mapcheck_bench::summary::Section;
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;

/// Seconds each command may take from a fresh clone.
pub(crate) const GOALS: &[(&str, f64)] = &[("test", 180.0), ("ci", 1200.0)];

/// One command's last recorded run.
#[derive(Debug, Clone, Deserialize)]
pub struct Timing {
    pub seconds: f64,
    /// Whether the workspace had not been built in that target directory when it began.
    #[serde(default)]
    pub fresh: bool,
    #[serde(default)]
    pub passed: bool,
    #[serde(default)]
    pub measured: String,
    #[serde(default)]
    pub commit: String,
    #[serde(default)]
    pub cores: usize,
}

/// `Ok(None)` when the file does not exist; an error naming it when it cannot be read.
pub fn read(path: &Path) -> Result<Option<BTreeMap<String, Timing>>, String> {
    mapcheck_bench::fuzzstats::read_json(path)
}

/// Whether a run says something about its goal: from a fresh target directory, and passed.
fn counts(t: &Timing) -> bool {
    t.fresh && t.passed
}

/// Whether every goal was met; `None` while a command has no fresh, passing run recorded.
pub(crate) fn goals_met(t: &BTreeMap<String, Timing>) -> Option<bool> {
    let mut met = true;
    for (command, goal) in GOALS {
        let run = t.get(*command).filter(|r| counts(r))?;
        met &= run.seconds <= *goal;
    }
    Some(met)
}

pub(crate) fn build_section(timings: Option<&BTreeMap<String, Timing>>) -> Section {
    let rows = GOALS
        .iter()
        .map(|(command, goal)| {
            let run = timings.and_then(|t| t.get(*command));
            let verdict = match run {
                Some(r) if counts(r) => {
                    if r.seconds <= *goal {
                        "met"
                    } else {
                        "not met"
                    }
                }
                Some(r) if !r.passed => "the run failed",
                Some(_) => "not from a fresh clone",
                None => "not run",
            };
            vec![
                format!("cargo xtask {command}"),
                run.map_or("-".into(), |r| format!("{:.1}", r.seconds)),
                run.map_or("-".into(), |r| if r.fresh { "yes" } else { "no" }.into()),
                run.map_or("-".into(), |r| r.commit.clone()),
                run.map_or("-".into(), |r| r.cores.to_string()),
                run.map_or("-".into(), |r| r.measured.clone()),
                format!("{goal:.0} ({verdict})"),
            ]
        })
        .collect();
    progress(
        "build",
        if timings.is_some() {
            "read target/mapcheck/timings.json"
        } else {
            "not run (no target/mapcheck/timings.json)"
        },
    );
    Section {
        id: "build".into(),
        title: "6. Waiting on a fresh clone: the test suite and CI".into(),
        goal: Some("from a fresh clone, `cargo xtask test` in at most 3 minutes and `.ci/run` (`cargo xtask ci`) in at most 20".into()),
        goal_met: timings.and_then(goals_met),
        notes: vec![
            "Read from `target/mapcheck/timings.json`, which `cargo xtask test` (the whole suite, no arguments) and `cargo xtask ci` write when they end; `ci` records its test part as `test` too. fresh: the workspace's crates had not been built in that target directory when the command began (a fresh clone's run; the few seconds cargo takes to build xtask first are not counted). Only a fresh run that passed is judged against its goal; run the command in a fresh clone to measure it.".into(),
        ],
        columns: ["command", "seconds", "fresh", "commit", "cores", "measured", "goal (s)"]
            .map(String::from)
            .to_vec(),
        rows,
        data: json!(timings.map(|t| {
            t.iter()
                .map(|(k, r)| {
                    (
                        k.clone(),
                        json!({
                            "seconds": r.seconds,
                            "fresh": r.fresh,
                            "passed": r.passed,
                            "commit": r.commit,
                            "cores": r.cores,
                            "measured": r.measured,
                            "goal_seconds": GOALS.iter().find(|(c, _)| c == k).map(|(_, g)| *g),
                        }),
                    )
                })
                .collect::<serde_json::Map<_, _>>()
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timings(runs: &[(&str, f64, bool, bool)]) -> BTreeMap<String, Timing> {
        runs.iter()
            .map(|&(c, seconds, fresh, passed)| {
                let t = json!({"seconds": seconds, "fresh": fresh, "passed": passed});
                (c.to_string(), serde_json::from_value(t).unwrap())
            })
            .collect()
    }

    #[test]
    fn only_fresh_passing_runs_are_judged_and_each_time_sits_beside_its_goal() {
        let good = timings(&[("test", 162.0, true, true), ("ci", 517.7, true, true)]);
        assert_eq!(goals_met(&good), Some(true));
        let slow = timings(&[("test", 180.4, true, true), ("ci", 517.7, true, true)]);
        assert_eq!(goals_met(&slow), Some(false));
        let warm = timings(&[("test", 40.0, false, true), ("ci", 517.7, true, true)]);
        assert_eq!(
            goals_met(&warm),
            None,
            "a warm target directory says nothing of a fresh clone"
        );
        let failed = timings(&[("test", 100.0, true, false), ("ci", 517.7, true, true)]);
        assert_eq!(goals_met(&failed), None, "a failed run is not a figure");
        let s = build_section(Some(&slow));
        assert_eq!(s.rows[0][0], "cargo xtask test");
        assert_eq!(s.rows[0][1], "180.4");
        assert_eq!(s.rows[0][6], "180 (not met)");
        assert_eq!(s.rows[1][6], "1200 (met)");
        assert_eq!(
            build_section(Some(&warm)).rows[0][6],
            "180 (not from a fresh clone)"
        );
        assert_eq!(build_section(None).rows[1][6], "1200 (not run)");
        assert_eq!(s.data["test"]["goal_seconds"], json!(180.0));
    }

    #[test]
    fn a_timings_file_that_is_not_json_is_an_error_naming_it() {
        let path = std::env::temp_dir().join(format!("mapcheck-timings-bad-{}.json", std::process::id()));
        std::fs::write(&path, "{ not json").unwrap();
        let e = read(&path).unwrap_err();
        assert!(e.contains(&path.display().to_string()), "{e}");
        std::fs::remove_file(&path).unwrap();
        assert!(read(&path).unwrap().is_none());
    }
}

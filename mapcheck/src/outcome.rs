//! How one cell of a check (a model on a structure under an engine) came out, judged against what
//! the structure declares: the one classifier the command line's matrix, its summary, the scenario
//! runner and the library's front door all use.

use mapcheck_harness::{Entry, Oracle, Outcome, Verdict};

/// A cell's result. Unknown and not-applicable are outcomes of their own, never a pass.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CellResult {
    /// Every run was judged correct; `exhausted` when the engine explored its whole bounded space.
    Pass { exhausted: bool },
    /// A structure expected to fail failed, as planted.
    Caught(Oracle),
    /// A correct structure failed: a bug in it, or in its declaration.
    Failed(Oracle),
    /// No failure, but some runs had no verdict (a malformed history, a search budget spent).
    Unknown { runs: usize, reason: String },
    /// The engine cannot run this structure; nothing ran.
    NotApplicable { reason: String },
    /// A deterministic engine that runs on shard 1 only, in another shard.
    OtherShard,
    /// A structure expected to fail passed every run. `exhaustive` when the engine explored its
    /// whole bounded space; `must` when the model is built to catch it.
    Missed { exhaustive: bool, must: bool },
}

impl CellResult {
    /// Classifies `outcome` of `model` on `entry`.
    pub fn of(entry: &Entry, model: &str, outcome: &Outcome) -> CellResult {
        let expect_fail = entry.info.expected_to_fail();
        match &outcome.verdict {
            Verdict::NotApplicable { reason } => CellResult::NotApplicable {
                reason: reason.clone(),
            },
            Verdict::Fail(f) if expect_fail => CellResult::Caught(f.oracle),
            Verdict::Fail(f) => CellResult::Failed(f.oracle),
            Verdict::Unknown { reason } => CellResult::Unknown {
                runs: outcome.unknown_runs,
                reason: reason.clone(),
            },
            // Nothing ran (the budget was spent before the first schedule): no verdict either way.
            Verdict::Pass if outcome.schedules == 0 => CellResult::Unknown {
                runs: 0,
                reason: "no schedule ran within the cell's budget".into(),
            },
            Verdict::Pass if expect_fail => CellResult::Missed {
                exhaustive: outcome.exhausted,
                must: entry.must_catch(model),
            },
            Verdict::Pass => CellResult::Pass {
                exhausted: outcome.exhausted,
            },
        }
    }

    /// Whether the cell is what it should be: a correct structure failing, or an exhaustive
    /// exploration missing a bug its model was built to catch, is not.
    pub fn as_expected(&self) -> bool {
        !matches!(
            self,
            CellResult::Failed(_)
                | CellResult::Missed {
                    exhaustive: true,
                    must: true
                }
        )
    }

    /// Whether the engine ran the structure in this cell.
    pub fn ran(&self) -> bool {
        !matches!(self, CellResult::NotApplicable { .. } | CellResult::OtherShard)
    }

    /// The cell as the matrix prints it, after `schedules` schedules.
    pub fn text(&self, schedules: usize) -> String {
        match self {
            CellResult::Pass { exhausted: true } => format!("pass {schedules} all"),
            CellResult::Pass { exhausted: false } => format!("pass {schedules}"),
            CellResult::Caught(o) => format!("caught {schedules} {o}"),
            CellResult::Failed(o) => format!("FAIL {schedules} {o}"),
            CellResult::Unknown { runs, .. } => format!("unknown {schedules} ({runs} without verdict)"),
            CellResult::NotApplicable { .. } => "n/a".into(),
            CellResult::OtherShard => "on shard 1".into(),
            CellResult::Missed {
                exhaustive: true,
                must: true,
            } => format!("MISSED {schedules} all"),
            CellResult::Missed { exhaustive, .. } => {
                format!("missed {schedules}{}", if *exhaustive { " all" } else { "" })
            }
        }
    }

    /// One word for JSON: pass, caught, fail, unknown, n/a, other-shard, missed.
    pub fn word(&self) -> &'static str {
        match self {
            CellResult::Pass { .. } => "pass",
            CellResult::Caught(_) => "caught",
            CellResult::Failed(_) => "fail",
            CellResult::Unknown { .. } => "unknown",
            CellResult::NotApplicable { .. } => "n/a",
            CellResult::OtherShard => "other-shard",
            CellResult::Missed { .. } => "missed",
        }
    }
}

/// Whether a planted bug was reached, over the cells of one model on one structure expected to
/// fail: the catch, or why the selection of engines says nothing about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// Some engine caught it.
    Caught,
    /// Every engine that applies ran and none caught it: a loss of bug-finding power.
    MissedByAll { ran: Vec<&'static str> },
    /// The engines that ran missed it, but engines that apply were not run (filtered out, or on
    /// another shard): the selection could not reach it, which is not a failure.
    NotReached {
        ran: Vec<&'static str>,
        not_run: Vec<&'static str>,
    },
    /// No engine applies: the model calls an operation the structure lacks, or no engine can run
    /// the structure at all. There is nothing to reach, so nothing to report.
    NotApplicable,
}

impl Reach {
    /// Judges the cells (`(engine family, result)`) of one row; `applicable` lists every engine
    /// family that applies to the structure, whether it ran or not.
    pub fn of(cells: &[(&'static str, CellResult)], applicable: &[&'static str]) -> Reach {
        if cells.iter().any(|(_, r)| matches!(r, CellResult::Caught(_))) {
            return Reach::Caught;
        }
        let ran: Vec<&'static str> = cells.iter().filter(|(_, r)| r.ran()).map(|(e, _)| *e).collect();
        if ran.is_empty() && applicable.is_empty() {
            return Reach::NotApplicable;
        }
        let not_run: Vec<&'static str> = applicable.iter().copied().filter(|e| !ran.contains(e)).collect();
        if not_run.is_empty() && !ran.is_empty() {
            Reach::MissedByAll { ran }
        } else {
            Reach::NotReached { ran, not_run }
        }
    }

    /// Whether the check fails for it.
    pub fn is_failure(&self) -> bool {
        matches!(self, Reach::MissedByAll { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mapcheck_harness::{Engine, Outcome};
    use std::time::Duration;

    fn outcome(verdict: Verdict, exhausted: bool, unknown_runs: usize) -> Outcome {
        Outcome {
            verdict,
            schedules: 10,
            elapsed: Duration::ZERO,
            exhausted,
            unknown_runs,
            diverged: None,
            failure: None,
            findings: Vec::new(),
        }
    }

    fn entry(name: &str) -> Entry {
        mapcheck_models::structure(name).unwrap()
    }

    #[test]
    fn unknown_is_never_a_pass_and_not_applicable_is_its_own_outcome() {
        let unknown = Verdict::Unknown {
            reason: "1 of 10 run(s) had no verdict".into(),
        };
        let r = CellResult::of(&entry("locked"), "churn", &outcome(unknown.clone(), true, 1));
        assert_eq!(r.word(), "unknown");
        assert!(r.text(10).starts_with("unknown 10"), "{}", r.text(10));
        // A mutant whose runs were unknown was not caught, and not missed either.
        let r = CellResult::of(&entry("locked-noshrink"), "churn", &outcome(unknown, true, 1));
        assert!(matches!(r, CellResult::Unknown { .. }));
        let na = Verdict::NotApplicable {
            reason: "gomap is unsynchronised on purpose".into(),
        };
        let r = CellResult::of(&entry("gomap"), "churn", &outcome(na, false, 0));
        assert_eq!(r.text(0), "n/a");
        assert!(!r.ran());
    }

    #[test]
    fn a_cell_where_nothing_ran_is_not_a_pass() {
        let none = Outcome {
            schedules: 0,
            ..outcome(Verdict::Pass, false, 0)
        };
        let r = CellResult::of(&entry("locked"), "churn", &none);
        assert_eq!(r.word(), "unknown");
        // Nor is a mutant missed where nothing ran.
        let r = CellResult::of(&entry("locked-noshrink"), "churn", &none);
        assert_eq!(r.word(), "unknown");
    }

    #[test]
    fn all_only_when_exhausted() {
        let r = CellResult::of(&entry("locked"), "churn", &outcome(Verdict::Pass, false, 0));
        assert_eq!(r.text(7), "pass 7");
        let r = CellResult::of(&entry("locked"), "churn", &outcome(Verdict::Pass, true, 0));
        assert_eq!(r.text(7), "pass 7 all");
        let r = CellResult::of(
            &entry("locked-noshrink"),
            "churn",
            &outcome(Verdict::Pass, true, 0),
        );
        assert_eq!(r.text(7), "MISSED 7 all");
        assert!(!r.as_expected());
        let r = CellResult::of(
            &entry("locked-noshrink"),
            "churn",
            &outcome(Verdict::Pass, false, 0),
        );
        assert_eq!(r.text(7), "missed 7");
        assert!(r.as_expected());
    }

    #[test]
    fn a_filter_is_not_a_failure() {
        let missed = CellResult::Missed {
            exhaustive: false,
            must: true,
        };
        let all = ["loom", "shuttle-random", "shuttle-pct", "shuttle-dfs", "threads"];
        // Only the thread engine ran: the others were filtered out, so nothing is claimed.
        let r = Reach::of(&[("threads", missed.clone())], &all);
        assert!(!r.is_failure(), "{r:?}");
        assert!(matches!(&r, Reach::NotReached { not_run, .. } if not_run.len() == 4));
        // gomap on threads is not applicable: a run of every applicable engine that misses fails.
        let na = CellResult::NotApplicable {
            reason: "unsynchronised".into(),
        };
        let cells: Vec<(&'static str, CellResult)> = all[..4]
            .iter()
            .map(|e| (*e, missed.clone()))
            .chain([("threads", na)])
            .collect();
        assert!(Reach::of(&cells, &all[..4]).is_failure());
        let mut caught = cells.clone();
        caught[1].1 = CellResult::Caught(Oracle::Panic);
        assert_eq!(Reach::of(&caught, &all[..4]), Reach::Caught);
        let _ = Engine::ShuttleDfs;
    }

    #[test]
    fn a_model_no_engine_can_run_on_the_structure_has_nothing_to_reach() {
        // A mutant without the model's operations: every cell is not applicable, under every
        // engine, whatever the selection; it is neither missed nor left unreached by the selection.
        let na = CellResult::NotApplicable {
            reason: "declares no retain (absent from its API), which this model calls".into(),
        };
        let cells: Vec<(&'static str, CellResult)> = ["loom", "shuttle-random", "threads"]
            .iter()
            .map(|e| (*e, na.clone()))
            .collect();
        let r = Reach::of(&cells, &[]);
        assert_eq!(r, Reach::NotApplicable);
        assert!(!r.is_failure());
        // With an engine that applies but was filtered out, the selection is still what missed it.
        assert!(matches!(
            Reach::of(&cells, &["shuttle-pct"]),
            Reach::NotReached { .. }
        ));
    }
}

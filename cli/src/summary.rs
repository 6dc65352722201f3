//! The closing summary of `mapcheck check`: how the cells came out, schedules explored, time taken,
//! and where the failure records and their pictures are; as text and as JSON.

use mapcheck_harness::Verdict;
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

/// How one cell of the matrix came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellResult {
    Pass,
    /// An expected failure was found (a mutant caught).
    Caught,
    /// A correct structure failed.
    Failed,
    Unknown,
    /// The engine does not apply to the structure.
    NotApplicable,
    /// A deterministic engine left to shard 1.
    OtherShard,
    /// A planted bug not reached; `exhaustive` when the engine explored its whole bounded space.
    Missed {
        exhaustive: bool,
    },
}

impl CellResult {
    /// Classifies a cell as the matrix prints it: `expect_fail` for a mutant or an unsynchronised
    /// structure, `must` when the model is built to catch it, `exhausted` when the engine explored
    /// its whole bounded space, `skipped` when the engine does not apply.
    pub fn of(
        verdict: &Verdict,
        expect_fail: bool,
        must: bool,
        exhausted: bool,
        skipped: bool,
    ) -> CellResult {
        match verdict {
            _ if skipped => CellResult::NotApplicable,
            Verdict::Pass if must && exhausted => CellResult::Missed { exhaustive: true },
            Verdict::Pass if expect_fail => CellResult::Missed { exhaustive: false },
            Verdict::Pass => CellResult::Pass,
            Verdict::Fail(_) if expect_fail => CellResult::Caught,
            Verdict::Fail(_) => CellResult::Failed,
            Verdict::Unknown { .. } => CellResult::Unknown,
        }
    }
}

/// Counts over the matrix.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    pub passed: usize,
    pub caught: usize,
    pub failed: usize,
    pub unknown: usize,
    pub not_applicable: usize,
    pub other_shard: usize,
    pub missed: usize,
    pub missed_exhaustive: usize,
    /// Mutants that no engine caught on a model built to catch them.
    pub mutants_missed: usize,
    pub schedules: u64,
}

impl Summary {
    pub fn add(&mut self, cell: CellResult, schedules: usize) {
        self.schedules += schedules as u64;
        match cell {
            CellResult::Pass => self.passed += 1,
            CellResult::Caught => self.caught += 1,
            CellResult::Failed => self.failed += 1,
            CellResult::Unknown => self.unknown += 1,
            CellResult::NotApplicable => self.not_applicable += 1,
            CellResult::OtherShard => self.other_shard += 1,
            CellResult::Missed { exhaustive } => {
                self.missed += 1;
                self.missed_exhaustive += exhaustive as usize;
            }
        }
    }

    pub fn cells(&self) -> usize {
        self.passed
            + self.caught
            + self.failed
            + self.unknown
            + self.not_applicable
            + self.other_shard
            + self.missed
    }

    /// The summary as printed at the end of the matrix.
    pub fn text(&self, elapsed: Duration, dir: &Path) -> String {
        let mut s = format!(
            "summary: {} cells: {} passed, {} failed ({} expected catches, {} unexpected failures), \
             {} unknown, {} n/a, {} missed ({} by an exhaustive engine)",
            self.cells(),
            self.passed,
            self.caught + self.failed,
            self.caught,
            self.failed,
            self.unknown,
            self.not_applicable,
            self.missed,
            self.missed_exhaustive
        );
        if self.other_shard > 0 {
            s.push_str(&format!(", {} left to shard 1", self.other_shard));
        }
        if self.mutants_missed > 0 {
            s.push_str(&format!(
                "; {} mutant(s) caught by no engine",
                self.mutants_missed
            ));
        }
        s.push_str(&format!(
            "\nsummary: {} schedules in {:.1}s; failure records (.json) and their pictures (.html) in {}",
            self.schedules,
            elapsed.as_secs_f64(),
            dir.display()
        ));
        s
    }

    /// The same fields for `--json`: one object, `{"summary": {...}}`.
    pub fn json(&self, elapsed: Duration, dir: &Path, ok: bool) -> Value {
        json!({
            "summary": {
                "cells": self.cells(),
                "passed": self.passed,
                "failed": self.caught + self.failed,
                "expected_catches": self.caught,
                "unexpected_failures": self.failed,
                "unknown": self.unknown,
                "not_applicable": self.not_applicable,
                "other_shard": self.other_shard,
                "missed": self.missed,
                "missed_exhaustive": self.missed_exhaustive,
                "mutants_missed": self.mutants_missed,
                "schedules": self.schedules,
                "elapsed_ms": elapsed.as_millis() as u64,
                "failures_dir": dir.display().to_string(),
                "ok": ok,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Summary {
        let mut s = Summary::default();
        s.add(CellResult::Pass, 100);
        s.add(CellResult::Pass, 50);
        s.add(CellResult::Caught, 3);
        s.add(CellResult::Failed, 7);
        s.add(CellResult::Unknown, 10);
        s.add(CellResult::NotApplicable, 0);
        s.add(CellResult::Missed { exhaustive: true }, 30);
        s.add(CellResult::Missed { exhaustive: false }, 0);
        s
    }

    #[test]
    fn text_counts_every_kind_of_cell() {
        let t = sample().text(Duration::from_millis(1500), Path::new("target/mapcheck/failures"));
        assert!(
            t.starts_with(
                "summary: 8 cells: 2 passed, 2 failed (1 expected catches, 1 unexpected failures), \
                 1 unknown, 1 n/a, 2 missed (1 by an exhaustive engine)\n"
            ),
            "{t}"
        );
        assert!(t.ends_with(
            "summary: 200 schedules in 1.5s; failure records (.json) and their pictures (.html) in \
             target/mapcheck/failures"
        ));
    }

    #[test]
    fn json_has_the_same_fields() {
        let j = sample().json(Duration::from_millis(1500), Path::new("d"), false);
        let s = &j["summary"];
        assert_eq!(s["cells"], 8);
        assert_eq!(s["failed"], 2);
        assert_eq!(s["expected_catches"], 1);
        assert_eq!(s["unexpected_failures"], 1);
        assert_eq!(s["missed"], 2);
        assert_eq!(s["schedules"], 200);
        assert_eq!(s["elapsed_ms"], 1500);
        assert_eq!(s["failures_dir"], "d");
        assert_eq!(s["ok"], false);
    }
}

//! The closing summary of `mapcheck check`: how the cells came out, schedules explored, time taken,
//! and where the failure records and their pictures are; as text and as JSON.

use mapcheck::outcome::CellResult;
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

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
    /// Mutants that no engine caught on a model built to catch them, every engine that applies
    /// having run.
    pub mutants_missed: usize,
    /// Mutants that the engines run here did not catch, where engines that apply were not run.
    pub mutants_unreached: usize,
    pub schedules: u64,
    /// Failure records (each with its picture) written to disk, and those that could not be.
    pub records: usize,
    pub records_unwritten: usize,
}

impl Summary {
    pub fn add(&mut self, cell: &CellResult, schedules: usize) {
        self.schedules += schedules as u64;
        match cell {
            CellResult::Pass { .. } => self.passed += 1,
            CellResult::Caught(_) => self.caught += 1,
            CellResult::Failed(_) => self.failed += 1,
            CellResult::Unknown { .. } => self.unknown += 1,
            CellResult::NotApplicable { .. } => self.not_applicable += 1,
            CellResult::OtherShard => self.other_shard += 1,
            CellResult::Missed { exhaustive, .. } => {
                self.missed += 1;
                self.missed_exhaustive += *exhaustive as usize;
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
                "; {} mutant(s) caught by no engine that applies",
                self.mutants_missed
            ));
        }
        if self.mutants_unreached > 0 {
            s.push_str(&format!(
                "; {} mutant(s) not reached by the engines selected",
                self.mutants_unreached
            ));
        }
        s.push_str(&format!(
            "\nsummary: {} schedules in {:.1}s; {}",
            self.schedules,
            elapsed.as_secs_f64(),
            self.records_text(dir)
        ));
        s
    }

    /// Where the failure records are: only those written are claimed.
    fn records_text(&self, dir: &Path) -> String {
        let mut s = match self.records {
            0 => format!("no failure record written to {}", dir.display()),
            n => format!(
                "{n} failure record(s) (.json) and their pictures (.html) in {}",
                dir.display()
            ),
        };
        if self.records_unwritten > 0 {
            s.push_str(&format!(
                "; {} could not be written (their reports above say why and carry the replay token)",
                self.records_unwritten
            ));
        }
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
                "mutants_unreached": self.mutants_unreached,
                "schedules": self.schedules,
                "elapsed_ms": elapsed.as_millis() as u64,
                "failures_dir": dir.display().to_string(),
                "records": self.records,
                "records_unwritten": self.records_unwritten,
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
        use mapcheck_harness::Oracle;
        s.add(&CellResult::Pass { exhausted: true }, 100);
        s.add(&CellResult::Pass { exhausted: false }, 50);
        s.add(&CellResult::Caught(Oracle::Leak), 3);
        s.add(&CellResult::Failed(Oracle::Linearizability), 7);
        s.add(
            &CellResult::Unknown {
                runs: 1,
                reason: "budget".into(),
            },
            10,
        );
        s.add(&CellResult::NotApplicable { reason: "n/a".into() }, 0);
        s.add(
            &CellResult::Missed {
                exhaustive: true,
                must: true,
            },
            30,
        );
        s.add(
            &CellResult::Missed {
                exhaustive: false,
                must: false,
            },
            0,
        );
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
        assert!(
            t.ends_with(
                "summary: 200 schedules in 1.5s; no failure record written to target/mapcheck/failures"
            ),
            "{t}"
        );
    }

    /// Only the records written are claimed; those that could not be are counted apart.
    #[test]
    fn text_claims_only_the_records_written() {
        let mut s = sample();
        s.records = 2;
        s.records_unwritten = 1;
        let t = s.text(Duration::from_millis(1500), Path::new("d"));
        assert!(
            t.ends_with(
                "2 failure record(s) (.json) and their pictures (.html) in d; 1 could not be written \
                 (their reports above say why and carry the replay token)"
            ),
            "{t}"
        );
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

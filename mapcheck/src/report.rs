//! What a check returns, as values a program can use and text a person can read: [`Report`] (every
//! cell that ran, with its result), [`Failed`] (the failures found, each with its oracle, evidence,
//! record, picture and replay line as fields) and [`Found`].

use crate::outcome::CellResult;
use crate::record::picture_path;
use crate::runner::{Recorded, Replayed};
use mapcheck_harness::Oracle;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// One cell of a check: a model under an engine, and how it came out.
#[derive(Debug, Clone)]
pub struct CellLine {
    pub model: &'static str,
    /// The engine family: `loom`, `shuttle-random`, `shuttle-pct`, `shuttle-dfs`, `threads`.
    pub engine: &'static str,
    pub schedules: usize,
    pub result: CellResult,
    /// A finding beside the verdict (memory a declared policy lets the structure keep, behaviours
    /// it declares known that its runs showed; see `runner::Cell::findings`).
    pub finding: Option<String>,
}

impl fmt::Display for CellLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:<24} {:<15} {}",
            self.model,
            self.engine,
            self.result.text(self.schedules)
        )
    }
}

/// What a check ran: every cell, in order.
#[derive(Debug, Clone)]
pub struct Report {
    pub structure: &'static str,
    pub cells: Vec<CellLine>,
    pub elapsed: Duration,
    pub seed: u64,
    /// Whether the counting allocator was installed, so that leaks were judged.
    pub leaks_judged: bool,
    /// The optimisation level the library was built at (`0` explores many times fewer schedules
    /// in the same budget; the summary says so, with the fix).
    pub opt_level: &'static str,
}

/// The optimisation level this build of the library has, as its build script read it.
pub const OPT_LEVEL: &str = env!("MAPCHECK_OPT_LEVEL");

/// What the summary says when the exploration runtime is not optimised: the slowdown
/// `cargo xtask bench` measures on the user crate, and the fix.
pub const UNOPTIMISED: &str = "unoptimised: built at opt-level 0, mapcheck explores about 10 times fewer \
     schedules in the same budget; add `[profile.dev.package.\"*\"] opt-level = 3` to Cargo.toml";

impl Report {
    /// Schedules run over every cell.
    pub fn schedules(&self) -> usize {
        self.cells.iter().map(|c| c.schedules).sum()
    }

    /// The cells whose engine ran the structure.
    pub fn ran(&self) -> impl Iterator<Item = &CellLine> {
        self.cells.iter().filter(|c| c.result.ran())
    }

    /// The one line a passing check prints: cells, schedules, and what was not judged and why.
    pub fn summary(&self) -> String {
        let ran = self.ran().count();
        let passed = self
            .cells
            .iter()
            .filter(|c| matches!(c.result, CellResult::Pass { .. }))
            .count();
        let mut line = format!(
            "mapcheck: {}: {passed} of {ran} cell(s) passed, {} schedule(s) in {:.1}s (seed {})",
            self.structure,
            self.schedules(),
            self.elapsed.as_secs_f64(),
            self.seed
        );
        let mut not = Vec::new();
        if !self.leaks_judged {
            not.push("leaks (no mapcheck::CountingAllocator installed)".to_string());
        }
        let unknown = self
            .cells
            .iter()
            .filter(|c| matches!(c.result, CellResult::Unknown { .. }))
            .count();
        if unknown > 0 {
            not.push(format!("{unknown} undecided cell(s)"));
        }
        // Engines that could not run the structure at all, each with its reason once; then the
        // models that call an operation the structure declares absent.
        let mut reasons: Vec<(&'static str, &str)> = Vec::new();
        let mut absent: Vec<(&'static str, &str)> = Vec::new();
        for c in &self.cells {
            if let CellResult::NotApplicable { reason } = &c.result {
                if mapcheck_harness::engine::is_absent(reason) {
                    if !absent.iter().any(|(m, _)| *m == c.model) {
                        absent.push((c.model, reason));
                    }
                } else if !reasons.iter().any(|(e, _)| *e == c.engine) {
                    reasons.push((c.engine, reason));
                }
            }
        }
        let absent: Vec<String> = absent.iter().map(|(m, r)| format!("{m} ({r})")).collect();
        if let Some((_, reason)) = reasons.first() {
            let engines: Vec<&str> = reasons.iter().map(|(e, _)| *e).collect();
            not.push(format!("{} ({reason})", engines.join(", ")));
        }
        not.extend(absent);
        if !not.is_empty() {
            line.push_str("; not judged: ");
            line.push_str(&not.join("; "));
        }
        if self.opt_level == "0" {
            line.push_str("; ");
            line.push_str(UNOPTIMISED);
        }
        line
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.summary())?;
        for c in &self.cells {
            writeln!(f, "  {c}")?;
            if let Some(finding) = &c.finding {
                writeln!(f, "    FINDING (declared, not a failure) {finding}")?;
            }
        }
        Ok(())
    }
}

/// One failure a check found, as fields.
#[derive(Debug, Clone)]
pub struct Found {
    pub model: String,
    pub structure: String,
    /// The engine with its parameters, as the report prints it (`shuttle-random(seed 42)`).
    pub engine: String,
    /// The oracle that fired (`None` only for a run that failed without a verdict naming one).
    pub oracle: Option<Oracle>,
    /// The oracle's one-line evidence.
    pub evidence: String,
    /// The failure record on disk, or why it could not be written.
    pub record: Result<PathBuf, String>,
    /// The failure's timeline picture beside the record.
    pub picture: Option<PathBuf>,
    /// The replay token (`mc1-...`): the run again, from anywhere.
    pub token: String,
    /// The one command that replays it here.
    pub replay: String,
    /// What shrinking did: "shrunk from ... to ..." or why the failure is not smaller.
    pub shrinking: Option<String>,
    /// The whole printed report of this failure.
    pub text: String,
}

impl Found {
    /// The failure of `recorded`, replayed by `replay`.
    pub(crate) fn of(recorded: &Recorded, replay: String) -> Found {
        let r = &recorded.record;
        let (oracle, evidence) = match &r.verdict {
            mapcheck_harness::Verdict::Fail(f) => (Some(f.oracle), f.summary.clone()),
            other => (None, format!("{other:?}")),
        };
        let picture = recorded.path.as_ref().ok().map(|p| picture_path(p));
        let mut text = String::new();
        if let Err(e) = &recorded.path {
            text.push_str(&format!(
                "warning: the failure record could not be written: {e}\n"
            ));
        }
        text.push_str(&r.render_for(&replay, picture.as_deref()));
        if let Ok(p) = &recorded.path {
            text.push_str(&format!("record:  {}\n", p.display()));
        }
        Found {
            model: r.token.model.clone(),
            structure: r.token.structure.clone(),
            engine: r.token.engine.to_string(),
            oracle,
            evidence,
            record: recorded.path.clone(),
            picture,
            token: r.token.encode(),
            replay,
            shrinking: r
                .shrunk_from
                .as_ref()
                .map(|from| format!("shrunk from {from}"))
                .or_else(|| r.shrink_note.clone()),
            text,
        }
    }
}

/// A failed check: the failures it found (every one with `Check::keep_going`, else the first),
/// the cells it ran, and the printed report.
#[derive(Debug, Clone)]
pub struct Failed {
    pub failures: Vec<Found>,
    /// For a replay (`MAPCHECK_REPLAY`): what it did against what was recorded.
    pub replayed: Option<Replayed>,
    /// The whole text, as the panic prints it.
    pub message: String,
    /// The replay line of each failure, in order.
    pub replay: Vec<String>,
    pub report: Report,
}

impl Failed {
    /// The oracle of each failure, in order.
    pub fn oracles(&self) -> Vec<Oracle> {
        self.failures.iter().filter_map(|f| f.oracle).collect()
    }
}

impl fmt::Display for Failed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failed {}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(opt_level: &'static str, leaks_judged: bool) -> Report {
        Report {
            structure: "m",
            cells: vec![CellLine {
                model: "churn",
                engine: "loom",
                schedules: 7,
                result: CellResult::Pass { exhausted: true },
                finding: None,
            }],
            elapsed: Duration::from_millis(1500),
            seed: 42,
            leaks_judged,
            opt_level,
        }
    }

    #[test]
    fn the_summary_says_what_ran_and_what_was_not_judged() {
        assert_eq!(
            report("3", true).summary(),
            "mapcheck: m: 1 of 1 cell(s) passed, 7 schedule(s) in 1.5s (seed 42)"
        );
        let line = report("3", false).summary();
        assert!(
            line.ends_with("; not judged: leaks (no mapcheck::CountingAllocator installed)"),
            "{line}"
        );
    }

    #[test]
    fn an_unoptimised_build_is_named_with_its_fix() {
        let line = report("0", true).summary();
        assert!(line.contains("unoptimised: built at opt-level 0"), "{line}");
        assert!(
            line.contains("[profile.dev.package.\"*\"] opt-level = 3"),
            "{line}"
        );
        assert!(!report("1", true).summary().contains("unoptimised"));
    }
}

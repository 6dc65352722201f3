//! Runs scenario files: resolves their structure names against the registry, explores the script
//! on each structure under each engine (replaying the pinned schedule where there is one), and
//! grades each structure's outcome against its expectation. Also turns a failure record into a
//! scenario with its schedule pinned.

// Scenario errors carry the file's text for rendering; they are rare and not on a hot path.
#![allow(clippy::result_large_err)]

use crate::{EngineSpec, Expect, Named, PinnedRun, Scenario, ScenarioError, Step};
use mapcheck::record::FailureRecord;
use mapcheck::runner::{self, Cell, CellSpec};
use mapcheck::Registry;
use mapcheck_harness::{Engine, Entry, Limits, Outcome, Size, Verdict, Workload};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Wall-clock bound on one cell; the schedule bound is what normally stops an exploration, so a
/// scenario gives the same result on every machine.
pub const CELL_BUDGET: Duration = Duration::from_secs(60);

/// The structures a scenario runs on, in registry order.
pub fn resolve(registry: &Registry, s: &Scenario) -> Result<Vec<Entry>, ScenarioError> {
    let all = registry.entries().to_vec();
    let structure = |name: &str| registry.get(name).copied();
    let names: Vec<&str> = all.iter().map(|e| e.info.name).collect();
    let unknown = |n: &Named, what: &str| {
        s.error(n.span.clone(), format!("unknown structure `{}` {what}", n.name))
            .label("not a registered structure")
            .help(format!(
                "structures: {}; groups: correct, mutants, all",
                names.join(", ")
            ))
    };
    let mut chosen: BTreeSet<&str> = BTreeSet::new();
    if s.structures.is_empty() {
        chosen.extend(
            all.iter()
                .filter(|e| !e.info.expected_to_fail())
                .map(|e| e.info.name),
        );
    }
    for n in &s.structures {
        match n.name.as_str() {
            "all" => chosen.extend(names.iter().copied()),
            "correct" => chosen.extend(
                all.iter()
                    .filter(|e| !e.info.expected_to_fail())
                    .map(|e| e.info.name),
            ),
            "mutants" => chosen.extend(
                all.iter()
                    .filter(|e| e.info.expected_to_fail())
                    .map(|e| e.info.name),
            ),
            name => {
                let e = structure(name).ok_or_else(|| unknown(n, "in `structures`"))?;
                chosen.insert(e.info.name);
            }
        }
    }
    for (n, _) in &s.expect {
        let e = structure(&n.name).ok_or_else(|| unknown(n, "under `[expect]`"))?;
        if s.structures.is_empty() {
            chosen.insert(e.info.name);
        } else if !chosen.contains(e.info.name) {
            return Err(s
                .error(
                    n.span.clone(),
                    format!("`{}` has an expectation but is not in `structures`", n.name),
                )
                .help("add it to `structures`, or remove its expectation"));
        }
    }
    if let Some(p) = &s.pinned {
        let e = structure(&p.structure.name).ok_or_else(|| unknown(&p.structure, "under `[pinned]`"))?;
        if !s.structures.is_empty() && !chosen.contains(e.info.name) {
            return Err(s.error(
                p.structure.span.clone(),
                format!(
                    "the pinned structure `{}` is not in `structures`",
                    p.structure.name
                ),
            ));
        }
        chosen.insert(e.info.name);
        if !s.engines.contains(&p.engine) {
            return Err(s.error(
                p.structure.span.clone(),
                format!("the pinned engine `{}` is not in `engines`", p.engine),
            ));
        }
    }
    Ok(all.into_iter().filter(|e| chosen.contains(e.info.name)).collect())
}

/// One structure under one engine.
#[derive(Debug)]
pub struct CellRun {
    pub engine: Engine,
    /// True when the pinned schedule was replayed instead of an exploration.
    pub pinned: bool,
    pub cell: Cell,
}

impl CellRun {
    pub fn outcome(&self) -> &Outcome {
        &self.cell.outcome
    }
}

/// One structure's result against its expectation.
#[derive(Debug)]
pub struct StructureRun {
    pub structure: &'static str,
    pub expect: Expect,
    pub cells: Vec<CellRun>,
    /// `None` when the outcome is the expected one; otherwise why not.
    pub mismatch: Option<String>,
}

/// A scenario's result.
#[derive(Debug)]
pub struct ScenarioRun {
    pub name: String,
    pub structures: Vec<StructureRun>,
}

impl ScenarioRun {
    pub fn ok(&self) -> bool {
        self.structures.iter().all(|s| s.mismatch.is_none())
    }
}

/// Filters on a run: only these structures or engines (empty: all the scenario names).
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub structures: Vec<String>,
    pub engines: Vec<String>,
    /// At most this many schedules for a cell whose structure is expected to pass (`None`: the
    /// scenario's own bound). A cell expected to fail or to report a finding, and a pinned cell,
    /// always runs to the scenario's bound. The test suite sets it, so that the corpus checks that
    /// every hazard is caught within its bound without exploring each correct structure as long
    /// as `cargo xtask scenario run` does.
    pub passing_schedules: Option<usize>,
}

/// Runs `s` on every structure it applies to, writing failures under `dir`.
pub fn run(
    registry: &Registry,
    s: &Scenario,
    filter: &Filter,
    dir: &Path,
) -> Result<ScenarioRun, ScenarioError> {
    let entries = resolve(registry, s)?;
    let workload = s.workload();
    let mut out = Vec::new();
    for entry in entries {
        if !filter.structures.is_empty() && !filter.structures.iter().any(|f| f == entry.info.name) {
            continue;
        }
        let expect = s.expectation(entry.info.name);
        let mut cells = Vec::new();
        for spec in &s.engines {
            let engine = spec.engine(s.seed);
            if !filter.engines.is_empty() && !filter.engines.iter().any(|f| f == engine.family()) {
                continue;
            }
            let cap = filter.passing_schedules.filter(|_| expect == Expect::Pass);
            cells.push(run_cell(s, &entry, *spec, &workload, dir, cap));
        }
        let mismatch = grade(&expect, &cells);
        out.push(StructureRun {
            structure: entry.info.name,
            expect,
            cells,
            mismatch,
        });
    }
    Ok(ScenarioRun {
        name: s.name.clone(),
        structures: out,
    })
}

fn limits(s: &Scenario, cap: Option<usize>) -> Limits {
    Limits {
        max_schedules: cap.map_or(s.schedules, |c| s.schedules.min(c)),
        budget: CELL_BUDGET,
        ..Limits::default()
    }
}

fn run_cell(
    s: &Scenario,
    entry: &Entry,
    spec: EngineSpec,
    workload: &Workload,
    dir: &Path,
    cap: Option<usize>,
) -> CellRun {
    let pin = s
        .pinned
        .as_ref()
        .filter(|p| p.structure.name == entry.info.name && p.engine == spec);
    let engine = spec.engine(pin.map_or(s.seed, |p| p.seed));
    let cell = CellSpec {
        model: format!("scenario-{}", s.name),
        size: size_of(workload),
        workload: workload.clone(),
        model_built: false,
        entry,
        engine,
        limits: limits(s, cap.filter(|_| pin.is_none())),
        pinned: pin.map(|p| p.schedule.clone()),
        shrink: None,
    };
    let cell = runner::run_cell(&cell, dir);
    CellRun {
        engine,
        pinned: pin.is_some(),
        cell,
    }
}

/// The size of a workload, as a token records it.
pub fn size_of(w: &Workload) -> Size {
    let keys: BTreeSet<u64> = w
        .initial
        .iter()
        .map(|(k, _)| *k)
        .chain(w.threads.iter().flatten().filter_map(|op| op.key()))
        .collect();
    Size {
        threads: w.threads.len(),
        ops: w.threads.iter().map(Vec::len).max().unwrap_or(0),
        keys: keys.len() as u64,
    }
}

/// Why a pinned cell's replay is not the pinned run (it ran out of schedules before it, or left
/// the recorded schedule); `None` for a cell that is not pinned or whose pinned run happened.
pub fn pinned_missing(c: &CellRun) -> Option<&str> {
    c.pinned.then_some(()).and(c.outcome().diverged.as_deref())
}

/// Whether `cells` meet `expect`; `None` when they do. A pinned cell whose pinned run never
/// happened meets no expectation: whatever it ran is not the run the file pins.
pub fn grade(expect: &Expect, cells: &[CellRun]) -> Option<String> {
    if let Some((c, why)) = cells.iter().find_map(|c| pinned_missing(c).map(|why| (c, why))) {
        return Some(format!(
            "expected {expect}; the pinned {} run did not happen: {why}",
            c.engine
        ));
    }
    let ran: Vec<&CellRun> = cells.iter().filter(|c| c.cell.result.ran()).collect();
    if ran.is_empty() {
        return match expect {
            Expect::Pass => None,
            _ => Some("no engine in the scenario applies to this structure".into()),
        };
    }
    let failures: Vec<(&CellRun, &mapcheck_harness::Failure)> = ran
        .iter()
        .filter_map(|c| match &c.outcome().verdict {
            Verdict::Fail(f) => Some((*c, f)),
            _ => None,
        })
        .collect();
    let unknown: Vec<&CellRun> = ran
        .iter()
        .copied()
        .filter(|c| matches!(c.outcome().verdict, Verdict::Unknown { .. }))
        .collect();
    match expect {
        Expect::Pass | Expect::Finding => {
            if let Some((c, f)) = failures.first() {
                Some(format!(
                    "expected {expect}; {} found {}: {}",
                    c.engine, f.oracle, f.summary
                ))
            } else if let Some(c) = unknown.first() {
                Some(format!(
                    "expected {expect}; {} gave no verdict: {:?}",
                    c.engine,
                    c.outcome().verdict
                ))
            } else if *expect == Expect::Finding && ran.iter().all(|c| c.cell.finding.is_none()) {
                Some(
                    "expected a reclamation finding (memory the structure declares it keeps);                      none was reported"
                        .into(),
                )
            } else {
                None
            }
        }
        Expect::Fail(_) => {
            if let Some((c, f)) = failures.iter().find(|(_, f)| !expect.accepts(f.oracle)) {
                return Some(format!(
                    "expected {expect}; {} found {} instead: {}",
                    c.engine, f.oracle, f.summary
                ));
            }
            if failures.is_empty() {
                let how: Vec<String> = ran
                    .iter()
                    .map(|c| {
                        format!(
                            "{} ran {} schedule(s){}",
                            c.engine,
                            c.outcome().schedules,
                            if c.outcome().exhausted { ", every one" } else { "" }
                        )
                    })
                    .collect();
                return Some(format!(
                    "expected {expect}; no engine found it ({})",
                    how.join("; ")
                ));
            }
            None
        }
    }
}

/// A failure record as a scenario: its (shrunk) workload, its structure and engine, its schedule
/// pinned, and the failure it showed as the expectation.
pub fn from_record(record: &FailureRecord, name: &str, source: &str) -> Scenario {
    let t = &record.token;
    let (spec, seed) = EngineSpec::of(t.engine);
    let seed = seed.unwrap_or(0);
    let expect = match &record.verdict {
        Verdict::Fail(f) => Expect::Fail([f.oracle].into_iter().collect()),
        _ => Expect::Fail(BTreeSet::new()),
    };
    let mut notes = vec![format!(
        "imported from a failure of model `{}` on `{}` under {}, found after {} schedule(s); the failing schedule is pinned",
        t.model, t.structure, t.engine, record.schedules
    )];
    if let Some(from) = &record.shrunk_from {
        notes.push(format!("the failure was shrunk from {from}"));
    }
    if let Verdict::Fail(f) = &record.verdict {
        notes.push(format!("{}: {}", f.oracle, f.summary));
    }
    if t.engine.real_threads() {
        notes.push(
            "real threads do not replay step for step: the pinned run repeats the seed and iteration, \
             and may pass where the original failed"
                .into(),
        );
    }
    let structure = Named::new(t.structure.clone());
    Scenario {
        name: name.to_string(),
        source: source.to_string(),
        description: None,
        initial: record.workload.initial.clone(),
        threads: record
            .workload
            .threads
            .iter()
            .map(|ops| ops.iter().map(|op| Step::new(*op)).collect())
            .collect(),
        structures: vec![structure.clone()],
        engines: vec![spec],
        seed,
        schedules: record.limits.max_schedules.clamp(1, crate::DEFAULT_SCHEDULES),
        expect: vec![(structure.clone(), expect)],
        pinned: Some(PinnedRun {
            structure,
            engine: spec,
            seed,
            schedule: t.pinned.clone(),
        }),
        notes,
        origin: crate::Origin::new(name, ""),
    }
}

/// The run as text: one line per structure with its cells, and for a structure that did not
/// meet its expectation, the failure report and the replay command.
pub fn render(run: &ScenarioRun, file: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "scenario {} ({file})", run.name);
    for s in &run.structures {
        let cells: Vec<String> = s
            .cells
            .iter()
            .map(|c| {
                let what = match (&c.outcome().verdict, &c.cell.result) {
                    _ if pinned_missing(c).is_some() => "did not happen".to_string(),
                    (Verdict::Fail(f), _) => format!("{} after {}", f.oracle, c.outcome().schedules),
                    (_, r) => r.text(c.outcome().schedules),
                };
                format!(
                    "{}{}: {what}",
                    c.engine.family(),
                    if c.pinned { " (pinned)" } else { "" }
                )
            })
            .collect();
        let status = if s.mismatch.is_none() { "ok" } else { "MISMATCH" };
        let _ = writeln!(
            out,
            "  {:<20} expect {:<24} {:<9} {}",
            s.structure,
            s.expect.to_string(),
            status,
            cells.join(" | ")
        );
        if let Some(why) = &s.mismatch {
            let _ = writeln!(out, "    {why}");
            for c in &s.cells {
                if let Some(recorded) = &c.cell.record {
                    for line in recorded.render().lines() {
                        let _ = writeln!(out, "    {line}");
                    }
                }
            }
        }
    }
    out
}

/// Every scenario file under `path` (a file, or a folder searched for `*.toml`), sorted.
pub fn files(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    for entry in std::fs::read_dir(path)? {
        let p = entry?.path();
        if p.is_dir() {
            out.extend(files(&p)?);
        } else if p.extension().is_some_and(|e| e == "toml") {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}

//! Adapters for widely used concurrent maps and caches, written the way a user of mapcheck writes
//! them: only through the `mapcheck` crate's public API (`Adapter`, `Adapted`, `StructureInfo`,
//! the prelude, `mapcheck::settle!`), each file citing what its crate documents about iteration,
//! `len` and `clear`, and reclamation, which its declaration follows. [`hunt`] checks one of them
//! through the front door, on real threads, as `cargo xtask hunt` does for every one.

pub mod maps;

use mapcheck::prelude::*;
use std::collections::hash_map::DefaultHasher;
use std::hash::BuildHasherDefault;
use std::time::Duration;

/// A fixed hasher, so that the same operations lay a map out the same way in every run.
pub type Fixed = BuildHasherDefault<DefaultHasher>;

/// Visits a copy of a map's entries, taken through the crate's own iteration, with no lock of the
/// crate held: the visitor may remove the key it visits.
pub fn visit_copy(copy: Vec<(Key, Value)>, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
    for (k, v) in copy {
        if visit(k, v).is_break() {
            break;
        }
    }
}

/// What adapter `A` declares, in one line: iteration, len and clear, unobserved results, absent
/// operations, reclamation, settle steps and known behaviours.
pub fn declared<A: Adapter>() -> String {
    let info = A::INFO;
    let mut parts = vec![
        format!("iteration {:?}", info.iteration),
        if info.atomic_whole_map {
            "len and clear atomic".into()
        } else {
            "len and clear piece by piece".into()
        },
        format!("reclamation {:?}", info.reclamation),
    ];
    let u = A::UNOBSERVED;
    let unobserved: Vec<&str> = [("insert", u.insert), ("remove", u.remove), ("len", u.len)]
        .iter()
        .filter(|(_, on)| *on)
        .map(|(n, _)| *n)
        .collect();
    if !unobserved.is_empty() {
        parts.push(format!("unobserved: {}", unobserved.join(", ")));
    }
    if A::LEN_IS_ESTIMATE {
        parts.push("len an estimate".into());
    }
    let absent = Ops::STANDARD.without(A::SUPPORTS);
    if !absent.is_empty() {
        parts.push(format!("absent: {absent}"));
    }
    let s = A::SETTLE;
    if s.once.len() + s.per_thread.len() + s.after_drop.len() > 0 {
        parts.push(format!(
            "settle steps: {} once, {} per thread, {} after drop",
            s.once.len(),
            s.per_thread.len(),
            s.after_drop.len()
        ));
    }
    for k in A::KNOWN {
        parts.push(format!("known {}: {}", k.oracle, k.why));
    }
    parts.join("; ")
}

/// What one check of one crate came to.
#[derive(Debug)]
pub struct Hunted {
    pub name: &'static str,
    pub seed: u64,
    /// Schedules (runs) over every cell.
    pub runs: usize,
    /// Cells that ran (threads), and those that passed.
    pub cells: usize,
    pub passed: usize,
    /// Models not applicable, with the reason (operations the crate's API lacks).
    pub not_applicable: Vec<(&'static str, String)>,
    /// Findings: known behaviours the runs showed.
    pub findings: Vec<String>,
    /// Failures: model, oracle and evidence, and the replay line.
    pub failures: Vec<String>,
}

/// Checks adapter `A` through the front door: every model, on real threads, with the default
/// budget (`MAPCHECK_BUDGET`, 10 s) and `seed`, going on past a failure.
pub fn hunt<A: Adapter>(seed: u64, budget: Option<Duration>) -> Hunted {
    let mut check = mapcheck::Check::new()
        .engines(&["threads"])
        .seed(seed)
        .keep_going();
    if let Some(b) = budget {
        check = check.budget(b);
    }
    let (report, failures) = match check.try_run::<Adapted<A>>() {
        Ok(report) => (report, Vec::new()),
        Err(failed) => {
            let failures = failed
                .failures
                .iter()
                .map(|f| {
                    format!(
                        "{} {}: {}\n    {}",
                        f.model,
                        f.oracle.map_or("no oracle".into(), |o| o.to_string()),
                        f.evidence,
                        f.replay
                    )
                })
                .collect();
            (failed.report.clone(), failures)
        }
    };
    let ran: Vec<_> = report.ran().collect();
    Hunted {
        name: A::INFO.name,
        seed,
        runs: report.schedules(),
        cells: ran.len(),
        passed: ran
            .iter()
            .filter(|c| matches!(c.result, mapcheck::outcome::CellResult::Pass { .. }))
            .count(),
        not_applicable: report
            .cells
            .iter()
            .filter_map(|c| match &c.result {
                mapcheck::outcome::CellResult::NotApplicable { reason } if c.engine == "threads" => {
                    Some((c.model, reason.clone()))
                }
                _ => None,
            })
            .collect(),
        findings: report
            .cells
            .iter()
            .filter_map(|c| c.finding.as_ref().map(|f| format!("{}: {f}", c.model)))
            .collect(),
        failures,
    }
}

//! From the evaluator's state to a scenario: the initial contents cut to the keys the threads
//! use, the threads, the notes (what was scaled, numbered and not translated), and the hazards.

use super::eval::{Importer, MapKind};
use super::{GoError, GoImport};
use crate::hazard::{self, Design};
use crate::{Scenario, Spelling, Step, DEFAULT_SCHEDULES};
use mapcheck_harness::{DeleteIf, Op};
use std::collections::BTreeSet;

/// The keys an operation names.
fn key_of(op: &Op) -> Option<u64> {
    match op {
        Op::Iterate {
            delete: DeleteIf::Key(k),
        } => Some(*k),
        op => op.key(),
    }
}

impl Importer {
    pub(super) fn finish(mut self, file: &str, src: &str) -> Result<GoImport, GoError> {
        if self.maps.is_empty() {
            return Err(GoError {
                line: 1,
                message: "no map found: expected `make(map[...]...)`, a map literal or a `sync.Map`".into(),
            });
        }
        let design = self.design();
        self.cut_initial(design.memory);
        let mut threads: Vec<Vec<Step>> = self
            .goroutines
            .iter()
            .map(|t| t.ops.clone())
            .filter(|t| !t.is_empty())
            .collect();
        if !self.main_after.is_empty() {
            if self.goroutines.is_empty() {
                threads.push(self.main_after.clone());
            } else if threads.len() >= self.scale.threads {
                self.dropped_threads += 1;
            } else {
                threads.push(self.main_after.clone());
                self.notes.push(
                    "the main goroutine's operations after it started the goroutines run as the last thread \
                     (a scenario has no join point: `wg.Wait()` is not modelled)"
                        .into(),
                );
            }
        }
        if threads.is_empty() {
            return Err(GoError {
                line: self.goroutines.first().map_or(1, |t| t.line),
                message: "no map operation runs concurrently: expected `go func() { ... }()` blocks that use the map"
                    .into(),
            });
        }
        if design.sync_map {
            self.promote_first(&mut threads);
        }
        if threads.len() == 1 {
            self.notes
                .push("only one thread operates on the map: the scenario has no concurrency".into());
        }
        if self.dropped_threads > 0 {
            self.notes.push(format!(
                "{} goroutines are scaled down to {} threads",
                self.goroutines.len() + self.dropped_threads,
                threads.len()
            ));
        }
        for (line, n) in &self.dropped_ops {
            self.notes.push(format!(
                "line {line}: {n} more operation(s) dropped to keep at most {} per thread",
                self.scale.ops_per_thread
            ));
        }
        self.number_notes(&threads);
        self.sync_notes();
        let mut seen = BTreeSet::new();
        self.untranslated
            .retain(|(line, why)| seen.insert((*line, why.clone())));
        for (line, why) in &self.untranslated {
            self.notes.push(format!("line {line}: {why}"));
        }
        let h = hazard::analyse(&threads, &self.initial, &design);
        self.notes.extend(h.notes);
        let stem = std::path::Path::new(file.split(':').next().unwrap_or(file))
            .file_stem()
            .map(|s| s.to_string_lossy().replace('_', "-"))
            .unwrap_or_else(|| "go-import".into());
        let mut scenario = Scenario {
            name: stem,
            source: crate::import::source("Go", file, src),
            description: None,
            initial: self.initial,
            engines: crate::import::engines(threads.len()),
            threads,
            structures: h.structures,
            seed: 42,
            schedules: DEFAULT_SCHEDULES,
            expect: h.expect,
            pinned: None,
            notes: self.notes,
            origin: crate::Origin::new(file, ""),
        };
        crate::import::fit(&mut scenario);
        Ok(GoImport {
            scenario,
            untranslated: self.untranslated,
        })
    }

    fn design(&mut self) -> Design {
        let kinds: BTreeSet<MapKind> = self.maps.values().copied().collect();
        let locked = !self.mutex_lines.is_empty() || !self.locked_maps.is_empty();
        Design {
            unlocked_map: kinds.contains(&MapKind::Plain) && !locked && self.cow.is_none(),
            sync_map: kinds.contains(&MapKind::SyncMap),
            copy_on_write: self.cow,
            sharded: false,
            unstopped_cleaner: self.unstopped_cleaner,
            memory: self.memory,
        }
    }

    /// The initial contents: the keys the threads use first, then others, at most
    /// `scale.initial` (or `scale.memory_initial` when the script is about memory, so that a table
    /// sized for the peak stands out).
    fn cut_initial(&mut self, memory: bool) {
        let limit = if memory {
            self.scale.memory_initial
        } else {
            self.scale.initial
        };
        let used: BTreeSet<u64> = self
            .goroutines
            .iter()
            .flat_map(|t| t.ops.iter())
            .chain(self.main_after.iter())
            .filter_map(|s| key_of(&s.op))
            .collect();
        let filled = self.initial.len();
        if filled <= limit {
            return;
        }
        let mut keep: Vec<u64> = self
            .initial
            .iter()
            .map(|(k, _)| *k)
            .filter(|k| used.contains(k))
            .take(limit)
            .collect();
        for (k, _) in &self.initial {
            if keep.len() >= limit {
                break;
            }
            if !keep.contains(k) {
                keep.push(*k);
            }
        }
        self.initial.retain(|(k, _)| keep.contains(k));
        self.notes.push(format!(
            "the initial contents are scaled down from {filled} entries to {} (the keys the threads use first)",
            self.initial.len()
        ));
    }

    /// A sync.Map that has served its keys for a while holds them in its read-only part; the
    /// harness fills the map with stores, which land in the dirty part. The first thread that
    /// deletes a key of the initial contents promotes them first, as the long-lived map had.
    fn promote_first(&mut self, threads: &mut [Vec<Step>]) {
        let present: BTreeSet<u64> = self.initial.iter().map(|(k, _)| *k).collect();
        let Some(t) = threads.iter_mut().find(|t| {
            t.iter()
                .any(|s| matches!(s.op, Op::Remove { key } if present.contains(&key)))
        }) else {
            return;
        };
        t.insert(
            0,
            Step {
                op: Op::Reclaim,
                spelling: Spelling::Reclaim,
            },
        );
        self.notes.push(
            "a long-lived sync.Map serves its keys from its read-only part: the thread that deletes them \
             promotes the initial contents first (reclaim())"
                .into(),
        );
    }

    fn number_notes(&mut self, threads: &[Vec<Step>]) {
        let in_scenario: BTreeSet<u64> = self
            .initial
            .iter()
            .map(|(k, _)| *k)
            .chain(threads.iter().flatten().filter_map(|s| key_of(&s.op)))
            .collect();
        let mapping: Vec<String> = self
            .string_keys
            .iter()
            .filter(|(_, k)| in_scenario.contains(k))
            .map(|(s, k)| format!("{:?} = {k}", crate::import::shorten(s, 40)))
            .take(16)
            .collect();
        if !mapping.is_empty() {
            self.notes
                .push(format!("string keys are numbered: {}", mapping.join(", ")));
        }
        if self.next_opaque > 0 {
            self.notes.push(format!(
                "{} value(s) the importer could not compute (pointers, structs, slices) are numbered from 1000001",
                self.next_opaque
            ));
        }
    }

    fn sync_notes(&mut self) {
        let lines = |v: &mut Vec<usize>| {
            v.sort_unstable();
            v.dedup();
            let shown: Vec<String> = v.iter().take(12).map(|l| l.to_string()).collect();
            shown.join(", ")
        };
        if !self.mutex_lines.is_empty() || !self.locked_maps.is_empty() {
            let at = lines(&mut self.mutex_lines);
            self.notes.push(format!(
                "a mutex guards the map{}: the structures under test bring their own synchronisation; \
                 `locked` is the RWMutex design",
                if at.is_empty() {
                    String::new()
                } else {
                    format!(" (lines {at})")
                }
            ));
        }
        if !self.waitgroup_lines.is_empty() {
            let at = lines(&mut self.waitgroup_lines);
            self.notes.push(format!(
                "a WaitGroup (lines {at}) starts and joins the goroutines: threads start together and are joined at the end"
            ));
        }
        if let Some(cas) = self.cow {
            self.notes.push(format!(
                "the map is copy-on-write: each writer copies it, changes the copy and publishes it with {}",
                if cas { "compare-and-swap" } else { "a plain store" }
            ));
        }
    }
}

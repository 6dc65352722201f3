//! From the evaluator's state to a scenario: what the script's design is (an unlocked map, a
//! sync.Map, copy-on-write, shards, a cleaner nobody stops), what it says about its
//! synchronisation, and the shared builder's assembly (`crate::build`).

use super::eval::{Importer, MapKind};
use super::{GoError, GoImport};
use crate::hazard::Design;
use std::collections::BTreeSet;

impl Importer {
    pub(super) fn finish(mut self, file: &str, src: &str) -> Result<GoImport, GoError> {
        if self.maps.is_empty() {
            return Err(match self.map_seen {
                Some(line) => GoError {
                    line,
                    message: "a map is made here, but no statement the importer runs uses it (no goroutine, \
                              function or method that is called reaches it)"
                        .into(),
                },
                None => GoError {
                    line: 1,
                    message: "no map found: expected `make(map[...]...)`, a map literal or a `sync.Map`"
                        .into(),
                },
            });
        }
        let design = self.design();
        let notes = self.sync_notes();
        let (scenario, untranslated) = self
            .b
            .finish(file, src, design, notes)
            .map_err(|(line, message)| GoError { line, message })?;
        Ok(GoImport {
            scenario,
            untranslated,
        })
    }

    fn design(&mut self) -> Design {
        let kinds: BTreeSet<MapKind> = self.maps.values().copied().collect();
        self.sharded = self.sharded_design();
        let has_locks = !self.mutex_lines.is_empty() || !self.locked_maps.is_empty();
        // A map its goroutines use without the lock its other uses take is unlocked there.
        let locked = has_locks && self.unlocked.is_empty();
        if has_locks && !self.unlocked.is_empty() && self.cow.is_none() && !self.sharded {
            self.unlocked.sort_unstable();
            self.unlocked.dedup();
            let shown: Vec<String> = self.unlocked.iter().take(8).map(|l| l.to_string()).collect();
            self.b.notes.push(format!(
                "the map is used without a lock on line(s) {} while other uses take one: unlocked there",
                shown.join(", ")
            ));
        }
        Design {
            unlocked_map: kinds.contains(&MapKind::Plain) && !locked && self.cow.is_none() && !self.sharded,
            sync_map: kinds.contains(&MapKind::SyncMap),
            copy_on_write: self.cow,
            sharded: self.sharded,
            locked: locked && self.cow.is_none() && !self.sharded && kinds.contains(&MapKind::Plain),
            unstopped_cleaner: self.unstopped_cleaner,
            memory: self.memory,
        }
    }

    fn sync_notes(&mut self) -> Vec<String> {
        let mut notes = Vec::new();
        let lines = |v: &mut Vec<usize>| {
            v.sort_unstable();
            v.dedup();
            let shown: Vec<String> = v.iter().take(12).map(|l| l.to_string()).collect();
            shown.join(", ")
        };
        if self.sharded {
            notes.push(
                "the map is sharded: a slice of shards, each a map with its own lock; the scenario's map \
                 is the whole sharded map"
                    .to_string(),
            );
        }
        if !self.mutex_lines.is_empty() || !self.locked_maps.is_empty() {
            let at = lines(&mut self.mutex_lines);
            notes.push(format!(
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
            notes.push(format!(
                "a WaitGroup (lines {at}) starts and joins the goroutines: threads start together and are joined at the end"
            ));
        }
        if let Some(cas) = self.cow {
            notes.push(format!(
                "the map is copy-on-write: each writer copies it, changes the copy and publishes it with {}",
                if cas { "compare-and-swap" } else { "a plain store" }
            ));
        }
        notes
    }
}

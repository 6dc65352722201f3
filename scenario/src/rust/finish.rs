//! From the Rust evaluator's state to a scenario: the design the file's map has (locked,
//! DashMap-like, SkipMap-like, copy-on-write, a cleaner thread nobody stops) and the shared
//! builder's assembly (`crate::build`).

use super::eval::Importer;
use super::{RustError, RustImport};
use crate::hazard::Design;

impl Importer {
    pub(super) fn finish(self, file: &str, src: &str) -> Result<RustImport, RustError> {
        if !self.has_map {
            return Err(RustError {
                line: 1,
                message: "no map found: expected a HashMap behind a Mutex or RwLock, a DashMap, a SkipMap or an ArcSwap"
                    .into(),
            });
        }
        let design_name = if self.dashmap {
            "a DashMap: sharded, each shard behind its own reader-writer lock"
        } else if self.skipmap {
            "a SkipMap: lock-free, iteration weakly consistent"
        } else if self.cow.is_some() {
            "a copy-on-write map: each writer clones it, changes the clone and publishes it"
        } else if self.locked {
            "a HashMap behind a lock: `locked` is that design"
        } else {
            "a map with no lock the importer can see"
        };
        let design = Design {
            unlocked_map: false,
            sync_map: false,
            copy_on_write: self.cow,
            sharded: self.dashmap,
            locked: self.locked && !self.dashmap && !self.skipmap && self.cow.is_none(),
            unstopped_cleaner: self.unstopped_cleaner,
            memory: false,
        };
        let map_line = self.map_line;
        let (scenario, untranslated) = self
            .b
            .finish(file, src, design, vec![format!("the map is {design_name}")])
            .map_err(|(line, message)| RustError {
                line: if line == 1 { map_line } else { line },
                message,
            })?;
        Ok(RustImport {
            scenario,
            untranslated,
        })
    }
}

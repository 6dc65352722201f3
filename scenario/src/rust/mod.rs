//! The Rust importer: turns a Rust reproducer (a test or `main` that spawns threads with
//! `std::thread::spawn` or `std::thread::scope` over one shared map) into a scenario, scaled down
//! the way the Go importer scales (at most three threads, loops inside threads run twice, fill
//! loops run in full and the initial contents are cut to the keys the threads use).
//!
//! The map may be a `HashMap` (or `BTreeMap`) behind a `Mutex` or `RwLock`, a map with a
//! DashMap-like API (sharded, locked per shard), a map with a SkipMap-like API (lock-free), or a
//! copy-on-write map behind an `ArcSwap`; its operations are `insert`, `remove`, `get`,
//! `contains_key`, `len`, `clear`, `iter` (a `for` loop over it, whose body may remove the
//! visited key) and `retain`. The file is parsed with `syn`; `eval.rs` runs the main function
//! symbolically, `ops.rs` turns method calls on the map into operations.

mod eval;
mod ops;

use crate::go::Scale;
use crate::Scenario;

/// The result of an import.
#[derive(Debug, Clone)]
pub struct RustImport {
    pub scenario: Scenario,
    /// Lines the importer could not translate, with why.
    pub untranslated: Vec<(usize, String)>,
}

/// Why nothing could be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RustError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for RustError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Imports a Rust reproducer. `file` names it in the scenario's source.
pub fn import(file: &str, src: &str, scale: Scale) -> Result<RustImport, RustError> {
    let parsed = syn::parse_file(src).map_err(|e| RustError {
        line: e.span().start().line,
        message: format!(
            "not Rust that `syn` can read: {}",
            crate::import::shorten(&e.to_string(), 160)
        ),
    })?;
    let mut imp = eval::Importer::new(scale);
    imp.run_file(&parsed)?;
    imp.finish(file, src)
}

#[cfg(test)]
mod tests;

//! The fuzz command's figures, read from `target/mapcheck/fuzz/stats.json`:
//! `{"targets": {"<name>": {"execs_per_sec": f64, "sanitizer": "address"|"none", "execs": n,
//!   "seconds": f, "measured": "<UTC date>", "cover": "<instrumentation plan>"}},
//!   "detect": {"<mutant>": {"execs": n, "seconds": f}}}`. Absent file: the fuzzer was not run.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct FuzzStats {
    #[serde(default)]
    pub targets: BTreeMap<String, Target>,
    #[serde(default)]
    pub detect: BTreeMap<String, Detect>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Target {
    pub execs_per_sec: f64,
    #[serde(default = "none")]
    pub sanitizer: String,
    #[serde(default)]
    pub execs: u64,
    #[serde(default)]
    pub seconds: f64,
    /// When the run ended (UTC), as the fuzz command wrote it; empty in older files.
    #[serde(default)]
    pub measured: String,
    /// The crates instrumented for coverage (`all` when cargo-fuzz instrumented every crate).
    #[serde(default)]
    pub cover: String,
}

fn none() -> String {
    "none".into()
}

#[derive(Debug, Clone, Deserialize)]
pub struct Detect {
    pub execs: u64,
    pub seconds: f64,
}

/// `Ok(None)` when the file does not exist; an error when it exists but cannot be read.
pub fn read(path: &Path) -> Result<Option<FuzzStats>, String> {
    read_json(path)
}

/// A JSON file some command wrote: `Ok(None)` when it does not exist, an error naming it when it
/// cannot be read or is not what `T` expects.
pub fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Option<T>, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

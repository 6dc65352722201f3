//! How long `cargo xtask test` and `cargo xtask ci` took, written to `target/mapcheck/timings.json`
//! for `cargo xtask bench`, which prints each beside its goal: `{"<command>": {"seconds": f,
//! "fresh": bool, "passed": bool, "measured": "<UTC date>", "commit": "<rev>", "cores": n}}`.
//!
//! A run is `fresh` when the workspace's crates had not been built in this target directory when it
//! began (no fingerprint of `mapcheck-harness` under `target/debug/.fingerprint`): its time is then
//! the whole build and run a fresh clone pays, less the few seconds cargo took to build xtask
//! itself before it started.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// A command being timed.
struct Timer {
    command: &'static str,
    started: Instant,
    fresh: bool,
    root: PathBuf,
}

/// Starts timing `command`, noting whether the workspace is yet to be built.
fn start(root: &Path, command: &'static str) -> Timer {
    Timer {
        command,
        started: Instant::now(),
        fresh: !built(&root.join("target/debug/.fingerprint")),
        root: root.to_path_buf(),
    }
}

/// Whether `fingerprints` (a profile's `.fingerprint` folder) holds one of the workspace's crates.
fn built(fingerprints: &Path) -> bool {
    std::fs::read_dir(fingerprints).is_ok_and(|d| {
        d.filter_map(Result::ok)
            .any(|e| e.file_name().to_string_lossy().starts_with("mapcheck-harness-"))
    })
}

/// Runs `f` and records its time as `command`'s, and whether it passed.
pub fn timed<T, E>(root: &Path, command: &'static str, f: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
    let timer = start(root, command);
    let result = f();
    timer.finish(result.is_ok());
    result
}

impl Timer {
    /// Records the time since [`start`] and whether the command passed; a file that cannot be
    /// written is reported, not fatal (the command's own result is what matters).
    pub fn finish(self, passed: bool) {
        let entry = json!({
            "seconds": self.started.elapsed().as_secs_f64(),
            "fresh": self.fresh,
            "passed": passed,
            "measured": super::fuzz::utc_now(),
            "commit": commit(&self.root),
            "cores": std::thread::available_parallelism().map_or(1, |n| n.get()),
        });
        let path = self.root.join("target/mapcheck/timings.json");
        if let Err(e) = record(&path, self.command, entry) {
            eprintln!("xtask: could not record the time in {}: {e}", path.display());
        }
    }
}

/// Writes `entry` as `command`'s in the JSON object at `path`, keeping the other commands'.
fn record(path: &Path, command: &str, entry: Value) -> std::io::Result<()> {
    let mut all: Value = std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .filter(Value::is_object)
        .unwrap_or_else(|| json!({}));
    all[command] = entry;
    std::fs::create_dir_all(path.parent().expect("a folder"))?;
    std::fs::write(path, serde_json::to_string_pretty(&all)? + "\n")
}

/// The checked-out commit, short; empty when git cannot say.
fn commit(root: &Path) -> String {
    Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(root)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_directory_is_fresh_until_the_harness_is_built_and_each_command_keeps_its_entry() {
        let root = std::env::temp_dir().join(format!("mapcheck-timings-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let prints = root.join("target/debug/.fingerprint");
        assert!(!built(&prints), "no target directory");
        std::fs::create_dir_all(prints.join("xtask-0123")).unwrap();
        assert!(!built(&prints), "only xtask, which cargo builds before it runs");
        std::fs::create_dir_all(prints.join("mapcheck-harness-9f3c")).unwrap();
        assert!(built(&prints));
        let path = root.join("target/mapcheck/timings.json");
        record(&path, "test", json!({"seconds": 1.5})).unwrap();
        record(&path, "ci", json!({"seconds": 9.0})).unwrap();
        record(&path, "test", json!({"seconds": 2.5})).unwrap();
        let all: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(all["test"]["seconds"], json!(2.5));
        assert_eq!(all["ci"]["seconds"], json!(9.0));
        std::fs::remove_dir_all(&root).unwrap();
    }
}

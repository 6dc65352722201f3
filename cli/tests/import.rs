//! `mapcheck scenario import` keeps a file only when the scenario's first run meets its own
//! expectation: otherwise it says "hazard not reproduced", names what it could not translate,
//! exits non-zero and writes nothing.

use std::path::PathBuf;
use std::process::Command;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mapcheck-cli-import-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A DashMap cleared while another thread reads `key`: the sharded clear's hazard is predicted,
/// and reached only when the key lives in the shard the broken clear skips.
fn reproducer(key: u64) -> String {
    format!(
        "fn main() {{\n    let map: DashMap<u64, u64> = DashMap::new();\n    map.insert({key}, 10);\n    map.shrink_to_fit();\n\
         std::thread::scope(|s| {{\n        s.spawn(|| {{ map.clear(); }});\n        s.spawn(|| {{ map.get(&{key}); }});\n    }});\n}}\n"
    )
}

fn import(dir: &PathBuf, key: u64) -> (bool, String, PathBuf) {
    let src = dir.join("repro.rs");
    std::fs::write(&src, reproducer(key)).unwrap();
    let out = dir.join("repro.toml");
    let o = Command::new(env!("CARGO_BIN_EXE_mapcheck"))
        .current_dir(dir)
        .args(["scenario", "import"])
        .arg(&src)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    (o.status.success(), text, out)
}

#[test]
fn a_hazard_that_is_not_reproduced_leaves_no_file() {
    let dir = scratch("missed");
    // Key 1 does not live in the shard `sharded-clear-skips` skips: the prediction misses.
    let (ok, text, out) = import(&dir, 1);
    assert!(!ok, "{text}");
    assert!(text.contains("hazard not reproduced"), "{text}");
    assert!(text.contains("sharded-clear-skips: expected"), "{text}");
    assert!(
        text.contains("line 4: the map's method `shrink_to_fit` is not translated"),
        "{text}"
    );
    assert!(!out.exists(), "the file is not left behind");
}

#[test]
fn a_reproduced_hazard_is_written() {
    let dir = scratch("kept");
    // Key 5 lives in the shard it skips: the hazard is reached and the file kept.
    let (ok, text, out) = import(&dir, 5);
    assert!(ok, "{text}");
    assert!(out.exists(), "{text}");
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(written.contains("\"sharded-clear-skips\" = "), "{written}");
}

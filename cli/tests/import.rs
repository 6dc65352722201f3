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
/// and reached only when a key lives in the shard the broken clear skips. The importer renumbers
/// a key into that shard unless an iteration deletes by parity (a third thread's loop removing the
/// odd keys, with `key + 1` and `key + 2` present too), so that the hazard is then missed for key 1.
fn reproducer(key: u64) -> String {
    format!(
        "fn main() {{\n    let map: DashMap<u64, u64> = DashMap::new();\n    map.insert({key}, 10);\n    map.shrink_to_fit();\n\
         map.insert({k1}, 10);\n    map.insert({k2}, 10);\n\
         std::thread::scope(|s| {{\n        s.spawn(|| {{ map.clear(); }});\n        s.spawn(|| {{ map.get(&{key}); }});\n\
         s.spawn(|| {{ for r in map.iter() {{ if *r.key() % 2 == 1 {{ map.remove(r.key()); }} }} }});\n    }});\n}}\n",
        k1 = key + 1,
        k2 = key + 2
    )
}

fn import(dir: &PathBuf, key: u64) -> (bool, String, PathBuf) {
    let (code, text, out) = import_file(dir, "repro.rs", &reproducer(key), &[]);
    (code == Some(0), text, out)
}

/// Writes `text` to `dir/name` and runs `mapcheck scenario import [ARGS] FILE --out OUT` in `dir`.
fn import_file(dir: &PathBuf, name: &str, text: &str, args: &[&str]) -> (Option<i32>, String, PathBuf) {
    let src = dir.join(name);
    std::fs::write(&src, text).unwrap();
    let stem = std::path::Path::new(name).file_stem().unwrap().to_string_lossy();
    let out = dir.join(format!("{stem}.toml"));
    let o = Command::new(env!("CARGO_BIN_EXE_mapcheck"))
        .current_dir(dir)
        .args(["scenario", "import"])
        .args(args)
        .arg(&src)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    (o.status.code(), text, out)
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

#[test]
fn a_reproducer_with_no_hazard_is_refused_with_its_notes() {
    let dir = scratch("nohazard");
    // Two threads that only read: every structure passes, so the file could never fail.
    let src = "fn main() {\n    let map = std::sync::Mutex::new(std::collections::HashMap::new());\n    map.lock().unwrap().insert(1, 1);\n\
               std::thread::scope(|s| {\n        s.spawn(|| { map.lock().unwrap().get(&1); });\n        s.spawn(|| { map.lock().unwrap().len(); });\n    });\n}\n";
    for args in [&[][..], &["--no-run"][..]] {
        let (code, text, out) = import_file(&dir, "read.rs", src, args);
        assert_ne!(code, Some(0), "{text}");
        assert!(text.contains("no hazard recognised"), "{text}");
        assert!(
            text.contains("note: the map is a HashMap behind a lock"),
            "{text}"
        );
        assert!(!out.exists(), "nothing is written");
    }
}

#[test]
fn a_markdown_error_says_error_once() {
    let dir = scratch("markdown");
    let md = "# Report\n\n```toml\nsource = \"a report\"\n[[thread]]\nops = [\"insert(1, x)\"]\n```\n";
    let (code, text, _) = import_file(&dir, "report.md", md, &[]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.starts_with("error: "), "{text}");
    assert!(!text.contains("error: error:"), "{text}");
    assert!(text.contains("report.md:6:"), "{text}");
}

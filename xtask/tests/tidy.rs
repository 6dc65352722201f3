//! Tidy checks as ordinary tests: every Rust file says what it is for, no trailing whitespace, and the
//! code is formatted.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') && name != "corpus" && name != "artifacts" {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

fn files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    rust_files(&root(), &mut out);
    assert!(out.len() > 10, "found the sources");
    out
}

#[test]
fn every_rust_file_starts_with_a_doc_line() {
    // Reproducers kept as their reports wrote them (scenario sources, importer fixtures) are
    // inputs, not code of ours: their line numbers are cited by the scenarios made from them.
    let root = root();
    let missing: Vec<_> = files()
        .into_iter()
        .filter(|p| {
            let rel = p.strip_prefix(&root).unwrap_or(p);
            !rel.starts_with("scenarios") && !rel.components().any(|c| c.as_os_str() == "fixtures")
        })
        .filter(|p| !std::fs::read_to_string(p).unwrap().starts_with("//!"))
        .collect();
    assert!(
        missing.is_empty(),
        "files without a leading `//!` line: {missing:?}"
    );
}

#[test]
fn no_trailing_whitespace() {
    let mut bad = Vec::new();
    for p in files() {
        for (i, line) in std::fs::read_to_string(&p).unwrap().lines().enumerate() {
            if line.ends_with(' ') || line.ends_with('\t') {
                bad.push(format!("{}:{}", p.display(), i + 1));
            }
        }
    }
    assert!(bad.is_empty(), "trailing whitespace at {bad:?}");
}

#[test]
fn code_is_formatted() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args(["fmt", "--all", "--", "--check"])
        .current_dir(root())
        .output()
        .expect("cargo fmt runs");
    assert!(
        out.status.success(),
        "run `cargo fmt --all`:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// No source file over 800 lines: split by concern. Fixtures are exempt (they are inputs).
#[test]
fn no_source_file_is_over_800_lines() {
    let long: Vec<String> = files()
        .into_iter()
        .filter(|p| !p.components().any(|c| c.as_os_str() == "fixtures"))
        .filter_map(|p| {
            let n = std::fs::read_to_string(&p).unwrap().lines().count();
            (n > 800).then(|| format!("{} ({n} lines)", p.display()))
        })
        .collect();
    assert!(long.is_empty(), "split these by concern: {long:?}");
}

/// The README stays an entry point: at most 250 lines, the rest in docs/.
#[test]
fn the_readme_is_short() {
    let n = std::fs::read_to_string(root().join("README.md"))
        .unwrap()
        .lines()
        .count();
    assert!(n <= 250, "README.md has {n} lines; move detail to docs/");
}

/// The README's quick start is the user crate's own code: every paragraph of its Rust block stands
/// verbatim in `examples/user-crate`, whose tests .ci/run runs.
#[test]
fn the_quick_start_is_the_user_crates_code() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme.find("## Quick start").expect("a quick start section");
    let block = &readme[start..];
    let code = block
        .split("```rust,ignore\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("a rust block in the quick start");
    assert!(
        code.lines().count() <= 20,
        "the quick start is at most 20 lines:\n{code}"
    );
    let crate_dir = root().join("examples/user-crate");
    let sources: String = ["src/my_map.rs", "src/mapcheck_tests.rs", "Cargo.toml"]
        .iter()
        .map(|f| std::fs::read_to_string(crate_dir.join(f)).unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    for paragraph in code.split("\n\n") {
        assert!(
            sources.contains(paragraph.trim_end()),
            "the quick start's\n{paragraph}\nis not in examples/user-crate; keep the two equal"
        );
    }
}

/// The workspace's `rust-version` is true: no package the workspace builds on Linux declares a
/// newer minimum (the lock file decides which versions are built, and so the real minimum).
#[test]
fn rust_version_is_the_real_minimum() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--locked",
            "--filter-platform",
            "x86_64-unknown-linux-gnu",
        ])
        .current_dir(root())
        .output()
        .expect("cargo metadata runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let version = |s: &str| -> Vec<u64> { s.split('.').map(|p| p.parse().unwrap_or(0)).collect() };
    // The packages reachable from the workspace members through the resolved graph.
    let nodes = meta["resolve"]["nodes"].as_array().unwrap();
    let deps: std::collections::HashMap<&str, Vec<&str>> = nodes
        .iter()
        .map(|n| {
            let id = n["id"].as_str().unwrap();
            let d = n["deps"].as_array().unwrap();
            (id, d.iter().map(|d| d["pkg"].as_str().unwrap()).collect())
        })
        .collect();
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let mut todo: Vec<&str> = meta["workspace_members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    while let Some(id) = todo.pop() {
        if seen.insert(id) {
            todo.extend(deps.get(id).into_iter().flatten().copied());
        }
    }
    let packages = meta["packages"].as_array().unwrap();
    let needed = packages
        .iter()
        .filter(|p| seen.contains(p["id"].as_str().unwrap()))
        .filter_map(|p| Some((version(p["rust_version"].as_str()?), p["name"].as_str().unwrap())))
        .max()
        .expect("some dependency declares a rust-version");
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let ours = manifest
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = \""))
        .and_then(|l| l.strip_suffix('"'))
        .expect("the workspace states a rust-version");
    assert!(
        version(ours) >= needed.0,
        "rust-version {ours} is below what {} needs ({:?})",
        needed.1,
        needed.0
    );
}

/// A crate whose integration tests share one binary (`autotests = false`) runs a file under
/// `tests/` only if its `[[test]]` target or the suite's `mod` line names it; a file nobody names
/// would never run and never fail, so each one must be named.
#[test]
fn every_test_file_is_compiled() {
    let mut unreached = Vec::new();
    for entry in std::fs::read_dir(root()).unwrap() {
        let krate = entry.unwrap().path();
        let Ok(manifest) = std::fs::read_to_string(krate.join("Cargo.toml")) else {
            continue;
        };
        if !manifest.contains("autotests = false") {
            continue;
        }
        let suite = std::fs::read_to_string(krate.join("tests/suite.rs")).unwrap_or_default();
        for file in std::fs::read_dir(krate.join("tests")).unwrap() {
            let path = file.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let Some(stem) = name.strip_suffix(".rs") else {
                continue;
            };
            let named = suite.contains(&format!("mod {stem};"))
                || manifest.contains(&format!("name = \"{stem}\""))
                || manifest.contains(&format!("path = \"tests/{name}\""));
            if !named {
                unreached.push(path.display().to_string());
            }
        }
    }
    assert!(
        unreached.is_empty(),
        "these test files are compiled by no target; add `mod NAME;` to the crate's tests/suite.rs: \
         {unreached:?}"
    );
}

/// Lines that differ between `a` and `b`: those of each that are not in a longest common
/// subsequence of the two.
fn changed_lines(a: &str, b: &str) -> usize {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    a.len() + b.len() - 2 * lcs[0][0]
}

/// The drop-in route asks a map's crate to change only its `use` lines: the user crate's maps
/// differ from their std-only copies (`examples/user-crate/std-only/`, what the crate was before
/// mapcheck, compiled by its own test) by at most 10 lines in all.
#[test]
fn the_user_crates_maps_differ_from_their_std_only_copies_by_at_most_ten_lines() {
    let dir = root().join("examples/user-crate");
    let mut total = 0;
    for file in ["lib.rs", "my_map.rs", "fast_remove.rs"] {
        let with = std::fs::read_to_string(dir.join("src").join(file)).unwrap();
        let without = std::fs::read_to_string(dir.join("std-only").join(file)).unwrap();
        total += changed_lines(&with, &without);
    }
    assert!(
        total <= 10,
        "the maps differ from their std-only copies by {total} lines"
    );
    assert!(total > 0, "the drop-in route changes the use lines");
}

#[test]
fn changed_lines_counts_what_a_diff_shows() {
    assert_eq!(changed_lines("a\nb\nc", "a\nb\nc"), 0);
    assert_eq!(changed_lines("a\nx\nb\nc", "a\nb\nc"), 1);
    assert_eq!(changed_lines("a\nb", "a\nc"), 2);
}

/// A user keeps mapcheck a dev-dependency: the user crate names it under `[dev-dependencies]`
/// only, so its production build is on std.
#[test]
fn mapcheck_is_only_a_dev_dependency_of_the_user_crate() {
    let manifest = std::fs::read_to_string(root().join("examples/user-crate/Cargo.toml")).unwrap();
    let mut section = "";
    let mut found = Vec::new();
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            section = line;
        } else if line.starts_with("mapcheck") {
            found.push(section);
        }
    }
    assert_eq!(found, vec!["[dev-dependencies]"], "mapcheck under {found:?}");
}

/// What `cargo add --dev mapcheck` brings into a map's crate: at most 60 crates (loom and shuttle
/// alone are 44), and no importer, no diagnostics stack, no C build.
#[test]
fn the_user_crates_dependency_tree_is_small_and_pulls_no_importer() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args(["tree", "-e", "normal,dev", "--prefix", "none", "--manifest-path"])
        .arg(root().join("examples/user-crate/Cargo.toml"))
        .output()
        .expect("cargo tree runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let crates: std::collections::BTreeSet<&str> = text
        .lines()
        .map(|l| l.trim_end_matches(" (*)"))
        .filter(|l| !l.is_empty())
        .collect();
    assert!(crates.len() <= 60, "{} crates:\n{crates:#?}", crates.len());
    for banned in [
        "mapcheck-scenario",
        "tree-sitter",
        "miette",
        "cc v",
        "mapcheck-adapters",
    ] {
        assert!(
            !crates.iter().any(|c| c.starts_with(banned)),
            "the user crate pulls {banned}: {crates:#?}"
        );
    }
}

/// The Rust code blocks of the README and docs/ name only what a user's crate can name: the
/// `mapcheck` crate (its dependencies are not the user's; `mapcheck_harness::...` compiles in the
/// doc tests of this workspace and nowhere else). The doc tests compile every block.
#[test]
fn the_docs_code_names_only_the_mapcheck_crate() {
    let mut docs = vec![root().join("README.md")];
    for entry in std::fs::read_dir(root().join("docs")).unwrap() {
        docs.push(entry.unwrap().path());
    }
    for path in docs {
        let text = std::fs::read_to_string(&path).unwrap();
        let (mut inside, mut rust) = (false, false);
        for (n, line) in text.lines().enumerate() {
            if let Some(tag) = line.strip_prefix("```") {
                rust = !inside && (tag.is_empty() || tag.starts_with("rust"));
                inside = !inside;
                continue;
            }
            for inner in [
                "mapcheck_harness",
                "mapcheck_models",
                "mapcheck_adapters",
                "mapcheck_scenario",
            ] {
                assert!(
                    !(rust && line.contains(inner)),
                    "{}:{}: a user's crate cannot name `{inner}`; use `mapcheck::...`",
                    path.display(),
                    n + 1
                );
            }
        }
    }
}

//! `cargo xtask test`: the doc tests (nextest does not run those), then the whole suite through
//! cargo-nextest, installed when missing. `user_crate` builds and tests `examples/user-crate`, a
//! crate outside the workspace that checks its own maps with the `mapcheck` library; `package`
//! packages the library crates as `cargo publish` would.

use super::check::{cargo, status};
use anyhow::Result;
use std::path::{Path, PathBuf};
use xshell::{cmd, Shell};

/// Nothing is left out: the bench's peers (stateright, todc-utils and what they bring) and its micro
/// benchmarks sit behind its `peers` and `micro` features, which only `cargo xtask bench` turns on.
const EXCLUDED: &[&str] = &[];

pub fn run(sh: &Shell, args: &[String]) -> Result<()> {
    let cargo = cargo();
    let nextest = has_nextest(sh, &cargo) || install_nextest(sh, &cargo);
    // Doc tests first, so the run closes on the summary of the whole suite.
    status(
        cmd!(sh, "{cargo} test --doc --workspace {EXCLUDED...}"),
        "the doc tests failed",
    )?;
    if nextest {
        let threads = test_threads(args);
        status(
            cmd!(
                sh,
                "{cargo} nextest run --workspace {EXCLUDED...} {threads...} {args...}"
            ),
            "the tests failed",
        )
    } else {
        eprintln!(
            "cargo xtask test: cargo-nextest is not available and could not be installed; running \
             the tests with `cargo test` instead (the same tests, without nextest's per-test timeouts)"
        );
        status(
            cmd!(sh, "{cargo} test --workspace {EXCLUDED...} {args...}"),
            "the tests failed",
        )
    }
}

/// One test more than there are cores, unless the caller chose (`--test-threads`, `-j`): a fifth of
/// the suite's time is spent waiting (for a child process, a watchdog's stall cap, a planted hang),
/// and with one test per core those waits leave a core idle. Measured on 2 cores: 58 s of wall
/// time with 2 at once, 47 s with 3, 51 s with 4.
fn test_threads(args: &[String]) -> Vec<String> {
    let chosen = args
        .iter()
        .any(|a| a == "-j" || a.starts_with("--test-threads") || (a.starts_with("-j") && a.len() > 2));
    if chosen {
        return Vec::new();
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    vec!["--test-threads".into(), (cores + 1).to_string()]
}

fn has_nextest(sh: &Shell, cargo: &str) -> bool {
    cmd!(sh, "{cargo} nextest --version")
        .quiet()
        .ignore_stdout()
        .ignore_stderr()
        .run()
        .is_ok()
}

/// `cargo install --locked cargo-nextest`, as `cargo xtask fuzz` installs cargo-fuzz.
fn install_nextest(sh: &Shell, cargo: &str) -> bool {
    eprintln!(
        "cargo xtask test: cargo-nextest is missing; installing it (cargo install --locked cargo-nextest)"
    );
    cmd!(sh, "{cargo} install --locked cargo-nextest").run().is_ok() && has_nextest(sh, cargo)
}

/// Builds and tests the user crate against this checkout of `mapcheck`, in a target directory of
/// its own under this workspace's (it is not a member, so it resolves its own dependencies).
pub fn user_crate(sh: &Shell) -> Result<()> {
    let cargo = cargo();
    let target = sh.current_dir().join("target/user-crate");
    let _env = sh.push_env("CARGO_TARGET_DIR", &target);
    status(
        cmd!(sh, "{cargo} test --manifest-path examples/user-crate/Cargo.toml"),
        "the user crate's tests failed",
    )
}

/// The crates a user adds (`cargo add --dev mapcheck` pulls the other two) package, and each
/// packaged crate builds on its own against the others as packaged: what `cargo publish` checks.
///
/// Cargo verifies each crate against the others through a registry of its own under
/// `target/package/`, and unpacks those crates into `$CARGO_HOME/registry/src/-<hash of that
/// path>/`, where an unpacked copy is reused whenever its directory already exists. A checkout at a
/// path an earlier run used (a CI machine cloning into the same directory every time) would build
/// against the sources of that earlier run, so the unpacked copies of these crates go first.
pub fn package(sh: &Shell) -> Result<()> {
    let cargo = cargo();
    if let Some(home) = cargo_home() {
        for stale in stale_unpacked(&home.join("registry/src"), PACKAGED) {
            eprintln!(
                "cargo xtask: removing {} (unpacked by an earlier `cargo package`; cargo would \
                 verify against it instead of this checkout)",
                stale.display()
            );
            std::fs::remove_dir_all(&stale)
                .map_err(|e| anyhow::anyhow!("cannot remove {}: {e}", stale.display()))?;
        }
    }
    status(
        cmd!(
            sh,
            "{cargo} package --allow-dirty -p mapcheck-harness -p mapcheck-models -p mapcheck"
        ),
        "the library crates do not package",
    )
}

/// The crates `package` packages.
const PACKAGED: &[&str] = &["mapcheck-harness", "mapcheck-models", "mapcheck"];

fn cargo_home() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
}

/// Unpacked copies of `crates` (`<name>-<version>`) in the registries under `src` that have no host
/// (their directory names start with `-`: local registries such as `cargo package`'s). Copies
/// unpacked from crates.io or any other named registry are left alone.
fn stale_unpacked(src: &Path, crates: &[&str]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(registries) = std::fs::read_dir(src) else {
        return found;
    };
    for registry in registries.flatten() {
        if !registry.file_name().to_string_lossy().starts_with('-') {
            continue;
        }
        let Ok(unpacked) = std::fs::read_dir(registry.path()) else {
            continue;
        };
        for entry in unpacked.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let ours = crates.iter().any(|c| {
                name.strip_prefix(c)
                    .and_then(|rest| rest.strip_prefix('-'))
                    .is_some_and(|version| version.starts_with(|d: char| d.is_ascii_digit()))
            });
            if ours {
                found.push(entry.path());
            }
        }
    }
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_suite_runs_one_test_more_than_there_are_cores_unless_the_caller_chose() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let none: Vec<String> = Vec::new();
        assert_eq!(
            test_threads(&none),
            ["--test-threads".to_string(), (cores + 1).to_string()]
        );
        for chosen in [
            &["--test-threads", "1"][..],
            &["--test-threads=8"],
            &["-j", "2"],
            &["-j2"],
        ] {
            let args: Vec<String> = chosen.iter().map(|a| a.to_string()).collect();
            assert!(test_threads(&args).is_empty(), "{args:?}");
        }
        let other: Vec<String> = vec!["judging".into(), "--no-fail-fast".into()];
        assert_eq!(test_threads(&other).len(), 2);
    }

    #[test]
    fn only_this_projects_crates_in_local_registries_are_stale() {
        let root = std::env::temp_dir().join(format!("mapcheck-stale-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let dirs = [
            "-14cd1cce6819ff87/mapcheck-harness-0.1.0",
            "-14cd1cce6819ff87/mapcheck-0.1.0",
            "-22c3805da5a543b4/mapcheck-models-0.2.0",
            "-22c3805da5a543b4/mapcheck-harnessy-0.1.0",
            "-22c3805da5a543b4/mapcheck-scenario-0.1.0",
            "-22c3805da5a543b4/serde-1.0.0",
            "index.crates.io-1949cf8c6b5b557f/mapcheck-0.1.0",
        ];
        for d in dirs {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        let found = stale_unpacked(&root, PACKAGED);
        let names: Vec<String> = found
            .iter()
            .map(|p| p.strip_prefix(&root).unwrap().display().to_string())
            .collect();
        assert_eq!(
            names,
            [
                "-14cd1cce6819ff87/mapcheck-0.1.0",
                "-14cd1cce6819ff87/mapcheck-harness-0.1.0",
                "-22c3805da5a543b4/mapcheck-models-0.2.0",
            ]
        );
        assert!(stale_unpacked(&root.join("missing"), PACKAGED).is_empty());
        std::fs::remove_dir_all(&root).unwrap();
    }
}

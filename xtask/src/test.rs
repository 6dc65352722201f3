//! `cargo xtask test`: the doc tests (nextest does not run those), then the whole suite through
//! cargo-nextest, installed when missing. `user_crate` builds and tests `examples/user-crate`, a
//! crate outside the workspace that checks its own maps with the `mapcheck` library; `package`
//! packages the library crates as `cargo publish` would.

use super::check::{cargo, status};
use anyhow::Result;
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
        status(
            cmd!(sh, "{cargo} nextest run --workspace {EXCLUDED...} {args...}"),
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
pub fn package(sh: &Shell) -> Result<()> {
    let cargo = cargo();
    status(
        cmd!(
            sh,
            "{cargo} package --allow-dirty -p mapcheck-harness -p mapcheck-models -p mapcheck"
        ),
        "the library crates do not package",
    )
}

//! `cargo xtask test`: the doc tests (nextest does not run those), then the whole suite through
//! cargo-nextest.

use anyhow::{bail, Result};
use xshell::{cmd, Shell};

pub fn run(sh: &Shell, args: &[String]) -> Result<()> {
    let cargo = super::check::cargo();
    if cmd!(sh, "{cargo} nextest --version")
        .quiet()
        .ignore_stdout()
        .ignore_stderr()
        .run()
        .is_err()
    {
        bail!(
            "cargo-nextest is not installed; install it with `cargo install --locked cargo-nextest` \
             (or see https://nexte.st), then run `cargo xtask test` again"
        );
    }
    // Doc tests first, so the run closes on nextest's summary of the whole suite.
    cmd!(sh, "{cargo} test --doc --workspace").run()?;
    cmd!(sh, "{cargo} nextest run --workspace {args...}").run()?;
    Ok(())
}

//! `cargo xtask test`: the whole suite through cargo-nextest, then the doc tests (nextest does not
//! run those).

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
    cmd!(sh, "{cargo} nextest run --workspace {args...}").run()?;
    cmd!(sh, "{cargo} test --doc --workspace").run()?;
    Ok(())
}

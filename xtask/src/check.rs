//! `cargo xtask check|replay|list|scenario`: build the `mapcheck` command line in release mode
//! (exploration is millions of tiny steps) and pass the arguments through. The third-party
//! adapters are always part of it.

use anyhow::{bail, Result};
use xshell::{cmd, Shell};

pub fn run(sh: &Shell, sub: &str, args: &[String]) -> Result<()> {
    run_with(sh, sub, args, "release")
}

/// [`run`] with the `mapcheck` binary built in `profile`: `release` for people, `dev` for CI's
/// short check, whose dependencies the test build has already compiled (the exploration runtime is
/// optimised in both; see the workspace's profiles).
pub fn run_with(sh: &Shell, sub: &str, args: &[String], profile: &str) -> Result<()> {
    if sub == "replay" && args.is_empty() {
        bail!("usage: cargo xtask replay <TOKEN|FILE> (a token `mc1-...` or a record under target/mapcheck/failures/)");
    }
    let cargo = cargo();
    status(
        cmd!(
            sh,
            "{cargo} run --quiet --profile {profile} --package mapcheck-cli --bin mapcheck -- {sub} {args...}"
        ),
        &format!("mapcheck {sub} failed"),
    )
}

/// Runs `cmd` with its output going straight through; a non-zero exit becomes a [`crate::Failed`]
/// carrying the same status.
pub fn status(cmd: xshell::Cmd<'_>, what: &str) -> Result<()> {
    let mut command: std::process::Command = cmd.into();
    let st = command
        .status()
        .map_err(|e| anyhow::anyhow!("cannot start {command:?}: {e}"))?;
    if st.success() {
        return Ok(());
    }
    Err(crate::Failed {
        what: what.to_string(),
        code: st.code().map_or(1, |c| c.clamp(1, 255) as u8),
    }
    .into())
}

pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

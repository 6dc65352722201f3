//! `cargo xtask check|replay|list|scenario`: build the `mapcheck` command line in release mode
//! (exploration is millions of tiny steps) and pass the arguments through. The third-party
//! adapters are always part of it.

use anyhow::{bail, Result};
use xshell::{cmd, Shell};

pub fn run(sh: &Shell, sub: &str, args: &[String]) -> Result<()> {
    if sub == "replay" && args.is_empty() {
        bail!("usage: cargo xtask replay <TOKEN|FILE> (a token `mc1-...` or a record under target/mapcheck/failures/)");
    }
    let cargo = cargo();
    status(
        cmd!(
            sh,
            "{cargo} run --quiet --release --package mapcheck-cli --bin mapcheck -- {sub} {args...}"
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

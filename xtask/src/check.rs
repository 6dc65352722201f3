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
    if cmd!(
        sh,
        "{cargo} run --quiet --release --package mapcheck-cli --bin mapcheck -- {sub} {args...}"
    )
    .quiet()
    .run()
    .is_err()
    {
        bail!("`mapcheck {sub}` reported a failure (see above)");
    }
    Ok(())
}

pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

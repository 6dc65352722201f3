//! `cargo xtask hunt [NAME...] [--seed N]... [--budget SECONDS] [--list]`: builds `examples/hunt`
//! (a crate outside the workspace, with its own lock file, into `target/hunt`, so that neither the
//! workspace nor CI builds its dependencies) and checks each of its third-party adapters through
//! mapcheck's front door on real threads. `cargo xtask hunt --repro NAME` runs one of its
//! standalone reproducers (`examples/hunt/src/bin/repro_NAME.rs`).

use super::check::{cargo, status};
use anyhow::{bail, Result};
use xshell::{cmd, Shell};

pub fn run(sh: &Shell, args: &[String]) -> Result<()> {
    let cargo = cargo();
    let target = sh.current_dir().join("target/hunt");
    let _env = sh.push_env("CARGO_TARGET_DIR", &target);
    let manifest = "examples/hunt/Cargo.toml";
    if args.first().map(String::as_str) == Some("--repro") {
        let Some(name) = args.get(1) else {
            bail!("--repro needs the name of a reproducer (examples/hunt/src/bin/repro_NAME.rs)");
        };
        let bin = format!("repro_{name}");
        return status(
            cmd!(sh, "{cargo} run --release --manifest-path {manifest} --bin {bin}"),
            "the reproducer failed",
        );
    }
    status(
        cmd!(
            sh,
            "{cargo} run --release --manifest-path {manifest} --bin mapcheck-hunt -- {args...}"
        ),
        "the hunt found failures",
    )
}

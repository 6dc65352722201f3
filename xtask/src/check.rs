//! `cargo xtask check|replay|list`: build the runner in release mode (exploration is millions of
//! tiny steps) and pass the arguments through.
//!
//! The third-party adapters live behind the `mapcheck` binary's `adapters` feature, off by default
//! so the usual build stays lean. It is turned on when `--adapters` is passed, when `--structure`
//! names an adapter (the names are `adapters/names.txt`), and always for `replay`, whose token may
//! name one.

use anyhow::{bail, Result};
use xshell::{cmd, Shell};

/// The adapters' structure names, one a line (kept equal to the adapters' registry by a test).
const ADAPTERS: &str = include_str!("../../adapters/names.txt");

/// Whether the arguments ask for an adapter: `--adapters`, or `--structure NAME` (or
/// `--structure=NAME`) with an adapter's name. Returns the arguments without `--adapters`.
pub fn wants_adapters(args: &[String]) -> (bool, Vec<String>) {
    let is_adapter = |name: &str| ADAPTERS.lines().any(|a| a.trim() == name);
    let mut wanted = false;
    let mut rest = Vec::new();
    let mut it = args.iter().peekable();
    while let Some(a) = it.next() {
        if a == "--adapters" {
            wanted = true;
            continue;
        }
        if let Some(name) = a.strip_prefix("--structure=") {
            wanted |= is_adapter(name);
        } else if a == "--structure" {
            wanted |= it.peek().is_some_and(|n| is_adapter(n));
        }
        rest.push(a.clone());
    }
    (wanted, rest)
}

pub fn run(sh: &Shell, sub: &str, args: &[String]) -> Result<()> {
    if sub == "replay" && args.is_empty() {
        bail!("usage: cargo xtask replay <TOKEN|FILE> (a token `mc1-...` or a record under target/mapcheck/failures/)");
    }
    let (adapters, args) = wants_adapters(args);
    let features: Vec<&str> = if adapters || sub == "replay" {
        vec!["--features", "adapters"]
    } else {
        vec![]
    };
    let cargo = cargo();
    if cmd!(
        sh,
        "{cargo} run --quiet --release --package mapcheck {features...} -- {sub} {args...}"
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

#[cfg(test)]
mod tests {
    use super::wants_adapters;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn an_adapter_name_or_the_flag_turns_the_feature_on() {
        assert!(wants_adapters(&args("--structure dashmap")).0);
        assert!(wants_adapters(&args("--structure=scc --budget 5")).0);
        assert!(!wants_adapters(&args("--structure locked")).0);
        assert!(!wants_adapters(&args("--model churn")).0);
        let (on, rest) = wants_adapters(&args("--adapters --budget 5"));
        assert!(on);
        assert_eq!(rest, args("--budget 5"));
    }
}

//! Which of the registry's mutants each fuzz target reaches: `reach [TARGET...]` prints one JSON
//! object per target and mutant, `{"target", "mutant", "reaches": true, "by", "oracle"}` or
//! `{"target", "mutant", "reaches": false, "why"}`. `cargo xtask fuzz --mutants` fuzzes the reached
//! ones and names the others.

use anyhow::Result;
use mapcheck_fuzz::reach::{mutants, reach, Reach, TARGETS};
use serde_json::json;

#[global_allocator]
static ALLOC: mapcheck_harness::alloc::Counting = mapcheck_harness::alloc::Counting;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let targets: Vec<&str> = if args.is_empty() {
        TARGETS.to_vec()
    } else {
        args.iter().map(String::as_str).collect()
    };
    for target in targets {
        for entry in mutants() {
            let line = match reach(target, &entry).map_err(anyhow::Error::msg)? {
                Reach::Reaches { by, oracle } => json!({
                    "target": target, "mutant": entry.info.name, "reaches": true,
                    "by": by, "oracle": oracle.to_string(),
                }),
                Reach::Not(why) => json!({
                    "target": target, "mutant": entry.info.name, "reaches": false, "why": why,
                }),
            };
            println!("{line}");
        }
    }
    // A probe that hung leaves its thread behind; the answers are printed, so leave with them.
    std::process::exit(0)
}

//! Turns a crashing fuzz input into a failure record: `record TARGET INPUT OUT.json` decodes INPUT as
//! the target does (with the structures of `MAPCHECK_FUZZ_STRUCTURES`), runs it again, and writes the
//! record that `cargo xtask scenario import OUT.json` turns into a scenario file.

use anyhow::{bail, Context, Result};
use std::process::ExitCode;

#[global_allocator]
static ALLOC: mapcheck_harness::alloc::Counting = mapcheck_harness::alloc::Counting;

fn main() -> Result<ExitCode> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [target, input, out] = args.as_slice() else {
        bail!("usage: record TARGET INPUT OUT.json (TARGET: ops or schedules)");
    };
    let data = std::fs::read(input).with_context(|| format!("cannot read {input}"))?;
    let spec = std::env::var(mapcheck_fuzz::STRUCTURES_VAR).unwrap_or_default();
    let entries = mapcheck_fuzz::selection(&spec).map_err(anyhow::Error::msg)?;
    let Some(record) = mapcheck_fuzz::to_record(target, &data, &entries).map_err(anyhow::Error::msg)? else {
        eprintln!("{input} does not fail on the selected structures ({target}); no record written");
        return Ok(ExitCode::from(1));
    };
    let json = serde_json::to_string_pretty(&record)?;
    std::fs::write(out, json).with_context(|| format!("cannot write {out}"))?;
    if let mapcheck_harness::Verdict::Fail(f) = &record.verdict {
        println!("{}: {} oracle: {}", record.token.structure, f.oracle, f.summary);
    }
    println!("wrote {out}");
    Ok(ExitCode::SUCCESS)
}

//! What one input of the `ops` target costs, per structure: `cost CORPUS_DIR` decodes every input
//! of the folder as the target does (the correct structures) and prints, per structure, the number
//! of inputs and the mean time of the sequential run on real threads' primitives and of the run the
//! target makes (the same, or under shuttle without preemption for a structure with threads of its
//! own), each input run 5 times.

use mapcheck_fuzz::ops;
use mapcheck_harness::engine::Sequential;
use std::collections::BTreeMap;
use std::time::Instant;

#[global_allocator]
static ALLOC: mapcheck_harness::alloc::Counting = mapcheck_harness::alloc::Counting;

const ROUNDS: u32 = 5;

fn main() -> anyhow::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: cost CORPUS_DIR"))?;
    let subjects = ops::subjects(&mapcheck_fuzz::selection("correct").map_err(anyhow::Error::msg)?);
    // Per structure: inputs, seconds on real threads, seconds as the target runs them.
    let mut by: BTreeMap<&str, (usize, f64, f64)> = BTreeMap::new();
    let mut sequential = Sequential::default();
    for entry in std::fs::read_dir(&dir)? {
        let data = std::fs::read(entry?.path())?;
        let mut workload = mapcheck_harness::Workload {
            initial: Vec::new(),
            threads: Vec::new(),
        };
        let Some(subject) = ops::decode_into(&data, &subjects, &mut workload) else {
            continue;
        };
        let started = Instant::now();
        for _ in 0..ROUNDS {
            (subject.run.sequential)(&mut sequential, &workload);
        }
        let real = started.elapsed().as_secs_f64() / f64::from(ROUNDS);
        let started = Instant::now();
        for _ in 0..ROUNDS {
            ops::check_subjects(&data, &[subject]);
        }
        let target = started.elapsed().as_secs_f64() / f64::from(ROUNDS);
        let row = by.entry(subject.info.name).or_default();
        *row = (row.0 + 1, row.1 + real, row.2 + target);
    }
    println!("structure inputs real-threads-us target-us");
    for (name, (n, real, target)) in by {
        let mean = |s: f64| s / n as f64 * 1e6;
        println!("{name} {n} {:.1} {:.1}", mean(real), mean(target));
    }
    Ok(())
}

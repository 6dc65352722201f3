//! Micro benchmarks (divan): the linearizability checker on one generated history, and one
//! exploration of a model on `locked` through mapcheck and as a bare loom or shuttle closure.
//! Run with `cargo bench -p mapcheck-bench` (the full `cargo xtask bench` runs them too).

use mapcheck_bench::checker::{generate, Shape};
use mapcheck_bench::direct::{bare_loom, bare_shuttle, Reference};
use mapcheck_harness::lincheck::{check, LinOptions};
use mapcheck_harness::{Engine, Limits, Size};
use mapcheck_models::patterns::model;
use mapcheck_models::structure;
use std::time::Duration;

#[global_allocator]
static ALLOC: mapcheck_harness::alloc::Counting = mapcheck_harness::alloc::Counting;

fn main() {
    divan::main();
}

/// `lincheck::check` on a linearizable history of 10,000 operations over 4 threads (about 4 open
/// at once).
#[divan::bench(args = [1, 64, 1000], sample_count = 20)]
fn lincheck_10k_ops_4_threads(bencher: divan::Bencher, keys: u64) {
    let shape = Shape {
        ops: 10_000,
        threads: 4,
        keys,
        whole_map_permille: 0,
        violation: None,
    };
    let h = generate(&shape, 7).history;
    bencher.bench(|| check(divan::black_box(&h), LinOptions::default()).unwrap());
}

const MODEL: &str = "insert-remove-get";

fn limits(n: usize) -> Limits {
    Limits {
        max_schedules: n,
        budget: Duration::from_secs(60),
        max_steps: 100_000,
        ..Limits::default()
    }
}

/// 100 shuttle random schedules of the model on `locked`, through mapcheck.
#[divan::bench(sample_count = 20)]
fn shuttle_100_schedules_mapcheck() {
    let w = (model(MODEL).unwrap().build)(Size::SHUTTLE);
    let locked = structure("locked").unwrap();
    (locked.run)(&w, Engine::ShuttleRandom { seed: 1 }, limits(100));
}

/// The same 100 schedules as a bare `shuttle::check_random` closure.
#[divan::bench(sample_count = 20)]
fn shuttle_100_schedules_bare() {
    let w = (model(MODEL).unwrap().build)(Size::SHUTTLE);
    bare_shuttle::<Reference>(&w, 100);
}

/// One whole loom exploration (preemption bound 2) of the model on `locked`, through mapcheck.
#[divan::bench(sample_count = 20)]
fn loom_exploration_mapcheck() {
    let w = (model(MODEL).unwrap().build)(Size::LOOM);
    let locked = structure("locked").unwrap();
    (locked.run)(&w, Engine::Loom { preemption_bound: 2 }, limits(10_000));
}

/// The same exploration as a bare `loom::model` closure.
#[divan::bench(sample_count = 20)]
fn loom_exploration_bare() {
    let w = (model(MODEL).unwrap().build)(Size::LOOM);
    bare_loom::<Reference>(&w, 2, 10_000);
}

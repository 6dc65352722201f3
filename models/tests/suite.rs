//! One test binary for the models' integration tests: one build and one link instead of one per file, and nextest
//! still runs every test in a process of its own. Each file below is a module; a new test file needs
//! its line here.

#[global_allocator]
static ALLOC: mapcheck_harness::alloc::Counting = mapcheck_harness::alloc::Counting;

mod differential;
mod draws;
mod engines;
mod gomap_detector;
mod iteration_rules;
mod judging;
mod leaks;
mod liveness;
mod loom_order;
mod model_coverage;
mod mutants;
mod races;

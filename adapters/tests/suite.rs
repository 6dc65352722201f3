//! One test binary for the adapters' integration tests: one build and one link instead of one per file, and nextest
//! still runs every test in a process of its own. Each file below is a module; a new test file needs
//! its line here.

#[global_allocator]
static ALLOC: mapcheck_harness::alloc::Counting = mapcheck_harness::alloc::Counting;

#[path = "../examples/custom_adapter.rs"]
mod custom_adapter;

mod adapters;
mod compound;
mod declarations;
mod load;
mod settle;
mod unobserved;

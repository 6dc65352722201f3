//! One test binary for the harness's integration tests: one build and one link instead of one per file, and nextest
//! still runs every test in a process of its own. Each file below is a module; a new test file needs
//! its line here.

#[global_allocator]
static ALLOC: mapcheck_harness::alloc::Counting = mapcheck_harness::alloc::Counting;

mod common;

mod declarations;
mod evidence;
mod leak_sites;
mod lin_brute;
mod lin_brute_compound;
mod lin_groups;
mod lin_prefix;
mod lincheck;
mod loom_order;
mod oracles;
mod oracles_compound;
mod reclamation;
mod seeds;
mod unobserved;
mod witness;

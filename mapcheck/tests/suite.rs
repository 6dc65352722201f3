//! One test binary for the library's integration tests (the scenario files run in a binary of their
//! own, `scenarios`): one build and one link instead of one per file, and nextest still runs every
//! test in a process of its own. Each file below is a module; a new test file needs its line here.

#[global_allocator]
static ALLOC: mapcheck_harness::alloc::Counting = mapcheck_harness::alloc::Counting;

#[path = "../../harness/tests/common/mod.rs"]
mod common;

mod bounds;
mod declarations;
mod front_door;
mod picture;
mod replay;
mod timeline;
mod verdicts;

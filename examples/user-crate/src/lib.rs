//! A user's crate with two concurrent maps written against `std::sync`, as maps already are:
//! `MyMap`, correct, and `FastRemoveMap`, with a planted bug. Their tests check them with
//! mapcheck (a dev-dependency): only each map's `use` lines change in test builds, pointing at
//! `mapcheck::sync`; `src/mapcheck_tests.rs` tells mapcheck how to call them.

pub mod fast_remove;
pub mod my_map;

pub use fast_remove::FastRemoveMap;
pub use my_map::MyMap;

#[cfg(test)]
mod mapcheck_tests;

//! The structures under test (correct ones and mutants) and the access-pattern models.

pub mod structures;
